// Formatting and parsing of UTC instants. Everything is done with <chrono> calendar types and
// integer arithmetic: no time zone database, no locale, no global state (std::gmtime and
// friends are neither thread-safe nor range-safe), so the result never depends on the host.
#include "bot/model/time.h"

#include <cstdio>
#include <cstdlib>

namespace incident {

namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

struct Civil {
  int year;
  unsigned month;
  unsigned day;
  long long hour;
  long long minute;
  long long second;
  long long millis;
};

// Splits an instant into calendar date and time of day. floor (not duration_cast) so that
// instants before 1970 land on the right day instead of rounding towards the epoch.
Civil to_civil(TimePoint t) {
  const auto day = floor<days>(t);
  const Date ymd{day};
  const std::chrono::hh_mm_ss tod{t - day};
  return Civil{static_cast<int>(ymd.year()),
               static_cast<unsigned>(ymd.month()),
               static_cast<unsigned>(ymd.day()),
               tod.hours().count(),
               tod.minutes().count(),
               tod.seconds().count(),
               tod.subseconds().count()};
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A cursor over the text being parsed. Every reader consumes only on success, so a failed
// optional part leaves the position where it was.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ == text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  bool accept(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // Exactly `count` decimal digits.
  std::optional<int> digits(std::size_t count) {
    if (text_.size() - pos_ < count) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char c = text_[pos_ + i];
      if (!is_digit(c)) return std::nullopt;
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    return value;
  }

  // One or more digits read as a decimal fraction, truncated to milliseconds.
  std::optional<int> fraction_millis() {
    int millis = 0;
    std::size_t count = 0;
    while (!at_end() && is_digit(text_[pos_])) {
      if (count < 3) millis = millis * 10 + (text_[pos_] - '0');
      ++count;
      ++pos_;
    }
    if (count == 0) return std::nullopt;
    for (std::size_t i = count; i < 3; ++i) millis *= 10;
    return millis;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// YYYY-MM-DD, validated against the calendar (so 2026-02-30 and 2027-02-29 fail).
std::optional<Date> scan_date(Scanner& in) {
  const auto year = in.digits(4);
  if (!year || !in.accept('-')) return std::nullopt;
  const auto month = in.digits(2);
  if (!month || !in.accept('-')) return std::nullopt;
  const auto day = in.digits(2);
  if (!day) return std::nullopt;
  const Date date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                  std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

// The zone designator after the time: Z, ±HH:MM, ±HHMM or ±HH, as an offset east of UTC.
// No designator at all means UTC.
std::optional<minutes> scan_zone(Scanner& in) {
  if (in.at_end()) return minutes{0};
  if (in.accept('Z') || in.accept('z')) return minutes{0};
  int sign = 0;
  if (in.accept('+')) {
    sign = 1;
  } else if (in.accept('-')) {
    sign = -1;
  } else {
    return std::nullopt;
  }
  const auto hh = in.digits(2);
  if (!hh || *hh > 23) return std::nullopt;
  int mm = 0;
  if (!in.at_end()) {
    in.accept(':');  // ±HH:MM and ±HHMM are both ISO-8601
    const auto m = in.digits(2);
    if (!m || *m > 59) return std::nullopt;
    mm = *m;
  }
  return minutes{sign * (*hh * 60 + mm)};
}

}  // namespace

std::string format_utc(TimePoint t) {
  const Civil c = to_civil(t);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld UTC", c.year, c.month, c.day, c.hour,
                c.minute);
  return buf;
}

std::string format_iso(TimePoint t) {
  const Civil c = to_civil(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", c.year, c.month,
                c.day, c.hour, c.minute, c.second, c.millis);
  return buf;
}

std::string format_date(Date d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string format_duration(TimePoint from, TimePoint to) {
  return format_duration(floor<minutes>(to) - floor<minutes>(from));
}

std::string format_duration(Millis d) {
  // Durations are shown to people as elapsed time: whole minutes, rounded down, never negative
  // (a clock skew between platforms must not print "-1m").
  const long long total = d.count() <= 0 ? 0 : floor<minutes>(d).count();
  const long long day_count = total / (24 * 60);
  const long long hour_count = total / 60 % 24;
  const long long minute_count = total % 60;
  char buf[64];
  if (day_count > 0) {
    std::snprintf(buf, sizeof buf, "%lldd %lldh %02lldm", day_count, hour_count, minute_count);
  } else if (hour_count > 0) {
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", hour_count, minute_count);
  } else {
    std::snprintf(buf, sizeof buf, "%lldm", minute_count);
  }
  return buf;
}

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  Scanner in{text};
  const auto date = scan_date(in);
  if (!date) return std::nullopt;
  if (!(in.accept('T') || in.accept('t') || in.accept(' '))) return std::nullopt;

  const auto hh = in.digits(2);
  if (!hh || *hh > 23 || !in.accept(':')) return std::nullopt;
  const auto mm = in.digits(2);
  if (!mm || *mm > 59) return std::nullopt;
  int ss = 0;
  int millis = 0;
  if (in.accept(':')) {
    const auto s = in.digits(2);
    // 60 would be a leap second; chat timestamps never carry one, so it is treated as a typo.
    if (!s || *s > 59) return std::nullopt;
    ss = *s;
    if (in.accept('.') || in.accept(',')) {  // ISO-8601 allows either decimal sign
      const auto f = in.fraction_millis();
      if (!f) return std::nullopt;
      millis = *f;
    }
  }
  const auto offset = scan_zone(in);
  if (!offset || !in.at_end()) return std::nullopt;

  const TimePoint local =
      std::chrono::sys_days{*date} + hours{*hh} + minutes{*mm} + seconds{ss} + Millis{millis};
  return local - *offset;
}

std::optional<Date> parse_date(std::string_view text) {
  Scanner in{text};
  const auto date = scan_date(in);
  if (!date || !in.at_end()) return std::nullopt;
  return date;
}

}  // namespace incident
