#include "adapters/net/https_client.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <set>

#include "adapters/net/signal.h"

namespace incident::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;
using boost::system::error_code;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return std::nullopt;
}

namespace {

struct Connection {
  Connection(const asio::any_io_executor& executor, ssl::context& tls) : stream(executor, tls) {}
  ssl::stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  bool connected = false;
};

// The peer closed a kept-alive connection while it was idle: nothing of the request was
// processed, so sending it again on a fresh connection is safe.
bool closed_while_idle(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

}  // namespace

struct KeepAliveHttpsClient::Impl {
  asio::any_io_executor executor;
  TlsContext& tls;
  Url origin;
  HttpOptions options;
  std::vector<std::unique_ptr<Connection>> idle;
  std::set<Connection*> busy;
  std::size_t open = 0;  // idle and busy connections
  Signal released;       // a connection went back to the pool, or the pool shut down
  bool shut = false;

  Impl(asio::any_io_executor ex, TlsContext& t, Url o, HttpOptions opts)
      : executor(ex), tls(t), origin(std::move(o)), options(std::move(opts)), released(ex) {}

  awaitable<std::unique_ptr<Connection>> acquire() {
    while (!shut) {
      if (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        co_return c;
      }
      if (open < std::max<std::size_t>(options.max_connections, 1)) {
        ++open;
        co_return std::make_unique<Connection>(executor, tls.native());
      }
      co_await released.wait();
    }
    co_return nullptr;
  }

  void release(std::unique_ptr<Connection> c) {
    if (c->connected && !shut) {
      idle.push_back(std::move(c));
    } else {
      --open;
    }
    released.notify();  // every waiter looks again; one of them gets the connection
  }

  awaitable<error_code> connect(Connection& c) {
    tcp::resolver resolver(executor);
    // Name resolution is bounded by the system resolver's own timeouts (resolv.conf), as in
    // Beast's clients; the phases after it have ours.
    auto [resolve_ec, endpoints] =
        co_await resolver.async_resolve(origin.host, origin.port, use_tuple);
    if (resolve_ec) co_return resolve_ec;
    auto& socket = beast::get_lowest_layer(c.stream);
    socket.expires_after(options.connect_timeout);
    auto [connect_ec, endpoint] = co_await socket.async_connect(endpoints, use_tuple);
    if (connect_ec) co_return connect_ec;
    error_code ignored;
    socket.socket().set_option(tcp::no_delay(true), ignored);
    if (!prepare_client_session(c.stream.native_handle(), origin.host)) {
      co_return make_error_code(boost::system::errc::invalid_argument);
    }
    socket.expires_after(options.handshake_timeout);
    auto [handshake_ec] = co_await c.stream.async_handshake(ssl::stream_base::client, use_tuple);
    if (handshake_ec) co_return handshake_ec;
    c.connected = true;
    co_return error_code{};
  }

  awaitable<HttpResult> exchange(Connection& c, const HttpRequest& request) {
    if (!c.connected) {
      if (auto ec = co_await connect(c)) co_return ec;
    }
    http::request<http::string_body> message;
    message.method(http::string_to_verb(request.method));
    message.target(request.target);
    message.version(11);
    message.set(http::field::host, origin.authority());
    message.set(http::field::user_agent, options.user_agent);
    for (const auto& [name, value] : request.headers) message.set(name, value);
    if (!request.content_type.empty()) message.set(http::field::content_type, request.content_type);
    message.body() = request.body;
    message.keep_alive(true);
    message.prepare_payload();

    auto& socket = beast::get_lowest_layer(c.stream);
    socket.expires_after(request.timeout.count() > 0 ? request.timeout : options.request_timeout);
    c.connected = false;  // until the exchange completes: a failure leaves the stream unusable
    auto [write_ec, written] = co_await http::async_write(c.stream, message, use_tuple);
    if (write_ec) co_return write_ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options.body_limit);
    auto [read_ec, read] = co_await http::async_read(c.stream, c.buffer, parser, use_tuple);
    if (read_ec) co_return read_ec;
    socket.expires_never();

    auto& response = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(response.body());
    c.connected = response.keep_alive();
    co_return out;
  }

  awaitable<HttpResult> perform(HttpRequest request) {
    for (int attempt = 0;; ++attempt) {
      auto c = co_await acquire();
      if (!c) co_return error_code(asio::error::operation_aborted);
      const bool reused = c->connected;
      busy.insert(c.get());
      HttpResult result = co_await exchange(*c, request);
      busy.erase(c.get());
      release(std::move(c));
      if (!result && reused && attempt == 0 && closed_while_idle(result.error())) continue;
      co_return result;
    }
  }
};

KeepAliveHttpsClient::KeepAliveHttpsClient(asio::any_io_executor executor, TlsContext& tls,
                                           Url origin, HttpOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), tls, std::move(origin),
                                   std::move(options))) {}

KeepAliveHttpsClient::~KeepAliveHttpsClient() {
  shutdown();
}

awaitable<HttpResult> KeepAliveHttpsClient::request(HttpRequest request) {
  auto impl = impl_;  // the pool outlives this request even if the client is destroyed meanwhile
  co_return co_await impl->perform(std::move(request));
}

void KeepAliveHttpsClient::cancel() {
  for (Connection* c : impl_->busy) {
    beast::get_lowest_layer(c->stream).close();
  }
}

void KeepAliveHttpsClient::shutdown() {
  impl_->shut = true;
  impl_->idle.clear();
  for (Connection* c : impl_->busy) {
    beast::get_lowest_layer(c->stream).close();
  }
  impl_->released.notify();
}

}  // namespace incident::net
