// The shared transport against the fake Slack's real TLS: certificate and host-name
// verification, kept-alive HTTPS connections, the body limit, and a WebSocket's close frame.
#include <gtest/gtest.h>

#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/error.hpp>
#include <exception>
#include <filesystem>
#include <fstream>

#include "adapters/net/https_client.h"
#include "adapters/net/websocket.h"
#include "slack/fake_slack.h"

namespace incident::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

template <class T>
T run(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> out;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    out = std::move(value);
  });
  while (!out) io.run_one();
  return std::move(*out);
}

class NetAgainstFake : public ::testing::Test {
 protected:
  void SetUp() override { start(TestPki::generate()); }

  void start(const TestPki& pki) {
    fake_.reset();
    fake_ = std::make_unique<FakeSlack>(io_, pki);
    ca_file_ = std::filesystem::temp_directory_path() /
               ("incident-bot-tls-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(ca_file_) << pki.ca_pem;
  }
  void TearDown() override { std::filesystem::remove(ca_file_); }

  net::HttpResult call(net::KeepAliveHttpsClient& client, const std::string& method) {
    net::HttpRequest request;
    request.target = "/api/" + method;
    request.headers = {{"Authorization", std::string("Bearer ") + kBotToken}};
    request.content_type = "application/x-www-form-urlencoded";
    request.body = "user=U1";
    return run(io_, client.request(request));
  }

  net::Url api() const { return *net::Url::parse(fake_->api_url()); }

  asio::io_context io_;
  std::unique_ptr<FakeSlack> fake_;
  std::filesystem::path ca_file_;
};

TEST_F(NetAgainstFake, TrustsTheCaFileAndVerifiesTheHostName) {
  net::TlsContext tls(ca_file_.string());
  net::KeepAliveHttpsClient client(io_.get_executor(), tls, api());
  auto response = call(client, "auth.test");
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find("\"ok\":true"), std::string::npos);
  EXPECT_EQ(response->header("content-type"), "application/json; charset=utf-8");
}

TEST_F(NetAgainstFake, RefusesACertificateFromAnUntrustedCa) {
  net::TlsContext tls;  // the system's CAs only
  net::KeepAliveHttpsClient client(io_.get_executor(), tls, api());
  auto response = call(client, "auth.test");
  ASSERT_FALSE(response);
  EXPECT_NE(response.error().message().find("certificate verify failed"), std::string::npos)
      << response.error().message();
  EXPECT_TRUE(fake_->calls().empty());
}

TEST_F(NetAgainstFake, RefusesACertificateForAnotherName) {
  start(TestPki::generate("DNS:elsewhere.example"));
  net::TlsContext tls(ca_file_.string());
  net::KeepAliveHttpsClient client(io_.get_executor(), tls, api());
  auto response = call(client, "auth.test");
  ASSERT_FALSE(response);
  EXPECT_NE(response.error().message().find("certificate verify failed"), std::string::npos)
      << response.error().message();
}

TEST(Tls, AMissingCaFileIsAClearStartupError) {
  try {
    net::TlsContext tls("/nonexistent/ca.pem");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/ca.pem"), std::string::npos);
  }
}

TEST_F(NetAgainstFake, KeepsTheConnectionAliveAndReplacesOneTheServerClosed) {
  net::TlsContext tls(ca_file_.string());
  net::KeepAliveHttpsClient client(io_.get_executor(), tls, api());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(call(client, "auth.test"));
  EXPECT_EQ(fake_->http_connections(), 1);
  fake_->close_http_connections();  // the server's keep-alive timeout
  for (int i = 0; i < 5; ++i) io_.poll();
  auto response = call(client, "auth.test");
  ASSERT_TRUE(response) << response.error().message();
  EXPECT_EQ(fake_->http_connections(), 2);
  EXPECT_EQ(fake_->calls("auth.test").size(), 4u);  // the failed send was not counted twice
}

TEST_F(NetAgainstFake, ABodyOverTheLimitIsAnError) {
  net::TlsContext tls(ca_file_.string());
  net::HttpOptions options;
  options.body_limit = 40;
  net::KeepAliveHttpsClient client(io_.get_executor(), tls, api(), options);
  auto response = call(client, "users.info");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error(), boost::beast::http::error::body_limit);
}

asio::awaitable<int> many_requests(net::KeepAliveHttpsClient* client, int n) {
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    net::HttpRequest request;
    request.target = "/api/auth.test";
    request.headers = {{"Authorization", std::string("Bearer ") + kBotToken}};
    auto response = co_await client->request(request);
    ok += response && response->status == 200 ? 1 : 0;
  }
  co_return ok;
}

TEST_F(NetAgainstFake, ConcurrentRequestsShareAtMostMaxConnections) {
  net::TlsContext tls(ca_file_.string());
  net::HttpOptions options;
  options.max_connections = 2;
  net::KeepAliveHttpsClient client(io_.get_executor(), tls, api(), options);
  int ok = 0;
  int done = 0;
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(io_, many_requests(&client, 4), [&](std::exception_ptr e, int n) {
      if (e) std::rethrow_exception(e);
      ok += n;
      ++done;
    });
  }
  while (done < 5) io_.run_one();
  EXPECT_EQ(ok, 20);
  EXPECT_LE(fake_->http_connections(), 2);
}

asio::awaitable<std::string> hello_then_close(net::WebSocket* ws, std::string url) {
  if (auto ec = co_await ws->connect(*net::Url::parse(url))) co_return "connect: " + ec.message();
  auto first = co_await ws->read();
  if (!first) co_return "read: " + first.error().message();
  co_await ws->close();
  co_return first->data;
}

TEST_F(NetAgainstFake, AWebSocketReadsHelloAndClosesWithACloseFrame) {
  net::TlsContext tls(ca_file_.string());
  net::KeepAliveHttpsClient client(io_.get_executor(), tls, api());
  net::HttpRequest open;
  open.target = "/api/apps.connections.open";
  open.headers = {{"Authorization", std::string("Bearer ") + kAppToken}};
  auto response = run(io_, client.request(open));
  ASSERT_TRUE(response);
  const std::string url = nlohmann::json::parse(response->body)["url"];
  net::WebSocket ws(io_.get_executor(), tls, {});
  const std::string hello = run(io_, hello_then_close(&ws, url));
  EXPECT_NE(hello.find("\"type\":\"hello\""), std::string::npos) << hello;
  for (int i = 0; i < 20 && fake_->open_sockets() > 0; ++i) io_.run_one_for(10ms);
  ASSERT_EQ(fake_->sockets().size(), 1u);
  EXPECT_TRUE(fake_->sockets()[0].client_close_frame);

  // The ticket was single-use: the same URL again is refused at the upgrade.
  net::WebSocket again(io_.get_executor(), tls, {});
  EXPECT_EQ(run(io_, hello_then_close(&again, url)).rfind("connect:", 0), 0u);
  EXPECT_EQ(fake_->rejected_tickets(), 1);
}

}  // namespace
}  // namespace incident::testing
