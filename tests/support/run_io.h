// Tests and benches drive the fakes and the adapters on one io_context from the test's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>

namespace incident::testing {

// Runs `io` until `done` or `timeout`; whether `done` became true.
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace incident::testing
