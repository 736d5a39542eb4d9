#include "bot/engine/remind.h"

#include <algorithm>

namespace incident {
namespace {

using std::chrono::days;
using std::chrono::floor;

struct Occurrences {
  std::optional<TimePoint> latest;  // the newest one due at or before now
  std::optional<TimePoint> next;    // the first one after now
};

Occurrences once(TimePoint due, TimePoint now) {
  return due <= now ? Occurrences{due, std::nullopt} : Occurrences{std::nullopt, due};
}

// The occurrences of a reminder about the whole incident.
Occurrences occurrences(const Incident& inc, ReminderKind kind, TimePoint now,
                        const RemindSettings& s) {
  switch (kind) {
    case ReminderKind::no_update: {
      if (!inc.is_open()) return {};
      const bool high = inc.severity == Severity::sev1 || inc.severity == Severity::sev2;
      return once(last_update(inc) + (high ? s.quiet_high : s.quiet_low), now);
    }
    case ReminderKind::no_severity:
      if (!inc.is_open() || inc.severity != Severity::unset) return {};
      return once(inc.opened_at + s.no_severity, now);
    case ReminderKind::still_open: {
      if (!inc.is_open()) return {};
      const TimePoint first = inc.opened_at + s.still_open;
      if (now < first) return {std::nullopt, first};
      const auto every = std::chrono::duration_cast<Millis>(s.still_open_every);
      const auto stretches = (now - first) / every;
      const TimePoint latest = first + stretches * every;
      return {latest, latest + every};
    }
    case ReminderKind::no_review:
      // The review has started once someone ran `postmortem` (thread posted or facilitator set).
      if (inc.is_open() || !inc.closed_at || !inc.postmortem_ref.empty() ||
          !inc.facilitator.empty()) {
        return {};
      }
      return once(add_working_days(*inc.closed_at, s.review_working_days), now);
    case ReminderKind::homework:
      if (!inc.review_at || now >= *inc.review_at) return {};  // none after the meeting
      return once(*inc.review_at - s.homework_before, now);
    case ReminderKind::unanswered:
      if (!inc.review_started_at || unanswered_questions(inc).empty()) return {};
      return once(*inc.review_started_at + s.unanswered_after, now);
    case ReminderKind::action_due:
      return {};  // per item, below
  }
  return {};
}

TimePoint action_time(const ActionItem& a, const RemindSettings& s) {
  return TimePoint{std::chrono::sys_days{*a.due}} + s.action_hour;
}

bool sent(const Incident& inc, const DueReminder& r) {
  return std::any_of(inc.reminders.begin(), inc.reminders.end(), [&](const SentReminder& s) {
    return s.kind == r.kind && s.item == r.item && s.due == r.due;
  });
}

constexpr ReminderKind kIncidentKinds[] = {ReminderKind::no_severity, ReminderKind::no_update,
                                           ReminderKind::still_open,  ReminderKind::no_review,
                                           ReminderKind::homework,    ReminderKind::unanswered};

// Every reminder of the incident with its latest and next occurrence.
template <typename Visit>
void each_reminder(const Incident& inc, TimePoint now, const RemindSettings& s, Visit visit) {
  if (!s.enabled || inc.reminders_off) return;
  for (const ReminderKind kind : kIncidentKinds) {
    const Occurrences o = occurrences(inc, kind, now, s);
    visit(kind, 0, o);
  }
  for (const ActionItem& a : inc.actions) {
    if (a.done || !a.due) continue;
    visit(ReminderKind::action_due, a.number, once(action_time(a, s), now));
  }
}

}  // namespace

TimePoint last_update(const Incident& inc) {
  TimePoint last = inc.opened_at;
  for (const TimelineEntry& e : inc.timeline) {
    if (!e.deleted) last = std::max(last, e.original_at.value_or(e.at));
  }
  return last;
}

std::vector<ReviewQuestion> unanswered_questions(const Incident& inc) {
  if (inc.facilitator.empty() && inc.postmortem_ref.empty()) return {};
  std::vector<ReviewQuestion> open(kQuestions.begin(), kQuestions.end());
  for (const ReviewAnswer& a : map_review(inc.review)) {
    if (!a.note) std::erase(open, a.question);
  }
  return open;
}

TimePoint add_working_days(TimePoint from, int count) {
  TimePoint at = from;
  while (count > 0) {
    at += days{1};
    const std::chrono::weekday day{floor<days>(at)};
    if (day != std::chrono::Saturday && day != std::chrono::Sunday) --count;
  }
  return at;
}

std::vector<DueReminder> due_reminders(const Incident& inc, TimePoint now,
                                       const RemindSettings& settings) {
  std::vector<DueReminder> due;
  each_reminder(inc, now, settings, [&](ReminderKind kind, int item, const Occurrences& o) {
    if (!o.latest || now - *o.latest > settings.stale_after) return;
    const DueReminder r{kind, item, *o.latest};
    if (!sent(inc, r)) due.push_back(r);
  });
  return due;
}

std::optional<DueReminder> next_reminder(const Incident& inc, TimePoint now,
                                         const RemindSettings& settings) {
  std::optional<DueReminder> next;
  auto consider = [&](const DueReminder& r) {
    if (!next || r.due < next->due) next = r;
  };
  each_reminder(inc, now, settings, [&](ReminderKind kind, int item, const Occurrences& o) {
    if (o.latest && now - *o.latest <= settings.stale_after &&
        !sent(inc, {kind, item, *o.latest})) {
      consider({kind, item, *o.latest});
    }
    if (o.next) consider({kind, item, *o.next});
  });
  return next;
}

std::string reminder_key(const Incident& inc, const DueReminder& r) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(r.due.time_since_epoch());
  return "remind:" + inc.platform + ":" + inc.channel + ":" + inc.id() + ":" + to_string(r.kind) +
         (r.item ? "-" + std::to_string(r.item) : std::string()) + ":" +
         std::to_string(seconds.count());
}

}  // namespace incident
