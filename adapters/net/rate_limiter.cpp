#include "adapters/net/rate_limiter.h"

#include <algorithm>

namespace incident::net {

using std::chrono::milliseconds;

milliseconds RateLimiter::acquire(const std::string& key, RateLimit limit) {
  const auto now = clock_();
  Bucket& bucket = buckets_[key];
  auto allowed = std::max(now, bucket.blocked_until);
  if (limit.interval.count() > 0) {
    const auto interval = limit.interval;
    const auto tolerance = interval * (std::max(limit.burst, 1) - 1);
    allowed = std::max(allowed, bucket.theoretical_arrival - tolerance);
    bucket.theoretical_arrival = std::max(bucket.theoretical_arrival, allowed) + interval;
  }
  // Round up so a caller that sleeps the returned delay never arrives early.
  return std::chrono::ceil<milliseconds>(allowed - now);
}

void RateLimiter::block(const std::string& key, milliseconds delay) {
  Bucket& bucket = buckets_[key];
  bucket.blocked_until = std::max(bucket.blocked_until, clock_() + delay);
}

milliseconds RateLimiter::blocked_for(const std::string& key) const {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return milliseconds{0};
  const auto left = it->second.blocked_until - clock_();
  return left.count() > 0 ? std::chrono::ceil<milliseconds>(left) : milliseconds{0};
}

}  // namespace incident::net
