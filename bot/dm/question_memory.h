// The last few questions each user asked in a DM, in memory only: `report` can send the ones just
// asked without the bot ever storing DM text.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bot/model/decision.h"

namespace incident {

// Bounded in time (`kept`), per person (kPerUser) and in all (kCapacity); lost on restart.
class QuestionMemory {
 public:
  static constexpr std::size_t kCapacity = 10000;
  static constexpr int kPerUser = 5;

  // The user's questions asked within `kept` before `now`, oldest first.
  std::vector<Question> recall(const std::string& platform, const std::string& user, TimePoint now,
                               Millis kept);
  // Applies `update`, dropping every question older than `kept` on the way.
  void update(const std::string& platform, const std::string& user, const QuestionUpdate& update,
              TimePoint now, Millis kept);

 private:
  using Key = std::pair<TimePoint, std::string>;  // when asked, "platform\nuser"
  void erase(Key key);                            // by value: callers pass elements of by_age_

  std::mutex mutex_;
  std::map<std::string, std::vector<Question>> questions_;  // oldest first
  std::set<Key> by_age_;                                    // every question, oldest first
  std::size_t size_ = 0;
};

}  // namespace incident
