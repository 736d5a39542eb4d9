// The engine's side of "is this safe?": what the DM flow needs to know, the short memory of
// questions, and the purge of private records.
#include "bot/engine.h"

namespace incident {

DmContext Engine::dm_context(const InboundEvent& event) {
  DmContext dm;
  if (std::holds_alternative<in::DirectMessage>(event.body)) {
    for (auto& inc : store_.open_incidents()) {
      if (inc.platform == event.platform) dm.open_incidents.push_back(std::move(inc));
    }
    dm.open_cases = store_.open_cases(event.platform, event.channel);
    dm.recent_escalations = store_.cases_since(event.platform, event.channel,
                                               event.at - settings_.dm.escalation_window);
    dm.question =
        questions_.recall(event.platform, event.user, event.at, settings_.dm.question_kept);
    if (random_) dm.new_case_code = case_code(random_());
  } else if (const auto* reply = std::get_if<in::ThreadReply>(&event.body)) {
    dm.thread_case = store_.case_by_ref(event.platform, reply->root_ref);
  }
  return dm;
}

int Engine::purge(TimePoint now) {
  return store_.purge_private(now - settings_.dm.retention,
                              now - settings_.dm.private_replies_kept);
}

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
