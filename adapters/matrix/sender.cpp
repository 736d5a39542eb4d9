#include "adapters/matrix/sender.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "adapters/matrix/replies.h"

namespace incident::matrix {

namespace asio = boost::asio;
using asio::awaitable;

Sender::Sender(asio::any_io_executor executor, Client& client, Store& store, Engine& engine,
               Rooms& rooms, SenderOptions options)
    : executor_(executor),
      client_(client),
      store_(store),
      engine_(engine),
      rooms_(rooms),
      options_(std::move(options)),
      wake_(executor),
      idle_signal_(executor),
      retry_timer_(executor) {}

void Sender::stop() {
  stopping_ = true;
  retry_timer_.cancel();
  wake_.notify();
}

void Sender::durable(std::string_view step) {
  if (options_.on_durable) options_.on_durable(step);
}

awaitable<std::optional<std::string>> Sender::run() {
  while (!stopping_) {
    std::vector<OutboxItem> items;
    try {
      items = store_.pending_requests(kPlatform);
    } catch (const std::exception& e) {
      spdlog::error("matrix: could not read the outbox: {}", e.what());
    }
    if (items.empty()) {
      idle_ = true;
      idle_signal_.notify();
      co_await wake_.wait();
      continue;
    }
    idle_ = false;
    for (auto& item : items) {
      if (stopping_) break;
      const Done done = co_await perform(std::move(item));
      if (done == Done::fatal) {
        stopping_ = true;  // nothing more will be sent: a drain need not wait
        idle_signal_.notify();
        co_return fatal_;
      }
      if (done == Done::later) {
        // The store failed, or we are stopping: look again a little later.
        if (!stopping_) {
          retry_timer_.expires_after(std::chrono::seconds{1});
          co_await retry_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        break;
      }
    }
  }
  co_return std::nullopt;
}

awaitable<void> Sender::drain(std::chrono::milliseconds timeout) {
  asio::steady_timer deadline(executor_, timeout);
  bool expired = false;
  deadline.async_wait([this, &expired](boost::system::error_code error) {
    if (error) return;
    expired = true;
    idle_signal_.notify();
  });
  wake_.notify();  // look at the outbox now, not after the next event
  while (!expired && !idle_ && !stopping_) co_await idle_signal_.wait();
  deadline.cancel();
}

awaitable<Sender::Done> Sender::perform(OutboxItem item) {
  const std::string key = item.key;
  try {
    if (item.kind == kSend) co_return co_await send(std::move(item));
    if (item.kind == kJoin || item.kind == kLeave) co_return co_await membership(std::move(item));
    if (item.kind == kRoom) co_return co_await room(std::move(item));
    spdlog::error("matrix: outbox item {} has an unknown kind \"{}\"; dropped", item.key,
                  item.kind);
    store_.finish_request(item.id, false);
    co_return Done::failed;
  } catch (const std::exception& e) {
    // The store failed (disk full, locked): the item stays pending for the next round.
    spdlog::error("matrix: could not record the outcome of {}: {}", key, e.what());
    co_return Done::later;
  }
}

Sender::Done Sender::failed(const MatrixError& error, const std::string& what,
                            const std::string& room) {
  if (error.unknown_token()) {
    fatal_ = "the homeserver refused MATRIX_ACCESS_TOKEN (" + error.describe() + ")";
    return Done::fatal;
  }
  if (stopping_) return Done::later;  // stopped mid-request: sent again after the restart
  spdlog::error("matrix: room {}: {} failed: {}", room, what, error.describe());
  return Done::failed;
}

awaitable<Sender::Done> Sender::send(OutboxItem item) {
  SendPayload payload = parse_send_payload(item.payload);
  std::string room = item.channel;
  if (room.empty()) {
    auto dm = co_await direct_room(payload.direct_user);
    if (!dm) {
      const Done done = failed(dm.error(), "opening a DM with " + payload.direct_user, "(new DM)");
      if (done == Done::failed) store_.finish_request(item.id, false);
      co_return done;
    }
    room = *dm;
  }
  std::string root = payload.thread_root;
  if (root.empty() && !payload.thread_after.empty()) {
    // The message this one threads under was posted before (maybe before a restart). If it
    // could not be posted, this one goes in the room plainly rather than nowhere.
    root = store_.request_result(payload.thread_after).value_or("");
  }
  if (payload.upload) {
    // Uploading again after a crash only leaves an unused copy in the media repository; the
    // message itself keeps its txnId.
    auto uri = co_await client_.upload(payload.upload->name, payload.upload->mime,
                                       payload.upload->content, options_.patience);
    if (!uri) {
      const Done done = failed(uri.error(), "uploading " + payload.upload->name, room);
      if (done == Done::failed) store_.finish_request(item.id, false);
      co_return done;
    }
    nlohmann::json content = nlohmann::json::parse(payload.content, nullptr, false);
    if (!content.is_object()) content = nlohmann::json::object();
    content["url"] = *uri;
    payload.content = content.dump();
  }
  auto sent = co_await client_.send(room, "m.room.message", item.txn_id,
                                    content_with_relation(payload, root), options_.patience);
  if (!sent) {
    const Done done = failed(sent.error(), "sending a message", room);
    if (done == Done::failed) store_.finish_request(item.id, false);
    co_return done;
  }
  durable("sent");
  // Before the item is finished: a crash in between re-sends it with the same txnId, the server
  // returns the same event id, and reporting the anchor again is harmless.
  if (payload.anchor.anchor != Anchor::none)
    engine_.anchor_posted(kPlatform, payload.anchor, *sent);
  store_.finish_request(item.id, true, *sent);
  co_return Done::sent;
}

awaitable<Sender::Done> Sender::membership(OutboxItem item) {
  const nlohmann::json payload = nlohmann::json::parse(item.payload, nullptr, false);
  const std::string inviter =
      payload.is_object() ? payload.value("inviter", std::string{}) : std::string{};
  if (item.kind == kLeave) {
    // Spec "Room membership": rejecting an invite is leaving the room.
    auto left = co_await client_.leave(item.channel, options_.patience);
    if (!left) {
      const Done done = failed(left.error(), "declining the invite", item.channel);
      if (done == Done::failed) store_.finish_request(item.id, false);
      co_return done;
    }
    spdlog::warn(
        "matrix: declined the invite to {} from {}: not an allowed inviter "
        "(MATRIX_ALLOWED_INVITERS)",
        item.channel, inviter);
    store_.finish_request(item.id, true);
    co_return Done::sent;
  }
  auto joined = co_await client_.join(item.channel, options_.patience);
  if (!joined) {
    const Done done = failed(joined.error(), "joining", item.channel);
    if (done == Done::failed) store_.finish_request(item.id, false);
    co_return done;
  }
  rooms_.joined(item.channel);
  spdlog::info("matrix: joined {} (invited by {})", item.channel, inviter);
  // Clients should record a DM they accept in m.direct (spec "Direct Messaging"), so it is still
  // known as one after a restart.
  if (payload.is_object() && payload.value("direct", false)) {
    rooms_.add_direct(inviter, item.channel);
    co_await record_direct(inviter, item.channel);
  }
  store_.finish_request(item.id, true);
  co_return Done::sent;
}

awaitable<Sender::Done> Sender::room(OutboxItem item) {
  const nlohmann::json request = nlohmann::json::parse(item.payload, nullptr, false);
  if (!request.is_object()) {
    spdlog::error("matrix: outbox item {} cannot be read; dropped", item.key);
    store_.finish_request(item.id, false);
    co_return Done::failed;
  }
  const auto kind = static_cast<RoomRequest::Kind>(request.value("kind", 0));
  const std::string topic = request.value("topic", std::string{});
  if (kind == RoomRequest::Kind::open) {
    const std::string name = request.value("name", std::string{});
    // The bot's own server holds the alias: "@bot:example.org" -> "#inc-12-…:example.org".
    const std::string server = options_.bot_user.substr(options_.bot_user.find(':') + 1);
    const std::string alias = "#" + name + ":" + server;
    auto opened = co_await open_room(request, alias);
    if (!opened && (opened.error().unknown_token() || stopping_)) {
      co_return failed(opened.error(), "opening a room", alias);
    }
    std::string error;
    if (!opened) {
      error = opened.error().describe();
      spdlog::warn("matrix: could not open {} for INC-{}: {}", alias,
                   request.value("incident", std::int64_t{0}), error);
    }
    if (options_.room_opened &&
        !options_.room_opened(item.channel, request.value("incident", std::int64_t{0}),
                              opened ? *opened : std::string{}, name,
                              opened ? "https://matrix.to/#/" + alias : std::string{}, error)) {
      co_return Done::later;  // opened again (the alias finds the room) and recorded then
    }
    store_.finish_request(item.id, opened.has_value(), opened ? *opened : std::string{});
    co_return Done::sent;
  }
  Result<void> done;
  if (kind == RoomRequest::Kind::topic) {
    nlohmann::json content = nlohmann::json::object();
    content["topic"] = topic;
    done =
        co_await client_.set_state(item.channel, "m.room.topic", content.dump(), options_.patience);
  } else {
    // Matrix has no archive: the room becomes read-only. Only those with the power to change
    // its settings (the bot, as its creator) may still send (spec "m.room.power_levels").
    auto levels = co_await client_.state(item.channel, "m.room.power_levels", options_.patience);
    if (!levels) {
      done = levels.error();
    } else {
      nlohmann::json content = nlohmann::json::parse(*levels, nullptr, false);
      if (!content.is_object()) content = nlohmann::json::object();
      content["events_default"] = content.value("state_default", 50);
      done = co_await client_.set_state(item.channel, "m.room.power_levels", content.dump(),
                                        options_.patience);
    }
  }
  if (!done) {
    const std::string what = kind == RoomRequest::Kind::topic ? std::string("setting the topic")
                                                              : std::string("making it read-only");
    const Done outcome = failed(done.error(), what, item.channel);
    if (outcome == Done::failed) store_.finish_request(item.id, false);
    co_return outcome;
  }
  store_.finish_request(item.id, true);
  co_return Done::sent;
}

awaitable<Result<std::string>> Sender::open_room(const nlohmann::json& request,
                                                 const std::string& alias) {
  std::vector<std::string> invite;  // Matrix ids only: a team's name cannot be invited
  for (const auto& user : request.value("invite", std::vector<std::string>{})) {
    if (user.size() > 1 && user.front() == '@' && user.find(':') != std::string::npos &&
        user != options_.bot_user) {
      invite.push_back(user);
    }
  }
  const std::string name = request.value("name", std::string{});
  auto created =
      co_await client_.create_room(name, name, request.value("topic", std::string{}), invite,
                                   request.value("private", false), options_.patience);
  if (created || created.error().errcode != "M_ROOM_IN_USE") co_return created;
  // The alias is taken: by the room an earlier attempt made (the bot is in it), or by someone
  // else's, which is not the incident's.
  auto found = co_await client_.resolve_alias(alias, options_.patience);
  if (!found) co_return found.error();
  auto joined = co_await client_.is_joined(*found, options_.bot_user, options_.patience);
  if (!joined && joined.error().errcode != "M_FORBIDDEN") co_return joined.error();
  if (!joined || !*joined) co_return created.error();  // the bot is not in it
  co_return *found;
}

awaitable<Result<std::string>> Sender::direct_room(std::string user) {
  if (auto room = rooms_.direct_room(user)) co_return *room;
  auto created = co_await client_.create_dm(user, options_.patience);
  if (!created) co_return created.error();
  spdlog::info("matrix: opened a DM room {} with {}", *created, user);
  rooms_.add_direct(user, *created);
  co_await record_direct(user, *created);
  co_return *created;
}

awaitable<void> Sender::record_direct(std::string user, std::string room) {
  auto current = co_await client_.account_data(options_.bot_user, "m.direct", options_.patience);
  if (!current) {
    spdlog::warn("matrix: could not read m.direct to add the DM {}: {}", room,
                 current.error().describe());
    co_return;
  }
  auto written = co_await client_.set_account_data(options_.bot_user, "m.direct",
                                                   add_direct(current->value_or(""), user, room),
                                                   options_.patience);
  if (!written) {
    spdlog::warn("matrix: could not record the DM {} in m.direct: {}", room,
                 written.error().describe());
  }
}

}  // namespace incident::matrix
