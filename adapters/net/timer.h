// Waiting inside a coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>

namespace incident::net {

// Suspends the calling coroutine for `delay` on its executor. Returns early, quietly, if the
// wait is cancelled (e.g. the io_context stops).
boost::asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration delay);

}  // namespace incident::net
