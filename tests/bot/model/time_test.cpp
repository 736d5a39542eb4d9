// Formatting and parsing of UTC instants: the strings people and scripts read, and the ISO-8601
// forms people type when they back-date a fact.
#include "bot/model/time.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace incident {
namespace {

using namespace std::chrono_literals;
using std::chrono::days;
using std::chrono::sys_days;

TimePoint at(Date d, std::chrono::hours h, std::chrono::minutes m,
             std::chrono::seconds s = std::chrono::seconds{0}, Millis ms = Millis{0}) {
  return sys_days{d} + h + m + s + ms;
}

constexpr Date kNov29{std::chrono::year{2026}, std::chrono::November, std::chrono::day{29}};

TEST(FormatTest, UtcShowsDateTimeAndZone) {
  EXPECT_EQ(format_utc(at(kNov29, 14h, 5min)), "2026-11-29 14:05 UTC");
  EXPECT_EQ(format_utc(at(kNov29, 0h, 0min)), "2026-11-29 00:00 UTC");
  // Seconds are dropped, not rounded: 14:05:59.999 is still 14:05.
  EXPECT_EQ(format_utc(at(kNov29, 14h, 5min, 59s, 999ms)), "2026-11-29 14:05 UTC");
  EXPECT_EQ(format_utc(at(kNov29, 23h, 59min, 59s)), "2026-11-29 23:59 UTC");
}

TEST(FormatTest, UtcEpochAndBeforeEpoch) {
  EXPECT_EQ(format_utc(from_unix_ms(0)), "1970-01-01 00:00 UTC");
  // One millisecond before the epoch is the last minute of 1969, not 1970-01-01.
  EXPECT_EQ(format_utc(from_unix_ms(-1)), "1969-12-31 23:59 UTC");
}

TEST(FormatTest, IsoHasMillisecondsAndZ) {
  EXPECT_EQ(format_iso(at(kNov29, 14h, 5min)), "2026-11-29T14:05:00.000Z");
  EXPECT_EQ(format_iso(at(kNov29, 9h, 7min, 3s, 42ms)), "2026-11-29T09:07:03.042Z");
  EXPECT_EQ(format_iso(from_unix_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso(from_unix_ms(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_iso(from_unix_ms(1'798'639'200'123)), "2026-12-30T14:00:00.123Z");
}

TEST(FormatTest, DateIsZeroPadded) {
  EXPECT_EQ(format_date(kNov29), "2026-11-29");
  EXPECT_EQ(format_date(Date{std::chrono::year{2028}, std::chrono::February, std::chrono::day{29}}),
            "2028-02-29");
  EXPECT_EQ(format_date(Date{std::chrono::year{987}, std::chrono::January, std::chrono::day{5}}),
            "0987-01-05");
}

TEST(FormatTest, DurationInMinutesHoursDays) {
  EXPECT_EQ(format_duration(Millis{0}), "0m");
  EXPECT_EQ(format_duration(59s), "0m");
  EXPECT_EQ(format_duration(60s), "1m");
  EXPECT_EQ(format_duration(45min), "45m");
  EXPECT_EQ(format_duration(45min + 59s + 999ms), "45m");  // floor, never round up
  EXPECT_EQ(format_duration(59min), "59m");
  EXPECT_EQ(format_duration(60min), "1h 00m");
  EXPECT_EQ(format_duration(2h + 5min), "2h 05m");
  EXPECT_EQ(format_duration(23h + 59min), "23h 59m");
  EXPECT_EQ(format_duration(24h), "1d 0h 00m");
  EXPECT_EQ(format_duration(days{3} + 4h + 10min), "3d 4h 10m");
  EXPECT_EQ(format_duration(days{3} + 4h + 5min), "3d 4h 05m");
  EXPECT_EQ(format_duration(days{400}), "400d 0h 00m");
}

// Beside times printed to the minute, the duration is their difference: 05:48:50 → 07:48:10
// reads "05:48 → 07:48", so 2h 00m, not 1h 59m.
TEST(FormatTest, DurationBetweenTimesAgreesWithTheTimesShown) {
  const TimePoint from = parse_iso8601("2026-12-05T05:48:50Z").value();
  const TimePoint to = parse_iso8601("2026-12-05T07:48:10Z").value();
  EXPECT_EQ(format_utc(from), "2026-12-05 05:48 UTC");
  EXPECT_EQ(format_utc(to), "2026-12-05 07:48 UTC");
  EXPECT_EQ(format_duration(from, to), "2h 00m");
  EXPECT_EQ(format_duration(to, from), "0m");
}

TEST(FormatTest, NegativeDurationIsZero) {
  EXPECT_EQ(format_duration(Millis{-1}), "0m");
  EXPECT_EQ(format_duration(-5min), "0m");
}

TEST(FormatTest, RoundTripsThroughParse) {
  const TimePoint t = at(kNov29, 14h, 5min, 7s, 89ms);
  EXPECT_EQ(parse_iso8601(format_iso(t)), t);
  EXPECT_EQ(to_unix_ms(from_unix_ms(1'798'639'200'123)), 1'798'639'200'123);
}

struct IsoCase {
  std::string input;
  std::optional<std::string> utc;  // format_iso of the result, nullopt when rejected
};

TEST(ParseIsoTest, Table) {
  const std::vector<IsoCase> cases = {
      // Accepted shapes; no zone means UTC.
      {"2026-11-29T14:05", "2026-11-29T14:05:00.000Z"},
      {"2026-11-29 14:05", "2026-11-29T14:05:00.000Z"},
      {"2026-11-29t14:05", "2026-11-29T14:05:00.000Z"},
      {"2026-11-29T14:05:07", "2026-11-29T14:05:07.000Z"},
      {"2026-11-29T14:05:07.5", "2026-11-29T14:05:07.500Z"},
      {"2026-11-29T14:05:07.25Z", "2026-11-29T14:05:07.250Z"},
      {"2026-11-29T14:05:07.123Z", "2026-11-29T14:05:07.123Z"},
      {"2026-11-29T14:05:07.123999Z", "2026-11-29T14:05:07.123Z"},  // truncated to ms
      {"2026-11-29T14:05:07,5Z", "2026-11-29T14:05:07.500Z"},       // ISO's decimal comma
      {"2026-11-29T14:05Z", "2026-11-29T14:05:00.000Z"},
      {"2026-11-29T14:05z", "2026-11-29T14:05:00.000Z"},
      {"2026-11-29T00:00:00Z", "2026-11-29T00:00:00.000Z"},
      {"2026-11-29T23:59:59.999Z", "2026-11-29T23:59:59.999Z"},
      // Offsets are converted to UTC, across day, month and year boundaries.
      {"2026-11-29T14:05+02:00", "2026-11-29T12:05:00.000Z"},
      {"2026-11-29T14:05+0200", "2026-11-29T12:05:00.000Z"},
      {"2026-11-29T14:05+02", "2026-11-29T12:05:00.000Z"},
      {"2026-11-29T14:05-05:30", "2026-11-29T19:35:00.000Z"},
      {"2026-11-29T14:05-0530", "2026-11-29T19:35:00.000Z"},
      {"2026-11-29T14:05+05:45", "2026-11-29T08:20:00.000Z"},
      {"2026-11-29T14:05:00.000+00:00", "2026-11-29T14:05:00.000Z"},
      {"2026-11-29T14:05-00:00", "2026-11-29T14:05:00.000Z"},
      {"2026-11-29T01:00+02:00", "2026-11-28T23:00:00.000Z"},
      {"2026-12-31T22:00-05:00", "2027-01-01T03:00:00.000Z"},
      {"2027-01-01T00:30+01:00", "2026-12-31T23:30:00.000Z"},
      {"2028-03-01T00:30+01:00", "2028-02-29T23:30:00.000Z"},
      // Calendar: leap days only in leap years.
      {"2028-02-29T12:00Z", "2028-02-29T12:00:00.000Z"},
      {"2000-02-29T12:00Z", "2000-02-29T12:00:00.000Z"},
      {"2027-02-29T12:00Z", std::nullopt},
      {"2100-02-29T12:00Z", std::nullopt},
      {"2026-02-30T10:00", std::nullopt},
      {"2026-04-31T10:00", std::nullopt},
      {"2026-13-01T10:00", std::nullopt},
      {"2026-00-10T10:00", std::nullopt},
      {"2026-11-00T10:00", std::nullopt},
      // Clock ranges.
      {"2026-11-29T24:00", std::nullopt},
      {"2026-11-29T23:60", std::nullopt},
      {"2026-11-29T23:59:60", std::nullopt},
      {"2026-11-29T23:59:61", std::nullopt},
      {"2026-11-29T14:05+24:00", std::nullopt},
      {"2026-11-29T14:05+02:60", std::nullopt},
      // Malformed shapes and trailing garbage.
      {"", std::nullopt},
      {"2026-11-29", std::nullopt},
      {"2026-11-29T", std::nullopt},
      {"2026-11-29T14", std::nullopt},
      {"2026-11-29T14:5", std::nullopt},
      {"2026-11-29T4:05", std::nullopt},
      {"2026-11-29T14:05:7", std::nullopt},
      {"2026-11-29T14:05:07.", std::nullopt},
      {"2026-11-29T14:05.5", std::nullopt},
      {"2026-11-29T14:05Zx", std::nullopt},
      {"2026-11-29T14:05 ", std::nullopt},
      {" 2026-11-29T14:05", std::nullopt},
      {"2026-11-29T14:05 UTC", std::nullopt},
      {"2026-11-29T14:05+2", std::nullopt},
      {"2026-11-29T14:05+02:0", std::nullopt},
      {"2026-11-29T14:05+020", std::nullopt},
      {"2026-11-29X14:05", std::nullopt},
      {"2026-11-29  14:05", std::nullopt},
      {"26-11-29T14:05", std::nullopt},
      {"2026/11/29T14:05", std::nullopt},
      {"2026-1-29T14:05", std::nullopt},
      {"20261129T1405", std::nullopt},
      {"yesterday", std::nullopt},
  };
  for (const IsoCase& c : cases) {
    SCOPED_TRACE("input: \"" + c.input + "\"");
    const auto parsed = parse_iso8601(c.input);
    if (c.utc) {
      ASSERT_TRUE(parsed.has_value());
      EXPECT_EQ(format_iso(*parsed), *c.utc);
    } else {
      EXPECT_FALSE(parsed.has_value()) << format_iso(*parsed);
    }
  }
}

TEST(ParseDateTest, AcceptsRealCalendarDates) {
  EXPECT_EQ(parse_date("2026-11-29"), kNov29);
  EXPECT_EQ(parse_date("2028-02-29"),
            (Date{std::chrono::year{2028}, std::chrono::February, std::chrono::day{29}}));
  EXPECT_EQ(parse_date("2026-12-31"),
            (Date{std::chrono::year{2026}, std::chrono::December, std::chrono::day{31}}));
  EXPECT_EQ(parse_date("2026-01-01"),
            (Date{std::chrono::year{2026}, std::chrono::January, std::chrono::day{1}}));
}

TEST(ParseDateTest, RejectsImpossibleAndMalformedDates) {
  for (const char* bad :
       {"2027-02-29", "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-01", "2026-01-00",
        "2026-1-05", "2026-01-5", "26-01-05", "2026/01/05", "2026-01-05T10:00", "2026-01-05 ",
        " 2026-01-05", "2026-01-05x", "", "tomorrow", "2026-01", "+2026-01-05"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_date(bad).has_value());
  }
}

}  // namespace
}  // namespace incident
