// One Matrix integration test's world on one io_context: the fake homeserver, a SQLite store in
// a temporary file, the engine with the real prompts, and the adapter under test, with timeouts
// short enough that a retry or a long-poll takes milliseconds.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapters/matrix/matrix_adapter.h"
#include "adapters/net/tls.h"
#include "bot/engine/engine.h"
#include "bot/text/prompts.h"
#include "matrix/fake_homeserver.h"
#include "storage/sqlite_store.h"
#include "support/harness_loop.h"

namespace incident::testing {

inline constexpr const char* kAlice = "@alice:localhost";
inline constexpr const char* kBob = "@bob:localhost";
inline constexpr const char* kMallory = "@mallory:evil.example";
inline constexpr const char* kLessonsRoom = "!lessons:localhost";
inline constexpr const char* kSecurityRoom = "!security:localhost";

// One CA and server certificate per test process: key generation is the slow part.
const TestPki& matrix_pki();

class MatrixHarness : public HarnessLoop<MatrixHarness> {
 public:
  MatrixHarness();
  ~MatrixHarness();

  // Short timeouts and backoffs; tests tweak them before start().
  static matrix::MatrixOptions fast_options();

  // Opens the store, builds the engine and adapter, starts the adapter's run(). start_ready()
  // waits for the first committed sync.
  void start();
  // A joined incident room with alice, bob and the bot, seen by a ready adapter.
  std::string ready_room(const std::string& name = "Incident room");
  // Waits until the bot has posted at least `count` messages in `room`.
  bool wait_bodies(const std::string& room, std::size_t count,
                   std::chrono::milliseconds timeout = std::chrono::seconds{5});
  // The room's current incident as stored.
  std::optional<Incident> incident(const std::string& room);
  // Waits until the adapter has read the stream up to now (the stored token caught up).
  bool caught_up(std::chrono::milliseconds timeout = std::chrono::seconds{5});

  boost::asio::io_context io;
  FakeHomeserver fake;
  matrix::MatrixOptions options;
  std::function<void(Settings&)> tune_settings;  // before start()
  std::filesystem::path dir;
  std::filesystem::path db_path;
  std::unique_ptr<SqliteStore> store;
  Prompts prompts;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<net::TlsContext> tls;
  std::unique_ptr<matrix::MatrixAdapter> adapter;
  bool finished = true;
  std::optional<std::string> failure;
};

}  // namespace incident::testing
