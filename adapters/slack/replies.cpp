#include "adapters/slack/replies.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>

#include "bot/text/markup.h"

namespace incident::slack {

namespace asio = boost::asio;
using asio::awaitable;

std::optional<std::size_t> reply_for_ack(const std::vector<Reply>& replies) {
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const Reply& r = replies[i];
    if (r.audience != Audience::channel && r.audience != Audience::caller) continue;
    if (r.anchor != Anchor::none || r.file) continue;  // a file needs the upload flow
    if (i + 1 < replies.size() && replies[i + 1].audience == Audience::thread) continue;
    if (r.text.size() > kMessageBytes) continue;
    return i;
  }
  return std::nullopt;
}

ReplyPoster::ReplyPoster(asio::any_io_executor executor, WebApi& api, Engine& engine,
                         PosterOptions options)
    : executor_(executor),
      api_(api),
      engine_(engine),
      options_(std::move(options)),
      done_(executor) {}

void ReplyPoster::post(ReplyJob job) {
  if (job.replies.empty() && job.learn_names.empty()) return;
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
  }
  queues_.erase(channel);
  --workers_;
  done_.notify();
}

awaitable<void> ReplyPoster::deliver(ReplyJob job) {
  // The message posted last (not ephemeral): a `thread` reply goes under it.
  std::string root_channel;
  std::string root_ts;
  for (const Reply& reply : job.replies) {
    std::string channel = job.channel;
    std::string thread_ts;
    std::string ephemeral_user;
    switch (reply.audience) {
      case Audience::channel:
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
          if (!dm) continue;
          channel = *dm;
        }
        break;
      }
      case Audience::lessons:
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
    auto ts = co_await send(channel, reply.text, thread_ts, ephemeral_user);
    if (!ts) continue;
    if (ephemeral_user.empty()) {
      root_channel = channel;
      root_ts = thread_ts.empty() ? *ts : thread_ts;
    }
    if (reply.anchor == Anchor::none) continue;
    try {
      engine_.anchor_posted("slack", reply, *ts);
    } catch (const std::exception& e) {
      spdlog::error("slack: could not record the posted message {}: {}", *ts, e.what());
    }
  }
  for (const auto& user : job.learn_names) {
    auto name = co_await api_.user_name(user);
    if (name && !name->empty()) engine_.set_display_name(user, *name);
  }
}

awaitable<std::optional<std::string>> ReplyPoster::send(std::string channel, std::string text,
                                                        std::string thread_ts,
                                                        std::string ephemeral_user) {
  std::optional<std::string> first;
  for (const auto& part : markup::split(text, kMessageBytes)) {
    const std::string mrkdwn = markup::to_mrkdwn(part);
    if (mrkdwn.empty()) continue;  // Slack refuses an empty message (no_text)
    ApiResult<std::string> posted;
    if (ephemeral_user.empty()) {
      posted = co_await api_.post_message(channel, mrkdwn, thread_ts);
    } else {
      posted = co_await api_.post_ephemeral(channel, ephemeral_user, mrkdwn);
    }
    if (!posted) break;  // logged by the Web API client; the rest would read out of context
    if (!first) first = *posted;
  }
  co_return first;
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
