#include "adapters/net/signal.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace incident::net {

boost::asio::awaitable<void> Signal::wait() {
  auto waiter = std::make_shared<boost::asio::steady_timer>(
      executor_, boost::asio::steady_timer::time_point::max());
  waiters_.push_back(waiter);
  co_await waiter->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

void Signal::notify() {
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& w : waiters) w->cancel();
}

}  // namespace incident::net
