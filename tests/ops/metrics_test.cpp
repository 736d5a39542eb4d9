// The registry's text exposition (format 0.0.4), read back with the strict parser.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "adapters/matrix/client.h"
#include "adapters/ops/health.h"
#include "adapters/ops/http_server.h"
#include "adapters/ops/metrics.h"
#include "adapters/ops/series.h"
#include "ops/prom_text.h"

namespace incident::ops {
namespace {

using testing::parse_exposition;

TEST(Metrics, RendersCountersGaugesAndHistograms) {
  Metrics m;
  m.declare_counter("demo_events_total", "Events.", {"platform", "type"});
  m.declare_gauge("demo_open", "Open things.");
  m.declare_histogram("demo_latency_seconds", "Latency.", {0.125, 1}, {"platform"});
  m.counter("demo_events_total", {"slack", "events_api"}).inc();
  m.counter("demo_events_total", {"slack", "events_api"}).inc(2);
  m.gauge("demo_open").set(3);
  auto& h = m.histogram("demo_latency_seconds", {"slack"});
  h.observe(0.0625);
  h.observe(0.125);  // le is inclusive
  h.observe(7);

  EXPECT_EQ(m.render(),
            "# HELP demo_events_total Events.\n"
            "# TYPE demo_events_total counter\n"
            "demo_events_total{platform=\"slack\",type=\"events_api\"} 3\n"
            "# HELP demo_latency_seconds Latency.\n"
            "# TYPE demo_latency_seconds histogram\n"
            "demo_latency_seconds_bucket{platform=\"slack\",le=\"0.125\"} 2\n"
            "demo_latency_seconds_bucket{platform=\"slack\",le=\"1\"} 2\n"
            "demo_latency_seconds_bucket{platform=\"slack\",le=\"+Inf\"} 3\n"
            "demo_latency_seconds_sum{platform=\"slack\"} 7.1875\n"
            "demo_latency_seconds_count{platform=\"slack\"} 3\n"
            "# HELP demo_open Open things.\n"
            "# TYPE demo_open gauge\n"
            "demo_open 3\n");
  const auto parsed = parse_exposition(m.render());
  EXPECT_EQ(parsed.types.at("demo_latency_seconds"), "histogram");
  EXPECT_EQ(parsed.sum("demo_events_total", {{"type", "events_api"}}), 3);
}

TEST(Metrics, UnlabelledFamiliesShowFromTheStart) {
  Metrics m;
  m.declare_counter("a_total", "A.");
  m.declare_histogram("b_seconds", "B.", {1});
  m.declare_counter("c_total", "C.", {"platform"});  // labelled: no series until counted
  const auto text = m.render();
  EXPECT_NE(text.find("a_total 0\n"), std::string::npos);
  EXPECT_NE(text.find("b_seconds_bucket{le=\"+Inf\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE c_total counter\n"), std::string::npos);
  EXPECT_EQ(text.find("c_total{"), std::string::npos);
  EXPECT_NO_THROW(parse_exposition(text));
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
  Metrics m;
  m.declare_counter("x_total", "Back\\slash and\nnewline.", {"reason"});
  m.counter("x_total", {"a \"quoted\" \\ value\nnext"}).inc();
  const auto text = m.render();
  EXPECT_NE(text.find("# HELP x_total Back\\\\slash and\\nnewline.\n"), std::string::npos);
  EXPECT_NE(text.find("x_total{reason=\"a \\\"quoted\\\" \\\\ value\\nnext\"} 1\n"),
            std::string::npos);
  const auto parsed = parse_exposition(text);
  ASSERT_EQ(parsed.samples.size(), 1u);
  EXPECT_EQ(parsed.samples[0].labels.at("reason"), "a \"quoted\" \\ value\nnext");
  EXPECT_EQ(parsed.help.at("x_total"), "Back\\slash and\nnewline.");
}

TEST(Metrics, FormatsValues) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(0.0025), "0.0025");
  EXPECT_EQ(format_value(INFINITY), "+Inf");
  EXPECT_EQ(format_value(-INFINITY), "-Inf");
  EXPECT_EQ(format_value(NAN), "NaN");
}

TEST(Metrics, ProbesAreAskedAtScrapeTime) {
  Metrics m;
  int open = 1;
  m.declare_gauge_probe("open_things", "Open.", [&] { return double(open); });
  EXPECT_NE(m.render().find("open_things 1\n"), std::string::npos);
  open = 4;
  EXPECT_NE(m.render().find("open_things 4\n"), std::string::npos);
  m.declare_gauge_probe("broken", "Throws.", []() -> double { throw std::runtime_error("no"); });
  const auto text = m.render();
  EXPECT_EQ(text.find("broken"), std::string::npos);
  EXPECT_NO_THROW(parse_exposition(text));
}

TEST(Metrics, MisuseIsAProgrammingError) {
  Metrics m;
  m.declare_counter("a_total", "A.", {"platform"});
  EXPECT_NO_THROW(m.declare_counter("a_total", "A.", {"platform"}));
  EXPECT_THROW(m.declare_gauge("a_total", "A."), std::logic_error);
  EXPECT_THROW(m.declare_counter("a_total", "A.", {"type"}), std::logic_error);
  EXPECT_THROW(m.counter("a_total"), std::logic_error);           // wrong label count
  EXPECT_THROW(m.gauge("a_total", {"slack"}), std::logic_error);  // wrong type
  EXPECT_THROW(m.counter("missing_total"), std::logic_error);
  EXPECT_THROW(m.declare_counter("bad-name", "B."), std::logic_error);
  EXPECT_THROW(m.declare_counter("b_total", "B.", {"le"}), std::logic_error);
  EXPECT_THROW(m.declare_histogram("h", "H.", {1, 0.5}), std::logic_error);
}

TEST(Metrics, TheBotsSeriesRenderValidly) {
  Metrics m;
  declare_series(m);
  count(&m, series::kEventsReceived, {"slack", "events_api"});
  observe(&m, series::kAckLatency, {"slack"}, 0.004);
  count(nullptr, series::kEventsReceived, {"slack", "events_api"});  // a null sink is fine
  m.histogram(series::kDbCommit).observe(0.0002);
  const auto parsed = parse_exposition(m.render());
  EXPECT_EQ(parsed.sum("incident_bot_events_received_total"), 1);
  EXPECT_EQ(parsed.sum("incident_bot_ack_latency_seconds_count"), 1);
  EXPECT_EQ(parsed.sum("incident_bot_db_commit_seconds_bucket", {{"le", "0.001"}}), 1);
  for (const auto& [name, help] : parsed.help) EXPECT_FALSE(help.empty()) << name;
}

TEST(Metrics, LabelVocabulariesAreClosed) {
  EXPECT_EQ(closed("events_api", {"events_api", "interactive"}), "events_api");
  EXPECT_EQ(closed("hello there <@U123>", {"events_api"}), "other");
  InboundEvent e;
  e.body = in::DirectMessage{"my password is hunter2"};
  EXPECT_STREQ(event_type(e), "dm");

  Metrics m;
  declare_series(m);
  Outcome outcome;
  outcome.replies.push_back(
      {.audience = Audience::security, .text = "case", .anchor = Anchor::security_case});
  count_outcome(&m, "slack", e, outcome);
  outcome.duplicate = true;
  count_outcome(&m, "slack", e, outcome);  // a redelivery counts nothing
  const auto parsed = parse_exposition(m.render());
  EXPECT_EQ(parsed.sum("incident_bot_dms_received_total"), 1);
  EXPECT_EQ(parsed.sum("incident_bot_escalations_total"), 1);
  EXPECT_EQ(m.render().find("hunter2"), std::string::npos);
}

TEST(Metrics, MatrixPathsBecomeEndpointFamilies) {
  using matrix::endpoint_family;
  EXPECT_EQ(endpoint_family("/versions"), "versions");
  EXPECT_EQ(endpoint_family("/v3/account/whoami"), "whoami");
  EXPECT_EQ(endpoint_family("/v3/sync?filter=1&since=s72594_4483_1934"), "sync");
  EXPECT_EQ(endpoint_family("/v3/user/%40bot%3Aexample.org/filter"), "filter");
  EXPECT_EQ(endpoint_family("/v3/user/%40bot%3Aexample.org/account_data/m.direct"), "account_data");
  EXPECT_EQ(endpoint_family("/v3/rooms/%21room%3Aexample.org/send/m.room.message/txn1"), "send");
  EXPECT_EQ(endpoint_family("/v3/rooms/%21room%3Aexample.org/messages?dir=b"), "messages");
  EXPECT_EQ(endpoint_family("/v3/rooms/%21room%3Aexample.org/event/%24ev"), "event");
  EXPECT_EQ(endpoint_family("/v3/rooms/%21room%3Aexample.org/join"), "join");
  EXPECT_EQ(endpoint_family("/v3/createRoom"), "createRoom");
  // Never an id, whatever the path.
  EXPECT_EQ(endpoint_family("/v3/rooms/%21room%3Aexample.org"), "other");
  EXPECT_EQ(endpoint_family("/v3/%40someone"), "other");
  EXPECT_EQ(endpoint_family(""), "other");
}

TEST(PromText, TheParserIsStrict) {
  EXPECT_NO_THROW(parse_exposition("# some comment\nx 1\ny{a=\"b\"} 2 1700000000000\n"));
  EXPECT_THROW(parse_exposition("x 1"), std::runtime_error);               // no final newline
  EXPECT_THROW(parse_exposition("x{a=\"b} 1\n"), std::runtime_error);      // unterminated
  EXPECT_THROW(parse_exposition("x{a=\"\\q\"} 1\n"), std::runtime_error);  // bad escape
  EXPECT_THROW(parse_exposition("x one\n"), std::runtime_error);
  EXPECT_THROW(parse_exposition("x  1\n"), std::runtime_error);
  EXPECT_THROW(parse_exposition("1x 1\n"), std::runtime_error);
  EXPECT_THROW(parse_exposition("x{a=\"1\",a=\"2\"} 1\n"), std::runtime_error);
  EXPECT_THROW(parse_exposition("x 1\ny 1\nx{a=\"b\"} 1\n"), std::runtime_error);  // split family
  EXPECT_THROW(parse_exposition("# TYPE c counter\nc -1\n"), std::runtime_error);
  EXPECT_THROW(parse_exposition("# TYPE t wat\n"), std::runtime_error);
  EXPECT_THROW(parse_exposition("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} "
                                "1\nh_sum 1\nh_count 1\n"),
               std::runtime_error);  // not cumulative
  EXPECT_THROW(parse_exposition("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n"),
               std::runtime_error);  // no +Inf
}

TEST(Health, ReportsEveryComponent) {
  Health health;
  bool connected = true;
  health.add("slack",
             [&] { return platform_health(connected, connected ? "" : "no hello: closed"); });
  health.add("database", [] { return database_health(std::nullopt); });
  auto report = health.check();
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(Health::to_json(report),
            "{\"components\":{\"database\":{\"last_error\":null,\"state\":\"writable\"},"
            "\"slack\":{\"last_error\":null,\"state\":\"connected\"}},\"status\":\"ok\"}\n");
  connected = false;
  report = health.check();
  EXPECT_FALSE(report.ok);
  EXPECT_NE(Health::to_json(report).find("\"slack\":{\"last_error\":\"no hello: closed\","
                                         "\"state\":\"connecting\"}"),
            std::string::npos);
  health.add("broken", []() -> ComponentHealth { throw std::runtime_error("probe failed"); });
  report = health.check();
  EXPECT_EQ(report.components.back().second.state, "down");
}

TEST(Endpoints, AnswerOnlyHealthzAndMetrics) {
  Metrics m;
  declare_series(m);
  Health health;
  bool writable = true;
  health.add("database", [&] {
    return database_health(writable ? std::nullopt : std::optional<std::string>("readonly"));
  });
  EXPECT_EQ(answer("GET", "/healthz", m, health).status, 200);
  EXPECT_EQ(answer("HEAD", "/healthz?verbose=1", m, health).status, 200);
  writable = false;
  const auto sick = answer("GET", "/healthz", m, health);
  EXPECT_EQ(sick.status, 503);
  EXPECT_EQ(sick.content_type, "application/json");
  const auto metrics = answer("GET", "/metrics", m, health);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_NO_THROW(parse_exposition(metrics.body));
  EXPECT_EQ(answer("GET", "/", m, health).status, 404);
  EXPECT_EQ(answer("GET", "/metrics/", m, health).status, 404);
  EXPECT_EQ(answer("GET", "/healthz/../metrics", m, health).status, 404);
  const auto post = answer("POST", "/metrics", m, health);
  EXPECT_EQ(post.status, 405);
  ASSERT_EQ(post.headers.size(), 1u);
  EXPECT_EQ(post.headers[0].second, "GET, HEAD");
}

TEST(Endpoints, SplitsHostAndPort) {
  std::string host;
  unsigned short port = 0;
  EXPECT_TRUE(split_host_port("127.0.0.1:9464", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9464);
  EXPECT_TRUE(split_host_port("[::1]:80", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(split_host_port(":9464", host, port));
  EXPECT_FALSE(split_host_port("localhost", host, port));
  EXPECT_FALSE(split_host_port("localhost:0", host, port));
  EXPECT_FALSE(split_host_port("localhost:70000", host, port));
  EXPECT_FALSE(split_host_port("localhost:12ab", host, port));
}

}  // namespace
}  // namespace incident::ops
