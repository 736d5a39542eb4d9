// Three real incident-bot processes on one PostgreSQL database and one Matrix account, against the
// fake homeserver: exactly one syncs at a time (leader election, storage/pg_leadership.h); when
// it is killed or paused another takes over, the paused one writes nothing when it resumes, and
// no command is lost or answered twice. The homeserver counts overlapping /syncs.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bench/bench_process.h"
#include "matrix/harness.h"
#include "storage/pg.h"
#include "support/pg_server.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class MatrixReplicas : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = PgServer::shared();
    if (server_ == nullptr) GTEST_SKIP() << "PostgreSQL leg skipped: " << PgServer::unavailable();
    url_ = server_->fresh_database();
  }

  std::unique_ptr<bench::Child> start(int i) {
    const std::vector<std::string> env{"MATRIX_HOMESERVER=" + h_.fake.url(),
                                       std::string("MATRIX_ACCESS_TOKEN=") + kMatrixToken,
                                       "INCIDENT_BOT_DB=" + url_,
                                       "INCIDENT_BOT_REPLICA=r" + std::to_string(i),
                                       "INCIDENT_BOT_CA_FILE=" + (h_.dir / "ca.pem").string(),
                                       "INCIDENT_BOT_LOG_LEVEL=info"};
    return std::make_unique<bench::Child>(INCIDENT_BOT_BINARY, env, std::vector<std::string>{"run"},
                                          h_.dir / ("r" + std::to_string(i) + ".log"));
  }

  // SIGTERM to every replica still running, each to exit cleanly while the homeserver serves.
  void stop_all() {
    for (auto& bot : bots_) {
      if (!bot) continue;
      ::kill(bot->pid(), SIGCONT);
      ::kill(bot->pid(), SIGTERM);
      ASSERT_TRUE(h_.run_until([&] { return bot->exited(); }, 15s));
      EXPECT_TRUE(WIFEXITED(bot->status()) && WEXITSTATUS(bot->status()) == 0);
      bot.reset();
    }
  }

  // The replica that syncs now ("r0"…), by the leaders row; empty before any.
  std::string leader() {
    pg::Connection db(url_);
    const auto rows = db.exec("SELECT holder FROM leaders WHERE name = $1",
                              {pg::param(std::string("matrix:") + kMatrixBot)});
    return rows.rows() == 1 ? std::string(rows.text(0, 0)) : std::string{};
  }

  int index_of(const std::string& replica) { return std::stoi(replica.substr(1)); }

  std::string log_of(const std::string& replica) {
    std::ifstream in(h_.dir / (replica + ".log"));
    return {std::istreambuf_iterator<char>(in), {}};
  }

  // Facts of INC-1's timeline with this text.
  std::int64_t facts(const std::string& text) {
    pg::Connection db(url_);
    return db
        .exec("SELECT count(*) FROM timeline WHERE incident = 1 AND text = $1", {pg::param(text)})
        .int64(0, 0);
  }

  PgServer* server_ = nullptr;
  std::string url_;
  MatrixHarness h_;
  std::vector<std::unique_ptr<bench::Child>> bots_;  // SIGKILLed if left running
};

TEST_F(MatrixReplicas, OneSyncsAtATimeAndAnotherTakesOverAKilledOrPausedOne) {
  const std::string room = h_.fake.create_room(kAlice, {kAlice, kBob});
  h_.fake.invite(room, kAlice, kMatrixBot);
  for (int i = 0; i < 3; ++i) bots_.push_back(start(i));
  ASSERT_TRUE(h_.run_until([&] { return h_.fake.membership(room, kMatrixBot) == "join"; }, 20s));
  h_.run_for(300ms);
  h_.fake.say(room, kAlice, "!incident start Replicas on one account");
  ASSERT_TRUE(h_.wait_bodies(room, 1, 10s));
  const std::string first = leader();
  ASSERT_FALSE(first.empty());

  // Killed: its session ends at once, and a standby (looking every 2 s) syncs from the stored
  // token.
  const auto killed_at = Clock::now();
  bots_[index_of(first)].reset();  // SIGKILL
  h_.fake.say(room, kBob, "!incident log sent while the syncer was killed");
  ASSERT_TRUE(h_.wait_bodies(room, 2, 15s)) << "no replica took over after a kill";
  const auto after_kill = Clock::now() - killed_at;
  const std::string second = leader();
  EXPECT_NE(second, first);

  // Paused: its session stays open and keeps the lock, but it is no longer seen; after
  // Leadership::kQuiet (10 s) a standby ends that session and syncs.
  const pid_t paused = bots_[index_of(second)]->pid();
  const auto paused_at = Clock::now();
  ::kill(paused, SIGSTOP);
  h_.fake.say(room, kAlice, "!incident log sent while the syncer was paused");
  ASSERT_TRUE(h_.wait_bodies(room, 3, 30s)) << "no replica took over from a paused one";
  const auto after_pause = Clock::now() - paused_at;
  const std::string third = leader();
  EXPECT_NE(third, second);
  EXPECT_NE(third, first);

  // Resumed, the old syncer finds its lead gone: it neither syncs nor writes nor sends again.
  ::kill(paused, SIGCONT);
  h_.run_for(6s);
  h_.fake.say(room, kBob, "!incident log sent after the paused one resumed");
  ASSERT_TRUE(h_.wait_bodies(room, 4, 10s));
  h_.run_for(3s);

  EXPECT_EQ(h_.fake.bot_bodies(room).size(), 4u);  // one answer per command
  EXPECT_EQ(h_.fake.overlapping_syncs(), 0);
  EXPECT_EQ(facts("sent while the syncer was killed"), 1);
  EXPECT_EQ(facts("sent while the syncer was paused"), 1);
  EXPECT_EQ(facts("sent after the paused one resumed"), 1);
  EXPECT_EQ(leader(), third);
  const std::string resumed = log_of(second);
  EXPECT_NE(resumed.find("stops syncing and sending"), std::string::npos) << resumed;
  // The bars (issue 18): takeover within 5 s of a kill, 20 s of a pause (to the answer).
  EXPECT_LT(after_kill, 5s);
  EXPECT_LT(after_pause, 20s);
  std::printf("takeover to the answer: %lld ms after a kill, %lld ms after a pause\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(after_kill).count()),
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(after_pause).count()));

  stop_all();
}

// The database restarts: the syncer's election session ends with it, so the syncer stops and
// every replica stands by until the server is back; then one of them syncs again from the
// stored token, and what was said meanwhile is answered once.
TEST_F(MatrixReplicas, ADatabaseRestartElectsASyncerAgainAndLosesNothing) {
  if (!server_->owned()) GTEST_SKIP() << "the server of INCIDENT_BOT_TEST_PG_URL is not ours";
  const std::string room = h_.fake.create_room(kAlice, {kAlice, kBob});
  h_.fake.invite(room, kAlice, kMatrixBot);
  for (int i = 0; i < 2; ++i) bots_.push_back(start(i));
  ASSERT_TRUE(h_.run_until([&] { return h_.fake.membership(room, kMatrixBot) == "join"; }, 20s));
  h_.run_for(300ms);
  h_.fake.say(room, kAlice, "!incident start Replicas and a database restart");
  ASSERT_TRUE(h_.wait_bodies(room, 1, 10s));

  server_->stop();
  h_.fake.say(room, kBob, "!incident log sent while the database was away");
  h_.run_for(3s);
  server_->start();
  const auto back = Clock::now();
  ASSERT_TRUE(h_.wait_bodies(room, 2, 20s)) << "no replica synced again after the restart";
  const auto answered_after = Clock::now() - back;
  h_.fake.say(room, kAlice, "!incident log sent after the restart");
  ASSERT_TRUE(h_.wait_bodies(room, 3, 10s));
  h_.run_for(3s);

  EXPECT_EQ(h_.fake.bot_bodies(room).size(), 3u);
  EXPECT_EQ(h_.fake.overlapping_syncs(), 0);
  EXPECT_EQ(facts("sent while the database was away"), 1);
  EXPECT_EQ(facts("sent after the restart"), 1);
  EXPECT_FALSE(leader().empty());
  std::printf("database restart: answered %lld ms after the server was back\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(answered_after).count()));
  stop_all();
}

}  // namespace
}  // namespace incident::testing
