#include "adapters/matrix/matrix_adapter.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <exception>
#include <set>
#include <stdexcept>

#include "adapters/ops/series.h"
#include "bot/model/overloaded.h"

namespace incident::matrix {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

net::Url homeserver_url(const std::string& homeserver) {
  return platform::https_url("MATRIX_HOMESERVER", homeserver);
}

ClientOptions client_options(const MatrixOptions& o) {
  ClientOptions c;
  c.access_token = o.access_token;
  c.base_path = homeserver_url(o.homeserver).target;
  if (c.base_path == "/") c.base_path.clear();
  c.retry = o.retry;
  c.request_timeout = o.http.request_timeout;
  c.metrics = o.metrics;
  return c;
}

platform::HttpsClientFactory clients(const MatrixOptions& o, asio::any_io_executor executor,
                                     net::TlsContext& tls) {
  return o.http_clients ? o.http_clients : platform::keep_alive_clients(executor, tls);
}

net::HttpOptions pool(net::HttpOptions http, std::size_t connections) {
  http.max_connections = connections;
  return http;
}

std::string token_failure(const MatrixError& e) {
  std::string out = "the homeserver refused MATRIX_ACCESS_TOKEN (" + e.describe() + ")";
  if (e.soft_logout) {
    out += "; the session was soft-logged-out: log in again with the same device_id";
  }
  return out + " — get a new access token (deploy/matrix/README.md) and restart";
}

// The `type` label of a step: the domain kind of a handled event, or what else the step is.
std::string step_type(const Step& s) {
  if (const auto* handle = std::get_if<step::Handle>(&s)) return ops::event_type(handle->event);
  if (std::holds_alternative<step::Invite>(s)) return "invite";
  if (std::holds_alternative<step::EncryptedNotice>(s)) return "encrypted_notice";
  return "other";
}

}  // namespace

MatrixAdapter::MatrixAdapter(asio::any_io_executor executor, Engine& engine, Store& store,
                             const Prompts& prompts, net::TlsContext& tls, MatrixOptions options)
    : executor_(executor),
      engine_(engine),
      store_(store),
      prompts_(prompts),
      options_(std::move(options)),
      sync_http_(clients(options_, executor, tls)(homeserver_url(options_.homeserver),
                                                  pool(options_.http, 1))),
      api_http_(clients(options_, executor, tls)(homeserver_url(options_.homeserver),
                                                 pool(options_.http, 2))),
      sync_client_(executor, *sync_http_, client_options(options_)),
      api_client_(executor, *api_http_, client_options(options_)),
      sender_(executor, api_client_, store, engine, rooms_,
              SenderOptions{options_.user_id, options_.send_patience, options_.on_durable,
                            [this](const std::string& origin, std::int64_t incident,
                                   const std::string& room, const std::string& name,
                                   const std::string& link, const std::string& error) {
                              return room_opened(origin, incident, room, name, link, error);
                            }}),
      retry_timer_(executor),
      sender_done_(executor) {
  if (!options_.clock) options_.clock = platform::system_now;
}

MatrixAdapter::~MatrixAdapter() = default;

void MatrixAdapter::stop() {
  stopping_ = true;
  retry_timer_.cancel();
  sync_client_.stop();
  sync_http_->shutdown();  // ends the long-poll now
}

void MatrixAdapter::durable(std::string_view step) {
  if (options_.on_durable) options_.on_durable(step);
}

awaitable<void> MatrixAdapter::pause(std::chrono::milliseconds delay) {
  retry_timer_.expires_after(delay);
  co_await retry_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
}

awaitable<std::optional<std::string>> MatrixAdapter::run() {
  std::optional<std::string> failure = co_await start_up();
  if (failure) last_error_ = *failure;
  if (!failure && !stopping_ && options_.leadership) {
    role_ = "matrix:" + user_id_;
    leadership_ = options_.leadership(role_);
  }
  while (!failure && !stopping_) {
    if (leadership_ && !co_await take_lead()) break;
    failure = co_await serve();
    if (!leadership_ || epoch_) break;  // stopped, or failed: not a lead lost
  }
  if (leadership_) leadership_->step_down();  // once nothing of the lead's work is left
  sync_http_->shutdown();
  api_http_->shutdown();
  co_return failure;
}

awaitable<std::optional<std::string>> MatrixAdapter::serve() {
  std::optional<std::string> failure;
  ops::set(options_.metrics, ops::series::kMatrixSyncer, 1);
  sender_.resume();
  sender_finished_ = false;
  asio::co_spawn(executor_, sender_.run(),
                 [this](std::exception_ptr e, std::optional<std::string> fatal) {
                   sender_finished_ = true;
                   sender_done_.notify();
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& error) {
                       fatal = std::string("the sender stopped: ") + error.what();
                     }
                   }
                   if (fatal) {
                     sender_failure_ = std::move(fatal);
                     stop();
                   }
                 });
  using namespace asio::experimental::awaitable_operators;
  // The purge and the reminders run alongside and are cancelled when the sync loop ends.
  auto ended = co_await (
      sync_loop() ||
      platform::purge_periodically(executor_, engine_, options_.clock, options_.purge_interval,
                                   "matrix") ||
      platform::remind_periodically(executor_, engine_, options_.clock, options_.remind_interval,
                                    "matrix", [this](const InboundEvent& e) { submit(e); }) ||
      keep_lead());
  if (ended.index() == 0) failure = std::get<0>(std::move(ended));
  if (leadership_ && !epoch_ && !stopping_) {
    // Another replica syncs now and sends what is queued: nothing more from this one.
    sender_.stop();
    while (!sender_finished_) co_await sender_done_.wait();
    co_return failure;
  }
  // Replies of handled events still go out, within reason; whatever is left stays in the
  // outbox and goes out after the next start.
  co_await sender_.drain(options_.drain_timeout);
  sender_.stop();
  api_client_.stop();
  api_http_->shutdown();
  while (!sender_finished_) co_await sender_done_.wait();
  if (!failure) failure = sender_failure_;
  co_return failure;
}

awaitable<bool> MatrixAdapter::take_lead() {
  standing_by_ = true;
  bool said = false;
  while (!stopping_) {
    epoch_ = leadership_->lead();
    if (epoch_) {
      confirmed_ = std::chrono::steady_clock::now();
      standing_by_ = false;
      spdlog::info("matrix: this replica syncs {} now (epoch {})", user_id_, *epoch_);
      co_return true;
    }
    if (!said) spdlog::info("matrix: another replica syncs {}: standing by", user_id_);
    said = true;
    co_await pause(Leadership::kCheck);
  }
  co_return false;
}

awaitable<void> MatrixAdapter::keep_lead() {
  asio::steady_timer timer(executor_);
  while (true) {
    if (leadership_) {
      timer.expires_after(Leadership::kCheck);
    } else {
      timer.expires_at(asio::steady_timer::time_point::max());
    }
    co_await timer.async_wait(asio::use_awaitable);
    if (!epoch_) continue;  // lost: the sync loop is ending
    const auto held = leadership_->lead();
    if (held != epoch_) {
      lose_lead("could not show that it still holds the account");
      continue;
    }
    confirmed_ = std::chrono::steady_clock::now();
    sender_.wake();  // a request another replica queued (the review page's) is this one's to send
  }
}

bool MatrixAdapter::leading() {
  if (!leadership_) return true;
  if (!epoch_) return false;
  // Confirmed by keep_lead every kCheck; after a pause (a stopped process, a frozen VM) the
  // confirmation is old, and another replica may hold the account by now: ask before syncing.
  if (std::chrono::steady_clock::now() - confirmed_ < 2 * Leadership::kCheck) return true;
  const auto held = leadership_->lead();
  if (held != epoch_) {
    lose_lead("was paused and could not show that it still holds the account");
    return false;
  }
  confirmed_ = std::chrono::steady_clock::now();
  return true;
}

void MatrixAdapter::lose_lead(const char* why) {
  if (!epoch_) return;
  spdlog::warn("matrix: this replica {}: it stops syncing and sending", why);
  ops::set(options_.metrics, ops::series::kMatrixSyncer, 0);
  epoch_.reset();
  sender_.stop();
  retry_timer_.cancel();  // a back-off in the sync loop ends now
  sync_http_->cancel();   // and a long-poll: the next syncer's /sync may begin at once
}

awaitable<std::optional<std::string>> MatrixAdapter::start_up() {
  // A service keeps trying while the homeserver is unreachable; only answers that retrying
  // cannot change end the start.
  const auto forever = Client::kForever;
  if (auto v = co_await sync_client_.versions(forever); !v) {
    if (stopping_) co_return std::nullopt;
    co_return "MATRIX_HOMESERVER " + options_.homeserver +
        " does not answer the client-server API (GET /_matrix/client/versions: " +
        v.error().describe() + ")";
  }
  user_id_ = options_.user_id;
  if (user_id_.empty()) {
    auto who = co_await sync_client_.whoami(forever);
    if (!who) {
      if (stopping_) co_return std::nullopt;
      if (who.error().unknown_token()) co_return token_failure(who.error());
      co_return "whoami failed: " + who.error().describe();
    }
    user_id_ = *who;
  }
  sender_.set_bot_user(user_id_);
  translate_options_ = {user_id_, options_.command_prefix, options_.allowed_inviters};
  reply_options_ = {user_id_, options_.lessons_room, options_.security_room, kMaxContentBytes};

  // m.direct arrives in /sync only when it changes, so a restart reads it once.
  auto direct = co_await sync_client_.account_data(user_id_, "m.direct", forever);
  if (!direct) {
    if (stopping_) co_return std::nullopt;
    if (direct.error().unknown_token()) co_return token_failure(direct.error());
    co_return "reading m.direct failed: " + direct.error().describe();
  }
  if (*direct) rooms_.set_direct(parse_direct(**direct).value_or(DirectMap{}));

  auto filter = co_await sync_client_.upload_filter(
      user_id_, sync_filter_json(options_.timeline_limit), forever);
  if (!filter) {
    if (stopping_) co_return std::nullopt;
    if (filter.error().unknown_token()) co_return token_failure(filter.error());
    co_return "uploading the sync filter failed: " + filter.error().describe();
  }
  filter_id_ = *filter;
  spdlog::info("matrix: signed in as {} on {}", user_id_, options_.homeserver);
  co_return std::nullopt;
}

awaitable<std::optional<std::string>> MatrixAdapter::sync_loop() {
  std::string since = store_.cursor(kCursor).value_or("");
  if (since.empty()) {
    spdlog::info("matrix: first start: history is skipped, pending invites are answered");
  }
  bool first = true;
  int rejected = 0;
  net::Backoff backoff(options_.retry);
  // With replicas, a long-poll ends well before a successor could start syncing (kQuiet), so two
  // replicas' /syncs never overlap at the homeserver, even when this one is paused mid-poll.
  const auto long_poll = leadership_ ? std::min<std::chrono::milliseconds>(options_.sync_timeout,
                                                                           Leadership::kQuiet / 2)
                                     : options_.sync_timeout;
  while (!stopping_ && leading()) {
    SyncRequest request;
    request.filter_id = filter_id_;
    request.since = since;
    // The first sync after a restart asks for the full state (the timeline still starts at
    // `since`), so encryption, names and member counts are known again; it returns at once.
    request.full_state = first && !since.empty();
    request.timeout = first || since.empty() ? std::chrono::milliseconds{0} : long_poll;
    auto sync = co_await sync_client_.sync(request, options_.sync_read_timeout);
    if (stopping_ || (leadership_ && !epoch_)) break;  // stopped, or the lead lost meanwhile
    if (!sync) {
      const MatrixError& e = sync.error();
      sync_failing_ = true;
      last_error_ = "/sync: " + e.describe();
      if (e.unknown_token()) {
        last_error_ = token_failure(e);
        co_return token_failure(e);
      }
      if (!since.empty() && e.kind == MatrixError::Kind::http && !e.transient() &&
          (e.status == 400 || e.status == 404)) {
        // The server forgot our token (or the filter). The filter is uploaded again; a second
        // refusal drops the token and starts over with an initial sync, which skips history as a
        // first start does: missing a few events is better than never syncing again.
        ops::count(options_.metrics, ops::series::kReconnects, {"matrix", "sync_rejected"});
        if (++rejected >= 2) {
          spdlog::error(
              "matrix: the homeserver refuses the stored sync token ({}): starting "
              "afresh; events since the last sync may be missed",
              e.describe());
          since.clear();
          first = true;
        }
        auto filter = co_await sync_client_.upload_filter(
            user_id_, sync_filter_json(options_.timeline_limit), Client::kOnce);
        if (filter) filter_id_ = *filter;
        continue;
      }
      ops::count(options_.metrics, ops::series::kReconnects,
                 {"matrix", e.retry_after ? "rate_limited" : "sync_failed"});
      const auto delay = e.retry_after ? *e.retry_after : backoff.next();
      spdlog::warn("matrix: /sync failed with {}; trying again in {} ms", e.describe(),
                   delay.count());
      co_await pause(delay);
      continue;
    }
    rejected = 0;
    sync_failing_ = false;
    batch_received_ = std::chrono::steady_clock::now();
    bool committed = since.empty() || co_await backfill(*sync, since);
    if (committed) {
      auto steps = translate(*sync, rooms_, translate_options_, since.empty());
      committed = co_await apply(std::move(steps), since, sync->next_batch);
    }
    if (!committed) {
      if (stopping_ || !leading()) break;
      // Nothing after the failure was committed; the same batch comes again from `since`.
      co_await pause(backoff.next());
      continue;
    }
    backoff.reset();
    since = sync->next_batch;
    first = false;
    ready_ = true;
  }
  co_return std::nullopt;
}

awaitable<bool> MatrixAdapter::backfill(SyncResponse& sync, std::string since) {
  for (auto& room : sync.join) {
    if (!room.limited || room.prev_batch.empty()) continue;
    // A room the bot has just joined: what came before is history, and not fetched.
    if (std::any_of(room.timeline.begin(), room.timeline.end(),
                    [&](const RoomEvent& e) { return is_own_join(e, user_id_); })) {
      continue;
    }
    // Spec "Syncing": a limited timeline has a gap before it; /messages from prev_batch back
    // to the previous sync's token fills it, newest first. De-duplicated by event_id.
    std::set<std::string> seen;
    for (const auto& e : room.timeline) seen.insert(e.event_id);
    std::vector<RoomEvent> gap;
    std::string from = room.prev_batch;
    bool complete = false;
    for (int page = 0; page < options_.backfill_pages && !complete; ++page) {
      auto got = co_await sync_client_.messages_back(room.room_id, from, since, 100,
                                                     options_.send_patience);
      if (!got) {
        if (got.error().transient() || got.error().unknown_token()) co_return false;
        spdlog::error("matrix: room {}: cannot fill a gap in the timeline: {}", room.room_id,
                      got.error().describe());
        break;
      }
      for (auto& e : got->chunk) {
        if (!e.event_id.empty() && seen.insert(e.event_id).second) gap.push_back(std::move(e));
      }
      // An empty chunk does not mean the end; a missing `end` does.
      complete = got->end.empty() || got->end == from;
      from = got->end;
    }
    if (!complete) {
      spdlog::warn(
          "matrix: room {}: the gap is longer than {} pages; older events in it are "
          "skipped",
          room.room_id, options_.backfill_pages);
    }
    spdlog::info("matrix: room {}: filled a gap of {} event(s)", room.room_id, gap.size());
    std::reverse(gap.begin(), gap.end());
    room.timeline.insert(room.timeline.begin(), std::make_move_iterator(gap.begin()),
                         std::make_move_iterator(gap.end()));
  }
  co_return true;
}

awaitable<bool> MatrixAdapter::apply(std::vector<Step> steps, std::string since,
                                     std::string next_batch) {
  // The 📌 messages from before the batch are fetched first, so the batch itself never awaits.
  for (auto& s : steps) {
    auto* handle = std::get_if<step::Handle>(&s);
    if (!handle || handle->fetch_pin.empty()) continue;
    const auto fetched = co_await fetch_pin(*handle);
    if (!fetched) {
      ops::count(options_.metrics, ops::series::kEventsRejected, {"matrix", "pin"});
      co_return false;  // nothing of the batch committed yet: it comes again from `since`
    }
  }

  const Cursors cursor{{kCursor, next_batch}};
  // The token goes with the last step that writes anything; display names write nothing.
  std::size_t last = steps.size();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!std::holds_alternative<step::DisplayName>(steps[i])) last = i;
  }
  // Group commit: the whole batch in one transaction (one fsync with power durability), each
  // step decided over what the earlier ones did. A step that fails ends the batch there: what
  // came before it is committed without the token, so the batch is read again and the steps
  // already recorded are recognised by their keys.
  bool whole = true;
  bool queued = false;
  std::size_t recorded = 0;
  try {
    auto batch = engine_.batch();
    if (leadership_) store_.fence(role_, epoch_.value_or(0));  // nothing if another syncs now
    if (last == steps.size()) store_.commit({{}, {}, {}, {}, cursor});
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (auto* name = std::get_if<step::DisplayName>(&steps[i])) {
        engine_.set_display_name(name->user, name->name);
        continue;
      }
      ops::count(options_.metrics, ops::series::kEventsReceived, {"matrix", step_type(steps[i])});
      try {
        queued = record(steps[i], since, i == last ? cursor : Cursors{}) || queued;
      } catch (const std::exception& e) {
        ops::count(options_.metrics, ops::series::kEventsRejected, {"matrix", step_type(steps[i])});
        spdlog::error(
            "matrix: could not record an event of a sync batch (it will be read again): {}",
            e.what());
        whole = false;
        break;
      }
      ++recorded;
    }
    batch.commit();
  } catch (const FencedOut&) {
    lose_lead("was replaced by another replica (its sync batch was not recorded)");
    co_return false;
  } catch (const std::exception& e) {
    ops::count(options_.metrics, ops::series::kEventsRejected, {"matrix", "batch"});
    spdlog::error("matrix: could not record a sync batch (it will be read again): {}", e.what());
    co_return false;
  }
  durable("batch");
  ops::observe(options_.metrics, ops::series::kBatchEvents, {"matrix"},
               static_cast<double>(recorded));
  const double latency =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - batch_received_).count();
  for (std::size_t i = 0, acked = 0; i < steps.size() && acked < recorded; ++i) {
    if (std::holds_alternative<step::DisplayName>(steps[i])) continue;
    ++acked;
    ops::count(options_.metrics, ops::series::kEventsAcked, {"matrix", step_type(steps[i])});
    ops::observe(options_.metrics, ops::series::kAckLatency, {"matrix"}, latency);
  }
  if (queued) sender_.wake();
  co_return whole;
}

awaitable<bool> MatrixAdapter::fetch_pin(step::Handle& handle) {
  // The pinned message came before this batch: ask for it (spec "GET /rooms/{roomId}/event").
  auto target =
      co_await sync_client_.event(handle.origin.room, handle.fetch_pin, options_.send_patience);
  std::optional<in::Pin> pin;
  if (!target) {
    if (target.error().transient() || target.error().unknown_token()) co_return false;
    spdlog::info("matrix: room {}: the pinned message {} cannot be read ({}); nothing captured",
                 handle.origin.room, handle.fetch_pin, target.error().describe());
  } else {
    pin = pin_from(*target);
  }
  handle.fetch_pin.clear();
  if (pin) {
    handle.event.body = std::move(*pin);
  } else {
    handle.unreadable_pin = true;
  }
  co_return true;
}

bool MatrixAdapter::record(Step& s, const std::string& since, const Cursors& cursors) {
  const TxnIds txn_ids = random_txn_id;
  if (auto* invite = std::get_if<step::Invite>(&s)) {
    store_.commit(
        {{}, {}, {}, {invite_item(*invite, since.empty() ? "initial" : since, txn_ids)}, cursors});
    return true;
  }
  if (auto* notice = std::get_if<step::EncryptedNotice>(&s)) {
    // Keyed by room alone: said once per room, ever.
    store_.commit({{},
                   {},
                   {},
                   {notice_item("matrix:encrypted:" + notice->room, notice->room,
                                prompts_.raw("matrix.encrypted_room"), txn_ids)},
                   cursors});
    return true;
  }
  auto& handle = std::get<step::Handle>(s);
  if (handle.unreadable_pin) {
    if (!cursors.empty()) store_.commit({{}, {}, {}, {}, cursors});
    return false;
  }
  bool queued = false;
  // The event's effects, the requests its replies cause and the batch position: one unit.
  Outcome outcome =
      engine_.handle(handle.event, [&](const std::vector<Reply>& replies, UnitOfWork& work) {
        work.outbox =
            reply_items(handle.event.key, replies, handle.origin, reply_options_, txn_ids);
        work.cursors = cursors;
        queued = !work.outbox.empty();
      });
  if (outcome.duplicate) {
    ops::count(options_.metrics, ops::series::kEventsDeduplicated,
               {"matrix", ops::event_type(handle.event)});
    spdlog::info("matrix: {} was handled before; its replies are not repeated", handle.event.key);
  }
  ops::count_outcome(options_.metrics, "matrix", handle.event, outcome);
  return queued;
}

std::string MatrixAdapter::message_link(const std::string& channel, const std::string& ref) const {
  // The spec's matrix.to form (appendix "matrix.to navigation"): room id, then event id, each
  // percent-encoded.
  if (channel.empty() || ref.empty() || ref.front() != '$') return {};
  auto encode = [](const std::string& id) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : id) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || c == '!' || c == '$' ||
          c == ':' || c == '@') {
        out += c;
      } else {
        out += '%';
        out += kHex[u >> 4];
        out += kHex[u & 15];
      }
    }
    return out;
  };
  return "https://matrix.to/#/" + encode(channel) + "/" + encode(ref);
}

bool MatrixAdapter::room_opened(const std::string& origin, std::int64_t incident,
                                const std::string& room, const std::string& name,
                                const std::string& link, const std::string& error) {
  InboundEvent event;
  // One per incident: a create repeated after a crash finds the same room (its alias), and this
  // key keeps the move from being recorded or announced twice.
  event.key = "matrix:room:" + incident_id(incident);
  event.platform = "matrix";
  event.channel = origin;
  event.at = options_.clock();
  event.body = in::RoomOpened{incident, room, name, link, error};
  if (submit(event)) return true;
  spdlog::error("matrix: could not record that INC-{} moved to {}", incident, name);
  return false;
}

std::optional<Outcome> MatrixAdapter::submit(const InboundEvent& event) {
  bool queued = false;
  Outcome outcome;
  try {
    auto batch = engine_.batch();
    const Origin origin{event.channel, event.user, {}, {}, false};
    outcome = engine_.handle(event, [&](const std::vector<Reply>& replies, UnitOfWork& work) {
      work.outbox = reply_items(event.key, replies_for_others(replies), origin, reply_options_,
                                random_txn_id);
      queued = !work.outbox.empty();
    });
    batch.commit();
  } catch (const std::exception& e) {
    spdlog::error("matrix: could not record {}: {}", event.key, e.what());
    return std::nullopt;
  }
  durable("submitted");
  ops::count_outcome(options_.metrics, "matrix", event, outcome);
  if (queued) sender_.wake();
  return outcome;
}

boost::asio::awaitable<std::optional<bool>> MatrixAdapter::is_member(std::string channel,
                                                                     std::string user) {
  auto r = co_await api_client_.is_joined(std::move(channel), std::move(user), Client::kOnce);
  if (!r) co_return std::nullopt;
  co_return *r;
}

}  // namespace incident::matrix
