// SIGTERM / SIGINT on the real binary against the fake Slack (README, "Signals"): the first
// signal ends the run with exit status 0 within 5 s even when Slack is slow to take the replies
// still queued, closing the WebSocket with a close frame; a second signal while it drains exits
// at once with 128 + the signal.
#include <gtest/gtest.h>

#include "lifecycle/slack_bot.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;

class Signals : public SlackBot {};

TEST_F(Signals, SigtermExitsZeroWithinFiveSecondsWhileRepliesHang) {
  auto bot = start();
  ASSERT_FALSE(bot->exited()) << bot->err();
  // Every reply hangs far longer than the shutdown may take.
  slack.delay_next("chat.postMessage", 60s, 10);
  slack.delay_next("chat.postEphemeral", 60s, 10);
  ASSERT_TRUE(dm("hi, I clicked a link in an email, is this safe?", "EvSig1"));
  ASSERT_TRUE(run_until(
      io,
      [&] {
        return !slack.calls("chat.postMessage").empty() ||
               !slack.calls("chat.postEphemeral").empty();
      },
      5s))
      << "the reply was not attempted";

  const auto signalled = Clock::now();
  bot->signal(SIGTERM);
  ASSERT_TRUE(run_until(
      io, [&] { return bot->exited(); }, 8s))
      << bot->err();
  const auto took = Clock::now() - signalled;
  EXPECT_EQ(bot->status(), 0) << bot->err();
  EXPECT_LT(took, 5s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                      << " ms\n"
                      << bot->err();
  ASSERT_FALSE(slack.sockets().empty());
  EXPECT_TRUE(slack.sockets().front().client_close_frame) << "no close frame";
  // The DM was acknowledged before the stop: Slack will not deliver it again.
  EXPECT_EQ(slack.acks().size(), 1u);
}

TEST_F(Signals, ASecondSignalWhileDrainingExitsAtOnce) {
  auto bot = start();
  ASSERT_FALSE(bot->exited()) << bot->err();
  slack.delay_next("chat.postMessage", 60s, 10);
  slack.delay_next("chat.postEphemeral", 60s, 10);
  ASSERT_TRUE(dm("is it safe to open this attachment?", "EvSig2"));
  ASSERT_TRUE(run_until(
      io,
      [&] {
        return !slack.calls("chat.postMessage").empty() ||
               !slack.calls("chat.postEphemeral").empty();
      },
      5s));

  bot->signal(SIGTERM);
  // The WebSocket closed: it is draining the hanging reply now.
  ASSERT_TRUE(run_until(
      io, [&] { return slack.open_sockets() == 0 || bot->exited(); }, 3s));
  ASSERT_FALSE(bot->exited()) << "it did not wait for the queued reply at all\n" << bot->err();
  const auto again = Clock::now();
  bot->signal(SIGTERM);
  ASSERT_TRUE(run_until(
      io, [&] { return bot->exited(); }, 3s))
      << bot->err();
  EXPECT_LT(Clock::now() - again, 500ms);
  EXPECT_EQ(bot->status(), 128 + SIGTERM) << bot->err();
}

TEST_F(Signals, SigintStopsLikeSigterm) {
  auto bot = start();
  ASSERT_FALSE(bot->exited()) << bot->err();
  const auto signalled = Clock::now();
  bot->signal(SIGINT);
  ASSERT_TRUE(run_until(
      io, [&] { return bot->exited(); }, 8s))
      << bot->err();
  EXPECT_EQ(bot->status(), 0) << bot->err();
  EXPECT_LT(Clock::now() - signalled, 5s);
  EXPECT_TRUE(contains(bot->err(), "SIGINT: stopping")) << bot->err();
}

}  // namespace
}  // namespace incident::testing
