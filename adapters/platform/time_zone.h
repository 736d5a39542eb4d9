// A time zone from the system's tz database (TZif files, as zic writes them under
// /usr/share/zoneinfo): the UTC offset at any instant, daylight saving time included. Past the
// file's last transition the POSIX rule in its footer applies ("CET-1CEST,M3.5.0,M10.5.0/3").
// For reminders that respect working hours (bot/engine/remind.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/model/time.h"

namespace incident::platform {

class TimeZone {
 public:
  // The zone `name` ("Europe/Berlin", "UTC") from $TZDIR or /usr/share/zoneinfo; throws
  // std::runtime_error naming what is wrong.
  static TimeZone load(const std::string& name);
  // The same from a TZif file's bytes; throws std::runtime_error when they are not one.
  static TimeZone parse(std::string_view tzif, const std::string& name);

  // Local time minus UTC at `t`: +1h in Berlin in winter, +2h in summer.
  Millis offset(TimePoint t) const;
  const std::string& name() const { return name_; }

 private:
  // "Mm.w.d/time": day d (0 Sunday) of week w (5: the last) of month m, at `time` seconds past
  // local midnight.
  struct Rule {
    int month = 0;
    int week = 0;
    int weekday = 0;
    std::int64_t time = 7200;
  };
  struct Posix {
    std::int64_t standard = 0;  // seconds east of UTC
    std::optional<std::int64_t> daylight;
    Rule start, end;
  };
  static std::optional<Posix> parse_posix(std::string_view text);
  static std::int64_t rule_instant(const Rule& rule, int year, std::int64_t offset);
  std::int64_t posix_offset(std::int64_t unix_seconds) const;

  std::string name_;
  std::vector<std::int64_t> transitions_;  // unix seconds, ascending
  std::vector<std::int32_t> after_;        // the offset from each transition on
  std::int32_t before_ = 0;                // the offset before the first
  std::optional<Posix> footer_;
};

}  // namespace incident::platform
