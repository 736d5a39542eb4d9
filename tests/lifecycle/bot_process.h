// The real incident-bot binary as a child process, configured from a clean environment, with
// stdin closed (as a service runs) and stdout / stderr captured in files; and the in-process fakes
// it talks to, on one io_context that the test keeps running while it waits.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "slack/test_pki.h"
#include "support/run_io.h"

namespace incident::testing {

using Clock = std::chrono::steady_clock;

// One CA and server certificate per test process (key generation is the slow part).
inline const TestPki& lifecycle_pki() {
  static const TestPki generated = TestPki::generate();
  return generated;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh temporary folder per test, with the fakes' CA in ca.pem.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path = std::filesystem::temp_directory_path() /
           ("incident-bot-life-" + std::to_string(::getpid()) + "-" + info->test_suite_name() +
            "." + info->name());
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    std::ofstream(path / "ca.pem") << lifecycle_pki().ca_pem;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::filesystem::path path;
};

class BotProcess {
 public:
  // Starts INCIDENT_BOT_BINARY with `args` and exactly `env` (plus PATH); output in `dir`.
  BotProcess(const std::vector<std::string>& args, std::vector<std::string> env,
             const std::filesystem::path& dir, const std::string& name = "bot")
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    env.push_back("PATH=/usr/bin:/bin");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> argv_text{INCIDENT_BOT_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    if (posix_spawn(&pid_, INCIDENT_BOT_BINARY, &actions, nullptr, argv.data(), envp.data()) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~BotProcess() {
    if (pid_ > 0 && !exited()) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
    }
  }
  BotProcess(const BotProcess&) = delete;
  BotProcess& operator=(const BotProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  bool exited() {
    if (done_) return true;
    if (pid_ > 0 && ::waitpid(pid_, &status_, WNOHANG) == pid_) done_ = true;
    return done_;
  }
  // The exit status, or -signal when a signal ended it, or -1000 when it has not ended.
  int status() {
    if (!exited()) return -1000;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
  }
  void signal(int sig) { ::kill(pid_, sig); }
  std::string out() const { return read_file(out_); }
  std::string err() const { return read_file(err_); }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool done_ = false;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

inline bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace incident::testing
