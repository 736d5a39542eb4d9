#include "adapters/net/backoff.h"

#include <algorithm>
#include <random>

namespace incident::net {

Backoff::Backoff(Policy policy, Random random) : policy_(policy), random_(std::move(random)) {
  if (!random_) {
    random_ = [engine = std::mt19937_64{std::random_device{}()}]() mutable {
      return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    };
  }
}

std::chrono::milliseconds Backoff::next() {
  double base = static_cast<double>(policy_.initial.count());
  const double cap = static_cast<double>(policy_.max.count());
  for (int i = 0; i < attempts_ && base < cap; ++i) base *= policy_.factor;
  base = std::min(base, cap);
  ++attempts_;
  const double r = std::clamp(random_(), 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(base / 2 + r * base / 2));
}

}  // namespace incident::net
