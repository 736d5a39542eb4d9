// Socket Mode frames (docs.slack.dev/apis/events-api/using-socket-mode) decoded into what the
// adapter acts on: hello, disconnect, or an envelope whose payload is already an InboundEvent.
// JSON stays in protocol.cpp. Decoding is pure and tolerant: missing or null keys read as empty,
// unknown frame types become UnknownFrame and broken JSON MalformedFrame, never an exception.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "bot/model/event.h"
#include "bot/model/time.h"

namespace incident::slack {

// What decoding needs to know about us.
struct DecodeContext {
  std::string bot_user_id;  // auth.test user_id: our own messages are ignored
  std::string bot_id;       // auth.test bot_id: likewise
  std::string slash_command = "/incident";
  TimePoint received_at{};  // slash commands carry no timestamp: the time they arrived
};

// The first frame of every connection; the connection is ready only after it.
struct Hello {
  int num_connections = 0;
  long approximate_connection_time = 0;  // seconds until Slack expects to refresh it
  std::string host;
};

// warning, refresh_requested, link_disabled, too_many_websockets.
struct Disconnect {
  std::string reason;
};

enum class Action {
  handle,      // give `event` to the engine
  lookup_pin,  // a 📌 reaction: fetch the message (pin_channel, pin_ts) first, then handle
  // a `start` where it is not known yet whether the channel is private: ask
  // (conversations.info) first, then handle; set by the adapter, which remembers the answers
  lookup_channel,
  ignore,  // nothing for us; acknowledged all the same, so Slack does not redeliver it
};

struct Envelope {
  std::string id;    // envelope_id: what the ack names; unique per delivery attempt
  std::string type;  // events_api, slash_commands, interactive
  bool accepts_response_payload = false;
  int retry_attempt = 0;
  std::string retry_reason;

  Action action = Action::ignore;
  InboundEvent event;  // for handle, and for lookup_pin everything but the body
  bool slash_command = false;
  std::string pin_channel;
  std::string pin_ts;
  std::string ignored;  // why it is ignored, for the debug log (never message text)
};

struct UnknownFrame {
  std::string type;
  std::string envelope_id;  // when it has one, we acknowledge it: we will never process it
};

struct MalformedFrame {
  std::string error;  // where, not what: frames can carry DM text, which is never logged
};

using Frame = std::variant<Hello, Disconnect, Envelope, UnknownFrame, MalformedFrame>;

Frame parse_frame(std::string_view text, const DecodeContext& context);

// A slash command's response, carried in its ack (accepts_response_payload): shown to the
// caller only unless `in_channel`.
struct AckMessage {
  std::string text;  // mrkdwn
  bool in_channel = false;
};

// {"envelope_id":"…"}, or with the response as "payload". Never for hello.
std::string ack_json(const std::string& envelope_id, const std::optional<AckMessage>& message);

// A Slack ts ("1700000000.000100", seconds and microseconds) as a UTC time point, exactly, with
// the microseconds truncated to milliseconds. nullopt unless it has that shape.
std::optional<TimePoint> parse_ts(std::string_view ts);

// Message text as Slack sends it has &, < and > escaped (docs.slack.dev/messaging/formatting-
// message-text#escaping); this undoes that outside control sequences (<@U1|dana>,
// <https://…>), which stay as sent.
std::string unescape_text(std::string_view text);

// The idempotency key of a slash command. Slash commands have no event_id; their trigger_id is
// minted by Slack once per invocation and travels inside the payload, so every delivery of the
// same invocation carries it, while the envelope_id changes per delivery attempt.
std::string slash_command_key(std::string_view trigger_id);

}  // namespace incident::slack
