// The operations endpoint (INCIDENT_BOT_HTTP): a small HTTP/1.1 server on the bot's io_context
// with GET /healthz and GET /metrics and nothing else. Built like Beast's awaitable servers
// (boostorg/beast:example/http/server/awaitable): one accept loop and one coroutine per
// connection, keep-alive, a deadline on every read and write. What to answer is decided by a
// plain function with no I/O (answer()), as in Beast's advanced server.
//
// It is meant for a scraper and a health checker, on loopback or a private network: requests
// are tiny, so the limits are tight (8 KiB of headers, 1 KiB of body, a handful of
// connections), and a slow or silent client is dropped after the read timeout.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/net/signal.h"
#include "adapters/ops/health.h"
#include "adapters/ops/metrics.h"

namespace boost::asio::ssl {
class context;
}

namespace incident::ops {

struct HttpAnswer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Extra ones, e.g. Allow; each replaces the server's default of that name (Cache-Control:
  // no-store), except Set-Cookie, which may come more than once.
  std::vector<std::pair<std::string, std::string>> headers;
};

// A request as a handler sees it: header names in lower case, the body read whole (within the
// server's body limit).
struct HttpRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The first value of header `name` (lower case), "" when absent.
  std::string header(std::string_view name) const;
};

// GET or HEAD /healthz → 200 or 503 with the JSON report; /metrics → 200 with the text
// exposition; any other path → 404; another method on those paths → 405. The query is ignored.
HttpAnswer answer(const std::string& method, const std::string& target, const Metrics& metrics,
                  const Health& health);

struct HttpServerOptions {
  std::chrono::milliseconds read_timeout{10000};  // a whole request, and between requests
  std::chrono::milliseconds write_timeout{10000};
  std::uint32_t header_limit = 8 * 1024;  // over it: 431
  std::uint64_t body_limit = 1024;        // no endpoint takes a body; over it: 413
  std::size_t max_connections = 16;       // more are closed as soon as accepted
  // Serve HTTPS with these settings (net::server_tls); null: plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

class HttpServer {
 public:
  using Handler = std::function<HttpAnswer(const std::string& method, const std::string& target)>;
  // For a server whose answers wait on something (the review page asks a platform who may see
  // an incident): one coroutine per request, the connection's next request read after it.
  using AsyncHandler = std::function<boost::asio::awaitable<HttpAnswer>(HttpRequest request)>;

  HttpServer(boost::asio::any_io_executor executor, Handler handler,
             HttpServerOptions options = {});
  HttpServer(boost::asio::any_io_executor executor, AsyncHandler handler,
             HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `host` (an address or a name, e.g. 127.0.0.1, ::1, localhost) and `port` (0: a free
  // one). Throws std::system_error when it cannot: a start-up failure.
  void listen(const std::string& host, unsigned short port);
  unsigned short port() const;

  // Accepts and serves until stop(); returns once every connection has ended.
  boost::asio::awaitable<void> run();
  // Closes the listener and every connection now, so a shutdown is never held up by a client.
  void stop();

  std::size_t connections() const { return connections_; }

 private:
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  // Requests and answers on one connection, plain or TLS, until it ends.
  template <class Stream>
  boost::asio::awaitable<void> exchange(Stream& stream);

  boost::asio::any_io_executor executor_;
  AsyncHandler handler_;
  HttpServerOptions options_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::set<boost::asio::ip::tcp::socket*> sockets_;  // open connections: stop() closes them
  net::Signal ended_;
  std::size_t connections_ = 0;
  bool stopping_ = false;
};

// The bot's endpoint: listens on `address` ("host:port", INCIDENT_BOT_HTTP) and starts serving
// answer() on `executor`. The registry and health must outlive the server's run. Throws
// std::invalid_argument for an address that is not host:port, std::runtime_error when it
// cannot listen (naming the address).
std::unique_ptr<HttpServer> serve_ops(boost::asio::any_io_executor executor,
                                      const std::string& address, const Metrics& metrics,
                                      const Health& health);

// "host:port" as INCIDENT_BOT_HTTP gives it ("127.0.0.1:9464", "[::1]:9464"); false when it is
// not one.
bool split_host_port(const std::string& text, std::string& host, unsigned short& port);

}  // namespace incident::ops
