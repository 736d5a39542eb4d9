#include "adapters/ops/http_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <system_error>

namespace incident::ops {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

HttpAnswer plain(int status, std::string body) {
  HttpAnswer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

// What a request that did not parse gets (RFC 9110 §15.5, RFC 6585 §5).
int status_for(const beast::error_code& ec) {
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::body_limit) return 413;
  return 400;
}

}  // namespace

HttpAnswer answer(const std::string& method, const std::string& target, const Metrics& metrics,
                  const Health& health) {
  const std::string path = target.substr(0, target.find('?'));
  if (path != "/healthz" && path != "/metrics") return plain(404, "not found\n");
  if (method != "GET" && method != "HEAD") {
    HttpAnswer a = plain(405, "method not allowed\n");
    a.headers.emplace_back("Allow", "GET, HEAD");
    return a;
  }
  HttpAnswer a;
  if (path == "/healthz") {
    const auto report = health.check();
    a.status = report.ok ? 200 : 503;
    a.content_type = "application/json";
    a.body = Health::to_json(report);
  } else {
    a.content_type = Metrics::kContentType;
    a.body = metrics.render();
  }
  return a;
}

bool split_host_port(const std::string& text, std::string& host, unsigned short& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return false;
  const std::string digits = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size() || value < 1 || value > 65535) {
    return false;
  }
  port = static_cast<unsigned short>(value);
  return true;
}

std::unique_ptr<HttpServer> serve_ops(asio::any_io_executor executor, const std::string& address,
                                      const Metrics& metrics, const Health& health) {
  std::string host;
  unsigned short port = 0;
  if (!split_host_port(address, host, port)) {
    throw std::invalid_argument("INCIDENT_BOT_HTTP must be host:port, like 127.0.0.1:9464, not \"" +
                                address + "\"");
  }
  auto server = std::make_unique<HttpServer>(
      executor, [&metrics, &health](const std::string& method, const std::string& target) {
        return answer(method, target, metrics, health);
      });
  try {
    server->listen(host, port);
  } catch (const std::exception& e) {
    throw std::runtime_error("INCIDENT_BOT_HTTP " + address + ": cannot listen: " + e.what());
  }
  spdlog::info("http: serving /healthz and /metrics on {}", address);
  asio::co_spawn(executor, server->run(), asio::detached);
  return server;
}

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [n, value] : headers) {
    if (n == name) return value;
  }
  return {};
}

HttpServer::HttpServer(asio::any_io_executor executor, Handler handler, HttpServerOptions options)
    : HttpServer(executor,
                 AsyncHandler(
                     [handler = std::move(handler)](HttpRequest request) -> awaitable<HttpAnswer> {
                       co_return handler(request.method, request.target);
                     }),
                 options) {}

HttpServer::HttpServer(asio::any_io_executor executor, AsyncHandler handler,
                       HttpServerOptions options)
    : executor_(executor),
      handler_(std::move(handler)),
      options_(options),
      acceptor_(executor),
      ended_(executor) {}

HttpServer::~HttpServer() = default;

void HttpServer::listen(const std::string& host, unsigned short port) {
  tcp::resolver resolver(executor_);
  // Start-up, before the loop runs: a blocking look-up is fine here.
  const auto endpoints = resolver.resolve(host, std::to_string(port),
                                          tcp::resolver::numeric_service | tcp::resolver::passive);
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
}

unsigned short HttpServer::port() const {
  boost::system::error_code ec;
  const auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void HttpServer::stop() {
  stopping_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto* socket : sockets_) socket->close(ignored);
}

awaitable<void> HttpServer::run() {
  while (!stopping_ && acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      // Out of file descriptors and the like: say so, and keep serving.
      spdlog::warn("http: accept failed: {}", ec.message());
      continue;
    }
    if (connections_ >= options_.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    ++connections_;
    asio::co_spawn(executor_, serve(std::move(socket)), asio::detached);
  }
  while (connections_ > 0) co_await ended_.wait();
}

awaitable<void> HttpServer::serve(tcp::socket socket) {
  beast::tcp_stream plain_stream(std::move(socket));
  tcp::socket* raw = nullptr;
  if (options_.tls) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(plain_stream), *options_.tls);
    raw = &beast::get_lowest_layer(stream).socket();
    sockets_.insert(raw);
    beast::get_lowest_layer(stream).expires_after(options_.read_timeout);
    auto [handshake_ec] =
        co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (!handshake_ec) co_await exchange(stream);
  } else {
    raw = &plain_stream.socket();
    sockets_.insert(raw);
    co_await exchange(plain_stream);
  }
  boost::system::error_code ignored;
  raw->shutdown(tcp::socket::shutdown_send, ignored);
  sockets_.erase(raw);
  --connections_;
  ended_.notify();
}

template <class Stream>
awaitable<void> HttpServer::exchange(Stream& stream) {
  auto& lowest = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  while (!stopping_) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(options_.header_limit);
    parser.body_limit(options_.body_limit);
    lowest.expires_after(options_.read_timeout);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    HttpAnswer a;
    bool keep_alive = false;
    unsigned version = 11;
    std::string method;
    if (read_ec) {
      // The client left, went quiet past the deadline, or we are stopping: nothing to say.
      if (read_ec == http::error::end_of_stream || read_ec == beast::error::timeout ||
          read_ec == asio::error::operation_aborted || read_ec == asio::error::eof ||
          read_ec == asio::error::connection_reset ||
          read_ec == asio::ssl::error::stream_truncated || stopping_ ||
          !lowest.socket().is_open()) {
        break;
      }
      a = plain(status_for(read_ec), "bad request\n");
    } else {
      auto& request = parser.get();
      method = std::string(request.method_string());
      version = request.version();
      keep_alive = request.keep_alive();
      HttpRequest r{method, std::string(request.target()), {}, std::move(request.body())};
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers.emplace_back(std::move(name), std::string(field.value()));
      }
      try {
        a = co_await handler_(std::move(r));
      } catch (const std::exception& e) {
        // A handler's bug or a store refusing: this request fails, the server serves on.
        spdlog::error("http: {} failed: {}", method, e.what());
        a = plain(500, "internal error\n");
      }
    }

    http::response<http::string_body> response{static_cast<http::status>(a.status), version};
    response.set(http::field::server, "incident-bot");
    response.set(http::field::content_type, a.content_type);
    response.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : a.headers) {
      if (name == "Set-Cookie") {
        response.insert(name, value);
      } else {
        response.set(name, value);
      }
    }
    response.keep_alive(keep_alive);
    response.body() = std::move(a.body);
    response.prepare_payload();
    // HEAD: the same headers, Content-Length included, and no body (RFC 9110 §9.3.2).
    if (method == "HEAD") response.body().clear();
    lowest.expires_after(options_.write_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, response, use_tuple);
    if (write_ec || !keep_alive) break;
  }
}

}  // namespace incident::ops
