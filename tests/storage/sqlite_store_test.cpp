// SqliteStore against real files: its schema, file modes and migrations, durability settings,
// and a process killed mid-stream. What it shares with PostgreSQL is in sql_store_test.cpp.
#include "storage/sqlite_store.h"
#include "storage/test_changes.h"
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
using testing::entry;
using testing::opened;
using testing::t0;

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
