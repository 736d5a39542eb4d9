// Credentials pasted into a DM: found so the asker gets "rotate it now" guidance, and cut out
// before any text is remembered, relayed or stored. The bot never echoes, logs or keeps them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace incident {

// Which kind of credential, so the guidance can say where to revoke it.
enum class SecretKind {
  slack,
  github,
  aws,
  private_key,
  jwt,
  stripe,
  gitlab,
  google,
  npm,
  pypi,
  twilio,
  sendgrid,
  webhook,
  generic
};

// "slack", "github", "aws", "private_key", "jwt", "stripe", "gitlab", "google", "npm", "pypi",
// "twilio", "sendgrid", "webhook", "generic": the `secret.<kind>` rotation advice in prompts/.
std::string to_string(SecretKind kind);

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
//   keys     -----BEGIN … PRIVATE KEY----- blocks (PGP's too), up to their END line (or the
//            end of the text)
//   JWT      eyJ….….… (three base64url parts)
//   Stripe   sk_live_ sk_test_ rk_live_ rk_test_ secret and restricted keys, whsec_ signing keys
//   GitLab   glpat- gldt- glptt- glrt- glcbt- glsoat- tokens, GR1348941 runner tokens
//   Google   AIza… API keys, GOCSPX- OAuth client secrets, ya29. access tokens
//   npm      npm_…;  PyPI pypi-…;  Twilio SK + 32 hex;  SendGrid SG.….…
//   webhooks hooks.slack.com/services|workflows|triggers/… and discord.com/api/webhooks/… URLs
//   URLs     the password of `scheme://user:password@host` (database connection strings)
//   generic  `password=`, `passwd:`, `secret=`, `token=`, `api_key=`, `aws_secret_access_key=`,
//            … assignments (also as the end of a longer name: DB_PASSWORD=…); the same names in
//            prose ("my password is …", "the token for prod was …", "api key: …"): after a
//            password word any value that is not an ordinary word goes, after a key, secret or
//            token word a value that looks random; and `Bearer <token>`. When in doubt, it goes.
std::vector<SecretMatch> find_secrets(std::string_view text);

// `text` with each credential replaced by kRedacted.
std::string redact_secrets(std::string_view text, const std::vector<SecretMatch>& found);
std::string redact_secrets(std::string_view text);

inline constexpr std::string_view kRedacted = "[credential removed]";

}  // namespace incident
