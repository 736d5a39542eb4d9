// Client-side rate limits per key (a Web API method, or a method and channel), with an injected
// clock. Slack evaluates limits per method (api.slack.com/apis/rate-limits): pacing keeps us under
// them (chat.postMessage: about one message per second per channel), and a 429's Retry-After
// blocks the key until the server's time is up. The bucket per key follows the generic cell rate
// algorithm: `burst` calls may go at once, then one per `interval`.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace incident::net {

// `burst` calls at once, then one per `interval`. A zero interval paces nothing.
struct RateLimit {
  std::chrono::milliseconds interval{0};
  int burst = 1;
};

class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit RateLimiter(Clock clock = std::chrono::steady_clock::now) : clock_(std::move(clock)) {}

  // Reserves the next slot for `key`, paced by `limit` (none by default: then only `block`
  // delays it), and returns how long to wait before using it (zero: now). Reservations are kept
  // in call order, so callers that wait their delay go in that order.
  std::chrono::milliseconds acquire(const std::string& key, RateLimit limit = {});

  // The server answered 429 with Retry-After `delay`: no call for `key` before now + delay.
  void block(const std::string& key, std::chrono::milliseconds delay);

  // How long `key` is still blocked by a Retry-After (zero: not blocked).
  std::chrono::milliseconds blocked_for(const std::string& key) const;

 private:
  struct Bucket {
    std::chrono::steady_clock::time_point theoretical_arrival{};
    std::chrono::steady_clock::time_point blocked_until{};
  };

  Clock clock_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace incident::net
