// The Matrix adapter: a long-polling /sync loop in, the engine in the middle, the outbox out.
//
// Start: GET /versions, whoami (unless MATRIX_USER_ID is set), m.direct, a filter upload. Then
// /sync with the filter, `since` the stored next_batch (spec "Syncing"; the client-server API has
// no WebSocket transport, so this is the standard one). A new bot's first sync only gives it a
// token and its pending invites: history is not acted on.
//
// Exactly once, across crashes at any point. For every sync batch, in timeline order:
//   1. each event is handled by the engine, which commits its effects under the idempotency key
//      "matrix:" + event_id;
//   2. the requests it causes (replies, joins, notices) are enqueued in the outbox, each with
//      its txnId, under keys derived from the event's key — and with the batch's LAST step, in
//      the same transaction, the batch's next_batch token (alone when the batch had nothing);
//   3. the Sender makes the requests afterwards, reusing each stored txnId.
// A crash before the token is stored replays the batch from the old token: handled events are
// duplicates for the engine (same replies back, nothing changed), their requests are already
// enqueued (same keys) or enqueued now, so nothing is lost and nothing doubles. A crash during a
// send re-sends it with the same txnId after the restart, which the homeserver deduplicates.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/matrix/client.h"
#include "adapters/matrix/replies.h"
#include "adapters/matrix/sender.h"
#include "adapters/matrix/translate.h"
#include "adapters/net/https_client.h"
#include "adapters/net/signal.h"
#include "adapters/net/tls.h"
#include "adapters/platform/platform.h"
#include "bot/engine/engine.h"
#include "bot/model/store.h"
#include "bot/text/prompts.h"

namespace incident::matrix {

// Where the sync position is kept (a Store cursor).
inline constexpr const char* kCursor = "matrix.next_batch";

struct MatrixOptions {
  std::string homeserver;  // https://matrix.example.org (certificates are always verified)
  std::string access_token;
  std::string user_id;  // empty: asked with whoami
  std::vector<std::string> allowed_inviters;
  std::string command_prefix = "!incident";
  std::string lessons_room;
  std::string security_room;

  net::HttpOptions http;
  std::chrono::milliseconds sync_timeout{30000};  // the long-poll (the spec's default is 0)
  // The HTTP read timeout of a /sync: longer than the long-poll, as the server may hold the
  // request for the whole `timeout` before it answers; an equal or shorter one would cut off
  // every quiet long-poll.
  std::chrono::milliseconds sync_read_timeout{45000};
  int timeline_limit = 50;  // a larger limit makes `limited` timelines (gaps) rarer
  int backfill_pages = 20;  // /messages pages of 100 per gap at most
  net::Backoff::Policy retry{std::chrono::milliseconds{1000}, std::chrono::milliseconds{60000}};
  std::chrono::milliseconds send_patience{std::chrono::minutes{5}};
  std::chrono::milliseconds drain_timeout{5000};  // on stop: how long replies may still go out
  std::chrono::milliseconds purge_interval{std::chrono::hours{1}};
  // How often the open incidents are looked at for reminders that fell due.
  std::chrono::milliseconds remind_interval{std::chrono::seconds{30}};
  std::function<TimePoint()> clock;  // for the purge; default: the system clock
  // The HTTPS clients (one for the long-poll, one for sends). Default: kept-alive TLS pools.
  platform::HttpsClientFactory http_clients;
  DurableHook on_durable;
  // Counts (adapters/ops/series.h) for /metrics; null: not counted. Handed on to the clients.
  ops::Metrics* metrics = nullptr;
  // Replicas sharing a store: the election of the one that syncs the account, given the role
  // ("matrix:" + the bot's user id). Null: this process is the only one and always syncs.
  std::function<std::unique_ptr<Leadership>(const std::string& role)> leadership;
};

class MatrixAdapter final : public platform::PlatformAdapter {
 public:
  // Throws std::invalid_argument when the homeserver is not an https:// URL.
  MatrixAdapter(boost::asio::any_io_executor executor, Engine& engine, Store& store,
                const Prompts& prompts, net::TlsContext& tls, MatrixOptions options);
  ~MatrixAdapter() override;
  MatrixAdapter(const MatrixAdapter&) = delete;
  MatrixAdapter& operator=(const MatrixAdapter&) = delete;

  // Runs until stop() (nullopt) or an error retrying cannot fix (what went wrong, for the
  // operator), then lets queued requests go out for at most drain_timeout.
  std::string_view name() const override { return "matrix"; }
  boost::asio::awaitable<std::optional<std::string>> run() override;
  void stop() override;

  // A sync batch has been committed since the start.
  bool ready() const { return ready_; }
  // Ready, and the latest /sync succeeded, or standing by while another replica syncs: what
  // /healthz calls connected.
  bool connected() const override {
    return (standing_by_ || (ready_ && !sync_failing_)) && !stopping_;
  }
  // The latest failure of the start or of /sync, for /healthz; empty before any.
  std::string last_error() const override { return last_error_; }
  std::optional<Outcome> submit(const InboundEvent& event) override;
  // The Sender opened the room of an incident's own (`start … new`), or could not: the engine
  // moves the incident there and both rooms hear of it. False when that could not be recorded.
  bool room_opened(const std::string& origin, std::int64_t incident, const std::string& room,
                   const std::string& name, const std::string& link, const std::string& error);
  std::string message_link(const std::string& channel, const std::string& ref) const override;
  boost::asio::awaitable<std::optional<bool>> is_member(std::string channel,
                                                        std::string user) override;
  const std::string& user_id() const { return user_id_; }

 private:
  boost::asio::awaitable<std::optional<std::string>> start_up();
  // Syncs and sends until stopped, a failure, or (replicas) another replica takes the account.
  boost::asio::awaitable<std::optional<std::string>> serve();
  // Replicas: waits until this one holds the account (false: stopped first).
  boost::asio::awaitable<bool> take_lead();
  // Replicas: shows every Leadership::kCheck that this one still holds the account, and wakes
  // the sender for requests other replicas queued; until cancelled. Waits forever without
  // replicas.
  boost::asio::awaitable<void> keep_lead();
  // Whether this replica may go on syncing: it holds the account, confirmed lately.
  bool leading();
  // The lead is lost: stop syncing and sending now.
  void lose_lead(const char* why);
  boost::asio::awaitable<std::optional<std::string>> sync_loop();
  // Fills `limited` timelines from /messages (spec "Syncing": gaps). False: try the batch again.
  boost::asio::awaitable<bool> backfill(SyncResponse& sync, std::string since);
  // Handles the steps and commits the batch with `next_batch`, in one store batch. False:
  // nothing of the batch after the failure point was committed, and the batch must be tried
  // again.
  boost::asio::awaitable<bool> apply(std::vector<Step> steps, std::string since,
                                     std::string next_batch);
  // Fills in a 📌's body from its target, or marks it unreadable. False: ask again later.
  boost::asio::awaitable<bool> fetch_pin(step::Handle& handle);
  // Commits one step, inside the open batch, with the requests it causes and `cursors`:
  // whether any request was queued. Throws when it could not be recorded.
  bool record(Step& step, const std::string& since, const Cursors& cursors);
  boost::asio::awaitable<void> pause(std::chrono::milliseconds delay);
  void durable(std::string_view step);

  boost::asio::any_io_executor executor_;
  Engine& engine_;
  Store& store_;
  const Prompts& prompts_;
  MatrixOptions options_;
  // The long-poll holds a connection for up to 30 s, so it gets its own; requests the sync loop
  // needs (start-up, back-fill, 📌 targets) go there too, sends over the other pool.
  std::unique_ptr<net::HttpsClient> sync_http_;
  std::unique_ptr<net::HttpsClient> api_http_;
  Client sync_client_;
  Client api_client_;
  Rooms rooms_;
  Sender sender_;
  boost::asio::steady_timer retry_timer_;
  net::Signal sender_done_;
  bool sender_finished_ = true;
  std::optional<std::string> sender_failure_;
  std::string user_id_;
  std::string filter_id_;
  TranslateOptions translate_options_;
  ReplyOptions reply_options_;
  bool stopping_ = false;
  bool ready_ = false;
  // Replicas (options_.leadership): the account's election, this replica's epoch while it
  // syncs, and when it last showed it still held it.
  std::unique_ptr<Leadership> leadership_;
  std::string role_;
  std::optional<std::int64_t> epoch_;
  std::chrono::steady_clock::time_point confirmed_{};
  bool standing_by_ = false;
  bool sync_failing_ = false;
  std::string last_error_;
  std::chrono::steady_clock::time_point batch_received_{};  // for the ack latency
};

}  // namespace incident::matrix
