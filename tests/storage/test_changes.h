// The changes the storage tests commit, built in one line each: an incident opened in a
// channel, a timeline entry, a close.
#pragma once

#include <cstdint>
#include <string>

#include "bot/model/change.h"

namespace incident::testing {

inline const TimePoint t0 = from_unix_ms(1'764'424'800'000);  // 2025-11-29 14:00:00 UTC

inline Change opened(std::int64_t n, const std::string& channel, TimePoint at = t0) {
  return {n, change::Opened{"console", channel, "DB failover " + std::to_string(n), Severity::sev2,
                            at}};
}
inline Change entry(std::int64_t n, std::int64_t seq, const std::string& text, Source source,
                    TimePoint at, const std::string& ref = "") {
  return {n, change::EntryAdded{TimelineEntry{seq, at, source, "U1", text, ref, false}}};
}
inline Change closed(std::int64_t n, TimePoint at) {
  return {n, change::Closed{at, "rolled back"}};
}

}  // namespace incident::testing
