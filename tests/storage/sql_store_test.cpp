// What SQLite and PostgreSQL share (SqlStore), run on both: every field survives a reopen,
// views, edits and deletes, idempotency, rollbacks, one open incident per channel, cursors and
// batches. The PostgreSQL leg runs on a throwaway server (support/pg_server.h), a fresh database
// per test, and is skipped, saying why, where none can be started.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "storage/pg.h"
#include "storage/pg_store.h"
#include "storage/sqlite_store.h"
#include "storage/test_changes.h"
#include "support/commit.h"
#include "support/pg_server.h"

namespace incident {
namespace {

namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using testing::closed;
using testing::entry;
using testing::opened;
using testing::PgServer;
using testing::t0;

// A fresh SQLite file per test.
struct SqliteEngine {
  SqliteEngine() {
    std::string pattern = (fs::temp_directory_path() / "incident-store-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error(std::strerror(errno));
    dir = pattern;
  }
  ~SqliteEngine() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  static std::string unavailable() { return ""; }
  std::unique_ptr<SqlStore> open(Durability durability) {
    return std::make_unique<SqliteStore>((dir / "bot.db").string(), durability);
  }
  // One value as stored, read past the store.
  std::string raw(const char* sql) {
    SQLite::Database db((dir / "bot.db").string());
    return db.execAndGet(sql).getString();
  }
  fs::path dir;
};

// A fresh database per test on the throwaway PostgreSQL.
struct PgEngine {
  static std::string unavailable() {
    return PgServer::shared() ? "" : "PostgreSQL leg skipped: " + PgServer::unavailable();
  }
  std::unique_ptr<SqlStore> open(Durability durability) {
    if (url.empty()) url = PgServer::shared()->fresh_database();
    return std::make_unique<PgStore>(url, durability);
  }
  std::string raw(const char* sql) {
    pg::Connection db(url);
    return std::string(db.exec(sql).text(0, 0));
  }
  std::string url;
};

template <typename Engine>
class SqlStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = Engine::unavailable(); !why.empty()) GTEST_SKIP() << why;
  }
  // The test's store, opened again on each call: a reopen sees only what was committed.
  std::unique_ptr<SqlStore> open(Durability durability) { return engine_.open(durability); }
  std::string raw(const char* sql) { return engine_.raw(sql); }

 private:
  Engine engine_;
};

using Engines = ::testing::Types<SqliteEngine, PgEngine>;
TYPED_TEST_SUITE(SqlStoreTest, Engines);

void expect_same(const TimelineEntry& a, const TimelineEntry& b) {
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.at, b.at);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.author, b.author);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.message_ref, b.message_ref);
  EXPECT_EQ(a.deleted, b.deleted);
}
void expect_same(const ActionItem& a, const ActionItem& b) {
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.owner, b.owner);
  EXPECT_EQ(a.due, b.due);
  EXPECT_EQ(a.done, b.done);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.author, b.author);
}
void expect_same(const ReviewReply& a, const ReviewReply& b) {
  EXPECT_EQ(a.at, b.at);
  EXPECT_EQ(a.author, b.author);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.message_ref, b.message_ref);
  EXPECT_EQ(a.deleted, b.deleted);
}
void expect_same(const Incident& a, const Incident& b) {
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.platform, b.platform);
  EXPECT_EQ(a.channel, b.channel);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.severity, b.severity);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.opened_at, b.opened_at);
  EXPECT_EQ(a.closed_at, b.closed_at);
  EXPECT_EQ(a.resolution, b.resolution);
  EXPECT_EQ(a.roles, b.roles);
  EXPECT_EQ(a.facilitator, b.facilitator);
  EXPECT_EQ(a.postmortem_ref, b.postmortem_ref);
  EXPECT_EQ(a.entries, b.entries);
  EXPECT_EQ(a.complete, b.complete);
  EXPECT_EQ(a.declared_in, b.declared_in);
  ASSERT_EQ(a.notifications.size(), b.notifications.size());
  for (std::size_t i = 0; i < a.notifications.size(); ++i) {
    EXPECT_EQ(a.notifications[i].number, b.notifications[i].number);
    EXPECT_EQ(a.notifications[i].who, b.notifications[i].who);
    EXPECT_EQ(a.notifications[i].by, b.notifications[i].by);
    EXPECT_EQ(a.notifications[i].done_at, b.notifications[i].done_at);
    EXPECT_EQ(a.notifications[i].created_at, b.notifications[i].created_at);
    EXPECT_EQ(a.notifications[i].author, b.notifications[i].author);
  }
  ASSERT_EQ(a.timeline.size(), b.timeline.size());
  for (std::size_t i = 0; i < a.timeline.size(); ++i) expect_same(a.timeline[i], b.timeline[i]);
  ASSERT_EQ(a.actions.size(), b.actions.size());
  for (std::size_t i = 0; i < a.actions.size(); ++i) expect_same(a.actions[i], b.actions[i]);
  ASSERT_EQ(a.review.size(), b.review.size());
  for (std::size_t i = 0; i < a.review.size(); ++i) expect_same(a.review[i], b.review[i]);
}

TYPED_TEST(SqlStoreTest, EverythingSurvivesReopenIdentically) {
  const Date due = std::chrono::year{2025} / 12 / 15;
  const std::vector<Change> changes{
      opened(1, "#ops"),
      {1, change::RoleSet{Role::commander, "U1"}},
      entry(1, 1, "incident started", Source::system, t0),
      entry(1, 2, "failover finished", Source::command, t0 + minutes(5), "m-2"),
      entry(1, 3, "it was noticed at 13:50", Source::command, t0 - minutes(10), "m-3"),
      entry(1, 4, "pinned: 📌 \"quotes\"\nand a newline", Source::pin, t0 + hours(1), "m-4"),
      {1, change::RoleSet{Role::scribe, "U2"}},
      {1, change::RoleSet{Role::commander, "U3"}},  // replaces U1
      {1, change::SeveritySet{Severity::sev1}},
      {1, change::ActionAdded{ActionItem{1, "add alerting", "@U2", due, false, t0, "U1", ""}}},
      {1, change::ActionAdded{ActionItem{2, "write runbook", "", std::nullopt, false,
                                         t0 + minutes(1), "U3", ""}}},
      {1, change::ActionDone{1}},
      {1, change::EntryEdited{"m-2", "failover finished (edited)"}},
      {1, change::EntryDeleted{"m-3"}},
      closed(1, t0 + days(1) + minutes(7)),
      {1, change::FacilitatorSet{"U9", {}}},
      {1,
       change::ReviewAdded{ReviewReply{t0 + days(2), "U4", "the alert was noisy", "r-1", false}}},
      {1, change::ReviewAdded{ReviewReply{t0 + days(2), "U5", "runbook was stale", "r-2", false}}},
      {1, change::EntryEdited{"r-1", "the alert was too noisy"}},
      {1, change::EntryDeleted{"r-2"}},
      entry(1, 5, "thread fact", Source::thread, t0 + days(2), "r-3"),
      {1, change::NotificationAdded{Notification{1, "the regulator", t0 + days(3), std::nullopt,
                                                 t0 + hours(2), "U1"}}},
      {1, change::NotificationAdded{Notification{2, "customers", t0 + days(4), std::nullopt,
                                                 t0 + hours(3), "U3"}}},
      {1, change::NotificationDone{1, t0 + days(2) + hours(1)}},
      {1, change::ChannelMoved{"#general", "#ops"}},
  };
  Incident expected;
  expected.number = 1;
  expected.platform = "console";
  expected.channel = "#ops";
  expected.title = "DB failover 1";
  expected.severity = Severity::sev1;
  expected.status = Status::closed;
  expected.opened_at = t0;
  expected.closed_at = t0 + days(1) + minutes(7);
  expected.resolution = "rolled back";
  expected.roles = {{Role::commander, "U3"}, {Role::scribe, "U2"}};
  expected.facilitator = "U9";
  expected.timeline = {
      {1, t0, Source::system, "U1", "incident started", "", false},
      {2, t0 + minutes(5), Source::command, "U1", "failover finished (edited)", "m-2", false},
      {3, t0 - minutes(10), Source::command, "U1", "it was noticed at 13:50", "m-3", true},
      {4, t0 + hours(1), Source::pin, "U1", "pinned: 📌 \"quotes\"\nand a newline", "m-4", false},
      {5, t0 + days(2), Source::thread, "U1", "thread fact", "r-3", false},
  };
  expected.actions = {{1, "add alerting", "@U2", due, true, t0, "U1", ""},
                      {2, "write runbook", "", std::nullopt, false, t0 + minutes(1), "U3", ""}};
  expected.review = {{t0 + days(2), "U4", "the alert was too noisy", "r-1", false},
                     {t0 + days(2), "U5", "runbook was stale", "r-2", true}};
  expected.entries = 5;
  expected.declared_in = "#general";
  expected.notifications = {
      {1, "the regulator", t0 + days(3), t0 + days(2) + hours(1), t0 + hours(2), "U1"},
      {2, "customers", t0 + days(4), std::nullopt, t0 + hours(3), "U3"}};

  {
    auto store_owner = this->open(Durability::power);
    SqlStore& store = *store_owner;
    ASSERT_TRUE(testing::commit(store, "console:1", changes, {}));
    auto loaded = store.current_incident("console", "#ops", IncidentView::all());
    ASSERT_TRUE(loaded);
    expect_same(*loaded, expected);
  }
  auto store_owner = this->open(Durability::process);
  SqlStore& store = *store_owner;
  auto loaded = store.current_incident("console", "#ops", IncidentView::all());
  ASSERT_TRUE(loaded);
  expect_same(*loaded, expected);
  auto by_number = store.incident(1);
  ASSERT_TRUE(by_number);
  expect_same(*by_number, expected);
  EXPECT_EQ(store.next_incident_number(), 2);
  // Closed and reviewed, but a notification is still due: its reminders are looked for.
  EXPECT_EQ(store.followed_incidents("console", t0 + days(3)).size(), 1u);
  EXPECT_TRUE(store.followed_incidents("console", t0 + days(5)).empty());

  auto list = store.list_incidents();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].number, 1);
  EXPECT_EQ(list[0].title, "DB failover 1");
  EXPECT_EQ(list[0].severity, Severity::sev1);
  EXPECT_EQ(list[0].status, Status::closed);
  EXPECT_EQ(list[0].opened_at, t0);
  EXPECT_EQ(list[0].closed_at, expected.closed_at);
  EXPECT_EQ(list[0].timeline_entries, 4);  // the deleted one is not counted
  EXPECT_EQ(list[0].actions, 2);
  EXPECT_EQ(list[0].open_actions, 1);

  // Stored as readable text, per the schema's conventions.
  EXPECT_EQ(this->raw("SELECT severity FROM incidents"), "sev1");
  EXPECT_EQ(this->raw("SELECT source FROM timeline WHERE seq = 4"), "pin");
  EXPECT_EQ(this->raw("SELECT role FROM roles WHERE \"user\" = 'U2'"), "scribe");
  EXPECT_EQ(this->raw("SELECT due FROM actions WHERE number = 1"), "2025-12-15");
}

TYPED_TEST(SqlStoreTest, SummaryViewHoldsOnlyTheEntriesItNames) {
  auto store_owner = this->open(Durability::process);
  SqlStore& store = *store_owner;
  ASSERT_TRUE(testing::commit(
      store, "k1",
      {opened(1, "#ops"),
       {1, change::RoleSet{Role::commander, "U1"}},
       entry(1, 1, "started", Source::system, t0),
       entry(1, 2, "fact", Source::command, t0, "m-2"),
       entry(1, 3, "pinned", Source::pin, t0, "m-3"),
       {1, change::EntryDeleted{"m-3"}},
       {1, change::ActionAdded{ActionItem{1, "fix it", "", std::nullopt, false, t0, "U1", ""}}},
       {1, change::ReviewAdded{ReviewReply{t0, "U4", "a reply", "r-1", false}}}},
      {}));

  auto summary = store.current_incident("console", "#ops", IncidentView::header_only());
  ASSERT_TRUE(summary);
  EXPECT_FALSE(summary->complete);
  EXPECT_EQ(summary->entries, 3);  // the deleted entry still holds its seq
  EXPECT_TRUE(summary->timeline.empty());
  EXPECT_TRUE(summary->review.empty());
  EXPECT_EQ(summary->roles.at(Role::commander), "U1");
  ASSERT_EQ(summary->actions.size(), 1u);
  EXPECT_EQ(summary->actions[0].text, "fix it");

  auto pinned = store.current_incident("console", "#ops", IncidentView::header_only("m-3"));
  ASSERT_EQ(pinned->timeline.size(), 1u);
  EXPECT_EQ(pinned->timeline[0].seq, 3);
  EXPECT_TRUE(pinned->timeline[0].deleted);
  EXPECT_TRUE(pinned->review.empty());

  auto reply = store.current_incident("console", "#ops", IncidentView::header_only("r-1"));
  EXPECT_TRUE(reply->timeline.empty());
  ASSERT_EQ(reply->review.size(), 1u);
  EXPECT_EQ(reply->review[0].text, "a reply");

  auto whole = store.current_incident("console", "#ops", IncidentView::all());
  EXPECT_TRUE(whole->complete);
  EXPECT_EQ(whole->timeline.size(), 3u);
  EXPECT_EQ(whole->review.size(), 1u);
}

TYPED_TEST(SqlStoreTest, EditsAndDeletesStayWithinTheirIncident) {
  auto store_owner = this->open(Durability::process);
  SqlStore& store = *store_owner;
  ASSERT_TRUE(testing::commit(store, "k1",
                              {opened(1, "#a"), entry(1, 1, "a", Source::pin, t0, "m-1")}, {}));
  ASSERT_TRUE(testing::commit(store, "k2",
                              {opened(2, "#b"), entry(2, 1, "b", Source::pin, t0, "m-1"),
                               entry(2, 2, "system", Source::system, t0)},
                              {}));
  ASSERT_TRUE(testing::commit(store, "k3",
                              {{2, change::EntryEdited{"m-1", "b2"}},
                               {2, change::EntryDeleted{""}},  // must not hit ref-less entries
                               {2, change::EntryEdited{"", "clobbered"}}},
                              {}));
  EXPECT_EQ(store.incident(1)->timeline[0].text, "a");
  EXPECT_EQ(store.incident(2)->timeline[0].text, "b2");
  EXPECT_EQ(store.incident(2)->timeline[1].text, "system");
  EXPECT_FALSE(store.incident(2)->timeline[1].deleted);
}

TYPED_TEST(SqlStoreTest, DuplicateKeyChangesNothingAndKeepsOriginalReplies) {
  const std::vector<Reply> replies{
      {Audience::channel, "INC-1 started: *DB failover* 🚨", ""},
      {Audience::direct, "private note\n\"quoted\"", "U9"},
      {Audience::caller, "ok", ""},
      {Audience::thread, "draft", ""},
      {Audience::lessons, "lessons learned", ""},
      {Audience::channel, "review questions", "", Anchor::postmortem, 1},
  };
  auto store_owner = this->open(Durability::process);
  SqlStore& store = *store_owner;
  EXPECT_FALSE(store.find_processed("slack:Ev1"));
  ASSERT_TRUE(testing::commit(store, "slack:Ev1",
                              {opened(1, "#ops"), entry(1, 1, "x", Source::system, t0)}, replies));
  EXPECT_FALSE(testing::commit(
      store, "slack:Ev1",
      {entry(1, 2, "again", Source::command, t0), {1, change::SeveritySet{Severity::sev4}}},
      {{Audience::caller, "different", ""}}));
  auto inc = store.incident(1);
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->timeline.size(), 1u);
  EXPECT_EQ(inc->severity, Severity::sev2);
  auto found = store.find_processed("slack:Ev1");
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, replies);

  // An event with no changes and no replies is still remembered.
  ASSERT_TRUE(testing::commit(store, "slack:Ev2", {}, {}));
  ASSERT_TRUE(store.find_processed("slack:Ev2"));
  EXPECT_TRUE(store.find_processed("slack:Ev2")->empty());
}

TYPED_TEST(SqlStoreTest, ThePostmortemThreadRootIsRemembered) {
  {
    auto store_owner = this->open(Durability::process);
    SqlStore& store = *store_owner;
    ASSERT_TRUE(testing::commit(store, "k1", {opened(1, "#ops")}, {}));
    ASSERT_TRUE(
        testing::commit(store, "k2", {{1, change::PostmortemPosted{"1700000000.000100"}}}, {}));
  }
  auto reopened_owner = this->open(Durability::process);
  SqlStore& reopened = *reopened_owner;
  EXPECT_EQ(reopened.incident(1)->postmortem_ref, "1700000000.000100");
}

TYPED_TEST(SqlStoreTest, FailedCommitRollsBackEverything) {
  auto store_owner = this->open(Durability::process);
  SqlStore& store = *store_owner;
  ASSERT_TRUE(testing::commit(store, "k1", {opened(1, "#ops")}, {}));
  // The second change refers to an incident that does not exist: nothing of k2 may remain.
  EXPECT_ANY_THROW(testing::commit(
      store, "k2",
      {entry(1, 1, "kept?", Source::command, t0), {7, change::SeveritySet{Severity::sev1}}}, {}));
  EXPECT_FALSE(store.find_processed("k2"));
  EXPECT_TRUE(store.incident(1)->timeline.empty());
  // A timeline entry for an unknown incident is refused by the foreign key.
  EXPECT_ANY_THROW(testing::commit(store, "k3", {entry(8, 1, "orphan", Source::command, t0)}, {}));
  EXPECT_FALSE(store.find_processed("k3"));
  // And the store is still usable afterwards.
  EXPECT_TRUE(testing::commit(store, "k4", {entry(1, 1, "fine", Source::command, t0)}, {}));
}

TYPED_TEST(SqlStoreTest, OneOpenIncidentPerChannel) {
  auto store_owner = this->open(Durability::process);
  SqlStore& store = *store_owner;
  ASSERT_TRUE(testing::commit(store, "k1", {opened(1, "#ops")}, {}));
  // Refused as a conflict: the engine reads again, finds the open one and says so.
  EXPECT_EQ(store.commit({"k2", {opened(2, "#ops")}, {}, {}, {}}), CommitResult::conflict);
  EXPECT_FALSE(store.find_processed("k2"));
  EXPECT_EQ(store.next_incident_number(), 2);
  // Another channel, or the same name on another platform, is fine.
  EXPECT_TRUE(testing::commit(store, "k3", {opened(2, "#other")}, {}));
  EXPECT_TRUE(testing::commit(
      store, "k4",
      {{3, change::Opened{"slack", "#ops", "same name, other platform", Severity::sev3, t0}}}, {}));
  // Once closed, the channel can have a new one.
  EXPECT_TRUE(testing::commit(store, "k5",
                              {closed(1, t0 + hours(1)), opened(4, "#ops", t0 + hours(2))}, {}));
  EXPECT_EQ(store.next_incident_number(), 5);
}

TYPED_TEST(SqlStoreTest, CurrentIncidentPrefersOpenOverLatestClosed) {
  auto store_owner = this->open(Durability::process);
  SqlStore& store = *store_owner;
  ASSERT_TRUE(testing::commit(store, "k1", {opened(1, "#ops"), closed(1, t0 + hours(1))}, {}));
  ASSERT_TRUE(testing::commit(store, "k2", {opened(2, "#ops"), closed(2, t0 + hours(3))}, {}));
  ASSERT_TRUE(testing::commit(store, "k3", {opened(3, "#elsewhere")}, {}));
  auto latest = store.current_incident("console", "#ops", IncidentView::all());
  ASSERT_TRUE(latest);
  EXPECT_EQ(latest->number, 2);  // most recently closed
  EXPECT_FALSE(latest->is_open());

  // An open one wins over the closed ones before it.
  ASSERT_TRUE(testing::commit(store, "k4", {opened(9, "#b"), closed(9, t0)}, {}));
  ASSERT_TRUE(testing::commit(store, "k5", {opened(10, "#b")}, {}));
  auto open = store.current_incident("console", "#b", IncidentView::all());
  ASSERT_TRUE(open);
  EXPECT_EQ(open->number, 10);
  EXPECT_TRUE(open->is_open());

  EXPECT_FALSE(store.current_incident("slack", "#ops", IncidentView::all()));
  EXPECT_EQ(store.current_incident("console", "#elsewhere", IncidentView::all())->number, 3);
  EXPECT_EQ(store.next_incident_number(), 11);
}

TYPED_TEST(SqlStoreTest, Cursors) {
  {
    auto store_owner = this->open(Durability::process);
    SqlStore& store = *store_owner;
    EXPECT_FALSE(store.cursor("matrix.next_batch"));
    testing::set_cursors(store, {{"matrix.next_batch", "s1"}});
    EXPECT_EQ(store.cursor("matrix.next_batch"), "s1");
    testing::set_cursors(store, {{"matrix.next_batch", "s2"}});
    EXPECT_EQ(store.cursor("matrix.next_batch"), "s2");
  }
  auto store_owner = this->open(Durability::process);
  SqlStore& store = *store_owner;
  EXPECT_EQ(store.cursor("matrix.next_batch"), "s2");
}

TYPED_TEST(SqlStoreTest, CommitWithCursorsIsAtomic) {
  auto store_owner = this->open(Durability::process);
  SqlStore& store = *store_owner;
  ASSERT_EQ(store.commit({"m:1",
                          {opened(1, "!room")},
                          {{Audience::channel, "hi", ""}},
                          {},
                          {{"matrix.next_batch", "s1"}, {"other", "o1"}}}),
            CommitResult::committed);
  EXPECT_EQ(store.cursor("matrix.next_batch"), "s1");
  EXPECT_EQ(store.cursor("other"), "o1");

  // A change refused (a second open incident in the room: a conflict) takes the cursor down
  // with it, and so does one that fails (a timeline entry of an unknown incident).
  EXPECT_EQ(store.commit({"m:2", {opened(2, "!room")}, {}, {}, {{"matrix.next_batch", "s2"}}}),
            CommitResult::conflict);
  EXPECT_ANY_THROW(store.commit({"m:2",
                                 {entry(9, 1, "orphan", Source::command, t0)},
                                 {},
                                 {},
                                 {{"matrix.next_batch", "s2"}}}));
  EXPECT_EQ(store.cursor("matrix.next_batch"), "s1");
  EXPECT_FALSE(store.find_processed("m:2"));

  // A duplicate changes no effects, but the position still moves past it.
  EXPECT_EQ(store.commit({"m:1",
                          {entry(1, 1, "dup", Source::command, t0)},
                          {},
                          {},
                          {{"matrix.next_batch", "s3"}}}),
            CommitResult::duplicate);
  EXPECT_EQ(store.cursor("matrix.next_batch"), "s3");
  EXPECT_TRUE(store.incident(1)->timeline.empty());
  EXPECT_EQ(*store.find_processed("m:1"), (std::vector<Reply>{{Audience::channel, "hi", ""}}));
}

TYPED_TEST(SqlStoreTest, AFailedUnitInABatchTakesBackOnlyItself) {
  {
    auto store_owner = this->open(Durability::power);
    SqlStore& store = *store_owner;
    ASSERT_TRUE(testing::commit(store, "k0", {opened(1, "#ops")}, {}));
    StoreBatch batch(store);
    ASSERT_TRUE(testing::commit(store, "k1", {entry(1, 1, "one", Source::command, t0)}, {}));
    // Half of k2 is written before the foreign key refuses the rest: none of it may stay.
    EXPECT_ANY_THROW(testing::commit(
        store, "k2",
        {entry(1, 2, "half", Source::command, t0), {7, change::SeveritySet{Severity::sev1}}}, {}));
    ASSERT_TRUE(testing::commit(store, "k3", {entry(1, 2, "three", Source::command, t0)}, {}));
    batch.commit();
  }
  auto store_owner = this->open(Durability::power);
  SqlStore& store = *store_owner;
  EXPECT_TRUE(store.find_processed("k1"));
  EXPECT_FALSE(store.find_processed("k2"));
  EXPECT_TRUE(store.find_processed("k3"));
  const auto inc = store.incident(1);
  ASSERT_EQ(inc->timeline.size(), 2u);
  EXPECT_EQ(inc->timeline[0].text, "one");
  EXPECT_EQ(inc->timeline[1].text, "three");
}

}  // namespace
}  // namespace incident
