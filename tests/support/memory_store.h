// An in-memory Store for domain and engine tests: the same contract as SqliteStore, no disk
// (tests/storage/store_contract_test.cpp holds both to it).
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "bot/model/store.h"

namespace incident::testing {

class MemoryStore final : public Store {
 public:
  std::optional<std::vector<Reply>> find_processed(const std::string& key) override {
    auto it = processed_.find(key);
    if (it == processed_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<Incident> current_incident(const std::string& platform, const std::string& channel,
                                           const IncidentView& view) override {
    const Incident* current = nullptr;
    for (const auto& [number, inc] : incidents_) {
      if (inc.platform != platform || inc.channel != channel) continue;
      if (view.number != 0 && number != view.number) continue;
      current = &inc;
      if (inc.is_open()) break;
    }
    if (!current) return std::nullopt;
    Incident out = *current;
    if (!view.whole) {  // as SqliteStore: only what the view names, so tests see the same
      out.complete = false;
      std::erase_if(out.timeline, [&](const TimelineEntry& e) {
        return view.message_ref.empty() || e.message_ref != view.message_ref;
      });
      std::erase_if(out.review, [&](const ReviewReply& r) {
        return view.message_ref.empty() || r.message_ref != view.message_ref;
      });
    }
    return out;
  }
  std::int64_t next_incident_number() override {
    return incidents_.empty() ? 1 : incidents_.rbegin()->first + 1;
  }
  // A batch keeps a copy of everything to go back to; each commit in it is atomic on its own.
  void begin_batch() override {
    if (saved_) throw std::logic_error("a store batch is already open");
    saved_ = Saved{incidents_, outbox_, last_request_id_, cursors_, processed_, cases_, private_};
  }
  void end_batch() override {
    if (!saved_) throw std::logic_error("no store batch is open");
    if (fail_next_batch) {
      fail_next_batch = false;
      abandon_batch();
      throw std::runtime_error("the batch could not be made durable (test)");
    }
    saved_.reset();
    ++batches;
  }
  void abandon_batch() override {
    if (!saved_) return;
    std::tie(incidents_, outbox_, last_request_id_, cursors_, processed_, cases_, private_) =
        std::tie(saved_->incidents, saved_->outbox, saved_->last_request_id, saved_->cursors,
                 saved_->processed, saved_->cases, saved_->private_events);
    saved_.reset();
  }
  // One process: no one to fence out.
  void fence(const std::string&, std::int64_t) override {}
  CommitResult commit(const UnitOfWork& work) override {
    ++commits;
    const bool fresh = work.key.empty() || !processed_.count(work.key);
    if (fresh) {
      for (const auto& c : work.changes) {
        if (std::holds_alternative<change::Opened>(c.body) && !incidents_.empty() &&
            incidents_.rbegin()->first >= c.incident) {
          return CommitResult::conflict;
        }
      }
      for (const auto& c : work.changes) {
        if (apply_case_change(work.key, c.body)) continue;
        Incident& inc = incidents_[c.incident];
        inc.number = c.incident;
        apply_change(inc, c.body);
      }
      if (!work.key.empty()) processed_[work.key] = work.replies;
    }
    for (const auto& item : work.outbox) {
      if (std::any_of(outbox_.begin(), outbox_.end(),
                      [&](const Request& r) { return r.item.key == item.key; })) {
        continue;
      }
      outbox_.push_back({item, "pending", {}, {}});
      outbox_.back().item.id = ++last_request_id_;
    }
    for (const auto& [name, value] : work.cursors) cursors_[name] = value;
    return fresh ? CommitResult::committed : CommitResult::duplicate;
  }

  std::vector<FollowedIncident> followed_incidents(const std::string& platform,
                                                   TimePoint since) override {
    std::vector<FollowedIncident> out;
    const auto since_date =
        std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(since)};
    for (const auto& [number, inc] : incidents_) {
      if (inc.platform != platform) continue;
      if (inc.has_own_channel() && inc.closed_at && *inc.closed_at >= since) {
        out.push_back({number, inc.channel});
        continue;
      }
      if (inc.reminders_off) continue;
      const bool unreviewed = inc.postmortem_ref.empty() && inc.facilitator.empty() &&
                              inc.closed_at && *inc.closed_at >= since;
      const bool action_due = std::any_of(
          inc.actions.begin(), inc.actions.end(),
          [&](const ActionItem& a) { return !a.done && a.due && *a.due >= since_date; });
      const bool meeting = (inc.review_at && *inc.review_at >= since) ||
                           (inc.review_started_at && *inc.review_started_at >= since);
      const bool deadline =
          std::any_of(inc.notifications.begin(), inc.notifications.end(),
                      [&](const Notification& n) { return !n.done_at && n.by >= since; });
      if (inc.is_open() || unreviewed || action_due || meeting || deadline) {
        out.push_back({number, inc.channel});
      }
    }
    return out;
  }
  std::vector<FollowedIncident> with_overdue_actions(const std::string& platform,
                                                     Date date) override {
    std::vector<FollowedIncident> out;
    for (const auto& [number, inc] : incidents_) {
      if (inc.platform != platform || inc.reminders_off) continue;
      if (std::any_of(inc.actions.begin(), inc.actions.end(),
                      [&](const ActionItem& a) { return !a.done && a.due && *a.due < date; })) {
        out.push_back({number, inc.channel});
      }
    }
    return out;
  }
  std::vector<OpenIncident> open_incidents() override {
    std::vector<OpenIncident> out;
    for (const auto& [number, inc] : incidents_) {
      if (!inc.is_open()) continue;
      auto commander = inc.roles.find(Role::commander);
      OpenIncident open{inc.platform,
                        inc.channel,
                        number,
                        inc.title,
                        commander == inc.roles.end() ? std::string{} : commander->second,
                        {},
                        inc.is_private};
      auto add = [&](const std::string& user) {
        std::string key = user_key(user);
        if (!key.empty() &&
            std::find(open.members.begin(), open.members.end(), key) == open.members.end()) {
          open.members.push_back(std::move(key));
        }
      };
      for (const auto& [role, user] : inc.roles) add(user);
      add(inc.facilitator);
      for (const auto& e : inc.timeline) add(e.author);
      for (const auto& r : inc.review) add(r.author);
      for (const auto& a : inc.actions) add(a.author);
      out.push_back(std::move(open));
    }
    return out;
  }
  std::vector<Escalation> open_cases(const std::string& platform,
                                     const std::string& dm_channel) override {
    std::vector<Escalation> out;
    for (const auto& [code, e] : cases_) {
      if (e.open && e.platform == platform && e.dm_channel == dm_channel) out.push_back(e);
    }
    std::stable_sort(out.begin(), out.end(), [](const Escalation& a, const Escalation& b) {
      return a.created_at < b.created_at;
    });
    return out;
  }
  std::optional<Escalation> case_by_ref(const std::string& platform,
                                        const std::string& security_ref) override {
    for (const auto& [code, e] : cases_) {
      if (!security_ref.empty() && e.platform == platform && e.security_ref == security_ref) {
        return e;
      }
    }
    return std::nullopt;
  }
  int cases_since(const std::string& platform, const std::string& dm_channel,
                  TimePoint since) override {
    int n = 0;
    for (const auto& [code, e] : cases_) {
      n += e.platform == platform && e.dm_channel == dm_channel && e.created_at >= since;
    }
    return n;
  }
  int purge_private(TimePoint closed_before, TimePoint private_before) override {
    std::set<std::string> expired;
    for (const auto& [code, e] : cases_) {
      if (!e.open && e.closed_at && *e.closed_at < closed_before) expired.insert(code);
    }
    std::erase_if(private_, [&](const auto& entry) {
      const auto& [code, at] = entry.second;
      if (code.empty() ? at >= private_before : !expired.count(code)) return false;
      processed_[entry.first].clear();
      return true;
    });
    for (const auto& code : expired) cases_.erase(code);
    return static_cast<int>(expired.size());
  }

  std::optional<std::string> cursor(const std::string& name) override {
    const auto it = cursors_.find(name);
    if (it == cursors_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<OutboxItem> pending_requests(const std::string& platform,
                                           std::size_t limit = 100) override {
    std::vector<OutboxItem> out;
    for (const auto& r : outbox_) {
      if (out.size() < limit && r.status == "pending" && r.item.platform == platform) {
        out.push_back(r.item);
      }
    }
    return out;
  }
  void finish_request(std::int64_t id, bool done, const std::string& result = {}) override {
    for (auto& r : outbox_) {
      if (r.item.id != id) continue;
      r.status = done ? "done" : "failed";
      r.result = result;
      r.item.payload.clear();
      r.finished_at = now_();
    }
  }
  std::optional<std::string> request_result(const std::string& key) override {
    for (const auto& r : outbox_) {
      if (r.item.key == key && r.status == "done") return r.result;
    }
    return std::nullopt;
  }
  int prune_requests(TimePoint before) override {
    return static_cast<int>(std::erase_if(outbox_, [&](const Request& r) {
      return r.status != "pending" && r.finished_at < before;
    }));
  }

  // The clock finish_request stamps with (the SQLite store uses the system clock).
  void set_clock(std::function<TimePoint()> now) { now_ = std::move(now); }

  const std::map<std::string, Escalation>& cases() const { return cases_; }
  // The sign-in links `web` issued (their hashes), in order.
  const std::vector<change::SignInIssued>& sign_ins() const { return sign_ins_; }

  const std::map<std::int64_t, Incident>& incidents() const { return incidents_; }
  int commits = 0;
  int batches = 0;               // batches made durable
  bool fail_next_batch = false;  // the next end_batch() throws, keeping nothing

 private:
  struct Request {
    OutboxItem item;
    std::string status;  // pending, done, failed
    std::string result;
    TimePoint finished_at{};
  };

  std::map<std::int64_t, Incident> incidents_;
  std::vector<Request> outbox_;  // in enqueue order
  std::int64_t last_request_id_ = 0;
  std::map<std::string, std::string> cursors_;
  std::function<TimePoint()> now_ = [] {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  };
  std::map<std::string, std::vector<Reply>> processed_;
  std::map<std::string, Escalation> cases_;
  std::vector<change::SignInIssued> sign_ins_;
  std::map<std::string, std::pair<std::string, TimePoint>> private_;  // key -> (case, at)

  struct Saved {
    std::map<std::int64_t, Incident> incidents;
    std::vector<Request> outbox;
    std::int64_t last_request_id;
    std::map<std::string, std::string> cursors;
    std::map<std::string, std::vector<Reply>> processed;
    std::map<std::string, Escalation> cases;
    std::map<std::string, std::pair<std::string, TimePoint>> private_events;
  };
  std::optional<Saved> saved_;

  // Case changes belong to no incident; true when `body` was one.
  bool apply_case_change(const std::string& key, const ChangeBody& body) {
    if (auto* o = std::get_if<change::CaseOpened>(&body)) {
      cases_[o->escalation.code] = o->escalation;
    } else if (auto* a = std::get_if<change::CaseAnchored>(&body)) {
      cases_.at(a->code).security_ref = a->security_ref;
    } else if (auto* c = std::get_if<change::CaseClosed>(&body)) {
      Escalation& e = cases_.at(c->code);
      if (e.open) e.closed_at = c->at;
      e.open = false;
    } else if (auto* p = std::get_if<change::PrivateEvent>(&body)) {
      private_[key] = {p->code, p->at};
    } else if (auto* s = std::get_if<change::SignInIssued>(&body)) {
      sign_ins_.push_back(*s);
    } else {
      return false;
    }
    return true;
  }
};

}  // namespace incident::testing
