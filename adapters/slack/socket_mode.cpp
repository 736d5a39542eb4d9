#include "adapters/slack/socket_mode.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <exception>

#include "adapters/net/url.h"
#include "adapters/ops/series.h"

namespace incident::slack {

namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

std::string why_ended(const boost::system::error_code& ec) {
  if (ec == boost::beast::websocket::error::closed) return "closed by Slack";
  if (ec == boost::beast::error::timeout) return "no sign of life within the watchdog's deadline";
  if (ec == boost::beast::websocket::error::message_too_big)
    return "a frame far over the size limit";
  if (ec == asio::error::operation_aborted) return "closed by us";
  return ec.message();
}

// The reconnect reason for /metrics: a closed vocabulary.
const char* end_reason(const boost::system::error_code& ec) {
  if (ec == boost::beast::error::timeout) return "watchdog";
  if (ec == boost::beast::websocket::error::message_too_big) return "too_big";
  if (ec == boost::beast::websocket::error::closed) return "closed";
  return "drop";
}

// Yields in a row that read nothing before a batch is handed on (SocketModeClient::drain).
constexpr int kIdleYields = 8;

std::string envelope_type(const std::string& type) {
  return ops::closed(type, {"events_api", "slash_commands", "interactive"});
}

}  // namespace

struct SocketModeClient::Connection {
  Connection(int n, const asio::any_io_executor& executor, net::TlsContext& tls,
             const net::WebSocketOptions& options)
      : id(n), ws(executor, tls, options) {}
  int id;
  net::WebSocket ws;
  bool ready = false;
  Clock::time_point ready_at{};
  bool served = false;              // an envelope was acknowledged on it
  const char* end_reason = "drop";  // why its reader stopped, for the reconnect count
};

SocketModeClient::SocketModeClient(asio::any_io_executor executor, net::TlsContext& tls,
                                   WebApi& api, EnvelopeHandler& handler, SocketModeOptions options)
    : executor_(executor),
      tls_(tls),
      api_(api),
      handler_(handler),
      options_(std::move(options)),
      backoff_(options_.reconnect),
      wake_(executor),
      pause_timer_(executor) {}

SocketModeClient::~SocketModeClient() = default;

bool SocketModeClient::ready() const {
  return active_ && active_->ready && active_->ws.is_open();
}

void SocketModeClient::stop() {
  stopping_ = true;
  pause_timer_.cancel();
  if (connecting_) connecting_->ws.abort();
  wake_.notify();
}

void SocketModeClient::hold_off(std::string why) {
  if (held_off_) return;
  spdlog::warn("slack: closing Socket Mode until this replica can store envelopes again: {}", why);
  last_error_ = "not taking envelopes: " + why;
  held_off_ = std::move(why);
  if (connecting_) connecting_->ws.abort();
  pause_timer_.cancel();
  notify(active_, Kind::hold_off, {});
}

void SocketModeClient::resume() {
  if (!held_off_) return;
  spdlog::info("slack: this replica can store envelopes again: connecting");
  held_off_.reset();
  wake_.notify();
}

void SocketModeClient::notify(std::shared_ptr<Connection> connection, Kind kind,
                              std::string detail) {
  notices_.push_back({std::move(connection), kind, std::move(detail)});
  wake_.notify();
}

awaitable<void> SocketModeClient::pause(milliseconds delay) {
  if (stopping_) co_return;
  pause_timer_.expires_after(delay);
  co_await pause_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

awaitable<std::optional<std::string>> SocketModeClient::run() {
  while (!stopping_ && !end_) {
    if (!active_ && held_off_ && notices_.empty()) {
      co_await wake_.wait();
      continue;
    }
    if (!active_ && !held_off_) {
      auto connection = co_await establish();
      if (connection) adopt(std::move(connection));
      continue;
    }
    if (notices_.empty()) {
      co_await wake_.wait();
      continue;
    }
    Notice notice = std::move(notices_.front());
    notices_.pop_front();
    co_await process(std::move(notice));
  }
  // Leave cleanly: a close frame on every connection (RFC 6455 §7.1.2), then wait for the
  // readers so that nothing refers to us once run() returns.
  auto live = live_;
  for (auto& connection : live) co_await connection->ws.close();
  while (readers_ > 0 || draining_) co_await wake_.wait();
  active_.reset();
  live_.clear();
  co_return end_;
}

awaitable<std::shared_ptr<SocketModeClient::Connection>> SocketModeClient::establish() {
  while (!stopping_ && !end_ && !held_off_) {
    auto opened = co_await api_.open_connection();
    if (!opened) {
      if (stopping_) break;  // a call cut short by stop() is no failure
      last_error_ = "apps.connections.open: " + opened.error().error;
      ops::count(options_.metrics, ops::series::kReconnects, {"slack", "open_failed"});
      if (opened.error().unrecoverable()) {
        end_ = "apps.connections.open refused SLACK_APP_TOKEN (" + opened.error().error +
               "): it must be an app-level token (xapp-…) with the connections:write scope";
        spdlog::error("slack: {}", *end_);
        co_return nullptr;
      }
      co_await pause(backoff_.next());
      continue;
    }
    const auto url = net::Url::parse(*opened);
    if (!url || url->scheme != "wss") {
      spdlog::error("slack: apps.connections.open gave a URL that is not wss://; retrying");
      co_await pause(backoff_.next());
      continue;
    }

    auto connection = std::make_shared<Connection>(next_id_++, executor_, tls_, options_.socket);
    connecting_ = connection;
    // The URL's ticket is a credential: only the origin goes to the log.
    spdlog::debug("slack: connection {}: connecting to {}", connection->id, url->origin());
    const auto ec = co_await connection->ws.connect(*url);
    if (ec) {
      connecting_.reset();
      if (stopping_) break;
      last_error_ = "could not connect to " + url->origin() + ": " + ec.message();
      ops::count(options_.metrics, ops::series::kReconnects, {"slack", "connect_failed"});
      spdlog::warn("slack: connection {}: could not connect to {}: {}", connection->id,
                   url->origin(), ec.message());
      co_await pause(backoff_.next());
      continue;
    }
    // Ready only after hello (the guide; node's client emits "connected" only then). A server
    // that says nothing is dropped after hello_timeout.
    asio::steady_timer hello_deadline(executor_, options_.hello_timeout);
    hello_deadline.async_wait([weak = std::weak_ptr<Connection>(connection)](auto error) {
      auto c = weak.lock();
      if (!error && c && !c->ready) c->ws.abort();
    });
    auto first = co_await connection->ws.read();
    hello_deadline.cancel();
    connecting_.reset();
    if (!first) {
      last_error_ = "no hello: " + why_ended(first.error());
      ops::count(options_.metrics, ops::series::kReconnects, {"slack", "no_hello"});
      spdlog::warn("slack: connection {}: no hello ({})", connection->id, why_ended(first.error()));
      co_await pause(backoff_.next());
      continue;
    }
    const Frame frame = first->binary ? Frame{MalformedFrame{"a binary frame"}}
                                      : parse_frame(first->data, handler_.decode_context());
    if (const auto* hello = std::get_if<Hello>(&frame)) {
      connection->ready = true;
      connection->ready_at = Clock::now();
      ops::count(options_.metrics, ops::series::kConnections, {"slack"});
      ops::set(options_.metrics, ops::series::kSlackConnections, hello->num_connections);
      if (hello->num_connections > options_.expected_connections) {
        spdlog::warn(
            "slack: Slack counts {} connections for this app, more than the {} expected: is "
            "another copy of the bot running with this app's tokens? It takes envelopes this one "
            "never sees",
            hello->num_connections, options_.expected_connections);
      }
      spdlog::info(
          "slack: connected (connection {}; {} open for this app; refresh expected in "
          "about {} s)",
          connection->id, hello->num_connections, hello->approximate_connection_time);
      co_return connection;
    }
    const auto* disconnect = std::get_if<Disconnect>(&frame);
    co_await connection->ws.close();
    if (disconnect && disconnect->reason == "link_disabled") {
      link_disabled();
      co_return nullptr;
    }
    if (disconnect && disconnect->reason == "too_many_websockets") {
      co_await pause(too_many_websockets(connection->id));
      continue;
    }
    last_error_ = "the first frame was not hello";
    ops::count(options_.metrics, ops::series::kReconnects, {"slack", "no_hello"});
    spdlog::warn("slack: connection {}: the first frame was not hello", connection->id);
    co_await pause(backoff_.next());
  }
  co_return nullptr;
}

void SocketModeClient::adopt(std::shared_ptr<Connection> connection) {
  active_ = connection;
  live_.push_back(connection);
  ++readers_;
  asio::co_spawn(executor_, read_loop(std::move(connection)), rethrow);
}

awaitable<void> SocketModeClient::read_loop(std::shared_ptr<Connection> connection) {
  std::string ended;
  while (true) {
    auto message = co_await connection->ws.read();
    if (!message) {
      const auto ec = message.error();
      ended = why_ended(ec);
      connection->end_reason = end_reason(ec);
      break;
    }
    inbox_.push_back({connection, std::move(*message), Clock::now()});
    if (!draining_) {
      draining_ = true;
      asio::co_spawn(executor_, drain(), rethrow);
    }
  }
  --readers_;
  notify(std::move(connection), Kind::ended, std::move(ended));
}

awaitable<void> SocketModeClient::drain() {
  while (!inbox_.empty()) {
    // Take in what is already on the wire: yielding lets a reader whose next frame has arrived
    // read it (a frame takes a few hops through the event loop: WebSocket, TLS, socket). Once
    // several yields in a row add nothing, nothing more is waiting. No timer: a lone envelope
    // is handled after a few microseconds.
    const auto began = Clock::now();
    for (int idle = 0; idle < kIdleYields && inbox_.size() < options_.batch_max &&
                       Clock::now() - began < options_.batch_gather;) {
      const std::size_t seen = inbox_.size();
      co_await asio::post(executor_, asio::use_awaitable);
      idle = inbox_.size() == seen ? idle + 1 : 0;
    }
    std::vector<Delivery> deliveries;
    for (std::size_t n = 0; n < options_.batch_max && !inbox_.empty(); ++n) {
      Inbound inbound = std::move(inbox_.front());
      inbox_.pop_front();
      on_frame(std::move(inbound), deliveries);
    }
    if (!deliveries.empty()) handler_.on_envelopes(std::move(deliveries));
  }
  draining_ = false;
  wake_.notify();
}

void SocketModeClient::on_frame(Inbound inbound, std::vector<Delivery>& deliveries) {
  // Bad frames are counted and logged, never fatal: Slack only sends text JSON, so anything
  // else is noise on one frame, not a reason to drop the connection.
  auto& connection = inbound.connection;
  const net::WsMessage& message = inbound.message;
  auto skipped = [this](const char* reason) {
    ops::count(options_.metrics, ops::series::kFramesSkipped, {"slack", reason});
  };
  if (message.oversized) {
    skipped("too_big");
    spdlog::warn("slack: connection {}: skipped a frame of {} bytes (over the {} byte limit)",
                 connection->id, message.size, options_.socket.read_message_max);
    return;
  }
  if (message.binary) {
    skipped("binary");
    spdlog::warn("slack: connection {}: ignored a binary frame ({} bytes)", connection->id,
                 message.data.size());
    return;
  }
  Frame frame = parse_frame(message.data, handler_.decode_context());
  if (auto* envelope = std::get_if<Envelope>(&frame)) {
    const ops::LabelValues labels{"slack", envelope_type(envelope->type)};
    ops::count(options_.metrics, ops::series::kEventsReceived, labels);
    // On the connection it came on; if that one is gone, Slack redelivers and the engine's
    // idempotency key makes the second delivery a no-op.
    auto answer = [this, connection, id = envelope->id, labels,
                   received = inbound.received](std::optional<Ack> ack) {
      if (!ack) {
        ops::count(options_.metrics, ops::series::kEventsRejected, labels);
        return;
      }
      connection->ws.send(ack_json(id, ack->message));
      connection->served = true;
      ops::count(options_.metrics, ops::series::kEventsAcked, labels);
      ops::observe(options_.metrics, ops::series::kAckLatency, {"slack"},
                   std::chrono::duration<double>(Clock::now() - received).count());
    };
    deliveries.push_back({std::move(*envelope), std::move(answer)});
  } else if (auto* disconnect = std::get_if<Disconnect>(&frame)) {
    const std::string& reason = disconnect->reason;
    if (reason == "link_disabled") {
      notify(connection, Kind::link_disabled, reason);
    } else if (reason == "too_many_websockets") {
      notify(connection, Kind::too_many, reason);
    } else {
      // warning (~10 s before Slack drops it), refresh_requested, or a reason new to us: all
      // mean "this connection is going away" — node's PR #1762 treats the first two alike.
      notify(connection, Kind::refresh, reason);
    }
  } else if (auto* unknown = std::get_if<UnknownFrame>(&frame)) {
    skipped("unknown");
    spdlog::warn("slack: connection {}: ignored a frame of unknown type \"{}\"", connection->id,
                 unknown->type);
    // We will never process it; acknowledging stops Slack from redelivering it.
    if (!unknown->envelope_id.empty()) connection->ws.send(ack_json(unknown->envelope_id, {}));
  } else if (auto* malformed = std::get_if<MalformedFrame>(&frame)) {
    skipped("malformed");
    spdlog::warn("slack: connection {}: ignored a malformed frame ({} bytes): {}", connection->id,
                 message.data.size(), malformed->error);
  } else {
    spdlog::debug("slack: connection {}: hello again, ignored", connection->id);
  }
}

awaitable<void> SocketModeClient::process(Notice notice) {
  auto& connection = notice.connection;
  switch (notice.kind) {
    case Kind::ended: {
      std::erase(live_, connection);
      if (connection != active_) co_return;  // one we replaced or closed
      active_.reset();
      last_error_ = "connection ended: " + notice.detail;
      ops::count(options_.metrics, ops::series::kReconnects, {"slack", connection->end_reason});
      // A connection that carried events, or lived long, clears the record of failures: the
      // next one is tried within a second. Connections that fail before serving anything add
      // up, up to reconnect.max apart.
      if (connection->served || Clock::now() - connection->ready_at > options_.reconnect.max) {
        backoff_.reset();
      }
      const auto delay = backoff_.next();
      spdlog::warn("slack: connection {} ended ({}); reconnecting in {} ms", connection->id,
                   notice.detail, delay.count());
      co_await pause(delay);
      co_return;
    }
    case Kind::refresh: {
      if (connection != active_) co_return;
      ops::count(options_.metrics, ops::series::kReconnects,
                 {"slack", ops::closed(notice.detail, {"warning", "refresh_requested"})});
      // Make before break: the old connection keeps serving until the new one said hello, so
      // no event waits for a connection (the python SDK's connect_to_new_endpoint). Two
      // connections at most, well within Slack's cap of 10.
      spdlog::info("slack: Slack is refreshing connection {} ({}): opening the next one first",
                   connection->id, notice.detail);
      auto fresh = co_await establish();
      if (!fresh) co_return;
      adopt(std::move(fresh));
      co_await connection->ws.close();
      co_return;
    }
    case Kind::too_many: {
      const auto delay = too_many_websockets(connection->id);
      co_await connection->ws.close();
      if (connection != active_) co_return;
      active_.reset();
      co_await pause(delay);
      co_return;
    }
    case Kind::link_disabled:
      link_disabled();
      co_return;
    case Kind::hold_off: {
      auto live = live_;
      for (auto& c : live) co_await c->ws.close();
      active_.reset();
      co_return;
    }
  }
}

void SocketModeClient::link_disabled() {
  last_error_ = "link_disabled: Socket Mode is off in the app's settings";
  end_ =
      "Socket Mode is disabled for this app (link_disabled): turn it on in the app's settings "
      "(Socket Mode), then restart the bot";
  spdlog::error("slack: {}", *end_);
}

std::chrono::milliseconds SocketModeClient::too_many_websockets(int connection_id) {
  last_error_ = "too_many_websockets: another copy of the bot may hold the connections";
  ops::count(options_.metrics, ops::series::kReconnects, {"slack", "too_many_websockets"});
  spdlog::warn(
      "slack: too many Socket Mode connections for this app (Slack allows 10); is another copy "
      "of the bot running with this app token? Connection {} closed; waiting before connecting "
      "again",
      connection_id);
  return std::max(options_.too_many_websockets_delay, backoff_.next());
}

}  // namespace incident::slack
