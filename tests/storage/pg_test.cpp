// The libpq layer (storage/pg.h) and what is PgStore's own, against a real, throwaway PostgreSQL
// (support/pg_server.h): parameters and NULLs round-trip, refusals carry their SQLSTATE, a long
// statement is ended by the server's timeout, and a lost connection or a server that goes away
// is an error recovered from, never a hang. What PgStore shares with SQLite is in
// sql_store_test.cpp.
#include "storage/pg.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/migrations.h"
#include "storage/pg_store.h"
#include "storage/test_changes.h"
#include "support/commit.h"
#include "support/pg_server.h"

namespace incident {
namespace {

using testing::PgServer;

class PgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = PgServer::shared();
    if (server_ == nullptr) GTEST_SKIP() << "PostgreSQL leg skipped: " << PgServer::unavailable();
    url_ = server_->fresh_database();
  }
  PgServer* server_ = nullptr;
  std::string url_;
};

TEST_F(PgTest, ParametersAndNullsRoundTrip) {
  pg::Connection db(url_);
  db.command("CREATE TABLE facts (id bigint PRIMARY KEY, text text, note text)");
  const char* insert = "INSERT INTO facts (id, text, note) VALUES ($1, $2, $3)";
  EXPECT_EQ(db.exec(insert, {pg::param(1), pg::param("déploiement 🚀 'quoted' $1"), std::nullopt})
                .affected(),
            1);
  EXPECT_EQ(db.exec(insert, {pg::param(2), pg::param(""), pg::param("n")}).affected(), 1);

  const auto rows = db.exec("SELECT id, text, note FROM facts ORDER BY id");
  ASSERT_EQ(rows.rows(), 2);
  EXPECT_EQ(rows.int64(0, 0), 1);
  EXPECT_EQ(rows.text(0, 1), "déploiement 🚀 'quoted' $1");
  EXPECT_TRUE(rows.null(0, 2));
  EXPECT_EQ(rows.optional_text(0, 2), std::nullopt);
  EXPECT_FALSE(rows.null(1, 1));  // an empty string is not NULL
  EXPECT_EQ(rows.optional_text(1, 1), "");
  EXPECT_THROW(rows.int64(0, 2), std::runtime_error);  // NULL is no number

  // The same statement again runs prepared; ON CONFLICT … RETURNING says whether a key was new.
  const char* once =
      "INSERT INTO facts (id, text) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id";
  EXPECT_EQ(db.exec(once, {pg::param(3), pg::param("a")}).rows(), 1);
  EXPECT_EQ(db.exec(once, {pg::param(3), pg::param("b")}).rows(), 0);
  EXPECT_EQ(db.exec("SELECT count(*) FROM facts").int64(0, 0), 3);
}

TEST_F(PgTest, RefusalsCarryTheirSqlstate) {
  pg::Connection db(url_);
  db.command("CREATE TABLE k (id bigint PRIMARY KEY)");
  db.exec("INSERT INTO k VALUES ($1)", {pg::param(1)});
  try {
    db.exec("INSERT INTO k VALUES ($1)", {pg::param(1)});
    FAIL() << "a duplicate key was accepted";
  } catch (const pg::Error& e) {
    EXPECT_EQ(e.sqlstate(), "23505");
    EXPECT_FALSE(e.connection_lost());
    EXPECT_FALSE(e.retryable());
  }
  try {
    db.exec("SELEC 1");
    FAIL() << "a syntax error was accepted";
  } catch (const pg::Error& e) {
    EXPECT_EQ(e.sqlstate(), "42601");
    EXPECT_NE(std::string(e.what()).find("syntax"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(db.ok());  // a refused statement leaves the connection usable
  EXPECT_EQ(db.exec("SELECT 2").int64(0, 0), 2);
}

TEST_F(PgTest, StatementsSentTogetherAnswerInOrder) {
  pg::Connection db(url_);
  const std::vector<pg::Param> one{pg::param(1)}, two{pg::param(2)}, none;
  auto results = db.exec_all({{"SELECT $1::bigint * 10", &one},
                              {"SELECT $1::bigint * 10", &two},
                              {"SELECT 'x' UNION ALL SELECT 'y'", &none}});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].int64(0, 0), 10);
  EXPECT_EQ(results[1].int64(0, 0), 20);
  ASSERT_EQ(results[2].rows(), 2);
  EXPECT_EQ(results[2].text(1, 0), "y");

  // One refused in the middle: its SQLSTATE, and the connection still works afterwards.
  try {
    db.exec_all({{"SELECT 1", &none}, {"SELECT 1/0", &none}, {"SELECT 3", &none}});
    FAIL() << "a division by zero was answered";
  } catch (const pg::Error& e) {
    EXPECT_EQ(e.sqlstate(), "22012");
    EXPECT_FALSE(e.connection_lost());
  }
  EXPECT_TRUE(db.ok());
  EXPECT_EQ(db.exec("SELECT 4").int64(0, 0), 4);
}

TEST_F(PgTest, ALongStatementIsEndedByTheServersTimeout) {
  pg::Options options;
  options.statement_timeout = std::chrono::milliseconds(200);
  pg::Connection db(url_, options);
  const auto began = std::chrono::steady_clock::now();
  try {
    db.exec("SELECT pg_sleep(30)");
    FAIL() << "pg_sleep(30) returned";
  } catch (const pg::Error& e) {
    EXPECT_EQ(e.sqlstate(), "57014");  // query_canceled
  }
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));
  EXPECT_EQ(db.exec("SELECT 1").int64(0, 0), 1);
}

TEST_F(PgTest, ALostConnectionIsRetryableAndReconnectRecovers) {
  pg::Connection db(url_);
  const auto pid = db.exec("SELECT pg_backend_pid()").int64(0, 0);
  const char* read = "SELECT $1::bigint + 1";
  EXPECT_EQ(db.exec(read, {pg::param(41)}).int64(0, 0), 42);

  pg::Connection admin(url_);
  admin.exec("SELECT pg_terminate_backend($1)", {pg::param(pid)});
  try {
    db.exec(read, {pg::param(1)});
    FAIL() << "a statement ran on a terminated connection";
  } catch (const pg::Error& e) {
    EXPECT_TRUE(e.retryable()) << e.what() << " sqlstate " << e.sqlstate();
  }
  EXPECT_FALSE(db.ok());
  db.reconnect();
  EXPECT_TRUE(db.ok());
  // The statement is prepared again on the new connection.
  EXPECT_EQ(db.exec(read, {pg::param(1)}).int64(0, 0), 2);
}

TEST_F(PgTest, AServerThatGoesAwayIsAnErrorUntilItIsBack) {
  if (!server_->owned())
    GTEST_SKIP() << "the server of INCIDENT_BOT_TEST_PG_URL is not ours to stop";
  pg::Connection db(url_);
  server_->stop();
  EXPECT_THROW(db.exec("SELECT 1"), pg::Error);
  EXPECT_FALSE(db.ok());
  pg::Options quick;
  quick.connect_timeout = std::chrono::seconds(2);
  EXPECT_THROW(pg::Connection(url_, quick), pg::Error);
  server_->start();
  db.reconnect();
  EXPECT_EQ(db.exec("SELECT 1").int64(0, 0), 1);
}

TEST_F(PgTest, ARefusedConnectionNeverRepeatsThePassword) {
  pg::Options quick;
  quick.connect_timeout = std::chrono::seconds(2);
  const std::string url = url_ + "&password=hunter2-secret&user=nobody_here";
  try {
    pg::Connection db(url, quick);
    // Trust authentication admits any password; the role still has to exist.
    FAIL() << "connected as a role that does not exist";
  } catch (const pg::Error& e) {
    EXPECT_TRUE(e.connection_lost());
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nobody_here"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace incident

namespace incident {
namespace {

// PgStore's own behaviour on a real server: the schema made once, however many start together;
// a lost connection opened again, but never in the middle of a batch; health while the server is
// away.
class PgStoreTest : public PgTest {
 protected:
  static void terminate_bot_sessions(const std::string& url) {
    pg::Connection admin(url);
    admin.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  }
  static UnitOfWork logged(const std::string& key, std::int64_t seq) {
    return {key,
            {{1, change::EntryAdded{TimelineEntry{seq, testing::t0, Source::command, "U1",
                                                  "fact " + key, "", false}}}},
            {},
            {},
            {}};
  }
};

TEST_F(PgStoreTest, TheSchemaIsMadeOnceByStoresStartingTogether) {
  std::vector<std::thread> starts;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    starts.emplace_back([&] {
      try {
        PgStore store(url_, Durability::process);
        if (store.schema_version() == latest_schema_version()) ++opened;
      } catch (const std::exception& e) {
        ADD_FAILURE() << "a store starting beside others failed: " << e.what();
      }
    });
  }
  for (auto& t : starts) t.join();
  EXPECT_EQ(opened, 4);
}

TEST_F(PgStoreTest, AnEmptyOrNewerDatabaseIsRefusedAsSqliteRefusesAFile) {
  EXPECT_THROW(PgStore(url_, Durability::process, PgStore::Create::no), NoDatabaseError);
  { PgStore made(url_, Durability::process); }
  pg::Connection(url_).command("UPDATE incident_bot_schema SET version = 999");
  EXPECT_THROW(PgStore(url_, Durability::process), SchemaTooNewError);
}

TEST_F(PgStoreTest, ALostConnectionIsOpenedAgainOnTheNextCall) {
  PgStore store(url_, Durability::power);
  ASSERT_TRUE(testing::commit(store, "k0", {testing::opened(1, "#ops")}, {}));
  terminate_bot_sessions(url_);
  // The call that finds the connection gone fails (its outcome is unknown to it)…
  try {
    store.commit(logged("k1", 1));
  } catch (const pg::Error& e) {
    EXPECT_TRUE(e.retryable()) << e.what();
  }
  // …and the next one connects again. A redelivery of k1 lands once either way.
  EXPECT_NE(store.commit(logged("k1", 1)), CommitResult::conflict);
  EXPECT_EQ(store.commit(logged("k2", 2)), CommitResult::committed);
  EXPECT_EQ(store.incident(1)->timeline.size(), 2u);
}

TEST_F(PgStoreTest, AConnectionLostInsideABatchKeepsNoneOfIt) {
  PgStore store(url_, Durability::power);
  ASSERT_TRUE(testing::commit(store, "k0", {testing::opened(1, "#ops")}, {}));
  {
    StoreBatch batch(store);
    ASSERT_EQ(store.commit(logged("k1", 1)), CommitResult::committed);
    terminate_bot_sessions(url_);
    EXPECT_THROW(store.commit(logged("k2", 2)), pg::Error);
    EXPECT_ANY_THROW(batch.commit());  // never "committed" on a new connection's autocommit
  }
  EXPECT_FALSE(store.find_processed("k1"));
  EXPECT_FALSE(store.find_processed("k2"));
  EXPECT_EQ(store.commit(logged("k1", 1)), CommitResult::committed);
}

// Replicas sharing the database: an owned request is worked by the replica whose commit enqueued
// it, and passes to another only once that one stops heartbeating.
UnitOfWork requesting(const std::string& key) {
  UnitOfWork work{key, {}, {}, {}, {}};
  work.outbox.push_back(
      {0, "slack", "slack.replies:" + key, "C1", "replies", "slack.replies:" + key, "{}", true});
  return work;
}

std::vector<std::string> keys(const std::vector<OutboxItem>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) out.push_back(item.key);
  return out;
}

using Keys = std::vector<std::string>;

TEST_F(PgStoreTest, EachReplicaWorksItsOwnRequestsAndTakesOverAGoneOnes) {
  PgStore a(url_, Durability::process, PgStore::Create::yes, "a");
  PgStore b(url_, Durability::process, PgStore::Create::yes, "b");
  a.heartbeat();
  b.heartbeat();
  ASSERT_EQ(a.commit(requesting("e1")), CommitResult::committed);
  ASSERT_EQ(b.commit(requesting("e2")), CommitResult::committed);
  ASSERT_EQ(a.commit(requesting("e3")), CommitResult::committed);
  EXPECT_EQ(keys(a.pending_requests("slack")), (Keys{"slack.replies:e1", "slack.replies:e3"}));
  EXPECT_EQ(keys(b.pending_requests("slack")), (Keys{"slack.replies:e2"}));

  // `a` goes quiet (killed, paused, cut off): once its heartbeat has lapsed, `b` takes its work
  // over, oldest first, and `a` coming back finds it taken.
  pg::Connection(url_).command("UPDATE replicas SET seen_at = 0 WHERE id = 'a'");
  EXPECT_EQ(keys(b.pending_requests("slack")),
            (Keys{"slack.replies:e1", "slack.replies:e2", "slack.replies:e3"}));
  a.heartbeat();
  EXPECT_TRUE(a.pending_requests("slack").empty());
  // A request done by one is no one's any more.
  b.finish_request(b.pending_requests("slack").front().id, true, "ts");
  EXPECT_EQ(keys(b.pending_requests("slack")), (Keys{"slack.replies:e2", "slack.replies:e3"}));
}

TEST_F(PgStoreTest, ARequestNoOneOwnsIsWhicheverReplicaWorksTheOutbox) {
  PgStore a(url_, Durability::process, PgStore::Create::yes, "a");
  PgStore b(url_, Durability::process, PgStore::Create::yes, "b");
  a.heartbeat();
  b.heartbeat();
  UnitOfWork work{"m1", {}, {}, {}, {}};
  work.outbox.push_back({0, "matrix", "matrix.reply:m1", "!r", "send", "ib.1", "{}"});
  ASSERT_EQ(a.commit(work), CommitResult::committed);
  // Matrix's one syncer sends, whichever replica it is now; reading does not make it its own.
  EXPECT_EQ(keys(b.pending_requests("matrix")), (Keys{"matrix.reply:m1"}));
  EXPECT_EQ(keys(a.pending_requests("matrix")), (Keys{"matrix.reply:m1"}));
  EXPECT_EQ(keys(b.pending_requests("matrix")), (Keys{"matrix.reply:m1"}));
}

TEST_F(PgStoreTest, TwoReplicasTakingOverTheSameRequestsNeverBothGetOne) {
  {
    PgStore gone(url_, Durability::process, PgStore::Create::yes, "gone");
    for (int i = 0; i < 200; ++i)
      ASSERT_TRUE(gone.commit(requesting("e" + std::to_string(i))) == CommitResult::committed);
  }  // never seen alive: its requests are free
  for (int round = 0; round < 5; ++round) {
    PgStore c(url_, Durability::process, PgStore::Create::yes, "c" + std::to_string(round));
    PgStore d(url_, Durability::process, PgStore::Create::yes, "d" + std::to_string(round));
    std::vector<OutboxItem> by_c, by_d;
    std::atomic<bool> go{false};
    std::thread tc([&] {
      while (!go) std::this_thread::yield();
      by_c = c.pending_requests("slack", 500);
    });
    std::thread td([&] {
      while (!go) std::this_thread::yield();
      by_d = d.pending_requests("slack", 500);
    });
    go = true;
    tc.join();
    td.join();
    std::set<std::string> seen;
    for (const auto& item : by_c) seen.insert(item.key);
    for (const auto& item : by_d) {
      EXPECT_TRUE(seen.insert(item.key).second) << item.key << " handed to both replicas";
    }
    EXPECT_EQ(seen.size(), 200u);
    // Neither heartbeats: the next round's pair finds every request free again.
  }
}

// Matrix's one syncer among replicas (storage/pg_leadership.h).
TEST_F(PgStoreTest, OneReplicaLeadsAndAnotherTakesOverWhenItStepsDownOrDies) {
  PgStore store(url_, Durability::process);
  auto a = store.leadership("matrix:@bot:example.org");
  auto b = store.leadership("matrix:@bot:example.org");
  auto other = store.leadership("matrix:@other:example.org");
  ASSERT_TRUE(a && b && other);
  EXPECT_EQ(a->lead(), 1);
  EXPECT_EQ(b->lead(), std::nullopt);
  EXPECT_EQ(other->lead(), 1);  // another account is another role
  EXPECT_EQ(a->lead(), 1);      // kept
  a->step_down();
  EXPECT_EQ(b->lead(), 2);
  EXPECT_EQ(a->lead(), std::nullopt);
  b.reset();  // killed: its session ends, and the lock with it
  std::optional<std::int64_t> took;
  for (int i = 0; i < 50 && !took; ++i) {
    took = a->lead();
    if (!took) std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  EXPECT_EQ(took, 3);
}

TEST_F(PgStoreTest, AHolderGoneQuietIsReplacedAndItsEpochFencedOut) {
  PgStore store(url_, Durability::process);
  const std::string role = "matrix:@bot:example.org";
  auto paused = store.leadership(role);
  auto standby = store.leadership(role);
  ASSERT_EQ(paused->lead(), 1);
  ASSERT_TRUE(testing::commit(store, "open", {testing::opened(1, "#ops")}, {}));
  {
    StoreBatch batch(store);
    store.fence(role, 1);
    ASSERT_EQ(store.commit(logged("k0", 0)), CommitResult::committed);
    batch.commit();
  }
  // Seen alive a while ago, as a paused process is: its session still holds the lock.
  EXPECT_EQ(standby->lead(), std::nullopt);
  pg::Connection(url_).command("UPDATE leaders SET seen_at = seen_at - 60000");
  std::optional<std::int64_t> took;
  for (int i = 0; i < 100 && !took; ++i) {
    took = standby->lead();  // ends the quiet holder's session, then takes the lock
    if (!took) std::this_thread::sleep_for(std::chrono::milliseconds{20});
  }
  EXPECT_EQ(took, 2);
  // Resumed, the old holder writes nothing under its epoch, and learns it lost the role.
  {
    StoreBatch batch(store);
    EXPECT_THROW(store.fence(role, 1), FencedOut);
  }
  EXPECT_EQ(paused->lead(), std::nullopt);
  EXPECT_EQ(standby->lead(), 2);
}

TEST_F(PgStoreTest, AFencedBatchHoldsOffANewEpochUntilItEnds) {
  PgStore store(url_, Durability::process);
  const std::string role = "matrix:@bot:example.org";
  auto holder = store.leadership(role);
  ASSERT_EQ(holder->lead(), 1);
  ASSERT_TRUE(testing::commit(store, "open", {testing::opened(1, "#ops")}, {}));
  std::atomic<bool> bumped{false};
  std::thread next;
  {
    StoreBatch batch(store);
    store.fence(role, 1);
    next = std::thread([&] {
      pg::Connection(url_).command("UPDATE leaders SET epoch = epoch + 1");
      bumped = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    EXPECT_FALSE(bumped) << "a new epoch was taken while a batch of the old one was open";
    ASSERT_EQ(store.commit(logged("k0", 0)), CommitResult::committed);
    batch.commit();
  }
  next.join();
  EXPECT_TRUE(bumped);
  EXPECT_TRUE(store.find_processed("k0"));
}

TEST_F(PgStoreTest, HealthSaysWhyWhileTheServerIsAwayAndRecovers) {
  if (!server_->owned())
    GTEST_SKIP() << "the server of INCIDENT_BOT_TEST_PG_URL is not ours to stop";
  PgStore store(url_, Durability::power);
  EXPECT_EQ(store.write_check(), std::nullopt);
  server_->stop();
  const auto down = store.write_check();
  ASSERT_TRUE(down);
  EXPECT_FALSE(down->empty());
  EXPECT_FALSE(store.write_check() == std::nullopt);  // still down: still says so
  server_->start();
  EXPECT_EQ(store.write_check(), std::nullopt);
  EXPECT_TRUE(testing::commit(store, "k0", {testing::opened(1, "#ops")}, {}));
}

}  // namespace
}  // namespace incident
