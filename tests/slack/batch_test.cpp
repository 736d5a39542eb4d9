// Group commit through Socket Mode: envelopes read together are decided in one store batch and
// committed once; one that fails is left unacknowledged while its neighbours are acknowledged;
// a 📌 waiting for its message holds up only its own channel.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "slack/envelopes.h"
#include "slack/harness.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;

bool acked(const SlackHarness& h, const nlohmann::json& envelope) {
  const auto& acks = h.fake.acks();
  return std::any_of(acks.begin(), acks.end(), [&](const ReceivedAck& a) {
    return a.envelope_id == envelope["envelope_id"].get<std::string>();
  });
}

std::size_t ack_position(const SlackHarness& h, const nlohmann::json& envelope) {
  const auto& acks = h.fake.acks();
  for (std::size_t i = 0; i < acks.size(); ++i) {
    if (acks[i].envelope_id == envelope["envelope_id"].get<std::string>()) return i;
  }
  return acks.size();
}

TEST(SlackBatch, AFailedEnvelopeIsLeftUnackedWhileItsBatchIsAcked) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Disk full")));
  {
    // A fault in the database for one fact only, from another connection.
    SQLite::Database db(h.db_path.string(), SQLite::OPEN_READWRITE);
    db.exec(
        "CREATE TRIGGER poison BEFORE INSERT ON timeline WHEN NEW.text LIKE '%poison%' "
        "BEGIN SELECT RAISE(ABORT, 'poisoned for the test'); END");
  }
  const auto& batches = h.metrics.histogram(ops::series::kBatchEvents, {"slack"});
  const auto batches_before = batches.count();

  // Three envelopes on the wire at once.
  const auto one = slash_envelope("log one");
  const auto two = slash_envelope("log poison two");
  const auto three = slash_envelope("log three");
  for (const auto* e : {&one, &two, &three}) h.fake.send(*e);
  ASSERT_TRUE(h.run_until([&] { return acked(h, one) && acked(h, three); }));
  h.run_for(100ms);
  EXPECT_FALSE(acked(h, two)) << "a fact that was not stored was acknowledged";
  EXPECT_EQ(h.counted(ops::series::kEventsRejected, {"slack", "slash_commands"}), 1);
  // Read together, committed together.
  EXPECT_EQ(batches.count() - batches_before, 1u);

  const auto inc = h.store->current_incident("slack", "C1", IncidentView::all());
  ASSERT_TRUE(inc);
  std::vector<std::string> texts;
  for (const auto& e : inc->timeline) texts.push_back(e.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"Incident declared: Disk full", "one", "three"}));
  // Each acked command got its own confirmation in its ack.
  for (const auto* e : {&one, &three}) {
    const auto& ack = h.fake.acks()[ack_position(h, *e)];
    EXPECT_FALSE(ack.payload.is_null());
  }
}

TEST(SlackBatch, ACommandSeesWhatAnEarlierOneInItsBatchDid) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  const auto start = slash_envelope("start Checkout errors");
  const auto log = slash_envelope("log restarted the pool");
  const auto other = slash_envelope("start Search slow", "U2", "C2");
  for (const auto* e : {&start, &log, &other}) h.fake.send(*e);
  ASSERT_TRUE(h.run_until([&] { return acked(h, start) && acked(h, log) && acked(h, other); }));
  // The log found the incident its batch had just opened; the other channel got the next
  // number, handed out inside the same batch.
  const auto c1 = h.store->current_incident("slack", "C1", IncidentView::all());
  const auto c2 = h.store->current_incident("slack", "C2", IncidentView::all());
  ASSERT_TRUE(c1 && c2);
  EXPECT_EQ(c1->number, 1);
  EXPECT_EQ(c2->number, 2);
  ASSERT_EQ(c1->timeline.size(), 2u);
  EXPECT_EQ(c1->timeline[1].text, "restarted the pool");
}

TEST(SlackBatch, APushpinWaitingForItsMessageHoldsUpOnlyItsChannel) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  ASSERT_TRUE(h.deliver(slash_envelope("start Search slow", "U2", "C2")));
  const std::string original = "1795960500.250000";
  h.fake.seed_message("C1", original, "U2", "the primary is failing over");
  h.fake.delay_next("conversations.history", 400ms);

  const auto pin =
      event_envelope(reaction_event("U3", "pushpin", "C1", original, slack_ts(h.now)), "EvPinSlow");
  const auto behind = slash_envelope("log after the pin");  // C1: must wait its turn
  const auto elsewhere = slash_envelope("log unrelated", "U2", "C2");
  for (const auto* e : {&pin, &behind, &elsewhere}) h.fake.send(*e);

  ASSERT_TRUE(h.run_until([&] { return acked(h, elsewhere); }, 300ms))
      << "another channel waited for the look-up";
  EXPECT_FALSE(acked(h, pin));
  EXPECT_FALSE(acked(h, behind));
  ASSERT_TRUE(h.run_until([&] { return acked(h, pin) && acked(h, behind); }));
  EXPECT_LT(ack_position(h, pin), ack_position(h, behind));
  const auto c1 = h.store->current_incident("slack", "C1", IncidentView::all());
  ASSERT_EQ(c1->timeline.size(), 3u);
  EXPECT_EQ(c1->timeline[1].text, "the primary is failing over");
  EXPECT_EQ(c1->timeline[2].text, "after the pin");
}

// 📌s in several channels whose look-ups finish together are recorded together: one commit (one
// fsync with power durability), not one each.
TEST(SlackBatch, PinsWhoseLookUpsFinishTogetherShareOneCommit) {
  SlackHarness h;
  int batches = 0;
  h.options.on_durable = [&](std::string_view step) { batches += step == "batch"; };
  ASSERT_TRUE(h.start_ready());
  // As many channels as the Web API client keeps connections (HttpOptions::max_connections), so
  // every look-up is under way at once.
  constexpr int kChannels = 4;
  for (int c = 0; c < kChannels; ++c) {
    ASSERT_TRUE(h.deliver(
        slash_envelope("start Outage " + std::to_string(c), "U1", "CP" + std::to_string(c))));
  }
  auto pin_round = [&](int round) {
    std::vector<nlohmann::json> pins;
    for (int c = 0; c < kChannels; ++c) {
      const std::string channel = "CP" + std::to_string(c);
      const std::string ts = "179596060" + std::to_string(round) + ".00000" + std::to_string(c);
      h.fake.seed_message(channel, ts, "U2", "fact " + std::to_string(round) + " in " + channel);
      pins.push_back(event_envelope(reaction_event("U3", "pushpin", channel, ts, slack_ts(h.now)),
                                    "EvPinTogether" + std::to_string(round * 10 + c)));
    }
    for (const auto& pin : pins) h.fake.send(pin);
    return h.run_until([&] {
      return std::all_of(pins.begin(), pins.end(), [&](const auto& p) { return acked(h, p); });
    });
  };
  ASSERT_TRUE(pin_round(0));  // the connections are open and kept alive from here on
  h.fake.delay_next("conversations.history", 200ms, kChannels);
  batches = 0;
  ASSERT_TRUE(pin_round(1));
  // One commit here; fewer than one per look-up even on a machine too busy to gather them all.
  EXPECT_LT(batches, kChannels) << "a commit for each look-up";
  for (int c = 0; c < kChannels; ++c) {
    const auto inc =
        h.store->current_incident("slack", "CP" + std::to_string(c), IncidentView::all());
    ASSERT_EQ(inc->timeline.size(), 3u);
    EXPECT_EQ(inc->timeline[2].text, "fact 1 in CP" + std::to_string(c));
  }
}

// Look-ups slower than the 📌s arriving: at most held_max envelopes wait in memory; the rest are
// left unacknowledged, and their redeliveries, once the look-ups caught up, are each stored once.
TEST(SlackBatch, PinsBeyondWhatLookUpsCanHoldAreLeftForSlackToDeliverAgain) {
  SlackHarness h;
  h.options.held_max = 3;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  h.fake.delay_next("conversations.history", 300ms, 3);
  std::vector<nlohmann::json> pins;
  for (int n = 0; n < 8; ++n) {
    const std::string ts = "1795960500.25000" + std::to_string(n);
    h.fake.seed_message("C1", ts, "U2", "fact " + std::to_string(n));
    pins.push_back(event_envelope(reaction_event("U3", "pushpin", "C1", ts, slack_ts(h.now)),
                                  "EvPinFlood" + std::to_string(n)));
    h.fake.send(pins.back());
  }
  ASSERT_TRUE(h.run_until([&] { return acked(h, pins[0]) && acked(h, pins[2]); }));
  h.run_for(200ms);
  std::vector<nlohmann::json> again;
  for (const auto& pin : pins) {
    if (!acked(h, pin)) again.push_back(pin);
  }
  EXPECT_EQ(again.size(), 5u) << "held beyond held_max, or refused within it";
  EXPECT_EQ(h.counted(ops::series::kEventsRejected, {"slack", "events_api"}), 5);
  for (auto& pin : again) {
    pin["envelope_id"] = next_envelope_id();
    pin["retry_attempt"] = 1;
    ASSERT_TRUE(h.deliver(pin));
  }
  const auto c1 = h.store->current_incident("slack", "C1", IncidentView::all());
  ASSERT_EQ(c1->timeline.size(), 9u);  // the declaration, then each fact once
  for (int n = 0; n < 8; ++n) {
    EXPECT_EQ(std::count_if(
                  c1->timeline.begin(), c1->timeline.end(),
                  [&](const TimelineEntry& e) { return e.text == "fact " + std::to_string(n); }),
              1)
        << n;
  }
}

}  // namespace
}  // namespace incident::testing
