// The operations HTTP server on a real loopback socket: its io_context runs on a thread of its
// own, and the test talks to it with a blocking client that sends exactly the bytes it is given.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <memory>
#include <thread>

#include "adapters/ops/http_server.h"
#include "adapters/ops/series.h"
#include "ops/prom_text.h"
#include "ops/raw_http.h"

namespace incident::ops {
namespace {

using testing::RawConnection;
using namespace std::chrono_literals;

class ServerTest : public ::testing::Test {
 protected:
  void start(HttpServerOptions options = {}) {
    declare_series(metrics);
    metrics.counter(series::kEventsReceived, {"slack", "events_api"}).inc();
    health.add("database", [this] {
      return database_health(writable ? std::nullopt : std::optional<std::string>("read-only"));
    });
    server = std::make_unique<HttpServer>(
        io.get_executor(),
        [this](const std::string& method, const std::string& target) {
          return answer(method, target, metrics, health);
        },
        options);
    server->listen("127.0.0.1", 0);
    port = server->port();
    boost::asio::co_spawn(io, server->run(), [this](std::exception_ptr) { ended.set_value(); });
    thread = std::thread([this] { io.run(); });
  }
  // Stops the server from its own thread; whether run() then ended within `timeout`.
  bool stop(std::chrono::milliseconds timeout = 5s) {
    boost::asio::post(io, [this] { server->stop(); });
    return ended.get_future().wait_for(timeout) == std::future_status::ready;
  }
  void TearDown() override {
    if (!thread.joinable()) return;
    boost::asio::post(io, [this] { server->stop(); });
    thread.join();
  }
  std::size_t connections() {
    std::promise<std::size_t> n;
    boost::asio::post(io, [&] { n.set_value(server->connections()); });
    return n.get_future().get();
  }

  boost::asio::io_context io;
  Metrics metrics;
  Health health;
  std::atomic<bool> writable{true};
  std::unique_ptr<HttpServer> server;
  unsigned short port = 0;
  std::promise<void> ended;
  std::thread thread;
};

TEST_F(ServerTest, ServesMetricsAndHealth) {
  start();
  auto r = testing::http_get(port, "/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers["content-type"].rfind("text/plain; version=0.0.4", 0), 0u);
  const auto parsed = testing::parse_exposition(r->body);
  EXPECT_EQ(parsed.sum("incident_bot_events_received_total", {{"platform", "slack"}}), 1);

  r = testing::http_get(port, "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers["content-type"], "application/json");
  EXPECT_NE(r->body.find("\"status\":\"ok\""), std::string::npos);
  writable = false;
  r = testing::http_get(port, "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("\"state\":\"not_writable\""), std::string::npos);
}

TEST_F(ServerTest, HeadHasTheHeadersAndNoBody) {
  start();
  RawConnection c(port);
  ASSERT_TRUE(
      c.send("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = c.read_response(true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_NE(std::stoul(head->headers["content-length"]), 0u);
  // The next response starts right after HEAD's headers: no body was sent.
  auto get = c.read_response();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_NE(get->body.find("\"status\""), std::string::npos);
}

TEST_F(ServerTest, OtherPathsAndMethodsAreRefused) {
  start();
  auto r = testing::http_get(port, "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = testing::http_get(port, "/admin");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = testing::http_get(port, "/metrics", "POST");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->headers["allow"], "GET, HEAD");
  r = testing::http_get(port, "/healthz", "DELETE");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
}

TEST_F(ServerTest, MalformedRequestsGet400AndTheConnectionCloses) {
  start();
  for (const std::string bad : {"NOT HTTP AT ALL\r\n\r\n", "GET /metrics HTTP/1.1 extra\r\n\r\n",
                                "GET /metrics HTTP/1.1\r\nBad Header\r\n\r\n",
                                "GET /metrics HTTP/1.1\r\nContent-Length: x\r\n\r\n"}) {
    RawConnection c(port);
    ASSERT_TRUE(c.send(bad));
    auto r = c.read_response();
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_TRUE(c.closed_by_peer()) << bad;
  }
}

TEST_F(ServerTest, OversizedHeadersAndBodiesAreRefused) {
  start();
  {
    RawConnection c(port);
    ASSERT_TRUE(c.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(9000, 'a') +
                       "\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    RawConnection c(port);
    ASSERT_TRUE(c.send("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\n" +
                       std::string(2048, 'b')));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  {
    // A small body is read and ignored.
    RawConnection c(port);
    ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
}

TEST_F(ServerTest, KeepAliveServesSeveralRequests) {
  start();
  RawConnection c(port);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
  }
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(c.read_response());
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, SlowAndSilentClientsAreDropped) {
  HttpServerOptions options;
  options.read_timeout = 200ms;
  start(options);
  RawConnection silent(port, 5s);
  RawConnection slow(port, 5s);
  ASSERT_TRUE(slow.send("GET /metrics HTTP/1.1\r\nHost: x\r\n"));  // never finishes
  EXPECT_TRUE(silent.closed_by_peer());
  EXPECT_TRUE(slow.closed_by_peer());
}

TEST_F(ServerTest, ConnectionsBeyondTheCapAreClosed) {
  HttpServerOptions options;
  options.max_connections = 2;
  start(options);
  RawConnection a(port), b(port);
  ASSERT_TRUE(a.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(a.read_response());
  ASSERT_TRUE(b.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(b.read_response());
  RawConnection third(port, 5s);
  EXPECT_TRUE(third.closed_by_peer());
  EXPECT_EQ(connections(), 2u);
}

TEST_F(ServerTest, StopEndsIdleConnectionsAtOnce) {
  start();  // a 10 s read timeout: stop() must not wait for it
  RawConnection idle(port);
  ASSERT_TRUE(idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.read_response());
  RawConnection mid_request(port);
  ASSERT_TRUE(mid_request.send("GET /metr"));
  while (connections() < 2) std::this_thread::sleep_for(10ms);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(stop(5s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_TRUE(idle.closed_by_peer());
  EXPECT_FALSE(RawConnection(port, 1s).connected());  // no longer listening
}

TEST(HttpServer, ListenFailsLoudly) {
  boost::asio::io_context io;
  Metrics metrics;
  Health health;
  HttpServer first(io.get_executor(),
                   [](const std::string&, const std::string&) { return HttpAnswer{}; });
  first.listen("127.0.0.1", 0);
  const auto taken = "127.0.0.1:" + std::to_string(first.port());
  EXPECT_THROW(serve_ops(io.get_executor(), taken, metrics, health), std::runtime_error);
  EXPECT_THROW(serve_ops(io.get_executor(), "no-port", metrics, health), std::invalid_argument);
}

}  // namespace
}  // namespace incident::ops
