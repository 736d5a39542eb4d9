// SqliteStore against real files: schema, round trips, idempotency, migrations, constraints,
// cursors, durability settings, and a process killed mid-stream.
#include "storage/sqlite_store.h"
#include "support/commit.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>

#include "storage/migrations.h"

namespace incident {
namespace {

namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "incident-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
    dir_ = pattern;
    path_ = (dir_ / "bot.db").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path dir_;
  std::string path_;
};

const TimePoint t0 = from_unix_ms(1'764'424'800'000);  // 2025-11-29 14:00:00 UTC

Change opened(std::int64_t n, const std::string& channel, TimePoint at = t0) {
  return {n, change::Opened{"console", channel, "DB failover " + std::to_string(n), Severity::sev2,
                            at}};
}
Change entry(std::int64_t n, std::int64_t seq, const std::string& text, Source source, TimePoint at,
             const std::string& ref = "") {
  return {n, change::EntryAdded{TimelineEntry{seq, at, source, "U1", text, ref, false}}};
}
Change closed(std::int64_t n, TimePoint at) {
  return {n, change::Closed{at, "rolled back"}};
}

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

TEST_F(SqliteStoreTest, FreshDatabaseIsAtLatestSchemaInWalMode) {
  SqliteStore store(path_, Durability::process);
  EXPECT_EQ(store.schema_version(), latest_schema_version());
  EXPECT_GE(latest_schema_version(), 2);
  const StoreDiagnosis d = store.diagnose();
  EXPECT_EQ(d.journal, "wal");
  EXPECT_EQ(d.integrity, "ok");
  EXPECT_FALSE(d.write_error);
  EXPECT_EQ(store.next_incident_number(), 1);
  EXPECT_FALSE(store.current_incident("console", "#ops", IncidentView::all()));
  EXPECT_TRUE(store.list_incidents().empty());
  EXPECT_FALSE(store.incident(1));
}

// Incident records and security cases are the bot's user's alone: a new file is 0600 and so
// are its -wal and -shm; an older file readable by others is narrowed on open.
TEST_F(SqliteStoreTest, TheDatabaseIsReadableByItsOwnerOnly) {
  auto mode = [](const std::string& file) {
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0) << file;
    return st.st_mode & 0777;
  };
  const mode_t old_mask = ::umask(022);  // the usual umask: a plain create would give 0644
  {
    SqliteStore store(path_, Durability::process);
    testing::commit(store, "k1", {{1, change::Opened{"console", "c", "t", Severity::sev2, t0}}},
                    {});
    EXPECT_EQ(mode(path_), 0600u);
    EXPECT_EQ(mode(path_ + "-wal"), 0600u);
    EXPECT_EQ(mode(path_ + "-shm"), 0600u);
  }
  ::chmod(path_.c_str(), 0644);
  { SqliteStore reopened(path_, Durability::process); }
  EXPECT_EQ(mode(path_), 0600u);
  ::umask(old_mask);
}

// `list` and `export` open with Create::no: a mistyped path is an error, not a new database.
TEST_F(SqliteStoreTest, OpeningWithoutCreateNeverMakesAFile) {
  const std::string missing = (dir_ / "typo.db").string();
  EXPECT_THROW(SqliteStore(missing, Durability::process, SqliteStore::Create::no), NoDatabaseError);
  EXPECT_FALSE(std::filesystem::exists(missing));
  { SqliteStore created(path_, Durability::process); }
  EXPECT_NO_THROW(SqliteStore(path_, Durability::process, SqliteStore::Create::no));
}

TEST_F(SqliteStoreTest, WriteCheckDoesNotWaitForAnotherWriter) {
  SqliteStore store(path_, Durability::process);
  EXPECT_EQ(store.write_check(), std::nullopt);
  // Another process holds the write lock: the check neither waits busy_timeout (5 s) for it nor
  // calls a database that merely has a writer unhealthy.
  SQLite::Database other(path_, SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  const auto began = std::chrono::steady_clock::now();
  EXPECT_EQ(store.write_check(), std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(2));
  // A commit still waits for the lock (busy_timeout) and fails when it is never released; the
  // check then says so.
  EXPECT_THROW(testing::commit(store, "k", {opened(1, "#ops")}, {}), SQLite::Exception);
  auto error = store.write_check();
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("locked"), std::string::npos) << *error;
  other.exec("ROLLBACK");
  EXPECT_TRUE(testing::commit(store, "k", {opened(1, "#ops")}, {}));
  EXPECT_EQ(store.write_check(), std::nullopt);
}

TEST_F(SqliteStoreTest, DurabilitySetsSynchronous) {
  {
    SqliteStore store(path_, Durability::power);
    EXPECT_EQ(store.synchronous(), 2);  // FULL
  }
  SqliteStore store(path_, Durability::process);
  EXPECT_EQ(store.synchronous(), 1);  // NORMAL
}

// A 📌, edit or delete finds its entries through the message index, not by reading every entry
// of the incident: the cost of an event must not grow with the incident.
TEST_F(SqliteStoreTest, EntriesOfAMessageAreFoundThroughItsIndex) {
  SqliteStore store(path_, Durability::process);
  const std::string plan = store.entry_lookup_plan();
  EXPECT_NE(plan.find("timeline_by_message"), std::string::npos) << plan;
}

TEST_F(SqliteStoreTest, EverythingSurvivesReopenIdentically) {
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
    SqliteStore store(path_, Durability::power);
    ASSERT_TRUE(testing::commit(store, "console:1", changes, {}));
    auto loaded = store.current_incident("console", "#ops", IncidentView::all());
    ASSERT_TRUE(loaded);
    expect_same(*loaded, expected);
  }
  SqliteStore store(path_, Durability::process);
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
  SQLite::Database raw(path_);
  EXPECT_EQ(raw.execAndGet("SELECT severity FROM incidents").getString(), "sev1");
  EXPECT_EQ(raw.execAndGet("SELECT source FROM timeline WHERE seq = 4").getString(), "pin");
  EXPECT_EQ(raw.execAndGet("SELECT role FROM roles WHERE user = 'U2'").getString(), "scribe");
  EXPECT_EQ(raw.execAndGet("SELECT due FROM actions WHERE number = 1").getString(), "2025-12-15");
}

TEST_F(SqliteStoreTest, SummaryViewHoldsOnlyTheEntriesItNames) {
  SqliteStore store(path_, Durability::process);
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

TEST_F(SqliteStoreTest, EditsAndDeletesStayWithinTheirIncident) {
  SqliteStore store(path_, Durability::process);
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

TEST_F(SqliteStoreTest, DuplicateKeyChangesNothingAndKeepsOriginalReplies) {
  const std::vector<Reply> replies{
      {Audience::channel, "INC-1 started: *DB failover* 🚨", ""},
      {Audience::direct, "private note\n\"quoted\"", "U9"},
      {Audience::caller, "ok", ""},
      {Audience::thread, "draft", ""},
      {Audience::lessons, "lessons learned", ""},
      {Audience::channel, "review questions", "", Anchor::postmortem, 1},
  };
  SqliteStore store(path_, Durability::process);
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

TEST_F(SqliteStoreTest, ThePostmortemThreadRootIsRemembered) {
  {
    SqliteStore store(path_, Durability::process);
    ASSERT_TRUE(testing::commit(store, "k1", {opened(1, "#ops")}, {}));
    ASSERT_TRUE(
        testing::commit(store, "k2", {{1, change::PostmortemPosted{"1700000000.000100"}}}, {}));
  }
  SqliteStore reopened(path_, Durability::process);
  EXPECT_EQ(reopened.incident(1)->postmortem_ref, "1700000000.000100");
}

TEST_F(SqliteStoreTest, FailedCommitRollsBackEverything) {
  SqliteStore store(path_, Durability::process);
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

TEST_F(SqliteStoreTest, OneOpenIncidentPerChannel) {
  SqliteStore store(path_, Durability::process);
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

TEST_F(SqliteStoreTest, CurrentIncidentPrefersOpenOverLatestClosed) {
  SqliteStore store(path_, Durability::process);
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

TEST_F(SqliteStoreTest, Cursors) {
  {
    SqliteStore store(path_, Durability::process);
    EXPECT_FALSE(store.cursor("matrix.next_batch"));
    testing::set_cursors(store, {{"matrix.next_batch", "s1"}});
    EXPECT_EQ(store.cursor("matrix.next_batch"), "s1");
    testing::set_cursors(store, {{"matrix.next_batch", "s2"}});
    EXPECT_EQ(store.cursor("matrix.next_batch"), "s2");
  }
  SqliteStore store(path_, Durability::process);
  EXPECT_EQ(store.cursor("matrix.next_batch"), "s2");
}

TEST_F(SqliteStoreTest, CommitWithCursorsIsAtomic) {
  SqliteStore store(path_, Durability::process);
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

TEST_F(SqliteStoreTest, UpgradesAVersion1Database) {
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    apply_migrations(db, 1);
    ASSERT_EQ(read_schema_version(db), 1);
    db.exec(
        "INSERT INTO incidents (number, platform, channel, title, severity, status, opened_at, "
        "closed_at, resolution) VALUES (4, 'slack', 'C1', 'old one', 'sev3', 'closed', "
        "1764424800000, 1764428400000, 'fixed');"
        "INSERT INTO roles VALUES (4, 'commander', 'U1');"
        "INSERT INTO timeline VALUES (4, 1, 1764424800000, 'pin', 'U2', 'old fact', 'ts-1', 0);"
        "INSERT INTO actions VALUES (4, 1, 'old action', 'team-db', '2026-01-31', 0, "
        "1764424800000, 'U1');"
        "INSERT INTO processed_events VALUES ('slack:Old', 1764424800000, "
        "'[{\"audience\":\"channel\",\"text\":\"INC-4 closed\",\"user\":\"\"}]');");
    // No v2 tables yet.
    EXPECT_FALSE(db.tableExists("cursors"));
    EXPECT_FALSE(db.tableExists("escalations"));
  }
  SqliteStore store(path_, Durability::process);
  EXPECT_EQ(store.schema_version(), latest_schema_version());
  auto inc = store.current_incident("slack", "C1", IncidentView::all());
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->number, 4);
  EXPECT_EQ(inc->title, "old one");
  EXPECT_EQ(inc->severity, Severity::sev3);
  EXPECT_EQ(inc->status, Status::closed);
  EXPECT_EQ(inc->closed_at, t0 + hours(1));
  EXPECT_EQ(inc->roles.at(Role::commander), "U1");
  EXPECT_EQ(inc->facilitator, "");  // new column, default
  EXPECT_EQ(inc->postmortem_ref, "");
  ASSERT_EQ(inc->timeline.size(), 1u);
  EXPECT_EQ(inc->timeline[0].source, Source::pin);
  ASSERT_EQ(inc->actions.size(), 1u);
  EXPECT_EQ(inc->actions[0].due, std::chrono::year{2026} / 1 / 31);
  EXPECT_EQ(*store.find_processed("slack:Old"),
            (std::vector<Reply>{{Audience::channel, "INC-4 closed", ""}}));
  EXPECT_EQ(store.next_incident_number(), 5);
  // The v2 features work on the upgraded file.
  testing::set_cursors(store, {{"c", "v"}});
  EXPECT_TRUE(testing::commit(store, "k",
                              {{4, change::FacilitatorSet{"U7", {}}},
                               {4, change::ReviewAdded{ReviewReply{t0, "U8", "r", "x", false}}}},
                              {}));
  EXPECT_EQ(store.incident(4)->facilitator, "U7");
  EXPECT_EQ(store.incident(4)->review.size(), 1u);
  EXPECT_EQ(store.diagnose().integrity, "ok");
}

TEST_F(SqliteStoreTest, ApplyingMigrationsTwiceIsHarmless) {
  SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  apply_migrations(db);
  apply_migrations(db);
  apply_migrations(db, 1);  // never downgrades
  EXPECT_EQ(read_schema_version(db), latest_schema_version());
  EXPECT_THROW(apply_migrations(db, latest_schema_version() + 1), std::invalid_argument);
}

TEST_F(SqliteStoreTest, RefusesANewerSchema) {
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA user_version = 999");
  }
  try {
    SqliteStore store(path_, Durability::process);
    FAIL() << "opened a database from the future";
  } catch (const SchemaTooNewError& e) {
    EXPECT_NE(std::string(e.what()).find("999"), std::string::npos) << e.what();
  }
  SQLite::Database db(path_);
  EXPECT_EQ(read_schema_version(db), 999);  // left as it was
  EXPECT_FALSE(db.tableExists("incidents"));
}

// The process is killed with SIGKILL while it commits one event after another. Every commit it
// reported as returned must be there afterwards, each event whole or not at all.
TEST_F(SqliteStoreTest, SurvivesAKilledProcess) {
  constexpr int kEvents = 200;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();  // no SQLite connection to this file exists yet in the parent
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    try {
      SqliteStore store(path_, Durability::process);
      for (int i = 1; i <= kEvents; ++i) {
        std::vector<Change> changes;
        if (i == 1) changes.push_back(opened(1, "#ops"));
        changes.push_back(entry(1, i, "fact " + std::to_string(i), Source::command, t0 + minutes(i),
                                "m-" + std::to_string(i)));
        testing::commit(store, "k" + std::to_string(i), changes,
                        {{Audience::channel, "logged " + std::to_string(i), ""}});
        // No pause between commits: the kill should land inside SQLite's work as often as not.
        if (write(fds[1], &i, sizeof i) != static_cast<ssize_t>(sizeof i)) _exit(3);
      }
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  close(fds[1]);
  std::set<int> reported;
  auto read_one = [&] {
    int i = 0;
    if (read(fds[0], &i, sizeof i) != static_cast<ssize_t>(sizeof i)) return false;
    reported.insert(i);
    return true;
  };
  while (reported.size() < 50 && read_one()) {
  }
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  while (read_one()) {  // what the child wrote before it died is still in the pipe
  }
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child ended on its own with " << status;
  ASSERT_GE(reported.size(), 50u);
  const int last_reported = *reported.rbegin();
  EXPECT_LT(last_reported, kEvents) << "the kill did not land mid-stream";

  SqliteStore store(path_, Durability::process);
  EXPECT_EQ(store.diagnose().integrity, "ok");
  for (int i : reported) {
    auto replies = store.find_processed("k" + std::to_string(i));
    ASSERT_TRUE(replies) << "reported commit k" << i << " was lost";
    EXPECT_EQ((*replies)[0].text, "logged " + std::to_string(i));
  }
  // Events are whole: the stored keys are 1..n and the timeline holds exactly seq 1..n.
  auto inc = store.incident(1);
  ASSERT_TRUE(inc);
  const auto n = static_cast<int>(inc->timeline.size());
  EXPECT_GE(n, last_reported);
  EXPECT_LE(n, last_reported + 1);  // at most one committed but not yet reported
  for (int i = 1; i <= n; ++i) {
    EXPECT_EQ(inc->timeline[static_cast<std::size_t>(i - 1)].seq, i);
    EXPECT_EQ(inc->timeline[static_cast<std::size_t>(i - 1)].text, "fact " + std::to_string(i));
    EXPECT_TRUE(store.find_processed("k" + std::to_string(i)));
  }
  EXPECT_FALSE(store.find_processed("k" + std::to_string(n + 1)));
}

// --- group commit ---------------------------------------------------------------------------

TEST_F(SqliteStoreTest, AFailedUnitInABatchTakesBackOnlyItself) {
  {
    SqliteStore store(path_, Durability::power);
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
  SqliteStore store(path_, Durability::power);
  EXPECT_TRUE(store.find_processed("k1"));
  EXPECT_FALSE(store.find_processed("k2"));
  EXPECT_TRUE(store.find_processed("k3"));
  const auto inc = store.incident(1);
  ASSERT_EQ(inc->timeline.size(), 2u);
  EXPECT_EQ(inc->timeline[0].text, "one");
  EXPECT_EQ(inc->timeline[1].text, "three");
}

// A child process commits one batch of three units and is killed with SIGKILL at `point`:
// 0 right after the batch began, 1–3 after that many units were applied, 4 after the COMMIT
// returned but before it said so (an adapter acknowledges only then).
void run_batch_then_die(const std::string& path, int point) {
  SqliteStore store(path, Durability::power);
  auto die_at = [&](int here) {
    if (here == point) ::kill(::getpid(), SIGKILL);
  };
  StoreBatch batch(store);
  die_at(0);
  for (int i = 1; i <= 3; ++i) {
    testing::commit(store, "b" + std::to_string(i),
                    {entry(1, i, "fact " + std::to_string(i), Source::command, t0)},
                    {{Audience::channel, "logged " + std::to_string(i), ""}});
    die_at(i);
  }
  batch.commit();
  die_at(4);
}

TEST_F(SqliteStoreTest, AKillAtAnyPointOfABatchKeepsItWholeOrNotAtAll) {
  for (int point = 0; point <= 4; ++point) {
    SCOPED_TRACE("killed at point " + std::to_string(point));
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix);
    {
      SqliteStore store(path_, Durability::power);
      ASSERT_TRUE(testing::commit(store, "k0", {opened(1, "#ops")}, {}));
    }  // closed: SQLite connections must not cross fork()
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        run_batch_then_die(path_, point);
      } catch (...) {
        _exit(2);
      }
      _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;

    SqliteStore store(path_, Durability::power);
    EXPECT_EQ(store.diagnose().integrity, "ok");
    const std::size_t kept = point == 4 ? 3 : 0;
    EXPECT_EQ(store.incident(1)->timeline.size(), kept);
    for (int i = 1; i <= 3; ++i) {
      EXPECT_EQ(store.find_processed("b" + std::to_string(i)).has_value(), kept == 3);
    }
    // The platform delivers the unacknowledged batch again: applied once, whatever happened.
    StoreBatch again(store);
    for (int i = 1; i <= 3; ++i) {
      testing::commit(store, "b" + std::to_string(i),
                      {entry(1, i, "fact " + std::to_string(i), Source::command, t0)}, {});
    }
    again.commit();
    const auto inc = store.incident(1);
    ASSERT_EQ(inc->timeline.size(), 3u);
    for (int i = 1; i <= 3; ++i) {
      EXPECT_EQ(inc->timeline[static_cast<std::size_t>(i - 1)].text, "fact " + std::to_string(i));
    }
  }
}

}  // namespace
}  // namespace incident
