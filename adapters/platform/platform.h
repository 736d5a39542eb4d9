// What every chat platform's adapter is to `main`: something to run on the one io_context, stop,
// and ask about for /healthz. And the pieces both adapters need the same way: the wall clock,
// the https:// check of a configured URL, and the periodic purge of private records.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/net/https_client.h"
#include "adapters/net/tls.h"
#include "adapters/net/url.h"
#include "bot/engine/engine.h"
#include "bot/model/time.h"

namespace incident::platform {

class PlatformAdapter {
 public:
  virtual ~PlatformAdapter() = default;

  // "slack", "matrix": the name in logs, /healthz and metrics.
  virtual std::string_view name() const = 0;
  // Runs until stop() (nullopt) or an error retrying cannot fix (what went wrong, for the
  // operator), then lets queued replies go out for a bounded time.
  virtual boost::asio::awaitable<std::optional<std::string>> run() = 0;
  virtual void stop() = 0;
  // Signed in and receiving events now: what /healthz calls connected.
  virtual bool connected() const = 0;
  // The latest trouble, as an operator would read it (no tokens); empty before any.
  virtual std::string last_error() const = 0;
  // Whether `user` is in `channel` now, asked of the platform (the review page shows an
  // incident only to its channel's members); nullopt when it cannot be told.
  virtual boost::asio::awaitable<std::optional<bool>> is_member(std::string channel,
                                                                std::string user) = 0;
  // A link that opens message `ref` of `channel` in the platform's own client (the review page
  // links each timeline entry to its message); empty when there is none.
  virtual std::string message_link(const std::string& channel, const std::string& ref) const = 0;
  // A command given somewhere else on the user's behalf (the review page's Publish button):
  // handled and made durable like an event from the platform, its replies to others posted
  // there; the caller's own replies are returned only (the page shows them). nullopt when it
  // could not be recorded.
  virtual std::optional<Outcome> submit(const InboundEvent& event) = 0;
};

// The wall clock at the domain's resolution.
TimePoint system_now();

// `url` as an origin the bot may send tokens to; throws std::invalid_argument naming `setting`
// unless it is an https:// URL (certificates are always verified).
net::Url https_url(std::string_view setting, const std::string& url);

// Makes the HTTPS clients an adapter talks through. Injected, so an adapter can be built over
// any transport; the default is a kept-alive TLS pool (net::KeepAliveHttpsClient).
using HttpsClientFactory =
    std::function<std::unique_ptr<net::HttpsClient>(const net::Url& origin, net::HttpOptions)>;
HttpsClientFactory keep_alive_clients(boost::asio::any_io_executor executor, net::TlsContext& tls);

// Engine::purge now and every `interval` until cancelled (it throws operation_aborted then);
// a failed purge is logged under `platform` and tried again next time.
boost::asio::awaitable<void> purge_periodically(boost::asio::any_io_executor executor,
                                                Engine& engine, std::function<TimePoint()> clock,
                                                std::chrono::milliseconds interval,
                                                std::string platform);

// Every `interval`, hands each reminder of `platform` that fell due (Engine::due_reminders) to
// `submit`, which handles and posts it as the adapter does any event; until cancelled. A failed
// look-up is logged and tried again next time.
boost::asio::awaitable<void> remind_periodically(boost::asio::any_io_executor executor,
                                                 Engine& engine, std::function<TimePoint()> clock,
                                                 std::chrono::milliseconds interval,
                                                 std::string platform,
                                                 std::function<void(const InboundEvent&)> submit);

}  // namespace incident::platform
