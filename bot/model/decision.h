// What the domain decides for one event: changes to store, replies to post, and what the
// engine keeps in memory (never in storage) of a DM question.
#pragma once

#include <string>
#include <vector>

#include "bot/model/change.h"
#include "bot/model/escalation.h"
#include "bot/model/event.h"

namespace incident {

// The last question a user asked, credentials already removed.
struct Question {
  std::string text;
  Topic topic = Topic::general;
  TimePoint at{};
};

// What the engine does with its memory of the sender's last question after a DM.
struct QuestionUpdate {
  enum class Action { keep, remember, forget } action = Action::keep;
  Question question;
};

struct Decision {
  std::vector<Change> changes;
  std::vector<Reply> replies;
  QuestionUpdate question;  // DMs: the engine's memory of the sender's last question
  std::string topic;        // DMs: what the message was, for a log line (Outcome::topic)
};

}  // namespace incident
