#include "matrix/fake_homeserver.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "adapters/net/timer.h"
#include "matrix/fake_homeserver_impl.h"
#include "support/form.h"

namespace incident::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;
using nlohmann::json;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::int64_t kEpochMs = 1795960800000;  // 2026-11-29 14:00 UTC
constexpr std::size_t kMaxEventBytes = 65536;     // spec "Size limits"

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    const auto end = path.find('/');
    // Segments are decoded one by one: an encoded '/' stays inside its segment.
    out.push_back(percent_decode(path.substr(0, end), false));
    path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
  }
  return out;
}

std::string route_name(const std::vector<std::string>& s) {
  if (s.size() == 1 && s[0] == "versions") return "versions";
  if (s == std::vector<std::string>{"_matrix", "media", "v3", "upload"}) return "upload";
  if (s.size() < 2 || s[0] != "v3") return "unknown";
  if (s[1] == "account" && s.size() == 3 && s[2] == "whoami") return "whoami";
  if (s[1] == "sync" && s.size() == 2) return "sync";
  if (s[1] == "createRoom" && s.size() == 2) return "createRoom";
  if (s[1] == "directory" && s.size() == 4 && s[2] == "room") return "directory";
  if (s[1] == "user" && s.size() >= 4 && s[3] == "filter") return "filter";
  if (s[1] == "user" && s.size() == 5 && s[3] == "account_data") return "account_data";
  if (s[1] == "rooms" && s.size() >= 4) {
    if (s[3] == "send" && s.size() == 6) return "send";
    if ((s[3] == "join" || s[3] == "leave" || s[3] == "messages") && s.size() == 4) return s[3];
    if (s[3] == "event" && s.size() == 5) return "event";
    // The empty state key: ".../state/m.room.topic/" ends in an empty segment.
    if (s[3] == "state" && s.size() == 6 && s[5].empty()) return "state";
    if (s[3] == "joined_members" && s.size() == 4) return "joined_members";
  }
  return "unknown";
}

}  // namespace

FakeAnswer matrix_error(int status, const std::string& errcode, const std::string& error) {
  FakeAnswer a;
  a.status = status;
  a.body = {{"errcode", errcode}, {"error", error}};
  return a;
}

std::optional<std::int64_t> parse_token(const std::string& token) {
  if (token.size() < 2 || (token[0] != 's' && token[0] != 't')) return std::nullopt;
  try {
    return std::stoll(token.substr(1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

FakeHomeserver::Impl::Impl(asio::io_context& io, const TestPki& pki)
    : io(io),
      tls(ssl::context::tls_server),
      acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}),
      changed(io.get_executor()) {
  tls.use_certificate_chain(asio::buffer(pki.cert_pem));
  tls.use_private_key(asio::buffer(pki.key_pem), ssl::context::pem);
}

std::string FakeHomeserver::Impl::add_event(const std::string& room, const std::string& sender,
                                            const std::string& type, json content,
                                            std::optional<std::string> state_key,
                                            const std::string& txn_id) {
  const std::string id = "$ev" + std::to_string(++next_id) + "-fake";
  ++pos;
  json event{{"event_id", id},           {"type", type},
             {"sender", sender},         {"room_id", room},
             {"content", content},       {"origin_server_ts", kEpochMs + pos * 1000},
             {"unsigned", {{"age", 10}}}};
  if (state_key) event["state_key"] = *state_key;
  events.push_back({pos, room, event, txn_id});
  FakeRoom& r = rooms[room];
  if (state_key) {
    r.state[type + "\n" + *state_key] = events.size() - 1;
    if (type == "m.room.member") r.members[*state_key] = content.value("membership", "");
  }
  changed.notify();
  return id;
}

std::string FakeHomeserver::Impl::new_room(const std::string& creator) {
  const std::string room = "!room" + std::to_string(++next_id) + ":localhost";
  rooms[room];
  add_event(room, creator, "m.room.create", {{"room_version", "11"}, {"creator", creator}}, "");
  add_event(room, creator, "m.room.member", {{"membership", "join"}}, creator);
  return room;
}

const json* FakeHomeserver::Impl::find_event(const std::string& room,
                                             const std::string& event_id) const {
  for (const auto& e : events) {
    if (e.room == room && e.event.value("event_id", "") == event_id) return &e.event;
  }
  return nullptr;
}

awaitable<FakeAnswer> FakeHomeserver::Impl::answer(FakeRequest request) {
  using namespace asio::experimental::awaitable_operators;
  const auto segments = split_path(request.path);
  request.route = route_name(segments);
  requests.push_back(request);
  if (request.route != "versions") {
    if (request.authorization.empty())
      co_return matrix_error(401, "M_MISSING_TOKEN", "Missing access token");
    if (request.authorization != std::string("Bearer ") + kMatrixToken || revoked) {
      FakeAnswer a = matrix_error(401, "M_UNKNOWN_TOKEN", "Unrecognised access token.");
      if (soft_logout) a.body["soft_logout"] = true;
      co_return a;
    }
  }
  if (auto& queue = failures[request.route]; !queue.empty()) {
    const FakeFailure f = queue.front();
    queue.pop_front();
    FakeAnswer a;
    a.status = f.status;
    if (f.errcode.empty()) {
      a.raw = "<html><body><h1>" + std::to_string(f.status) + " Bad Gateway</h1></body></html>";
    } else {
      a.body = {{"errcode", f.errcode}, {"error", "injected"}};
      if (f.retry_after_ms) a.body["retry_after_ms"] = *f.retry_after_ms;
      if (f.soft_logout) a.body["soft_logout"] = true;
    }
    a.retry_after = f.retry_after;
    co_return a;
  }
  if (request.route != "sync") {
    FakeAnswer a = route(request, segments);
    a.drop = drops.erase(request.route) > 0;
    co_return a;
  }

  // GET /sync: long-poll until something is new or `timeout` ms passed (the default is 0).
  std::optional<std::int64_t> since;
  if (request.query.count("since")) {
    since = parse_token(request.query["since"]);
    if (!since || *since < forgotten_below) {
      co_return matrix_error(400, "M_UNKNOWN", "Unknown since token");
    }
  }
  const std::string filter_id = request.query["filter"];
  json filter = json::object();
  if (!filter_id.empty() && filter_id.front() == '{') {
    filter = json::parse(filter_id, nullptr, false);
  } else if (!filter_id.empty()) {
    auto it = filters.find(filter_id);
    if (it == filters.end()) co_return matrix_error(400, "M_INVALID_PARAM", "Unknown filter");
    filter = it->second;
  }
  const bool full_state = request.query["full_state"] == "true";
  const long timeout = request.query.count("timeout") ? std::stol(request.query["timeout"]) : 0;
  if (stall) {
    const auto delay = *stall;
    stall.reset();
    co_await net::sleep_for(delay);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout);
  bool waited = false;
  while (true) {
    auto [body, fresh] = sync_body(since, filter, full_state);
    const auto now = std::chrono::steady_clock::now();
    if (fresh || full_state || !since || now >= deadline) {
      FakeAnswer a;
      a.body = std::move(body);
      a.drop = drops.erase("sync") > 0;
      co_return a;
    }
    if (!waited) ++long_polls;
    waited = true;
    co_await (net::sleep_for(deadline - now) || changed.wait());
  }
}

// Spec "Threading": a thread root must exist and must not itself have a relation.
bool FakeHomeserver::Impl::threadable(const std::string& room, const json& content) const {
  if (!content.contains("m.relates_to")) return true;
  const json& rel = content["m.relates_to"];
  if (!rel.is_object() || rel.value("rel_type", "") != "m.thread") return true;
  const json* root = find_event(room, rel.value("event_id", ""));
  return root && !(root->at("content").contains("m.relates_to") &&
                   root->at("content")["m.relates_to"].contains("rel_type"));
}

FakeAnswer FakeHomeserver::Impl::route(const FakeRequest& r, const std::vector<std::string>& s) {
  const std::string& m = r.method;
  auto method_is = [&](const char* expected) { return m == expected; };
  if (r.route == "versions") {
    if (!method_is("GET")) return matrix_error(405, "M_UNRECOGNIZED", "Method not allowed");
    FakeAnswer a;
    a.body = {{"versions", {"v1.11", "v1.12"}}, {"unstable_features", json::object()}};
    return a;
  }
  if (r.route == "upload" && method_is("POST")) {
    // Spec "Content repository": the bytes as sent, their Content-Type, an optional filename.
    const std::string uri = "mxc://localhost/media" + std::to_string(media.size() + 1);
    const auto name = r.query.find("filename");
    media[uri] =
        FakeMedia{r.content_type, name == r.query.end() ? std::string{} : name->second, r.raw_body};
    FakeAnswer a;
    a.body = {{"content_uri", uri}};
    return a;
  }
  if (r.route == "whoami" && method_is("GET")) {
    FakeAnswer a;
    a.body = {{"user_id", kMatrixBot}, {"device_id", "FAKEDEVICE"}};
    return a;
  }
  if (r.route == "filter") {
    if (s[2] != kMatrixBot)
      return matrix_error(403, "M_FORBIDDEN", "Cannot create filters for other users");
    if (method_is("POST") && s.size() == 4) {
      if (!r.body.is_object()) return matrix_error(400, "M_NOT_JSON", "Content not JSON.");
      const std::string id = std::to_string(filters.size() + 1);  // never starts with '{'
      filters[id] = r.body;
      FakeAnswer a;
      a.body = {{"filter_id", id}};
      return a;
    }
    if (method_is("GET") && s.size() == 5) {
      auto it = filters.find(s[4]);
      if (it == filters.end()) return matrix_error(404, "M_NOT_FOUND", "No such filter");
      FakeAnswer a;
      a.body = it->second;
      return a;
    }
    return matrix_error(405, "M_UNRECOGNIZED", "Method not allowed");
  }
  if (r.route == "account_data") {
    if (s[2] != kMatrixBot) return matrix_error(403, "M_FORBIDDEN", "Not your account data");
    const std::string key = s[2] + "\n" + s[4];
    if (method_is("GET")) {
      auto it = account.find(key);
      if (it == account.end()) return matrix_error(404, "M_NOT_FOUND", "Account data not found");
      FakeAnswer a;
      a.body = it->second.second;
      return a;
    }
    if (method_is("PUT")) {
      if (!r.body.is_object()) return matrix_error(400, "M_NOT_JSON", "Content not JSON.");
      account[key] = {++pos, r.body};
      changed.notify();
      return FakeAnswer{};
    }
    return matrix_error(405, "M_UNRECOGNIZED", "Method not allowed");
  }
  if (r.route == "directory" && method_is("GET")) {
    auto it = aliases.find(s[3]);
    if (it == aliases.end()) return matrix_error(404, "M_NOT_FOUND", "Room alias not found.");
    FakeAnswer a;
    a.body = {{"room_id", it->second}, {"servers", {"localhost"}}};
    return a;
  }
  if (r.route == "createRoom" && method_is("POST")) {
    const std::string alias_name = r.body.value("room_alias_name", "");
    const std::string alias = "#" + alias_name + ":localhost";
    if (!alias_name.empty() && aliases.count(alias)) {
      return matrix_error(400, "M_ROOM_IN_USE", "Room alias already taken");
    }
    const std::string room = new_room(kMatrixBot);
    if (!alias_name.empty()) aliases[alias] = room;
    add_event(room, kMatrixBot, "m.room.power_levels",
              {{"users", {{kMatrixBot, 100}}}, {"events_default", 0}, {"state_default", 50}}, "");
    if (r.body.value("preset", "") == "public_chat") {
      add_event(room, kMatrixBot, "m.room.join_rules", {{"join_rule", "public"}}, "");
    } else if (r.body.value("preset", "") == "private_chat") {
      add_event(room, kMatrixBot, "m.room.join_rules", {{"join_rule", "invite"}}, "");
    }
    for (const char* type : {"name", "topic"}) {
      if (r.body.contains(type)) {
        add_event(room, kMatrixBot, std::string("m.room.") + type, {{type, r.body[type]}}, "");
      }
    }
    created.push_back(room);
    const bool direct = r.body.value("is_direct", false);
    if (r.body.value("preset", "") == "trusted_private_chat") {
      add_event(room, kMatrixBot, "m.room.join_rules", {{"join_rule", "invite"}}, "");
    }
    for (const auto& user : r.body.value("invite", json::array())) {
      json content{{"membership", "invite"}};
      if (direct) content["is_direct"] = true;
      add_event(room, kMatrixBot, "m.room.member", content, user.get<std::string>());
    }
    FakeAnswer a;
    a.body = {{"room_id", room}};
    return a;
  }
  if (s.size() >= 3 && s[1] == "rooms" && rooms.count(s[2]) == 0 && r.route != "unknown") {
    return matrix_error(404, "M_NOT_FOUND", "Unknown room");
  }
  const std::string room = s.size() >= 3 ? s[2] : std::string{};
  const std::string bot_membership = rooms.count(room) ? rooms[room].members[kMatrixBot] : "";
  if (r.route == "state") {
    if (bot_membership != "join") return matrix_error(403, "M_FORBIDDEN", "Not in room");
    if (method_is("PUT")) {
      if (!r.body.is_object()) return matrix_error(400, "M_NOT_JSON", "Content not JSON.");
      FakeAnswer a;
      a.body = {{"event_id", add_event(room, kMatrixBot, s[4], r.body, "")}};
      return a;
    }
    auto it = rooms[room].state.find(s[4] + "\n");
    if (it == rooms[room].state.end()) return matrix_error(404, "M_NOT_FOUND", "No such state");
    FakeAnswer a;
    a.body = events[it->second].event["content"];
    return a;
  }
  if (r.route == "joined_members" && method_is("GET")) {
    if (bot_membership != "join") return matrix_error(403, "M_FORBIDDEN", "Not in room");
    json joined = json::object();
    for (const auto& [user, membership] : rooms[room].members) {
      if (membership == "join") joined[user] = json::object();
    }
    FakeAnswer a;
    a.body = {{"joined", joined}};
    return a;
  }
  if (r.route == "join" && method_is("POST")) {
    if (bot_membership != "invite" && bot_membership != "join") {
      return matrix_error(403, "M_FORBIDDEN", "You are not invited to this room.");
    }
    add_event(room, kMatrixBot, "m.room.member", {{"membership", "join"}}, kMatrixBot);
    FakeAnswer a;
    a.body = {{"room_id", room}};
    return a;
  }
  if (r.route == "leave" && method_is("POST")) {
    if (bot_membership == "invite" || bot_membership == "join") {
      add_event(room, kMatrixBot, "m.room.member", {{"membership", "leave"}}, kMatrixBot);
    }
    return FakeAnswer{};
  }
  if (r.route == "send" && method_is("PUT")) {
    // Spec "Transaction identifiers": the same txnId on the same path (per device) is the same
    // request, answered like the first time; nothing new is created.
    const std::string txn_key = r.authorization + "\n" + r.path;
    if (auto it = txns.find(txn_key); it != txns.end()) return it->second;
    FakeAnswer a;
    if (bot_membership != "join") {
      a = matrix_error(403, "M_FORBIDDEN",
                       "User " + std::string(kMatrixBot) + " not in room " + room);
    } else if (!r.body.is_object()) {
      a = matrix_error(400, "M_NOT_JSON", "Content not JSON.");
    } else if (r.body.dump().size() > kMaxEventBytes) {
      a = matrix_error(413, "M_TOO_LARGE", "event too large");
    } else if (!threadable(room, r.body)) {
      a = matrix_error(400, "M_UNKNOWN", "Cannot start threads from an event with a relation");
    } else {
      a.body = {{"event_id", add_event(room, kMatrixBot, s[4], r.body, std::nullopt, s[5])}};
    }
    txns[txn_key] = a;
    return a;
  }
  if (r.route == "messages" && method_is("GET")) {
    if (bot_membership != "join") return matrix_error(403, "M_FORBIDDEN", "Not in room");
    return messages(room, r);
  }
  if (r.route == "event" && method_is("GET")) {
    if (bot_membership != "join") return matrix_error(403, "M_FORBIDDEN", "Not in room");
    for (const auto& e : events) {
      if (e.room == room && e.event.value("event_id", "") == s[4]) {
        FakeAnswer a;
        a.body = event_with_edits(e);
        return a;
      }
    }
    return matrix_error(404, "M_NOT_FOUND", "Event not found.");
  }
  if (r.route == "unknown") return matrix_error(404, "M_UNRECOGNIZED", "Unrecognized request");
  return matrix_error(405, "M_UNRECOGNIZED", "Method not allowed");
}

awaitable<void> FakeHomeserver::Impl::serve(std::shared_ptr<Impl> self, tcp::socket socket) {
  using namespace asio::experimental::awaitable_operators;
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), self->tls);
  auto* raw = &beast::get_lowest_layer(stream).socket();
  self->open_sockets.insert(raw);
  auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  beast::flat_buffer buffer;
  while (!handshake_ec) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    auto [read_ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (read_ec) break;
    auto request = parser.release();
    const std::string target(request.target());
    const auto q = target.find('?');
    const std::string path = target.substr(0, q);
    FakeRequest r;
    r.method = std::string(request.method_string());
    r.path = path.rfind("/_matrix/client", 0) == 0 ? path.substr(15) : path;
    r.query = q == std::string::npos ? std::map<std::string, std::string>{}
                                     : parse_form(std::string_view(target).substr(q + 1));
    r.body = request.body().empty() ? json() : json::parse(request.body(), nullptr, false);
    r.authorization = std::string(request[http::field::authorization]);
    r.raw_body = request.body();
    r.content_type = std::string(request[http::field::content_type]);
    // Only one /sync per account at a time is sound (design notes: to-device messages and
    // next_batch race): a second one while another is answered is counted. A client that goes
    // away mid-long-poll (killed) ends its /sync, as a server does on a closed connection.
    const bool syncing = r.path.ends_with("/sync");
    std::optional<FakeAnswer> answered;
    if (syncing) {
      if (++self->syncs_in_flight > 1) ++self->overlapping_syncs;
      auto done = co_await (self->answer(std::move(r)) ||
                            raw->async_wait(tcp::socket::wait_read, use_tuple));
      --self->syncs_in_flight;
      if (done.index() == 0) answered = std::get<0>(std::move(done));
    } else {
      answered = co_await self->answer(std::move(r));
    }
    if (!answered || answered->drop) break;
    FakeAnswer& a = *answered;
    http::response<http::string_body> response{static_cast<http::status>(a.status), 11};
    response.set(http::field::content_type, a.raw.empty() ? "application/json" : "text/html");
    if (!a.retry_after.empty()) response.set(http::field::retry_after, a.retry_after);
    response.keep_alive(request.keep_alive());
    response.body() = a.raw.empty() ? a.body.dump() : a.raw;
    response.prepare_payload();
    auto [write_ec, written] = co_await http::async_write(stream, response, use_tuple);
    if (write_ec || !response.keep_alive()) break;
  }
  self->open_sockets.erase(raw);
  boost::system::error_code ignored;
  beast::get_lowest_layer(stream).socket().close(ignored);
}

awaitable<void> FakeHomeserver::Impl::accept_loop(std::shared_ptr<Impl> self) {
  while (true) {
    auto [ec, socket] = co_await self->acceptor.async_accept(use_tuple);
    if (ec) co_return;
    asio::co_spawn(self->io, serve(self, std::move(socket)), asio::detached);
  }
}

FakeHomeserver::FakeHomeserver(asio::io_context& io, const TestPki& pki)
    : impl_(std::make_shared<Impl>(io, pki)) {
  asio::co_spawn(io, Impl::accept_loop(impl_), asio::detached);
}

FakeHomeserver::~FakeHomeserver() {
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto* socket : impl_->open_sockets) socket->close(ignored);
  impl_->changed.notify();
}

std::string FakeHomeserver::url() const {
  return "https://localhost:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

}  // namespace incident::testing
