#include "adapters/slack/protocol.h"

#include <nlohmann/json.hpp>

#include "adapters/slack/json_fields.h"

namespace incident::slack {
namespace {

using nlohmann::json;

// Slack frames are a few levels deep (the 127 KB block_actions fixture: 15). Anything much
// deeper is hostile; rejecting it before parsing keeps work and memory bounded.
constexpr int kMaxDepth = 64;

bool too_deep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

using namespace fields;

// Slack sends some booleans as strings (slash command payloads are form fields turned JSON).
bool flag(const json& j, const char* key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  if (it == j.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_string() && it->get<std::string>() == "true";
}

class Decoder {
 public:
  Decoder(const DecodeContext& context, Envelope& out) : context_(context), out_(out) {}

  void events_api(const json& payload) {
    if (str(payload, "type") != "event_callback")
      return ignore("payload type is not event_callback");
    const std::string event_id = str(payload, "event_id");
    if (event_id.empty()) return ignore("event without event_id");
    const json& event = obj(payload, "event");
    out_.event.key = "slack:" + event_id;
    const std::string type = str(event, "type");
    if (type == "message") return message(event);
    if (type == "reaction_added") return reaction(event);
    if (type == "app_mention") return mention(event);
    ignore("event type " + type);
  }

  void slash_commands(const json& payload) {
    const std::string command = str(payload, "command");
    if (command != context_.slash_command)
      return ignore("slash command " + command + " is not ours");
    const std::string trigger = str(payload, "trigger_id");
    // Without a trigger_id (never seen in practice) the envelope is the only handle; slash
    // commands are not redelivered, so it is unique all the same.
    out_.event.key =
        trigger.empty() ? "slack:slash-envelope:" + out_.id : slash_command_key(trigger);
    out_.event.channel = str(payload, "channel_id");
    out_.event.user = str(payload, "user_id");
    out_.event.at = context_.received_at;
    out_.event.body = in::CommandText{unescape_text(str(payload, "text"))};
    // What Slack names a private channel in a slash command's payload.
    out_.event.private_channel = str(payload, "channel_name") == "privategroup";
    out_.slash_command = true;
    out_.action = Action::handle;
  }

 private:
  bool from_us(const json& m) const {
    const std::string user = str(m, "user");
    const std::string bot = str(m, "bot_id");
    return (!context_.bot_user_id.empty() && user == context_.bot_user_id) ||
           (!context_.bot_id.empty() && bot == context_.bot_id);
  }

  TimePoint time_of(const std::string& ts) const {
    return parse_ts(ts).value_or(context_.received_at);
  }

  void handle(const json& event, const std::string& user, const std::string& ts, InboundBody body) {
    out_.event.channel = str(event, "channel");
    out_.event.user = user;
    out_.event.at = time_of(ts);
    out_.event.message_ref = ts;
    out_.event.body = std::move(body);
    out_.action = Action::handle;
  }

  void message(const json& event) {
    const std::string subtype = str(event, "subtype");
    const bool dm = str(event, "channel_type") == "im";
    // Even a message the bot ignores says whether its channel is private (the adapter keeps it).
    out_.event.channel = str(event, "channel");
    out_.event.private_channel = str(event, "channel_type") == "group";
    if (subtype == "message_changed") {
      // DM text is never stored, so there is nothing an edit could update.
      if (dm) return ignore("edit in a DM");
      const json& m = obj(event, "message");
      if (from_us(m)) return ignore("edit of our own message");
      const std::string ts = str(m, "ts");
      if (ts.empty()) return ignore("edit without the message ts");
      handle(event, str(m, "user"), str(event, "ts"),
             in::Edited{ts, unescape_text(str(m, "text"))});
      return;
    }
    if (subtype == "message_deleted") {
      if (dm) return ignore("deletion in a DM");
      const std::string ts = str(event, "deleted_ts");
      if (ts.empty()) return ignore("deletion without deleted_ts");
      handle(event, str(obj(event, "previous_message"), "user"), str(event, "ts"), in::Deleted{ts});
      return;
    }
    // Other subtypes are bots, joins, topic changes…: not people talking. A thread reply that
    // is also sent to the channel (thread_broadcast) is still a thread reply.
    if (!subtype.empty() && subtype != "thread_broadcast")
      return ignore("message subtype " + subtype);
    if (from_us(event)) return ignore("our own message");
    const std::string user = str(event, "user");
    if (user.empty()) return ignore("message without a user");
    const std::string ts = str(event, "ts");
    const std::string text = unescape_text(str(event, "text"));
    if (dm) return handle(event, user, ts, in::DirectMessage{text});
    const std::string thread_ts = str(event, "thread_ts");
    if (!thread_ts.empty() && thread_ts != ts) {
      return handle(event, user, ts, in::ThreadReply{thread_ts, text});
    }
    ignore("channel message (commands come as slash commands)");
  }

  void reaction(const json& event) {
    std::string name = str(event, "reaction");
    name = name.substr(0, name.find("::"));  // "pushpin::skin-tone-2"
    if (name != "pushpin") return ignore("reaction " + name);
    const json& item = obj(event, "item");
    if (str(item, "type") != "message") return ignore("pushpin on something else than a message");
    const std::string user = str(event, "user");
    if (!context_.bot_user_id.empty() && user == context_.bot_user_id) return ignore("our own pin");
    out_.event.channel = str(item, "channel");
    out_.event.user = user;
    out_.event.at = time_of(str(event, "event_ts"));
    out_.event.message_ref = str(item, "ts");
    out_.pin_channel = out_.event.channel;
    out_.pin_ts = out_.event.message_ref;
    if (out_.pin_channel.empty() || out_.pin_ts.empty())
      return ignore("pushpin without its message");
    out_.action = Action::lookup_pin;
  }

  // Mentioning the bot asks what it can do: the command list, to the mentioner only.
  void mention(const json& event) {
    if (from_us(event)) return ignore("our own mention");
    handle(event, str(event, "user"), str(event, "ts"), in::CommandText{"help"});
  }

  void ignore(std::string why) {
    out_.action = Action::ignore;
    out_.ignored = std::move(why);
  }

  const DecodeContext& context_;
  Envelope& out_;
};

}  // namespace

Frame parse_frame(std::string_view text, const DecodeContext& context) {
  if (too_deep(text)) return MalformedFrame{"JSON nested deeper than " + std::to_string(kMaxDepth)};
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return MalformedFrame{"invalid JSON at byte " + std::to_string(e.byte)};
  } catch (const json::exception& e) {
    // A number beyond a double ("6e532") is out_of_range, not a parse_error (found by fuzzing,
    // tests/fuzz/slack_frame_fuzz.cpp): a bad frame all the same, never an exception.
    return MalformedFrame{std::string("invalid JSON: ") + e.what()};
  }
  if (!j.is_object()) return MalformedFrame{"not a JSON object"};

  const std::string type = str(j, "type");
  if (type == "hello") {
    const json& debug = obj(j, "debug_info");
    return Hello{static_cast<int>(number(j, "num_connections")),
                 number(debug, "approximate_connection_time"), str(debug, "host")};
  }
  if (type == "disconnect") return Disconnect{str(j, "reason")};

  const std::string id = str(j, "envelope_id");
  if (type != "events_api" && type != "slash_commands" && type != "interactive") {
    return UnknownFrame{type, id};
  }
  if (id.empty()) return MalformedFrame{type + " envelope without envelope_id"};
  Envelope envelope;
  envelope.id = id;
  envelope.type = type;
  envelope.accepts_response_payload = flag(j, "accepts_response_payload");
  envelope.retry_attempt = static_cast<int>(number(j, "retry_attempt"));
  envelope.retry_reason = str(j, "retry_reason");
  envelope.event.platform = "slack";
  Decoder decoder(context, envelope);
  const json& payload = obj(j, "payload");
  if (type == "events_api") {
    decoder.events_api(payload);
  } else if (type == "slash_commands") {
    decoder.slash_commands(payload);
  } else {
    envelope.ignored = "interactive payload (the bot has no interactive components)";
  }
  return envelope;
}

std::string ack_json(const std::string& envelope_id, const std::optional<AckMessage>& message) {
  json ack{{"envelope_id", envelope_id}};
  if (message) {
    ack["payload"] = {{"text", message->text},
                      {"response_type", message->in_channel ? "in_channel" : "ephemeral"}};
  }
  return ack.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<TimePoint> parse_ts(std::string_view ts) {
  const auto dot = ts.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 12) return std::nullopt;
  const std::string_view seconds = ts.substr(0, dot);
  const std::string_view fraction = ts.substr(dot + 1);
  if (fraction.empty() || fraction.size() > 6) return std::nullopt;
  std::int64_t s = 0;
  for (char c : seconds) {
    if (c < '0' || c > '9') return std::nullopt;
    s = s * 10 + (c - '0');
  }
  std::int64_t micros = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    const char c = i < fraction.size() ? fraction[i] : '0';
    if (c < '0' || c > '9') return std::nullopt;
    micros = micros * 10 + (c - '0');
  }
  return from_unix_ms(s * 1000 + micros / 1000);
}

std::string unescape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '<') {
      const auto close = text.find('>', i);
      const auto end = close == std::string_view::npos ? text.size() : close + 1;
      out.append(text.substr(i, end - i));
      i = end;
      continue;
    }
    if (text.compare(i, 5, "&amp;") == 0) {
      out += '&';
      i += 5;
    } else if (text.compare(i, 4, "&lt;") == 0) {
      out += '<';
      i += 4;
    } else if (text.compare(i, 4, "&gt;") == 0) {
      out += '>';
      i += 4;
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::string slash_command_key(std::string_view trigger_id) {
  return "slack:slash:" + std::string(trigger_id);
}

}  // namespace incident::slack
