// Credentials pasted into a DM: found so the asker gets "rotate it now" guidance, and cut out
// before any text is remembered, relayed or stored. The bot never echoes, logs or keeps them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace incident {

// Which kind of credential, so the guidance can say where to revoke it.
enum class SecretKind { slack, github, aws, private_key, jwt, generic };

std::string to_string(
    SecretKind kind);  // "slack", "github", "aws", "private_key", "jwt", "generic"

// A credential's byte range in the text (what redaction removes).
struct SecretMatch {
  std::size_t begin = 0;
  std::size_t end = 0;
  SecretKind kind = SecretKind::generic;
};

// Every credential in `text`, in order, never overlapping:
//   Slack    xoxa- xoxb- xoxp- xoxo- xoxs- xoxr- tokens and xapp- app-level tokens
//   GitHub   ghp_ gho_ ghs_ ghu_ ghr_ tokens and github_pat_ fine-grained tokens
//   AWS      AKIA… / ASIA… access key ids (20 characters)
//   keys     -----BEGIN … PRIVATE KEY----- blocks, up to their END line (or the end of the text)
//   JWT      eyJ….….… (three base64url parts)
//   generic  `password=`, `passwd:`, `secret=`, `token=`, `api_key=`, `aws_secret_access_key=`,
//            … assignments (also as the end of a longer name: DB_PASSWORD=…), and
//            `Bearer <token>`: the value is the credential
std::vector<SecretMatch> find_secrets(std::string_view text);

// `text` with each credential replaced by kRedacted.
std::string redact_secrets(std::string_view text, const std::vector<SecretMatch>& found);
std::string redact_secrets(std::string_view text);

inline constexpr std::string_view kRedacted = "[credential removed]";

}  // namespace incident
