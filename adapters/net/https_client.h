// HTTPS requests over kept-alive TLS connections. Adapters code against the HttpsClient
// interface, so unit tests can inject a fake that records requests; KeepAliveHttpsClient is the
// real one.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/net/tls.h"
#include "adapters/net/url.h"

namespace incident::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";  // the verb
  std::string target;           // path and query, e.g. "/api/chat.postMessage"
  Headers headers;              // e.g. {"Authorization", "Bearer …"}
  std::string content_type;     // with a body
  std::string body;
  // Bounds writing the request and reading the whole response; zero: the client's default.
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
  // The first header called `name` (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
};

// Transport failures (connect, TLS, timeout, a body over the limit) are error codes; every HTTP
// status, 4xx and 5xx included, is a response.
using HttpResult = boost::system::result<HttpResponse>;

class HttpsClient {
 public:
  virtual ~HttpsClient() = default;
  virtual boost::asio::awaitable<HttpResult> request(HttpRequest request) = 0;
  // Closes every connection; requests in flight end with operation_aborted.
  virtual void shutdown() = 0;
  // Ends the requests in flight (their connections are closed); later requests are made as
  // before.
  virtual void cancel() {}
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10000};    // TCP connect (after name resolution)
  std::chrono::milliseconds handshake_timeout{10000};  // TLS handshake
  std::chrono::milliseconds request_timeout{30000};    // default HttpRequest::timeout
  std::size_t body_limit = 8 * 1024 * 1024;            // a bigger response is an error
  std::size_t max_connections = 4;                     // requests beyond this wait their turn
  std::string user_agent = "incident-bot";
};

// A small pool of kept-alive connections to one origin. Each connection carries one request at
// a time (HTTP/1.1 without pipelining); a request that finds every connection busy and the pool
// full waits for one. A connection the server closed is replaced: a request that fails on a
// reused connection before any response byte arrived is sent once more on a fresh one (the
// server closed it while idle, the usual keep-alive race).
class KeepAliveHttpsClient final : public HttpsClient {
 public:
  // Only the scheme, host and port of `origin` are used.
  KeepAliveHttpsClient(boost::asio::any_io_executor executor, TlsContext& tls, Url origin,
                       HttpOptions options = {});
  ~KeepAliveHttpsClient() override;
  KeepAliveHttpsClient(const KeepAliveHttpsClient&) = delete;
  KeepAliveHttpsClient& operator=(const KeepAliveHttpsClient&) = delete;

  boost::asio::awaitable<HttpResult> request(HttpRequest request) override;

  void shutdown() override;
  void cancel() override;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace incident::net
