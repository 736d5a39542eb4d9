#include "bot/dm/question_memory.h"

#include <algorithm>

namespace incident {

namespace {
std::string memory_key(const std::string& platform, const std::string& user) {
  return platform + "\n" + user;
}
}  // namespace

std::vector<Question> QuestionMemory::recall(const std::string& platform, const std::string& user,
                                             TimePoint now, Millis kept) {
  std::lock_guard lock(mutex_);
  std::vector<Question> out;
  if (const auto it = questions_.find(memory_key(platform, user)); it != questions_.end()) {
    for (const auto& q : it->second) {
      if (now - q.at <= kept) out.push_back(q);
    }
  }
  return out;
}

void QuestionMemory::update(const std::string& platform, const std::string& user,
                            const QuestionUpdate& update, TimePoint now, Millis kept) {
  if (update.action == QuestionUpdate::Action::keep) return;
  std::lock_guard lock(mutex_);
  while (!by_age_.empty() && now - by_age_.begin()->first > kept) erase(*by_age_.begin());
  const std::string key = memory_key(platform, user);
  if (update.action == QuestionUpdate::Action::forget) {
    std::vector<TimePoint> asked = update.asked;
    if (asked.empty()) {
      if (const auto it = questions_.find(key); it != questions_.end()) {
        for (const auto& q : it->second) asked.push_back(q.at);
      }
    }
    for (const TimePoint at : asked) erase({at, key});
    return;
  }
  const TimePoint at = update.question.at;
  erase({at, key});  // a redelivery replaces, never doubles
  auto& mine = questions_[key];
  if (mine.size() >= std::size_t(kPerUser)) erase({mine.front().at, key});
  // Full of fresh questions: the oldest one goes, so memory stays bounded under any load.
  if (size_ >= kCapacity) erase(*by_age_.begin());
  auto& list = questions_[key];  // erase may have dropped the entry
  list.insert(std::upper_bound(list.begin(), list.end(), at,
                               [](TimePoint t, const Question& q) { return t < q.at; }),
              update.question);
  by_age_.emplace(at, key);
  ++size_;
}

void QuestionMemory::erase(Key key) {
  if (by_age_.erase(key) == 0) return;
  const auto it = questions_.find(key.second);
  auto& list = it->second;
  list.erase(
      std::find_if(list.begin(), list.end(), [&](const Question& q) { return q.at == key.first; }));
  --size_;
  if (list.empty()) questions_.erase(it);
}

}  // namespace incident
