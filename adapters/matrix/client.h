// The client-server API calls the bot makes, over an injected HttpsClient (spec v1.19,
// "Client-Server API"). Every request carries `Authorization: Bearer` (the query-string token is
// being removed, MSC4127), path segments are percent-encoded (ids contain `!$@:#`), and every
// POST/PUT has a JSON object body. One retry policy for all calls (our protocol notes §5.3): a
// 429 waits for Retry-After / retry_after_ms plus jitter, 5xx and transport failures back off
// exponentially with jitter, other 4xx are not retried; a call gives up after its `patience`.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "adapters/matrix/protocol.h"
#include "adapters/net/backoff.h"
#include "adapters/net/https_client.h"

namespace incident::ops {
class Metrics;
}

namespace incident::matrix {

template <class T>
using Result = boost::system::result<T, MatrixError>;

// For boost::system::result<T, MatrixError>::value(), which throws on an error.
[[noreturn]] void throw_exception_from_error(const MatrixError& e, const boost::source_location&);

struct ClientOptions {
  std::string access_token;
  std::string base_path;  // the homeserver URL's path, usually empty
  net::Backoff::Policy retry{std::chrono::milliseconds{1000}, std::chrono::milliseconds{60000}};
  std::chrono::milliseconds request_timeout{30000};
  ops::Metrics* metrics = nullptr;  // calls, errors, 429s per endpoint family; null: not counted
};

struct SyncRequest {
  std::string filter_id;
  std::string since;  // empty: an initial sync
  std::chrono::milliseconds timeout{0};
  bool full_state = false;
};

class Client {
 public:
  using Patience = std::chrono::steady_clock::duration;
  static constexpr Patience kOnce = Patience::zero();  // one attempt, no retry
  static constexpr Patience kForever = Patience::max();

  Client(boost::asio::any_io_executor executor, net::HttpsClient& http, ClientOptions options);

  // Ends every retry wait at once; later calls fail with operation_aborted.
  void stop();

  // GET /_matrix/client/versions: the server speaks the client-server API.
  boost::asio::awaitable<Result<std::string>> versions(Patience patience);
  // GET /account/whoami: the token's user id.
  boost::asio::awaitable<Result<std::string>> whoami(Patience patience);
  // POST /user/{userId}/filter: the new filter's id.
  boost::asio::awaitable<Result<std::string>> upload_filter(std::string user, std::string filter,
                                                            Patience patience);
  // GET /sync, long-polling for `request.timeout`; the HTTP timeout is `read_timeout`.
  boost::asio::awaitable<Result<SyncResponse>> sync(SyncRequest request,
                                                    std::chrono::milliseconds read_timeout);
  // GET /rooms/{roomId}/messages?dir=b (spec "Pagination"), from `from` back to `to`.
  boost::asio::awaitable<Result<MessagesPage>> messages_back(std::string room, std::string from,
                                                             std::string to, int limit,
                                                             Patience patience);
  // GET /rooms/{roomId}/event/{eventId}.
  boost::asio::awaitable<Result<RoomEvent>> event(std::string room, std::string event_id,
                                                  Patience patience);
  // PUT /rooms/{roomId}/send/{eventType}/{txnId}: the event id. `content` is a JSON object.
  boost::asio::awaitable<Result<std::string>> send(std::string room, std::string type,
                                                   std::string txn_id, std::string content,
                                                   Patience patience);
  // POST /_matrix/media/v3/upload (spec "Content repository"): the mxc:// URI of the bytes.
  boost::asio::awaitable<Result<std::string>> upload(std::string filename, std::string mime,
                                                     std::string content, Patience patience);
  // POST /rooms/{roomId}/join and /rooms/{roomId}/leave (spec "Room membership").
  boost::asio::awaitable<Result<void>> join(std::string room, Patience patience);
  boost::asio::awaitable<Result<void>> leave(std::string room, Patience patience);
  // POST /createRoom for a DM: trusted_private_chat, is_direct, `user` invited. The room id.
  boost::asio::awaitable<Result<std::string>> create_dm(std::string user, Patience patience);
  // POST /createRoom for an incident's own room (`start … new`): invite-only when private
  // (preset private_chat), else joinable by anyone on the server (public_chat); never in the
  // public directory. `alias` is its local alias: a create repeated after a crash then answers
  // M_ROOM_IN_USE rather than making a second room. The room id.
  boost::asio::awaitable<Result<std::string>> create_room(std::string alias, std::string name,
                                                          std::string topic,
                                                          std::vector<std::string> invite,
                                                          bool is_private, Patience patience);
  // GET /directory/room/{roomAlias}: the room id.
  boost::asio::awaitable<Result<std::string>> resolve_alias(std::string alias, Patience patience);
  // GET and PUT /rooms/{roomId}/state/{eventType}/ (the empty state key): a state event's content.
  boost::asio::awaitable<Result<std::string>> state(std::string room, std::string type,
                                                    Patience patience);
  boost::asio::awaitable<Result<void>> set_state(std::string room, std::string type,
                                                 std::string content, Patience patience);
  // GET /rooms/{room}/joined_members: whether `user` is joined to `room` now.
  boost::asio::awaitable<Result<bool>> is_joined(std::string room, std::string user,
                                                 Patience patience);
  // GET /user/{userId}/account_data/{type}: the content, nullopt when not set (404).
  boost::asio::awaitable<Result<std::optional<std::string>>> account_data(std::string user,
                                                                          std::string type,
                                                                          Patience patience);
  // PUT /user/{userId}/account_data/{type}.
  boost::asio::awaitable<Result<void>> set_account_data(std::string user, std::string type,
                                                        std::string content, Patience patience);

 private:
  struct Call {
    std::string method;
    std::string path;  // after /_matrix/client, with its query
    std::string body;  // JSON, for POST and PUT
    std::chrono::milliseconds timeout{0};
    std::string api = "/_matrix/client";  // the media repository is under /_matrix/media
    std::string content_type = "application/json";
  };
  // The answer's body, or the error once retrying is over.
  boost::asio::awaitable<Result<std::string>> call(Call call, Patience patience);
  std::chrono::milliseconds jitter(std::chrono::milliseconds delay);

  boost::asio::any_io_executor executor_;
  net::HttpsClient& http_;
  ClientOptions options_;
  std::mt19937_64 random_;
  std::set<boost::asio::steady_timer*> waits_;  // retry waits in progress: stop() ends them
  bool stopped_ = false;
};

// A path segment: a room, event or user id, or an event type (spec "API Standards").
std::string segment(std::string_view id);

// The endpoint family of a request path after /_matrix/client ("/v3/rooms/!a:b/send/…" →
// "send"), for metric labels: ids never leave through it. "other" for a path not listed.
std::string endpoint_family(std::string_view path);

}  // namespace incident::matrix
