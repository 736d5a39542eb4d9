#include "matrix/harness.h"

#include <fstream>

#include "prompts/embedded.h"

namespace incident::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const TestPki& matrix_pki() {
  static const TestPki generated = TestPki::generate();
  return generated;
}

MatrixHarness::MatrixHarness()
    : fake(io, matrix_pki()), dir(fresh_test_dir("incident-bot-matrix-")) {
  db_path = dir / "bot.db";
  options = fast_options();
  options.homeserver = fake.url();
  prompts = Prompts::load(embedded_prompts());
  const fs::path ca = dir / "ca.pem";
  std::ofstream(ca) << matrix_pki().ca_pem;
  tls = std::make_unique<net::TlsContext>(ca.string());
}

MatrixHarness::~MatrixHarness() {
  shut_down();
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

matrix::MatrixOptions MatrixHarness::fast_options() {
  matrix::MatrixOptions o;
  o.access_token = kMatrixToken;
  o.lessons_room = kLessonsRoom;
  o.security_room = kSecurityRoom;
  o.sync_timeout = 2000ms;
  o.sync_read_timeout = 4000ms;
  o.http.connect_timeout = 2000ms;
  o.http.handshake_timeout = 2000ms;
  o.http.request_timeout = 2000ms;
  o.retry = {10ms, 100ms, 2.0};
  o.send_patience = 3000ms;
  o.drain_timeout = 1000ms;
  return o;
}

void MatrixHarness::start() {
  store = std::make_unique<SqliteStore>(db_path.string(), Durability::process);
  Settings settings;
  settings.command_prefix = options.command_prefix;
  settings.lessons_channel = true;
  settings.dm.security_channel = true;
  if (tune_settings) tune_settings(settings);
  std::uint64_t counter = 0x5eed;
  engine = std::make_unique<Engine>(*store, prompts, settings,
                                    [counter]() mutable { return counter += 0x9e3779b97f4a7c15; });
  adapter = std::make_unique<matrix::MatrixAdapter>(io.get_executor(), *engine, *store, prompts,
                                                    *tls, options);
  spawn_run();
}

std::string MatrixHarness::ready_room(const std::string& name) {
  const std::string room = fake.create_room(kAlice, {kAlice, kBob}, name);
  fake.invite(room, kAlice, kMatrixBot);
  if (!adapter) start();
  run_until([&] { return fake.membership(room, kMatrixBot) == "join"; });
  caught_up();
  return room;
}

bool MatrixHarness::wait_bodies(const std::string& room, std::size_t count,
                                std::chrono::milliseconds timeout) {
  return run_until([&] { return fake.bot_bodies(room).size() >= count; }, timeout);
}

std::optional<Incident> MatrixHarness::incident(const std::string& room) {
  return store->current_incident("matrix", room, IncidentView::all());
}

bool MatrixHarness::caught_up(std::chrono::milliseconds timeout) {
  return run_until([&] { return store && store->cursor(matrix::kCursor) == fake.stream_token(); },
                   timeout);
}

}  // namespace incident::testing
