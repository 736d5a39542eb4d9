// A wake-up for coroutines on one thread: wait() suspends until the next notify(). Waiters
// re-check their condition in a loop, so a wake-up that finds nothing to do is harmless.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

namespace incident::net {

class Signal {
 public:
  explicit Signal(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}
  ~Signal() { notify(); }
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  boost::asio::awaitable<void> wait();
  // Wakes every coroutine waiting now.
  void notify();

 private:
  boost::asio::any_io_executor executor_;
  std::vector<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

}  // namespace incident::net
