// Matrix client-server answers (adapters/matrix/protocol.cpp) over any bytes, and /sync through
// the translation to events (translate.cpp): nothing throws, and every event for the engine has
// an idempotency key and a room.
#include "adapters/matrix/protocol.h"
#include "adapters/matrix/translate.h"
#include "fuzz/fuzz.h"

using incident::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace matrix = incident::matrix;
  const std::string_view text = incident::fuzz::text_of(data, size);
  (void)matrix::parse_messages(text);
  (void)matrix::parse_event(text);
  (void)matrix::parse_direct(text);
  (void)matrix::string_field(text, "room_id");
  (void)matrix::add_direct(text, "@alice:example.org", "!dm:example.org");
  const auto sync = matrix::parse_sync(text);
  if (!sync) return 0;
  matrix::TranslateOptions options;
  options.bot_user = "@incident-bot:example.org";
  for (const bool initial : {false, true}) {
    matrix::Rooms rooms;
    for (const auto& step : matrix::translate(*sync, rooms, options, initial)) {
      if (const auto* handle = std::get_if<matrix::step::Handle>(&step)) {
        check(!handle->event.key.empty(), "an event to handle has an idempotency key");
        check(!handle->event.channel.empty(), "an event to handle has a room");
      }
    }
  }
  return 0;
}
