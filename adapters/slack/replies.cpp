#include "adapters/slack/replies.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <nlohmann/json.hpp>

#include "bot/text/markup.h"

namespace incident::slack {

namespace asio = boost::asio;
using asio::awaitable;
using nlohmann::json;

namespace {

constexpr std::string_view kPlatform = "slack";
constexpr std::string_view kReplies = "replies";

// Slack posts ephemeral answers to the caller (not in a DM) out of band: they cannot be found
// again, nor posted again usefully after a restart.
bool ephemeral(const Reply& reply, bool from_dm) {
  return reply.audience == Audience::caller && !from_dm;
}

}  // namespace

std::string job_key(const std::string& event_key) {
  return std::string(kPlatform) + "." + std::string(kReplies) + ":" + event_key;
}

std::optional<OutboxItem> job_item(const ReplyJob& job, const std::string& event_key,
                                   std::optional<std::size_t> ack, TimePoint now) {
  const bool lasting = std::any_of(job.replies.begin(), job.replies.end(),
                                   [&](const Reply& r) { return !ephemeral(r, job.from_dm); });
  if (!lasting) return std::nullopt;
  // A minute of slack for the clocks of this machine and Slack's.
  const auto since = std::chrono::duration_cast<std::chrono::seconds>(
      (now - std::chrono::minutes{1}).time_since_epoch());
  // A DM's asker stays unnamed here too: its replies go to the DM channel, which the item holds.
  json payload{{"event", event_key},
               {"user", job.from_dm ? std::string{} : job.user},
               {"from_dm", job.from_dm},
               {"since", std::to_string(since.count()) + ".000000"}};
  if (ack) payload["ack"] = *ack;
  const std::string key = job_key(event_key);
  OutboxItem item{0,   std::string(kPlatform), key, job.channel, std::string(kReplies),
                  key, payload.dump()};
  item.owned = true;  // the replica that took the event posts its replies while it lives
  return item;
}

std::string slack_topic(std::string_view topic) {
  constexpr std::size_t kTopicBytes = 250;  // never fewer characters than bytes
  std::string text = markup::to_mrkdwn(topic);
  if (text.size() <= kTopicBytes) return text;
  std::size_t cut = kTopicBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text;
}

std::optional<std::size_t> reply_for_ack(const std::vector<Reply>& replies) {
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const Reply& r = replies[i];
    if (r.audience != Audience::channel && r.audience != Audience::caller) continue;
    if (r.room || !r.channel.empty()) continue;        // not the channel the command came from
    if (r.anchor != Anchor::none || r.file) continue;  // a file needs the upload flow
    if (i + 1 < replies.size() && replies[i + 1].audience == Audience::thread) continue;
    if (r.text.size() > kMessageBytes) continue;
    return i;
  }
  return std::nullopt;
}

ReplyPoster::ReplyPoster(asio::any_io_executor executor, WebApi& api, Engine& engine, Store& store,
                         PosterOptions options)
    : executor_(executor),
      api_(api),
      engine_(engine),
      store_(store),
      options_(std::move(options)),
      done_(executor) {}

void ReplyPoster::post_durable(std::vector<ReplyJob> jobs) {
  const bool keyed =
      std::any_of(jobs.begin(), jobs.end(), [](const ReplyJob& job) { return !job.key.empty(); });
  if (!jobs.empty() && !keyed) {  // nothing in the outbox to tie them to: no read
    for (auto& job : jobs) post(std::move(job));
    return;
  }
  std::vector<OutboxItem> pending;
  try {
    pending = store_.pending_requests(std::string(kPlatform), 1000);
  } catch (const std::exception& e) {
    spdlog::error("slack: could not read the outbox: {}", e.what());
  }
  std::set<std::string> fresh;
  for (const auto& job : jobs) {
    if (!job.key.empty()) fresh.insert(job.key);
  }
  // What a crash, a stop or a failed post left behind goes first: it is older.
  for (const auto& item : pending) {
    if (in_flight_.count(item.id) || fresh.count(item.key)) continue;
    std::optional<ReplyJob> job;
    try {
      job = resumed_job(item);
    } catch (const std::exception& e) {  // left pending, for the next look
      spdlog::error("slack: could not read the replies of {}: {}", item.key, e.what());
      continue;
    }
    if (!job || job->replies.empty()) {
      finish(item.id, job.has_value());
      continue;
    }
    spdlog::info("slack: posting the replies of {} again, skipping what Slack already has",
                 item.key);
    in_flight_.insert(item.id);
    post(std::move(*job));
  }
  for (auto& job : jobs) {
    for (const auto& item : pending) {
      if (item.key == job.key && in_flight_.insert(item.id).second) job.outbox_id = item.id;
    }
    post(std::move(job));
  }
}

std::optional<ReplyJob> ReplyPoster::resumed_job(const OutboxItem& item) {
  const json payload = json::parse(item.payload, nullptr, false);
  if (item.kind != kReplies || !payload.is_object()) {
    spdlog::error("slack: outbox item {} cannot be read; dropped", item.key);
    return std::nullopt;
  }
  ReplyJob job{
      item.channel, payload.value("user", std::string{}), payload.value("from_dm", false), {}, {}};
  job.key = item.key;
  job.outbox_id = item.id;
  job.since = payload.value("since", std::string{});
  job.resumed = true;
  const auto recorded = store_.find_processed(payload.value("event", std::string{}));
  if (!recorded) return std::nullopt;
  for (std::size_t i = 0; i < recorded->size(); ++i) {
    if (payload.contains("ack") && payload["ack"] == i) continue;  // it went in the ack
    if (!ephemeral((*recorded)[i], job.from_dm)) job.replies.push_back((*recorded)[i]);
  }
  return job;
}

awaitable<bool> ReplyPoster::room(const ReplyJob& job, const Reply& reply) {
  const RoomRequest& request = *reply.room;
  const std::string channel = reply.channel.empty() ? job.channel : reply.channel;
  switch (request.kind) {
    case RoomRequest::Kind::open: {
      auto id = co_await api_.create_channel(request.name, request.is_private);
      if (!id && id.error().transient()) co_return false;
      std::string error;
      if (!id) {
        error = "Slack answered " + id.error().error;
        if (!id.error().needed.empty())
          error += "; the app needs the " + id.error().needed + " scope";
        spdlog::warn("slack: could not open #{} for INC-{}: {}", request.name, reply.incident,
                     error);
      } else {
        // Slack ids only: a name that is not one (a team, a console login) cannot be invited.
        std::vector<std::string> users;
        for (const auto& user : request.invite) {
          if (!user.empty() && (user.front() == 'U' || user.front() == 'W')) users.push_back(user);
        }
        if (!users.empty()) {
          if (auto invited = co_await api_.invite(*id, users); !invited) {
            spdlog::warn("slack: could not invite the declarer to #{}: {}", request.name,
                         invited.error().error);
          }
        }
        if (auto set = co_await api_.set_topic(*id, slack_topic(request.topic)); !set) {
          spdlog::warn("slack: could not set the topic of #{}: {}", request.name,
                       set.error().error);
        }
      }
      co_return !options_.room_opened ||
          options_.room_opened(job.channel, reply.incident, id ? *id : std::string{}, request.name,
                               error);
    }
    case RoomRequest::Kind::topic: {
      auto set = co_await api_.set_topic(channel, slack_topic(request.topic));
      co_return set || !set.error().transient();
    }
    case RoomRequest::Kind::archive: {
      auto archived = co_await api_.archive(channel);
      co_return archived || !archived.error().transient();
    }
  }
  co_return true;
}

void ReplyPoster::finish(std::int64_t id, bool done) {
  in_flight_.erase(id);
  try {
    store_.finish_request(id, done);
  } catch (const std::exception& e) {
    // Left pending: posted again, skipping what Slack has, after the next look.
    spdlog::error("slack: could not mark outbox item {} done: {}", id, e.what());
  }
}

void ReplyPoster::post(ReplyJob job) {
  if (job.replies.empty() && job.learn_names.empty()) return;
  const bool full = queued_ >= options_.max_queued;
  if (job.outbox_id != 0 && (full || spilled_)) {
    in_flight_.erase(job.outbox_id);  // the outbox keeps it until there is room
    spilled_ = true;
    return;
  }
  if (full) {
    spdlog::warn(
        "slack: {} replies wait to be posted already; one that is not durable (to {}) "
        "is dropped",
        queued_, job.channel);
    return;
  }
  ++queued_;
  const std::string channel = job.channel;
  auto [queue, fresh] = queues_.try_emplace(channel);
  queue->second.push_back(std::move(job));
  if (!fresh) return;  // that channel's worker is running and will get to it
  ++workers_;
  asio::co_spawn(executor_, work(channel), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
}

awaitable<void> ReplyPoster::work(std::string channel) {
  // The channel's entry exists exactly as long as this worker runs.
  while (true) {
    auto& queue = queues_[channel];
    if (queue.empty()) break;
    ReplyJob job = std::move(queue.front());
    co_await deliver(std::move(job));
    queues_[channel].pop_front();
    --queued_;
    if (spilled_ && queued_ <= options_.max_queued / 2) {
      spilled_ = false;
      post_durable({});  // what waited in the outbox, oldest first
    }
  }
  queues_.erase(channel);
  --workers_;
  done_.notify();
}

awaitable<void> ReplyPoster::deliver(ReplyJob job) {
  // The message posted last (not ephemeral): a `thread` reply goes under it.
  std::string root_channel;
  std::string root_ts;
  // A resumed job's messages already in Slack, by channel and thread.
  std::map<std::string, std::map<std::string, std::string>> in_slack;
  bool retry = false;    // a post failed for now: the job stays in the outbox
  std::size_t kept = 0;  // the replies not ephemeral so far: each one's key within the job
  for (const Reply& reply : job.replies) {
    std::string key;
    if (!ephemeral(reply, job.from_dm) && !job.key.empty()) {
      key = job.key + "/" + std::to_string(kept++);
    }
    std::string channel = job.channel;
    std::string thread_ts;
    std::string ephemeral_user;
    if (reply.room && reply.text.empty()) {
      retry = !(co_await room(job, reply)) || retry;
      continue;
    }
    switch (reply.audience) {
      case Audience::channel:
        if (!reply.channel.empty()) channel = reply.channel;
        break;
      case Audience::caller:
        if (!job.from_dm) ephemeral_user = job.user;
        break;
      case Audience::thread:
        if (!root_ts.empty()) {
          channel = root_channel;
          thread_ts = root_ts;
        }
        break;
      case Audience::direct: {
        const std::string user = reply.user.empty() ? job.user : reply.user;
        if (!reply.channel.empty()) {
          channel = reply.channel;
        } else if (!job.from_dm || user != job.user) {
          auto dm = co_await api_.open_dm(user);
          if (!dm) {
            retry = retry || dm.error().transient();
            continue;
          }
          channel = *dm;
        }
        break;
      }
      case Audience::lessons:
        if (!reply.channel.empty()) {
          channel = reply.channel;
          break;
        }
        if (options_.lessons_channel.empty()) {
          spdlog::warn(
              "slack: a reply for the lessons channel was dropped: "
              "INCIDENT_BOT_LESSONS_CHANNEL is not set");
          continue;
        }
        channel = options_.lessons_channel;
        break;
      case Audience::security:
        if (options_.security_channel.empty()) {
          spdlog::warn(
              "slack: a reply for the security channel was dropped: "
              "INCIDENT_BOT_SECURITY_CHANNEL is not set");
          continue;
        }
        channel = options_.security_channel;
        thread_ts = reply.thread_ref;
        break;
    }
    if (reply.file && ephemeral_user.empty() && thread_ts.empty()) {
      // A document (`publish`): shared as a file with the reply as its comment. If Slack will
      // not take it (no files:write scope), the comment alone still says what happened.
      auto uploaded = co_await api_.upload_file(channel, reply.file->name, reply.file->content,
                                                markup::to_mrkdwn(reply.text));
      if (uploaded) continue;
    }
    std::map<std::string, std::string> none;
    auto* posted = &none;
    if (job.resumed && !key.empty()) {
      auto [found, fresh] = in_slack.try_emplace(channel + " " + thread_ts);
      if (fresh) {
        auto keys = co_await api_.posted_keys(channel, thread_ts, job.since);
        if (keys) found->second = std::move(*keys);
      }
      posted = &found->second;
    }
    auto ts = co_await send(channel, reply.text, thread_ts, ephemeral_user, key, *posted);
    if (!ts) {
      retry = retry || ts.error().transient();
      continue;
    }
    if (ephemeral_user.empty()) {
      root_channel = channel;
      root_ts = thread_ts.empty() ? *ts : thread_ts;
    }
    if (reply.room) retry = !(co_await room(job, reply)) || retry;  // after its text: archive
    if (reply.anchor == Anchor::none) continue;
    try {
      engine_.anchor_posted("slack", reply, *ts);
    } catch (const std::exception& e) {
      spdlog::error("slack: could not record the posted message {}: {}", *ts, e.what());
    }
  }
  if (job.outbox_id != 0) {
    if (retry) {
      in_flight_.erase(job.outbox_id);  // posted again, skipping what went out, after the next look
    } else {
      finish(job.outbox_id, true);
    }
  }
  for (const auto& user : job.learn_names) {
    auto name = co_await api_.user_name(user);
    if (name && !name->empty()) engine_.set_display_name(user, *name);
  }
}

awaitable<ApiResult<std::string>> ReplyPoster::send(
    std::string channel, std::string text, std::string thread_ts, std::string ephemeral_user,
    std::string key, const std::map<std::string, std::string>& posted) {
  std::optional<std::string> first;
  std::size_t n = 0;
  for (const auto& part : markup::split(text, kMessageBytes)) {
    const std::string mrkdwn = markup::to_mrkdwn(part);
    if (mrkdwn.empty()) continue;  // Slack refuses an empty message (no_text)
    const std::string part_key = key.empty() || n == 0 ? key : key + "/" + std::to_string(n);
    ++n;
    ApiResult<std::string> sent;
    if (auto there = posted.find(part_key); !part_key.empty() && there != posted.end()) {
      sent = there->second;  // it went out before the restart
    } else if (ephemeral_user.empty()) {
      sent = co_await api_.post_message(channel, mrkdwn, thread_ts, part_key);
      if (sent && !part_key.empty() && options_.on_durable) options_.on_durable("posted");
    } else {
      sent = co_await api_.post_ephemeral(channel, ephemeral_user, mrkdwn);
    }
    // A failure is logged by the Web API client; the rest would read out of context.
    if (!sent) co_return sent.error();
    if (!first) first = *sent;
  }
  if (!first) co_return ApiError{ApiError::Kind::http, "nothing to post", {}, 0};
  co_return *first;
}

awaitable<void> ReplyPoster::drain(std::chrono::milliseconds timeout) {
  asio::steady_timer deadline(executor_, timeout);
  bool expired = false;
  deadline.async_wait([this, &expired](auto error) {
    if (error) return;
    expired = true;
    done_.notify();
  });
  while (workers_ > 0 && !expired) co_await done_.wait();
}

}  // namespace incident::slack
