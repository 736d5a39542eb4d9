// Sends that must happen exactly once: rate limits, dropped connections, refusals, and a crash
// (a SIGKILLed process) at every durable step of a sync batch.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <csignal>
#include <optional>

#include "matrix/harness.h"
#include "prompts/embedded.h"
#include "support/run_io.h"

namespace incident::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(MatrixDelivery, A429WaitsForRetryAfterAndReusesTheTxnId) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.fail_next("send", {429, "M_LIMIT_EXCEEDED", "1", std::nullopt});
  const auto before = Clock::now();
  h.fake.say(room, kAlice, "!incident start Rate limited");
  ASSERT_TRUE(h.wait_bodies(room, 1, 5s));
  EXPECT_GE(Clock::now() - before, 1000ms);  // Retry-After: 1 second
  const auto sends = h.fake.requests("send");
  ASSERT_EQ(sends.size(), 2u);
  EXPECT_EQ(sends[0].path, sends[1].path);  // the same txnId
}

TEST(MatrixDelivery, A429WithOnlyRetryAfterMsIsHonouredToo) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.fail_next("send", {429, "M_LIMIT_EXCEEDED", "", 300});
  const auto before = Clock::now();
  h.fake.say(room, kAlice, "!incident start Rate limited");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  EXPECT_GE(Clock::now() - before, 300ms);
  EXPECT_EQ(h.fake.requests("send").size(), 2u);
  EXPECT_EQ(h.fake.bot_bodies(room).size(), 1u);
}

TEST(MatrixDelivery, ASendWhoseAnswerWasLostIsOneEvent) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.drop_after_next("send");  // processed, then the connection drops with no answer
  h.fake.say(room, kAlice, "!incident start Dropped connection");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  ASSERT_TRUE(h.run_until([&] { return h.fake.requests("send").size() >= 2; }));
  h.caught_up();
  h.run_for(100ms);
  const auto sends = h.fake.requests("send");
  EXPECT_EQ(sends[0].path, sends[1].path);
  EXPECT_EQ(h.fake.bot_bodies(room).size(), 1u);  // the server deduplicated the retry
}

TEST(MatrixDelivery, ServerErrorsAreRetriedWithBackoff) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.fail_next("send", {502, "", "", std::nullopt});
  h.fake.fail_next("send", {503, "M_UNKNOWN", "", std::nullopt});
  h.fake.say(room, kAlice, "!incident start Flaky");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  EXPECT_EQ(h.fake.requests("send").size(), 3u);
}

TEST(MatrixDelivery, ARefusedSendIsGivenUpAndTheRestGoesOn) {
  MatrixHarness h;
  h.options.lessons_room = "!not-joined:localhost";
  const std::string room = h.ready_room();
  h.fake.say(room, kAlice, "!incident start Share test");
  h.fake.say(room, kAlice, "!incident close done");
  h.fake.say(room, kAlice, "!incident share confirm");
  h.fake.say(room, kAlice, "!incident status");
  ASSERT_TRUE(h.wait_bodies(room, 5));
  // One refused send (404 for the unknown lessons room), never retried.
  int refused = 0;
  for (const auto& s : h.fake.requests("send"))
    refused += s.path.find("not-joined") != std::string::npos;
  EXPECT_EQ(refused, 1);
}

// --- a crash at every durable step ----------------------------------------------------------

// The child process: its own io_context, store, engine and adapter on the parent's database
// file and fake homeserver, killed with SIGKILL at durable step `kill_at`. Runs until quiet when
// the batch has fewer steps.
// With `step`, only that step counts; with `clock`, the adapter's clock stands at that time and
// reminders are looked for every 20 ms.
[[noreturn]] void run_child(const std::string& db, const std::string& url,
                            const std::string& ca_file, int kill_at, std::string step = {},
                            std::optional<TimePoint> clock = std::nullopt) {
  try {
    boost::asio::io_context io;
    SqliteStore store(db, Durability::process);
    const Prompts prompts = Prompts::load(embedded_prompts());
    Settings settings;
    std::uint64_t counter = 1;
    Engine engine(store, prompts, settings, [counter]() mutable { return counter += 7; });
    net::TlsContext tls(ca_file);
    matrix::MatrixOptions options = MatrixHarness::fast_options();
    options.homeserver = url;
    int steps = 0;
    if (clock) {
      options.clock = [at = *clock] { return at; };
      options.remind_interval = 20ms;
    }
    options.on_durable = [&steps, kill_at, step](std::string_view name) {
      if (!step.empty() && name != step) return;
      if (++steps == kill_at) ::kill(::getpid(), SIGKILL);
    };
    matrix::MatrixAdapter adapter(io.get_executor(), engine, store, prompts, tls, options);
    boost::asio::co_spawn(io, adapter.run(), boost::asio::detached);
    run_until_quiet(io, steps);
  } catch (...) {
    ::_exit(2);
  }
  ::_exit(0);
}

TEST(MatrixCrash, ACrashAtAnyDurableStepNeitherLosesNorDoubles) {
  bool ran_to_the_end = false;
  int kills = 0;
  for (int kill_at = 1; !ran_to_the_end && kill_at < 40; ++kill_at) {
    SCOPED_TRACE("killed at durable step " + std::to_string(kill_at));
    MatrixHarness h;
    const std::string room = h.ready_room();
    ASSERT_TRUE(h.stop());
    h.run_for(20ms);
    h.adapter.reset();
    h.engine.reset();
    h.store.reset();  // SQLite connections must not cross fork()
    // One sync batch with three commands.
    h.fake.say(room, kAlice, "!incident start Checkout errors sev2");
    h.fake.say(room, kAlice, "!incident log first fact");
    h.fake.say(room, kBob, "!incident log second fact");

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0)
      run_child(h.db_path.string(), h.fake.url(), (h.dir / "ca.pem").string(), kill_at);
    int status = 0;
    ASSERT_TRUE(h.run_until([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 15s));
    ran_to_the_end = WIFEXITED(status);
    if (ran_to_the_end) {
      ASSERT_EQ(WEXITSTATUS(status), 0);
    } else {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
      ++kills;
    }

    // The restarted bot finishes what the killed one started.
    h.start();
    ASSERT_TRUE(h.wait_bodies(room, 3));
    ASSERT_TRUE(h.caught_up());
    h.run_for(150ms);
    const auto bodies = h.fake.bot_bodies(room);
    ASSERT_EQ(bodies.size(), 3u);
    EXPECT_NE(bodies[0].find("INC-1 declared"), std::string::npos);
    EXPECT_NE(bodies[1].find("first fact"), std::string::npos);
    EXPECT_NE(bodies[2].find("second fact"), std::string::npos);
    const auto inc = h.incident(room);
    ASSERT_TRUE(inc);
    EXPECT_EQ(inc->number, 1);
    ASSERT_EQ(inc->timeline.size(), 3u);
    EXPECT_EQ(inc->timeline[1].text, "first fact");
    EXPECT_EQ(inc->timeline[2].text, "second fact");
    EXPECT_EQ(h.store->list_incidents().size(), 1u);
  }
  EXPECT_TRUE(ran_to_the_end);
  // At least: the sync batch (three events, their replies queued and the token: one commit),
  // then three sends. A kill inside the batch's transaction: SqliteStoreTest's
  // AKillAtAnyPointOfABatchKeepsItWholeOrNotAtAll.
  EXPECT_GE(kills, 4);
}

// A reminder is committed (so it is not due again), then sent from the outbox: a kill right after
// the commit, or right after the send, still gives exactly one message.
TEST(MatrixCrash, AReminderKilledBeforeOrAfterItsSendIsSentOnce) {
  for (const char* step : {"submitted", "sent"}) {
    SCOPED_TRACE(std::string("killed after the step ") + step);
    MatrixHarness h;
    const std::string room = h.ready_room();
    h.fake.say(room, kAlice, "!incident start Checkout errors");
    ASSERT_TRUE(h.wait_bodies(room, 1));
    const TimePoint due = h.incident(room)->opened_at + 16min;  // no severity yet
    ASSERT_TRUE(h.stop());
    h.run_for(20ms);
    h.adapter.reset();
    h.engine.reset();
    h.store.reset();

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // The first "sent" is the reminder: the start's reply went out before.
      run_child(h.db_path.string(), h.fake.url(), (h.dir / "ca.pem").string(), 1, step, due);
    }
    int status = 0;
    ASSERT_TRUE(h.run_until([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 15s));
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    // The restarted bot looks for reminders at the same moment: it must neither lose nor repeat.
    h.options.clock = [due] { return due; };
    h.options.remind_interval = 20ms;
    h.start();
    ASSERT_TRUE(h.caught_up());
    auto asked = [&] {
      const auto bodies = h.fake.bot_bodies(room);
      return std::count_if(bodies.begin(), bodies.end(), [](const std::string& b) {
        return b.find("has no severity yet") != std::string::npos;
      });
    };
    ASSERT_TRUE(h.run_until([&] { return asked() >= 1; }));
    h.run_for(200ms);
    EXPECT_EQ(asked(), 1);
  }
}

}  // namespace
}  // namespace incident::testing
