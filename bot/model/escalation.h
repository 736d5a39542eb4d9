// An escalated "is this safe?" question: a case the security team answers in a thread of the
// security channel, without learning who asked (unless the asker chose `report as me`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bot/model/time.h"

namespace incident {

// What a DM to the bot is about: the advisor (bot/dm/advisor.h) decides it, a case keeps it.
enum class Topic {
  phishing,            // a suspicious link, email or attachment
  password_entered,    // a password or code typed into a suspicious page
  malware,             // malware, an odd pop-up, a machine acting strangely
  lost_device,         // a lost or stolen laptop, phone, security key
  secret_exposed,      // a token, key or password pasted somewhere public
  social_engineering,  // a suspicious call or message asking for something
  change_safety,       // "is it safe to restart/deploy X?" (during an open incident)
  general,             // anything else: a warm general answer
};

inline constexpr std::size_t kTopicCount = 8;

std::string to_string(Topic topic);  // "phishing", "password_entered", …
std::optional<Topic> topic_from_string(std::string_view text);

struct Escalation {
  std::string code;  // "SEC-7F3K2Q9M": opaque, random, never derived from the asker
  std::string platform;
  Topic topic = Topic::general;
  std::string text;          // the question, credentials removed
  std::string dm_channel;    // where the security team's answers go; deliberately not who asked
  std::string security_ref;  // the case's post in the security channel, once posted
  bool open = true;
  TimePoint created_at{};
  std::optional<TimePoint> closed_at;
};

// "SEC-" and eight characters of Crockford's base32 (no I, L, O or U, so a code read aloud or
// retyped cannot be mixed up) from 40 of the caller's random bits: unguessable, and with cases
// deleted after retention, a collision is a one-in-a-trillion event.
std::string case_code(std::uint64_t random_bits);

// The case code `text` starts with, in any case, upper-cased; nullopt when it starts otherwise.
std::optional<std::string> leading_case_code(std::string_view text);

inline constexpr std::size_t kCaseCodeLength = 12;  // "SEC-" + 8

}  // namespace incident
