// Tolerant readers of Slack's JSON: a missing, null or differently typed key reads as empty, so
// a payload Slack extends or trims never throws in the middle of decoding.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace incident::slack::fields {

inline std::string str(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

inline const nlohmann::json& obj(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}

inline long number(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<long>() : 0;
}

}  // namespace incident::slack::fields
