#include "support/pg_server.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "storage/pg.h"

namespace incident::testing {
namespace {

namespace fs = std::filesystem;

// The newest installed server's programs (Debian: /usr/lib/postgresql/<major>/bin), or
// INCIDENT_BOT_PG_BINDIR.
fs::path find_bindir() {
  if (const char* dir = std::getenv("INCIDENT_BOT_PG_BINDIR")) return dir;
  fs::path best;
  int best_major = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const int major = std::atoi(entry.path().filename().c_str());
    if (major > best_major && fs::exists(entry.path() / "bin" / "initdb") &&
        fs::exists(entry.path() / "bin" / "postgres")) {
      best_major = major;
      best = entry.path() / "bin";
    }
  }
  return best;
}

// Who runs the server: ourselves, or the `postgres` account when we are root.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

// In a forked child: become `as`, send stdout and stderr to `log`, and run `argv`.
[[noreturn]] void exec_as(const RunAs& as, const fs::path& log, std::vector<std::string> argv,
                          bool die_with_parent) {
  if (as.drop && (::setgroups(0, nullptr) != 0 || ::setgid(as.gid) != 0 || ::setuid(as.uid) != 0)) {
    ::_exit(126);
  }
  // After setuid, which clears it: the server goes when the test process does, however it ends.
  if (die_with_parent) ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::close(fd);
  }
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

pid_t spawn(const RunAs& as, const fs::path& log, std::vector<std::string> argv,
            bool die_with_parent) {
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) exec_as(as, log, std::move(argv), die_with_parent);
  return pid;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

RunAs run_as(std::string& why) {
  if (::geteuid() != 0) return {};
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) {
    why = "running as root, and there is no `postgres` account to run initdb as";
    return {};
  }
  return {true, pw->pw_uid, pw->pw_gid};
}

}  // namespace

PgServer* PgServer::shared() {
  static std::unique_ptr<PgServer> server = launch(unavailable_reason());
  return server.get();
}

const std::string& PgServer::unavailable() {
  shared();
  return unavailable_reason();
}

std::string& PgServer::unavailable_reason() {
  static std::string why;
  return why;
}

std::unique_ptr<PgServer> PgServer::launch(std::string& why) {
  std::unique_ptr<PgServer> server(new PgServer);
  if (const char* url = std::getenv("INCIDENT_BOT_TEST_PG_URL"); url && *url) {
    server->external_url_ = url;
    return server;
  }
  server->bindir_ = find_bindir();
  if (server->bindir_.empty() || !fs::exists(server->bindir_ / "initdb")) {
    why =
        "no PostgreSQL server programs (install postgresql-15, or set INCIDENT_BOT_PG_BINDIR "
        "or INCIDENT_BOT_TEST_PG_URL)";
    return nullptr;
  }
  const RunAs as = run_as(why);
  if (!why.empty()) return nullptr;

  std::string dir = (fs::temp_directory_path() / "ib-pg-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) {
    why = "cannot make a temporary directory";
    return nullptr;
  }
  server->dir_ = dir;
  if (as.drop && ::chown(dir.c_str(), as.uid, as.gid) != 0) {
    why = "cannot hand " + dir + " to the postgres account";
    return nullptr;
  }
  const pid_t initdb = spawn(
      as, server->dir_ / "initdb.log",
      {(server->bindir_ / "initdb").string(), "-D", (server->dir_ / "data").string(), "-U",
       "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
      false);
  int status = 0;
  ::waitpid(initdb, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    why = "initdb failed: " + read_file(server->dir_ / "initdb.log");
    return nullptr;
  }
  server->start();
  return server;
}

PgServer::~PgServer() {
  if (!owned()) return;
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PgServer::url(const std::string& database) const {
  if (!owned()) {
    // The external server's URL names its own database; swap in ours.
    if (database == "postgres") return external_url_;
    const auto query = external_url_.find('?');
    const auto slash = external_url_.rfind('/', query);
    return external_url_.substr(0, slash + 1) + database +
           (query == std::string::npos ? "" : external_url_.substr(query));
  }
  return "postgresql:///" + database + "?host=" + dir_.string() + "&port=5432&user=postgres";
}

std::string PgServer::fresh_database(std::string* created) {
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  pg::Connection admin(url());
  const std::string create = "CREATE DATABASE " + name;
  admin.command(create.c_str());
  if (created) *created = name;
  return url(name);
}

void PgServer::start() {
  if (!owned())
    throw std::logic_error("the server of INCIDENT_BOT_TEST_PG_URL is not ours to start");
  if (pid_ > 0) return;
  std::string why;
  const RunAs as = run_as(why);
  // Only on the Unix socket in our directory: no port to collide with another test process.
  // fsync off: these tests kill clients, never the machine.
  pid_ = spawn(as, dir_ / "server.log",
               {(bindir_ / "postgres").string(), "-D", (dir_ / "data").string(), "-k",
                dir_.string(), "-p", "5432", "-c", "listen_addresses=", "-c", "fsync=off", "-c",
                "full_page_writes=off", "-c", "max_connections=50"},
               true);
  wait_until_ready();
}

void PgServer::wait_until_ready() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const std::string conninfo = url();
  while (PQping(conninfo.c_str()) != PQPING_OK) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("PostgreSQL exited at start: " + read_file(dir_ / "server.log"));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("PostgreSQL did not accept connections within 30 s: " +
                               read_file(dir_ / "server.log"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void PgServer::stop() {
  if (!owned())
    throw std::logic_error("the server of INCIDENT_BOT_TEST_PG_URL is not ours to stop");
  if (pid_ <= 0) return;
  ::kill(pid_, SIGINT);  // fast shutdown: ends sessions, checkpoints, exits
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace incident::testing
