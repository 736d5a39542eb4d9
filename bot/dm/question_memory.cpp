#include "bot/dm/question_memory.h"

namespace incident {

namespace {
std::string memory_key(const std::string& platform, const std::string& user) {
  return platform + "\n" + user;
}
}  // namespace

std::optional<Question> QuestionMemory::recall(const std::string& platform, const std::string& user,
                                               TimePoint now, Millis kept) {
  std::lock_guard lock(mutex_);
  const auto it = questions_.find(memory_key(platform, user));
  if (it == questions_.end() || now - it->second.at > kept) return std::nullopt;
  return it->second;
}

void QuestionMemory::update(const std::string& platform, const std::string& user,
                            const QuestionUpdate& update, TimePoint now, Millis kept) {
  if (update.action == QuestionUpdate::Action::keep) return;
  std::lock_guard lock(mutex_);
  while (!by_age_.empty() && now - by_age_.begin()->first > kept) {
    erase(questions_.find(by_age_.begin()->second));
  }
  const std::string key = memory_key(platform, user);
  if (auto it = questions_.find(key); it != questions_.end()) erase(it);
  if (update.action == QuestionUpdate::Action::forget) return;
  // Full of fresh questions: the oldest one goes, so memory stays bounded under any load.
  if (questions_.size() >= kCapacity) erase(questions_.find(by_age_.begin()->second));
  questions_[key] = update.question;
  by_age_.emplace(update.question.at, key);
}

void QuestionMemory::erase(std::map<std::string, Question>::iterator it) {
  by_age_.erase({it->second.at, it->first});
  questions_.erase(it);
}

}  // namespace incident
