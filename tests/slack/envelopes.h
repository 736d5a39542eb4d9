// Socket Mode envelopes for tests, built from the real payloads in tests/data/slack/ with the
// fields a test cares about replaced.
#pragma once

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "bot/model/time.h"

namespace incident::testing {

inline nlohmann::json fixture(const std::string& name) {
  std::ifstream in(std::string(INCIDENT_TEST_DATA) + "/slack/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

inline std::string next_envelope_id() {
  static int n = 0;
  return "00000000-0000-4000-8000-" + std::to_string(100000000000 + ++n);
}

// "1700000000.000100" for a time point (Slack's ts: seconds and microseconds).
inline std::string slack_ts(TimePoint t, int micros = 0) {
  const auto ms = to_unix_ms(t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(ms / 1000),
                static_cast<long long>((ms % 1000) * 1000 + micros));
  return buf;
}

inline nlohmann::json slash_envelope(const std::string& text, const std::string& user = "U1",
                                     const std::string& channel = "C1") {
  static int trigger = 0;
  auto e = fixture("envelope_slash_commands.json");
  e["envelope_id"] = next_envelope_id();
  e["payload"]["command"] = "/incident";
  e["payload"]["text"] = text;
  e["payload"]["user_id"] = user;
  e["payload"]["channel_id"] = channel;
  e["payload"]["trigger_id"] = "1337." + std::to_string(++trigger) + ".abcdef";
  return e;
}

inline nlohmann::json event_envelope(const nlohmann::json& event, const std::string& event_id,
                                     int retry_attempt = 0) {
  auto e = fixture("envelope_events_api_message.json");
  e["envelope_id"] = next_envelope_id();
  e["payload"]["event"] = event;
  e["payload"]["event_id"] = event_id;
  e["retry_attempt"] = retry_attempt;
  e["retry_reason"] = retry_attempt > 0 ? "timeout" : "";
  return e;
}

inline nlohmann::json message_event(const std::string& channel, const std::string& user,
                                    const std::string& text, const std::string& ts,
                                    const std::string& thread_ts = {},
                                    const std::string& channel_type = "channel") {
  auto m = fixture("envelope_events_api_message.json")["payload"]["event"];
  m["channel"] = channel;
  m["user"] = user;
  m["text"] = text;
  m["ts"] = ts;
  m["event_ts"] = ts;
  m["channel_type"] = channel_type;
  if (!thread_ts.empty()) m["thread_ts"] = thread_ts;
  return m;
}

inline nlohmann::json reaction_event(const std::string& user, const std::string& reaction,
                                     const std::string& channel, const std::string& item_ts,
                                     const std::string& event_ts) {
  return {{"type", "reaction_added"},
          {"user", user},
          {"reaction", reaction},
          {"item", {{"type", "message"}, {"channel", channel}, {"ts", item_ts}}},
          {"event_ts", event_ts}};
}

inline nlohmann::json changed_event(const std::string& channel, const std::string& user,
                                    const std::string& message_ts, const std::string& new_text,
                                    const std::string& event_ts) {
  return {{"type", "message"},
          {"subtype", "message_changed"},
          {"hidden", true},
          {"channel", channel},
          {"ts", event_ts},
          {"event_ts", event_ts},
          {"channel_type", "channel"},
          {"message",
           {{"type", "message"},
            {"user", user},
            {"text", new_text},
            {"ts", message_ts},
            {"edited", {{"user", user}, {"ts", event_ts}}}}}};
}

inline nlohmann::json deleted_event(const std::string& channel, const std::string& deleted_ts,
                                    const std::string& event_ts) {
  return {{"type", "message"},    {"subtype", "message_deleted"},
          {"hidden", true},       {"channel", channel},
          {"ts", event_ts},       {"deleted_ts", deleted_ts},
          {"event_ts", event_ts}, {"channel_type", "channel"}};
}

}  // namespace incident::testing
