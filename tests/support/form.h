// URL decoding for the fake servers: Slack's Web API takes form bodies, Matrix encodes path
// segments and query strings.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace incident::testing {

// %XX escapes decoded; with `plus_as_space` (forms and query strings) '+' reads as a space.
inline std::string percent_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (plus_as_space && s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// `a=1&b=two+words` (application/x-www-form-urlencoded, or a URL's query) as name → value.
inline std::map<std::string, std::string> parse_form(std::string_view body) {
  std::map<std::string, std::string> fields;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    const auto eq = pair.find('=');
    fields[percent_decode(pair.substr(0, eq), true)] =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
  }
  return fields;
}

}  // namespace incident::testing
