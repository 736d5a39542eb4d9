// Socket Mode frames (adapters/slack/protocol.cpp) over any bytes: decoding never throws, an
// envelope to handle always has an idempotency key, and the ack for any envelope id is JSON
// that names exactly that id.
#include <nlohmann/json.hpp>

#include "adapters/slack/protocol.h"
#include "fuzz/fuzz.h"

using incident::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace slack = incident::slack;
  const std::string_view text = incident::fuzz::text_of(data, size);
  slack::DecodeContext context;
  context.bot_user_id = "UBOT";
  context.bot_id = "BBOT";
  const slack::Frame frame = slack::parse_frame(text, context);
  if (const auto* envelope = std::get_if<slack::Envelope>(&frame)) {
    check(!envelope->id.empty(), "an envelope has an id to acknowledge");
    if (envelope->action == slack::Action::handle) {
      check(!envelope->event.key.empty(), "an event to handle has an idempotency key");
      check(envelope->event.platform == "slack", "a Slack event says so");
    }
    const auto ack =
        nlohmann::json::parse(slack::ack_json(envelope->id, std::nullopt), nullptr, false);
    check(ack.is_object() && ack.value("envelope_id", std::string{}) ==
                                 nlohmann::json(envelope->id).get<std::string>(),
          "the ack names the envelope");
  }
  (void)slack::unescape_text(text);
  (void)slack::parse_ts(text);
  return 0;
}
