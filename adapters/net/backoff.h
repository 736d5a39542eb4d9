// Exponential backoff with jitter for reconnects and retries: the n-th delay is drawn from
// [base/2, base] with base = min(max, initial * factor^n) ("equal jitter"), so many clients that
// lost the same server spread out, and no delay is ever zero (no busy reconnect loop).
#pragma once

#include <chrono>
#include <functional>

namespace incident::net {

// The longest wait a server's Retry-After (or Matrix's retry_after_ms) is followed for. A longer
// one — a misconfigured server, or an HTTP date read against a clock that was just stepped back
// by NTP — is cut to this, and the retry then asks the server again.
inline constexpr std::chrono::milliseconds kLongestRetryAfter{std::chrono::minutes{10}};

class Backoff {
 public:
  using Random = std::function<double()>;  // uniform in [0, 1)

  struct Policy {
    std::chrono::milliseconds initial{1000};
    std::chrono::milliseconds max{60000};
    double factor = 2.0;
  };

  // `random` is injected so tests are deterministic; by default a seeded Mersenne twister.
  explicit Backoff(Policy policy, Random random = {});

  // The delay before the next attempt; each call counts one more failure.
  std::chrono::milliseconds next();
  // A success: the next failure starts from `initial` again.
  void reset() { attempts_ = 0; }
  int attempts() const { return attempts_; }

 private:
  Policy policy_;
  Random random_;
  int attempts_ = 0;
};

}  // namespace incident::net
