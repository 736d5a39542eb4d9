// The real binary with INCIDENT_BOT_HTTP, against the in-process fake Slack (TLS on loopback):
// /metrics parses as Prometheus text line by line and its counters move with the traffic;
// /healthz turns 503 when Slack goes away; SIGTERM in the middle of traffic exits 0 within 5 s
// with every acknowledged fact stored; a full disk is survived without a restart, and a file
// system gone read-only with one, without losing what was acknowledged.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ops/prom_text.h"
#include "ops/raw_http.h"
#include "slack/envelopes.h"
#include "slack/fake_slack.h"
#include "support/run_io.h"

extern char** environ;

namespace incident::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

unsigned short free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The bot as a child process, with its stderr in a file for when a test fails.
class Bot {
 public:
  Bot(const fs::path& dir, std::vector<std::string> env, std::vector<std::string> args = {})
      : log_(dir / ("bot-" + std::to_string(++runs_) + ".log")) {
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string binary = INCIDENT_BOT_BINARY;
    std::vector<char*> argv{binary.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    stdout_ = dir / ("bot-" + std::to_string(runs_) + ".out");
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0) {
      pid_ = 0;
    }
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Bot() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }
  bool running() const { return pid_ > 0 && !status_; }
  void signal(int sig) const { ::kill(pid_, sig); }
  // Whether it has exited (reaping it); its wait status then in status().
  bool exited() {
    if (status_) return true;
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
    return status_.has_value();
  }
  int exit_code() const { return status_ && WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -1; }
  std::string log() const { return read_file(log_); }
  std::string out() const { return read_file(stdout_); }

 private:
  static inline int runs_ = 0;
  fs::path log_;
  fs::path stdout_;
  pid_t pid_ = 0;
  std::optional<int> status_;
};

class OpsBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    dir = fs::temp_directory_path() /
          ("incident-bot-ops-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    fs::create_directories(dir);
    std::ofstream(dir / "ca.pem") << pki().ca_pem;
    fake = std::make_unique<FakeSlack>(io, pki());
    http_port = free_port();
  }
  void TearDown() override {
    bot.reset();
    fake.reset();
    if (!HasFailure()) fs::remove_all(dir);
  }
  static const TestPki& pki() {
    static const TestPki p = TestPki::generate();
    return p;
  }

  std::vector<std::string> env() const {
    return {"PATH=/usr/bin:/bin",
            std::string("SLACK_APP_TOKEN=") + kAppToken,
            std::string("SLACK_BOT_TOKEN=") + kBotToken,
            "SLACK_API_URL=" + api_url,
            "INCIDENT_BOT_CA_FILE=" + (dir / "ca.pem").string(),
            "INCIDENT_BOT_DB=" + (db.empty() ? dir / "bot.db" : db).string(),
            "INCIDENT_BOT_HTTP=127.0.0.1:" + std::to_string(http_port),
            "INCIDENT_BOT_LOG_LEVEL=info"};
  }

  void start_bot() {
    api_url = fake->api_url();
    bot = std::make_unique<Bot>(dir, env());
    ASSERT_TRUE(bot->started());
  }

  // GET `path` while the fake keeps running between tries; the first answer with `status`.
  std::optional<RawResponse> wait_for(const std::string& path, int status,
                                      Clock::duration timeout) {
    std::optional<RawResponse> last;
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline && bot->running() && !bot->exited()) {
      last = http_get(http_port, path);
      if (last && last->status == status) return last;
      run_until(
          io, [] { return false; }, 100ms);
    }
    return std::nullopt;
  }

  Exposition scrape() {
    auto r = http_get(http_port, "/metrics");
    if (!r) throw std::runtime_error("no answer from /metrics");
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->headers["content-type"].rfind("text/plain; version=0.0.4", 0), 0u);
    return parse_exposition(r->body);  // throws at the first invalid line
  }

  // Sends `envelope` and runs the fake until its ack arrives.
  bool deliver(const json& envelope) {
    const std::string id = envelope["envelope_id"];
    fake->send(envelope);
    return run_until(
        io,
        [&] {
          for (const auto& a : fake->acks()) {
            if (a.envelope_id == id) return true;
          }
          return false;
        },
        20s);
  }

  // Exports INC-1 as JSON from the bot's database: the timeline's texts.
  std::set<std::string> stored_facts() {
    Bot exporter(dir, env(), {"export", "INC-1", "--format", "json"});
    run_until(
        io, [&] { return exporter.exited(); }, 30s);
    EXPECT_EQ(exporter.exit_code(), 0) << exporter.log();
    std::set<std::string> facts;
    const auto exported = json::parse(exporter.out(), nullptr, false);
    if (!exported.is_object()) return facts;
    for (const auto& entry : exported["timeline"]) facts.insert(entry.value("text", ""));
    return facts;
  }

  boost::asio::io_context io;
  std::unique_ptr<FakeSlack> fake;
  std::unique_ptr<Bot> bot;
  fs::path dir;
  fs::path db;  // the database; empty: dir/bot.db
  std::string api_url;
  unsigned short http_port = 0;
};

// Every label value comes from a closed vocabulary: none of the traffic's words or ids.
void expect_closed_labels(const Exposition& e) {
  static const std::set<std::string> allowed{"slack",
                                             "matrix",
                                             "events_api",
                                             "slash_commands",
                                             "interactive",
                                             "other",
                                             "command",
                                             "pin",
                                             "edit",
                                             "delete",
                                             "thread_reply",
                                             "dm",
                                             "invite",
                                             "encrypted_notice",
                                             "batch",
                                             "malformed",
                                             "unknown",
                                             "binary",
                                             "too_big",
                                             "drop",
                                             "closed",
                                             "watchdog",
                                             "warning",
                                             "refresh_requested",
                                             "too_many_websockets",
                                             "connect_failed",
                                             "no_hello",
                                             "open_failed",
                                             "sync_failed",
                                             "rate_limited",
                                             "sync_rejected",
                                             "auth.test",
                                             "apps.connections.open",
                                             "chat.postMessage",
                                             "chat.postEphemeral",
                                             "conversations.open",
                                             "conversations.history",
                                             "conversations.replies",
                                             "conversations.info",
                                             "users.info"};
  for (const auto& s : e.samples) {
    for (const auto& [name, value] : s.labels) {
      if (name == "le") continue;
      EXPECT_TRUE(allowed.count(value)) << s.name << "{" << name << "=\"" << value << "\"}";
    }
  }
}

TEST_F(OpsBinaryTest, MetricsMoveWithTrafficAndHealthFollowsSlack) {
  start_bot();
  auto healthy = wait_for("/healthz", 200, 60s);
  ASSERT_TRUE(healthy) << bot->log();
  auto health = json::parse(healthy->body);
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["components"]["slack"]["state"], "connected");
  EXPECT_EQ(health["components"]["database"]["state"], "writable");

  const Exposition before = scrape();
  for (const char* family :
       {"incident_bot_events_received_total", "incident_bot_events_acked_total",
        "incident_bot_events_deduplicated_total", "incident_bot_events_rejected_total",
        "incident_bot_frames_skipped_total", "incident_bot_ack_latency_seconds",
        "incident_bot_connections_total", "incident_bot_reconnects_total",
        "incident_bot_api_calls_total", "incident_bot_api_errors_total",
        "incident_bot_api_rate_limited_total", "incident_bot_messages_sent_total",
        "incident_bot_db_commit_seconds", "incident_bot_open_incidents",
        "incident_bot_dms_received_total", "incident_bot_escalations_total"}) {
    EXPECT_TRUE(before.types.count(family)) << family;
  }
  EXPECT_EQ(before.sum("incident_bot_open_incidents"), 0);
  EXPECT_GE(before.sum("incident_bot_api_calls_total", {{"method", "auth.test"}}), 1);
  EXPECT_GE(before.sum("incident_bot_connections_total", {{"platform", "slack"}}), 1);

  const std::vector<std::string> commands{"start Checkout errors sev2", "log fact one",
                                          "log fact two", "log impact: 8% of checkouts failed"};
  json first_log;
  for (const auto& text : commands) {
    auto envelope = slash_envelope(text, "U1", "C1");
    if (text == "log fact one") first_log = envelope;
    ASSERT_TRUE(deliver(envelope)) << text << "\n" << bot->log();
  }
  // The same invocation delivered again (a new envelope id, the same trigger_id).
  first_log["envelope_id"] = next_envelope_id();
  ASSERT_TRUE(deliver(first_log));
  ASSERT_TRUE(deliver(
      event_envelope(message_event("D1", "U2", "is this link safe? https://example.test/login",
                                   "1800000000.000100", {}, "im"),
                     "EvDm1")));
  fake->send_text("{ not json");
  fake->send_binary("\x01\x02");
  ASSERT_TRUE(deliver(slash_envelope("log fact three", "U1", "C1")));  // after the bad frames

  const Exposition after = scrape();
  auto moved = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
    return after.sum(name, labels) - before.sum(name, labels);
  };
  const std::map<std::string, std::string> slash{{"platform", "slack"}, {"type", "slash_commands"}};
  EXPECT_EQ(moved("incident_bot_events_received_total", slash), 6);
  EXPECT_EQ(moved("incident_bot_events_acked_total", slash), 6);
  EXPECT_EQ(moved("incident_bot_events_deduplicated_total", slash), 1);
  EXPECT_EQ(moved("incident_bot_events_received_total", {{"type", "events_api"}}), 1);
  EXPECT_EQ(moved("incident_bot_dms_received_total", {{"platform", "slack"}}), 1);
  EXPECT_EQ(moved("incident_bot_frames_skipped_total", {{"reason", "malformed"}}), 1);
  EXPECT_EQ(moved("incident_bot_frames_skipped_total", {{"reason", "binary"}}), 1);
  EXPECT_EQ(moved("incident_bot_ack_latency_seconds_count", {{"platform", "slack"}}), 7);
  EXPECT_GE(moved("incident_bot_db_commit_seconds_count", {}), 6);
  EXPECT_EQ(after.sum("incident_bot_open_incidents"), 1);
  EXPECT_EQ(moved("incident_bot_events_rejected_total", {}), 0);
  expect_closed_labels(after);

  // Slack goes away: listener and connections closed.
  fake->close_http_connections();
  fake.reset();
  auto sick = wait_for("/healthz", 503, 30s);
  ASSERT_TRUE(sick) << bot->log();
  health = json::parse(sick->body);
  EXPECT_EQ(health["status"], "unhealthy");
  EXPECT_EQ(health["components"]["slack"]["state"], "connecting");
  EXPECT_TRUE(health["components"]["slack"]["last_error"].is_string());
  EXPECT_EQ(health["components"]["database"]["state"], "writable");
  const Exposition gone = scrape();
  EXPECT_GE(gone.sum("incident_bot_reconnects_total", {{"platform", "slack"}}),
            after.sum("incident_bot_reconnects_total", {{"platform", "slack"}}) + 1);
  // Nothing of what was said (a credential-free log, but still no words) reaches the metrics.
  EXPECT_EQ(http_get(http_port, "/metrics")->body.find("example.test"), std::string::npos);

  bot->signal(SIGTERM);
  ASSERT_TRUE(run_until(
      io, [&] { return bot->exited(); }, 10s));
  EXPECT_EQ(bot->exit_code(), 0) << bot->log();
}

TEST_F(OpsBinaryTest, SigtermMidTrafficLosesNothingAcknowledged) {
  start_bot();
  ASSERT_TRUE(wait_for("/healthz", 200, 60s)) << bot->log();
  // A scraper with a kept-alive connection must not hold up the exit.
  RawConnection scraper(http_port);
  ASSERT_TRUE(scraper.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(scraper.read_response());
  ASSERT_TRUE(deliver(slash_envelope("start Replica lag sev3", "U1", "C1")));

  std::map<std::string, std::string> facts;  // envelope id → the fact it logs
  std::size_t acked_before = fake->acks().size();
  int next = 0;
  int sent_after_signal = 0;
  std::optional<Clock::time_point> signalled;
  const auto give_up = Clock::now() + 60s;
  while (!bot->exited() && Clock::now() < give_up) {
    const auto acked = fake->acks().size() - acked_before;
    // Keep about ten envelopes in flight, before and after the signal.
    while (fake->open_sockets() > 0 && static_cast<std::size_t>(next) < acked + 10 && next < 400) {
      auto envelope = slash_envelope("log load fact " + std::to_string(next), "U1", "C1");
      facts[envelope["envelope_id"]] = "load fact " + std::to_string(next);
      fake->send(envelope);
      ++next;
      if (signalled) ++sent_after_signal;
    }
    if (!signalled && acked >= 40) {
      bot->signal(SIGTERM);
      signalled = Clock::now();
    }
    io.run_one_for(2ms);
  }
  ASSERT_TRUE(signalled) << bot->log();
  ASSERT_TRUE(bot->exited()) << bot->log();
  // Traffic was still flowing when the signal came (the window was full at that moment).
  const auto took = Clock::now() - *signalled;
  EXPECT_EQ(bot->exit_code(), 0) << bot->log();
  EXPECT_LE(took, 5s) << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                      << " ms\n"
                      << bot->log();
  EXPECT_TRUE(scraper.closed_by_peer());

  // Every acknowledged fact is in the database.
  const auto stored = stored_facts();
  int checked = 0;
  for (const auto& ack : fake->acks()) {
    auto it = facts.find(ack.envelope_id);
    if (it == facts.end()) continue;
    ++checked;
    EXPECT_TRUE(stored.count(it->second)) << it->second << " was acknowledged but not stored";
  }
  EXPECT_GE(checked, 40);
  EXPECT_GT(next - static_cast<int>(fake->acks().size() - acked_before), 0)
      << "some envelopes were never acknowledged: the signal did come mid-traffic";
  std::cout << "sent " << next << " log envelopes (" << sent_after_signal << " after SIGTERM), "
            << checked << " acknowledged and stored; exit took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
}

TEST_F(OpsBinaryTest, ABadOrBusyAddressStopsTheStart) {
  api_url = fake->api_url();
  auto with_http = [&](const std::string& address) {
    auto e = env();
    for (auto& v : e) {
      if (v.rfind("INCIDENT_BOT_HTTP=", 0) == 0) v = "INCIDENT_BOT_HTTP=" + address;
    }
    return e;
  };
  for (const char* bad : {":9464", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:99999", "host:port"}) {
    Bot b(dir, with_http(bad), {"config"});
    ASSERT_TRUE(run_until(
        io, [&] { return b.exited(); }, 30s));
    EXPECT_EQ(b.exit_code(), 2) << bad;
    EXPECT_NE(b.log().find("INCIDENT_BOT_HTTP"), std::string::npos) << bad << ": " << b.log();
  }
  // In use: the bot names the address and exits 1 rather than run without its endpoint.
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  Bot b(dir, with_http("127.0.0.1:" + std::to_string(taken.local_endpoint().port())));
  ASSERT_TRUE(run_until(
      io, [&] { return b.exited(); }, 30s));
  EXPECT_EQ(b.exit_code(), 1);
  EXPECT_NE(b.log().find("cannot listen"), std::string::npos) << b.log();
}

// A tmpfs of its own for the database, so that it can be filled (root only: CI runs as root;
// elsewhere the test says it was skipped). A read-only remount is refused while the bot has the
// file open for writing, so a read-only database is tried on Ext4 below.
class Tmpfs {
 public:
  Tmpfs(const fs::path& at, const std::string& size) : at_(at), options_("size=" + size) {
    fs::create_directories(at_);
    mounted_ = ::mount("tmpfs", at_.c_str(), "tmpfs", 0, options_.c_str()) == 0;
  }
  ~Tmpfs() {
    if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
  }
  const fs::path& path() const { return at_; }
  bool mounted() const { return mounted_; }
  // Writes a file until the disk is full; false when it never filled.
  bool fill() {
    std::ofstream out(at_ / "filler", std::ios::binary);
    const std::string block(64 * 1024, 'x');
    for (int i = 0; i < 100000; ++i) {
      if (!out.write(block.data(), static_cast<std::streamsize>(block.size())) || !out.flush()) {
        return true;
      }
    }
    return false;
  }
  void empty() { fs::remove(at_ / "filler"); }

 private:
  fs::path at_;
  std::string options_;
  bool mounted_ = false;
};

// An ext4 file system of its own on a loop device, mounted errors=remount-ro: a file-system
// error (injected through ext4's trigger_fs_error) turns it read-only under the bot, as the
// kernel does when the disk beneath fails. Such a file system comes back only unmounted and
// checked, so the bot must be stopped first (root only, like Tmpfs).
class Ext4 {
 public:
  Ext4(const fs::path& at, const fs::path& image) : at_(at), image_(image) {
    fs::create_directories(at_);
    mounted_ =
        shell("truncate -s 16M " + image_.string() + " && mkfs.ext4 -q -F " + image_.string()) &&
        mount();
  }
  ~Ext4() {
    if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
  }
  const fs::path& path() const { return at_; }
  bool mounted() const { return mounted_; }
  // Whether this kernel lets a test raise an ext4 error.
  bool can_fail() const { return fs::exists(trigger()); }
  // The error a failing disk would raise; true when the file system went read-only.
  bool fail() {
    std::ofstream(trigger()) << "injected by the test";
    return fs_read_only();
  }
  // What an operator does: unmount, check, mount again.
  bool repair() {
    if (::umount(at_.c_str()) != 0) return false;
    mounted_ = false;
    return shell("e2fsck -fy " + image_.string(), 1) && mount();
  }

 private:
  // Whether `command` exited with at most `worst` (e2fsck: 1 = errors corrected).
  static bool shell(const std::string& command, int worst = 0) {
    const std::string line = "export PATH=/usr/sbin:/sbin:$PATH; " + command + " >/dev/null 2>&1";
    const int status = std::system(line.c_str());
    return WIFEXITED(status) && WEXITSTATUS(status) <= worst;
  }
  bool mount() {
    mounted_ = shell("mount -o loop,errors=remount-ro " + image_.string() + " " + at_.string());
    return mounted_;
  }
  // This mount's source and options, from /proc/self/mounts.
  std::vector<std::string> entry() const {
    std::ifstream in("/proc/self/mounts");
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string source, target, type, options;
      fields >> source >> target >> type >> options;
      if (target == at_.string()) return {source, options};
    }
    return {"", ""};
  }
  fs::path trigger() const {
    return fs::path("/sys/fs/ext4") / fs::path(entry()[0]).filename() / "trigger_fs_error";
  }
  bool fs_read_only() const {
    const std::string options = "," + entry()[1] + ",";
    return options.find(",ro,") != std::string::npos ||
           options.find("emergency_ro") != std::string::npos;
  }

  fs::path at_;
  fs::path image_;
  bool mounted_ = false;
};

class StorageFault : public OpsBinaryTest {
 protected:
  // A 📌 on a message the fake holds: a timeline fact, redelivered by Slack until acknowledged.
  json pin(int n, int retry_attempt) {
    const std::string ts = "1800000000." + std::to_string(100000 + n);
    if (retry_attempt == 0) fake->seed_message("C1", ts, "U2", "pinned fact " + std::to_string(n));
    return event_envelope(reaction_event("U2", "pushpin", "C1", ts, ts),
                          "EvFault" + std::to_string(n), retry_attempt);
  }
  bool acked(const json& envelope) {
    for (const auto& a : fake->acks()) {
      if (a.envelope_id == envelope["envelope_id"]) return true;
    }
    return false;
  }

  // Under `fault`, nothing is acknowledged and /healthz says why (`reason`); after `repair`,
  // Slack's redeliveries are stored once each. With Recovery::in_place the same process serves
  // on; with Recovery::restart it is stopped before the repair and started again after it.
  enum class Recovery { in_place, restart };
  template <typename Disk>
  void survives(Disk& disk, const std::function<bool(Disk&)>& fault,
                const std::function<bool(Disk&)>& repair, Recovery recovery,
                const std::string& reason) {
    db = disk.path() / "bot.db";
    start_bot();
    ASSERT_TRUE(wait_for("/healthz", 200, 60s)) << bot->log();
    ASSERT_TRUE(deliver(slash_envelope("start Storage fault", "U1", "C1")));
    ASSERT_TRUE(deliver(pin(0, 0)));

    ASSERT_TRUE(fault(disk));
    std::vector<json> refused;
    for (int n = 1; n <= 5; ++n) {
      refused.push_back(pin(n, 0));
      fake->send(refused.back());
    }
    auto slash = slash_envelope("log typed while the disk could not take it", "U1", "C1");
    fake->send(slash);
    const auto sick = wait_for("/healthz", 503, 20s);
    ASSERT_TRUE(sick) << bot->log();
    const auto health = json::parse(sick->body);
    EXPECT_EQ(health["components"]["database"]["state"], "not_writable") << sick->body;
    EXPECT_EQ(health["components"]["database"]["last_error"], reason) << sick->body;
    for (const auto& e : refused) EXPECT_FALSE(acked(e)) << e.dump();
    // Left unacknowledged too: Slack tells the caller the command failed (it never redelivers
    // a slash command).
    run_until(
        io, [] { return false; }, 500ms);
    EXPECT_FALSE(acked(slash));

    if (recovery == Recovery::restart) {
      bot->signal(SIGTERM);
      ASSERT_TRUE(run_until(
          io, [&] { return bot->exited(); }, 10s));
    }
    ASSERT_TRUE(repair(disk));
    if (recovery == Recovery::restart) {
      start_bot();
      ASSERT_TRUE(wait_for("/healthz", 200, 60s)) << bot->log();
    }
    for (int n = 1; n <= 5; ++n) EXPECT_TRUE(deliver(pin(n, 1))) << n << "\n" << bot->log();
    EXPECT_TRUE(deliver(pin(1, 2)));  // a late duplicate changes nothing
    ASSERT_TRUE(wait_for("/healthz", 200, 20s)) << bot->log();
    EXPECT_TRUE(bot->running() && !bot->exited()) << "the bot restarted\n" << bot->log();

    bot->signal(SIGTERM);
    ASSERT_TRUE(run_until(
        io, [&] { return bot->exited(); }, 10s));
    Bot exporter(dir, env(), {"export", "INC-1", "--format", "json"});
    ASSERT_TRUE(run_until(
        io, [&] { return exporter.exited(); }, 30s));
    const auto exported = json::parse(exporter.out(), nullptr, false);
    ASSERT_TRUE(exported.is_object()) << exporter.log();
    std::map<std::string, int> times;
    for (const auto& entry : exported["timeline"]) ++times[entry.value("text", "")];
    for (int n = 0; n <= 5; ++n) {
      EXPECT_EQ(times["pinned fact " + std::to_string(n)], 1) << n;
    }
    EXPECT_EQ(times["typed while the disk could not take it"], 0);
  }
};

TEST_F(StorageFault, AFullDiskRefusesThenRecoversWithoutARestart) {
  Tmpfs disk(dir / "disk", "4m");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs (needs root)";
  survives<Tmpfs>(
      disk, [](Tmpfs& d) { return d.fill(); },
      [](Tmpfs& d) {
        d.empty();
        return true;
      },
      Recovery::in_place, "database or disk is full");
}

// The file system turns read-only under load (a failing disk): nothing more is acknowledged,
// /healthz says why, the bot stays up; after the operator's repair and a restart, Slack's
// redeliveries are stored once each and nothing acknowledged before the fault is missing.
TEST_F(StorageFault, AFileSystemGoneReadOnlyRefusesAndLosesNothingAcknowledged) {
  Ext4 disk(dir / "disk", dir / "disk.img");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount an ext4 image on a loop device (needs root)";
  if (!disk.can_fail()) GTEST_SKIP() << "this kernel has no ext4 trigger_fs_error";
  survives<Ext4>(
      disk, [](Ext4& d) { return d.fail(); }, [](Ext4& d) { return d.repair(); }, Recovery::restart,
      "disk I/O error");
}

}  // namespace
}  // namespace incident::testing
