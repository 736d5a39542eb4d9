// URLs as the transport layer needs them: scheme, host, port and request target, plus the
// form encoding of Web API bodies. Only TLS schemes are accepted: the bot sends tokens and
// incident records, so it always uses TLS and always verifies certificates, and a plain http://
// or ws:// URL is a configuration error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace incident::net {

struct Url {
  std::string scheme;  // "https" or "wss", lower case
  std::string host;    // a DNS name or an IP literal (IPv6 without brackets)
  std::string port;    // always set: "443" when the URL has none
  std::string target;  // path and query, at least "/"

  // nullopt unless `text` is an absolute https:// or wss:// URL with a host.
  static std::optional<Url> parse(std::string_view text);

  // host[:port] for the Host header: the port only when it is not the default, IPv6 bracketed.
  std::string authority() const;
  // The URL without its target, e.g. "https://slack.com" (for logs: never holds a query).
  std::string origin() const;
};

// RFC 3986 percent-encoding of everything but unreserved characters (application/x-www-form-
// urlencoded bodies and query strings).
std::string percent_encode(std::string_view text);

using FormFields = std::vector<std::pair<std::string, std::string>>;
// "a=1&b=x%20y": an application/x-www-form-urlencoded body.
std::string form_encode(const FormFields& fields);

}  // namespace incident::net
