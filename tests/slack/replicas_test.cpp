// Three real incident-bot processes on one PostgreSQL database and one Slack app: each holds its
// own Socket Mode connection to the fake Slack, which hands every envelope to one of them and,
// as Slack does, delivers it again — on another connection — when it is not acknowledged in
// time or its connection closed. One replica after another is killed with SIGKILL under load and
// started again. Every command must end up stored exactly once, and the incidents numbered
// without gaps.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench/bench_process.h"
#include "slack/envelopes.h"
#include "slack/fake_slack.h"
#include "storage/pg.h"
#include "support/pg_server.h"
#include "support/run_io.h"

namespace incident::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using bench::Child;
using Clock = std::chrono::steady_clock;

struct Command {
  nlohmann::json envelope;  // delivered again with a new envelope_id, as Slack does
  int connection = 0;
  Clock::time_point sent{};
  bool acked = false;
  bool echoed = false;  // delivered once more after its ack
};

class SlackReplicas : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = PgServer::shared();
    if (server_ == nullptr) GTEST_SKIP() << "PostgreSQL leg skipped: " << PgServer::unavailable();
    url_ = server_->fresh_database();
    dir_ = fs::temp_directory_path() / ("ib-replicas-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "ca.pem") << pki_.ca_pem;
    fake_.on_ack = [this](const ReceivedAck& a) {
      const auto it = by_envelope_.find(a.envelope_id);
      if (it != by_envelope_.end() && !commands_[it->second].acked) {
        commands_[it->second].acked = true;
        if (back_ != Clock::time_point{} && first_ack_back_ == Clock::time_point{}) {
          first_ack_back_ = Clock::now();
        }
      }
    };
  }

  void TearDown() override {
    if (!HasFailure() && !dir_.empty()) fs::remove_all(dir_);
  }

  std::unique_ptr<Child> start(int i) {
    const std::vector<std::string> env{"PATH=/usr/bin:/bin",
                                       std::string("SLACK_APP_TOKEN=") + kAppToken,
                                       std::string("SLACK_BOT_TOKEN=") + kBotToken,
                                       "SLACK_API_URL=" + fake_.api_url(),
                                       "INCIDENT_BOT_CA_FILE=" + (dir_ / "ca.pem").string(),
                                       "INCIDENT_BOT_DB=" + url_,
                                       "INCIDENT_BOT_REPLICA=r" + std::to_string(i),
                                       "INCIDENT_BOT_LOG_LEVEL=warn"};
    return std::make_unique<Child>(INCIDENT_BOT_BINARY, env, std::vector<std::string>{"run"},
                                   dir_ / ("r" + std::to_string(i) + ".log"));
  }

  std::vector<int> open_sockets() {
    std::vector<int> open;
    for (const auto& s : fake_.sockets()) {
      if (s.open) open.push_back(s.id);
    }
    return open;
  }

  // To one of the open connections, as Slack picks one.
  void deliver(std::size_t n) {
    const auto open = open_sockets();
    if (open.empty()) return;
    Command& c = commands_[n];
    c.envelope["envelope_id"] = next_envelope_id();
    by_envelope_[c.envelope["envelope_id"]] = n;
    c.connection = open[std::uniform_int_distribution<std::size_t>(0, open.size() - 1)(random_)];
    c.sent = Clock::now();
    fake_.send(c.envelope, c.connection);
  }

  void add(const std::string& text, const std::string& channel) {
    commands_.push_back({slash_envelope(text, "U1", channel)});
    deliver(commands_.size() - 1);
  }

  // Slack's part for `d`: a command not acknowledged within 3 s, or whose connection closed,
  // goes again; one in 20 goes a second time after its ack, maybe to another replica.
  void serve(Clock::duration d) {
    const auto until = Clock::now() + d;
    while (Clock::now() < until) {
      io_.run_for(5ms);
      for (std::size_t n = 0; n < commands_.size(); ++n) {
        Command& c = commands_[n];
        if (c.acked && !c.echoed) {
          c.echoed = true;
          if (n % 20 == 7) {
            deliver(n);
            ++echoes_;
          }
        }
        if (c.acked) continue;
        const bool gone = c.connection == 0 || !fake_.sockets()[c.connection - 1].open;
        if (gone || Clock::now() - c.sent > 3s) {
          deliver(n);
          ++redelivered_;
        }
      }
    }
  }

  bool all_acked() const {
    for (const auto& c : commands_) {
      if (!c.acked) return false;
    }
    return true;
  }

  bool drain(Clock::duration limit) {
    const auto until = Clock::now() + limit;
    while (!all_acked() && Clock::now() < until) serve(20ms);
    return all_acked();
  }

  // `facts` commands "log fact <n>" sent at 100 a second over `channels` incidents; `during`
  // is called every 10 ms with the time since the first.
  void load(int facts, int channels, const std::function<void(Clock::duration)>& during) {
    const auto began = Clock::now();
    for (int sent = 0; sent < facts;) {
      serve(10ms);
      const auto due = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began).count() / 10);
      for (; sent < std::min(due, facts); ++sent) {
        add("log fact " + std::to_string(sent), "CREP" + std::to_string(sent % channels));
      }
      during(Clock::now() - began);
    }
  }

  // Each replica's clean stop, once all are connected again.
  void stop_all() {
    EXPECT_TRUE(run_until(
        io_, [&] { return open_sockets().size() == bots_.size(); }, 30s));
    for (auto& bot : bots_) {
      const int status = bot->stop(SIGTERM);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    }
  }

  // Facts 0..facts-1 stored not once (lost, doubled), and the incidents' numbers.
  void expect_stored_once(int facts, int incidents) {
    pg::Connection db(url_);
    const auto counts = db.exec("SELECT text, count(*) FROM timeline GROUP BY text");
    std::map<std::string, std::int64_t> stored;
    for (int r = 0; r < counts.rows(); ++r) {
      stored[std::string(counts.text(r, 0))] = counts.int64(r, 1);
    }
    for (int n = 0; n < facts; ++n) {
      const auto times = stored["fact " + std::to_string(n)];
      if (times == 0) ++lost_;
      if (times > 1) ++doubled_;
    }
    EXPECT_EQ(lost_, 0);
    EXPECT_EQ(doubled_, 0);
    const auto numbers = db.exec("SELECT number FROM incidents ORDER BY number");
    ASSERT_EQ(numbers.rows(), incidents);
    for (int r = 0; r < numbers.rows(); ++r) EXPECT_EQ(numbers.int64(r, 0), r + 1);
  }

  void start_incidents(int channels) {
    for (int c = 0; c < channels; ++c) {
      add("start Replicas " + std::to_string(c), "CREP" + std::to_string(c));
    }
    ASSERT_TRUE(drain(20s)) << "the incidents were not started; see " << dir_;
  }

  PgServer* server_ = nullptr;
  std::string url_;
  fs::path dir_;
  const TestPki pki_ = TestPki::generate();
  boost::asio::io_context io_;
  FakeSlack fake_{io_, pki_};
  std::vector<std::unique_ptr<Child>> bots_;
  std::mt19937 random_{7};
  std::vector<Command> commands_;
  std::map<std::string, std::size_t> by_envelope_;
  Clock::time_point back_{};            // the database accepting again
  Clock::time_point first_ack_back_{};  // the first acknowledgement after that
  std::size_t redelivered_ = 0;
  std::size_t echoes_ = 0;
  int lost_ = 0;
  int doubled_ = 0;
};

TEST_F(SlackReplicas, ReplicasKilledInTurnUnderLoadLoseAndDoubleNothing) {
  for (int i = 0; i < 3; ++i) bots_.push_back(start(i));
  ASSERT_TRUE(run_until(
      io_, [&] { return open_sockets().size() == 3; }, 30s));
  start_incidents(4);
  // 600 commands at 100 a second; a replica killed and started again every 2 s.
  int killed = 0;
  load(600, 4, [&](Clock::duration since) {
    if (since > (killed + 1) * 2s && killed < 3) {
      const int victim = static_cast<int>(random_() % 3);
      bots_[victim]->stop(SIGKILL);
      bots_[victim] = start(victim);
      ++killed;
    }
  });
  EXPECT_TRUE(drain(60s));
  stop_all();
  expect_stored_once(600, 4);
  std::printf(
      "replicas: 600 commands, %d kill -9s, %zu delivered again unacknowledged and %zu after "
      "their ack, %d lost, %d doubled\n",
      killed, redelivered_, echoes_, lost_, doubled_);
}

// The database restarts under load: every replica holds off while it is away (Slack's
// connections closed) and serves again within seconds of it accepting connections.
TEST_F(SlackReplicas, ADatabaseRestartUnderLoadLosesNothing) {
  if (!server_->owned()) GTEST_SKIP() << "the server of INCIDENT_BOT_TEST_PG_URL is not ours";
  for (int i = 0; i < 2; ++i) bots_.push_back(start(i));
  ASSERT_TRUE(run_until(
      io_, [&] { return open_sockets().size() == 2; }, 30s));
  start_incidents(2);
  bool restarted = false;
  load(400, 2, [&](Clock::duration since) {
    if (restarted || since < 1s) return;
    restarted = true;
    server_->stop();
    serve(2s);  // away for 2 s, commands still arriving
    EXPECT_TRUE(open_sockets().empty()) << "a replica kept taking envelopes without its database";
    server_->start();
    back_ = Clock::now();
  });
  EXPECT_TRUE(drain(60s));
  const auto serving_after = first_ack_back_ - back_;
  stop_all();
  expect_stored_once(400, 2);
  // The bar (issue 18): service back within 5 s of the database accepting again.
  EXPECT_LT(serving_after, 5s);
  std::printf(
      "database restart: the first command acknowledged %lld ms after it was back, %d lost, "
      "%d doubled\n",
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(serving_after).count()),
      lost_, doubled_);
}

// 200 incidents started at once in 200 channels across three replicas, while the database ends
// the bots' sessions now and then (a failover, an operator's pg_terminate_backend): every
// channel gets one incident, and the numbers run 1..200 with no gap and none twice.
TEST_F(SlackReplicas, ConcurrentStartsAcrossReplicasNumberWithoutGaps) {
  for (int i = 0; i < 3; ++i) bots_.push_back(start(i));
  ASSERT_TRUE(run_until(
      io_, [&] { return open_sockets().size() == 3; }, 30s));
  constexpr int kIncidents = 200;
  pg::Connection admin(url_);
  int terminated = 0;
  for (int c = 0; c < kIncidents; ++c) {
    add("start Concurrent " + std::to_string(c), "CSTART" + std::to_string(c));
    if (c % 50 == 25) {
      serve(30ms);
      terminated += static_cast<int>(
          admin
              .exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")
              .rows());
    }
  }
  EXPECT_TRUE(drain(60s));
  stop_all();
  const auto rows = admin.exec("SELECT number, channel FROM incidents ORDER BY number");
  ASSERT_EQ(rows.rows(), kIncidents);
  std::set<std::string> channels;
  for (int r = 0; r < rows.rows(); ++r) {
    EXPECT_EQ(rows.int64(r, 0), r + 1);
    channels.insert(std::string(rows.text(r, 1)));
  }
  EXPECT_EQ(channels.size(), static_cast<std::size_t>(kIncidents));  // one per channel
  std::printf("concurrent starts: %d incidents, %d sessions ended, %zu delivered again\n",
              kIncidents, terminated, redelivered_);
}

}  // namespace
}  // namespace incident::testing
