// Does the bot survive the systemd unit's SystemCallFilter? The real binary runs under strace
// against the fake Slack (start, TLS, Socket Mode, a DM and its reply, SQLite commits, SIGTERM),
// and every system call it made must be in the set the unit allows, as systemd-analyze expands
// it. (Under systemd a call outside the set fails with EPERM: SystemCallErrorNumber=EPERM.)
// Skipped when strace or systemd-analyze is not installed.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <map>
#include <set>

#include "lifecycle/slack_bot.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The system call of an `strace -f` line ("1234  openat(AT_FDCWD, …) = 3" → "openat"), or ""
// for anything else (signals, exits, "<... resumed>" halves).
std::string call_name(const std::string& line) {
  std::size_t i = 0;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
  const std::size_t digits = i;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  if (digits == 0 || i == digits) return {};
  const std::size_t first = i;
  while (i < line.size() && (std::islower(static_cast<unsigned char>(line[i])) ||
                             std::isdigit(static_cast<unsigned char>(line[i])) || line[i] == '_')) {
    ++i;
  }
  if (i == first || i >= line.size() || line[i] != '(') return {};
  return line.substr(first, i - first);
}

bool installed(const char* tool) {
  const std::string cmd = std::string("command -v ") + tool + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

std::string command_output(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

// The system calls of a name or @group, groups expanded recursively (systemd-analyze
// syscall-filter lists a group's members, nested groups by name).
void expand(const std::string& item, std::set<std::string>& out, std::set<std::string>& seen) {
  if (item.empty() || item[0] != '@') {
    out.insert(item);
    return;
  }
  if (!seen.insert(item).second) return;
  std::istringstream lines(command_output("systemd-analyze syscall-filter --no-pager " + item));
  std::string line;
  std::getline(lines, line);  // the group's own name
  while (std::getline(lines, line)) {
    const auto b = line.find_first_not_of(' ');
    if (b == std::string::npos || line[b] == '#') continue;
    expand(line.substr(b, line.find_first_of(" \t", b) - b), out, seen);
  }
}

std::set<std::string> expand_all(const std::string& list) {
  std::set<std::string> out, seen;
  std::istringstream words(list);
  std::string w;
  while (words >> w) expand(w, out, seen);
  return out;
}

// The allow-list the unit's SystemCallFilter= lines build: the first plain line sets it, later
// plain lines add to it, `~` lines take away.
std::set<std::string> unit_allowed(const fs::path& unit) {
  std::istringstream lines(read_file(unit));
  std::string line;
  std::set<std::string> allowed;
  while (std::getline(lines, line)) {
    if (line.rfind("SystemCallFilter=", 0) != 0) continue;
    std::string value = line.substr(17);
    if (!value.empty() && value[0] == '~') {
      for (const auto& s : expand_all(value.substr(1))) allowed.erase(s);
    } else {
      for (const auto& s : expand_all(value)) allowed.insert(s);
    }
  }
  return allowed;
}

class SyscallFilter : public SlackBot {};

TEST_F(SyscallFilter, TheBotMakesNoCallTheUnitForbids) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "the sanitizers' runtime makes calls of its own; the Release build is checked";
#endif
  if (!installed("strace") || !installed("systemd-analyze")) {
    GTEST_SKIP() << "strace or systemd-analyze not installed";
  }
  const fs::path unit = fs::path(INCIDENT_SOURCE_DIR) / "deploy/systemd/incident-bot.service";
  const std::set<std::string> allowed = unit_allowed(unit);
  ASSERT_GT(allowed.size(), 100u) << "could not expand the unit's SystemCallFilter";
  ASSERT_FALSE(allowed.count("reboot"));
  ASSERT_TRUE(allowed.count("epoll_wait"));

  // strace in front of the binary; its own calls before the execve are not the bot's.
  const fs::path trace = dir.path / "strace.txt";
  auto e = env();
  e.push_back("INCIDENT_BOT_LOG_LEVEL=debug");
  std::vector<std::string> argv_text{"/usr/bin/strace",   "-f", "-qq", "-o", trace.string(),
                                     INCIDENT_BOT_BINARY, "run"};
  // The service never runs as root (DynamicUser=yes), and as root SQLite makes calls it would not
  // make otherwise (it fchown()s a new -wal / -shm file to the database's owner). So a root test
  // runs the bot as nobody, in a folder nobody may write to.
  const bool as_root = ::geteuid() == 0;
  if (as_root) {
    if (!installed("setpriv")) GTEST_SKIP() << "running as root without setpriv";
    fs::permissions(dir.path, fs::perms::all);
    argv_text.insert(argv_text.begin(), {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                         "--clear-groups", "--"});
  }
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  e.push_back("PATH=/usr/bin:/bin");
  std::vector<char*> envp;
  for (auto& x : e) envp.push_back(x.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const fs::path log = dir.path / "strace.err";
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(spawned, 0);
  int status = 0;
  bool done = false;
  auto exited = [&] { return done || (done = ::waitpid(pid, &status, WNOHANG) == pid); };
  struct Reaper {
    pid_t pid;
    std::function<bool()> exited;
    ~Reaper() {
      if (!exited()) {
        ::kill(pid, SIGTERM);  // strace kills the bot it started, then itself
        ::waitpid(pid, nullptr, 0);
      }
    }
  } reaper{pid, exited};
  ASSERT_TRUE(run_until(
      io, [&] { return slack.current() != 0; }, 20s))
      << read_file(trace);
  run_until(
      io, [] { return false; }, 300ms);
  ASSERT_TRUE(dm("I clicked a link in an email, is this safe?", "EvSys1"));
  run_until(
      io, [&] { return !slack.posted().empty(); }, 5s);
  // The bot itself, not strace (which would detach and lose the trace of the shutdown): the
  // first line of the trace is its execve, under its pid. strace exits with the bot's status.
  const pid_t bot = static_cast<pid_t>(std::stol(read_file(trace)));
  ASSERT_GT(bot, 0);
  ::kill(bot, SIGTERM);
  ASSERT_TRUE(run_until(io, exited, 15s));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << read_file(log);

  const std::string text = read_file(trace);
  const auto exec_at = text.find("execve(\"" + std::string(INCIDENT_BOT_BINARY));
  ASSERT_NE(exec_at, std::string::npos);
  std::istringstream lines(text.substr(exec_at));
  std::set<std::string> made;
  std::map<std::string, std::string> forbidden;  // a call → its first line in the trace
  std::string line;
  while (std::getline(lines, line)) {
    const std::string name = call_name(line);
    if (name.empty()) continue;
    made.insert(name);
    if (!allowed.count(name)) forbidden.emplace(name, line);
  }
  EXPECT_GT(made.size(), 20u);

  // RestrictAddressFamilies= likewise: every socket() the bot opened is of an allowed family.
  std::set<std::string> families;
  std::istringstream unit_lines(read_file(unit));
  while (std::getline(unit_lines, line)) {
    if (line.rfind("RestrictAddressFamilies=", 0) != 0) continue;
    std::istringstream words(line.substr(24));
    for (std::string w; words >> w;) families.insert(w);
  }
  ASSERT_FALSE(families.empty());
  std::istringstream again(text.substr(exec_at));
  while (std::getline(again, line)) {
    if (call_name(line) != "socket") continue;
    const auto open = line.find("socket(AF_");
    if (open == std::string::npos) continue;
    const auto first = open + 7;
    const auto last = line.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", first);
    const std::string family = line.substr(first, last - first);
    if (!families.count(family)) forbidden.emplace(family, line);
  }
  std::string list;
  for (const auto& [name, first] : forbidden) list += "\n  " + first;
  EXPECT_TRUE(forbidden.empty()) << "calls the unit's SystemCallFilter or RestrictAddressFamilies "
                                    "would refuse:"
                                 << list;
}

}  // namespace
}  // namespace incident::testing
