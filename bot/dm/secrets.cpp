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
  const std::size_t label = text.find("PRIVATE KEY", at);
  if (label == std::string_view::npos || label > line_end) return std::nullopt;
  if (text.substr(label, 32).find("-----") == std::string_view::npos) return std::nullopt;
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

// Fixed-prefix tokens, each from its issuer's documentation of the format (and the patterns of
// the well-known secret scanners): the prefix, the fewest characters after it, their alphabet.
struct Prefixed {
  std::string_view prefix;
  std::size_t min;
  bool (*alphabet)(char);
  SecretKind kind;
};
bool is_token_word(char c) {
  return is_word(c) || c == '-';
}
bool is_google_token_char(char c) {
  return is_base64url(c) || c == '.';
}
constexpr Prefixed kPrefixed[] = {
    {"sk_live_", 16, is_alnum, SecretKind::stripe},
    {"sk_test_", 16, is_alnum, SecretKind::stripe},
    {"rk_live_", 16, is_alnum, SecretKind::stripe},
    {"rk_test_", 16, is_alnum, SecretKind::stripe},
    {"whsec_", 20, is_alnum, SecretKind::stripe},
    {"glpat-", 20, is_token_word, SecretKind::gitlab},
    {"gldt-", 20, is_token_word, SecretKind::gitlab},
    {"glptt-", 20, is_token_word, SecretKind::gitlab},
    {"glrt-", 20, is_token_word, SecretKind::gitlab},
    {"glcbt-", 20, is_token_word, SecretKind::gitlab},
    {"glsoat-", 20, is_token_word, SecretKind::gitlab},
    {"GR1348941", 20, is_token_word, SecretKind::gitlab},
    {"AIza", 35, is_base64url, SecretKind::google},
    {"GOCSPX-", 20, is_base64url, SecretKind::google},
    {"ya29.", 30, is_google_token_char, SecretKind::google},
    {"npm_", 36, is_alnum, SecretKind::npm},
    {"pypi-", 50, is_base64url, SecretKind::pypi},
    {"hf_", 30, is_alnum, SecretKind::generic},            // Hugging Face
    {"sk-ant-", 30, is_token_word, SecretKind::generic},   // Anthropic
    {"sk-proj-", 30, is_token_word, SecretKind::generic},  // OpenAI project keys
    {"dop_v1_", 40, is_alnum, SecretKind::generic},        // DigitalOcean
    {"shpat_", 32, is_alnum, SecretKind::generic},         // Shopify
    {"shpss_", 32, is_alnum, SecretKind::generic},
};

Found well_known(std::string_view text, std::size_t at) {
  for (const auto& p : kPrefixed) {
    if (auto m = prefixed(text, at, p.prefix, p.min, p.alphabet, p.kind)) return m;
  }
  return std::nullopt;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Twilio API key SIDs: SK and 32 hex digits.
Found twilio(std::string_view text, std::size_t at) {
  if (!starts_with(text, at, "SK")) return std::nullopt;
  const std::size_t end = run_end(text, at + 2, is_hex);
  if (end - at != 34 || (end < text.size() && is_word(text[end]))) return std::nullopt;
  return SecretMatch{at, end, SecretKind::twilio};
}

// SendGrid API keys: SG.<22>.<43>, base64url parts.
Found sendgrid(std::string_view text, std::size_t at) {
  if (!starts_with(text, at, "SG.")) return std::nullopt;
  const std::size_t first = run_end(text, at + 3, is_base64url);
  if (first - at - 3 < 16 || first >= text.size() || text[first] != '.') return std::nullopt;
  const std::size_t end = run_end(text, first + 1, is_base64url);
  if (end - first - 1 < 30) return std::nullopt;
  return SecretMatch{at, end, SecretKind::sendgrid};
}

// Incoming-webhook URLs: whoever has one can post as the integration.
Found webhook(std::string_view text, std::size_t at) {
  std::size_t host = at;
  for (std::string_view scheme : {"https://", "http://"}) {
    if (starts_with(text, at, scheme)) host = at + scheme.size();
  }
  for (std::string_view path :
       {"hooks.slack.com/services/", "hooks.slack.com/workflows/", "hooks.slack.com/triggers/",
        "discord.com/api/webhooks/", "discordapp.com/api/webhooks/"}) {
    if (!starts_with(text, host, path)) continue;
    const std::size_t end =
        run_end(text, host + path.size(), [](char c) { return is_token_word(c) || c == '/'; });
    if (end - host - path.size() >= 20) return SecretMatch{at, end, SecretKind::webhook};
  }
  return std::nullopt;
}

// `scheme://user:password@host`: the password goes, the rest of the URL stays readable.
Found url_password(std::string_view text, std::size_t at) {
  const std::size_t scheme_end =
      run_end(text, at, [](char c) { return is_alnum(c) || c == '+' || c == '.' || c == '-'; });
  if (scheme_end == at || !starts_with(text, scheme_end, "://")) return std::nullopt;
  const std::size_t user = scheme_end + 3;
  const std::size_t userinfo_end = run_end(text, user, [](char c) {
    return c != '@' && c != '/' && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '?' &&
           c != '#';
  });
  if (userinfo_end >= text.size() || text[userinfo_end] != '@') return std::nullopt;
  const std::size_t colon = text.find(':', user);
  if (colon == std::string_view::npos || colon >= userinfo_end || colon + 1 == userinfo_end) {
    return std::nullopt;
  }
  return SecretMatch{colon + 1, userinfo_end, SecretKind::generic};
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

// --- credentials in prose ------------------------------------------------------------------

std::string lower_copy(std::string_view text) {
  std::string low(text);
  std::transform(low.begin(), low.end(), low.begin(), lower);
  return low;
}

// Words that name a password (any value after them is one) or a key, secret or token (only a
// value that looks random is one: "the token is still valid" says nothing secret).
bool is_password_word(std::string_view low) {
  for (std::string_view w : {"password", "passwd", "pwd", "passphrase", "passcode", "pw"}) {
    if (low.size() >= w.size() && low.compare(low.size() - w.size(), w.size(), w) == 0) {
      return low.size() == w.size() || low[low.size() - w.size() - 1] == '_' ||
             low[low.size() - w.size() - 1] == '-' || w.size() >= 6;
    }
  }
  return false;
}
bool is_key_word(std::string_view low) {
  for (std::string_view w : {"key", "secret", "token", "apikey", "credential", "credentials"}) {
    if (low.size() >= w.size() && low.compare(low.size() - w.size(), w.size(), w) == 0) {
      return true;
    }
  }
  return false;
}

// Between the name and the value: "is", "was", ":" and the like end the gap ("my password for
// the prod db is …"); at most a few words may come before them.
bool is_link_word(std::string_view low) {
  for (std::string_view w : {"is", "was", "were", "are", "=", ":", "=>", "->", "to", "is:"}) {
    if (low == w) return true;
  }
  return false;
}

// Ordinary words that follow "password is" in talk about a password, not in one.
bool is_ordinary_word(std::string_view low) {
  static constexpr std::string_view kWords[] = {
      "a",         "an",        "the",       "not",         "no",         "still",     "now",
      "being",     "been",      "expired",   "wrong",       "incorrect",  "correct",   "invalid",
      "valid",     "leaked",    "exposed",   "compromised", "reset",      "changed",   "rotated",
      "revoked",   "required",  "needed",    "missing",     "empty",      "blank",     "set",
      "in",        "on",        "at",        "stored",      "saved",      "same",      "different",
      "weak",      "strong",    "too",       "very",        "fine",       "ok",        "okay",
      "old",       "new",       "shown",     "visible",     "public",     "private",   "there",
      "here",      "it",        "that",      "this",        "what",       "used",      "known",
      "unknown",   "locked",    "short",     "long",        "fixed",      "broken",    "only",
      "also",      "just",      "really",    "probably",    "definitely", "somewhere", "shared",
      "working",   "accepted",  "rejected",  "gone",        "safe",       "unsafe",    "my",
      "your",      "our",       "their",     "his",         "her",        "its",       "for",
      "of",        "and",       "or",        "but",         "so",         "because",   "if",
      "when",      "then",      "than",      "all",         "any",        "some",      "none",
      "nothing",   "something", "unchanged", "written",     "printed",    "logged",    "hashed",
      "encrypted", "plaintext", "plain",     "default",     "temporary",  "one",       "two",
      "same.",     "mine",      "yours",     "ours",        "theirs",     "asked",     "given",
      "sent",      "typed",     "entered",   "pasted",      "posted",     "reused",    "due",
  };
  return std::find(std::begin(kWords), std::end(kWords), low) != std::end(kWords);
}

// A value that looks generated: twelve characters or more, letters with digits or with upper and
// lower case mixed past the first. Dates, times and URLs are not credentials.
bool looks_random(std::string_view value) {
  if (value.size() < 12 || value.find("://") != std::string_view::npos) return false;
  std::size_t letters = 0;
  bool upper_case = false, lower_case = false, digits = false;
  for (std::size_t k = 0; k < value.size(); ++k) {
    const char c = value[k];
    if (c >= 'a' && c <= 'z') {
      ++letters;
      lower_case = true;
    } else if (c >= 'A' && c <= 'Z') {
      ++letters;
      upper_case = upper_case || k > 0;
    } else if (c >= '0' && c <= '9') {
      digits = true;
    }
  }
  return letters >= 3 && (digits || (upper_case && lower_case));
}

bool is_value_char(char c) {
  return c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '`' && c != '"' && c != '\'';
}

// A word of prose starting at `at` (after spaces, quotes and backticks): its bounds, with
// trailing sentence punctuation left out.
struct Word {
  std::size_t begin = 0;
  std::size_t end = 0;
};
std::optional<Word> next_word(std::string_view text, std::size_t at) {
  at = run_end(text, at, [](char c) { return is_space(c) || c == '`' || c == '"' || c == '\''; });
  if (at >= text.size() || text[at] == '\n' || text[at] == '\r') return std::nullopt;
  std::size_t end = run_end(text, at, is_value_char);
  while (end > at + 1 && std::string_view(".,;!?)").find(text[end - 1]) != std::string_view::npos) {
    --end;
  }
  if (end == at) return std::nullopt;
  return Word{at, end};
}

// The formats with a shape of their own (prefix, length, alphabet).
Found specific(std::string_view text, std::size_t at) {
  for (auto scan : {slack, github, aws_key_id, jwt, bearer, well_known, twilio, sendgrid, webhook,
                    url_password}) {
    if (auto m = scan(text, at)) return m;
  }
  return std::nullopt;
}

// "my password is X", "password for the prod db was X", "api key: X", "here's the token X".
// A value with a shape of its own keeps its kind ("my token is xoxb-…" is a Slack token).
Found in_prose(std::string_view text, std::size_t at, std::size_t identifier_end) {
  const std::string name = lower_copy(text.substr(at, identifier_end - at));
  const bool password = is_password_word(name);
  if (!password && !is_key_word(name)) return std::nullopt;
  std::size_t from = identifier_end;
  bool linked = false;
  for (int words = 0; words < 6; ++words) {
    // Signs that link a name to its value: "password: X", "token=X", "key => X".
    while (from < text.size() &&
           (text[from] == ':' || text[from] == '=' || text[from] == '>' ||
            (text[from] == '-' && from + 1 < text.size() && text[from + 1] == '>'))) {
      linked = true;
      ++from;
    }
    const auto w = next_word(text, from);
    if (!w) return std::nullopt;
    // "key=[credential removed] is …": its value was removed before; what follows is not it.
    if (const auto marker = text.find(kRedacted, from);
        marker != std::string_view::npos && marker <= w->begin) {
      return std::nullopt;
    }
    const std::string_view value = text.substr(w->begin, w->end - w->begin);
    const std::string low = lower_copy(value);
    if (is_link_word(low) || value.back() == ':') {  // "is", "was", "for prod:"
      linked = true;
      from = w->end;
      continue;
    }
    if (value.front() == '=' || value.front() == ':' || value.front() == '>') {
      from = w->begin;  // "token =X": the sign is glued to the value
      continue;
    }
    if (auto m = specific(text, w->begin)) return m;
    if (!is_placeholder(value)) {
      if (password && linked && value.size() >= 3 && !is_ordinary_word(low)) {
        return SecretMatch{w->begin, w->end, SecretKind::generic};
      }
      // Without "is" or ":", only the very next word: "the token 9f8e…".
      if ((linked || words == 0) && looks_random(value)) {
        return SecretMatch{w->begin, w->end, SecretKind::generic};
      }
    }
    if (linked || words >= 4) return std::nullopt;  // "token is still valid": not one
    from = w->end;
  }
  return std::nullopt;
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
    case SecretKind::stripe:
      return "stripe";
    case SecretKind::gitlab:
      return "gitlab";
    case SecretKind::google:
      return "google";
    case SecretKind::npm:
      return "npm";
    case SecretKind::pypi:
      return "pypi";
    case SecretKind::twilio:
      return "twilio";
    case SecretKind::sendgrid:
      return "sendgrid";
    case SecretKind::webhook:
      return "webhook";
    case SecretKind::generic:
      return "generic";
  }
  return "generic";
}

// A credential this long is removed wherever it appears again; a shorter one could be part of
// ordinary words.
constexpr std::size_t kRepeatedBytes = 8;

std::vector<SecretMatch> find_secrets(std::string_view text) {
  std::vector<SecretMatch> found;
  std::size_t i = 0;
  while (i < text.size()) {
    // What a redaction left ("[credential removed]") is neither a credential nor a name for one.
    if (text.substr(i).starts_with(kRedacted)) {
      i += kRedacted.size();
      continue;
    }
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
    Found m = specific(text, i);
    const std::size_t identifier_end = run_end(text, i, is_identifier_char);
    if (!m) m = assignment(text, i, identifier_end);
    if (!m) m = in_prose(text, i, identifier_end);
    // A credential removed before ("password=[credential removed]", text redacted once more) is
    // not a value to remove again.
    if (m && text.substr(m->begin).starts_with(kRedacted)) {
      i = m->begin + kRedacted.size();
      continue;
    }
    // Nor is a value holding the marker's start ("KEY=KEY=[credential rem…", found by fuzzing):
    // the marker put in its place would spell it out again.
    if (m && text.substr(m->begin, m->end - m->begin).find(kRedacted.substr(0, 11)) !=
                 std::string_view::npos) {
      i = identifier_end;
      continue;
    }
    if (m) {
      found.push_back(*m);
      i = m->end;
    } else {
      i = identifier_end;
    }
  }
  // The same credential once more, anywhere (typed twice, or run into other text): it goes too.
  // Found by fuzzing (tests/fuzz/secrets_fuzz.cpp).
  const std::size_t first_seen = found.size();
  for (std::size_t k = 0; k < first_seen; ++k) {
    const std::string_view value = text.substr(found[k].begin, found[k].end - found[k].begin);
    if (value.size() < kRepeatedBytes) continue;
    for (auto at = text.find(value); at != std::string_view::npos; at = text.find(value, at + 1)) {
      const bool taken = std::any_of(found.begin(), found.end(), [&](const SecretMatch& other) {
        return at < other.end && other.begin < at + value.size();
      });
      if (!taken) found.push_back({at, at + value.size(), found[k].kind});
    }
  }
  std::sort(found.begin(), found.end(),
            [](const SecretMatch& a, const SecretMatch& b) { return a.begin < b.begin; });
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
