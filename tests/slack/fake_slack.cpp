#include "slack/fake_slack.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdio>
#include <deque>
#include <optional>
#include <set>

#include "adapters/net/signal.h"
#include "support/form.h"

namespace incident::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using asio::awaitable;
using nlohmann::json;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Strictly increasing "seconds.micros" per channel, like Slack's.
std::string make_ts(int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "1800000000.%06d", n);
  return buf;
}

struct Outgoing {
  enum class Kind { text, binary, close, drop } kind;
  std::string data;
};

}  // namespace

struct FakeSlack::Impl {
  using WsStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
  struct Socket {
    Socket(int n, beast::ssl_stream<beast::tcp_stream>&& stream, asio::any_io_executor ex)
        : id(n), ws(std::move(stream)), wake(ex) {}
    int id;
    WsStream ws;
    std::deque<Outgoing> outbox;
    incident::net::Signal wake;
    bool open = true;
  };
  struct Failure {
    int status = 0;
    int retry_after = 0;
    std::string error;
  };

  Impl(asio::io_context& io, const TestPki& pki)
      : io(io),
        tls(ssl::context::tls_server),
        acceptor(io, {asio::ip::make_address("127.0.0.1"), 0}) {
    tls.use_certificate_chain(asio::buffer(pki.cert_pem));
    tls.use_private_key(asio::buffer(pki.key_pem), ssl::context::pem);
  }

  asio::io_context& io;
  ssl::context tls;
  tcp::acceptor acceptor;
  FakeSlack* owner = nullptr;
  std::deque<ConnectionMode> modes;
  std::chrono::milliseconds slow_pong_delay{200};
  std::vector<SocketInfo> infos;
  std::vector<ReceivedAck> acks;
  std::map<int, std::shared_ptr<Socket>> sockets;
  std::set<std::string> tickets;  // issued, not used yet
  int next_ticket = 1;
  int rejected = 0;
  std::vector<ApiCall> calls;
  int http_connections = 0;
  std::set<beast::ssl_stream<beast::tcp_stream>*> http_streams;
  std::map<std::string, std::deque<Failure>> failures;
  std::map<std::string, std::deque<std::chrono::milliseconds>> delays;
  std::vector<StoredMessage> messages;
  std::map<std::string, int> ts_counter;
  std::map<std::string, std::string> names;
  std::map<std::string, std::vector<std::string>> members;
  std::vector<FakeChannel> channels;
  FakeChannel* channel(const std::string& id) {
    for (auto& c : channels) {
      if (c.id == id) return &c;
    }
    return nullptr;
  }
  // The upload flow: files.getUploadURLExternal announces a file (its name and length), its
  // upload URL receives the bytes, files.completeUploadExternal shares it.
  struct Upload {
    std::string filename;
    std::size_t length = 0;
    std::optional<std::string> content;
  };
  std::map<std::string, Upload> uploads;
  std::vector<SharedFile> shared_files;

  SocketInfo& info(int id) { return infos[static_cast<std::size_t>(id - 1)]; }

  int open_count() const {
    int n = 0;
    for (const auto& i : infos) n += i.open ? 1 : 0;
    return n;
  }

  Socket* find(int id) {
    if (id == 0) {
      for (auto it = infos.rbegin(); it != infos.rend(); ++it) {
        if (it->open) return sockets[it->id].get();
      }
      return nullptr;
    }
    auto it = sockets.find(id);
    return it == sockets.end() ? nullptr : it->second.get();
  }

  void push(int id, Outgoing out) {
    if (Socket* s = find(id)) {
      s->outbox.push_back(std::move(out));
      s->wake.notify();
    }
  }

  std::string post(const std::string& channel, const std::string& text,
                   const std::string& thread_ts, const std::string& metadata = {}) {
    const std::string ts = make_ts(++ts_counter[channel]);
    messages.push_back({channel, ts, kBotUser, text, thread_ts, false, {}, metadata});
    return ts;
  }

  json web_api(const std::string& method, const std::map<std::string, std::string>& f,
               const std::string& auth) {
    auto field = [&](const char* k) {
      auto it = f.find(k);
      return it == f.end() ? std::string{} : it->second;
    };
    if (method == "apps.connections.open") {
      if (auth != std::string("Bearer ") + kAppToken) {
        return {{"ok", false},
                {"error", auth == std::string("Bearer ") + kBotToken ? "not_allowed_token_type"
                                                                     : "invalid_auth"}};
      }
      const std::string ticket = std::to_string(next_ticket++);
      tickets.insert(ticket);
      return {{"ok", true},
              {"url", "wss://localhost:" + std::to_string(acceptor.local_endpoint().port()) +
                          "/link/?ticket=" + ticket + "&app_id=A1"}};
    }
    if (auth != std::string("Bearer ") + kBotToken)
      return {{"ok", false}, {"error", "invalid_auth"}};
    if (method == "auth.test") {
      return {{"ok", true},     {"user_id", kBotUser}, {"bot_id", kBotId},
              {"team", "Fake"}, {"team_id", "T1"},     {"url", "https://fake.slack.com/"}};
    }
    if (method == "chat.postMessage") {
      if (field("text").empty()) return {{"ok", false}, {"error", "no_text"}};
      if (const auto* c = channel(field("channel")); c && c->archived) {
        return {{"ok", false}, {"error", "is_archived"}};
      }
      const std::string ts =
          post(field("channel"), field("text"), field("thread_ts"), field("metadata"));
      return {{"ok", true}, {"channel", field("channel")}, {"ts", ts}};
    }
    if (method == "chat.postEphemeral") {
      const std::string ts = make_ts(++ts_counter[field("channel")]);
      messages.push_back({field("channel"), ts, kBotUser, field("text"), {}, true, field("user")});
      return {{"ok", true}, {"message_ts", ts}};
    }
    if (method == "conversations.open") {
      return {{"ok", true}, {"channel", {{"id", "D" + field("users")}}}};
    }
    if (method == "conversations.create") {
      // Slack's rules for a name: lowercase letters, digits, hyphens, underscores; 80 at most;
      // unique in the workspace, archived channels included.
      const std::string name = field("name");
      if (name.empty() || name.size() > 80 ||
          name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
        return {{"ok", false}, {"error", "invalid_name_specials"}};
      }
      for (const auto& c : channels) {
        if (c.name == name) return {{"ok", false}, {"error", "name_taken"}};
      }
      const bool is_private = field("is_private") == "true";
      const std::string id = (is_private ? "G" : "C") + std::to_string(900 + channels.size());
      channels.push_back({id, name, is_private, {}, false, {kBotUser}});
      return {{"ok", true}, {"channel", {{"id", id}, {"name", name}, {"is_private", is_private}}}};
    }
    if (method == "conversations.info") {
      // A channel the bot made or was given, else by its id: G… is a (legacy) private one.
      const std::string id = field("channel");
      const FakeChannel* c = channel(id);
      const bool is_private = c ? c->is_private : id.rfind('G', 0) == 0;
      return {{"ok", true},
              {"channel", {{"id", id}, {"name", c ? c->name : id}, {"is_private", is_private}}}};
    }
    if (method == "conversations.list") {
      const std::size_t from = field("cursor").empty() ? 0 : std::stoul(field("cursor"));
      json page = json::array();
      std::size_t i = from;
      for (; i < channels.size() && page.size() < 2; ++i) {  // two per page, with a cursor
        const FakeChannel& c = channels[i];
        if (c.archived && field("exclude_archived") == "true") continue;
        page.push_back({{"id", c.id},
                        {"name", c.name},
                        {"is_private", c.is_private},
                        {"is_archived", c.archived},
                        {"is_member", std::find(c.members.begin(), c.members.end(), kBotUser) !=
                                          c.members.end()}});
      }
      const std::string next = i < channels.size() ? std::to_string(i) : "";
      return {{"ok", true}, {"channels", page}, {"response_metadata", {{"next_cursor", next}}}};
    }
    if (method == "conversations.invite" || method == "conversations.setTopic" ||
        method == "conversations.archive") {
      FakeChannel* c = channel(field("channel"));
      if (c == nullptr) return {{"ok", false}, {"error", "channel_not_found"}};
      if (c->archived) {
        return {{"ok", false},
                {"error", method == "conversations.archive" ? "already_archived" : "is_archived"}};
      }
      if (method == "conversations.archive") {
        c->archived = true;
      } else if (method == "conversations.setTopic") {
        if (field("topic").size() > 250) return {{"ok", false}, {"error", "too_long"}};
        c->topic = field("topic");
      } else {
        std::string users = field("users") + ",";
        for (auto comma = users.find(','); comma != std::string::npos; comma = users.find(',')) {
          const std::string user = users.substr(0, comma);
          users.erase(0, comma + 1);
          if (!user.empty() &&
              std::find(c->members.begin(), c->members.end(), user) == c->members.end()) {
            c->members.push_back(user);
          }
        }
      }
      return {{"ok", true},
              {"channel", {{"id", c->id}, {"name", c->name}, {"topic", {{"value", c->topic}}}}}};
    }
    if (method == "conversations.members") {
      auto it = members.find(field("channel"));
      if (it == members.end()) return {{"ok", false}, {"error", "channel_not_found"}};
      const std::size_t from = field("cursor").empty() ? 0 : std::stoul(field("cursor"));
      json page = json::array();
      for (std::size_t i = from; i < it->second.size() && i < from + 2; ++i) {
        page.push_back(it->second[i]);
      }
      const std::string next = from + 2 < it->second.size() ? std::to_string(from + 2) : "";
      return {{"ok", true}, {"members", page}, {"response_metadata", {{"next_cursor", next}}}};
    }
    if (method == "files.getUploadURLExternal") {
      const std::string length = field("length");
      if (field("filename").empty() || length.empty() ||
          length.find_first_not_of("0123456789") != std::string::npos) {
        return {{"ok", false}, {"error", "invalid_arguments"}};
      }
      const std::string id = "F" + std::to_string(uploads.size() + 1);
      uploads[id] = Upload{field("filename"), std::stoul(length), std::nullopt};
      return {
          {"ok", true},
          {"upload_url", "https://localhost:" + std::to_string(acceptor.local_endpoint().port()) +
                             "/upload/v1/" + id},
          {"file_id", id}};
    }
    if (method == "files.completeUploadExternal") {
      const json files = json::parse(field("files"), nullptr, false);
      if (!files.is_array() || files.empty())
        return {{"ok", false}, {"error", "invalid_arguments"}};
      json answered = json::array();
      for (const auto& f : files) {
        const std::string id = f.value("id", std::string{});
        auto it = uploads.find(id);
        // Slack refuses to complete a file whose bytes never arrived.
        if (it == uploads.end() || !it->second.content) {
          return {{"ok", false}, {"error", "file_not_found"}};
        }
        const std::string title = f.value("title", it->second.filename);
        shared_files.push_back({id, field("channel_id"), it->second.filename, title,
                                *it->second.content, field("initial_comment")});
        if (!field("channel_id").empty()) post(field("channel_id"), field("initial_comment"), {});
        answered.push_back({{"id", id}, {"name", it->second.filename}, {"title", title}});
      }
      return {{"ok", true}, {"files", answered}};
    }
    if (method == "users.info") {
      auto it = names.find(field("user"));
      return {{"ok", true},
              {"user",
               {{"id", field("user")},
                {"real_name", it == names.end() ? "" : it->second},
                {"profile", {{"display_name", "dn-" + field("user")}}}}}};
    }
    if (method == "conversations.history" || method == "conversations.replies") {
      return read_messages(method, field("channel"), field("ts"), field("latest"), field("oldest"),
                           field("limit"), field("include_all_metadata") == "true");
    }
    return {{"ok", false}, {"error", "unknown_method"}};
  }

  json read_messages(const std::string& method, const std::string& channel, const std::string& ts,
                     const std::string& latest, const std::string& oldest,
                     const std::string& limit_text, bool with_metadata) {
    const std::size_t limit = limit_text.empty() ? 100 : std::stoul(limit_text);
    json list = json::array();
    auto as_json = [with_metadata](const StoredMessage& m) {
      json j{{"type", "message"}, {"ts", m.ts}, {"user", m.user}, {"text", m.text}};
      if (!m.thread_ts.empty()) j["thread_ts"] = m.thread_ts;
      if (with_metadata && !m.metadata.empty()) {
        j["metadata"] = json::parse(m.metadata, nullptr, false);
      }
      return j;
    };
    if (method == "conversations.history") {  // top-level messages, newest first
      for (auto it = messages.rbegin(); it != messages.rend() && list.size() < limit; ++it) {
        const bool top = it->thread_ts.empty() || it->thread_ts == it->ts;
        if (it->channel == channel && top && !it->ephemeral &&
            (latest.empty() || it->ts <= latest) && it->ts >= oldest) {
          list.push_back(as_json(*it));
        }
      }
      return {{"ok", true}, {"messages", list}, {"has_more", false}};
    }
    std::string root;  // conversations.replies: the thread of `ts`, parent first
    for (const auto& m : messages) {
      if (m.channel == channel && m.ts == ts) root = m.thread_ts.empty() ? m.ts : m.thread_ts;
    }
    if (root.empty()) return {{"ok", false}, {"error", "thread_not_found"}};
    for (const auto& m : messages) {
      if (m.channel == channel && m.ts == root) list.push_back(as_json(m));
    }
    for (const auto& m : messages) {
      if (m.channel == channel && m.thread_ts == root && m.ts != root && m.ts >= oldest &&
          list.size() < limit + 1) {
        list.push_back(as_json(m));
      }
    }
    return {{"ok", true}, {"messages", list}, {"has_more", false}};
  }

  http::response<http::string_body> answer(const http::request<http::string_body>& request) {
    std::string target(request.target());
    const std::string method = target.rfind("/api/", 0) == 0 ? target.substr(5) : target;
    ApiCall call{method, std::string(request[http::field::authorization]),
                 parse_form(request.body()), FakeClock::now()};
    calls.push_back(call);
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::content_type, "application/json; charset=utf-8");
    response.keep_alive(request.keep_alive());
    if (target.rfind("/upload/v1/", 0) == 0) {  // an upload URL: the bytes, no token needed
      auto it = uploads.find(target.substr(11));
      response.set(http::field::content_type, "text/plain");
      if (it == uploads.end() || request.method() != http::verb::post ||
          request.body().size() != it->second.length) {
        response.result(http::status::bad_request);
        response.body() = "invalid upload";
      } else {
        it->second.content = request.body();
        response.body() = "OK - " + std::to_string(request.body().size());
      }
      response.prepare_payload();
      return response;
    }
    json body;
    if (auto& queue = failures[method]; !queue.empty()) {
      const Failure f = queue.front();
      queue.pop_front();
      if (f.status != 0) {
        response.result(static_cast<unsigned>(f.status));
        if (f.retry_after > 0)
          response.set(http::field::retry_after, std::to_string(f.retry_after));
        body = {{"ok", false}, {"error", f.status == 429 ? "ratelimited" : "internal_error"}};
      } else {
        body = {{"ok", false}, {"error", f.error}};
      }
    } else {
      body = web_api(method, call.fields, call.authorization);
    }
    response.body() = body.dump();
    response.prepare_payload();
    return response;
  }

  static awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
    while (true) {
      auto [ec, socket] = co_await self->acceptor.async_accept(use_tuple);
      if (ec) co_return;
      socket.set_option(tcp::no_delay(true));
      asio::co_spawn(self->io, serve(self, std::move(socket)), asio::detached);
    }
  }

  static awaitable<void> serve(std::shared_ptr<Impl> self, tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), self->tls);
    auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (handshake_ec) co_return;
    ++self->http_connections;
    beast::flat_buffer buffer;
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(16 * 1024 * 1024);
      self->http_streams.insert(&stream);  // idle: may be closed under the client's feet
      auto [read_ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
      self->http_streams.erase(&stream);
      if (read_ec) co_return;
      auto request = parser.release();
      if (websocket::is_upgrade(request)) {
        co_await upgrade(self, std::move(stream), std::move(request));
        co_return;
      }
      auto response = self->answer(request);
      if (auto& queue = self->delays[self->calls.back().method]; !queue.empty()) {
        asio::steady_timer slow(self->io, queue.front());
        queue.pop_front();
        co_await slow.async_wait(use_tuple);
      }
      auto [write_ec, written] = co_await http::async_write(stream, response, use_tuple);
      if (write_ec || !response.keep_alive()) co_return;
    }
  }

  static awaitable<void> upgrade(std::shared_ptr<Impl> self,
                                 beast::ssl_stream<beast::tcp_stream> stream,
                                 http::request<http::string_body> request) {
    const std::string target(request.target());
    const auto at = target.find("ticket=");
    const std::string ticket =
        at == std::string::npos ? "" : target.substr(at + 7, target.find('&', at) - at - 7);
    if (target.rfind("/link/", 0) != 0 || self->tickets.erase(ticket) == 0) {
      // A used or unknown ticket: refuse the upgrade (python-slack-sdk#1379).
      ++self->rejected;
      http::response<http::string_body> refused{http::status::unauthorized, request.version()};
      refused.keep_alive(false);
      refused.prepare_payload();
      co_await http::async_write(stream, refused, use_tuple);
      co_return;
    }
    const ConnectionMode mode = self->modes.empty() ? ConnectionMode::normal : self->modes.front();
    if (!self->modes.empty()) self->modes.pop_front();
    const int id = static_cast<int>(self->infos.size()) + 1;
    auto socket = std::make_shared<Socket>(id, std::move(stream), self->io.get_executor());
    socket->ws.set_option(websocket::stream_base::timeout{std::chrono::seconds(5),
                                                          websocket::stream_base::none(), false});
    socket->ws.read_message_max(64 * 1024 * 1024);
    auto [accept_ec] = co_await socket->ws.async_accept(request, use_tuple);
    if (accept_ec) co_return;
    self->infos.push_back({id, mode, true, false, 0, FakeClock::now(), {}});
    self->sockets[id] = socket;
    socket->ws.control_callback([raw = self.get(), id](websocket::frame_type kind, auto) {
      if (kind == websocket::frame_type::ping) ++raw->info(id).pings;
    });

    const int open = self->open_count();
    const json hello{
        {"type", "hello"},
        {"num_connections", open},
        {"debug_info", {{"host", "fake-slack"}, {"approximate_connection_time", 3600}}},
        {"connection_info", {{"app_id", "A1"}}}};
    switch (mode) {
      case ConnectionMode::normal:
      case ConnectionMode::silent:
      case ConnectionMode::slow_pongs:
        socket->outbox.push_back({Outgoing::Kind::text, hello.dump()});
        break;
      case ConnectionMode::no_hello:
        break;
      case ConnectionMode::too_many_websockets:
        socket->outbox.push_back({Outgoing::Kind::text, json{{"type", "disconnect"},
                                                             {"reason", "too_many_websockets"},
                                                             {"num_connections", open}}
                                                            .dump()});
        socket->outbox.push_back({Outgoing::Kind::close, {}});
        break;
      case ConnectionMode::link_disabled:
        socket->outbox.push_back(
            {Outgoing::Kind::text,
             json{{"type", "disconnect"}, {"reason", "link_disabled"}}.dump()});
        break;
    }
    asio::co_spawn(self->io, write_loop(self, socket), asio::detached);
    if (mode != ConnectionMode::silent) {
      co_await read_loop(self, socket,
                         mode == ConnectionMode::slow_pongs ? self->slow_pong_delay
                                                            : std::chrono::milliseconds::zero());
    }
  }

  static awaitable<void> write_loop(std::shared_ptr<Impl> self, std::shared_ptr<Socket> s) {
    while (s->open) {
      if (s->outbox.empty()) {
        co_await s->wake.wait();
        continue;
      }
      Outgoing out = std::move(s->outbox.front());
      s->outbox.pop_front();
      boost::system::error_code ec;
      switch (out.kind) {
        case Outgoing::Kind::text:
        case Outgoing::Kind::binary: {
          s->ws.text(out.kind == Outgoing::Kind::text);
          auto [e, n] = co_await s->ws.async_write(asio::buffer(out.data), use_tuple);
          ec = e;
          break;
        }
        case Outgoing::Kind::close: {
          auto [e] = co_await s->ws.async_close(websocket::close_code::going_away, use_tuple);
          ec = e ? e : asio::error::eof;
          break;
        }
        case Outgoing::Kind::drop:
          beast::get_lowest_layer(s->ws).close();
          ec = asio::error::eof;
          break;
      }
      if (ec) self->closed(*s, false);
    }
  }

  // Beast answers a ping while a read is in progress, so a pause before each read delays pongs.
  static awaitable<void> read_loop(std::shared_ptr<Impl> self, std::shared_ptr<Socket> s,
                                   std::chrono::milliseconds pause) {
    beast::flat_buffer buffer;
    asio::steady_timer timer(self->io);
    while (s->open) {
      if (pause > std::chrono::milliseconds::zero()) {
        timer.expires_after(pause);
        co_await timer.async_wait(use_tuple);
      }
      buffer.clear();
      auto [ec, n] = co_await s->ws.async_read(buffer, use_tuple);
      if (ec) {
        self->closed(*s, ec == websocket::error::closed);
        co_return;
      }
      json frame = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
      if (!frame.is_object() || !frame.contains("envelope_id")) continue;
      ReceivedAck ack{s->id, frame.value("envelope_id", ""),
                      frame.contains("payload") ? frame["payload"] : json(), FakeClock::now()};
      self->acks.push_back(ack);
      if (self->owner && self->owner->on_ack) self->owner->on_ack(ack);
    }
  }

  void closed(Socket& s, bool close_frame) {
    if (!s.open) return;
    s.open = false;
    s.wake.notify();
    SocketInfo& i = info(s.id);
    i.open = false;
    i.client_close_frame = close_frame;
    i.closed_at = FakeClock::now();
  }
};

FakeSlack::FakeSlack(asio::io_context& io, const TestPki& pki)
    : impl_(std::make_shared<Impl>(io, pki)) {
  impl_->owner = this;
  asio::co_spawn(io, Impl::accept_loop(impl_), asio::detached);
}

FakeSlack::~FakeSlack() {
  impl_->owner = nullptr;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto& [id, s] : impl_->sockets) {
    beast::get_lowest_layer(s->ws).close();
    impl_->closed(*s, false);
  }
}

unsigned short FakeSlack::port() const {
  return impl_->acceptor.local_endpoint().port();
}
std::string FakeSlack::api_url() const {
  return "https://localhost:" + std::to_string(port()) + "/api/";
}

void FakeSlack::seed_message(const std::string& channel, const std::string& ts,
                             const std::string& user, const std::string& text,
                             const std::string& thread_ts) {
  impl_->messages.push_back({channel, ts, user, text, thread_ts, false, {}});
}
void FakeSlack::fail_next(const std::string& method, int status, int retry_after_s, int count) {
  for (int i = 0; i < count; ++i) impl_->failures[method].push_back({status, retry_after_s, {}});
}
void FakeSlack::error_next(const std::string& method, const std::string& error, int count) {
  for (int i = 0; i < count; ++i) impl_->failures[method].push_back({0, 0, error});
}
void FakeSlack::delay_next(const std::string& method, std::chrono::milliseconds delay, int count) {
  for (int i = 0; i < count; ++i) impl_->delays[method].push_back(delay);
}
void FakeSlack::set_user_name(const std::string& user, const std::string& real_name) {
  impl_->names[user] = real_name;
}

void FakeSlack::set_members(const std::string& channel, std::vector<std::string> users) {
  impl_->members[channel] = std::move(users);
}

std::vector<ApiCall> FakeSlack::calls(const std::string& method) const {
  std::vector<ApiCall> out;
  for (const auto& c : impl_->calls) {
    if (method.empty() || c.method == method) out.push_back(c);
  }
  return out;
}

std::vector<SharedFile> FakeSlack::files() const {
  return impl_->shared_files;
}

std::vector<FakeChannel> FakeSlack::channels() const {
  return impl_->channels;
}

void FakeSlack::add_channel(FakeChannel channel) {
  impl_->channels.push_back(std::move(channel));
}

std::vector<StoredMessage> FakeSlack::posted(const std::string& channel) const {
  std::vector<StoredMessage> out;
  for (const auto& m : impl_->messages) {
    if (m.user == kBotUser && (channel.empty() || m.channel == channel)) out.push_back(m);
  }
  return out;
}

void FakeSlack::next_connection(ConnectionMode mode) {
  impl_->modes.push_back(mode);
}
void FakeSlack::set_slow_pong_delay(std::chrono::milliseconds delay) {
  impl_->slow_pong_delay = delay;
}
const std::vector<SocketInfo>& FakeSlack::sockets() const {
  return impl_->infos;
}
const std::vector<ReceivedAck>& FakeSlack::acks() const {
  return impl_->acks;
}
int FakeSlack::rejected_tickets() const {
  return impl_->rejected;
}
int FakeSlack::http_connections() const {
  return impl_->http_connections;
}

void FakeSlack::close_http_connections() {
  for (auto* stream : impl_->http_streams) beast::get_lowest_layer(*stream).close();
}

int FakeSlack::open_sockets() const {
  return impl_->open_count();
}

int FakeSlack::current() const {
  for (auto it = impl_->infos.rbegin(); it != impl_->infos.rend(); ++it) {
    if (it->open) return it->id;
  }
  return 0;
}

void FakeSlack::send(const json& frame, int connection) {
  send_text(frame.dump(), connection);
}
void FakeSlack::send_text(const std::string& text, int connection) {
  impl_->push(connection, {Outgoing::Kind::text, text});
}
void FakeSlack::send_binary(const std::string& data, int connection) {
  impl_->push(connection, {Outgoing::Kind::binary, data});
}
void FakeSlack::drop(int connection) {
  impl_->push(connection, {Outgoing::Kind::drop, {}});
}

void FakeSlack::close(int connection) {
  impl_->push(connection, {Outgoing::Kind::close, {}});
}

void FakeSlack::disconnect(const std::string& reason, int connection,
                           std::chrono::milliseconds close_after) {
  const int id = connection != 0 ? connection : current();
  send(json{{"type", "disconnect"}, {"reason", reason}, {"debug_info", {{"host", "fake-slack"}}}},
       id);
  auto timer = std::make_shared<asio::steady_timer>(impl_->io, close_after);
  timer->async_wait([impl = impl_, timer, id](boost::system::error_code ec) {
    if (!ec) impl->push(id, {Outgoing::Kind::close, {}});
  });
}

}  // namespace incident::testing
