// The engine: effects and the idempotency key commit together; a redelivery changes nothing.
#include <gtest/gtest.h>

#include "bot/engine/engine.h"
#include "prompts/embedded.h"
#include "support/events.h"
#include "support/memory_store.h"

namespace incident {
namespace {

using testing::at;
using testing::command;

class EngineTest : public ::testing::Test {
 protected:
  Prompts prompts_ = Prompts::load(embedded_prompts());
  testing::MemoryStore store_;
  Engine engine_{store_, prompts_};
};

IncidentView view_of(const InboundEvent& e) {
  return view_for(e, parse_event_command(e));
}

TEST(ViewFor, OnlyWhatReadsEveryEntryAsksForTheWholeRecord) {
  using testing::event;
  for (const char* text : {"status", "close fixed", "draft", "share"}) {
    EXPECT_TRUE(view_of(command("k", text, at(10, 0))).whole) << text;
  }
  for (const char* text : {"log it happened", "start x", "action fix it", "done 1", "severity sev2",
                           "role scribe @U2", "postmortem", "help", "nonsense", "log"}) {
    const IncidentView v = view_of(command("k", text, at(10, 0)));
    EXPECT_FALSE(v.whole) << text;
    EXPECT_EQ(v.message_ref, "") << text;
  }
  EXPECT_EQ(view_of(command("k", "draft INC-3", at(10, 0))).number, 3);
  const IncidentView pin = view_of(event("k", in::Pin{"m-7", "U2", "text", at(9, 0)}, at(10, 0)));
  EXPECT_FALSE(pin.whole);
  EXPECT_EQ(pin.message_ref, "m-7");
  EXPECT_EQ(view_of(event("k", in::Edited{"m-8", "new"}, at(10, 0))).message_ref, "m-8");
  EXPECT_EQ(view_of(event("k", in::Deleted{"m-9"}, at(10, 0))).message_ref, "m-9");
}

TEST(ParseEventCommand, CutsCredentialsBeforeParsing) {
  const auto parsed = parse_event_command(
      command("k", "log rotated AKIAIOSFODNN7EXAMPLE after the leak", at(10, 0)));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->secrets.size(), 1u);
  const auto* log = std::get_if<cmd::Log>(&std::get<Command>(parsed->result));
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->text.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos) << log->text;
  EXPECT_FALSE(parse_event_command(testing::event("k", in::Deleted{"m-9"}, at(10, 0))));
}

// The engine asks for the header only where it can; a long timeline still numbers, dedupes and
// edits right, because the summary carries the last seq and the entries an event names.
TEST_F(EngineTest, SummaryViewsKeepSequenceDedupeAndEditsRight) {
  using testing::event;
  engine_.handle(command("s", "start outage", at(10, 0)));
  for (int i = 0; i < 30; ++i) {
    auto e = command("l" + std::to_string(i), "log fact " + std::to_string(i), at(10, 1));
    engine_.handle(e);
  }
  engine_.handle(event("p1", in::Pin{"m-x", "U2", "pinned text", at(9, 0)}, at(10, 2)));
  engine_.handle(event("p2", in::Pin{"m-x", "U2", "pinned text", at(9, 0)}, at(10, 3)));
  engine_.handle(event("e1", in::Edited{"ref-l3", "log fact three"}, at(10, 4)));
  const auto inc = store_.current_incident("slack", "C1", IncidentView::all());
  ASSERT_TRUE(inc);
  ASSERT_EQ(inc->timeline.size(), 32u);  // started, 30 facts, one pin however often pinned
  for (std::size_t i = 0; i < inc->timeline.size(); ++i) {
    EXPECT_EQ(inc->timeline[i].seq, static_cast<std::int64_t>(i) + 1);
  }
  EXPECT_EQ(inc->timeline[4].text, "fact three");
}

TEST_F(EngineTest, TheSameKeyTwiceChangesNothingAndRepliesTheSame) {
  const auto first = engine_.handle(command("1", "start Outage sev2", at(10, 0)));
  EXPECT_FALSE(first.duplicate);
  const auto log = command("2", "log the database failed over", at(10, 5));
  const auto a = engine_.handle(log);
  const auto b = engine_.handle(log);
  EXPECT_FALSE(a.duplicate);
  EXPECT_TRUE(b.duplicate);
  EXPECT_EQ(a.replies, b.replies);
  EXPECT_EQ(store_.incidents().at(1).timeline.size(), 2u);
}

// Another process (a second bot on the same database) opens INC-1 between this engine's read
// and its commit: the store says conflict, and the engine decides again on fresh reads.
class RacedStore final : public Store {
 public:
  explicit RacedStore(Store& inner) : inner_(inner) {}
  std::optional<std::vector<Reply>> find_processed(const std::string& key) override {
    return inner_.find_processed(key);
  }
  std::optional<Incident> current_incident(const std::string& platform, const std::string& channel,
                                           const IncidentView& view) override {
    return inner_.current_incident(platform, channel, view);
  }
  std::int64_t next_incident_number() override { return inner_.next_incident_number(); }
  CommitResult commit(const UnitOfWork& work) override {
    if (!raced_) {
      raced_ = true;
      inner_.commit({"other:1",
                     {{1, change::Opened{"slack", "C9", "elsewhere", Severity::unset, at(9, 0)}}},
                     {},
                     {},
                     {}});
    }
    return inner_.commit(work);
  }
  void begin_batch() override { inner_.begin_batch(); }
  void end_batch() override { inner_.end_batch(); }
  void abandon_batch() override { inner_.abandon_batch(); }
  void fence(const std::string& role, std::int64_t epoch) override { inner_.fence(role, epoch); }
  std::vector<OpenIncident> open_incidents() override { return inner_.open_incidents(); }
  std::vector<FollowedIncident> followed_incidents(const std::string& p, TimePoint s) override {
    return inner_.followed_incidents(p, s);
  }
  std::vector<FollowedIncident> with_overdue_actions(const std::string& p, Date d) override {
    return inner_.with_overdue_actions(p, d);
  }
  std::vector<Escalation> open_cases(const std::string& p, const std::string& d) override {
    return inner_.open_cases(p, d);
  }
  std::optional<Escalation> case_by_ref(const std::string& p, const std::string& r) override {
    return inner_.case_by_ref(p, r);
  }
  int cases_since(const std::string& p, const std::string& d, TimePoint since) override {
    return inner_.cases_since(p, d, since);
  }
  int purge_private(TimePoint a, TimePoint b) override { return inner_.purge_private(a, b); }
  std::optional<std::string> cursor(const std::string& name) override {
    return inner_.cursor(name);
  }
  std::vector<OutboxItem> pending_requests(const std::string& p, std::size_t limit) override {
    return inner_.pending_requests(p, limit);
  }
  void finish_request(std::int64_t id, bool done, const std::string& result) override {
    inner_.finish_request(id, done, result);
  }
  std::optional<std::string> request_result(const std::string& key) override {
    return inner_.request_result(key);
  }
  int prune_requests(TimePoint before) override { return inner_.prune_requests(before); }

 private:
  Store& inner_;
  bool raced_ = false;
};

TEST_F(EngineTest, ANumberTakenMeanwhileIsDecidedAgain) {
  RacedStore raced(store_);
  Engine engine(raced, prompts_);
  const auto o = engine.handle(command("s", "start checkout errors", at(10, 0)));
  EXPECT_FALSE(o.duplicate);
  ASSERT_FALSE(o.replies.empty());
  EXPECT_NE(o.replies.at(0).text.find("INC-2"), std::string::npos) << o.replies.at(0).text;
  const auto inc = store_.current_incident("slack", "C1", IncidentView::all());
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->number, 2);
  EXPECT_EQ(store_.current_incident("slack", "C9", IncidentView::all())->number, 1);
}

TEST_F(EngineTest, ARedeliveredStartDoesNotOpenASecondIncident) {
  const auto start = command("1", "start Outage", at(10, 0));
  engine_.handle(start);
  engine_.handle(command("2", "close", at(10, 30)));
  // Redelivered after the close: still the original reply, and no INC-2.
  const auto again = engine_.handle(start);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(store_.incidents().size(), 1u);
}

TEST_F(EngineTest, ReadOnlyCommandsAndErrorsAreRecordedToo) {
  // Even an event that changes nothing is remembered, so its redelivery is answered the same.
  const auto bad = command("1", "log", at(10, 0));
  const auto a = engine_.handle(bad);
  const auto b = engine_.handle(bad);
  EXPECT_TRUE(b.duplicate);
  EXPECT_EQ(a.replies, b.replies);
  EXPECT_EQ(store_.commits, 1);
}

TEST_F(EngineTest, RepliesInThePostmortemThreadFeedTheReview) {
  engine_.handle(command("1", "start Outage", at(10, 0)));
  engine_.handle(command("2", "close", at(11, 0)));
  const auto pm = engine_.handle(command("3", "postmortem", at(11, 5)));
  ASSERT_EQ(pm.replies.size(), 1u);
  ASSERT_EQ(pm.replies[0].anchor, Anchor::postmortem);
  EXPECT_EQ(pm.replies[0].incident, 1);
  engine_.anchor_posted("slack", pm.replies[0], "root-1");
  engine_.anchor_posted("slack", pm.replies[0], "root-1");  // reported twice: harmless

  using testing::event;
  engine_.handle(
      event("4", in::ThreadReply{"root-1", "the alert threshold was too high"}, at(11, 10), "U2"));
  engine_.handle(event("5", in::ThreadReply{"another-thread", "unrelated chatter"}, at(11, 11)));
  const auto& inc = store_.incidents().at(1);
  ASSERT_EQ(inc.review.size(), 1u);
  EXPECT_EQ(inc.review[0].text, "the alert threshold was too high");
  const auto draft = engine_.handle(command("6", "draft", at(11, 20)));
  EXPECT_NE(draft.replies.at(0).text.find("the alert threshold was too high"), std::string::npos);
  EXPECT_EQ(draft.replies.at(0).text.find("unrelated chatter"), std::string::npos);
}

TEST_F(EngineTest, IncidentsInDifferentChannelsAreIndependent) {
  engine_.handle(command("1", "start A", at(10, 0), "U1", "C1"));
  const auto second = engine_.handle(command("2", "start B", at(10, 1), "U1", "C2"));
  ASSERT_EQ(second.replies.size(), 1u);
  EXPECT_NE(second.replies[0].text.find("INC-2"), std::string::npos);
  engine_.handle(command("3", "log only in A", at(10, 2), "U1", "C1"));
  EXPECT_EQ(store_.incidents().at(1).timeline.size(), 2u);
  EXPECT_EQ(store_.incidents().at(2).timeline.size(), 1u);
}

}  // namespace
}  // namespace incident
