#include "adapters/platform/platform.h"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

namespace incident::platform {

TimePoint system_now() {
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
}

net::Url https_url(std::string_view setting, const std::string& url) {
  auto parsed = net::Url::parse(url);
  if (!parsed || parsed->scheme != "https") {
    throw std::invalid_argument(std::string(setting) +
                                " must be an https:// URL (certificates are always verified), "
                                "not \"" +
                                url + "\"");
  }
  return *parsed;
}

HttpsClientFactory keep_alive_clients(boost::asio::any_io_executor executor, net::TlsContext& tls) {
  return [executor, &tls](const net::Url& origin, net::HttpOptions options) {
    return std::make_unique<net::KeepAliveHttpsClient>(executor, tls, origin, std::move(options));
  };
}

boost::asio::awaitable<void> purge_periodically(boost::asio::any_io_executor executor,
                                                Engine& engine, std::function<TimePoint()> clock,
                                                std::chrono::milliseconds interval,
                                                std::string platform) {
  boost::asio::steady_timer timer(executor);
  while (true) {
    try {
      const int deleted = engine.purge(clock());
      if (deleted > 0) {
        spdlog::info("{}: deleted {} closed security case(s) past retention", platform, deleted);
      }
    } catch (const std::exception& e) {
      spdlog::error("{}: could not purge private records: {}", platform, e.what());
    }
    timer.expires_after(interval);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

boost::asio::awaitable<void> remind_periodically(boost::asio::any_io_executor executor,
                                                 Engine& engine, std::function<TimePoint()> clock,
                                                 std::chrono::milliseconds interval,
                                                 std::string platform,
                                                 std::function<void(const InboundEvent&)> submit) {
  boost::asio::steady_timer timer(executor);
  while (true) {
    timer.expires_after(interval);
    co_await timer.async_wait(boost::asio::use_awaitable);
    try {
      for (const InboundEvent& event : engine.due_reminders(platform, clock())) submit(event);
    } catch (const std::exception& e) {
      spdlog::error("{}: could not look for due reminders: {}", platform, e.what());
    }
  }
}

}  // namespace incident::platform
