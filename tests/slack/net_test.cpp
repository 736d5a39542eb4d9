// Unit tests of the shared transport pieces that need no network: URLs, form bodies, the rate
// limiter and the backoff (both with injected clocks / randomness).
#include <gtest/gtest.h>

#include "adapters/net/backoff.h"
#include "adapters/net/rate_limiter.h"
#include "adapters/net/url.h"

namespace incident::net {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

TEST(Url, ParsesHttpsWithDefaultPortAndTarget) {
  auto url = Url::parse("https://slack.com/api/");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "slack.com");
  EXPECT_EQ(url->port, "443");
  EXPECT_EQ(url->target, "/api/");
  EXPECT_EQ(url->authority(), "slack.com");
  EXPECT_EQ(url->origin(), "https://slack.com");
}

TEST(Url, KeepsTheQueryOfASocketModeUrl) {
  // apps.connections.open's URL already has a query string (shared/protocol/slack.md §1).
  auto url = Url::parse("wss://wss-primary.slack.com/link/?ticket=12348&app_id=5678");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->scheme, "wss");
  EXPECT_EQ(url->target, "/link/?ticket=12348&app_id=5678");
  EXPECT_EQ(url->origin(), "wss://wss-primary.slack.com");  // no ticket in logs
}

TEST(Url, PortsIpv6AndNoPath) {
  auto local = Url::parse("https://LocalHost:8443");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->host, "localhost");
  EXPECT_EQ(local->port, "8443");
  EXPECT_EQ(local->target, "/");
  EXPECT_EQ(local->authority(), "localhost:8443");
  auto v6 = Url::parse("https://[::1]:9000/x?y#frag");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->target, "/x?y");
  EXPECT_EQ(v6->authority(), "[::1]:9000");
}

TEST(Url, RefusesPlainTextAndBrokenUrls) {
  EXPECT_FALSE(Url::parse("http://slack.com/api/"));  // certificates are always verified
  EXPECT_FALSE(Url::parse("ws://localhost/link"));
  EXPECT_FALSE(Url::parse("slack.com/api"));
  EXPECT_FALSE(Url::parse("https:///api"));
  EXPECT_FALSE(Url::parse("https://host:0/"));
  EXPECT_FALSE(Url::parse("https://host:99999/"));
  EXPECT_FALSE(Url::parse("https://user@host/"));
  EXPECT_FALSE(Url::parse("https://[::1/"));
}

TEST(Form, PercentEncodesEverythingButUnreserved) {
  EXPECT_EQ(form_encode({{"channel", "C1"}, {"text", "a b&c=d/é*"}}),
            "channel=C1&text=a%20b%26c%3Dd%2F%C3%A9%2A");
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
}

// A clock the test moves by hand.
struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::seconds{1000}};
  RateLimiter::Clock fn() {
    return [this] { return now; };
  }
};

TEST(RateLimiter, PacesAKeyAtItsInterval) {
  ManualClock clock;
  RateLimiter limiter(clock.fn());
  const RateLimit one_per_second{1000ms, 1};
  EXPECT_EQ(limiter.acquire("chat.postMessage:C1", one_per_second), 0ms);
  EXPECT_EQ(limiter.acquire("chat.postMessage:C1", one_per_second), 1000ms);
  EXPECT_EQ(limiter.acquire("chat.postMessage:C1", one_per_second), 2000ms);
  // Other channels are paced on their own.
  EXPECT_EQ(limiter.acquire("chat.postMessage:C2", one_per_second), 0ms);
  clock.now += 2500ms;
  EXPECT_EQ(limiter.acquire("chat.postMessage:C1", one_per_second), 500ms);
  clock.now += 10s;  // idle: no debt carried
  EXPECT_EQ(limiter.acquire("chat.postMessage:C1", one_per_second), 0ms);
}

TEST(RateLimiter, AllowsABurstThenPaces) {
  ManualClock clock;
  RateLimiter limiter(clock.fn());
  const RateLimit burst{100ms, 3};
  EXPECT_EQ(limiter.acquire("k", burst), 0ms);
  EXPECT_EQ(limiter.acquire("k", burst), 0ms);
  EXPECT_EQ(limiter.acquire("k", burst), 0ms);
  EXPECT_EQ(limiter.acquire("k", burst), 100ms);
}

TEST(RateLimiter, RetryAfterBlocksTheKeyOnly) {
  ManualClock clock;
  RateLimiter limiter(clock.fn());
  limiter.block("chat.postMessage", 30s);
  EXPECT_EQ(limiter.blocked_for("chat.postMessage"), 30s);
  EXPECT_EQ(limiter.acquire("chat.postMessage"), 30s);
  EXPECT_EQ(limiter.acquire("chat.postEphemeral"), 0ms);  // per method
  clock.now += 29s;
  EXPECT_EQ(limiter.acquire("chat.postMessage"), 1s);
  // A shorter Retry-After never shortens a longer one already in force.
  limiter.block("chat.postMessage", 100ms);
  EXPECT_EQ(limiter.blocked_for("chat.postMessage"), 1s);
  clock.now += 1s;
  EXPECT_EQ(limiter.acquire("chat.postMessage"), 0ms);
  EXPECT_EQ(limiter.blocked_for("chat.postMessage"), 0ms);
}

TEST(RateLimiter, RetryAfterAndPacingCombine) {
  ManualClock clock;
  RateLimiter limiter(clock.fn());
  const RateLimit pace{1000ms, 1};
  limiter.block("k", 5s);
  EXPECT_EQ(limiter.acquire("k", pace), 5s);
  EXPECT_EQ(limiter.acquire("k", pace), 6s);  // the next slot after the blocked one
}

TEST(Backoff, GrowsExponentiallyWithinJitterBoundsAndCaps) {
  double r = 0.0;
  Backoff backoff({100ms, 1000ms, 2.0}, [&r] { return r; });
  EXPECT_EQ(backoff.next(), 50ms);   // base 100: [50, 100]
  EXPECT_EQ(backoff.next(), 100ms);  // base 200
  r = 0.999999;
  EXPECT_EQ(backoff.next(), 399ms);  // base 400
  EXPECT_EQ(backoff.next(), 799ms);  // base 800
  EXPECT_EQ(backoff.next(), 999ms);  // capped at 1000
  EXPECT_EQ(backoff.next(), 999ms);
  EXPECT_EQ(backoff.attempts(), 6);
  backoff.reset();
  r = 0.5;
  EXPECT_EQ(backoff.next(), 75ms);
}

TEST(Backoff, DefaultRandomnessStaysWithinBounds) {
  Backoff backoff({1000ms, 60000ms, 2.0});
  for (int i = 0; i < 10; ++i) {
    const auto base = std::min(1000ms * (1 << i), milliseconds{60000});
    const auto d = backoff.next();
    EXPECT_GE(d, base / 2);
    EXPECT_LE(d, base);
  }
}

}  // namespace
}  // namespace incident::net
