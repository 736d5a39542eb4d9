// Socket Mode (docs.slack.dev/apis/events-api/using-socket-mode) as one supervisor coroutine
// and one reader per connection: apps.connections.open for a fresh URL before every connection
// (tickets are single-use, python-slack-sdk#1379), ready only after `hello` (never acked),
// envelopes handed to the handler together with whatever else was already read (group commit)
// and acknowledged as it answers, `disconnect` handled per reason, dead connections replaced
// with backoff.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/net/backoff.h"
#include "adapters/net/signal.h"
#include "adapters/net/tls.h"
#include "adapters/net/websocket.h"
#include "adapters/slack/protocol.h"
#include "adapters/slack/web_api.h"

namespace incident::ops {
class Metrics;
}

namespace incident::slack {

struct Ack {
  std::optional<AckMessage> message;  // a slash command's response, when it accepts one
};

// An envelope and how to answer it, exactly once and only when its effects are durable: with an
// Ack it is acknowledged on the connection it came on; with nullopt it is counted rejected and
// left unacknowledged, so that Slack redelivers it (events_api only: slash commands and
// interactive payloads are not redelivered).
struct Delivery {
  Envelope envelope;
  std::function<void(std::optional<Ack>)> answer;
};

class EnvelopeHandler {
 public:
  virtual ~EnvelopeHandler() = default;
  // Frames are decoded with this: who we are, the slash command, the time now.
  virtual DecodeContext decode_context() = 0;
  // The envelopes read together, in the order they came. Not a coroutine, so a batch never
  // spans an await: what can be decided now is made durable together and answered before it
  // returns; an envelope that must wait for a look-up is answered later.
  virtual void on_envelopes(std::vector<Delivery> deliveries) = 0;
};

struct SocketModeOptions {
  net::WebSocketOptions socket;
  std::chrono::milliseconds hello_timeout{10000};
  net::Backoff::Policy reconnect{std::chrono::milliseconds{1000}, std::chrono::milliseconds{60000}};
  // After too_many_websockets: wait at least this long before connecting again (other copies
  // of the bot hold the app's 10 connections; reconnecting at once only feeds the storm,
  // slackapi/bolt-js#2225).
  std::chrono::milliseconds too_many_websockets_delay{30000};
  // Group commit: frames already read when one is handled join its batch, up to this many and
  // for at most this long. Nothing waits for frames still to come.
  std::size_t batch_max = 256;
  std::chrono::milliseconds batch_gather{2};
  ops::Metrics* metrics = nullptr;  // adapters/ops/series.h; null: not counted
  // How many connections the app should have (Slack counts them in hello): one per bot process,
  // and one more for each while Slack refreshes it. More is logged as a warning: another copy of
  // the bot on the same app takes envelopes this one never sees.
  int expected_connections = 2;
};

class SocketModeClient {
 public:
  SocketModeClient(boost::asio::any_io_executor executor, net::TlsContext& tls, WebApi& api,
                   EnvelopeHandler& handler, SocketModeOptions options);
  ~SocketModeClient();
  SocketModeClient(const SocketModeClient&) = delete;
  SocketModeClient& operator=(const SocketModeClient&) = delete;

  // Connects and serves until stop() or a refusal retrying cannot fix (Socket Mode turned off in
  // the app's settings, the app token refused); on the way out closes every connection with a
  // close frame and waits for its reader. nullopt after stop(); else what the operator must fix.
  boost::asio::awaitable<std::optional<std::string>> run();
  void stop();
  // Replicas: closes every connection and opens none until resume(), so that Slack sends the
  // app's envelopes to the other replicas while this one cannot store them (`why`, for
  // /healthz). Envelopes read but not yet acknowledged are delivered again elsewhere.
  void hold_off(std::string why);
  void resume();

  // A connection has said hello and is serving.
  bool ready() const;
  // Why the last connection attempt failed or the last connection ended (for /healthz); empty
  // before any trouble. Never the connection URL, which carries a one-time ticket.
  const std::string& last_error() const { return last_error_; }

 private:
  struct Connection;
  enum class Kind { ended, refresh, too_many, link_disabled, hold_off };
  struct Notice {
    std::shared_ptr<Connection> connection;
    Kind kind;
    std::string detail;
  };

  boost::asio::awaitable<std::shared_ptr<Connection>> establish();
  void adopt(std::shared_ptr<Connection> connection);
  boost::asio::awaitable<void> read_loop(std::shared_ptr<Connection> connection);
  struct Inbound {
    std::shared_ptr<Connection> connection;
    net::WsMessage message;
    std::chrono::steady_clock::time_point received;
  };
  // Takes in what is already read, then hands it on: one batch at a time.
  boost::asio::awaitable<void> drain();
  void on_frame(Inbound inbound, std::vector<Delivery>& deliveries);
  boost::asio::awaitable<void> process(Notice notice);
  boost::asio::awaitable<void> pause(std::chrono::milliseconds delay);
  void notify(std::shared_ptr<Connection> connection, Kind kind, std::string detail);
  // Slack's refusals, met in a first frame or later on a live connection, handled alike:
  // link_disabled ends Socket Mode for the operator to fix; too_many_websockets is counted and
  // reported, and returns how long to wait before connecting again.
  void link_disabled();
  std::chrono::milliseconds too_many_websockets(int connection_id);

  boost::asio::any_io_executor executor_;
  net::TlsContext& tls_;
  WebApi& api_;
  EnvelopeHandler& handler_;
  SocketModeOptions options_;
  net::Backoff backoff_;
  net::Signal wake_;
  boost::asio::steady_timer pause_timer_;
  std::shared_ptr<Connection> active_;
  std::shared_ptr<Connection> connecting_;
  std::vector<std::shared_ptr<Connection>> live_;
  std::deque<Notice> notices_;
  std::deque<Inbound> inbox_;  // read, not yet handled
  bool draining_ = false;
  int readers_ = 0;
  int next_id_ = 1;
  bool stopping_ = false;
  std::optional<std::string> end_;       // why Socket Mode cannot go on, once it cannot
  std::optional<std::string> held_off_;  // hold_off()'s reason until resume()
  std::string last_error_;
};

}  // namespace incident::slack
