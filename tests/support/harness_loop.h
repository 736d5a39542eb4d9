// What the Slack and Matrix integration harnesses share: a fresh directory per test, running
// their one io_context until something happens, and the adapter's start/stop/restart cycle.
// `Harness` (CRTP) has public members io, adapter, engine, store, finished and failure, and a
// start() that opens the store, builds the engine and adapter, and calls spawn_run().
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "support/run_io.h"
#include "support/test_dir.h"

namespace incident::testing {

template <class Harness>
class HarnessLoop {
 public:
  // Runs the io_context until `done` or `timeout`; whether `done` became true.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds{5}) {
    return testing::run_until(self().io, done, timeout);
  }
  void run_for(std::chrono::milliseconds duration) {
    run_until([] { return false; }, duration);
  }
  // stop(), then runs until run() returned; whether it did within the timeout.
  bool stop() {
    self().adapter->stop();
    return run_until([this] { return self().finished; });
  }
  // A restart: the adapter, engine and store go; the store is reopened from its file.
  void restart() {
    stop();
    run_for(std::chrono::milliseconds(20));
    release();
    self().start();
  }
  // Starts and waits for the adapter to be ready; whether it got there.
  bool start_ready() {
    self().start();
    return run_until([this] { return self().adapter->ready(); });
  }

 protected:
  // Runs the adapter's run() on the io_context, recording how it ended.
  void spawn_run() {
    self().finished = false;
    self().failure.reset();
    boost::asio::co_spawn(self().io, self().adapter->run(),
                          [this](std::exception_ptr e, std::optional<std::string> result) {
                            self().finished = true;
                            self().failure = std::move(result);
                            if (e) std::rethrow_exception(e);
                          });
  }
  // For the destructor: stops a running adapter and lets its connections see their end.
  void shut_down() {
    if (self().adapter && !self().finished) stop();
    run_for(std::chrono::milliseconds(20));
    release();
  }

 private:
  void release() {
    self().adapter.reset();
    self().engine.reset();
    self().store.reset();
  }
  Harness& self() { return static_cast<Harness&>(*this); }
};

}  // namespace incident::testing
