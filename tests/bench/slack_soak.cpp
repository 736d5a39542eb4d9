// Slack soak: the real binary (build/incident-bot) under a steady load of 📌 reactions — each a
// timeline fact, delivered again by the fake until it is acknowledged, as Slack does — while its
// connection is made to reconnect in every way Slack and networks do, and the process is killed
// with SIGKILL at random moments and started again. At the end every fact must be stored exactly
// once. Not a test and not in CI: tests/soak.sh runs it (tests/bench/README.md, "Soak").
//
//   build/tests/slack_soak [--reconnects N] [--kills K] [--rate R] [--channels C] [--seed S]
//                          [--durability power|process] [--binary PATH]
//
// The load is spread over C incident channels (default 20), one open incident each, as a
// workspace with several incidents at once: an hour at 100 facts/s into one incident would be a
// timeline of 360,000 facts, which no incident has.
//
// Reconnects, drawn at random: refresh_requested and warning (Slack's own, make before break),
// a close frame, a dropped TCP connection, a failed apps.connections.open, a next connection
// that says hello and then nothing (half-open: found by the missing pong), and
// too_many_websockets (then at least 30 s apart). An envelope sent on a connection that closed
// is delivered again at once on the newest one; one unacknowledged again after 3 s, 1 min and
// 5 min, as Slack retries, each with retry_attempt + 1.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

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
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench/bench_process.h"
#include "slack/envelopes.h"
#include "slack/fake_slack.h"
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

enum class Fault { kill, refresh, warning, close, drop, open_failed, half_open, too_many };

const char* name(Fault f) {
  switch (f) {
    case Fault::kill:
      return "kill -9";
    case Fault::refresh:
      return "refresh_requested";
    case Fault::warning:
      return "warning";
    case Fault::close:
      return "close frame";
    case Fault::drop:
      return "dropped TCP";
    case Fault::open_failed:
      return "apps.connections.open failed";
    case Fault::half_open:
      return "half-open";
    case Fault::too_many:
      return "too_many_websockets";
  }
  return "?";
}

struct Options {
  int reconnects = 1000;
  int kills = 200;
  double rate = 100;  // 📌 per second
  int channels = 20;
  unsigned seed = 1;
  std::string durability = "power";
  std::string binary = INCIDENT_BOT_BINARY;
};

struct Event {
  std::string ts;
  int attempts = 0;
  int connection = 0;
  Clock::time_point sent{};
  bool acked = false;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

int soak(const Options& o) {
  const TestPki pki = TestPki::generate();
  const fs::path dir =
      fs::temp_directory_path() / ("incident-bot-soak-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "ca.pem") << pki.ca_pem;
  const fs::path log = dir / "bot.log";

  boost::asio::io_context io;
  FakeSlack fake(io, pki);
  const std::vector<std::string> env{"PATH=/usr/bin:/bin",
                                     std::string("SLACK_APP_TOKEN=") + kAppToken,
                                     std::string("SLACK_BOT_TOKEN=") + kBotToken,
                                     "SLACK_API_URL=" + fake.api_url(),
                                     "INCIDENT_BOT_CA_FILE=" + (dir / "ca.pem").string(),
                                     "INCIDENT_BOT_DB=" + (dir / "soak.db").string(),
                                     "INCIDENT_BOT_DURABILITY=" + o.durability,
                                     "INCIDENT_BOT_LOG_LEVEL=warn"};
  auto bot = std::make_unique<Child>(o.binary, env, std::vector<std::string>{"run"}, log);
  int crashes = 0;

  std::vector<Event> events;
  std::vector<std::size_t> pending;  // not yet acknowledged
  std::unordered_map<std::string, std::size_t> by_envelope;
  std::size_t acked = 0;
  std::map<int, Clock::time_point> last_ack;  // by connection
  fake.on_ack = [&](const ReceivedAck& a) {
    last_ack[a.connection] = a.at;
    const auto it = by_envelope.find(a.envelope_id);
    if (it == by_envelope.end() || events[it->second].acked) return;
    events[it->second].acked = true;
    ++acked;
  };
  auto channel = [&](std::size_t n) {
    return "CSOAK" + std::to_string(n % static_cast<std::size_t>(o.channels));
  };
  auto deliver = [&](std::size_t n) {
    Event& e = events[n];
    const auto envelope = event_envelope(reaction_event("U2", "pushpin", channel(n), e.ts, e.ts),
                                         "EvSoak" + std::to_string(n), e.attempts++);
    by_envelope[envelope["envelope_id"]] = n;
    e.connection = fake.current();
    e.sent = Clock::now();
    fake.send(envelope);
  };
  // The steady load (from `began`) and Slack's redeliveries, for `d`.
  const auto soak_began = Clock::now();
  auto began = soak_began;
  std::size_t resent = 0;
  auto serve = [&](Clock::duration d, bool load) {
    const auto until = Clock::now() + d;
    while (Clock::now() < until) {
      io.run_for(5ms);
      if (bot && bot->exited()) {
        ++crashes;
        std::cerr << "the bot exited on its own; see " << log << "\n";
        bot = std::make_unique<Child>(o.binary, env, std::vector<std::string>{"run"}, log);
      }
      if (fake.current() == 0) continue;
      const auto now = Clock::now();
      const auto due = static_cast<std::size_t>(ms(now - began) / 1000.0 * o.rate);
      while (load && events.size() < due) {
        const std::size_t n = events.size();
        events.push_back({"1800000000." + std::to_string(100000 + n)});
        fake.seed_message(channel(n), events[n].ts, "U3", "soak fact " + std::to_string(n));
        deliver(n);
        pending.push_back(n);
      }
      std::erase_if(pending, [&](std::size_t n) { return events[n].acked; });
      for (const std::size_t n : pending) {
        Event& e = events[n];
        const bool gone = e.connection == 0 || !fake.sockets()[e.connection - 1].open;
        // Slack's schedule for an envelope nobody acknowledged: again after about 3 s, then a
        // minute, then five (the Events API's retries; here on, every five minutes, so that
        // nothing is left undelivered at the end). A connection that closed: at once.
        const auto wait = e.attempts <= 1   ? Clock::duration(3s)
                          : e.attempts == 2 ? Clock::duration(60s)
                                            : Clock::duration(300s);
        if (now - e.sent > wait || (gone && e.connection != fake.current())) {
          deliver(n);
          ++resent;
        }
      }
    }
  };
  // Until a connection opened after `since` is serving (has acknowledged an envelope): the time
  // from `since` to its opening.
  auto wait_ready = [&](Clock::time_point since, Clock::duration limit) {
    const auto give_up = Clock::now() + limit;
    while (Clock::now() < give_up) {
      serve(20ms, true);
      const auto& sockets = fake.sockets();
      for (const auto& s : sockets) {
        const auto ack = last_ack.find(s.id);
        if (s.opened_at > since && s.open && s.mode == ConnectionMode::normal &&
            ack != last_ack.end()) {
          return ms(s.opened_at - since);
        }
      }
    }
    return -1.0;
  };

  // The incidents first: a 📌 in a channel without one captures nothing.
  bool started = run_until(
      io, [&] { return fake.current() != 0; }, 30s);
  for (int c = 0; started && c < o.channels; ++c) {
    fake.send(slash_envelope("start Soak test " + std::to_string(c), "U1", channel(c)));
    started = run_until(
        io, [&] { return fake.acks().size() == static_cast<std::size_t>(c) + 1; }, 30s);
  }
  if (!started) {
    std::cerr << "the bot did not connect or start the incident; see " << log << "\n";
    return 1;
  }
  began = Clock::now();

  std::mt19937 random(o.seed);
  const std::vector<std::pair<Fault, int>> weights{
      {Fault::refresh, 30},     {Fault::warning, 15},  {Fault::close, 15},  {Fault::drop, 25},
      {Fault::open_failed, 11}, {Fault::half_open, 3}, {Fault::too_many, 1}};
  std::vector<int> w;
  for (const auto& [f, weight] : weights) w.push_back(weight);
  std::discrete_distribution<std::size_t> pick(w.begin(), w.end());
  // The kills spread evenly, each at a random place in its stretch: every process lives
  // through about reconnects / kills forced reconnects. (Many more in a row would be a server
  // that keeps failing, and the bot's backoff would rightly space them up to a minute apart.)
  std::vector<Fault> plan;
  const int stretches = std::max(o.kills, 1);
  for (int k = 0; k < stretches; ++k) {
    const int begin = o.reconnects * k / stretches, end = o.reconnects * (k + 1) / stretches;
    std::vector<Fault> stretch;
    for (int i = begin; i < end; ++i) stretch.push_back(weights[pick(random)].first);
    if (k < o.kills) stretch.push_back(Fault::kill);
    std::shuffle(stretch.begin(), stretch.end(), random);
    plan.insert(plan.end(), stretch.begin(), stretch.end());
  }

  std::map<Fault, std::vector<double>> took;
  std::vector<double> all;
  int stuck = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const Fault f = plan[i];
    std::uniform_int_distribution<int> pause_ms(100, 900);
    serve(std::chrono::milliseconds(pause_ms(random)), true);
    const auto at = Clock::now();
    switch (f) {
      case Fault::kill:
        bot->stop(SIGKILL);
        bot = std::make_unique<Child>(o.binary, env, std::vector<std::string>{"run"}, log);
        break;
      case Fault::refresh:
        fake.disconnect("refresh_requested");
        break;
      case Fault::warning:
        fake.disconnect("warning", 0, 2s);
        break;
      case Fault::close:
        fake.close();
        break;
      case Fault::drop:
        fake.drop();
        break;
      case Fault::open_failed:
        fake.fail_next("apps.connections.open", 500, 0, 2);
        fake.drop();
        break;
      case Fault::half_open:
        fake.next_connection(ConnectionMode::silent);
        fake.drop();
        break;
      case Fault::too_many:
        fake.next_connection(ConnectionMode::too_many_websockets);
        fake.drop();
        break;
    }
    const double t = wait_ready(at, 150s);
    if (t < 0) {
      ++stuck;
      std::cerr << "no connection serving 150 s after " << name(f) << "\n";
      continue;
    }
    took[f].push_back(t);
    all.push_back(t);
    if ((i + 1) % 50 == 0) {
      std::fprintf(stderr, "%zu/%zu faults, %zu facts sent, %zu acknowledged\n", i + 1, plan.size(),
                   events.size(), acked);
    }
  }

  // Everything sent must be acknowledged in the end: Slack keeps delivering it.
  // Slack's later retries, brought forward: whatever is still unacknowledged is delivered once
  // more now rather than minutes later.
  for (const std::size_t n : pending) {
    if (!events[n].acked) {
      deliver(n);
      ++resent;
    }
  }
  const auto drain_until = Clock::now() + 60s;
  while (acked < events.size() && Clock::now() < drain_until) serve(100ms, false);

  // Memory over reconnects alone, in one process and without new facts (the database's page
  // cache would grow with them): three times 100 reconnects Slack asks for, each connection
  // proven with one delivery again of an old fact. The first hundred may still warm up.
  std::vector<long> rss{status_kb(bot->pid(), "VmRSS:")};
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i) {
      const int old = fake.current();
      fake.disconnect("refresh_requested");
      run_until(
          io, [&] { return fake.current() != old && fake.current() != 0; }, 30s);
      const int fresh = fake.current();
      deliver(0);
      run_until(
          io, [&] { return last_ack.count(fresh) != 0; }, 30s);
    }
    rss.push_back(status_kb(bot->pid(), "VmRSS:"));
  }
  const int term = bot->stop(SIGTERM);
  bot.reset();

  std::map<std::string, int> stored;
  for (int c = 1; c <= o.channels; ++c) {
    const fs::path exported = dir / "export.json";
    {
      Child exporter(o.binary, env, {"export", "INC-" + std::to_string(c), "--format", "json"}, log,
                     exported);
      while (!exporter.exited()) std::this_thread::sleep_for(50ms);
    }
    std::ifstream in(exported);
    const auto doc = json::parse(in, nullptr, false);
    if (!doc.is_object()) {
      std::cerr << "the export of INC-" << c << " failed; see " << log << "\n";
      return 1;
    }
    for (const auto& entry : doc["timeline"]) ++stored[entry.value("text", "")];
  }
  std::size_t stored_once = 0, lost = 0, duplicated = 0, unacked = 0;
  for (std::size_t n = 0; n < events.size(); ++n) {
    const int times = stored["soak fact " + std::to_string(n)];
    if (times == 1) ++stored_once;
    if (times > 1) ++duplicated;
    if (events[n].acked && times == 0 && ++lost <= 10) {
      std::fprintf(stderr, "lost: soak fact %zu (%s, %d deliveries)\n", n, events[n].ts.c_str(),
                   events[n].attempts);
    }
    if (!events[n].acked) ++unacked;
  }

  std::printf(
      "soak: %d kill -9s and %d reconnects (seed %u, %.0f facts/s over %d incidents, %s "
      "durability), %.0f s\n",
      o.kills, o.reconnects, o.seed, o.rate, o.channels, o.durability.c_str(),
      ms(Clock::now() - soak_began) / 1000.0);
  std::printf(
      "facts        %zu sent, %zu acknowledged, %zu stored once, %zu lost, %zu duplicated, "
      "%zu never acknowledged (%zu deliveries again)\n",
      events.size(), acked, stored_once, lost, duplicated, unacked, resent);
  std::printf(
      "reconnect    p50 %.0f ms  p99 %.0f ms  max %.0f ms (fault → a new connection "
      "serving)\n",
      percentile(all, 0.5), percentile(all, 0.99), all.empty() ? 0.0 : percentile(all, 1));
  for (const auto& [f, times] : took) {
    std::printf("  %-30s %4zu  p50 %6.0f ms  max %6.0f ms\n", name(f), times.size(),
                percentile(times, 0.5), percentile(times, 1));
  }
  std::printf(
      "memory       %ld kB, then after 100, 200 and 300 more reconnects in one process "
      "%ld, %ld and %ld kB\n",
      rss[0], rss[1], rss[2], rss[3]);
  std::printf("crashes      %d; stuck %d; last exit status %d\n", crashes, stuck, term);
  const bool ok = lost == 0 && duplicated == 0 && unacked == 0 && crashes == 0 && stuck == 0;
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
    if (flag == "--reconnects")
      o.reconnects = std::stoi(value);
    else if (flag == "--kills")
      o.kills = std::stoi(value);
    else if (flag == "--rate")
      o.rate = std::stod(value);
    else if (flag == "--channels")
      o.channels = std::max(1, std::stoi(value));
    else if (flag == "--seed")
      o.seed = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--durability")
      o.durability = value;
    else if (flag == "--binary")
      o.binary = value;
    else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }
  return soak(o);
}
