// The fake homeserver's state, shared by its HTTP side (fake_homeserver.cpp) and its /sync and
// /messages logic (fake_homeserver_sync.cpp).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapters/net/signal.h"
#include "matrix/fake_homeserver.h"

namespace incident::testing {

struct StoredEvent {
  std::int64_t pos = 0;  // stream position; sync tokens are "s<pos>", pagination "t<pos>"
  std::string room;
  nlohmann::json event;  // with room_id
  std::string txn_id;    // set when the bot sent it: the remote echo carries it
};

struct FakeRoom {
  std::map<std::string, std::string> members;  // user -> membership
  std::map<std::string, std::size_t> state;    // "type\nstate_key" -> index into events
};

// An answer, or a dropped connection.
struct FakeAnswer {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::string raw;  // when set, sent as text/html instead of `body`
  std::string retry_after;
  bool drop = false;
};

struct FakeHomeserver::Impl {
  Impl(boost::asio::io_context& io, const TestPki& pki);

  boost::asio::io_context& io;
  boost::asio::ssl::context tls;
  boost::asio::ip::tcp::acceptor acceptor;
  std::set<boost::asio::ip::tcp::socket*> open_sockets;

  std::vector<StoredEvent> events;
  std::int64_t pos = 0;
  int next_id = 0;
  std::map<std::string, FakeRoom> rooms;
  std::map<std::string, std::pair<std::int64_t, nlohmann::json>> account;  // "user\ntype"
  std::map<std::string, nlohmann::json> filters;
  std::map<std::string, FakeAnswer> txns;  // token + path -> the first answer
  std::map<std::string, FakeMedia> media;  // mxc:// URI -> what was uploaded
  std::vector<std::string> created;
  std::map<std::string, std::string> aliases;  // "#name:localhost" -> room id
  std::vector<FakeRequest> requests;
  std::map<std::string, std::deque<FakeFailure>> failures;
  std::set<std::string> drops;
  std::int64_t forgotten_below = 0;
  std::optional<std::chrono::milliseconds> stall;
  bool revoked = false;
  bool soft_logout = false;
  int long_polls = 0;
  int syncs_in_flight = 0;
  int overlapping_syncs = 0;
  incident::net::Signal changed;

  // --- the world
  std::string add_event(const std::string& room, const std::string& sender, const std::string& type,
                        nlohmann::json content, std::optional<std::string> state_key,
                        const std::string& txn_id = {});
  std::string new_room(const std::string& creator);
  const nlohmann::json* find_event(const std::string& room, const std::string& event_id) const;
  bool threadable(const std::string& room, const nlohmann::json& content) const;

  // --- HTTP
  static boost::asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self);
  static boost::asio::awaitable<void> serve(std::shared_ptr<Impl> self,
                                            boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<FakeAnswer> answer(FakeRequest request);
  FakeAnswer route(const FakeRequest& request, const std::vector<std::string>& segments);

  // --- /sync and /messages (fake_homeserver_sync.cpp)
  // The sync body for `since` (nullopt: initial), and whether it carries anything new.
  std::pair<nlohmann::json, bool> sync_body(std::optional<std::int64_t> since,
                                            const nlohmann::json& filter, bool full_state) const;
  FakeAnswer messages(const std::string& room, const FakeRequest& request) const;
  nlohmann::json event_with_edits(const StoredEvent& stored) const;
};

FakeAnswer matrix_error(int status, const std::string& errcode, const std::string& error);
// "s12" / "t12" -> 12.
std::optional<std::int64_t> parse_token(const std::string& token);

}  // namespace incident::testing
