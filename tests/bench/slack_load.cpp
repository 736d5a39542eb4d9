// Slack load: drives the real binary (build/incident-bot) through the in-process fake Slack,
// over TLS on loopback, and prints events/s, ack latency (frame queued at the fake → ack back at
// the fake) and the bot's peak RSS. Not a test: run it by hand.
//
//   build/tests/slack_load [--events N] [--window W] [--rate R] [--kind thread|log]
//                          [--durability process|power] [--binary PATH]
//
// --window W: at most W envelopes unacknowledged at once (the throughput figure).
// --rate R:   send R envelopes per second, evenly spaced (the latency figure at a steady load);
//             the window still caps what is outstanding.
// --durability: the bot's INCIDENT_BOT_DURABILITY (power: an fsync per commit).
//
// thread: replies in a thread nobody follows (decode, dedupe key committed, ack; no reply).
// log:    `/incident log …` in one open incident (commit, ack with the confirmation payload).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "slack/fake_slack.h"
#include "support/run_io.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace incident::testing;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

json fixture(const std::string& name) {
  std::ifstream in(std::string(INCIDENT_TEST_DATA) + "/slack/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

long status_kb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  }
  return -1;
}

double ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  int events = 2000;
  int window = 100;
  double rate = 0;  // envelopes per second; 0: as fast as the window allows
  std::string kind = "thread";
  std::string durability = "process";
  std::string binary = INCIDENT_BOT_BINARY;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--events")
      events = std::stoi(argv[i + 1]);
    else if (flag == "--window")
      window = std::stoi(argv[i + 1]);
    else if (flag == "--rate")
      rate = std::stod(argv[i + 1]);
    else if (flag == "--kind")
      kind = argv[i + 1];
    else if (flag == "--durability")
      durability = argv[i + 1];
    else if (flag == "--binary")
      binary = argv[i + 1];
    else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }

  const TestPki pki = TestPki::generate();
  const fs::path dir =
      fs::temp_directory_path() / ("incident-bot-load-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "ca.pem") << pki.ca_pem;

  boost::asio::io_context io;
  FakeSlack fake(io, pki);
  std::vector<std::string> env{"PATH=/usr/bin:/bin",
                               std::string("SLACK_APP_TOKEN=") + kAppToken,
                               std::string("SLACK_BOT_TOKEN=") + kBotToken,
                               "SLACK_API_URL=" + fake.api_url(),
                               "INCIDENT_BOT_CA_FILE=" + (dir / "ca.pem").string(),
                               "INCIDENT_BOT_DB=" + (dir / "bench.db").string(),
                               "INCIDENT_BOT_DURABILITY=" + durability,
                               "INCIDENT_BOT_LOG_LEVEL=warn"};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> args{binary.data(), nullptr};
  pid_t pid = 0;
  const auto launched = Clock::now();
  if (posix_spawn(&pid, binary.c_str(), nullptr, nullptr, args.data(), envp.data()) != 0) {
    std::cerr << "cannot start " << binary << "\n";
    return 1;
  }
  if (!run_until(
          io, [&] { return fake.current() != 0; }, std::chrono::seconds(10))) {
    std::cerr << "the bot did not connect\n";
    kill(pid, SIGKILL);
    return 1;
  }
  const auto connected = Clock::now();
  // Hello is sent on upgrade; give the bot a moment to be ready, then measure idle memory.
  run_until(
      io, [] { return false; }, std::chrono::seconds(1));
  const long idle_rss = status_kb(pid, "VmRSS:");

  auto slash = fixture("envelope_slash_commands.json");
  slash["payload"]["command"] = "/incident";
  slash["payload"]["channel_id"] = "CLOAD";
  auto message = fixture("envelope_events_api_message.json");
  if (kind == "log") {
    slash["envelope_id"] = "start";
    slash["payload"]["text"] = "start Load test";
    slash["payload"]["trigger_id"] = "load.start";
    fake.send(slash);
    run_until(
        io, [&] { return !fake.acks().empty(); }, std::chrono::seconds(5));
  }
  const std::size_t acks_before = fake.acks().size();

  std::map<std::string, Clock::time_point> sent;
  std::vector<double> latency;
  latency.reserve(static_cast<std::size_t>(events));
  fake.on_ack = [&](const ReceivedAck& ack) {
    auto it = sent.find(ack.envelope_id);
    if (it != sent.end()) latency.push_back(ms(ack.at - it->second));
  };
  int next = 0;
  const auto started = Clock::now();
  while (static_cast<int>(latency.size()) < events) {
    auto due = [&] {
      return rate <= 0 || Clock::now() >= started + std::chrono::duration_cast<Clock::duration>(
                                                        std::chrono::duration<double>(next / rate));
    };
    while (next < events && next - static_cast<int>(latency.size()) < window && due()) {
      const std::string id = "load-" + std::to_string(next);
      json frame;
      if (kind == "log") {
        frame = slash;
        frame["payload"]["text"] = "log fact number " + std::to_string(next);
        frame["payload"]["trigger_id"] = "load." + std::to_string(next);
      } else {
        frame = message;
        frame["payload"]["event_id"] = "EvLoad" + std::to_string(next);
        auto& e = frame["payload"]["event"];
        e["channel"] = "CLOAD";
        e["ts"] = "1800000000." + std::to_string(100000 + next);
        e["thread_ts"] = "1799999999.000100";
        e["text"] = "a reply in a thread, number " + std::to_string(next);
      }
      frame["envelope_id"] = id;
      sent[id] = Clock::now();
      fake.send(frame);
      ++next;
    }
    if (Clock::now() - started > std::chrono::seconds(120)) break;
    io.run_one_for(std::chrono::milliseconds(rate > 0 ? 1 : 5));
  }
  const auto elapsed = Clock::now() - started;
  const long peak_rss = status_kb(pid, "VmHWM:");

  kill(pid, SIGTERM);
  const auto stopping = Clock::now();
  run_until(
      io, [&] { return fake.open_sockets() == 0; }, std::chrono::seconds(10));
  int status = 0;
  waitpid(pid, &status, 0);
  const auto stopped = Clock::now();

  std::sort(latency.begin(), latency.end());
  auto pct = [&](double p) {
    return latency.empty() ? 0.0
                           : latency[std::min(latency.size() - 1,
                                              static_cast<std::size_t>(p * latency.size()))];
  };
  std::printf(
      "kind %s, %zu/%d events acked (window %d, %s, %s durability), %zu acks before the "
      "load\n",
      kind.c_str(), latency.size(), events, window,
      rate > 0 ? (std::to_string(static_cast<int>(rate)) + "/s").c_str() : "no rate limit",
      durability.c_str(), acks_before);
  std::printf("throughput   %.0f events/s\n", latency.size() / (ms(elapsed) / 1000.0));
  std::printf("ack latency  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", pct(0.50), pct(0.99),
              latency.empty() ? 0.0 : latency.back());
  std::printf("rss          idle %ld kB  peak %ld kB\n", idle_rss, peak_rss);
  std::printf("start→hello  %.0f ms;  SIGTERM→exit %.0f ms (exit status %d, close frame %s)\n",
              ms(connected - launched), ms(stopped - stopping),
              WIFEXITED(status) ? WEXITSTATUS(status) : -1,
              !fake.sockets().empty() && fake.sockets()[0].client_close_frame ? "yes" : "no");
  fs::remove_all(dir);
  return static_cast<int>(latency.size()) == events ? 0 : 1;
}
