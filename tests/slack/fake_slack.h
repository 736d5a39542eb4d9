// An in-process fake Slack on 127.0.0.1: the Web API over HTTPS and Socket Mode over WSS on one
// port, with real TLS (a throwaway CA, test_pki.h). It behaves as docs.slack.dev and the
// official SDKs' mock servers describe (shared/protocol/slack.md §10): one-time tickets from
// apps.connections.open, hello first, acks recorded, strictly increasing ts per channel, 429s
// and errors injectable per method. It runs on the test's io_context, so a test drives both
// sides on one thread, deterministically.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "slack/test_pki.h"

namespace incident::testing {

inline constexpr const char* kAppToken = "xapp-1-test";
inline constexpr const char* kBotToken = "xoxb-test";
inline constexpr const char* kBotUser = "UBOT";
inline constexpr const char* kBotId = "BBOT";

using FakeClock = std::chrono::steady_clock;

struct ApiCall {
  std::string method;  // "chat.postMessage"
  std::string authorization;
  std::map<std::string, std::string> fields;  // the form fields
  FakeClock::time_point at;
};

struct StoredMessage {
  std::string channel;
  std::string ts;
  std::string user;
  std::string text;
  std::string thread_ts;
  bool ephemeral = false;
  std::string ephemeral_user;
  std::string metadata = {};  // chat.postMessage's `metadata` (JSON), returned by the history
                              // methods with include_all_metadata
};

// A file shared with files.completeUploadExternal, after its bytes reached the upload URL.
struct SharedFile {
  std::string id;
  std::string channel;
  std::string filename;
  std::string title;
  std::string content;
  std::string comment;  // initial_comment
};

// A channel made with conversations.create (and what was done to it since).
struct FakeChannel {
  std::string id;
  std::string name;
  bool is_private = false;
  std::string topic;
  bool archived = false;
  std::vector<std::string> members;  // the bot, then who was invited
};

struct ReceivedAck {
  int connection = 0;
  std::string envelope_id;
  nlohmann::json payload;  // null without one
  FakeClock::time_point at;
};

// How the next Socket Mode connection behaves.
enum class ConnectionMode {
  normal,               // hello, then serve
  silent,               // hello, then never read (no pongs) and never send
  no_hello,             // says nothing at all
  too_many_websockets,  // a too_many_websockets disconnect instead of hello, then a close
  link_disabled,        // a link_disabled disconnect instead of hello
  slow_pongs,           // hello, then serve, but read (and so answer a ping) only every
                        // slow_pong_delay: each pong comes up to that late
};

struct SocketInfo {
  int id = 0;
  ConnectionMode mode = ConnectionMode::normal;
  bool open = true;
  bool client_close_frame = false;  // the client closed with a close frame
  int pings = 0;                    // ping frames received from the client
  FakeClock::time_point opened_at;
  FakeClock::time_point closed_at;
};

class FakeSlack {
 public:
  FakeSlack(boost::asio::io_context& io, const TestPki& pki);
  ~FakeSlack();
  FakeSlack(const FakeSlack&) = delete;
  FakeSlack& operator=(const FakeSlack&) = delete;

  unsigned short port() const;
  std::string api_url() const;  // https://localhost:<port>/api/

  // --- Web API ---------------------------------------------------------------------------
  // A message already in a channel (for conversations.history / replies).
  void seed_message(const std::string& channel, const std::string& ts, const std::string& user,
                    const std::string& text, const std::string& thread_ts = {});
  // The next `count` calls of `method` answer HTTP `status` (429 with Retry-After seconds).
  void fail_next(const std::string& method, int status, int retry_after_s = 0, int count = 1);
  // The next `count` calls of `method` answer {"ok":false,"error":error}.
  void error_next(const std::string& method, const std::string& error, int count = 1);
  // The next `count` calls of `method` are recorded at once but answered only after `delay`
  // (a slow Slack: replies still in flight when the bot is told to stop).
  void delay_next(const std::string& method, std::chrono::milliseconds delay, int count = 1);
  void set_user_name(const std::string& user, const std::string& real_name);
  // The members of a channel (conversations.members answers two per page, with a cursor).
  void set_members(const std::string& channel, std::vector<std::string> users);
  std::vector<ApiCall> calls(const std::string& method = {}) const;
  // TLS connections that carried Web API requests, and closing the idle ones (as a server's
  // keep-alive timeout does).
  int http_connections() const;
  void close_http_connections();
  // Files shared in channels (the external upload flow), in order.
  std::vector<SharedFile> files() const;
  // Channels created by the bot (or added), in order.
  std::vector<FakeChannel> channels() const;
  void add_channel(FakeChannel channel);
  // Messages posted by the bot (chat.postMessage / postEphemeral), in order.
  std::vector<StoredMessage> posted(const std::string& channel = {}) const;

  // --- Socket Mode -----------------------------------------------------------------------
  void next_connection(ConnectionMode mode);
  // How late a slow_pongs connection answers (default 200 ms).
  void set_slow_pong_delay(std::chrono::milliseconds delay);
  const std::vector<SocketInfo>& sockets() const;
  int open_sockets() const;
  // The newest open connection's id (0: none).
  int current() const;
  // Sends on `connection` (0: the newest open one).
  void send(const nlohmann::json& frame, int connection = 0);
  void send_text(const std::string& text, int connection = 0);
  void send_binary(const std::string& data, int connection = 0);
  // A disconnect frame, then a close frame (1001) after `close_after`.
  void disconnect(const std::string& reason, int connection = 0,
                  std::chrono::milliseconds close_after = std::chrono::milliseconds{50});
  // Drops TCP, no close frame.
  void drop(int connection = 0);
  // A close frame (1001) without a disconnect message first.
  void close(int connection = 0);
  const std::vector<ReceivedAck>& acks() const;
  // Called for every ack as it arrives.
  std::function<void(const ReceivedAck&)> on_ack;
  // Upgrade attempts with a ticket that was used before or never issued.
  int rejected_tickets() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace incident::testing
