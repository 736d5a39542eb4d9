// The libpq layer (storage/pg.h) against a real, throwaway PostgreSQL (support/pg_server.h):
// parameters and NULLs round-trip, refusals carry their SQLSTATE, a long statement is ended by
// the server's timeout, and a lost connection or a server that goes away is an error that
// reconnect() recovers from, never a hang.
#include "storage/pg.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

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
