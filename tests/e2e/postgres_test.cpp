// End to end on PostgreSQL: the real binary with INCIDENT_BOT_DB set to a postgresql:// URL on
// the throwaway server (support/pg_server.h) — doctor, the console, list and export — and the
// URL's password in none of what it prints.
#include <gtest/gtest.h>

#include <string>

#include "e2e/binary_test.h"
#include "storage/migrations.h"
#include "storage/pg.h"
#include "support/pg_server.h"

namespace {

using incident::testing::PgServer;
using incident::testing::Result;

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// `text` with '/' as %2F, for a socket directory in a URL's host.
std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '/' ? std::string("%2F") : std::string(1, c);
  return out;
}

class PostgresE2E : public incident::testing::BinaryTest {
 protected:
  void SetUp() override {
    BinaryTest::SetUp();
    server_ = PgServer::shared();
    if (server_ == nullptr) GTEST_SKIP() << "PostgreSQL leg skipped: " << PgServer::unavailable();
    if (!server_->owned())
      GTEST_SKIP() << "needs a server of its own, not INCIDENT_BOT_TEST_PG_URL";
    std::string name;
    server_->fresh_database(&name);
    name_ = name;
    // The password form of a URL (trust authentication accepts any password).
    url_ = "postgresql://postgres:" + std::string(kPassword) + "@" +
           escaped(server_->socket_dir().string()) + ":5432/" + name;
  }
  Result run(const std::string& args, const std::string& input = "") {
    const Result r = run_binary(args, input, "USER=dana INCIDENT_BOT_DB='" + url_ + "'");
    EXPECT_FALSE(has(r.out + r.err, kPassword)) << args << ":\n" << r.out << r.err;
    return r;
  }

  static constexpr const char* kPassword = "hunter2-not-for-logs";
  PgServer* server_ = nullptr;
  std::string url_;
  std::string name_;
};

TEST_F(PostgresE2E, TheBinaryKeepsItsRecordsInPostgresql) {
  Result r = run("doctor");
  EXPECT_TRUE(has(r.out, "has no incident-bot schema yet")) << r.out;

  r = run("console",
          "!incident start Checkout errors sev2\n"
          "!incident log the replica lagged\n"
          "!incident action add a replica lag alert owner:@dana\n"
          "!incident close failed over\n");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "INC-1 declared")) << r.out;

  // A second run is another process: it finds the first one's incident and numbers after it.
  r = run("console", "!incident start Queue backlog sev3\n");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "INC-2 declared")) << r.out;

  r = run("list");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "INC-1\tclosed\tsev2")) << r.out;
  EXPECT_TRUE(has(r.out, "INC-2\topen\tsev3")) << r.out;

  r = run("export INC-1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "the replica lagged")) << r.out;
  EXPECT_TRUE(has(r.out, "a replica lag alert")) << r.out;

  r = run("doctor");
  const std::string latest = std::to_string(incident::latest_schema_version());
  EXPECT_TRUE(has(r.out, "schema version " + latest + " of " + latest)) << r.out;
  EXPECT_TRUE(has(r.out, "every table readable, writable")) << r.out;
  // Named without user and password.
  EXPECT_TRUE(has(r.out, "postgresql://" + escaped(server_->socket_dir().string()))) << r.out;

  r = run("config");
  EXPECT_TRUE(has(r.out, "path = 'postgresql://" + escaped(server_->socket_dir().string())))
      << r.out;
}

// The server would end idle sessions: the Matrix syncer's election would flap, and an idle
// store connection's next commit would fail. doctor refuses it and says how to turn it off.
TEST_F(PostgresE2E, DoctorRefusesAnIdleSessionTimeout) {
  ASSERT_EQ(run("console", "!incident start Checkout errors sev2\n").status, 0);
  EXPECT_EQ(run("doctor").status, 0);
  incident::pg::Connection(server_->url())
      .command(("ALTER DATABASE \"" + name_ + "\" SET idle_session_timeout = '1min'").c_str());
  const Result doctor = run("doctor");
  EXPECT_NE(doctor.status, 0);
  EXPECT_TRUE(has(doctor.out, "idle_session_timeout is 1min")) << doctor.out;
  EXPECT_TRUE(has(doctor.out, "SET idle_session_timeout = 0")) << doctor.out;
}

TEST_F(PostgresE2E, AnUnreachableServerIsReportedWithoutThePassword) {
  url_ = "postgresql://bot:" + std::string(kPassword) + "@127.0.0.1:1/incidents?connect_timeout=2";
  const Result doctor = run("doctor");
  EXPECT_NE(doctor.status, 0);
  EXPECT_TRUE(has(doctor.out, "✗ database: postgresql://127.0.0.1:1/incidents")) << doctor.out;
  const Result list = run("list");
  EXPECT_NE(list.status, 0);
}

}  // namespace
