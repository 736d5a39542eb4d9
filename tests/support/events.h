// Builders for inbound events in tests.
#pragma once

#include <string>

#include "bot/model/event.h"
#include "bot/model/time.h"

namespace incident::testing {

// 2026-11-29 + hh:mm:ss UTC
inline TimePoint at(int hh, int mm, int ss = 0) {
  using namespace std::chrono;
  return time_point_cast<Millis>(sys_days{year{2026} / November / 29} + hours{hh} + minutes{mm} +
                                 seconds{ss});
}

inline InboundEvent event(const std::string& key, InboundBody body, TimePoint when,
                          const std::string& user = "U1", const std::string& channel = "C1") {
  InboundEvent e;
  e.key = "test:" + key;
  e.platform = "slack";
  e.channel = channel;
  e.user = user;
  e.at = when;
  e.message_ref = "ref-" + key;
  e.body = std::move(body);
  return e;
}

inline InboundEvent command(const std::string& key, const std::string& text, TimePoint when,
                            const std::string& user = "U1", const std::string& channel = "C1") {
  return event(key, in::CommandText{text}, when, user, channel);
}

}  // namespace incident::testing
