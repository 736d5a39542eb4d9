#include "adapters/platform/time_zone.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace incident::platform {
namespace {

// Big-endian reads over the file's bytes, refusing to run past its end.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& name) : bytes_(bytes), name_(name) {}
  std::int64_t number(std::size_t width) {
    need(width);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) {
      v = (v << 8) | static_cast<unsigned char>(bytes_[at_ + i]);
    }
    at_ += width;
    // Signed at 32 and 64 bits (times, offsets); a single byte is an index.
    if (width == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
  }
  void skip(std::size_t n) {
    need(n);
    at_ += n;
  }
  std::string_view rest() const { return bytes_.substr(at_); }

 private:
  void need(std::size_t n) const {
    if (at_ + n > bytes_.size()) {
      throw std::runtime_error("time zone " + name_ + ": the TZif file is cut short");
    }
  }
  std::string_view bytes_;
  std::string name_;
  std::size_t at_ = 0;
};

struct Header {
  char version = 0;
  std::int64_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

Header header(Reader& in, const std::string& name) {
  Header h{};
  if (in.rest().substr(0, 4) != "TZif") {
    throw std::runtime_error("time zone " + name + ": not a TZif file");
  }
  in.skip(4);
  h.version = static_cast<char>(in.number(1));
  in.skip(15);
  h.isutcnt = in.number(4);
  h.isstdcnt = in.number(4);
  h.leapcnt = in.number(4);
  h.timecnt = in.number(4);
  h.typecnt = in.number(4);
  h.charcnt = in.number(4);
  if (h.typecnt < 1 || h.timecnt < 0 || h.charcnt < 0 || h.leapcnt < 0 || h.isutcnt < 0 ||
      h.isstdcnt < 0) {
    throw std::runtime_error("time zone " + name + ": the TZif header is not valid");
  }
  return h;
}

// [+-]hh[:mm[:ss]] as seconds; `text` advances past it.
std::optional<std::int64_t> posix_time(std::string_view& text) {
  int sign = 1;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    sign = text[0] == '-' ? -1 : 1;
    text.remove_prefix(1);
  }
  std::int64_t total = 0;
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      if (text.empty() || text[0] != ':') break;
      text.remove_prefix(1);
    }
    if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
    std::int64_t n = 0;
    while (!text.empty() && text[0] >= '0' && text[0] <= '9') {
      n = n * 10 + (text[0] - '0');
      text.remove_prefix(1);
    }
    total += n * (part == 0 ? 3600 : part == 1 ? 60 : 1);
  }
  return sign * total;
}

// A zone abbreviation: letters, or anything in <…>.
bool posix_name(std::string_view& text) {
  if (!text.empty() && text[0] == '<') {
    const auto end = text.find('>');
    if (end == std::string_view::npos) return false;
    text.remove_prefix(end + 1);
    return true;
  }
  std::size_t n = 0;
  while (n < text.size() &&
         ((text[n] >= 'A' && text[n] <= 'Z') || (text[n] >= 'a' && text[n] <= 'z')))
    ++n;
  if (n < 3) return false;
  text.remove_prefix(n);
  return true;
}

}  // namespace

TimeZone TimeZone::load(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) {
    throw std::runtime_error("time zone \"" + name +
                             "\" is not a zone name like Europe/Berlin or UTC");
  }
  const char* dir = std::getenv("TZDIR");
  const std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw std::runtime_error("time zone \"" + name + "\": no " + path +
                             " (install the tzdata package, or check the name)");
  }
  std::stringstream bytes;
  bytes << file.rdbuf();
  return parse(bytes.str(), name);
}

TimeZone TimeZone::parse(std::string_view tzif, const std::string& name) {
  TimeZone zone;
  zone.name_ = name;
  Reader in(tzif, name);
  Header h = header(in, name);
  std::size_t width = 4;
  if (h.version >= '2') {
    // Skip the 32-bit block; the 64-bit one after the second header is the whole story.
    in.skip(static_cast<std::size_t>(h.timecnt * 5 + h.typecnt * 6 + h.charcnt + h.leapcnt * 8 +
                                     h.isstdcnt + h.isutcnt));
    h = header(in, name);
    width = 8;
  }
  for (std::int64_t i = 0; i < h.timecnt; ++i) zone.transitions_.push_back(in.number(width));
  std::vector<std::int64_t> index;
  for (std::int64_t i = 0; i < h.timecnt; ++i) index.push_back(in.number(1));
  std::vector<std::int32_t> offsets;
  for (std::int64_t i = 0; i < h.typecnt; ++i) {
    offsets.push_back(static_cast<std::int32_t>(in.number(4)));
    in.skip(2);  // isdst, the abbreviation's index
  }
  in.skip(static_cast<std::size_t>(h.charcnt + h.leapcnt * (width + 4) + h.isstdcnt + h.isutcnt));
  for (const std::int64_t i : index) {
    if (i >= h.typecnt) throw std::runtime_error("time zone " + name + ": a bad type index");
    zone.after_.push_back(offsets[static_cast<std::size_t>(i)]);
  }
  zone.before_ = offsets[0];
  if (width == 8) {
    std::string_view footer = in.rest();
    if (!footer.empty() && footer[0] == '\n') {
      footer.remove_prefix(1);
      zone.footer_ = parse_posix(footer.substr(0, footer.find('\n')));
    }
  }
  return zone;
}

std::optional<TimeZone::Posix> TimeZone::parse_posix(std::string_view text) {
  Posix p;
  if (!posix_name(text)) return std::nullopt;
  const auto standard = posix_time(text);
  if (!standard) return std::nullopt;
  p.standard = -*standard;  // POSIX counts west of UTC
  if (text.empty()) return p;
  if (!posix_name(text)) return std::nullopt;
  p.daylight = p.standard + 3600;
  if (!text.empty() && text[0] != ',') {
    const auto daylight = posix_time(text);
    if (!daylight) return std::nullopt;
    p.daylight = -*daylight;
  }
  auto rule = [&](Rule& r) {
    if (text.size() < 2 || text[0] != ',' || text[1] != 'M') return false;  // only the Mm.w.d form
    text.remove_prefix(2);
    int fields[3] = {0, 0, 0};
    for (int i = 0; i < 3; ++i) {
      if (i > 0) {
        if (text.empty() || text[0] != '.') return false;
        text.remove_prefix(1);
      }
      if (text.empty() || text[0] < '0' || text[0] > '9') return false;
      while (!text.empty() && text[0] >= '0' && text[0] <= '9') {
        fields[i] = fields[i] * 10 + (text[0] - '0');
        text.remove_prefix(1);
      }
    }
    r.month = fields[0];
    r.week = fields[1];
    r.weekday = fields[2];
    if (r.month < 1 || r.month > 12 || r.week < 1 || r.week > 5 || r.weekday > 6) return false;
    if (!text.empty() && text[0] == '/') {
      text.remove_prefix(1);
      const auto t = posix_time(text);
      if (!t) return false;
      r.time = *t;
    }
    return true;
  };
  if (!rule(p.start) || !rule(p.end)) return std::nullopt;
  return p;
}

std::int64_t TimeZone::rule_instant(const Rule& r, int year, std::int64_t offset) {
  using namespace std::chrono;
  const auto ym = std::chrono::year{year} / month{static_cast<unsigned>(r.month)};
  const weekday wd{static_cast<unsigned>(r.weekday)};
  const sys_days date =
      r.week == 5 ? sys_days{ym / wd[last]} : sys_days{ym / wd[static_cast<unsigned>(r.week)]};
  return duration_cast<seconds>(date.time_since_epoch()).count() + r.time - offset;
}

std::int64_t TimeZone::posix_offset(std::int64_t t) const {
  const Posix& p = *footer_;
  if (!p.daylight) return p.standard;
  using namespace std::chrono;
  const auto y =
      static_cast<int>(year_month_day{floor<days>(sys_seconds{seconds{t + p.standard}})}.year());
  // The switch to daylight time is at a standard-time moment, the switch back at a daylight one.
  const std::int64_t start = rule_instant(p.start, y, p.standard);
  const std::int64_t end = rule_instant(p.end, y, *p.daylight);
  const bool daylight = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return daylight ? *p.daylight : p.standard;
}

Millis TimeZone::offset(TimePoint t) const {
  const std::int64_t s = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  // Past the last transition (or with none), the footer's rule; before, the table.
  if (footer_ && (transitions_.empty() || s >= transitions_.back())) {
    return std::chrono::seconds{posix_offset(s)};
  }
  const auto after = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  if (after == transitions_.begin()) return std::chrono::seconds{before_};
  return std::chrono::seconds{after_[static_cast<std::size_t>(after - transitions_.begin() - 1)]};
}

}  // namespace incident::platform
