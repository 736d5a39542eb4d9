#include "adapters/slack/web_api.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "adapters/ops/series.h"
#include "adapters/slack/json_fields.h"
#include "adapters/slack/protocol.h"

namespace incident::slack {

using nlohmann::json;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

bool ApiError::transient() const {
  switch (kind) {
    case Kind::transport:
      return true;
    case Kind::http:
      return status == 429 || status >= 500;
    case Kind::slack:
      return error == "ratelimited" || error == "rate_limited" || error == "internal_error" ||
             error == "fatal_error" || error == "service_unavailable" || error == "request_timeout";
  }
  return false;
}

bool ApiError::unrecoverable() const {
  // The node SDK's list of errors that stop Socket Mode for good, plus the revoked/expired
  // tokens and a token of the wrong type.
  return kind == Kind::slack && (error == "not_authed" || error == "invalid_auth" ||
                                 error == "account_inactive" || error == "user_removed_from_team" ||
                                 error == "team_disabled" || error == "token_revoked" ||
                                 error == "token_expired" || error == "not_allowed_token_type");
}

void throw_exception_from_error(const ApiError& e, const boost::source_location&) {
  throw std::runtime_error("Slack API error: " + e.error);
}

namespace {

using namespace fields;

// What an operator can do about an error (docs.slack.dev/reference/methods, "Errors").
std::string hint(const ApiError& e) {
  if (e.kind != ApiError::Kind::slack) return {};
  if (e.error == "missing_scope") {
    return " — add the scope " + (e.needed.empty() ? std::string("it names") : e.needed) +
           " to the app (deploy/slack/manifest.yaml) and reinstall it";
  }
  if (e.error == "not_in_channel")
    return " — invite the bot to the channel (/invite @incident-bot)";
  if (e.error == "channel_not_found") return " — the channel id is wrong or the bot cannot see it";
  if (e.error == "is_archived") return " — the channel is archived";
  if (e.error == "not_allowed_token_type") {
    return " — apps.connections.open needs the app-level token (xapp-…) with connections:write";
  }
  if (e.error == "invalid_auth" || e.error == "not_authed" || e.error == "token_revoked" ||
      e.error == "token_expired" || e.error == "account_inactive") {
    return " — check SLACK_BOT_TOKEN and SLACK_APP_TOKEN (and that the app is still installed)";
  }
  return {};
}

std::string describe(const ApiError& e) {
  switch (e.kind) {
    case ApiError::Kind::transport:
      return "no answer (" + e.error + ")";
    case ApiError::Kind::http:
      return e.error;
    case ApiError::Kind::slack:
      return e.error;
  }
  return e.error;
}

milliseconds retry_after(const net::HttpResponse& response, milliseconds fallback) {
  // Slack sends whole seconds (docs.slack.dev/apis/web-api/rate-limits).
  const auto header = response.header("Retry-After");
  if (!header || header->empty() || header->size() > 6 ||
      !std::all_of(header->begin(), header->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return fallback;
  }
  return std::min<milliseconds>(std::chrono::seconds(std::stol(*header)), net::kLongestRetryAfter);
}

}  // namespace

WebApi::WebApi(net::HttpsClient& http, WebApiOptions options)
    : http_(http), options_(std::move(options)) {}

void WebApi::stop() {
  stopping_ = true;
  for (auto* timer : waits_) timer->cancel();
}

boost::asio::awaitable<void> WebApi::wait(milliseconds delay) {
  if (stopping_) co_return;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
  waits_.insert(&timer);
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  waits_.erase(&timer);
}

boost::asio::awaitable<ApiResult<json>> WebApi::call(Call c) {
  net::HttpRequest request;
  request.method = "POST";
  request.target = options_.api_target + c.method;
  request.headers = {
      {"Authorization", "Bearer " + (c.app_token ? options_.app_token : options_.bot_token)}};
  request.content_type = "application/x-www-form-urlencoded";
  request.body = net::form_encode(c.fields);
  net::Backoff backoff(options_.retry);
  int failures = 0;
  int limited = 0;
  while (true) {
    auto pace = limiter_.acquire(c.method);
    if (!c.pace_key.empty()) {
      pace = std::max(pace, limiter_.acquire(c.pace_key, {options_.post_interval, 1}));
    }
    if (c.deadline && Clock::now() + pace >= *c.deadline) {
      co_return ApiError{ApiError::Kind::http, "rate limited past the deadline", {}, 429};
    }
    if (pace.count() > 0) co_await wait(pace);
    if (stopping_ && (failures > 0 || limited > 0)) {
      co_return ApiError{ApiError::Kind::transport, "shutting down", {}, 0};
    }
    if (c.deadline) {
      request.timeout =
          std::max(milliseconds{1}, std::chrono::ceil<milliseconds>(*c.deadline - Clock::now()));
    }

    ApiError error;
    // The method names are this file's literals: a closed vocabulary for the label.
    const ops::LabelValues labels{"slack", c.method};
    ops::count(options_.metrics, ops::series::kApiCalls, labels);
    auto response = co_await http_.request(request);
    if (!response && response.error() == boost::asio::error::operation_aborted) {
      co_return ApiError{ApiError::Kind::transport, "shutting down", {}, 0};  // no retry
    }
    if (response && response->status == 429) {
      ops::count(options_.metrics, ops::series::kApiRateLimited, labels);
    } else if (!response || response->status != 200) {
      ops::count(options_.metrics, ops::series::kApiErrors, labels);
    }
    if (!response) {
      error = {ApiError::Kind::transport, response.error().message(), {}, 0};
    } else if (response->status == 429) {
      const auto delay = retry_after(*response, options_.default_retry_after);
      limiter_.block(c.method, delay);
      if (++limited < options_.rate_limited_attempts &&
          (!c.deadline || Clock::now() + delay < *c.deadline)) {
        spdlog::warn("slack: {} is rate limited: next try in {} ms (Retry-After)", c.method,
                     delay.count());
        continue;
      }
      error = {ApiError::Kind::http, "HTTP 429 (rate limited)", {}, 429};
    } else if (response->status != 200) {
      error = {
          ApiError::Kind::http, "HTTP " + std::to_string(response->status), {}, response->status};
    } else {
      json body = json::parse(response->body, nullptr, false);
      auto ok = body.is_object() ? body.find("ok") : body.end();
      if (!body.is_object()) {
        ops::count(options_.metrics, ops::series::kApiErrors, labels);
        error = {ApiError::Kind::http, "a response that is not JSON", {}, 200};
      } else if (ok == body.end() || !ok->is_boolean() || !ok->get<bool>()) {
        ops::count(options_.metrics, ops::series::kApiErrors, labels);
        error = {ApiError::Kind::slack, str(body, "error"), str(body, "needed"), 200};
        if (error.error.empty()) error.error = "ok:false without an error";
      } else {
        if (c.method == "chat.postMessage" || c.method == "chat.postEphemeral") {
          ops::count(options_.metrics, ops::series::kMessagesSent, {"slack"});
        }
        // in_place: nlohmann::json converts implicitly to almost anything, ApiError included.
        co_return ApiResult<json>(boost::system::in_place_value, std::move(body));
      }
    }

    if (error.transient() && ++failures < options_.attempts) {
      const auto delay = backoff.next();
      if (!c.deadline || Clock::now() + delay < *c.deadline) {
        spdlog::info("slack: {}: {}; retrying in {} ms", c.method, describe(error), delay.count());
        co_await wait(delay);
        continue;
      }
    }
    spdlog::warn("slack: {} failed: {}{}", c.method, describe(error), hint(error));
    co_return error;
  }
}

boost::asio::awaitable<ApiResult<Identity>> WebApi::auth_test() {
  Call c{"auth.test", {}, false, {}, std::nullopt};
  auto r = co_await call(std::move(c));
  if (!r) co_return r.error();
  co_return Identity{str(*r, "user_id"), str(*r, "bot_id"), str(*r, "team_id"), str(*r, "team"),
                     str(*r, "url")};
}

boost::asio::awaitable<ApiResult<std::string>> WebApi::open_connection() {
  Call c{"apps.connections.open", {}, true, {}, std::nullopt};
  auto r = co_await call(std::move(c));
  if (!r) co_return r.error();
  std::string url = str(*r, "url");
  if (url.empty()) co_return ApiError{ApiError::Kind::http, "no url in the response", {}, 200};
  co_return url;
}

boost::asio::awaitable<ApiResult<std::string>> WebApi::post_message(std::string channel,
                                                                    std::string text,
                                                                    std::string thread_ts,
                                                                    std::string key) {
  net::FormFields fields{{"channel", channel},
                         {"text", std::move(text)},
                         {"unfurl_links", "false"},
                         {"unfurl_media", "false"}};
  if (!thread_ts.empty()) fields.emplace_back("thread_ts", std::move(thread_ts));
  if (!key.empty()) {
    const json metadata{{"event_type", kReplyEventType}, {"event_payload", {{"key", key}}}};
    fields.emplace_back("metadata", metadata.dump());
  }
  Call c{"chat.postMessage", std::move(fields), false, "chat.postMessage:" + channel, std::nullopt};
  auto r = co_await call(std::move(c));
  if (!r) co_return r.error();
  co_return str(*r, "ts");
}

boost::asio::awaitable<ApiResult<std::string>> WebApi::post_ephemeral(std::string channel,
                                                                      std::string user,
                                                                      std::string text) {
  net::FormFields fields{
      {"channel", std::move(channel)}, {"user", std::move(user)}, {"text", std::move(text)}};
  Call c{"chat.postEphemeral", std::move(fields), false, {}, std::nullopt};
  auto r = co_await call(std::move(c));
  if (!r) co_return r.error();
  co_return str(*r, "message_ts");
}

boost::asio::awaitable<ApiResult<std::string>> WebApi::upload_file(std::string channel,
                                                                   std::string filename,
                                                                   std::string content,
                                                                   std::string comment) {
  Call get{"files.getUploadURLExternal",
           {{"filename", filename}, {"length", std::to_string(content.size())}},
           false,
           {},
           std::nullopt};
  auto r = co_await call(std::move(get));
  if (!r) co_return r.error();
  const std::string file_id = str(*r, "file_id");
  const auto url = net::Url::parse(str(*r, "upload_url"));
  if (file_id.empty() || !url || url->scheme != "https") {
    co_return ApiError{
        ApiError::Kind::http, "no https upload_url or file_id in the response", {}, 200};
  }
  if (!options_.upload_clients) {
    co_return ApiError{ApiError::Kind::transport, "file uploads are not set up", {}, 0};
  }
  // The URL is signed for this one upload: no token goes to it.
  auto client = options_.upload_clients(*url);
  net::HttpRequest put;
  put.method = "POST";
  put.target = url->target;
  put.content_type = "application/octet-stream";
  put.body = std::move(content);
  net::Backoff backoff(options_.retry);
  ApiError error;
  for (int attempt = 1;; ++attempt) {
    auto sent = co_await client->request(put);
    if (sent && sent->status == 200) break;
    error = sent ? ApiError{ApiError::Kind::http,
                            "HTTP " + std::to_string(sent->status),
                            {},
                            sent->status}
                 : ApiError{ApiError::Kind::transport, sent.error().message(), {}, 0};
    if (!error.transient() || attempt >= options_.attempts || stopping_) {
      spdlog::warn("slack: uploading {} failed: {}", filename, describe(error));
      co_return error;
    }
    co_await wait(backoff.next());
  }
  json files = json::array({{{"id", file_id}, {"title", filename}}});
  Call complete{"files.completeUploadExternal",
                {{"files", files.dump()}, {"channel_id", channel}, {"initial_comment", comment}},
                false,
                "chat.postMessage:" + channel,
                std::nullopt};
  auto done = co_await call(std::move(complete));
  if (!done) co_return done.error();
  co_return file_id;
}

boost::asio::awaitable<ApiResult<std::string>> WebApi::open_dm(std::string user) {
  if (auto it = dm_channels_.find(user); it != dm_channels_.end()) co_return it->second;
  net::FormFields fields{{"users", user}};
  Call c{"conversations.open", std::move(fields), false, {}, std::nullopt};
  auto r = co_await call(std::move(c));
  if (!r) co_return r.error();
  std::string channel = str(obj(*r, "channel"), "id");
  if (channel.empty())
    co_return ApiError{ApiError::Kind::http, "no channel in the response", {}, 200};
  dm_channels_[user] = channel;
  co_return channel;
}

boost::asio::awaitable<ApiResult<std::optional<SlackMessage>>> WebApi::lookup(
    std::string method, net::FormFields fields, std::string ts, Clock::time_point deadline) {
  Call c{std::move(method), std::move(fields), false, {}, deadline};
  auto r = co_await call(std::move(c));
  if (!r) co_return r.error();
  auto messages = r->find("messages");
  if (messages == r->end() || !messages->is_array()) co_return std::optional<SlackMessage>{};
  for (const auto& m : *messages) {
    if (str(m, "ts") != ts) continue;
    std::string author = str(m, "user");
    if (author.empty()) author = str(m, "bot_id");
    co_return std::optional<SlackMessage>{SlackMessage{ts, author, unescape_text(str(m, "text"))}};
  }
  co_return std::optional<SlackMessage>{};
}

boost::asio::awaitable<ApiResult<std::optional<SlackMessage>>> WebApi::find_message(
    std::string channel, std::string ts, milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  net::FormFields history{
      {"channel", channel}, {"latest", ts}, {"inclusive", "true"}, {"limit", "1"}};
  auto top = co_await lookup("conversations.history", std::move(history), ts, until);
  if (!top || top->has_value()) co_return top;
  // A thread reply: conversations.replies takes the ts of any message in a thread and returns
  // the parent first, then the replies from `oldest` on.
  net::FormFields replies{
      {"channel", channel}, {"ts", ts}, {"oldest", ts}, {"inclusive", "true"}, {"limit", "10"}};
  co_return co_await lookup("conversations.replies", std::move(replies), ts, until);
}

boost::asio::awaitable<ApiResult<std::map<std::string, std::string>>> WebApi::posted_keys(
    std::string channel, std::string thread_ts, std::string oldest) {
  std::map<std::string, std::string> keys;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    net::FormFields fields{{"channel", channel},
                           {"oldest", oldest},
                           {"include_all_metadata", "true"},
                           {"limit", "200"}};
    if (!thread_ts.empty()) fields.emplace_back("ts", thread_ts);
    if (!cursor.empty()) fields.emplace_back("cursor", cursor);
    Call c{thread_ts.empty() ? "conversations.history" : "conversations.replies",
           std::move(fields),
           false,
           {},
           std::nullopt};
    auto r = co_await call(std::move(c));
    if (!r) co_return r.error();
    auto messages = r->find("messages");
    if (messages == r->end() || !messages->is_array()) break;
    for (const auto& m : *messages) {
      const json& metadata = obj(m, "metadata");
      if (str(metadata, "event_type") != kReplyEventType) continue;
      const std::string key = str(obj(metadata, "event_payload"), "key");
      if (!key.empty()) keys.emplace(key, str(m, "ts"));
    }
    cursor = str(obj(*r, "response_metadata"), "next_cursor");
    if (cursor.empty()) break;
  }
  co_return keys;
}

boost::asio::awaitable<ApiResult<bool>> WebApi::is_member(std::string channel, std::string user) {
  std::string cursor;
  // A channel of tens of thousands is a few pages; the bound keeps a looping cursor finite.
  for (int page = 0; page < 50; ++page) {
    net::FormFields fields{{"channel", channel}, {"limit", "1000"}};
    if (!cursor.empty()) fields.emplace_back("cursor", cursor);
    Call c{"conversations.members", std::move(fields), false, {}, std::nullopt};
    auto r = co_await call(std::move(c));
    if (!r) co_return r.error();
    auto members = r->find("members");
    if (members != r->end() && members->is_array()) {
      for (const auto& m : *members) {
        if (m.is_string() && m.get<std::string>() == user) co_return true;
      }
    }
    cursor = str(obj(*r, "response_metadata"), "next_cursor");
    if (cursor.empty()) co_return false;
  }
  co_return false;
}

boost::asio::awaitable<ApiResult<std::string>> WebApi::create_channel(std::string name,
                                                                      bool is_private) {
  net::FormFields fields{{"name", name}, {"is_private", is_private ? "true" : "false"}};
  Call create{"conversations.create", std::move(fields), false, {}, std::nullopt};
  auto created = co_await call(std::move(create));
  if (created) {
    std::string id = str(obj(*created, "channel"), "id");
    if (id.empty()) co_return ApiError{ApiError::Kind::http, "no channel in the response", {}, 200};
    co_return id;
  }
  if (created.error().kind != ApiError::Kind::slack || created.error().error != "name_taken") {
    co_return created.error();
  }
  std::string cursor;
  for (int page = 0; page < 50; ++page) {  // the bound keeps a looping cursor finite
    net::FormFields list{{"types", "public_channel,private_channel"},
                         {"exclude_archived", "true"},
                         {"limit", "1000"}};
    if (!cursor.empty()) list.emplace_back("cursor", cursor);
    Call c{"conversations.list", std::move(list), false, {}, std::nullopt};
    auto r = co_await call(std::move(c));
    if (!r) co_return r.error();
    if (auto channels = r->find("channels"); channels != r->end() && channels->is_array()) {
      for (const auto& c : *channels) {
        if (str(c, "name") == name && c.value("is_member", false)) co_return str(c, "id");
      }
    }
    cursor = str(obj(*r, "response_metadata"), "next_cursor");
    if (cursor.empty()) break;
  }
  co_return created.error();  // taken by a channel the bot is not in: not ours
}

boost::asio::awaitable<ApiResult<bool>> WebApi::is_private(std::string channel,
                                                           milliseconds deadline) {
  net::FormFields fields{{"channel", channel}};
  Call c{"conversations.info", std::move(fields), false, {}, Clock::now() + deadline};
  auto r = co_await call(std::move(c));
  if (!r) co_return r.error();
  const json& info = obj(*r, "channel");
  co_return info.value("is_private", false) || info.value("is_group", false);
}

boost::asio::awaitable<ApiResult<bool>> WebApi::invite(std::string channel,
                                                       std::vector<std::string> users) {
  std::string list;
  for (const auto& user : users) list += (list.empty() ? "" : ",") + user;
  net::FormFields fields{{"channel", channel}, {"users", list}, {"force", "true"}};
  Call c{"conversations.invite", std::move(fields), false, {}, std::nullopt};
  auto r = co_await call(std::move(c));
  if (!r && !(r.error().kind == ApiError::Kind::slack && r.error().error == "already_in_channel")) {
    co_return r.error();
  }
  co_return true;
}

boost::asio::awaitable<ApiResult<bool>> WebApi::set_topic(std::string channel, std::string topic) {
  net::FormFields fields{{"channel", channel}, {"topic", topic}};
  Call c{"conversations.setTopic", std::move(fields), false, {}, std::nullopt};
  auto r = co_await call(std::move(c));
  if (!r) co_return r.error();
  co_return true;
}

boost::asio::awaitable<ApiResult<bool>> WebApi::archive(std::string channel) {
  net::FormFields fields{{"channel", channel}};
  Call c{"conversations.archive", std::move(fields), false, {}, std::nullopt};
  auto r = co_await call(std::move(c));
  if (!r && !(r.error().kind == ApiError::Kind::slack && r.error().error == "already_archived")) {
    co_return r.error();
  }
  co_return true;
}

boost::asio::awaitable<ApiResult<std::string>> WebApi::user_name(std::string user) {
  if (auto it = user_names_.find(user); it != user_names_.end()) co_return it->second;
  net::FormFields fields{{"user", user}};
  Call c{"users.info", std::move(fields), false, {}, std::nullopt};
  auto r = co_await call(std::move(c));
  if (!r) co_return r.error();
  const json& u = obj(*r, "user");
  const json& profile = obj(u, "profile");
  std::string name = str(u, "real_name");
  if (name.empty()) name = str(profile, "real_name");
  if (name.empty()) name = str(profile, "display_name");
  if (name.empty()) name = str(u, "name");
  user_names_[user] = name;
  co_return name;
}

}  // namespace incident::slack
