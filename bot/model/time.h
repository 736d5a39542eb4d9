// Time in the domain: UTC instants with millisecond precision, injected by the caller.
// The domain has no clock of its own; every event carries the platform's timestamp.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace incident {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<Millis>;
using Date = std::chrono::year_month_day;

// "2026-11-29 14:05 UTC" — what people read in replies and drafts.
std::string format_utc(TimePoint t);
// "2026-11-29T14:05:00.000Z" — what scripts read in exports.
std::string format_iso(TimePoint t);
// "2026-11-29"
std::string format_date(Date d);
// "45m", "2h 05m", "3d 4h 10m"
std::string format_duration(Millis d);
// The time from `from` to `to` as people read it beside the two times printed to the minute:
// "05:48 → 07:48" is 2h 00m, whatever the seconds were.
std::string format_duration(TimePoint from, TimePoint to);

// ISO-8601 date-time: YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|±HH:MM|±HHMM|±HH].
// No zone means UTC. Offsets are converted to UTC. nullopt when malformed.
std::optional<TimePoint> parse_iso8601(std::string_view text);
// YYYY-MM-DD, a real calendar date.
std::optional<Date> parse_date(std::string_view text);

inline std::int64_t to_unix_ms(TimePoint t) {
  return t.time_since_epoch().count();
}
inline TimePoint from_unix_ms(std::int64_t ms) {
  return TimePoint{Millis{ms}};
}

}  // namespace incident
