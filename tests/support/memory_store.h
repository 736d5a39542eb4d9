// An in-memory Store for domain and engine tests: the same contract as SqliteStore, no disk.
#pragma once

#include <map>

#include "bot/store.h"

namespace incident::testing {

class MemoryStore final : public Store {
 public:
  std::optional<std::vector<Reply>> find_processed(const std::string& key) override {
    auto it = processed_.find(key);
    if (it == processed_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<Incident> current_incident(const std::string& platform,
                                           const std::string& channel) override {
    const Incident* latest = nullptr;
    for (const auto& [number, inc] : incidents_) {
      if (inc.platform != platform || inc.channel != channel) continue;
      if (inc.is_open()) return inc;
      latest = &inc;
    }
    return latest ? std::optional<Incident>(*latest) : std::nullopt;
  }
  std::int64_t next_incident_number() override {
    return incidents_.empty() ? 1 : incidents_.rbegin()->first + 1;
  }
  bool commit(const std::string& key, const std::vector<Change>& changes,
              const std::vector<Reply>& replies) override {
    ++commits;
    if (processed_.count(key)) return false;
    for (const auto& c : changes) {
      Incident& inc = incidents_[c.incident];
      inc.number = c.incident;
      apply_change(inc, c.body);
    }
    processed_[key] = replies;
    return true;
  }

  const std::map<std::int64_t, Incident>& incidents() const { return incidents_; }
  int commits = 0;

 private:
  std::map<std::int64_t, Incident> incidents_;
  std::map<std::string, std::vector<Reply>> processed_;
};

}  // namespace incident::testing
