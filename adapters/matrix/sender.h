// Works through the Matrix outbox (Store::pending_requests), oldest first, one request at a time:
// the homeserver rate-limits per account (Synapse rc_message, rc_joins), so parallel sends would
// only collect 429s, and one queue keeps every room's messages in order (spec "Sending events":
// "queue sends per room"). Each send reuses the txnId stored with it, so a retry — after a
// dropped connection, a 429, or a restart — is deduplicated by the server.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "adapters/matrix/client.h"
#include "adapters/matrix/translate.h"
#include "adapters/net/signal.h"
#include "bot/engine/engine.h"
#include "bot/model/store.h"

namespace incident::matrix {

// Called after each durable step of the adapter ("batch": a sync batch committed; "sent"), before
// the next one starts. A seam for tests: they end the process there to prove a crash at any
// step neither loses nor repeats anything.
using DurableHook = std::function<void(std::string_view step)>;

// `start … new`: the room opened for incident `incident`, declared in `origin` (`room` its id,
// `link` a matrix.to link to it), or why none could be (`room` empty, `error` saying why).
// False when that could not be recorded: the item is tried again.
using RoomOpenedHook =
    std::function<bool(const std::string& origin, std::int64_t incident, const std::string& room,
                       const std::string& name, const std::string& link, const std::string& error)>;

struct SenderOptions {
  std::string bot_user;  // whose m.direct records the DMs
  // How long one request may keep failing transiently before it is given up (the spec's advice
  // for sends: back off for about five minutes, then report the failure).
  std::chrono::milliseconds patience{std::chrono::minutes{5}};
  DurableHook on_durable;
  RoomOpenedHook room_opened = {};
};

class Sender {
 public:
  Sender(boost::asio::any_io_executor executor, Client& client, Store& store, Engine& engine,
         Rooms& rooms, SenderOptions options);

  // The bot's user id, once known (its m.direct is updated when DMs are created or accepted).
  void set_bot_user(std::string user) { options_.bot_user = std::move(user); }
  // New items were enqueued.
  void wake() {
    idle_ = false;
    wake_.notify();
  }
  // Sends until stop(). Returns why it could not go on (the token was refused), else nullopt.
  boost::asio::awaitable<std::optional<std::string>> run();
  void stop();
  // After a stop, lets run() be called again (this replica syncs again).
  void resume() {
    stopping_ = false;
    idle_ = false;
  }
  // Waits until the outbox is empty or `timeout` passed.
  boost::asio::awaitable<void> drain(std::chrono::milliseconds timeout);

 private:
  enum class Done { sent, failed, fatal, later };
  boost::asio::awaitable<Done> perform(OutboxItem item);
  boost::asio::awaitable<Done> send(OutboxItem item);
  boost::asio::awaitable<Done> membership(OutboxItem item);
  // What a kRoom item asks of a room: open one, set its topic, or archive it.
  boost::asio::awaitable<Done> room(OutboxItem item);
  // The incident's own room, created; one the bot is in already under its alias when a create
  // is repeated after a crash. The room id, or why there is none.
  boost::asio::awaitable<Result<std::string>> open_room(const nlohmann::json& request,
                                                        const std::string& alias);
  // The DM room with `user`, created (and recorded in m.direct) when there is none.
  boost::asio::awaitable<Result<std::string>> direct_room(std::string user);
  // Adds `room` under `user` to the bot's m.direct: read, modify, write (a PUT replaces it all).
  boost::asio::awaitable<void> record_direct(std::string user, std::string room);
  // What to do after `error` on `what` in `room`.
  Done failed(const MatrixError& error, const std::string& what, const std::string& room);
  void durable(std::string_view step);

  boost::asio::any_io_executor executor_;
  Client& client_;
  Store& store_;
  Engine& engine_;
  Rooms& rooms_;
  SenderOptions options_;
  net::Signal wake_;
  net::Signal idle_signal_;
  boost::asio::steady_timer retry_timer_;  // after a store failure; stop() ends it
  bool idle_ = false;
  bool stopping_ = false;
  std::optional<std::string> fatal_;
};

}  // namespace incident::matrix
