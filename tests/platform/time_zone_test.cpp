// Time zones from Debian's tzdata (the TZif files under /usr/share/zoneinfo): offsets across
// daylight saving changes, from the file's table and, past it, from its POSIX footer.
#include <gtest/gtest.h>

#include <stdexcept>

#include "adapters/platform/time_zone.h"

namespace incident::platform {
namespace {

using std::chrono::hours;

TimePoint utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  using namespace std::chrono;
  return time_point_cast<Millis>(sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min});
}

TEST(TimeZone, BerlinChangesToSummerTimeAtOneUtcOnTheLastSundayOfMarch) {
  const TimeZone berlin = TimeZone::load("Europe/Berlin");
  EXPECT_EQ(berlin.offset(utc(2026, 1, 15, 12)), hours{1});
  EXPECT_EQ(berlin.offset(utc(2026, 3, 29, 0, 59)), hours{1});
  EXPECT_EQ(berlin.offset(utc(2026, 3, 29, 1, 0)), hours{2});
  EXPECT_EQ(berlin.offset(utc(2026, 10, 25, 0, 59)), hours{2});
  EXPECT_EQ(berlin.offset(utc(2026, 10, 25, 1, 0)), hours{1});
  // Past the table (2037 in a "fat" file): the footer's rule, the same dates.
  EXPECT_EQ(berlin.offset(utc(2045, 3, 26, 0, 59)), hours{1});
  EXPECT_EQ(berlin.offset(utc(2045, 3, 26, 1, 0)), hours{2});
  EXPECT_EQ(berlin.offset(utc(2045, 10, 29, 1, 0)), hours{1});
}

TEST(TimeZone, TheSouthernHemisphereAndZonesWithoutDaylightTime) {
  const TimeZone sydney = TimeZone::load("Australia/Sydney");
  EXPECT_EQ(sydney.offset(utc(2026, 1, 15, 0)), hours{11});  // summer
  EXPECT_EQ(sydney.offset(utc(2026, 7, 15, 0)), hours{10});
  EXPECT_EQ(sydney.offset(utc(2050, 1, 15, 0)), hours{11});
  EXPECT_EQ(sydney.offset(utc(2050, 7, 15, 0)), hours{10});
  EXPECT_EQ(TimeZone::load("UTC").offset(utc(2026, 7, 1, 0)), hours{0});
  const TimeZone kolkata = TimeZone::load("Asia/Kolkata");
  EXPECT_EQ(kolkata.offset(utc(2026, 7, 1, 0)), std::chrono::minutes{330});
  EXPECT_EQ(kolkata.offset(utc(2060, 7, 1, 0)), std::chrono::minutes{330});
}

TEST(TimeZone, ABadNameOrFileIsRefusedWithAReason) {
  EXPECT_THROW(TimeZone::load("Mars/Olympus_Mons"), std::runtime_error);
  EXPECT_THROW(TimeZone::load("../../etc/passwd"), std::runtime_error);
  EXPECT_THROW(TimeZone::parse("not a tz file", "x"), std::runtime_error);
  EXPECT_THROW(TimeZone::parse("TZif2", "cut"), std::runtime_error);
}

}  // namespace
}  // namespace incident::platform
