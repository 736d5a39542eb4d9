// Socket Mode against the fake Slack over real TLS: connecting, hello, every disconnect reason,
// drops, a silent server, bad frames, stopping. (Commands end to end: commands_test.cpp.)
#include <gtest/gtest.h>

#include "slack/envelopes.h"
#include "slack/harness.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;

TEST(SlackConnection, ReadyOnlyAfterHelloWhichIsNeverAcked) {
  SlackHarness h;
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.adapter->ready(); }));
  // auth.test with the bot token, then apps.connections.open with the app token in the header
  // (never as a parameter), then the WebSocket on the URL it returned.
  auto auth = h.fake.calls("auth.test");
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(auth[0].authorization, std::string("Bearer ") + kBotToken);
  auto open = h.fake.calls("apps.connections.open");
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].authorization, std::string("Bearer ") + kAppToken);
  EXPECT_TRUE(open[0].fields.empty());
  EXPECT_EQ(h.fake.sockets().size(), 1u);
  EXPECT_EQ(h.counted(ops::series::kConnections, {"slack"}), 1);
  h.run_for(100ms);
  EXPECT_TRUE(h.fake.acks().empty());  // hello has no envelope_id and is never acked
}

// Slack's count of the app's connections (a second copy of the bot shows there) is a gauge.
TEST(SlackConnection, SlacksCountOfTheAppsConnectionsIsShown) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  EXPECT_EQ(h.metrics.gauge(ops::series::kSlackConnections).value(), 1);
}

TEST(SlackConnection, NothingBeforeHelloIsAcknowledged) {
  SlackHarness h;
  h.fake.next_connection(ConnectionMode::no_hello);
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.fake.open_sockets() == 1; }));
  // An envelope where hello should be: not a ready connection, so no ack; the bot drops it and
  // connects again with a fresh URL.
  h.fake.send(slash_envelope("help"));
  ASSERT_TRUE(h.run_until([&] { return h.adapter->ready(); }));
  EXPECT_EQ(h.fake.sockets().size(), 2u);
  EXPECT_TRUE(h.fake.acks().empty());
  EXPECT_EQ(h.fake.calls("apps.connections.open").size(), 2u);
}

TEST(SlackConnection, AServerThatNeverSaysHelloIsLeftAfterTheHelloTimeout) {
  SlackHarness h;
  h.options.socket_mode.hello_timeout = 200ms;
  h.fake.next_connection(ConnectionMode::no_hello);
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.adapter->ready(); }));
  ASSERT_EQ(h.fake.sockets().size(), 2u);
  EXPECT_GE(h.fake.sockets()[1].opened_at - h.fake.sockets()[0].opened_at, 200ms);
}

// warning and refresh_requested: the next connection is open (and said hello) before the old
// one is closed — with a close frame, by us — so no event waits for a connection.
void expect_make_before_break(const std::string& reason) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  h.fake.disconnect(reason, 1, 2000ms);  // Slack would close it itself a while later
  ASSERT_TRUE(h.run_until([&] {
    return h.fake.sockets().size() == 2 && !h.fake.sockets()[0].open && h.adapter->ready();
  })) << reason;
  const auto& old_one = h.fake.sockets()[0];
  const auto& new_one = h.fake.sockets()[1];
  EXPECT_TRUE(old_one.client_close_frame) << reason;
  EXPECT_LT(new_one.opened_at, old_one.closed_at) << reason;
  EXPECT_TRUE(new_one.open);
  EXPECT_EQ(h.counted(ops::series::kReconnects, {"slack", reason}), 1) << reason;
  EXPECT_EQ(h.drops(), 0);
  EXPECT_EQ(h.fake.calls("apps.connections.open").size(), 2u);  // a fresh URL
  EXPECT_EQ(h.fake.rejected_tickets(), 0);
  // The new connection serves.
  EXPECT_TRUE(h.deliver(slash_envelope("help")));
}

TEST(SlackConnection, WarningIsHandledMakeBeforeBreak) {
  expect_make_before_break("warning");
}

TEST(SlackConnection, RefreshRequestedIsHandledMakeBeforeBreak) {
  expect_make_before_break("refresh_requested");
}

TEST(SlackConnection, LinkDisabledStopsWithAClearError) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  h.fake.disconnect("link_disabled", 1, 2000ms);
  ASSERT_TRUE(h.run_until([&] { return h.finished; }));
  ASSERT_TRUE(h.failure);
  EXPECT_NE(h.failure->find("link_disabled"), std::string::npos);
  EXPECT_NE(h.failure->find("Socket Mode"), std::string::npos);
  EXPECT_EQ(h.fake.calls("apps.connections.open").size(), 1u);  // no pointless reconnect
  EXPECT_TRUE(h.fake.sockets()[0].client_close_frame);
}

TEST(SlackConnection, LinkDisabledInsteadOfHelloStopsToo) {
  SlackHarness h;
  h.fake.next_connection(ConnectionMode::link_disabled);
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.finished; }));
  ASSERT_TRUE(h.failure);
  EXPECT_NE(h.failure->find("link_disabled"), std::string::npos);
}

TEST(SlackConnection, TooManyWebsocketsBacksOffBeforeConnectingAgain) {
  SlackHarness h;
  h.fake.next_connection(ConnectionMode::too_many_websockets);
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.adapter->ready(); }));
  ASSERT_EQ(h.fake.sockets().size(), 2u);
  EXPECT_GE(h.fake.sockets()[1].opened_at - h.fake.sockets()[0].opened_at,
            h.options.socket_mode.too_many_websockets_delay);
  // On a serving connection too: closed by us, then a pause, then one connection again.
  h.fake.disconnect("too_many_websockets", 2, 2000ms);
  ASSERT_TRUE(h.run_until([&] { return h.fake.sockets().size() == 3 && h.adapter->ready(); }));
  EXPECT_TRUE(h.fake.sockets()[1].client_close_frame);
  EXPECT_GE(h.fake.sockets()[2].opened_at - h.fake.sockets()[1].closed_at,
            h.options.socket_mode.too_many_websockets_delay);
  EXPECT_EQ(h.fake.open_sockets(), 1);
  EXPECT_EQ(h.counted(ops::series::kReconnects, {"slack", "too_many_websockets"}), 2);
}

TEST(SlackConnection, AnAbruptDropReconnectsWithAFreshUrl) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  h.fake.drop(1);
  ASSERT_TRUE(h.run_until([&] { return h.fake.sockets().size() == 2 && h.adapter->ready(); }));
  EXPECT_EQ(h.drops(), 1);
  EXPECT_EQ(h.fake.calls("apps.connections.open").size(), 2u);
  EXPECT_EQ(h.fake.rejected_tickets(), 0);
  EXPECT_TRUE(h.deliver(slash_envelope("help")));
  // Again and again: each time a fresh ticket, never the old URL.
  for (int i = 0; i < 3; ++i) {
    h.fake.drop();
    const std::size_t before = h.fake.sockets().size();
    ASSERT_TRUE(
        h.run_until([&] { return h.fake.sockets().size() == before + 1 && h.adapter->ready(); }));
  }
  EXPECT_EQ(h.fake.rejected_tickets(), 0);
}

TEST(SlackConnection, ASilentServerTripsTheWatchdogAndIsReplaced) {
  SlackHarness h;
  h.fake.next_connection(ConnectionMode::silent);  // hello, then never a pong or a frame
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.fake.sockets().size() == 2 && h.adapter->ready(); }));
  EXPECT_EQ(h.counted(ops::series::kReconnects, {"slack", "watchdog"}), 1);
  EXPECT_EQ(h.drops(), 1);
  // Detected within the pong deadline (plus a ping interval and a watchdog tick), not later.
  const auto& s = h.fake.sockets();
  const auto& o = h.options.socket_mode.socket;
  EXPECT_LT(s[1].opened_at - s[0].opened_at, o.ping_interval + o.pong_timeout + 500ms);
  EXPECT_TRUE(h.deliver(slash_envelope("help")));
}

// A connection that carried events and then dropped is replaced at once, however often that
// happens; connections that drop before serving anything are tried further and further apart.
TEST(SlackConnection, OnlyConnectionsThatServedNothingBackOff) {
  SlackHarness h;
  const auto& policy = h.options.socket_mode.reconnect;  // 20 ms, doubling, up to 200 ms
  ASSERT_TRUE(h.start_ready());
  auto gap = [&](std::size_t closed) {
    const auto& s = h.fake.sockets();
    return s[closed + 1].opened_at - s[closed].closed_at;
  };
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(h.deliver(slash_envelope("help")));
    const std::size_t before = h.fake.sockets().size();
    h.fake.drop();
    ASSERT_TRUE(
        h.run_until([&] { return h.fake.sockets().size() == before + 1 && h.adapter->ready(); }));
  }
  EXPECT_LT(gap(4), policy.initial + 50ms);  // the fifth drop in a row, still at once
  for (int i = 0; i < 5; ++i) {
    const std::size_t before = h.fake.sockets().size();
    h.fake.drop();
    ASSERT_TRUE(
        h.run_until([&] { return h.fake.sockets().size() == before + 1 && h.adapter->ready(); }));
  }
  EXPECT_GE(gap(h.fake.sockets().size() - 2), 4 * policy.initial);  // 80-200 ms by the fifth
}

// A pong later than a ping interval, but within the pong deadline, is a slow peer, not a dead
// one: the connection stays.
TEST(SlackConnection, ASlowPongIsNotADeadConnection) {
  SlackHarness h;
  const auto& o = h.options.socket_mode.socket;
  h.fake.set_slow_pong_delay(o.pong_timeout / 2);
  h.fake.next_connection(ConnectionMode::slow_pongs);
  ASSERT_TRUE(h.start_ready());
  h.run_for(8 * (o.ping_interval + o.pong_timeout / 2));
  EXPECT_GE(h.fake.sockets()[0].pings, 4);  // pings went out and each was answered late
  EXPECT_EQ(h.fake.sockets().size(), 1u);
  EXPECT_EQ(h.counted(ops::series::kReconnects, {"slack", "watchdog"}), 0);
  EXPECT_TRUE(h.deliver(slash_envelope("help")));
}

TEST(SlackConnection, BadFramesAreCountedNeverFatal) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  h.fake.send_text("{not json");
  h.fake.send_text("[1,2,3]");
  h.fake.send_text(std::string(500, '[') + std::string(500, ']'));
  h.fake.send_text(R"({"type":"events_api","payload":{}})");  // no envelope_id
  h.fake.send_binary(std::string("\x00\x01\x02", 3));
  h.fake.send_text(R"({"type":"brand_new_type","envelope_id":"u-1"})");
  // Still serving on the same connection.
  auto ack = h.deliver(slash_envelope("help"));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->connection, 1);
  EXPECT_EQ(h.counted(ops::series::kFramesSkipped, {"slack", "malformed"}), 4);
  EXPECT_EQ(h.counted(ops::series::kFramesSkipped, {"slack", "binary"}), 1);
  EXPECT_EQ(h.counted(ops::series::kFramesSkipped, {"slack", "unknown"}), 1);
  EXPECT_EQ(h.fake.sockets().size(), 1u);
  // An unknown envelope is acknowledged, so Slack does not redeliver what we will never read.
  bool unknown_acked = false;
  for (const auto& a : h.fake.acks()) unknown_acked |= a.envelope_id == "u-1";
  EXPECT_TRUE(unknown_acked);
}

TEST(SlackConnection, AnOversizedFrameIsSkippedAHugeOneCostsTheConnectionOnly) {
  SlackHarness h;
  h.options.socket_mode.socket.read_message_max = 64 * 1024;
  ASSERT_TRUE(h.start_ready());
  auto large = fixture("envelope_interactive_block_actions_modal_large.json");  // 127 KB
  ASSERT_GT(large.dump().size(), 64u * 1024);
  h.fake.send(large);
  auto ack = h.deliver(slash_envelope("help"));  // the same connection still serves
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->connection, 1);
  EXPECT_EQ(h.counted(ops::series::kFramesSkipped, {"slack", "too_big"}), 1);
  EXPECT_EQ(h.fake.acks().size(), 1u);  // the skipped one is not acknowledged
  // Far over the limit (16 times): that is not Slack talking; the connection is replaced.
  h.fake.send_text(std::string(17 * 64 * 1024, 'x'));
  ASSERT_TRUE(h.run_until([&] { return h.fake.sockets().size() == 2 && h.adapter->ready(); }));
  EXPECT_TRUE(h.deliver(slash_envelope("help")));

  SlackHarness roomy;  // the default limit (1 MiB) takes it, and it is acknowledged
  ASSERT_TRUE(roomy.start_ready());
  EXPECT_TRUE(roomy.deliver(fixture("envelope_interactive_block_actions_modal_large.json")));
}

// Replicas: one whose database is away closes Socket Mode, so that Slack sends the app's
// envelopes to the others, and connects again once it can store them.
TEST(SlackConnection, AReplicaThatCannotStoreClosesSocketModeUntilItCan) {
  SlackHarness h;
  std::optional<std::string> away;
  h.options.unable = [&] { return away; };
  ASSERT_TRUE(h.start_ready());
  EXPECT_TRUE(h.deliver(slash_envelope("help")));
  away = "the database is away (test)";
  ASSERT_TRUE(h.run_until([&] { return h.fake.open_sockets() == 0; }, 3s));
  EXPECT_FALSE(h.adapter->connected());
  EXPECT_NE(h.adapter->last_error().find("the database is away (test)"), std::string::npos)
      << h.adapter->last_error();
  const auto opened = h.fake.calls("apps.connections.open").size();
  h.run_for(2500ms);  // held off: no connection is opened meanwhile
  EXPECT_EQ(h.fake.calls("apps.connections.open").size(), opened);
  EXPECT_EQ(h.fake.open_sockets(), 0);
  away.reset();
  ASSERT_TRUE(h.run_until([&] { return h.adapter->ready(); }, 3s));
  EXPECT_TRUE(h.deliver(slash_envelope("help")));
}

TEST(SlackConnection, StopClosesWithACloseFrame) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.stop());
  EXPECT_FALSE(h.failure);
  EXPECT_TRUE(h.fake.sockets()[0].client_close_frame);
  EXPECT_EQ(h.fake.open_sockets(), 0);
}

TEST(SlackConnection, AWrongAppTokenStopsWithAClearError) {
  SlackHarness h;
  h.options.app_token = "xapp-wrong";
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.finished; }));
  ASSERT_TRUE(h.failure);
  EXPECT_NE(h.failure->find("SLACK_APP_TOKEN"), std::string::npos);
}

TEST(SlackConnection, AWrongBotTokenStopsWithAClearError) {
  SlackHarness h;
  h.options.bot_token = "xoxb-wrong";
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.finished; }));
  ASSERT_TRUE(h.failure);
  EXPECT_NE(h.failure->find("SLACK_BOT_TOKEN"), std::string::npos);
  EXPECT_TRUE(h.fake.calls("apps.connections.open").empty());
}

TEST(SlackConnection, SlackDownAtStartIsRetried) {
  SlackHarness h;
  h.fake.fail_next("auth.test", 503, 0, 6);
  h.fake.fail_next("apps.connections.open", 500, 0, 5);
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.adapter->ready(); }));
  EXPECT_FALSE(h.finished);
}

}  // namespace
}  // namespace incident::testing
