// The Slack adapter: Socket Mode in, the engine in the middle, the Web API out.
//
// For every envelope the order is: decode → (for a 📌, fetch the pinned message) →
// Engine::handle in a batch with the envelopes read together (each with its replies' outbox
// item) → one commit → acks → post the replies (ReplyPoster, adapters/slack/replies.h). A fact is
// durable before its envelope is acknowledged: Slack redelivers an envelope that was not
// acknowledged, so a crash before the ack costs a redelivery, never a fact; a redelivered envelope
// finds its key recorded and changes nothing. A 📌 waiting for its message holds up only the
// envelopes of its own channel, which keep their order.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "adapters/net/https_client.h"
#include "adapters/net/signal.h"
#include "adapters/net/tls.h"
#include "adapters/platform/platform.h"
#include "adapters/slack/replies.h"
#include "adapters/slack/socket_mode.h"
#include "adapters/slack/web_api.h"
#include "bot/engine/engine.h"
#include "bot/model/time.h"

namespace incident::slack {

struct SlackOptions {
  std::string app_token;  // xapp-…
  std::string bot_token;  // xoxb-…
  std::string api_url = "https://slack.com/api/";
  std::string slash_command = "/incident";
  std::string lessons_channel;
  std::string security_channel;

  SocketModeOptions socket_mode;
  net::HttpOptions http;
  WebApiOptions web;  // its tokens and api_target are filled in from the fields above
  // The 📌 look-up must leave time to ack within Slack's 3 s.
  std::chrono::milliseconds pin_lookup_timeout{2000};
  // On stop: how long queued replies may still be posted.
  std::chrono::milliseconds drain_timeout{5000};
  // Replies waiting in memory at most (ReplyPoster); more wait in the outbox only.
  std::size_t reply_queue_max = 1000;
  // Envelopes waiting in memory behind 📌 look-ups at most. When look-ups fall behind what
  // arrives, more are left unacknowledged, for Slack to deliver again, rather than held.
  std::size_t held_max = 2000;
  // Private records past their retention (closed security cases, old DM replies) are purged
  // at start and then this often (Engine::purge).
  std::chrono::milliseconds purge_interval{std::chrono::hours{1}};
  // How often the open incidents are looked at for reminders that fell due.
  std::chrono::milliseconds remind_interval{std::chrono::seconds{30}};
  // Replicas: why this process should take no envelopes now (its database is away), asked every
  // second; meanwhile Socket Mode is closed, so Slack sends them to the other replicas. Null:
  // always take them (one process: an envelope that cannot be stored waits for a redelivery).
  std::function<std::optional<std::string>()> unable;
  // How often the outbox is looked at for replies another replica left unposted when it stopped
  // (Store::pending_requests hands them over); zero: never, only at start, as with one process.
  std::chrono::milliseconds outbox_look{0};
  // The wall clock, for slash commands (they carry no timestamp). Default: the system clock.
  std::function<TimePoint()> clock;
  // The Web API's HTTPS client. Default: a kept-alive TLS pool.
  platform::HttpsClientFactory http_clients;
  // A test's seam at each durable step (PosterOptions::on_durable).
  DurableHook on_durable;
  // Counts (adapters/ops/series.h) for /metrics; null: not counted. Handed on to the Web API
  // and Socket Mode options.
  ops::Metrics* metrics = nullptr;
};

class SlackAdapter final : public platform::PlatformAdapter, private EnvelopeHandler {
 public:
  // Throws std::invalid_argument when api_url is not an https:// URL.
  SlackAdapter(boost::asio::any_io_executor executor, Engine& engine, Store& store,
               net::TlsContext& tls, SlackOptions options);
  ~SlackAdapter() override;
  SlackAdapter(const SlackAdapter&) = delete;
  SlackAdapter& operator=(const SlackAdapter&) = delete;

  // auth.test, then Socket Mode until stop() or a fatal error, then the queued replies (at most
  // drain_timeout). nullopt after stop(); otherwise what went wrong, for the operator.
  std::string_view name() const override { return "slack"; }
  boost::asio::awaitable<std::optional<std::string>> run() override;
  void stop() override;

  bool ready() const { return socket_.ready(); }
  // Replies waiting in memory to be posted (at most SlackOptions::reply_queue_max).
  std::size_t queued_replies() const { return poster_.queued(); }
  bool connected() const override { return ready(); }
  // The latest trouble for /healthz: a refused auth.test, a failed or ended connection.
  std::string last_error() const override {
    return socket_.last_error().empty() ? auth_error_ : socket_.last_error();
  }
  boost::asio::awaitable<std::optional<bool>> is_member(std::string channel,
                                                        std::string user) override;
  std::optional<Outcome> submit(const InboundEvent& event) override;
  // ReplyPoster opened the channel of an incident's own (`start … new`), or could not: the
  // engine moves the incident there and both channels hear of it.
  bool room_opened(const std::string& origin, std::int64_t incident, const std::string& room,
                   const std::string& name, const std::string& error);
  std::string message_link(const std::string& channel, const std::string& ref) const override;

 private:
  // What handling an envelope gave, to send once its batch is durable.
  struct Handled {
    Ack ack;
    ReplyJob job;
  };
  enum class PinLookup { found, retry, nothing };

  DecodeContext decode_context() override;
  void on_envelopes(std::vector<Delivery> deliveries) override;
  // Handles `deliveries` in one batch, then answers each and posts the replies.
  void record(std::vector<Delivery>& deliveries);
  // One envelope inside the open batch; nullopt when it could not be recorded.
  std::optional<Handled> handle(Envelope& envelope);
  // The envelopes held behind a 📌 in `channel`, in order, until none is left.
  boost::asio::awaitable<void> work_through(std::string channel);
  // Every options_.outbox_look, posts what the outbox holds for this replica; until cancelled.
  boost::asio::awaitable<void> look_at_outbox();
  // Every second, holds Socket Mode off while options_.unable says why; until cancelled.
  boost::asio::awaitable<void> watch_store();
  // Records what look-ups in every channel finished since the last call, in one batch: with
  // many channels waiting on look-ups, one commit (one fsync) for all, not one each.
  boost::asio::awaitable<void> flush_looked_up();
  // Fetches a 📌's message into the event's body.
  boost::asio::awaitable<PinLookup> look_up_pin(Envelope& envelope);
  // Marks `envelope` as coming from a private channel, or asks first (Action::lookup_channel)
  // when it is a `start` where that is not known yet.
  void note_privacy(Envelope& envelope);
  boost::asio::awaitable<void> look_up_channel(Envelope& envelope);

  boost::asio::any_io_executor executor_;
  Engine& engine_;
  SlackOptions options_;
  platform::HttpsClientFactory clients_;
  std::unique_ptr<net::HttpsClient> http_;
  WebApi api_;
  SocketModeClient socket_;
  ReplyPoster poster_;
  boost::asio::steady_timer retry_timer_;  // between auth.test attempts; stop() cancels it
  Identity identity_;
  std::set<std::string> named_users_;  // users whose display name the engine was told
  std::map<std::string, std::deque<Delivery>> held_;  // by channel, behind a 📌 look-up
  std::size_t held_count_ = 0;                        // in held_, all channels
  bool overloaded_ = false;                           // held_max was reached; warned once
  // Envelopes whose look-up finished, in order, to be recorded together (flush_looked_up).
  std::vector<Delivery> looked_up_;
  bool flush_posted_ = false;
  // Whether a channel is private, as Slack said (events' channel_type, conversations.info): a
  // `start` there declares a private incident.
  std::map<std::string, bool> private_channels_;
  int working_ = 0;  // work_through coroutines running
  net::Signal worked_;
  std::string auth_error_;
  bool stopping_ = false;
};

}  // namespace incident::slack
