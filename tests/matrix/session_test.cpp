// The adapter's session against the fake homeserver: start-up, the first sync, invites, the
// stored sync token across restarts, and the errors that end or reset a session.
#include <gtest/gtest.h>

#include "matrix/harness.h"

namespace incident::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(MatrixSession, StartsWithVersionsWhoamiAndAFilterAndSkipsHistory) {
  MatrixHarness h;
  // Before the bot's first start: a room it is in with an old command, and a pending invite.
  const std::string old_room = h.fake.create_room(kAlice, {kAlice, kMatrixBot});
  h.fake.say(old_room, kAlice, "!incident start something from last week");
  const std::string invited = h.fake.create_room(kAlice, {kAlice});
  h.fake.invite(invited, kAlice, kMatrixBot);

  ASSERT_TRUE(h.start_ready());
  EXPECT_EQ(h.fake.requests("versions").size(), 1u);
  EXPECT_EQ(h.fake.requests("whoami").size(), 1u);
  EXPECT_EQ(h.adapter->user_id(), kMatrixBot);
  const auto filters = h.fake.requests("filter");
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters[0].method, "POST");
  EXPECT_EQ(filters[0].body["room"]["state"]["lazy_load_members"], true);
  EXPECT_EQ(filters[0].body["room"]["timeline"]["limit"], 50);

  ASSERT_TRUE(h.run_until([&] { return h.fake.membership(invited, kMatrixBot) == "join"; }));
  h.caught_up();
  h.run_for(100ms);
  EXPECT_TRUE(h.fake.bot_bodies(old_room).empty()) << "history must not be acted on";
  EXPECT_FALSE(h.incident(old_room));

  const auto syncs = h.fake.requests("sync");
  ASSERT_GE(syncs.size(), 2u);
  EXPECT_EQ(syncs[0].query.count("since"), 0u);
  EXPECT_EQ(syncs[0].query.at("filter"), "1");
  for (const auto& s : syncs) {
    EXPECT_EQ(s.authorization, std::string("Bearer ") + kMatrixToken);
    EXPECT_EQ(s.query.count("access_token"), 0u);
    EXPECT_EQ(s.query.at("set_presence"), "offline");
  }
  EXPECT_EQ(syncs.back().query.at("timeout"), "2000");  // a long-poll, not a busy loop
  EXPECT_EQ(syncs.back().query.at("since"), h.store->cursor(matrix::kCursor));
  EXPECT_GT(h.fake.long_polls(), 0);

  // Commands after the start are answered.
  h.fake.say(old_room, kAlice, "!incident start Checkout errors sev2");
  ASSERT_TRUE(h.wait_bodies(old_room, 1));
  EXPECT_NE(h.fake.bot_bodies(old_room)[0].find("INC-1 declared: Checkout errors"),
            std::string::npos);
}

TEST(MatrixSession, AConfiguredUserIdNeedsNoWhoami) {
  MatrixHarness h;
  h.options.user_id = kMatrixBot;
  ASSERT_TRUE(h.start_ready());
  EXPECT_TRUE(h.fake.requests("whoami").empty());
}

TEST(MatrixSession, InvitesFromAllowedInvitersAreJoinedOthersDeclined) {
  MatrixHarness h;
  ASSERT_TRUE(h.start_ready());
  const std::string ours = h.fake.create_room(kAlice, {kAlice});
  h.fake.invite(ours, kAlice, kMatrixBot);
  const std::string theirs = h.fake.create_room(kMallory, {kMallory});
  h.fake.invite(theirs, kMallory, kMatrixBot);
  ASSERT_TRUE(h.run_until([&] {
    return h.fake.membership(ours, kMatrixBot) == "join" &&
           h.fake.membership(theirs, kMatrixBot) == "leave";
  }));
  EXPECT_EQ(h.fake.requests("join").size(), 1u);
  EXPECT_EQ(h.fake.requests("leave").size(), 1u);
}

TEST(MatrixSession, AllowedInvitersCanBeUsersOrServers) {
  MatrixHarness h;
  h.options.allowed_inviters = {"*:partner.example", "@mallory:evil.example"};
  ASSERT_TRUE(h.start_ready());
  const std::string partner = h.fake.create_room("@p:partner.example", {"@p:partner.example"});
  h.fake.invite(partner, "@p:partner.example", kMatrixBot);
  const std::string mallorys = h.fake.create_room(kMallory, {kMallory});
  h.fake.invite(mallorys, kMallory, kMatrixBot);
  const std::string local = h.fake.create_room(kAlice, {kAlice});
  h.fake.invite(local, kAlice, kMatrixBot);  // the list replaces the own-server default
  ASSERT_TRUE(h.run_until([&] {
    return h.fake.membership(partner, kMatrixBot) == "join" &&
           h.fake.membership(mallorys, kMatrixBot) == "join" &&
           h.fake.membership(local, kMatrixBot) == "leave";
  }));
}

TEST(MatrixSession, ADirectInviteBecomesADmRecordedInMDirect) {
  MatrixHarness h;
  h.fake.set_account_data(kMatrixBot, "m.direct", {{"@zoe:localhost", {"!older:localhost"}}});
  ASSERT_TRUE(h.start_ready());
  const std::string dm = h.fake.create_room(kAlice, {kAlice}, "");
  h.fake.invite(dm, kAlice, kMatrixBot, true);
  ASSERT_TRUE(h.run_until([&] {
    auto direct = h.fake.account_data(kMatrixBot, "m.direct");
    return direct && direct->contains(kAlice);
  }));
  const json direct = *h.fake.account_data(kMatrixBot, "m.direct");
  EXPECT_EQ(direct[kAlice], json::array({dm}));
  EXPECT_EQ(direct["@zoe:localhost"], json::array({"!older:localhost"}));  // read-modify-write
  h.caught_up();
  h.fake.say(dm, kAlice, "is this safe? I clicked a link in an email");
  ASSERT_TRUE(h.wait_bodies(dm, 1));
  EXPECT_FALSE(h.incident(dm));
}

TEST(MatrixSession, ARestartResumesFromTheStoredToken) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.say(room, kAlice, "!incident start Checkout errors");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  ASSERT_TRUE(h.caught_up());
  ASSERT_TRUE(h.stop());
  const auto token = h.store->cursor(matrix::kCursor);
  ASSERT_TRUE(token);
  h.fake.say(room, kBob, "!incident log while the bot was down");
  const std::size_t before = h.fake.requests("sync").size();
  h.restart();
  ASSERT_TRUE(h.wait_bodies(room, 2));
  h.caught_up();
  h.run_for(100ms);
  const auto bodies = h.fake.bot_bodies(room);
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_NE(bodies[1].find("while the bot was down"), std::string::npos);
  const auto resumed = h.fake.requests("sync")[before];
  EXPECT_EQ(resumed.query.at("since"), *token);
  EXPECT_EQ(resumed.query.at("full_state"), "true");  // rooms' state is learnt again
  EXPECT_EQ(h.incident(room)->timeline.size(), 2u);
}

TEST(MatrixSession, AnUnknownTokenStopsWithAClearMessage) {
  MatrixHarness h;
  h.fake.revoke_token();
  h.start();
  ASSERT_TRUE(h.run_until([&] { return h.finished; }));
  ASSERT_TRUE(h.failure);
  EXPECT_NE(h.failure->find("MATRIX_ACCESS_TOKEN"), std::string::npos);
  EXPECT_NE(h.failure->find("M_UNKNOWN_TOKEN"), std::string::npos);
}

TEST(MatrixSession, ATokenRevokedWhileSyncingStopsTheAdapter) {
  MatrixHarness h;
  ASSERT_TRUE(h.start_ready());
  h.fake.revoke_token(true);
  h.fake.say(h.fake.create_room(kAlice, {kAlice}), kAlice, "wake the long-poll");
  ASSERT_TRUE(h.run_until([&] { return h.finished; }));
  ASSERT_TRUE(h.failure);
  EXPECT_NE(h.failure->find("soft-logged-out"), std::string::npos);
}

TEST(MatrixSession, AForgottenSyncTokenStartsAfresh) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  ASSERT_TRUE(h.stop());
  h.fake.forget_sync_tokens();
  h.restart();
  ASSERT_TRUE(h.run_until([&] {
    return h.store->cursor(matrix::kCursor) == h.fake.stream_token() && h.adapter->ready();
  }));
  h.fake.say(room, kAlice, "!incident start After the reset");
  ASSERT_TRUE(h.wait_bodies(room, 1));
}

TEST(MatrixSession, ALongPollThatOutlastsTheClientIsRetried) {
  MatrixHarness h;
  h.options.sync_timeout = 200ms;
  h.options.sync_read_timeout = 500ms;
  const std::string room = h.ready_room();
  h.fake.stall_next_sync(1500ms);
  h.run_for(300ms);
  h.fake.say(room, kAlice, "!incident start Stalled proxy");
  ASSERT_TRUE(h.wait_bodies(room, 1, 5s));
}

TEST(MatrixSession, ALongPollDroppedMidwayLosesNothing) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.drop_after_next("sync");  // the answer with the command never arrives
  h.fake.say(room, kAlice, "!incident start Dropped long-poll");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  h.caught_up();
  h.run_for(100ms);
  EXPECT_EQ(h.fake.bot_bodies(room).size(), 1u);
}

TEST(MatrixSession, SyncFailuresAreRetriedWithBackoff) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.fail_next("sync", {502, "", "", std::nullopt}, 2);  // a proxy's HTML 502s
  h.fake.fail_next("sync", {429, "M_LIMIT_EXCEEDED", "", 50});
  h.fake.say(room, kAlice, "!incident start Flaky proxy");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  EXPECT_EQ(h.fake.bot_bodies(room).size(), 1u);
}

TEST(MatrixSession, StopEndsTheLongPollAtOnce) {
  MatrixHarness h;
  ASSERT_TRUE(h.start_ready());
  h.run_for(100ms);  // in a long-poll now
  const auto before = std::chrono::steady_clock::now();
  ASSERT_TRUE(h.stop());
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1500ms);
  EXPECT_FALSE(h.failure);
}

}  // namespace
}  // namespace incident::testing
