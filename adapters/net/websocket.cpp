#include "adapters/net/websocket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>
#include <exception>
#include <optional>
#include <vector>

#include "adapters/net/signal.h"

namespace incident::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using asio::awaitable;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {
// Our coroutines report failures as values; an exception is a broken invariant and must not
// vanish in a detached coroutine.
void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}
}  // namespace

struct WebSocket::Impl {
  enum class State { idle, open, closing, ended };

  Impl(asio::any_io_executor ex, TlsContext& tls, WebSocketOptions opts)
      : executor(ex),
        options(std::move(opts)),
        ws(ex, tls.native()),
        wake(ex),
        tick(ex),
        ended(ex) {}

  asio::any_io_executor executor;
  WebSocketOptions options;
  websocket::stream<ssl::stream<beast::tcp_stream>> ws;
  beast::flat_buffer buffer;
  asio::steady_timer wake;  // the writer sleeps on it until there is something to write
  asio::steady_timer tick;  // the watchdog's period
  Signal ended;             // close() waits on it
  std::deque<std::string> outbox;
  State state = State::idle;
  std::uint16_t close_code = 1000;
  bool ping_due = false;
  bool timed_out = false;
  Clock::time_point last_received{};
  Clock::time_point last_ping{};
  std::optional<Clock::time_point> ping_outstanding_since;

  bool live() const { return state == State::open || state == State::closing; }

  void end() {
    state = State::ended;
    wake.cancel();
    tick.cancel();
    ended.notify();
  }

  void abort() {
    if (state == State::ended) return;
    beast::get_lowest_layer(ws).close();
    end();
  }

  std::chrono::milliseconds watch_period() const {
    std::chrono::milliseconds shortest{0};
    for (auto d : {options.ping_interval, options.pong_timeout, options.idle_timeout}) {
      if (d.count() > 0 && (shortest.count() == 0 || d < shortest)) shortest = d;
    }
    return std::max(shortest / 4, std::chrono::milliseconds{5});
  }

  // TCP_CORK on or off; false when the socket refused.
  bool cork(bool on) {
    const int value = on ? 1 : 0;
    return ::setsockopt(beast::get_lowest_layer(ws).socket().native_handle(), IPPROTO_TCP, TCP_CORK,
                        &value, sizeof value) == 0;
  }

  static awaitable<void> run_writer(std::shared_ptr<Impl> self);
  static awaitable<void> run_watchdog(std::shared_ptr<Impl> self);
};

// The one writer: queued messages first, then a due ping, then the close frame. A burst of
// queued messages (the acks of a batch) is corked: the kernel sends them in as few packets as
// fit, instead of one packet per message as TCP_NODELAY otherwise does; the last one uncorks.
awaitable<void> WebSocket::Impl::run_writer(std::shared_ptr<Impl> self) {
  bool corked = false;
  while (self->live()) {
    if (!self->outbox.empty()) {
      std::string message = std::move(self->outbox.front());
      self->outbox.pop_front();
      if (!self->outbox.empty() && !corked) corked = self->cork(true);
      self->ws.text(true);
      auto [ec, written] = co_await self->ws.async_write(asio::buffer(message), use_tuple);
      if (ec) break;
      if (self->outbox.empty() && corked) corked = !self->cork(false);
      continue;
    }
    if (self->ping_due && self->state == Impl::State::open) {
      self->ping_due = false;
      self->ping_outstanding_since = Clock::now();
      auto [ec] = co_await self->ws.async_ping(websocket::ping_data{"incident-bot"}, use_tuple);
      if (ec) break;
      continue;
    }
    if (self->state == Impl::State::closing) {
      // Bounded by the stream's handshake timeout, set to close_timeout after the upgrade.
      co_await self->ws.async_close(websocket::close_reason(self->close_code), use_tuple);
      break;
    }
    self->wake.expires_at(asio::steady_timer::time_point::max());
    co_await self->wake.async_wait(use_tuple);
  }
  // A failed write leaves the stream unusable; dropping TCP also ends the owner's read().
  self->abort();
}

// The watchdog: asks the writer for pings and drops a connection that stopped answering.
awaitable<void> WebSocket::Impl::run_watchdog(std::shared_ptr<Impl> self) {
  const auto period = self->watch_period();
  const auto& o = self->options;
  while (self->state == Impl::State::open) {
    self->tick.expires_after(period);
    co_await self->tick.async_wait(use_tuple);
    if (self->state != Impl::State::open) break;  // closing is bounded by close_timeout
    const auto now = Clock::now();
    const bool idle = o.idle_timeout.count() > 0 && now - self->last_received > o.idle_timeout;
    const bool no_pong =
        self->ping_outstanding_since && now - *self->ping_outstanding_since > o.pong_timeout;
    if (idle || no_pong) {
      self->timed_out = true;
      self->abort();
      break;
    }
    if (o.ping_interval.count() > 0 && !self->ping_outstanding_since &&
        now - self->last_ping >= o.ping_interval) {
      self->last_ping = now;
      self->ping_due = true;
      self->wake.cancel();
    }
  }
}

WebSocket::WebSocket(asio::any_io_executor executor, TlsContext& tls, WebSocketOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), tls, std::move(options))) {}

WebSocket::~WebSocket() {
  abort();
}

awaitable<error_code> WebSocket::connect(Url url) {
  auto self = impl_;
  auto& ws = self->ws;
  auto& socket = beast::get_lowest_layer(ws);
  const auto& o = self->options;

  tcp::resolver resolver(self->executor);
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(url.host, url.port, use_tuple);
  if (resolve_ec) co_return resolve_ec;
  socket.expires_after(o.connect_timeout);
  auto [connect_ec, endpoint] = co_await socket.async_connect(endpoints, use_tuple);
  if (connect_ec) co_return connect_ec;
  error_code ignored;
  socket.socket().set_option(tcp::no_delay(true), ignored);
  if (!prepare_client_session(ws.next_layer().native_handle(), url.host)) {
    co_return make_error_code(boost::system::errc::invalid_argument);
  }
  socket.expires_after(o.handshake_timeout);
  auto [tls_ec] = co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_tuple);
  if (tls_ec) co_return tls_ec;
  // From here the WebSocket stream keeps its own timers (Beast: never both).
  socket.expires_never();

  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = o.handshake_timeout;
  timeouts.idle_timeout = websocket::stream_base::none();  // our watchdog does this
  timeouts.keep_alive_pings = false;
  ws.set_option(timeouts);
  websocket::permessage_deflate deflate;
  deflate.client_enable = false;
  ws.set_option(deflate);
  ws.read_message_max(o.read_message_max * 16);
  ws.set_option(
      websocket::stream_base::decorator([agent = o.user_agent](websocket::request_type& request) {
        request.set(http::field::user_agent, agent);
      }));
  // Control frames are signs of life; a pong answers our ping.
  ws.control_callback([raw = self.get()](websocket::frame_type kind, beast::string_view) {
    raw->last_received = Clock::now();
    if (kind == websocket::frame_type::pong) raw->ping_outstanding_since.reset();
  });
  auto [upgrade_ec] = co_await ws.async_handshake(url.authority(), url.target, use_tuple);
  if (upgrade_ec) co_return upgrade_ec;

  timeouts.handshake_timeout = o.close_timeout;  // applies to the closing handshake from now on
  ws.set_option(timeouts);
  self->state = Impl::State::open;
  self->last_received = self->last_ping = Clock::now();
  asio::co_spawn(self->executor, Impl::run_writer(self), rethrow);
  asio::co_spawn(self->executor, Impl::run_watchdog(self), rethrow);
  co_return error_code{};
}

awaitable<boost::system::result<WsMessage>> WebSocket::read() {
  auto self = impl_;
  if (!self->live()) {
    co_return self->timed_out ? error_code(beast::error::timeout)
                              : error_code(asio::error::operation_aborted);
  }
  // Read in pieces, so that a message over the limit can be skipped without holding it.
  constexpr std::size_t kPiece = 64 * 1024;
  self->buffer.clear();
  std::size_t size = 0;
  do {
    auto [ec, n] = co_await self->ws.async_read_some(self->buffer, kPiece, use_tuple);
    if (ec) {
      // While closing, the writer finishes the closing handshake and drops TCP itself.
      if (self->state == Impl::State::open) self->abort();
      co_return self->timed_out ? error_code(beast::error::timeout) : ec;
    }
    self->last_received = Clock::now();
    size += n;
    if (size > self->options.read_message_max) self->buffer.clear();
  } while (!self->ws.is_message_done());
  WsMessage message;
  message.binary = !self->ws.got_text();
  message.size = size;
  message.oversized = size > self->options.read_message_max;
  if (!message.oversized) message.data = beast::buffers_to_string(self->buffer.data());
  self->buffer.clear();
  co_return message;
}

void WebSocket::send(std::string text) {
  if (impl_->state != Impl::State::open) return;
  impl_->outbox.push_back(std::move(text));
  impl_->wake.cancel();
}

awaitable<void> WebSocket::close(std::uint16_t code) {
  auto self = impl_;
  if (self->state == Impl::State::open) {
    self->state = Impl::State::closing;
    self->close_code = code;
    self->wake.cancel();
  }
  while (self->state == Impl::State::closing) co_await self->ended.wait();
}

void WebSocket::abort() {
  impl_->abort();
}

bool WebSocket::is_open() const {
  return impl_->state == Impl::State::open;
}

}  // namespace incident::net
