#include "adapters/matrix/client.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "adapters/net/url.h"
#include "adapters/ops/series.h"

namespace incident::matrix {

using nlohmann::json;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;
using boost::asio::awaitable;

void throw_exception_from_error(const MatrixError& e, const boost::source_location&) {
  throw std::runtime_error("Matrix API error: " + e.describe());
}

std::string segment(std::string_view id) {
  return net::percent_encode(id);
}

std::string endpoint_family(std::string_view path) {
  path = path.substr(0, path.find('?'));
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const auto slash = path.find('/');
    if (slash != 0) parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (!parts.empty() && parts[0] == "v3") parts.erase(parts.begin());
  std::string_view family = parts.empty() ? std::string_view{} : parts[0];
  // /rooms/{roomId}/<what>/…, /user/{userId}/<what>/…, /account/<what>: the id is skipped.
  if ((family == "rooms" || family == "user") && parts.size() > 2) family = parts[2];
  if (family == "account" && parts.size() > 1) family = parts[1];
  return ops::closed(
      family, {"versions", "whoami", "filter", "sync", "messages", "event", "send", "join", "leave",
               "createRoom", "account_data", "upload", "directory", "state", "joined_members"});
}

namespace {

constexpr const char* kV3 = "/v3";

MatrixError unreadable(const char* what) {
  return MatrixError{MatrixError::Kind::response, 200, {}, what, std::nullopt, false};
}

}  // namespace

Client::Client(boost::asio::any_io_executor executor, net::HttpsClient& http, ClientOptions options)
    : executor_(std::move(executor)),
      http_(http),
      options_(std::move(options)),
      random_(std::random_device{}()) {
  while (!options_.base_path.empty() && options_.base_path.back() == '/') {
    options_.base_path.pop_back();
  }
}

void Client::stop() {
  stopped_ = true;
  for (auto* wait : waits_) wait->cancel();
}

milliseconds Client::jitter(milliseconds delay) {
  // Up to a tenth more, so that clients told the same Retry-After do not return together.
  const auto spread = std::max<long long>(delay.count() / 10, 1);
  return delay + milliseconds(std::uniform_int_distribution<long long>(0, spread)(random_));
}

awaitable<Result<std::string>> Client::call(Call c, Patience patience) {
  net::HttpRequest request;
  request.method = c.method;
  request.target = options_.base_path + c.api + c.path;
  request.headers = {{"Authorization", "Bearer " + options_.access_token}};
  if (c.method == "POST" || c.method == "PUT") {
    request.content_type = c.content_type;
    request.body = c.body.empty() && c.content_type == "application/json" ? "{}" : c.body;
  }
  request.timeout = c.timeout.count() > 0 ? c.timeout : options_.request_timeout;
  const std::string what = c.method + " " + c.path.substr(0, c.path.find('?'));
  const auto give_up_at =
      patience == kForever ? SteadyClock::time_point::max() : SteadyClock::now() + patience;
  net::Backoff backoff(options_.retry);
  while (true) {
    if (stopped_) {
      co_return MatrixError{
          MatrixError::Kind::transport,
          0,
          {},
          boost::asio::error::make_error_code(boost::asio::error::operation_aborted).message(),
          std::nullopt,
          false};
    }
    const ops::LabelValues labels{"matrix", endpoint_family(c.path)};
    ops::count(options_.metrics, ops::series::kApiCalls, labels);
    auto answer = co_await http_.request(request);
    MatrixError error;
    if (!answer) {
      error.kind = MatrixError::Kind::transport;
      error.error = answer.error().message();
    } else if (auto e = error_of(*answer)) {
      error = std::move(*e);
    } else {
      co_return std::move(answer->body);
    }
    if (!stopped_) {
      const bool limited = error.status == 429 || error.errcode == "M_LIMIT_EXCEEDED";
      ops::count(options_.metrics, limited ? ops::series::kApiRateLimited : ops::series::kApiErrors,
                 labels);
    }
    if (stopped_ || !error.transient()) co_return error;
    // A 429 waits as long as the server asks (Retry-After, else retry_after_ms: spec "Rate
    // limiting"); everything else transient backs off exponentially, so that a homeserver in
    // trouble is not hammered.
    const milliseconds delay = error.retry_after ? jitter(*error.retry_after) : backoff.next();
    if (give_up_at != SteadyClock::time_point::max() && SteadyClock::now() + delay >= give_up_at) {
      co_return error;
    }
    spdlog::warn("matrix: {} failed with {}; trying again in {} ms", what, error.describe(),
                 delay.count());
    boost::asio::steady_timer wait(executor_, delay);
    waits_.insert(&wait);
    co_await wait.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    waits_.erase(&wait);
  }
}

// g++ 12 destroys a braced temporary passed to a coroutine inside a co_await expression twice
// (GCC PR 99576), so every request is a named local first.

awaitable<Result<std::string>> Client::versions(Patience patience) {
  Call request{"GET", "/versions", {}, {}};
  co_return co_await call(std::move(request), patience);
}

awaitable<Result<std::string>> Client::whoami(Patience patience) {
  Call request{"GET", std::string(kV3) + "/account/whoami", {}, {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  auto user = string_field(*body, "user_id");
  if (!user || user->empty()) co_return unreadable("whoami without user_id");
  co_return *user;
}

awaitable<Result<std::string>> Client::upload_filter(std::string user, std::string filter,
                                                     Patience patience) {
  Call request{
      "POST", std::string(kV3) + "/user/" + segment(user) + "/filter", std::move(filter), {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  auto id = string_field(*body, "filter_id");
  if (!id || id->empty()) co_return unreadable("filter upload without filter_id");
  co_return *id;
}

awaitable<Result<SyncResponse>> Client::sync(SyncRequest r, milliseconds read_timeout) {
  std::string path = std::string(kV3) + "/sync?filter=" + net::percent_encode(r.filter_id) +
                     "&timeout=" + std::to_string(r.timeout.count()) +
                     // Polling would otherwise mark the bot online (spec "Presence").
                     "&set_presence=offline";
  if (!r.since.empty()) path += "&since=" + net::percent_encode(r.since);
  if (r.full_state) path += "&full_state=true";
  Call request{"GET", std::move(path), {}, read_timeout};
  auto body = co_await call(std::move(request), kOnce);
  if (!body) co_return body.error();
  auto sync = parse_sync(*body);
  if (!sync) co_return unreadable("sync without next_batch");
  co_return std::move(*sync);
}

awaitable<Result<MessagesPage>> Client::messages_back(std::string room, std::string from,
                                                      std::string to, int limit,
                                                      Patience patience) {
  std::string path = std::string(kV3) + "/rooms/" + segment(room) +
                     "/messages?dir=b&from=" + net::percent_encode(from) +
                     "&limit=" + std::to_string(limit) +
                     "&filter=" + net::percent_encode(room_event_filter_json());
  if (!to.empty()) path += "&to=" + net::percent_encode(to);
  Call request{"GET", std::move(path), {}, {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  auto page = parse_messages(*body);
  if (!page) co_return unreadable("messages without a chunk");
  co_return std::move(*page);
}

awaitable<Result<RoomEvent>> Client::event(std::string room, std::string event_id,
                                           Patience patience) {
  Call request{
      "GET", std::string(kV3) + "/rooms/" + segment(room) + "/event/" + segment(event_id), {}, {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  auto event = parse_event(*body);
  if (!event) co_return unreadable("an event that is not an object");
  co_return std::move(*event);
}

awaitable<Result<std::string>> Client::send(std::string room, std::string type, std::string txn_id,
                                            std::string content, Patience patience) {
  Call request{"PUT",
               std::string(kV3) + "/rooms/" + segment(room) + "/send/" + segment(type) + "/" +
                   segment(txn_id),
               std::move(content),
               {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  auto id = string_field(*body, "event_id");
  if (!id || id->empty()) co_return unreadable("send without event_id");
  ops::count(options_.metrics, ops::series::kMessagesSent, {"matrix"});
  co_return *id;
}

awaitable<Result<std::string>> Client::upload(std::string filename, std::string mime,
                                              std::string content, Patience patience) {
  Call request{"POST",
               std::string(kV3) + "/upload?filename=" + segment(filename),
               std::move(content),
               {},
               "/_matrix/media",
               std::move(mime)};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  auto uri = string_field(*body, "content_uri");
  if (!uri || uri->rfind("mxc://", 0) != 0) co_return unreadable("upload without content_uri");
  co_return *uri;
}

awaitable<Result<void>> Client::join(std::string room, Patience patience) {
  Call request{"POST", std::string(kV3) + "/rooms/" + segment(room) + "/join", "{}", {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  co_return Result<void>{};
}

awaitable<Result<void>> Client::leave(std::string room, Patience patience) {
  Call request{"POST", std::string(kV3) + "/rooms/" + segment(room) + "/leave", "{}", {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  co_return Result<void>{};
}

awaitable<Result<std::string>> Client::create_dm(std::string user, Patience patience) {
  // Spec "Direct Messaging": is_direct marks the invite; trusted_private_chat makes the room
  // invite-only with the invitee as powerful as the creator. No encryption: the bot cannot do
  // E2EE, and an encrypted DM would be one it cannot read.
  const json content{
      {"preset", "trusted_private_chat"}, {"is_direct", true}, {"invite", json::array({user})}};
  Call request{"POST", std::string(kV3) + "/createRoom", content.dump(), {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  auto id = string_field(*body, "room_id");
  if (!id || id->empty()) co_return unreadable("createRoom without room_id");
  co_return *id;
}

awaitable<Result<std::string>> Client::create_room(std::string alias, std::string name,
                                                   std::string topic,
                                                   std::vector<std::string> invite, bool is_private,
                                                   Patience patience) {
  const json content{{"preset", is_private ? "private_chat" : "public_chat"},
                     {"visibility", "private"},
                     {"room_alias_name", alias},
                     {"name", name},
                     {"topic", topic},
                     {"invite", invite}};
  Call request{"POST", std::string(kV3) + "/createRoom", content.dump(), {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  auto id = string_field(*body, "room_id");
  if (!id || id->empty()) co_return unreadable("createRoom without room_id");
  co_return *id;
}

awaitable<Result<std::string>> Client::resolve_alias(std::string alias, Patience patience) {
  Call request{"GET", std::string(kV3) + "/directory/room/" + segment(alias), {}, {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  auto id = string_field(*body, "room_id");
  if (!id || id->empty()) co_return unreadable("directory answer without room_id");
  co_return *id;
}

awaitable<Result<std::string>> Client::state(std::string room, std::string type,
                                             Patience patience) {
  Call request{"GET",
               std::string(kV3) + "/rooms/" + segment(room) + "/state/" + segment(type) + "/",
               {},
               {}};
  co_return co_await call(std::move(request), patience);
}

awaitable<Result<void>> Client::set_state(std::string room, std::string type, std::string content,
                                          Patience patience) {
  Call request{"PUT",
               std::string(kV3) + "/rooms/" + segment(room) + "/state/" + segment(type) + "/",
               std::move(content),
               {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  co_return Result<void>{};
}

awaitable<Result<bool>> Client::is_joined(std::string room, std::string user, Patience patience) {
  Call request{"GET", std::string(kV3) + "/rooms/" + segment(room) + "/joined_members", {}, {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  const json doc = json::parse(*body, nullptr, false);
  if (!doc.is_object() || !doc.contains("joined") || !doc["joined"].is_object()) {
    co_return unreadable("joined_members without joined");
  }
  co_return doc["joined"].contains(user);
}

awaitable<Result<std::optional<std::string>>> Client::account_data(std::string user,
                                                                   std::string type,
                                                                   Patience patience) {
  Call request{"GET",
               std::string(kV3) + "/user/" + segment(user) + "/account_data/" + segment(type),
               {},
               {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) {
    if (body.error().errcode == "M_NOT_FOUND") co_return std::optional<std::string>{};
    co_return body.error();
  }
  co_return std::optional<std::string>(std::move(*body));
}

awaitable<Result<void>> Client::set_account_data(std::string user, std::string type,
                                                 std::string content, Patience patience) {
  Call request{"PUT",
               std::string(kV3) + "/user/" + segment(user) + "/account_data/" + segment(type),
               std::move(content),
               {}};
  auto body = co_await call(std::move(request), patience);
  if (!body) co_return body.error();
  co_return Result<void>{};
}

}  // namespace incident::matrix
