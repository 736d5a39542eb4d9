// A WebSocket client over TLS with one reader and one writer: the owner reads (read()), every
// write (messages, pings, the close frame) goes through a queue that a single writer coroutine
// drains, never two at once (Beast's rule for a stream). A watchdog drops a connection that has
// gone quiet: client pings with a pong deadline, and an idle (read) deadline, both generous by
// default — Slack's own servers sometimes answer pings late (slackapi/bolt-js#2496), and a
// half-open socket behind a NAT is only found by such deadlines (slack-go/slack#1566).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/net/tls.h"
#include "adapters/net/url.h"

namespace incident::net {

struct WebSocketOptions {
  std::chrono::milliseconds connect_timeout{10000};    // TCP connect
  std::chrono::milliseconds handshake_timeout{10000};  // TLS handshake, then the HTTP upgrade
  // The closing handshake: our close frame out, the peer's back, TCP down. Slack has been seen
  // not to close TCP after the close handshake (node-slack-sdk socket-mode 3.2.0 release notes
  // force it after 1 s), so this is short.
  std::chrono::milliseconds close_timeout{2000};
  // A connection that goes silent without closing (a NAT or load balancer that forgot it, a
  // peer that froze: "half-open") is noticed by its missing pong: a ping goes out every
  // ping_interval, and one unanswered for pong_timeout ends the connection. The worst case is
  // silence starting just after a pong: ping_interval + pong_timeout + a quarter of the shorter
  // (the watchdog's tick), 16.25 s with these values, within the 20 s the Slack SDKs take. The
  // deadline is twice the interval so that a pong delayed by a busy peer or a congested link —
  // up to 10 s — is still a live connection, not a reconnect.
  std::chrono::milliseconds ping_interval{5000};  // a client ping this often; zero: none
  std::chrono::milliseconds pong_timeout{10000};  // a ping unanswered this long: dead
  std::chrono::milliseconds idle_timeout{60000};  // nothing received this long: dead; zero: off
  // A bigger message is read and discarded (WsMessage::oversized), so one bad frame costs
  // nothing but itself; one over 16 times this fails the connection (it is not the peer we
  // know).
  std::size_t read_message_max = 1024 * 1024;
  std::string user_agent = "incident-bot";
};

struct WsMessage {
  std::string data;  // empty when oversized
  bool binary = false;
  bool oversized = false;  // over read_message_max: skipped, `size` bytes
  std::size_t size = 0;
};

class WebSocket {
 public:
  WebSocket(boost::asio::any_io_executor executor, TlsContext& tls, WebSocketOptions options);
  // Drops the connection if it is still open (no close frame: call close() for that).
  ~WebSocket();
  WebSocket(const WebSocket&) = delete;
  WebSocket& operator=(const WebSocket&) = delete;

  // Resolves, connects with TCP_NODELAY (small frames must not wait on Nagle + delayed ACK,
  // boostorg/beast#2927), TLS with SNI and host-name verification, then the upgrade, with
  // permessage-deflate off (Slack's own client turns it off; it only costs time on small
  // frames). Starts the writer and the watchdog. Call once per object.
  boost::asio::awaitable<boost::system::error_code> connect(Url url);

  // The next message. An error when the connection has ended: websocket::error::closed (the
  // peer's close frame), beast::error::timeout (the watchdog), message_too_big (over 16 times
  // read_message_max), a transport error, or operation_aborted after close()/abort(). One
  // read() at a time.
  boost::asio::awaitable<boost::system::result<WsMessage>> read();

  // Queues a text message; the writer sends queued messages in order. Dropped once closed.
  void send(std::string text);

  // Sends the close frame after everything already queued and waits, at most close_timeout, for
  // the closing handshake; then the TCP connection is gone.
  boost::asio::awaitable<void> close(std::uint16_t code = 1000);

  // Drops the TCP connection now, without a close frame.
  void abort();

  bool is_open() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace incident::net
