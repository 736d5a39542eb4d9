#include "bot/dm/secrets.h"

#include <algorithm>
#include <array>
#include <optional>

namespace incident {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_word(char c) {
  return is_alnum(c) || c == '_';
}
bool is_upper_or_digit(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_base64url(char c) {
  return is_alnum(c) || c == '-' || c == '_';
}
bool is_token_char(char c) {
  return is_alnum(c) || c == '-';
}
bool is_bearer_char(char c) {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' ||
         c == '=';
}
bool is_space(char c) {
  return c == ' ' || c == '\t';
}
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool starts_with(std::string_view text, std::size_t at, std::string_view prefix) {
  return text.substr(at, prefix.size()) == prefix;
}
bool starts_with_nocase(std::string_view text, std::size_t at, std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    if (lower(text[at + k]) != prefix[k]) return false;
  }
  return true;
}

template <typename Pred>
std::size_t run_end(std::string_view text, std::size_t from, Pred pred) {
  while (from < text.size() && pred(text[from])) ++from;
  return from;
}

using Found = std::optional<SecretMatch>;

// A fixed prefix followed by at least `min` characters of a token alphabet.
template <typename Pred>
Found prefixed(std::string_view text, std::size_t at, std::string_view prefix, std::size_t min,
               Pred pred, SecretKind kind) {
  if (!starts_with(text, at, prefix)) return std::nullopt;
  const std::size_t end = run_end(text, at + prefix.size(), pred);
  if (end - at - prefix.size() < min) return std::nullopt;
  return SecretMatch{at, end, kind};
}

// api.slack.com/authentication/token-types: bot xoxb-, user xoxp-, legacy xoxa-/xoxo-/xoxs-,
// refresh xoxr-, app-level xapp-.
Found slack(std::string_view text, std::size_t at) {
  if (starts_with(text, at, "xox") && at + 4 < text.size() &&
      std::string_view("abposr").find(text[at + 3]) != std::string_view::npos &&
      text[at + 4] == '-') {
    const std::size_t end = run_end(text, at + 5, is_token_char);
    if (end - at - 5 >= 10) return SecretMatch{at, end, SecretKind::slack};
  }
  return prefixed(text, at, "xapp-", 10, is_token_char, SecretKind::slack);
}

// docs.github.com "About authentication": ghp_ (classic), gho_ (OAuth), ghs_ (app installation),
// ghu_ (app user), ghr_ (refresh), github_pat_ (fine-grained).
Found github(std::string_view text, std::size_t at) {
  for (std::string_view p : {"ghp_", "gho_", "ghs_", "ghu_", "ghr_"}) {
    if (auto m = prefixed(text, at, p, 20, is_alnum, SecretKind::github)) return m;
  }
  return prefixed(text, at, "github_pat_", 20, is_word, SecretKind::github);
}

// AWS access key ids: AKIA (long-term) or ASIA (temporary) and 16 more upper-case letters/digits.
Found aws_key_id(std::string_view text, std::size_t at) {
  if (!starts_with(text, at, "AKIA") && !starts_with(text, at, "ASIA")) return std::nullopt;
  const std::size_t end = run_end(text, at + 4, is_upper_or_digit);
  if (end - at != 20 || (end < text.size() && is_alnum(text[end]))) return std::nullopt;
  return SecretMatch{at, end, SecretKind::aws};
}

// PEM private keys (RFC 7468): the whole block goes, so no line of it survives.
Found private_key(std::string_view text, std::size_t at) {
  if (!starts_with(text, at, "-----BEGIN ")) return std::nullopt;
  const std::size_t line_end = std::min(text.find('\n', at), text.size());
  const std::size_t label = text.find("PRIVATE KEY-----", at);
  if (label == std::string_view::npos || label > line_end) return std::nullopt;
  const std::size_t end_marker = text.find("-----END", label);
  if (end_marker == std::string_view::npos)
    return SecretMatch{at, text.size(), SecretKind::private_key};
  const std::size_t close = text.find("-----", end_marker + 8);
  return SecretMatch{at, close == std::string_view::npos ? text.size() : close + 5,
                     SecretKind::private_key};
}

// RFC 7519: header.payload.signature, each base64url; a JSON header always starts "eyJ".
Found jwt(std::string_view text, std::size_t at) {
  if (!starts_with(text, at, "eyJ")) return std::nullopt;
  std::size_t end = run_end(text, at, is_base64url);
  if (end - at < 10) return std::nullopt;
  for (int part = 0; part < 2; ++part) {
    if (end >= text.size() || text[end] != '.') return std::nullopt;
    const std::size_t next = run_end(text, end + 1, is_base64url);
    if (next - end - 1 < 4) return std::nullopt;
    end = next;
  }
  return SecretMatch{at, end, SecretKind::jwt};
}

// RFC 6750 `Authorization: Bearer <token>`: the token is the credential, not the word.
Found bearer(std::string_view text, std::size_t at) {
  if (!starts_with_nocase(text, at, "bearer")) return std::nullopt;
  const std::size_t value = run_end(text, at + 6, is_space);
  if (value == at + 6) return std::nullopt;
  const std::size_t end = run_end(text, value, is_bearer_char);
  if (end - value < 16) return std::nullopt;
  return SecretMatch{value, end, SecretKind::generic};
}

// Names whose value is a credential, matched at the end of an identifier so that DB_PASSWORD,
// slack_bot_token and aws_secret_access_key count too.
constexpr std::array<std::string_view, 14> kSecretNames{
    "password", "passwd",  "pwd",        "passphrase", "secret",      "token",         "apikey",
    "api_key",  "api-key", "access_key", "secret_key", "private_key", "client_secret", "accesskey"};

bool is_secret_name(std::string_view identifier) {
  std::string low(identifier);
  std::transform(low.begin(), low.end(), low.begin(), lower);
  return std::any_of(kSecretNames.begin(), kSecretNames.end(), [&](std::string_view name) {
    return low.size() >= name.size() &&
           low.compare(low.size() - name.size(), name.size(), name) == 0;
  });
}

// Values people write instead of the real thing: "****", "xxxx", "${TOKEN}", "<token>".
bool is_placeholder(std::string_view value) {
  if (value.front() == '$' || value.front() == '<' || value.front() == '{') return true;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c == '*' || c == 'x' || c == 'X' || c == '.'; });
}

bool is_identifier_char(char c) {
  return is_word(c) || c == '-';
}

// `name = value`, `name: value`, `"name": "value"`. A bare `name: word` in prose is common
// ("token: is it safe?"), so a value after `:` needs six characters, after `=` four.
Found assignment(std::string_view text, std::size_t at, std::size_t identifier_end) {
  if (!is_secret_name(text.substr(at, identifier_end - at))) return std::nullopt;
  std::size_t i = identifier_end;
  if (i < text.size() && (text[i] == '"' || text[i] == '\'')) ++i;
  i = run_end(text, i, is_space);
  if (i >= text.size() || (text[i] != '=' && text[i] != ':')) return std::nullopt;
  const std::size_t min = text[i] == '=' ? 4 : 6;
  i = run_end(text, i + 1, [](char c) { return c == '=' || is_space(c); });
  if (i >= text.size()) return std::nullopt;
  std::size_t begin = i;
  std::size_t end = 0;
  if (text[i] == '"' || text[i] == '\'') {
    const char quote = text[i];
    begin = i + 1;
    end = std::min(text.find(quote, begin), text.size());
  } else {
    end = run_end(text, begin, [](char c) {
      return c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '"' && c != '\'' && c != ',' &&
             c != ';' && c != '&' && c != '}';
    });
  }
  if (end - begin < min || is_placeholder(text.substr(begin, end - begin))) return std::nullopt;
  return SecretMatch{begin, end, SecretKind::generic};
}

}  // namespace

std::string to_string(SecretKind kind) {
  switch (kind) {
    case SecretKind::slack:
      return "slack";
    case SecretKind::github:
      return "github";
    case SecretKind::aws:
      return "aws";
    case SecretKind::private_key:
      return "private_key";
    case SecretKind::jwt:
      return "jwt";
    case SecretKind::generic:
      return "generic";
  }
  return "generic";
}

std::vector<SecretMatch> find_secrets(std::string_view text) {
  std::vector<SecretMatch> found;
  std::size_t i = 0;
  while (i < text.size()) {
    if (auto m = private_key(text, i)) {
      found.push_back(*m);
      i = m->end;
      continue;
    }
    const bool boundary = i == 0 || !is_identifier_char(text[i - 1]);
    if (!boundary || !is_identifier_char(text[i])) {
      ++i;
      continue;
    }
    Found m;
    for (auto scan : {slack, github, aws_key_id, jwt, bearer}) {
      if ((m = scan(text, i))) break;
    }
    const std::size_t identifier_end = run_end(text, i, is_identifier_char);
    if (!m) m = assignment(text, i, identifier_end);
    if (m) {
      found.push_back(*m);
      i = m->end;
    } else {
      i = identifier_end;
    }
  }
  return found;
}

std::string redact_secrets(std::string_view text, const std::vector<SecretMatch>& found) {
  std::string out;
  std::size_t from = 0;
  for (const auto& m : found) {
    out.append(text.substr(from, m.begin - from));
    out.append(kRedacted);
    from = m.end;
  }
  out.append(text.substr(from));
  return out;
}

std::string redact_secrets(std::string_view text) {
  return redact_secrets(text, find_secrets(text));
}

}  // namespace incident
