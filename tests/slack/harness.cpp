#include "slack/harness.h"

#include <fstream>

#include "prompts/embedded.h"

namespace incident::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// One CA and server certificate per test process: key generation is the slow part.
const TestPki& pki() {
  static const TestPki generated = TestPki::generate();
  return generated;
}

}  // namespace

SlackHarness::SlackHarness(fs::path db)
    : now(from_unix_ms(1795960800000)),  // 2026-11-29 14:00 UTC
      fake(io, pki()),
      dir_(fresh_test_dir("incident-bot-slack-")) {
  db_path = db.empty() ? dir_ / "bot.db" : db;
  options = fast_options();
  options.api_url = fake.api_url();
  options.clock = [this] { return now; };
  prompts = Prompts::load(embedded_prompts());
  ops::declare_series(metrics);
  const fs::path ca = dir_ / "ca.pem";
  std::ofstream(ca) << pki().ca_pem;
  tls = std::make_unique<net::TlsContext>(ca.string());
}

SlackHarness::~SlackHarness() {
  shut_down();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

slack::SlackOptions SlackHarness::fast_options() {
  slack::SlackOptions o;
  o.app_token = kAppToken;
  o.bot_token = kBotToken;
  o.slash_command = "/incident";
  o.lessons_channel = "CLESSONS";
  o.security_channel = "CSECURITY";
  o.socket_mode.hello_timeout = 1000ms;
  o.socket_mode.reconnect = {20ms, 200ms, 2.0};
  o.socket_mode.too_many_websockets_delay = 300ms;
  o.socket_mode.socket.connect_timeout = 2000ms;
  o.socket_mode.socket.handshake_timeout = 2000ms;
  o.socket_mode.socket.close_timeout = 300ms;
  o.socket_mode.socket.ping_interval = 100ms;
  o.socket_mode.socket.pong_timeout = 300ms;
  o.socket_mode.socket.idle_timeout = 1000ms;
  o.http.request_timeout = 2000ms;
  o.web.retry = {10ms, 100ms, 2.0};
  o.web.post_interval = 10ms;
  o.pin_lookup_timeout = 1000ms;
  o.drain_timeout = 1000ms;
  return o;
}

void SlackHarness::start() {
  store = std::make_unique<SqliteStore>(db_path.string(), Durability::process);
  Settings settings;
  settings.command_prefix = "/incident";
  settings.lessons_channel = true;
  settings.dm.security_channel = true;
  settings.web = true;  // `web` links come from a test's issuer (Engine::set_sign_in_issuer)
  if (tune_settings) tune_settings(settings);
  std::uint64_t counter = 0x5eed;
  engine = std::make_unique<Engine>(*store, prompts, settings,
                                    [counter]() mutable { return counter += 0x9e3779b97f4a7c15; });
  options.metrics = &metrics;
  adapter =
      std::make_unique<slack::SlackAdapter>(io.get_executor(), *engine, *store, *tls, options);
  spawn_run();
}

std::optional<ReceivedAck> SlackHarness::deliver(const nlohmann::json& envelope,
                                                 std::chrono::milliseconds timeout) {
  const std::string id = envelope.at("envelope_id");
  fake.send(envelope);
  std::optional<ReceivedAck> found;
  run_until(
      [&] {
        for (const auto& ack : fake.acks()) {
          if (ack.envelope_id == id) found = ack;
        }
        return found.has_value();
      },
      timeout);
  return found;
}

bool SlackHarness::wait_posted(std::size_t count, std::chrono::milliseconds timeout) {
  return run_until([&] { return fake.posted().size() >= count; }, timeout);
}

}  // namespace incident::testing
