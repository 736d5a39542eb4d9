// The Slack Web API calls the bot makes (docs.slack.dev/reference/methods), over an injected
// HttpsClient. Every call is a form-encoded POST with the token in the Authorization header
// (the form every method accepts, docs.slack.dev/apis/web-api). Per method: HTTP 429 is honoured
// with its Retry-After (api.slack.com/apis/rate-limits), 5xx and transport failures are retried
// with backoff, `ok:false` becomes an ApiError with a log line that says what to do about it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "adapters/net/backoff.h"
#include "adapters/net/https_client.h"
#include "adapters/net/rate_limiter.h"
#include "adapters/net/url.h"

namespace incident::ops {
class Metrics;
}

namespace incident::slack {

struct ApiError {
  enum class Kind {
    transport,  // no answer: connect, TLS, timeout (`error` is the system's message)
    http,       // an answer that is not the API's (`error` is e.g. "HTTP 502")
    slack,      // ok:false (`error` is Slack's code, e.g. "not_in_channel")
  };
  Kind kind = Kind::transport;
  std::string error;
  std::string needed;  // missing_scope: the scope to add
  int status = 0;      // the HTTP status, when there was an answer

  // Worth trying again later (the same request may succeed): transport, 5xx, rate limits.
  bool transient() const;
  // Retrying cannot help and the bot cannot run: the token is wrong or revoked.
  bool unrecoverable() const;
};

// For boost::system::result<T, ApiError>::value(), which throws on an error.
[[noreturn]] void throw_exception_from_error(const ApiError& e, const boost::source_location&);

template <class T>
using ApiResult = boost::system::result<T, ApiError>;

struct WebApiOptions {
  std::string bot_token;           // xoxb-…: every method but apps.connections.open
  std::string app_token;           // xapp-…: apps.connections.open only
  std::string api_target;          // the base URL's path, "/api/"
  int attempts = 4;                // per call, for 5xx and transport failures
  int rate_limited_attempts = 10;  // per call, for 429s
  net::Backoff::Policy retry{std::chrono::milliseconds{500}, std::chrono::milliseconds{30000}};
  // chat.postMessage: about one message per second per channel ("special" tier).
  std::chrono::milliseconds post_interval{1000};
  // A 429 without Retry-After (never seen from Slack): wait this long.
  std::chrono::milliseconds default_retry_after{30000};
  ops::Metrics* metrics = nullptr;  // calls, errors and 429s per method; null: not counted
  // A client for the origin of a file upload URL (files.getUploadURLExternal answers one on
  // another host); null: files cannot be uploaded.
  std::function<std::unique_ptr<net::HttpsClient>(const net::Url& origin)> upload_clients;
};

struct Identity {
  std::string user_id;  // the bot user: our own messages are ignored
  std::string bot_id;
  std::string team_id;
  std::string team;
  std::string url;  // the workspace, "https://acme.slack.com/": message links start with it
};

// A message as conversations.history / conversations.replies return it.
struct SlackMessage {
  std::string ts;
  std::string user;  // or the bot_id for a bot's message
  std::string text;  // unescaped
};

// The metadata event type of the bot's replies (docs.slack.dev/messaging/message-metadata).
inline constexpr std::string_view kReplyEventType = "incident_bot_reply";

class WebApi {
 public:
  WebApi(net::HttpsClient& http, WebApiOptions options);

  // auth.test: who the bot token belongs to.
  boost::asio::awaitable<ApiResult<Identity>> auth_test();
  // apps.connections.open with the app-level token (the method requires it in the header):
  // a fresh wss:// URL with a one-time ticket. Tier 1.
  boost::asio::awaitable<ApiResult<std::string>> open_connection();
  // chat.postMessage in mrkdwn, in a thread when `thread_ts` is set, without link previews.
  // Paced per channel. Returns the message's ts. A non-empty `key` rides along as the message's
  // metadata (kReplyEventType), so that posted_keys can tell later that it went out.
  boost::asio::awaitable<ApiResult<std::string>> post_message(std::string channel, std::string text,
                                                              std::string thread_ts = {},
                                                              std::string key = {});
  // chat.postEphemeral: seen by `user` only.
  boost::asio::awaitable<ApiResult<std::string>> post_ephemeral(std::string channel,
                                                                std::string user, std::string text);
  // conversations.open: the DM channel with `user` (cached).
  boost::asio::awaitable<ApiResult<std::string>> open_dm(std::string user);
  // The message `ts` in `channel`: conversations.history (latest=ts, inclusive, limit=1) finds
  // a top-level message; a thread reply is not in the history, so conversations.replies (ts)
  // is asked next. nullopt when neither has it. The whole look-up ends within `deadline`.
  boost::asio::awaitable<ApiResult<std::optional<SlackMessage>>> find_message(
      std::string channel, std::string ts, std::chrono::milliseconds deadline);
  // The keys of the bot's messages (post_message's `key`) posted in `channel` since `oldest`
  // (a Slack ts), each with its ts: the top level from conversations.history, or the thread of
  // `thread_ts` from conversations.replies, both with include_all_metadata. A few pages at most:
  // a restart asks about the last minutes.
  boost::asio::awaitable<ApiResult<std::map<std::string, std::string>>> posted_keys(
      std::string channel, std::string thread_ts, std::string oldest);
  // conversations.members, page by page: whether `user` is in `channel` now (the review page's
  // read check; needs channels:read and groups:read).
  boost::asio::awaitable<ApiResult<bool>> is_member(std::string channel, std::string user);
  // Slack's upload flow (docs.slack.dev/messaging/working-with-files): files.getUploadURLExternal
  // for a URL and a file id, the bytes POSTed to that URL, then files.completeUploadExternal
  // shares the file in `channel` with `comment` (mrkdwn) introducing it. Needs files:write.
  boost::asio::awaitable<ApiResult<std::string>> upload_file(std::string channel,
                                                             std::string filename,
                                                             std::string content,
                                                             std::string comment);
  // An incident's own channel (`start … new`), each call needing channels:manage for a public
  // channel and groups:write for a private one.
  // conversations.create: the new channel's id. A repeated create (after a crash) answers
  // name_taken; the channel of that name the bot is in is then found with conversations.list,
  // so the same channel is used, never a second one.
  boost::asio::awaitable<ApiResult<std::string>> create_channel(std::string name, bool is_private);
  // conversations.info: whether `channel` is private (needs channels:read, groups:read).
  boost::asio::awaitable<ApiResult<bool>> is_private(std::string channel,
                                                     std::chrono::milliseconds deadline);
  // conversations.invite with force: every user who can be invited is, even if some cannot.
  boost::asio::awaitable<ApiResult<bool>> invite(std::string channel,
                                                 std::vector<std::string> users);
  boost::asio::awaitable<ApiResult<bool>> set_topic(std::string channel, std::string topic);
  // conversations.archive; a channel archived already counts as done.
  boost::asio::awaitable<ApiResult<bool>> archive(std::string channel);
  // users.info: the user's real name, else display name (cached).
  boost::asio::awaitable<ApiResult<std::string>> user_name(std::string user);

  // Shutting down: every wait for a retry or a Retry-After ends now, and from now on each call
  // is tried once, so nothing holds up the exit.
  void stop();

 private:
  struct Call {
    std::string method;
    net::FormFields fields;
    bool app_token = false;
    std::string pace_key;  // an extra rate-limit key (chat.postMessage: the channel)
    std::optional<std::chrono::steady_clock::time_point> deadline;
  };
  boost::asio::awaitable<ApiResult<nlohmann::json>> call(Call call);
  // Waits `delay` unless stop() ends it first.
  boost::asio::awaitable<void> wait(std::chrono::milliseconds delay);
  boost::asio::awaitable<ApiResult<std::optional<SlackMessage>>> lookup(
      std::string method, net::FormFields fields, std::string ts,
      std::chrono::steady_clock::time_point deadline);

  net::HttpsClient& http_;
  WebApiOptions options_;
  net::RateLimiter limiter_;
  std::set<boost::asio::steady_timer*> waits_;
  bool stopping_ = false;
  std::map<std::string, std::string> dm_channels_;
  std::map<std::string, std::string> user_names_;
};

}  // namespace incident::slack
