// The Store port's contract, one set of cases run against every implementation: the in-memory
// store the domain tests use, and the SQLite and PostgreSQL stores the bot runs on. A case here
// that one store fails means the domain tests prove less than they seem to.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>

#include "storage/pg_store.h"
#include "storage/sqlite_store.h"
#include "support/memory_store.h"
#include "support/pg_server.h"

namespace incident {
namespace {

namespace fs = std::filesystem;
using testing::PgServer;

const TimePoint t0 = from_unix_ms(1'764'424'800'000);  // 2025-11-29 14:00:00 UTC

Change opened(std::int64_t n, const std::string& channel) {
  return {n, change::Opened{"slack", channel, "Checkout errors", Severity::sev2, t0}};
}
Change logged(std::int64_t n, std::int64_t seq, const std::string& text) {
  return {n, change::EntryAdded{TimelineEntry{seq, t0, Source::command, "U1", text, "", false}}};
}
OutboxItem request(const std::string& key, const std::string& txn) {
  return {0, "matrix", key, "!room:x", "send", txn, R"({"content":{"body":"private"}})"};
}
Reply said(const std::string& text) {
  return {Audience::channel, text, ""};
}

struct MemoryFactory {
  std::unique_ptr<Store> open() { return std::make_unique<testing::MemoryStore>(); }
};

struct SqliteFactory {
  SqliteFactory() { fs::remove(path); }
  ~SqliteFactory() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
  }
  std::unique_ptr<Store> open() { return std::make_unique<SqliteStore>(path, Durability::process); }
  std::string path = (fs::temp_directory_path() /
                      ("incident-bot-contract-" + std::to_string(::getpid()) + "-" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db"))
                         .string();
};

// PostgreSQL on the throwaway server (support/pg_server.h), a fresh database per case; skipped,
// saying why, where no server can be started.
struct PgFactory {
  std::unique_ptr<Store> open() {
    return std::make_unique<PgStore>(PgServer::shared()->fresh_database(), Durability::process);
  }
  static std::string unavailable() {
    return PgServer::shared() ? "" : "PostgreSQL leg skipped: " + PgServer::unavailable();
  }
};

template <typename Factory>
class StoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    if constexpr (requires { Factory::unavailable(); }) {
      if (const auto why = Factory::unavailable(); !why.empty()) GTEST_SKIP() << why;
    }
    store_ = factory_.open();
  }
  Factory factory_;
  std::unique_ptr<Store> store_;
  Store& store() { return *store_; }
};

using Stores = ::testing::Types<MemoryFactory, SqliteFactory, PgFactory>;
TYPED_TEST_SUITE(StoreContract, Stores);

TYPED_TEST(StoreContract, AUnitIsCommittedOnceAndADuplicateChangesNothing) {
  Store& s = this->store();
  EXPECT_EQ(s.next_incident_number(), 1);
  EXPECT_EQ(
      s.commit({"slack:Ev1", {opened(1, "C1"), logged(1, 1, "declared")}, {said("INC-1")}, {}, {}}),
      CommitResult::committed);
  EXPECT_EQ(s.next_incident_number(), 2);
  EXPECT_EQ(*s.find_processed("slack:Ev1"), std::vector<Reply>{said("INC-1")});

  // The same key again, with other effects: nothing of them lands, the first replies stand.
  EXPECT_EQ(s.commit({"slack:Ev1", {logged(1, 2, "again")}, {said("other")}, {}, {}}),
            CommitResult::duplicate);
  const auto inc = s.current_incident("slack", "C1", IncidentView::all());
  ASSERT_TRUE(inc);
  ASSERT_EQ(inc->timeline.size(), 1u);
  EXPECT_EQ(inc->timeline[0].text, "declared");
  EXPECT_EQ(*s.find_processed("slack:Ev1"), std::vector<Reply>{said("INC-1")});
  EXPECT_FALSE(s.find_processed("slack:Ev2"));
}

// Milestones are kept per name (set again: moved), and the worst severity outlives a calmer one.
TYPED_TEST(StoreContract, MilestonesAndTheWorstSeverityAreKept) {
  Store& s = this->store();
  const auto at = [](int minutes) { return t0 + std::chrono::minutes{minutes}; };
  ASSERT_EQ(s.commit({"a",
                      {opened(1, "C1"),
                       {1, change::MilestoneSet{Milestone::detected, at(-5)}},
                       {1, change::SeveritySet{Severity::sev1}},
                       {1, change::SeveritySet{Severity::sev3}}},
                      {},
                      {},
                      {}}),
            CommitResult::committed);
  ASSERT_EQ(s.commit({"b",
                      {{1, change::MilestoneSet{Milestone::detected, at(-7)}},
                       {1, change::MilestoneSet{Milestone::started, at(-20)}}},
                      {},
                      {},
                      {}}),
            CommitResult::committed);
  const auto inc = s.current_incident("slack", "C1", IncidentView::header_only());
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->severity, Severity::sev3);
  EXPECT_EQ(inc->peak_severity, Severity::sev1);
  const std::map<Milestone, TimePoint> want{{Milestone::started, at(-20)},
                                            {Milestone::detected, at(-7)}};
  EXPECT_EQ(inc->milestones, want);
}

TYPED_TEST(StoreContract, APrivateIncidentIsKeptPrivate) {
  Store& s = this->store();
  Change open = opened(1, "C1");
  std::get<change::Opened>(open.body).is_private = true;
  ASSERT_EQ(s.commit({"a", {open, opened(2, "C2")}, {}, {}, {}}), CommitResult::committed);
  EXPECT_TRUE(s.current_incident("slack", "C1", IncidentView::header_only())->is_private);
  EXPECT_FALSE(s.current_incident("slack", "C2", IncidentView::header_only())->is_private);
  const auto open_now = s.open_incidents();
  ASSERT_EQ(open_now.size(), 2u);
  EXPECT_TRUE(open_now[0].is_private);
  EXPECT_FALSE(open_now[1].is_private);
}

TYPED_TEST(StoreContract, TheIncidentTypeIsKept) {
  Store& s = this->store();
  Change open = opened(1, "C1");
  std::get<change::Opened>(open.body).is_security = true;
  ASSERT_EQ(s.commit({"a", {open}, {}, {}, {}}), CommitResult::committed);
  EXPECT_TRUE(s.current_incident("slack", "C1", IncidentView::header_only())->is_security);
  ASSERT_EQ(s.commit({"b", {{1, change::TypeSet{false}}}, {}, {}, {}}), CommitResult::committed);
  EXPECT_FALSE(s.current_incident("slack", "C1", IncidentView::header_only())->is_security);
}

TYPED_TEST(StoreContract, ATakenIncidentNumberIsAConflictAndWritesNothing) {
  Store& s = this->store();
  ASSERT_EQ(s.commit({"a", {opened(1, "C1")}, {}, {}, {}}), CommitResult::committed);
  // Another writer opened INC-1 between this decision's read and its commit.
  EXPECT_EQ(s.commit({"b",
                      {opened(1, "C2"), logged(1, 1, "x")},
                      {said("INC-1")},
                      {request("b#0", "t")},
                      {{"matrix.next_batch", "s9"}}}),
            CommitResult::conflict);
  EXPECT_FALSE(s.find_processed("b"));
  EXPECT_FALSE(s.current_incident("slack", "C2", IncidentView::all()));
  EXPECT_TRUE(s.pending_requests("matrix").empty());
  EXPECT_FALSE(s.cursor("matrix.next_batch"));
  // Decided again on a fresh read, it goes through.
  EXPECT_EQ(s.commit({"b", {opened(s.next_incident_number(), "C2")}, {said("INC-2")}, {}, {}}),
            CommitResult::committed);
}

TYPED_TEST(StoreContract, RequestsAndThePositionCommitWithTheEffects) {
  Store& s = this->store();
  ASSERT_EQ(s.commit({"matrix:$a",
                      {opened(1, "!room:x")},
                      {said("INC-1")},
                      {request("matrix:$a#0", "txn-1"), request("matrix:$a#1", "txn-2")},
                      {{"matrix.next_batch", "s1"}}}),
            CommitResult::committed);
  EXPECT_EQ(s.cursor("matrix.next_batch"), "s1");
  auto pending = s.pending_requests("matrix");
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].key, "matrix:$a#0");
  EXPECT_EQ(pending[0].txn_id, "txn-1");
  EXPECT_EQ(pending[1].key, "matrix:$a#1");
  EXPECT_LT(pending[0].id, pending[1].id);
  EXPECT_TRUE(s.pending_requests("slack").empty());

  // A replayed event: a duplicate for its effects, its requests keep their first txnId, and the
  // position still moves past it.
  EXPECT_EQ(s.commit({"matrix:$a",
                      {},
                      {said("INC-1")},
                      {request("matrix:$a#0", "txn-other")},
                      {{"matrix.next_batch", "s2"}}}),
            CommitResult::duplicate);
  EXPECT_EQ(s.cursor("matrix.next_batch"), "s2");
  pending = s.pending_requests("matrix");
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].txn_id, "txn-1");

  // A unit without an event: a batch that had nothing in it still stores its position.
  EXPECT_EQ(s.commit({{}, {}, {}, {}, {{"matrix.next_batch", "s3"}}}), CommitResult::committed);
  EXPECT_EQ(s.cursor("matrix.next_batch"), "s3");
  EXPECT_FALSE(s.cursor("slack.other"));
}

TYPED_TEST(StoreContract, AFinishedRequestKeepsItsResultButNotItsText) {
  Store& s = this->store();
  ASSERT_EQ(s.commit({{}, {}, {}, {request("sent", "t1"), request("refused", "t2")}, {}}),
            CommitResult::committed);
  const auto pending = s.pending_requests("matrix");
  ASSERT_EQ(pending.size(), 2u);
  s.finish_request(pending[0].id, true, "$event");
  s.finish_request(pending[1].id, false);
  EXPECT_TRUE(s.pending_requests("matrix").empty());
  EXPECT_EQ(s.request_result("sent"), "$event");
  EXPECT_FALSE(s.request_result("refused"));
  EXPECT_FALSE(s.request_result("unknown"));
  // Still known, so a replay does not send it twice.
  s.commit({{}, {}, {}, {request("sent", "t3")}, {}});
  EXPECT_TRUE(s.pending_requests("matrix").empty());

  // Pruned once old enough: only finished ones go.
  s.commit({{}, {}, {}, {request("waiting", "t4")}, {}});
  const auto later = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now()) +
                     std::chrono::hours{1};
  EXPECT_EQ(s.prune_requests(later), 2);
  EXPECT_FALSE(s.request_result("sent"));
  EXPECT_EQ(s.pending_requests("matrix").size(), 1u);
}

TYPED_TEST(StoreContract, PendingRequestsComeOldestFirstUpToTheLimit) {
  Store& s = this->store();
  for (int i = 0; i < 5; ++i) {
    s.commit({{}, {}, {}, {request("k" + std::to_string(i), "t" + std::to_string(i))}, {}});
  }
  const auto two = s.pending_requests("matrix", 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].key, "k0");
  EXPECT_EQ(two[1].key, "k1");
}

TYPED_TEST(StoreContract, AViewOfOneMessageCarriesOnlyItsEntries) {
  Store& s = this->store();
  ASSERT_TRUE(s.commit({"k",
                        {opened(1, "C1"),
                         {1, change::EntryAdded{TimelineEntry{1, t0, Source::pin, "U1", "pinned",
                                                              "m-1", false}}},
                         logged(1, 2, "typed")},
                        {},
                        {},
                        {}}) == CommitResult::committed);
  const auto one = s.current_incident("slack", "C1", IncidentView::header_only("m-1"));
  ASSERT_TRUE(one);
  EXPECT_FALSE(one->complete);
  ASSERT_EQ(one->timeline.size(), 1u);
  EXPECT_EQ(one->timeline[0].text, "pinned");
  const auto whole = s.current_incident("slack", "C1", IncidentView::all());
  EXPECT_TRUE(whole->complete);
  EXPECT_EQ(whole->timeline.size(), 2u);
  EXPECT_FALSE(s.current_incident("slack", "C1", IncidentView::all(7)));
  EXPECT_FALSE(s.current_incident("matrix", "C1", IncidentView::all()));
}

// --- group commit ---------------------------------------------------------------------------

TYPED_TEST(StoreContract, ALaterUnitInABatchSeesWhatEarlierOnesDid) {
  Store& s = this->store();
  StoreBatch batch(s);
  ASSERT_EQ(s.commit({"e1", {opened(1, "C1")}, {said("INC-1")}, {}, {}}), CommitResult::committed);
  // The number is handed out, the incident is there, the key is taken: all before the commit.
  EXPECT_EQ(s.next_incident_number(), 2);
  ASSERT_TRUE(s.current_incident("slack", "C1", IncidentView::header_only()));
  EXPECT_EQ(s.commit({"e1", {logged(1, 1, "again")}, {said("other")}, {}, {}}),
            CommitResult::duplicate);
  EXPECT_EQ(s.commit({"e2", {logged(1, 1, "first fact")}, {}, {}, {}}), CommitResult::committed);
  // Another writer's number, taken by an earlier unit of the same batch: a conflict that takes
  // back only its own unit.
  EXPECT_EQ(s.commit({"e3", {opened(1, "C2"), logged(1, 2, "x")}, {}, {request("e3#0", "t")}, {}}),
            CommitResult::conflict);
  EXPECT_EQ(s.commit({"e4", {}, {}, {}, {{"matrix.next_batch", "s4"}}}), CommitResult::committed);
  batch.commit();

  EXPECT_EQ(*s.find_processed("e1"), std::vector<Reply>{said("INC-1")});
  EXPECT_TRUE(s.find_processed("e2"));
  EXPECT_FALSE(s.find_processed("e3"));
  EXPECT_TRUE(s.pending_requests("matrix").empty());
  EXPECT_EQ(s.cursor("matrix.next_batch"), "s4");
  const auto inc = s.current_incident("slack", "C1", IncidentView::all());
  ASSERT_TRUE(inc);
  ASSERT_EQ(inc->timeline.size(), 1u);
  EXPECT_EQ(inc->timeline[0].text, "first fact");
  EXPECT_FALSE(s.current_incident("slack", "C2", IncidentView::all()));
}

TYPED_TEST(StoreContract, AnAbandonedBatchLeavesNothing) {
  Store& s = this->store();
  ASSERT_EQ(s.commit({"before", {opened(1, "C1")}, {}, {}, {}}), CommitResult::committed);
  {
    StoreBatch batch(s);
    ASSERT_EQ(s.commit({"e1",
                        {logged(1, 1, "fact")},
                        {},
                        {request("e1#0", "t")},
                        {{"matrix.next_batch", "s1"}}}),
              CommitResult::committed);
    ASSERT_EQ(s.commit({"e2", {opened(2, "C2")}, {}, {}, {}}), CommitResult::committed);
  }  // not committed: the destructor abandons it
  EXPECT_TRUE(s.find_processed("before"));
  EXPECT_FALSE(s.find_processed("e1"));
  EXPECT_FALSE(s.find_processed("e2"));
  EXPECT_TRUE(s.pending_requests("matrix").empty());
  EXPECT_FALSE(s.cursor("matrix.next_batch"));
  EXPECT_EQ(s.next_incident_number(), 2);
  EXPECT_TRUE(s.current_incident("slack", "C1", IncidentView::all())->timeline.empty());
  // And the store takes the next batch as usual.
  StoreBatch again(s);
  EXPECT_EQ(s.commit({"e1", {logged(1, 1, "fact")}, {}, {}, {}}), CommitResult::committed);
  again.commit();
  EXPECT_TRUE(s.find_processed("e1"));
}

}  // namespace
}  // namespace incident
