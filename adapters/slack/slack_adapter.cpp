#include "adapters/slack/slack_adapter.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <iterator>
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

WebApiOptions web_options(const SlackOptions& o, const platform::HttpsClientFactory& clients) {
  WebApiOptions web = o.web;
  web.upload_clients = [clients, http = o.http](const net::Url& origin) {
    return clients(origin, http);
  };
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

SlackAdapter::SlackAdapter(asio::any_io_executor executor, Engine& engine, Store& store,
                           net::TlsContext& tls, SlackOptions options)
    : executor_(executor),
      engine_(engine),
      options_(std::move(options)),
      clients_(options_.http_clients ? options_.http_clients
                                     : platform::keep_alive_clients(executor, tls)),
      http_(clients_(api_origin(options_.api_url), options_.http)),
      api_(*http_, web_options(options_, clients_)),
      socket_(executor, tls, api_, *this, socket_options(options_)),
      poster_(executor, api_, engine, store,
              PosterOptions{
                  options_.lessons_channel, options_.security_channel, options_.on_durable,
                  [this](const std::string& origin, std::int64_t incident, const std::string& room,
                         const std::string& name, const std::string& error) {
                    return room_opened(origin, incident, room, name, error);
                  },
                  options_.reply_queue_max}),
      retry_timer_(executor),
      worked_(executor) {
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
    poster_.post_durable({});  // what a crash or a stop left unposted
    using namespace boost::asio::experimental::awaitable_operators;
    // The purge and the reminders run alongside and are cancelled when Socket Mode ends.
    const auto ended = co_await (
        socket_.run() ||
        platform::purge_periodically(executor_, engine_, options_.clock, options_.purge_interval,
                                     "slack") ||
        platform::remind_periodically(executor_, engine_, options_.clock, options_.remind_interval,
                                      "slack", [this](const InboundEvent& e) { submit(e); }) ||
        look_at_outbox() || watch_store());
    failure = std::get<0>(ended);
  }

  // 📌 look-ups under way finish (within pin_lookup_timeout) and answer their envelopes.
  while (working_ > 0) co_await worked_.wait();

  // Replies of envelopes already acknowledged still go out, within reason; whatever is left
  // stays in the outbox and goes out after the next start.
  co_await poster_.drain(options_.drain_timeout);
  if (!poster_.idle()) spdlog::warn("slack: stopping with replies not yet posted");
  http_->shutdown();
  co_await poster_.drain(options_.drain_timeout);
  co_return failure;
}

awaitable<void> SlackAdapter::look_at_outbox() {
  asio::steady_timer timer(executor_);
  while (true) {
    if (options_.outbox_look.count() == 0) {
      timer.expires_at(asio::steady_timer::time_point::max());
    } else {
      timer.expires_after(options_.outbox_look);
    }
    co_await timer.async_wait(asio::use_awaitable);
    poster_.post_durable({});
  }
}

awaitable<void> SlackAdapter::watch_store() {
  asio::steady_timer timer(executor_);
  while (true) {
    if (options_.unable) {
      timer.expires_after(std::chrono::seconds{1});
    } else {
      timer.expires_at(asio::steady_timer::time_point::max());
    }
    co_await timer.async_wait(asio::use_awaitable);
    if (auto why = options_.unable()) {
      socket_.hold_off(std::move(*why));
    } else {
      socket_.resume();
    }
  }
}

void SlackAdapter::on_envelopes(std::vector<Delivery> deliveries) {
  std::vector<Delivery> now;
  for (auto& delivery : deliveries) {
    Envelope& envelope = delivery.envelope;
    note_privacy(envelope);
    if (envelope.action == Action::ignore) {
      spdlog::debug("slack: {} envelope ignored: {}", envelope.type, envelope.ignored);
      delivery.answer(Ack{});
      continue;
    }
    // Order within a channel: behind a 📌 still being looked up, an envelope waits its turn;
    // other channels go on.
    const std::string channel = envelope.event.channel;  // a copy: `delivery` is moved below
    const auto held = held_.find(channel);
    const bool waits = held != held_.end() || envelope.action == Action::lookup_pin ||
                       envelope.action == Action::lookup_channel;
    if (waits && held_count_ >= options_.held_max) {
      // Memory stays bounded when look-ups fall behind: unacknowledged, Slack delivers it again.
      if (!overloaded_) {
        spdlog::warn(
            "slack: {} envelopes wait behind 📌 look-ups; leaving more unacknowledged "
            "for Slack to deliver again",
            held_count_);
        overloaded_ = true;
      }
      delivery.answer(std::nullopt);
      continue;
    }
    if (held != held_.end()) {
      held->second.push_back(std::move(delivery));
      ++held_count_;
    } else if (waits) {
      held_[channel].push_back(std::move(delivery));
      ++held_count_;
      ++working_;
      asio::co_spawn(executor_, work_through(channel), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
    } else {
      now.push_back(std::move(delivery));
    }
  }
  // What finished its look-up came earlier than anything read now: recorded first, in the same
  // batch, so a channel's order holds.
  if (!looked_up_.empty()) {
    now.insert(now.begin(), std::make_move_iterator(looked_up_.begin()),
               std::make_move_iterator(looked_up_.end()));
    looked_up_.clear();
  }
  record(now);
}

awaitable<void> SlackAdapter::flush_looked_up() {
  // Let look-ups whose answers are already on the wire finish first (as SocketModeClient::drain
  // gathers frames): a few turns of the event loop that add nothing end the wait, and so do the
  // group commit's limits.
  const auto began = std::chrono::steady_clock::now();
  for (int idle = 0;
       idle < 8 && looked_up_.size() < options_.socket_mode.batch_max &&
       std::chrono::steady_clock::now() - began < options_.socket_mode.batch_gather;) {
    const std::size_t seen = looked_up_.size();
    co_await asio::post(executor_, asio::use_awaitable);
    idle = looked_up_.size() == seen ? idle + 1 : 0;
  }
  flush_posted_ = false;
  std::vector<Delivery> ready = std::move(looked_up_);
  looked_up_.clear();
  record(ready);
  --working_;  // run() waits for this too before it returns
  worked_.notify();
}

awaitable<void> SlackAdapter::work_through(std::string channel) {
  while (true) {
    auto held = held_.find(channel);
    auto& queue = held->second;
    if (queue.empty()) {
      held_.erase(held);
      break;
    }
    std::vector<Delivery> run;
    std::size_t taken = 0;
    if (queue.front().envelope.action == Action::lookup_channel) {
      Delivery start = std::move(queue.front());
      queue.pop_front();
      ++taken;
      co_await look_up_channel(start.envelope);
      run.push_back(std::move(start));
    } else if (queue.front().envelope.action == Action::lookup_pin) {
      Delivery pin = std::move(queue.front());
      queue.pop_front();
      ++taken;
      const auto found = co_await look_up_pin(pin.envelope);
      if (found == PinLookup::retry) {
        pin.answer(std::nullopt);
      } else if (found == PinLookup::nothing) {
        pin.answer(Ack{});
      } else {
        run.push_back(std::move(pin));
      }
    } else {
      // What came in behind the look-up, up to the next one: one batch.
      while (!queue.empty() && queue.front().envelope.action != Action::lookup_pin &&
             queue.front().envelope.action != Action::lookup_channel) {
        run.push_back(std::move(queue.front()));
        queue.pop_front();
        ++taken;
      }
    }
    held_count_ -= taken;
    if (overloaded_ && held_count_ <= options_.held_max / 2) {
      spdlog::info("slack: look-ups caught up; taking every envelope again");
      overloaded_ = false;
    }
    // Recorded once the event loop has taken in what other look-ups finished meanwhile.
    looked_up_.insert(looked_up_.end(), std::make_move_iterator(run.begin()),
                      std::make_move_iterator(run.end()));
    if (!looked_up_.empty() && !flush_posted_) {
      flush_posted_ = true;
      ++working_;
      asio::co_spawn(executor_, flush_looked_up(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
    }
  }
  --working_;
  worked_.notify();
}

void SlackAdapter::note_privacy(Envelope& envelope) {
  InboundEvent& event = envelope.event;
  if (event.private_channel) {
    private_channels_[event.channel] = true;
    return;
  }
  if (auto known = private_channels_.find(event.channel); known != private_channels_.end()) {
    event.private_channel = known->second;
    return;
  }
  // Only a `start` needs to know; a slash command's channel_name does not always tell.
  const auto* command = std::get_if<in::CommandText>(&event.body);
  if (envelope.action != Action::handle || command == nullptr || !envelope.slash_command) return;
  const std::string_view text = command->text;
  const auto word = text.substr(0, text.find(' '));
  if (word.size() == 5 && std::equal(word.begin(), word.end(), "start", [](char a, char b) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(a))) == b;
      })) {
    envelope.action = Action::lookup_channel;
  }
}

awaitable<void> SlackAdapter::look_up_channel(Envelope& envelope) {
  envelope.action = Action::handle;
  InboundEvent& event = envelope.event;
  auto found = co_await api_.is_private(event.channel, options_.pin_lookup_timeout);
  if (!found) {
    // Declared all the same; `start … private` still makes it private.
    spdlog::warn("slack: could not tell whether {} is a private channel: {}", event.channel,
                 found.error().error);
    co_return;
  }
  private_channels_[event.channel] = *found;
  event.private_channel = *found;
}

awaitable<SlackAdapter::PinLookup> SlackAdapter::look_up_pin(Envelope& envelope) {
  InboundEvent& event = envelope.event;
  // The message must be fetched before the fact can be stored, and stored before the ack: all
  // within Slack's 3 s. If Slack cannot tell us now, we do not ack, so the reaction is delivered
  // again (events are retried up to 3 times: at once, after 1 and 5 minutes); if the message is
  // gone or out of reach for good, there is nothing to capture, and we ack.
  auto found = co_await api_.find_message(envelope.pin_channel, envelope.pin_ts,
                                          options_.pin_lookup_timeout);
  if (!found && found.error().transient()) {
    spdlog::warn(
        "slack: could not fetch the pinned message {} in {} yet; leaving {} unacknowledged so "
        "that Slack delivers it again",
        envelope.pin_ts, envelope.pin_channel, event.key);
    co_return PinLookup::retry;
  }
  if (!found || !found->has_value()) {
    spdlog::info("slack: the pinned message {} in {} cannot be read; nothing captured",
                 envelope.pin_ts, envelope.pin_channel);
    co_return PinLookup::nothing;
  }
  const SlackMessage& message = **found;
  event.body =
      in::Pin{message.ts, message.user, message.text, parse_ts(message.ts).value_or(event.at)};
  co_return PinLookup::found;
}

void SlackAdapter::record(std::vector<Delivery>& deliveries) {
  if (deliveries.empty()) return;
  // Group commit: every envelope decided over what the earlier ones did, all durable with one
  // commit (one fsync with power durability), then all acknowledged and their replies posted.
  std::vector<std::optional<Handled>> handled;
  handled.reserve(deliveries.size());
  try {
    auto batch = engine_.batch();
    for (auto& delivery : deliveries) handled.push_back(handle(delivery.envelope));
    batch.commit();
  } catch (const std::exception& e) {
    spdlog::error("slack: could not store {} envelope(s), leaving them unacknowledged: {}",
                  deliveries.size(), e.what());
    for (auto& delivery : deliveries) delivery.answer(std::nullopt);
    return;
  }
  if (options_.on_durable) options_.on_durable("batch");
  ops::observe(options_.metrics, ops::series::kBatchEvents, {"slack"},
               static_cast<double>(deliveries.size()));
  std::vector<ReplyJob> jobs;
  for (std::size_t i = 0; i < deliveries.size(); ++i) {
    if (!handled[i]) {
      deliveries[i].answer(std::nullopt);
      continue;
    }
    deliveries[i].answer(std::move(handled[i]->ack));
    ReplyJob& job = handled[i]->job;
    std::erase_if(job.learn_names,
                  [&](const std::string& user) { return !named_users_.insert(user).second; });
    jobs.push_back(std::move(job));
  }
  poster_.post_durable(std::move(jobs));
}

std::optional<SlackAdapter::Handled> SlackAdapter::handle(Envelope& envelope) {
  InboundEvent& event = envelope.event;
  const bool from_dm = std::holds_alternative<in::DirectMessage>(event.body);
  const bool ack_reply = envelope.slash_command && envelope.accepts_response_payload;
  bool durable = false;
  // The replies' outbox item, in the event's transaction: where they go, not what they say.
  auto attach = [&](const std::vector<Reply>& replies, UnitOfWork& work) {
    const auto ack = ack_reply ? reply_for_ack(replies) : std::nullopt;
    ReplyJob job{event.channel, event.user, from_dm, replies, {}};
    if (ack) job.replies.erase(job.replies.begin() + static_cast<std::ptrdiff_t>(*ack));
    if (auto item = job_item(job, event.key, ack, options_.clock())) {
      work.outbox.push_back(std::move(*item));
      durable = true;
    }
  };
  Outcome outcome;
  try {
    outcome = engine_.handle(event, attach);  // in the open batch: durable with its commit
  } catch (const std::exception& e) {
    spdlog::error("slack: could not record {} ({}), leaving it unacknowledged: {}", event.key,
                  envelope.type, e.what());
    return std::nullopt;
  }
  if (outcome.duplicate) {
    ops::count(
        options_.metrics, ops::series::kEventsDeduplicated,
        {"slack", ops::closed(envelope.type, {"events_api", "slash_commands", "interactive"})});
    spdlog::info("slack: {} delivered again (retry {}{}{}): already recorded, not repeated",
                 event.key, envelope.retry_attempt, envelope.retry_reason.empty() ? "" : ", ",
                 envelope.retry_reason);
    return Handled{};
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

  Handled handled;
  std::vector<Reply> replies = std::move(outcome.replies);
  if (ack_reply) {
    if (auto i = reply_for_ack(replies)) {
      handled.ack.message = AckMessage{markup::to_mrkdwn(replies[*i].text),
                                       replies[*i].audience == Audience::channel};
      replies.erase(replies.begin() + static_cast<std::ptrdiff_t>(*i));
    }
  }
  handled.job = ReplyJob{event.channel, event.user, from_dm, std::move(replies), {}};
  if (durable) handled.job.key = job_key(event.key);
  // The draft replaces participants' names by roles; the engine learns them from us. DM askers
  // stay anonymous: their names are not looked up.
  if (!from_dm && !event.user.empty() && !named_users_.count(event.user)) {
    handled.job.learn_names.push_back(event.user);
  }
  return handled;
}

std::string SlackAdapter::message_link(const std::string& channel, const std::string& ref) const {
  // Slack's permalink form: the workspace URL, /archives/<channel>/p<ts without its dot>.
  const std::string& base = identity_.url;
  if (base.rfind("https://", 0) != 0 || channel.empty() || ref.size() < 3) return {};
  std::string ts;
  for (const char c : ref) {
    if (c >= '0' && c <= '9')
      ts += c;
    else if (c != '.')
      return {};  // not a message ts (a slash command has none)
  }
  return base + (base.back() == '/' ? "" : "/") + "archives/" + channel + "/p" + ts;
}

bool SlackAdapter::room_opened(const std::string& origin, std::int64_t incident,
                               const std::string& room, const std::string& name,
                               const std::string& error) {
  InboundEvent event;
  // One per incident: a create repeated after a crash finds the same channel, and this key
  // keeps the move from being recorded or announced twice.
  event.key = "slack:room:" + incident_id(incident);
  event.platform = "slack";
  event.channel = origin;
  event.at = options_.clock();
  const std::string& base = identity_.url;
  std::string link;
  if (!room.empty() && base.rfind("https://", 0) == 0) {
    link = base + (base.back() == '/' ? "" : "/") + "archives/" + room;
  }
  event.body = in::RoomOpened{incident, room, name, link, error};
  if (submit(event)) return true;
  // Not recorded: the job stays in the outbox; the next look opens it again (the create finds the
  // channel by name) and records the move then.
  spdlog::error("slack: could not record that INC-{} moved to #{}", incident, name);
  return false;
}

std::optional<Outcome> SlackAdapter::submit(const InboundEvent& event) {
  // Reminders and the review page's commands: the caller's replies are shown there (or there is
  // no caller), so only the others are posted, and made durable like an envelope's.
  ReplyJob job{event.channel, event.user, false, {}, {}};
  bool durable = false;
  auto attach = [&](const std::vector<Reply>& replies, UnitOfWork& work) {
    job.replies = replies_for_others(replies);
    if (auto item = job_item(job, event.key, std::nullopt, options_.clock())) {
      work.outbox.push_back(std::move(*item));
      durable = true;
    }
  };
  Outcome outcome;
  try {
    auto batch = engine_.batch();
    outcome = engine_.handle(event, attach);
    batch.commit();
  } catch (const std::exception& e) {
    spdlog::error("slack: could not record {}: {}", event.key, e.what());
    return std::nullopt;
  }
  if (options_.on_durable) options_.on_durable("batch");
  ops::count_outcome(options_.metrics, "slack", event, outcome);
  // A redelivered key (a reminder handed over again) was posted the first time.
  if (!outcome.duplicate) {
    job.replies = replies_for_others(outcome.replies);  // with a sign-in link, if any
    if (durable) job.key = job_key(event.key);
    poster_.post_durable({std::move(job)});
  }
  return outcome;
}

boost::asio::awaitable<std::optional<bool>> SlackAdapter::is_member(std::string channel,
                                                                    std::string user) {
  auto r = co_await api_.is_member(std::move(channel), std::move(user));
  if (!r) {
    if (!r.error().needed.empty()) {
      spdlog::warn("slack: the review page cannot check channel members: add the {} scope",
                   r.error().needed);
    }
    co_return std::nullopt;
  }
  co_return *r;
}

}  // namespace incident::slack
