// Where the engine's replies go on Slack, and posting them after the ack.
//
// Audience → Slack: channel → chat.postMessage (or, for a slash command, the ack's response
// payload); caller → chat.postEphemeral (a plain message in a DM, where only the caller is);
// thread → in the thread of the message posted just before it; direct → the DM channel
// (conversations.open); lessons / security → the configured channels. Text is bot Markdown,
// split at Slack's recommended message size and rendered as mrkdwn.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/net/signal.h"
#include "adapters/slack/web_api.h"
#include "bot/engine/engine.h"
#include "bot/model/event.h"

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
};

struct PosterOptions {
  std::string lessons_channel;
  std::string security_channel;
};

// Posts jobs in order per event channel (so confirmations in a channel keep their order), and
// channels independently of each other (so one channel's pacing or 429 does not hold up the
// rest).
class ReplyPoster {
 public:
  ReplyPoster(boost::asio::any_io_executor executor, WebApi& api, Engine& engine,
              PosterOptions options);

  void post(ReplyJob job);
  bool idle() const { return workers_ == 0; }
  // Waits until every queued job is posted, or `timeout` passed.
  boost::asio::awaitable<void> drain(std::chrono::milliseconds timeout);

 private:
  boost::asio::awaitable<void> work(std::string channel);
  boost::asio::awaitable<void> deliver(ReplyJob job);
  // Posts `text` (split and rendered); the first part's ts, nullopt when it failed.
  boost::asio::awaitable<std::optional<std::string>> send(std::string channel, std::string text,
                                                          std::string thread_ts,
                                                          std::string ephemeral_user);

  boost::asio::any_io_executor executor_;
  WebApi& api_;
  Engine& engine_;
  PosterOptions options_;
  std::map<std::string, std::deque<ReplyJob>> queues_;
  int workers_ = 0;
  net::Signal done_;
};

}  // namespace incident::slack
