// One Slack integration test's world on one io_context: the fake Slack, a SQLite store in a
// temporary file, the engine with the real prompts, and the adapter under test, with timeouts
// short enough that a reconnect or a watchdog takes milliseconds.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapters/net/tls.h"
#include "adapters/ops/metrics.h"
#include "adapters/ops/series.h"
#include "adapters/slack/slack_adapter.h"
#include "bot/engine/engine.h"
#include "bot/text/prompts.h"
#include "slack/fake_slack.h"
#include "storage/sqlite_store.h"
#include "support/harness_loop.h"

namespace incident::testing {

class SlackHarness : public HarnessLoop<SlackHarness> {
 public:
  // `db` empty: a fresh file in the test's temporary directory.
  explicit SlackHarness(std::filesystem::path db = {});
  ~SlackHarness();

  // Short timeouts and backoffs; tests tweak them before start().
  static slack::SlackOptions fast_options();

  // Opens the store, builds the engine and adapter, and starts the adapter's run().
  void start();
  // Sends an envelope and waits for its ack; the ack, or nullopt.
  std::optional<ReceivedAck> deliver(const nlohmann::json& envelope,
                                     std::chrono::milliseconds timeout = std::chrono::seconds{3});
  // Waits until the bot has posted at least `count` messages (all channels).
  bool wait_posted(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds{5});

  // What the adapter counted (adapters/ops/series.h), over every start of this harness: the one
  // tally of its events, as /metrics shows it.
  double counted(const std::string& series, const ops::LabelValues& labels) {
    return metrics.counter(series, labels).value();
  }
  // Connections that ended without being asked to, whatever the reason.
  double drops() {
    double n = 0;
    for (const char* reason : {"drop", "closed", "watchdog", "too_big"}) {
      n += counted(ops::series::kReconnects, {"slack", reason});
    }
    return n;
  }

  std::function<void(Settings&)> tune_settings;  // before start()
  TimePoint now;                                 // the adapter's wall clock (slash commands)
  boost::asio::io_context io;
  FakeSlack fake;
  slack::SlackOptions options;
  ops::Metrics metrics;
  std::filesystem::path db_path;
  std::unique_ptr<SqliteStore> store;
  Prompts prompts;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<net::TlsContext> tls;
  std::unique_ptr<slack::SlackAdapter> adapter;
  bool finished = false;
  std::optional<std::string> failure;

 private:
  std::filesystem::path dir_;
};

}  // namespace incident::testing
