// Replies that must go out exactly once: the bot is killed with SIGKILL at each durable step of
// an envelope whose replies span several messages (committed; each message posted), restarted
// on the same database, and must post every message that was missing, and none twice.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <map>

#include "prompts/embedded.h"
#include "slack/envelopes.h"
#include "slack/harness.h"
#include "support/run_io.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;

// The child process: its own io_context, store, engine and adapter on the parent's database and
// fake Slack, killed with SIGKILL at durable step `kill_at`. Runs until quiet when the envelope
// has fewer steps.
[[noreturn]] void run_child(const std::string& db, const std::string& api_url, net::TlsContext& tls,
                            TimePoint now, int kill_at,
                            std::chrono::milliseconds remind_interval = std::chrono::hours{1}) {
  try {
    boost::asio::io_context io;
    SqliteStore store(db, Durability::process);
    const Prompts prompts = Prompts::load(embedded_prompts());
    Settings settings;
    settings.command_prefix = "/incident";
    std::uint64_t counter = 1;
    Engine engine(store, prompts, settings, [counter]() mutable { return counter += 7; });
    slack::SlackOptions options = SlackHarness::fast_options();
    options.api_url = api_url;
    options.clock = [now] { return now; };
    options.remind_interval = remind_interval;
    int steps = 0;
    options.on_durable = [&steps, kill_at](std::string_view) {
      if (++steps == kill_at) ::kill(::getpid(), SIGKILL);
    };
    slack::SlackAdapter adapter(io.get_executor(), engine, store, tls, options);
    boost::asio::co_spawn(io, adapter.run(), boost::asio::detached);
    run_until_quiet(io, steps);
  } catch (...) {
    ::_exit(2);
  }
  ::_exit(0);
}

// Each text the bot posted in C1 (top level and threads) after the first `skip`, with how often.
std::map<std::string, int> texts_after(const SlackHarness& h, std::size_t skip) {
  std::map<std::string, int> texts;
  const auto posted = h.fake.posted("C1");
  for (std::size_t i = skip; i < posted.size(); ++i) ++texts[posted[i].text];
  return texts;
}

// An open incident with a long timeline, so that `close` posts its announcement and a draft
// split over several messages in the announcement's thread.
std::size_t open_incident(SlackHarness& h) {
  EXPECT_TRUE(h.start_ready());
  EXPECT_TRUE(h.deliver(slash_envelope("start Checkout errors sev2")));
  for (int i = 0; i < 50; ++i) {
    h.now += 1min;
    EXPECT_TRUE(
        h.deliver(slash_envelope("log fact " + std::to_string(i) + " " + std::string(80, 'x'))));
  }
  h.run_for(50ms);
  return h.fake.posted("C1").size();
}

TEST(SlackCrash, ACrashAtAnyDurableStepNeitherLosesNorRepeatsAReply) {
  // What `close` posts when nothing goes wrong.
  std::map<std::string, int> expected;
  {
    SlackHarness h;
    const std::size_t before = open_incident(h);
    h.now += 5min;
    ASSERT_TRUE(h.deliver(slash_envelope("close rolled back")));
    ASSERT_TRUE(h.run_until([&] { return h.fake.posted("C1").size() >= before + 3; }));
    h.run_for(200ms);
    expected = texts_after(h, before);
  }
  ASSERT_GE(expected.size(), 3u);
  for (const auto& [text, n] : expected) ASSERT_EQ(n, 1) << text;

  bool ran_to_the_end = false;
  int kills = 0;
  for (int kill_at = 1; !ran_to_the_end && kill_at < 20; ++kill_at) {
    SCOPED_TRACE("killed at durable step " + std::to_string(kill_at));
    SlackHarness h;
    const std::size_t before = open_incident(h);
    ASSERT_TRUE(h.stop());
    h.run_for(20ms);
    h.adapter.reset();
    h.engine.reset();
    h.store.reset();  // SQLite connections must not cross fork()
    h.now += 5min;

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) run_child(h.db_path.string(), h.fake.api_url(), *h.tls, h.now, kill_at);
    ASSERT_TRUE(h.run_until([&] { return h.fake.open_sockets() > 0; }, 10s));
    h.fake.send(slash_envelope("close rolled back"));
    int status = 0;
    ASSERT_TRUE(h.run_until([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 15s));
    ran_to_the_end = WIFEXITED(status);
    if (ran_to_the_end) {
      ASSERT_EQ(WEXITSTATUS(status), 0);
    } else {
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
      ++kills;
    }

    // The restarted bot posts what the killed one did not, and nothing it did.
    ASSERT_TRUE(h.start_ready());
    ASSERT_TRUE(h.run_until([&] { return texts_after(h, before).size() >= expected.size(); }));
    h.run_for(200ms);
    EXPECT_EQ(texts_after(h, before), expected);
    const auto inc = h.store->list_incidents();
    ASSERT_EQ(inc.size(), 1u);
  }
  EXPECT_TRUE(ran_to_the_end);
  // The commit, then at least three messages (the announcement and a draft in two parts).
  EXPECT_GE(kills, 4);
}

// A reminder is committed (so it is not due again) and then posted: a kill between the two, or
// after the post, still gives exactly one.
TEST(SlackCrash, AReminderKilledBeforeOrAfterItsPostIsPostedOnce) {
  for (int kill_at = 1; kill_at <= 2; ++kill_at) {
    SCOPED_TRACE("killed at durable step " + std::to_string(kill_at));
    SlackHarness h;
    ASSERT_TRUE(h.start_ready());
    ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
    ASSERT_TRUE(h.stop());
    h.run_for(20ms);
    h.adapter.reset();
    h.engine.reset();
    h.store.reset();
    h.now += 16min;  // no severity yet: the reminder is due

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      run_child(h.db_path.string(), h.fake.api_url(), *h.tls, h.now, kill_at, 20ms);
    }
    int status = 0;
    ASSERT_TRUE(h.run_until([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 15s));
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    h.options.remind_interval = 20ms;
    ASSERT_TRUE(h.start_ready());
    auto asked = [&] {
      int n = 0;
      for (const auto& m : h.fake.posted("C1")) {
        if (m.text.find("has no severity yet") != std::string::npos) ++n;
      }
      return n;
    };
    ASSERT_TRUE(h.run_until([&] { return asked() >= 1; }));
    h.run_for(200ms);
    EXPECT_EQ(asked(), 1);
  }
}

}  // namespace
}  // namespace incident::testing
