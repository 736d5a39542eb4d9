// An HTTP request from anyone who can reach the ops port or the review page, over any bytes:
// read by Beast's parser with the review page's limits (adapters/web/app.cpp; the ops server's
// are smaller), then the review page's own readers of what it parsed — a form field, the
// session cookie — and the escaping every value passes through on its way into a page. Nothing
// throws; an escaped value holds no markup character and no invalid UTF-8; a cookie's value is
// a piece of its header.
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "adapters/web/html.h"
#include "fuzz/fuzz.h"

using incident::fuzz::check;
namespace http = boost::beast::http;

namespace {

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80                 ? 1
                    : c >= 0xC2 && c <= 0xDF ? 2
                    : c >= 0xE0 && c <= 0xEF ? 3
                    : c >= 0xF0 && c <= 0xF4 ? 4
                                             : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

void check_escaped(std::string_view raw) {
  const std::string out = incident::web::escape(raw);
  check(out.find_first_of("<>\"'") == std::string::npos, "escaped text holds a markup character");
  check(valid_utf8(out), "escaped text is valid UTF-8");
  for (std::size_t at = out.find('&'); at != std::string::npos; at = out.find('&', at + 1)) {
    check(out.find(';', at) != std::string::npos, "every & in escaped text starts a reference");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(256 * 1024);
  parser.eager(true);
  boost::system::error_code ec;
  std::size_t used = 0;
  while (used < size && !parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (ec || n == 0) break;
    used += n;
  }
  if (ec == http::error::need_more) ec = {};
  if (!parser.is_done()) return 0;
  const auto& request = parser.get();
  const std::string target(request.target());
  const std::string body = request.body();
  const std::string cookie(request[http::field::cookie]);

  for (const char* field : {"text", "csrf", "token", "version", "at"}) {
    check_escaped(incident::web::form_field(body, field));
  }
  const std::string session = incident::web::cookie_value(cookie, "incident_bot_session");
  check(session.empty() || cookie.find(session) != std::string::npos,
        "a cookie's value comes from its header");
  check_escaped(target);
  check_escaped(body);
  return 0;
}
