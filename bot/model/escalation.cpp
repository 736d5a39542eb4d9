#include "bot/model/escalation.h"

#include <array>

namespace incident {
namespace {

constexpr std::array<std::string_view, kTopicCount> kTopicNames{
    "phishing",       "password_entered",   "malware",       "lost_device",
    "secret_exposed", "social_engineering", "change_safety", "general"};

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

char upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

}  // namespace

std::string to_string(Topic topic) {
  return std::string(kTopicNames[static_cast<std::size_t>(topic)]);
}

std::optional<Topic> topic_from_string(std::string_view text) {
  for (std::size_t i = 0; i < kTopicNames.size(); ++i) {
    if (kTopicNames[i] == text) return static_cast<Topic>(i);
  }
  return std::nullopt;
}

std::string case_code(std::uint64_t random_bits) {
  std::string code = "SEC-";
  for (int i = 0; i < 8; ++i) {
    code += kAlphabet[random_bits & 31U];
    random_bits >>= 5;
  }
  return code;
}

std::optional<std::string> leading_case_code(std::string_view text) {
  if (text.size() < kCaseCodeLength) return std::nullopt;
  std::string code;
  for (std::size_t i = 0; i < kCaseCodeLength; ++i) code += upper(text[i]);
  if (code.compare(0, 4, "SEC-") != 0) return std::nullopt;
  for (std::size_t i = 4; i < kCaseCodeLength; ++i) {
    if (kAlphabet.find(code[i]) == std::string_view::npos) return std::nullopt;
  }
  // A code glued to more letters ("SEC-ABCDEFGHX") is not this code.
  if (text.size() > kCaseCodeLength) {
    const char next = text[kCaseCodeLength];
    if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
        (next >= '0' && next <= '9')) {
      return std::nullopt;
    }
  }
  return code;
}

}  // namespace incident
