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

// For a child process killed at a durable step: runs `io` in 100 ms slices until `steps` (the
// steps counted so far) has moved and then stood still for five slices, at most 10 s.
inline void run_until_quiet(boost::asio::io_context& io, const int& steps) {
  int last = -1;
  int quiet = 0;
  for (int i = 0; i < 100 && quiet < 5; ++i) {
    io.run_for(std::chrono::milliseconds(100));
    quiet = steps == last && steps > 0 ? quiet + 1 : 0;
    last = steps;
  }
}

}  // namespace incident::testing
