// The Web API client against a hand-written HttpsClient that records requests and plays back
// responses: what goes on the wire, and how errors, 5xx and 429 are handled.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <exception>

#include "adapters/slack/slack_adapter.h"
#include "adapters/slack/web_api.h"
#include "prompts/embedded.h"
#include "slack/envelopes.h"
#include "support/memory_store.h"

namespace incident::slack {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

class RecordingHttps final : public net::HttpsClient {
 public:
  std::vector<net::HttpRequest> requests;
  std::deque<net::HttpResult> responses;

  asio::awaitable<net::HttpResult> request(net::HttpRequest request) override {
    requests.push_back(request);
    if (responses.empty()) co_return net::HttpResponse{200, {}, R"({"ok":true})"};
    net::HttpResult next = responses.front();
    responses.pop_front();
    co_return next;
  }

  void reply(int status, std::string body, net::Headers headers = {}) {
    responses.push_back(net::HttpResponse{status, std::move(headers), std::move(body)});
  }
  void fail(boost::system::error_code ec) { responses.push_back(ec); }
  void shutdown() override {}
};

WebApiOptions options() {
  WebApiOptions o;
  o.bot_token = "xoxb-1";
  o.app_token = "xapp-1";
  o.api_target = "/api/";
  o.retry = {1ms, 5ms, 2.0};
  o.post_interval = 0ms;
  return o;
}

// Runs one Web API call to completion.
template <class T>
T run(asio::io_context& io, asio::awaitable<T> call) {
  std::optional<T> out;
  asio::co_spawn(io, std::move(call), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    out = std::move(value);
  });
  io.run();
  io.restart();
  return std::move(*out);
}

std::map<std::string, std::string> form(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < body.size()) {
    auto end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    auto pair = body.substr(start, end - start);
    auto eq = pair.find('=');
    out[pair.substr(0, eq)] = pair.substr(eq + 1);
    start = end + 1;
  }
  return out;
}

TEST(WebApi, PostMessageIsAFormPostWithTheBotTokenInTheHeader) {
  asio::io_context io;
  RecordingHttps http;
  WebApi api(http, options());
  http.reply(200, testing::fixture("web_chat.postMessage_ok.json").dump());
  auto ts = run(io, api.post_message("C1", "hello world", "1.2"));
  ASSERT_TRUE(ts);
  EXPECT_EQ(*ts, "1503435956.000247");
  ASSERT_EQ(http.requests.size(), 1u);
  const auto& r = http.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/chat.postMessage");
  EXPECT_EQ(r.content_type, "application/x-www-form-urlencoded");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Authorization");
  EXPECT_EQ(r.headers[0].second, "Bearer xoxb-1");
  auto fields = form(r.body);
  EXPECT_EQ(fields["channel"], "C1");
  EXPECT_EQ(fields["text"], "hello%20world");
  EXPECT_EQ(fields["thread_ts"], "1.2");
  EXPECT_EQ(fields["unfurl_links"], "false");
  EXPECT_EQ(fields.count("token"), 0u);  // never in the body
}

TEST(WebApi, ConnectionsOpenUsesTheAppToken) {
  asio::io_context io;
  RecordingHttps http;
  WebApi api(http, options());
  http.reply(200, R"({"ok":true,"url":"wss:\/\/wss.slack.com\/link\/?ticket=1&app_id=A1"})");
  auto url = run(io, api.open_connection());
  ASSERT_TRUE(url);
  EXPECT_EQ(*url, "wss://wss.slack.com/link/?ticket=1&app_id=A1");  // \/ unescaped
  EXPECT_EQ(http.requests[0].headers[0].second, "Bearer xapp-1");
  EXPECT_EQ(http.requests[0].body, "");
}

TEST(WebApi, OkFalseBecomesAnErrorWithTheNeededScope) {
  asio::io_context io;
  RecordingHttps http;
  WebApi api(http, options());
  http.reply(200, R"({"ok":false,"error":"missing_scope","needed":"chat:write","provided":"x"})");
  auto ts = run(io, api.post_message("C1", "x"));
  ASSERT_FALSE(ts);
  EXPECT_EQ(ts.error().kind, ApiError::Kind::slack);
  EXPECT_EQ(ts.error().error, "missing_scope");
  EXPECT_EQ(ts.error().needed, "chat:write");
  EXPECT_FALSE(ts.error().transient());
  EXPECT_EQ(http.requests.size(), 1u);  // not retried
}

TEST(WebApi, ServerErrorsAndTransportFailuresAreRetriedWithBackoff) {
  asio::io_context io;
  RecordingHttps http;
  WebApi api(http, options());
  http.reply(503, "unavailable");
  http.fail(make_error_code(asio::error::connection_reset));
  http.reply(200, R"({"ok":true,"user_id":"UBOT","bot_id":"B1","team":"T"})");
  auto who = run(io, api.auth_test());
  ASSERT_TRUE(who);
  EXPECT_EQ(who->user_id, "UBOT");
  EXPECT_EQ(http.requests.size(), 3u);
}

TEST(WebApi, GivesUpAfterTheConfiguredAttempts) {
  asio::io_context io;
  RecordingHttps http;
  WebApi api(http, options());
  for (int i = 0; i < 10; ++i) http.reply(500, "");
  auto who = run(io, api.auth_test());
  ASSERT_FALSE(who);
  EXPECT_EQ(who.error().status, 500);
  EXPECT_TRUE(who.error().transient());
  EXPECT_EQ(http.requests.size(), 4u);
}

TEST(WebApi, RateLimitedCallWaitsRetryAfterThenSucceeds) {
  asio::io_context io;
  RecordingHttps http;
  WebApi api(http, options());
  http.reply(429, R"({"ok":false,"error":"ratelimited"})", {{"Retry-After", "1"}});
  http.reply(200, R"({"ok":true,"ts":"1.5"})");
  const auto start = std::chrono::steady_clock::now();
  auto ts = run(io, api.post_message("C1", "x"));
  ASSERT_TRUE(ts);
  EXPECT_EQ(*ts, "1.5");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(http.requests.size(), 2u);
}

TEST(WebApi, ShutdownIsNotRetried) {
  asio::io_context io;
  RecordingHttps http;
  WebApi api(http, options());
  http.fail(make_error_code(asio::error::operation_aborted));
  auto ts = run(io, api.post_message("C1", "x"));
  ASSERT_FALSE(ts);
  EXPECT_EQ(http.requests.size(), 1u);
}

TEST(WebApi, FindsATopLevelMessageThenAThreadReply) {
  asio::io_context io;
  RecordingHttps http;
  WebApi api(http, options());
  // Found in the history:
  http.reply(200, testing::fixture("web_conversations.history_ok.json").dump());
  auto top = run(io, api.find_message("C1", "1512085950.000216", 1000ms));
  ASSERT_TRUE(top && top->has_value());
  EXPECT_EQ((*top)->user, "U012AB3CDE");
  auto fields = form(http.requests[0].body);
  EXPECT_EQ(http.requests[0].target, "/api/conversations.history");
  EXPECT_EQ(fields["latest"], "1512085950.000216");
  EXPECT_EQ(fields["inclusive"], "true");
  EXPECT_EQ(fields["limit"], "1");

  // A thread reply: not in the history, found by conversations.replies.
  http.reply(200, R"({"ok":true,"messages":[]})");
  http.reply(200, testing::fixture("web_conversations.replies_ok.json").dump());
  auto reply = run(io, api.find_message("C1", "1483051909.018632", 1000ms));
  ASSERT_TRUE(reply && reply->has_value());
  EXPECT_EQ((*reply)->text, "two island");
  EXPECT_EQ(http.requests.back().target, "/api/conversations.replies");

  // Gone: neither has it.
  http.reply(200, R"({"ok":true,"messages":[]})");
  http.reply(200, R"({"ok":false,"error":"thread_not_found"})");
  auto gone = run(io, api.find_message("C1", "1.1", 1000ms));
  EXPECT_FALSE(gone);
  EXPECT_FALSE(gone.error().transient());
}

TEST(WebApi, UserNamesAreCached) {
  asio::io_context io;
  RecordingHttps http;
  WebApi api(http, options());
  http.reply(200, testing::fixture("web_users.info_ok.json").dump());
  EXPECT_EQ(*run(io, api.user_name("W012A3CDE")), "Egon Spengler");
  EXPECT_EQ(*run(io, api.user_name("W012A3CDE")), "Egon Spengler");
  EXPECT_EQ(http.requests.size(), 1u);
}

// What an adapter is built from, with no platform behind it.
class SlackAdapterShell : public ::testing::Test {
 protected:
  asio::io_context io;
  incident::testing::MemoryStore store;
  const Prompts prompts = Prompts::load(embedded_prompts());
  Engine engine{store, prompts};
  net::TlsContext tls;
};

// The adapter over an injected transport (the shell's HttpsClientFactory): nothing reaches a
// network, and a refused token ends run() with the operator's reason.
TEST_F(SlackAdapterShell, RunsOverAnInjectedHttpsClient) {
  RecordingHttps* https = nullptr;
  std::string origin;
  SlackOptions o;
  o.app_token = "xapp-1";
  o.bot_token = "xoxb-1";
  o.api_url = "https://slack.invalid/api/";
  o.http_clients = [&](const net::Url& url, net::HttpOptions) {
    auto client = std::make_unique<RecordingHttps>();
    client->reply(200, R"({"ok":false,"error":"invalid_auth"})");
    https = client.get();
    origin = url.origin();
    return client;
  };
  SlackAdapter adapter(io.get_executor(), engine, store, tls, o);
  platform::PlatformAdapter& shell = adapter;
  EXPECT_EQ(shell.name(), "slack");
  const auto failure = run(io, shell.run());
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find("invalid_auth"), std::string::npos) << *failure;
  EXPECT_EQ(origin, "https://slack.invalid");
  ASSERT_NE(https, nullptr);
  ASSERT_EQ(https->requests.size(), 1u);
  EXPECT_EQ(https->requests[0].target, "/api/auth.test");
  EXPECT_FALSE(shell.connected());
  EXPECT_NE(shell.last_error().find("invalid_auth"), std::string::npos);
}

TEST_F(SlackAdapterShell, RefusesAPlainHttpApiUrl) {
  SlackOptions o;
  o.api_url = "http://slack.invalid/api/";
  EXPECT_THROW(SlackAdapter(io.get_executor(), engine, store, tls, o), std::invalid_argument);
}

}  // namespace
}  // namespace incident::slack
