// Where the engine's replies go on Slack, and posting them after the ack.
//
// Audience → Slack: channel → chat.postMessage (or, for a slash command, the ack's response
// payload); caller → chat.postEphemeral (a plain message in a DM, where only the caller is);
// thread → in the thread of the message posted just before it; direct → the DM channel
// (conversations.open); lessons / security → the configured channels. Text is bot Markdown,
// split at Slack's recommended message size and rendered as mrkdwn.
//
// Replies survive a crash: with the event's effects, the same transaction stores an outbox item
// saying where its replies go (job_item); the item is marked done once they are posted. After a
// restart, an item still pending is posted again from the replies the store recorded for the
// event, and each message carries its key as metadata, so what went out before the crash is
// found in the channel (conversations.history / replies) and not posted twice.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/net/signal.h"
#include "adapters/slack/web_api.h"
#include "bot/engine/engine.h"
#include "bot/model/event.h"
#include "bot/model/store.h"
#include "bot/model/time.h"

namespace incident::slack {

// Slack recommends at most 4,000 characters per message (docs.slack.dev/reference/methods/
// chat.postMessage, "Truncating content"); longer texts are posted as several messages. Bytes
// of bot Markdown never count fewer than characters, and escaping grows a part only slightly.
inline constexpr std::size_t kMessageBytes = 4000;

// Which reply, if any, rides in a slash command's ack (its response payload): the first
// channel or caller reply that needs nothing back from Slack — no anchor (that needs the
// message's ts, which only chat.postMessage returns), no thread reply after it (likewise), no
// file (only the upload flow shares one), and short enough for one message. The others are posted
// through the Web API.
std::optional<std::size_t> reply_for_ack(const std::vector<Reply>& replies);

// One handled event's replies, to post in order.
struct ReplyJob {
  std::string channel;                   // where the event happened
  std::string user;                      // who sent it
  bool from_dm = false;                  // it came from a DM with the bot
  std::vector<Reply> replies;            // without the one that went in the ack
  std::vector<std::string> learn_names;  // users whose names the engine does not know yet
  // Durable jobs (job_item): the outbox key, the item's id once read back, and the Slack ts
  // before which none of its messages can have been posted.
  std::string key = {};
  std::int64_t outbox_id = 0;
  std::string since = {};
  // Read back from the outbox after a restart: a message may have gone out before the crash,
  // so each is looked for (WebApi::posted_keys) before it is posted.
  bool resumed = false;
};

// The outbox item that makes `job` survive a crash between its commit and its last post,
// enqueued in the same transaction as the event (Engine::Attach); nullopt when nothing in it
// can be posted again (ephemeral answers to the caller are not: Slack keeps no record of them,
// and they matter only in the moment). `event_key` is the handled event's: the item holds no
// text, only where the job goes; its replies are the ones the store recorded for that key, so
// a sign-in link (never stored) and DM text do not sit in the outbox. `ack` is the index of the
// reply that went in the slash command's ack, if any.
std::optional<OutboxItem> job_item(const ReplyJob& job, const std::string& event_key,
                                   std::optional<std::size_t> ack, TimePoint now);
// The outbox key job_item gives the replies of `event_key`.
std::string job_key(const std::string& event_key);

// Called after each durable step ("batch": envelopes committed; "posted": a message of a
// durable job went out, before the job is marked done). A seam for tests: they end the process
// there to prove that a crash at any step neither loses nor repeats a message.
using DurableHook = std::function<void(std::string_view step)>;

// `start … new`: the channel opened for incident `incident`, declared in `origin` (`room` its
// id), or why none could be (`room` empty, `error` saying why). False when that could not be
// recorded: the job is tried again.
using RoomOpenedHook =
    std::function<bool(const std::string& origin, std::int64_t incident, const std::string& room,
                       const std::string& name, const std::string& error)>;

struct PosterOptions {
  std::string lessons_channel;
  std::string security_channel;
  DurableHook on_durable = {};
  RoomOpenedHook room_opened = {};
  // Jobs held in memory at most (SlackOptions::reply_queue_max).
  std::size_t max_queued = 1000;
};

// Slack caps a channel topic at 250 characters (conversations.setTopic, too_long): `topic`
// (bot Markdown) as mrkdwn, cut there at a character boundary.
std::string slack_topic(std::string_view topic);

// Posts jobs in order per event channel (so confirmations in a channel keep their order), and
// channels independently of each other (so one channel's pacing or 429 does not hold up the
// rest). At most max_queued jobs wait in memory: when Slack holds replies back for minutes (429s)
// while events keep coming, the durable jobs beyond that wait in the outbox only — and every
// durable job after them too, so a channel keeps its order — until the queue is half empty,
// when the outbox is read again; a job that is not durable is dropped then, with a warning.
class ReplyPoster {
 public:
  ReplyPoster(boost::asio::any_io_executor executor, WebApi& api, Engine& engine, Store& store,
              PosterOptions options);

  // Posts `job` from memory. Not durable: for what is not (learning names, answers to the
  // caller alone, a job the outbox could not be read for).
  void post(ReplyJob job);
  // Posts `jobs` (just committed, in order), each tied to its outbox item so that it is marked
  // done once posted; first, any item of the outbox nobody is posting (left by a crash or a
  // stop): those are posted again, from the replies the store recorded, skipping the messages
  // Slack already has. With no jobs: the look at the outbox after a start. The outbox is read
  // only then and when a job is durable, so a busy channel of acks alone does not pay for it.
  void post_durable(std::vector<ReplyJob> jobs);
  bool idle() const { return workers_ == 0; }
  std::size_t queued() const { return queued_; }
  // Waits until every queued job is posted, or `timeout` passed.
  boost::asio::awaitable<void> drain(std::chrono::milliseconds timeout);

 private:
  boost::asio::awaitable<void> work(std::string channel);
  boost::asio::awaitable<void> deliver(ReplyJob job);
  // An outbox item read back as a job; nullopt when its event's replies are gone. Throws when
  // the store cannot be read.
  std::optional<ReplyJob> resumed_job(const OutboxItem& item);
  // Does what `reply.room` asks of a channel; false when it failed for now and the job should
  // be tried again.
  boost::asio::awaitable<bool> room(const ReplyJob& job, const Reply& reply);
  void finish(std::int64_t id, bool done);
  // Posts `text` (split and rendered); the first part's ts, or why it failed.
  // `key`: the first part's metadata key (the others add "/<n>"), empty for an ephemeral;
  // `posted`: the keys already in Slack, whose parts are skipped.
  boost::asio::awaitable<ApiResult<std::string>> send(
      std::string channel, std::string text, std::string thread_ts, std::string ephemeral_user,
      std::string key, const std::map<std::string, std::string>& posted);

  boost::asio::any_io_executor executor_;
  WebApi& api_;
  Engine& engine_;
  Store& store_;
  PosterOptions options_;
  std::map<std::string, std::deque<ReplyJob>> queues_;
  std::size_t queued_ = 0;  // jobs in queues_
  bool spilled_ = false;    // durable jobs were left in the outbox: read it when there is room
  int workers_ = 0;
  std::set<std::int64_t> in_flight_;  // outbox items being posted
  net::Signal done_;
};

}  // namespace incident::slack
