// Slack load: drives the real binary (build/incident-bot) through the in-process fake Slack,
// over TLS on loopback, and prints events/s, ack latency (frame queued at the fake → ack back at
// the fake) and the bot's peak RSS. Not a test: run it by hand.
//
//   build/tests/slack_load [--events N] [--window W] [--rate R] [--kind thread|log]
//                          [--durability power|process] [--binary PATH] [--db URL]
//                          [--no-ceiling]
//
// --window W: at most W envelopes unacknowledged at once (the throughput figure).
// --rate R:   send R envelopes per second, evenly spaced (the latency figure at a steady load);
//             the window still caps what is outstanding.
// --durability: the bot's INCIDENT_BOT_DURABILITY (power, the default: an fsync per commit).
// --db URL:   the bot's INCIDENT_BOT_DB, e.g. a postgresql:// URL to an empty database (the
//             default: a new SQLite file in a temporary directory).
// Then the same load against a client that acks at once and stores nothing: the ceiling of the
// fake and this generator (--no-ceiling: not measured).
//
// thread: replies in a thread nobody follows (decode, dedupe key committed, ack; no reply).
// log:    `/incident log …` in one open incident (commit, ack with the confirmation payload).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/net/https_client.h"
#include "adapters/net/tls.h"
#include "adapters/net/url.h"
#include "adapters/net/websocket.h"
#include "bench/bench_process.h"
#include "slack/fake_slack.h"
#include "support/run_io.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace incident::testing;
using incident::bench::free_port;
using incident::bench::ms;
using incident::bench::status_kb;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

json fixture(const std::string& name) {
  std::ifstream in(std::string(INCIDENT_TEST_DATA) + "/slack/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// GET http://127.0.0.1:port/metrics, plain and blocking: the bot's own counts of its batches.
std::string scrape_metrics(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

// The value of the first metrics line that starts with `prefix`; -1 when there is none.
double metric(const std::string& text, const std::string& prefix) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    if (text.compare(at, prefix.size(), prefix) == 0) {
      return std::stod(text.substr(text.rfind(' ', end) + 1, end));
    }
    at = end + 1;
  }
  return -1;
}

// The load generator's own ceiling: a Socket Mode client that acknowledges every envelope the
// moment it reads it, storing nothing — the same fake, TLS, WebSocket and process boundary as
// the bot, without the bot. Run as a child: slack_load --echo API_URL CA_FILE.
int echo_client(const std::string& api_url, const std::string& ca_file) {
  namespace asio = boost::asio;
  asio::io_context io;
  incident::net::TlsContext tls(ca_file);
  const auto origin = incident::net::Url::parse(api_url);
  if (!origin) return 2;
  int status = 1;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        incident::net::KeepAliveHttpsClient http(io.get_executor(), tls, *origin);
        incident::net::HttpRequest request;
        request.target = origin->target + "apps.connections.open";
        request.headers = {{"Authorization", std::string("Bearer ") + kAppToken}};
        auto opened = co_await http.request(request);
        http.shutdown();
        if (!opened || opened->status != 200) co_return;
        const auto url = incident::net::Url::parse(json::parse(opened->body).value("url", ""));
        if (!url) co_return;
        incident::net::WebSocket ws(io.get_executor(), tls, {});
        if (co_await ws.connect(*url)) co_return;
        while (true) {
          auto message = co_await ws.read();
          if (!message) break;
          const auto frame = json::parse(message->data, nullptr, false);
          if (frame.is_object() && frame.contains("envelope_id")) {
            ws.send(json{{"envelope_id", frame["envelope_id"]}}.dump());
          }
        }
        status = 0;
      },
      asio::detached);
  io.run();
  return status;
}

struct Options {
  int events = 2000;
  int window = 100;
  double rate = 0;  // envelopes per second; 0: as fast as the window allows
  std::string kind = "thread";
  std::string durability = "power";
  std::string binary = INCIDENT_BOT_BINARY;
  std::string db;       // INCIDENT_BOT_DB; empty: a new SQLite file
  bool ceiling = true;  // also measure the load generator alone
};

struct Result {
  bool ok = false;
  std::size_t acked = 0, acks_before = 0;
  double per_second = 0, p50 = 0, p99 = 0, max = 0;
  long idle_rss = 0, peak_rss = 0;
  double batches = -1, batched = -1;
  double hello_ms = 0, exit_ms = 0;
  int exit_status = -1;
  bool close_frame = false;
};

// Starts `argv` (the bot, or this program as the echo client) against a fresh fake Slack and
// drives the load through it.
Result drive(const Options& o, bool echo, const char* self) {
  Result r;
  const TestPki pki = TestPki::generate();
  const fs::path dir =
      fs::temp_directory_path() / ("incident-bot-load-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "ca.pem") << pki.ca_pem;

  boost::asio::io_context io;
  FakeSlack fake(io, pki);
  const int http_port = free_port();
  std::vector<std::string> env{
      "PATH=/usr/bin:/bin",
      std::string("SLACK_APP_TOKEN=") + kAppToken,
      std::string("SLACK_BOT_TOKEN=") + kBotToken,
      "SLACK_API_URL=" + fake.api_url(),
      "INCIDENT_BOT_CA_FILE=" + (dir / "ca.pem").string(),
      "INCIDENT_BOT_DB=" + (o.db.empty() ? (dir / "bench.db").string() : o.db),
      "INCIDENT_BOT_DURABILITY=" + o.durability,
      "INCIDENT_BOT_LOG_LEVEL=warn",
      "INCIDENT_BOT_HTTP=127.0.0.1:" + std::to_string(http_port)};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string program = echo ? std::string(self) : o.binary;
  std::vector<std::string> words{program};
  if (echo) words.insert(words.end(), {"--echo", fake.api_url(), (dir / "ca.pem").string()});
  std::vector<char*> args;
  for (auto& w : words) args.push_back(w.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const auto launched = Clock::now();
  if (posix_spawn(&pid, program.c_str(), nullptr, nullptr, args.data(), envp.data()) != 0) {
    std::cerr << "cannot start " << program << "\n";
    return r;
  }
  if (!run_until(
          io, [&] { return fake.current() != 0; }, std::chrono::seconds(10))) {
    std::cerr << "the client did not connect\n";
    kill(pid, SIGKILL);
    return r;
  }
  const auto connected = Clock::now();
  // Hello is sent on upgrade; give the bot a moment to be ready, then measure idle memory.
  run_until(
      io, [] { return false; }, std::chrono::seconds(1));
  r.idle_rss = status_kb(pid, "VmRSS:");

  auto slash = fixture("envelope_slash_commands.json");
  slash["payload"]["command"] = "/incident";
  slash["payload"]["channel_id"] = "CLOAD";
  auto message = fixture("envelope_events_api_message.json");
  if (o.kind == "log") {
    slash["envelope_id"] = "start";
    slash["payload"]["text"] = "start Load test";
    slash["payload"]["trigger_id"] = "load.start";
    fake.send(slash);
    run_until(
        io, [&] { return !fake.acks().empty(); }, std::chrono::seconds(5));
  }
  r.acks_before = fake.acks().size();

  // Every frame is written out before the clock starts: the generator only sends and counts.
  std::vector<std::string> frames;
  frames.reserve(static_cast<std::size_t>(o.events));
  for (int n = 0; n < o.events; ++n) {
    json frame;
    if (o.kind == "log") {
      frame = slash;
      frame["payload"]["text"] = "log fact number " + std::to_string(n);
      frame["payload"]["trigger_id"] = "load." + std::to_string(n);
    } else {
      frame = message;
      frame["payload"]["event_id"] = "EvLoad" + std::to_string(n);
      auto& e = frame["payload"]["event"];
      e["channel"] = "CLOAD";
      e["ts"] = "1800000000." + std::to_string(100000 + n);
      e["thread_ts"] = "1799999999.000100";
      e["text"] = "a reply in a thread, number " + std::to_string(n);
    }
    frame["envelope_id"] = "load-" + std::to_string(n);
    frames.push_back(frame.dump());
  }

  std::vector<Clock::time_point> sent(frames.size());
  std::vector<double> latency;
  latency.reserve(frames.size());
  fake.on_ack = [&](const ReceivedAck& ack) {
    if (ack.envelope_id.rfind("load-", 0) != 0) return;
    const auto n = std::stoul(ack.envelope_id.substr(5));
    if (n < sent.size()) latency.push_back(ms(ack.at - sent[n]));
  };
  int next = 0;
  const auto started = Clock::now();
  while (static_cast<int>(latency.size()) < o.events) {
    auto due = [&] {
      return o.rate <= 0 ||
             Clock::now() >= started + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(next / o.rate));
    };
    while (next < o.events && next - static_cast<int>(latency.size()) < o.window && due()) {
      sent[static_cast<std::size_t>(next)] = Clock::now();
      fake.send_text(frames[static_cast<std::size_t>(next)]);
      ++next;
    }
    if (Clock::now() - started > std::chrono::seconds(120)) break;
    io.run_one_for(std::chrono::milliseconds(o.rate > 0 ? 1 : 5));
  }
  const auto elapsed = Clock::now() - started;
  r.peak_rss = status_kb(pid, "VmHWM:");
  if (!echo) {
    const std::string metrics = scrape_metrics(http_port);
    r.batches = metric(metrics, "incident_bot_batch_events_count{platform=\"slack\"}");
    r.batched = metric(metrics, "incident_bot_batch_events_sum{platform=\"slack\"}");
  }

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
  r.acked = latency.size();
  r.per_second = latency.size() / (ms(elapsed) / 1000.0);
  r.p50 = pct(0.50);
  r.p99 = pct(0.99);
  r.max = latency.empty() ? 0.0 : latency.back();
  r.hello_ms = ms(connected - launched);
  r.exit_ms = ms(stopped - stopping);
  r.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.close_frame = !fake.sockets().empty() && fake.sockets()[0].client_close_frame;
  r.ok = static_cast<int>(latency.size()) == o.events;
  fs::remove_all(dir);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--echo") return echo_client(argv[2], argv[3]);
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--no-ceiling") {
      o.ceiling = false;
      continue;
    }
    if (i + 1 >= argc) {
      std::cerr << flag << " needs a value\n";
      return 2;
    }
    const std::string value = argv[++i];
    if (flag == "--events")
      o.events = std::stoi(value);
    else if (flag == "--window")
      o.window = std::stoi(value);
    else if (flag == "--rate")
      o.rate = std::stod(value);
    else if (flag == "--kind")
      o.kind = value;
    else if (flag == "--durability")
      o.durability = value;
    else if (flag == "--binary")
      o.binary = value;
    else if (flag == "--db")
      o.db = value;
    else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }

  const Result bot = drive(o, false, argv[0]);
  std::printf(
      "kind %s, %zu/%d events acked (window %d, %s, %s durability), %zu acks before the "
      "load\n",
      o.kind.c_str(), bot.acked, o.events, o.window,
      o.rate > 0 ? (std::to_string(static_cast<int>(o.rate)) + "/s").c_str() : "no rate limit",
      o.durability.c_str(), bot.acks_before);
  std::printf("throughput   %.0f events/s\n", bot.per_second);
  std::printf("ack latency  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", bot.p50, bot.p99, bot.max);
  std::printf("batches      %.0f commits, %.1f events each on average\n", bot.batches,
              bot.batches > 0 ? bot.batched / bot.batches : 0.0);
  std::printf("rss          idle %ld kB  peak %ld kB\n", bot.idle_rss, bot.peak_rss);
  std::printf("start→hello  %.0f ms;  SIGTERM→exit %.0f ms (exit status %d, close frame %s)\n",
              bot.hello_ms, bot.exit_ms, bot.exit_status, bot.close_frame ? "yes" : "no");
  if (o.ceiling) {
    // The same load against a client that acks at once and stores nothing: what the fake and
    // this generator can do at all on this machine. The bot's figure means something only
    // well below it.
    const Result echo = drive(o, true, "/proc/self/exe");
    std::printf(
        "ceiling      %.0f events/s, ack p50 %.2f ms p99 %.2f ms (a client that acks at "
        "once, storing nothing)\n",
        echo.per_second, echo.p50, echo.p99);
  }
  return bot.ok ? 0 : 1;
}
