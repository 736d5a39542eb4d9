// The command grammar and its times (bot/model/command.h, time.h) over any text: a parse never
// throws, and what it accepts keeps the grammar's promises (limits, no blank values, a usage
// line with every error).
#include "bot/model/command.h"
#include "bot/model/time.h"
#include "fuzz/fuzz.h"

using incident::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace cmd = incident::cmd;
  const std::string_view text = incident::fuzz::text_of(data, size);
  const incident::TimePoint now = incident::from_unix_ms(1795960800000);  // 2026-11-29 14:00
  const incident::ParseResult result = incident::parse_command(text, now);
  if (const auto* error = std::get_if<incident::ParseError>(&result)) {
    check(!error->message.empty(), "an error says what is wrong");
    return 0;
  }
  const auto& command = std::get<incident::Command>(result);
  if (const auto* start = std::get_if<cmd::Start>(&command)) {
    check(incident::count_characters(start->title) <= incident::kTitleLimit, "title limit");
  } else if (const auto* log = std::get_if<cmd::Log>(&command)) {
    check(!incident::is_blank(log->text), "a fact is never blank");
    check(incident::count_characters(log->text) <= incident::kTextLimit, "fact limit");
    check(!log->at || *log->at <= now + std::chrono::minutes{1}, "a fact is never in the future");
  } else if (const auto* notify = std::get_if<cmd::Notify>(&command)) {
    check(!incident::is_blank(notify->who), "a notification names whom");
  } else if (const auto* done = std::get_if<cmd::Done>(&command)) {
    check(done->number >= 1, "item numbers start at 1");
  }
  // Times: parsing never throws, and what parses formats back to a time that parses again.
  if (const auto at = incident::parse_iso8601(text)) {
    check(incident::parse_iso8601(incident::format_iso(*at)) == at, "ISO-8601 round trip");
  }
  return 0;
}
