// A throwaway PostgreSQL server for the tests of the PostgreSQL store: a new cluster (initdb) in
// a temporary directory, served on a Unix socket there only, run as an unprivileged user (the
// `postgres` account when the tests run as root, as CI does, since PostgreSQL refuses root), and
// killed with the test process (it dies with its parent). With INCIDENT_BOT_TEST_PG_URL set, that
// server is used instead and nothing is started (then stop() and start() are refused).
//
// Tests that need one call PgServer::shared() and GTEST_SKIP() with unavailable() when it is
// null: skipped and saying why, never passed silently. tests/run.sh installs postgresql-15, so
// CI runs them.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

namespace incident::testing {

class PgServer {
 public:
  // The server this test process shares, started on first use; null when none can be started.
  static PgServer* shared();
  // Why shared() is null.
  static const std::string& unavailable();

  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // A libpq URI for `database` on this server, as the superuser.
  std::string url(const std::string& database = "postgres") const;
  // A new, empty database for one test; returns its URL (and its name in `name`).
  std::string fresh_database(std::string* name = nullptr);
  // The directory of the server's Unix socket (a server we started).
  const std::filesystem::path& socket_dir() const { return dir_; }

  // A fast shutdown (SIGINT), waited for; start() serves the same cluster again.
  void stop();
  void start();
  // False for a server named by INCIDENT_BOT_TEST_PG_URL, which is not ours to stop.
  bool owned() const { return external_url_.empty(); }

 private:
  PgServer() = default;
  static std::unique_ptr<PgServer> launch(std::string& why);
  static std::string& unavailable_reason();
  void wait_until_ready();

  std::filesystem::path bindir_;
  std::filesystem::path dir_;  // the socket and logs; the cluster in dir_/data
  std::string external_url_;
  pid_t pid_ = -1;
  int databases_ = 0;
};

}  // namespace incident::testing
