// Matrix soak: the real binary (build/incident-bot) against the fake homeserver, under a steady
// stream of `!incident log` messages, killed with SIGKILL at random moments — inside a /sync
// batch, between a commit and its sends, while a send is in flight — and started again. At the
// end every fact must be stored exactly once and confirmed by exactly one message (the outbox's
// transaction ids make a send repeated after a crash the same event). Not a test and not in CI:
// tests/soak.sh --matrix runs it (tests/bench/README.md, "Soak").
//
//   build/tests/matrix_soak [--kills K] [--rate R] [--seed S] [--binary PATH]
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_process.h"
#include "matrix/fake_homeserver.h"
#include "support/run_io.h"

namespace {

namespace fs = std::filesystem;
using namespace incident::testing;
using incident::bench::Child;
using incident::bench::ms;
using incident::bench::status_kb;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kAlice = "@alice:localhost";

struct Options {
  int kills = 200;
  double rate = 50;  // messages per second
  unsigned seed = 1;
  std::string binary = INCIDENT_BOT_BINARY;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int soak(const Options& o) {
  const TestPki pki = TestPki::generate();
  const fs::path dir =
      fs::temp_directory_path() / ("incident-bot-matrix-soak-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "ca.pem") << pki.ca_pem;
  const fs::path log = dir / "bot.log";

  boost::asio::io_context io;
  FakeHomeserver hs(io, pki);
  const std::string room = hs.create_room(kAlice, {kAlice});
  hs.invite(room, kAlice, kMatrixBot);
  const std::vector<std::string> env{"PATH=/usr/bin:/bin",
                                     "MATRIX_HOMESERVER=" + hs.url(),
                                     std::string("MATRIX_ACCESS_TOKEN=") + kMatrixToken,
                                     "INCIDENT_BOT_CA_FILE=" + (dir / "ca.pem").string(),
                                     "INCIDENT_BOT_DB=" + (dir / "soak.db").string(),
                                     "INCIDENT_BOT_LOG_LEVEL=warn"};
  const std::vector<std::string> run{"run"};
  auto bot = std::make_unique<Child>(o.binary, env, run, log);
  const auto began = Clock::now();
  if (!run_until(
          io, [&] { return hs.membership(room, kMatrixBot) == "join"; }, 30s)) {
    std::cerr << "the bot did not join; see " << log << "\n";
    return 1;
  }
  hs.say(room, kAlice, "!incident start Soak test");
  if (!run_until(
          io, [&] { return !hs.bot_bodies(room).empty(); }, 30s)) {
    std::cerr << "the bot did not start the incident; see " << log << "\n";
    return 1;
  }

  int sent = 0;
  int crashes = 0;
  const auto load_began = Clock::now();
  auto serve = [&](Clock::duration d, bool load) {
    const auto until = Clock::now() + d;
    while (Clock::now() < until) {
      io.run_for(5ms);
      if (bot->exited()) {
        ++crashes;
        std::cerr << "the bot exited on its own; see " << log << "\n";
        bot = std::make_unique<Child>(o.binary, env, run, log);
      }
      const auto due = static_cast<int>(ms(Clock::now() - load_began) / 1000.0 * o.rate);
      while (load && sent < due) {
        hs.say(room, kAlice, "!incident log soak fact " + std::to_string(sent));
        ++sent;
      }
    }
  };

  // After each kill, the time until the new process has sent its first /sync.
  std::vector<double> back;
  std::mt19937 random(o.seed);
  std::uniform_int_distribution<int> pause_ms(200, 1500);
  long rss_first = 0;
  for (int k = 0; k < o.kills; ++k) {
    serve(std::chrono::milliseconds(pause_ms(random)), true);
    if (k == 0) rss_first = status_kb(bot->pid(), "VmRSS:");
    bot->stop(SIGKILL);
    const std::size_t syncs = hs.requests("sync").size();
    const auto killed = Clock::now();
    bot = std::make_unique<Child>(o.binary, env, run, log);
    run_until(
        io, [&] { return hs.requests("sync").size() > syncs; }, 30s);
    back.push_back(ms(Clock::now() - killed));
    if ((k + 1) % 25 == 0) {
      std::fprintf(stderr, "%d/%d kills, %d facts sent\n", k + 1, o.kills, sent);
    }
  }

  // Every fact confirmed, then a clean stop.
  auto confirmations = [&] {
    std::map<int, int> times;
    for (const auto& body : hs.bot_bodies(room)) {
      const auto at = body.rfind(": soak fact ");
      if (at == std::string::npos) continue;
      const std::string tail = body.substr(at + 12);
      if (!tail.empty() && std::all_of(tail.begin(), tail.end(), ::isdigit)) {
        ++times[std::stoi(tail)];
      }
    }
    return times;
  };
  const auto drain_until = Clock::now() + 60s;
  while (Clock::now() < drain_until && static_cast<int>(confirmations().size()) < sent) {
    serve(200ms, false);
  }
  serve(1s, false);
  const long rss_last = status_kb(bot->pid(), "VmRSS:");
  const int term = bot->stop(SIGTERM);

  const fs::path exported = dir / "export.json";
  {
    Child exporter(o.binary, env, {"export", "INC-1", "--format", "json"}, log, exported);
    while (!exporter.exited()) std::this_thread::sleep_for(50ms);
  }
  std::ifstream in(exported);
  const auto doc = json::parse(in, nullptr, false);
  if (!doc.is_object()) {
    std::cerr << "the export failed; see " << log << "\n";
    return 1;
  }
  std::map<std::string, int> stored;
  for (const auto& entry : doc["timeline"]) ++stored[entry.value("text", "")];
  const auto confirmed = confirmations();
  int stored_once = 0, lost = 0, duplicated = 0, unconfirmed = 0, confirmed_twice = 0;
  for (int n = 0; n < sent; ++n) {
    const int times = stored["soak fact " + std::to_string(n)];
    if (times == 1) ++stored_once;
    if (times == 0 && ++lost <= 10) std::fprintf(stderr, "lost: soak fact %d\n", n);
    if (times > 1) ++duplicated;
    const auto c = confirmed.find(n);
    if (c == confirmed.end()) ++unconfirmed;
    if (c != confirmed.end() && c->second > 1) ++confirmed_twice;
  }

  std::printf("matrix soak: %d kill -9s (seed %u, %.0f messages/s), %.0f s\n", o.kills, o.seed,
              o.rate, ms(Clock::now() - began) / 1000.0);
  std::printf("facts        %d sent, %d stored once, %d lost, %d stored twice or more\n", sent,
              stored_once, lost, duplicated);
  std::printf("replies      %d unconfirmed, %d confirmed twice or more\n", unconfirmed,
              confirmed_twice);
  std::printf(
      "restart      kill → first /sync of the new process: p50 %.0f ms  p99 %.0f ms  max "
      "%.0f ms\n",
      percentile(back, 0.5), percentile(back, 0.99), percentile(back, 1));
  std::printf("memory       %ld kB in the first process, %ld kB in the last at the end\n",
              rss_first, rss_last);
  std::printf("crashes      %d; last exit status %d\n", crashes, term);
  const bool ok =
      lost == 0 && duplicated == 0 && unconfirmed == 0 && confirmed_twice == 0 && crashes == 0;
  if (ok) fs::remove_all(dir);
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << flag << " needs a value\n";
      return 2;
    }
    const std::string value = argv[++i];
    if (flag == "--kills")
      o.kills = std::stoi(value);
    else if (flag == "--rate")
      o.rate = std::stod(value);
    else if (flag == "--seed")
      o.seed = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--binary")
      o.binary = value;
    else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }
  return soak(o);
}
