// What the domain decides for one event: changes to store, replies to post, and what the
// engine keeps in memory (never in storage) of a DM question.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/model/change.h"
#include "bot/model/escalation.h"
#include "bot/model/event.h"

namespace incident {

// A question a user asked, credentials already removed.
struct Question {
  std::string text;
  Topic topic = Topic::general;
  TimePoint at{};
};

// What the engine does with its memory of the sender's recent questions after a DM.
struct QuestionUpdate {
  enum class Action { keep, remember, forget } action = Action::keep;
  Question question;             // remember: this one
  std::vector<TimePoint> asked;  // forget: the questions asked at these times; empty: all

  static QuestionUpdate remember(Question q) { return {Action::remember, std::move(q), {}}; }
  static QuestionUpdate forget(std::vector<TimePoint> asked) {
    return {Action::forget, {}, std::move(asked)};
  }
  static QuestionUpdate forget_all() { return {Action::forget, {}, {}}; }
};

// Where a reply's sign-in link goes: `decide` cannot make one (no randomness, no clock, no
// hashing in the domain), so it leaves this slot and the engine fills it (Engine::handle).
inline constexpr std::string_view kSignInLinkSlot = "\x01sign-in-link\x01";

// `web` asked for a sign-in link to this incident's review page, for the event's sender.
struct SignInRequest {
  std::int64_t incident = 0;
};

struct Decision {
  std::vector<Change> changes;
  std::vector<Reply> replies;
  QuestionUpdate question;  // DMs: the engine's memory of the sender's recent questions
  std::string topic;        // DMs: what the message was, for a log line (Outcome::topic)
  std::optional<SignInRequest> sign_in;  // a reply holds kSignInLinkSlot
};

}  // namespace incident
