#include "adapters/slack/slack_adapter.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "adapters/ops/series.h"
#include "bot/text/markup.h"

namespace incident::slack {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

net::Url api_origin(const std::string& api_url) {
  return platform::https_url("SLACK_API_URL", api_url);
}

WebApiOptions web_options(const SlackOptions& o) {
  WebApiOptions web = o.web;
  web.bot_token = o.bot_token;
  web.app_token = o.app_token;
  web.api_target = api_origin(o.api_url).target;
  web.metrics = o.metrics;
  if (web.api_target.back() != '/') web.api_target += '/';
  return web;
}

SocketModeOptions socket_options(const SlackOptions& o) {
  SocketModeOptions socket = o.socket_mode;
  socket.metrics = o.metrics;
  return socket;
}

}  // namespace

SlackAdapter::SlackAdapter(asio::any_io_executor executor, Engine& engine, net::TlsContext& tls,
                           SlackOptions options)
    : executor_(executor),
      engine_(engine),
      options_(std::move(options)),
      http_((options_.http_clients ? options_.http_clients
                                   : platform::keep_alive_clients(executor, tls))(
          api_origin(options_.api_url), options_.http)),
      api_(*http_, web_options(options_)),
      socket_(executor, tls, api_, *this, socket_options(options_)),
      poster_(executor, api_, engine,
              PosterOptions{options_.lessons_channel, options_.security_channel}),
      retry_timer_(executor) {
  if (!options_.clock) options_.clock = platform::system_now;
}

SlackAdapter::~SlackAdapter() = default;

void SlackAdapter::stop() {
  stopping_ = true;
  retry_timer_.cancel();
  api_.stop();
  socket_.stop();
}

DecodeContext SlackAdapter::decode_context() {
  return DecodeContext{identity_.user_id, identity_.bot_id, options_.slash_command,
                       options_.clock()};
}

awaitable<std::optional<std::string>> SlackAdapter::run() {
  std::optional<std::string> failure;
  net::Backoff backoff(options_.socket_mode.reconnect);
  while (!stopping_) {
    auto who = co_await api_.auth_test();
    if (who) {
      identity_ = *who;
      spdlog::info("slack: signed in as {} (bot {}) in {}", identity_.user_id, identity_.bot_id,
                   identity_.team);
      break;
    }
    auth_error_ = "auth.test: " + who.error().error;
    if (!who.error().transient()) {
      failure = "auth.test refused the bot token (" + who.error().error +
                "): check SLACK_BOT_TOKEN (OAuth & Permissions → Bot User OAuth Token)";
      break;
    }
    // Slack unreachable at start: a service keeps trying rather than exit.
    retry_timer_.expires_after(backoff.next());
    co_await retry_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  if (!failure && !stopping_) {
    using namespace boost::asio::experimental::awaitable_operators;
    // The purge runs alongside and is cancelled when Socket Mode ends.
    const auto ended =
        co_await (socket_.run() || platform::purge_periodically(executor_, engine_, options_.clock,
                                                                options_.purge_interval, "slack"));
    failure = std::get<0>(ended);
  }

  // Replies of envelopes already acknowledged still go out, within reason; then whatever is
  // left is abandoned (its facts are stored; only the confirmation is lost).
  co_await poster_.drain(options_.drain_timeout);
  if (!poster_.idle()) spdlog::warn("slack: stopping with replies not yet posted");
  http_->shutdown();
  co_await poster_.drain(options_.drain_timeout);
  co_return failure;
}

awaitable<std::optional<Ack>> SlackAdapter::on_envelope(Envelope envelope) {
  if (envelope.action == Action::ignore) {
    spdlog::debug("slack: {} envelope ignored: {}", envelope.type, envelope.ignored);
    co_return Ack{};
  }
  InboundEvent& event = envelope.event;

  if (envelope.action == Action::lookup_pin) {
    // The message must be fetched before the fact can be stored, and stored before the ack:
    // all within Slack's 3 s. If Slack cannot tell us now, we do not ack, so the reaction is
    // delivered again (events are retried up to 3 times: at once, after 1 and 5 minutes); if
    // the message is gone or out of reach for good, there is nothing to capture, and we ack.
    auto found = co_await api_.find_message(envelope.pin_channel, envelope.pin_ts,
                                            options_.pin_lookup_timeout);
    if (!found && found.error().transient()) {
      spdlog::warn(
          "slack: could not fetch the pinned message {} in {} yet; leaving {} "
          "unacknowledged so that Slack delivers it again",
          envelope.pin_ts, envelope.pin_channel, event.key);
      co_return std::nullopt;
    }
    if (!found || !found->has_value()) {
      spdlog::info("slack: the pinned message {} in {} cannot be read; nothing captured",
                   envelope.pin_ts, envelope.pin_channel);
      co_return Ack{};
    }
    const SlackMessage& message = **found;
    event.body =
        in::Pin{message.ts, message.user, message.text, parse_ts(message.ts).value_or(event.at)};
  }

  Outcome outcome;
  try {
    outcome = engine_.handle(event);  // commits before it returns
  } catch (const std::exception& e) {
    spdlog::error("slack: could not record {} ({}), leaving it unacknowledged: {}", event.key,
                  envelope.type, e.what());
    co_return std::nullopt;
  }
  if (outcome.duplicate) {
    ops::count(
        options_.metrics, ops::series::kEventsDeduplicated,
        {"slack", ops::closed(envelope.type, {"events_api", "slash_commands", "interactive"})});
    spdlog::info("slack: {} delivered again (retry {}{}{}): already recorded, not repeated",
                 event.key, envelope.retry_attempt, envelope.retry_reason.empty() ? "" : ", ",
                 envelope.retry_reason);
    co_return Ack{};
  }

  ops::count_outcome(options_.metrics, "slack", event, outcome);
  // Private messages (DMs, relays in a security case's thread) are logged by size and topic,
  // never by their words (deploy/README.md, "What is stored and logged").
  if (!outcome.topic.empty()) {
    std::size_t length = 0;
    if (const auto* dm = std::get_if<in::DirectMessage>(&event.body)) length = dm->text.size();
    if (const auto* reply = std::get_if<in::ThreadReply>(&event.body)) length = reply->text.size();
    spdlog::info("slack: private message ({} characters): {}", length, outcome.topic);
  }

  Ack ack;
  std::vector<Reply> replies = std::move(outcome.replies);
  if (envelope.slash_command && envelope.accepts_response_payload) {
    if (auto i = reply_for_ack(replies)) {
      ack.message = AckMessage{markup::to_mrkdwn(replies[*i].text),
                               replies[*i].audience == Audience::channel};
      replies.erase(replies.begin() + static_cast<std::ptrdiff_t>(*i));
    }
  }
  const bool from_dm = std::holds_alternative<in::DirectMessage>(event.body);
  ReplyJob job{event.channel, event.user, from_dm, std::move(replies), {}};
  // The draft replaces participants' names by roles; the engine learns them from us. DM askers
  // stay anonymous: their names are not looked up.
  if (!from_dm && !event.user.empty() && named_users_.insert(event.user).second) {
    job.learn_names.push_back(event.user);
  }
  poster_.post(std::move(job));
  co_return ack;
}

}  // namespace incident::slack
