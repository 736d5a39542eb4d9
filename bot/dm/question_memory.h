// The last question each user asked in a DM, in memory only: `report` can send the one just
// asked without the bot ever storing DM text.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "bot/model/decision.h"

namespace incident {

// The engine's short memory of questions, so `report` can send the one just asked without the
// bot storing DM text. Bounded in time (question_kept) and size (kCapacity); lost on restart.
class QuestionMemory {
 public:
  static constexpr std::size_t kCapacity = 10000;

  // The user's question if asked within `kept` before `now`.
  std::optional<Question> recall(const std::string& platform, const std::string& user,
                                 TimePoint now, Millis kept);
  // Applies `update`, dropping every question older than `kept` on the way.
  void update(const std::string& platform, const std::string& user, const QuestionUpdate& update,
              TimePoint now, Millis kept);

 private:
  void erase(std::map<std::string, Question>::iterator it);

  std::mutex mutex_;
  std::map<std::string, Question> questions_;           // "platform\nuser" -> question
  std::set<std::pair<TimePoint, std::string>> by_age_;  // the same keys, oldest first
};

}  // namespace incident
