#include "bot/engine/remind.h"

#include <algorithm>

namespace incident {
namespace {

struct Occurrences {
  std::optional<TimePoint> latest;  // the newest one due at or before now
  std::optional<TimePoint> next;    // the first one after now
};

Occurrences occurrences(const Incident& inc, ReminderKind kind, TimePoint now,
                        const RemindSettings& s) {
  auto once = [&](TimePoint due) {
    return due <= now ? Occurrences{due, std::nullopt} : Occurrences{std::nullopt, due};
  };
  switch (kind) {
    case ReminderKind::no_update: {
      const bool high = inc.severity == Severity::sev1 || inc.severity == Severity::sev2;
      return once(last_update(inc) + (high ? s.quiet_high : s.quiet_low));
    }
    case ReminderKind::no_severity:
      if (inc.severity != Severity::unset) return {};
      return once(inc.opened_at + s.no_severity);
    case ReminderKind::still_open: {
      const TimePoint first = inc.opened_at + s.still_open;
      if (now < first) return {std::nullopt, first};
      const auto every = std::chrono::duration_cast<Millis>(s.still_open_every);
      const auto stretches = (now - first) / every;
      const TimePoint latest = first + stretches * every;
      return {latest, latest + every};
    }
  }
  return {};
}

bool sent(const Incident& inc, ReminderKind kind, TimePoint due) {
  return std::any_of(inc.reminders.begin(), inc.reminders.end(),
                     [&](const SentReminder& r) { return r.kind == kind && r.due == due; });
}

constexpr ReminderKind kKinds[] = {ReminderKind::no_severity, ReminderKind::no_update,
                                   ReminderKind::still_open};

}  // namespace

TimePoint last_update(const Incident& inc) {
  TimePoint last = inc.opened_at;
  for (const TimelineEntry& e : inc.timeline) {
    if (!e.deleted) last = std::max(last, e.original_at.value_or(e.at));
  }
  return last;
}

std::vector<DueReminder> due_reminders(const Incident& inc, TimePoint now,
                                       const RemindSettings& settings) {
  std::vector<DueReminder> due;
  if (!settings.enabled || inc.reminders_off || !inc.is_open()) return due;
  for (const ReminderKind kind : kKinds) {
    const Occurrences o = occurrences(inc, kind, now, settings);
    if (o.latest && !sent(inc, kind, *o.latest)) due.push_back({kind, *o.latest});
  }
  return due;
}

std::optional<DueReminder> next_reminder(const Incident& inc, TimePoint now,
                                         const RemindSettings& settings) {
  if (!settings.enabled || inc.reminders_off || !inc.is_open()) return std::nullopt;
  std::optional<DueReminder> next;
  auto consider = [&](ReminderKind kind, TimePoint at) {
    if (!next || at < next->due) next = DueReminder{kind, at};
  };
  for (const ReminderKind kind : kKinds) {
    const Occurrences o = occurrences(inc, kind, now, settings);
    if (o.latest && !sent(inc, kind, *o.latest)) consider(kind, *o.latest);
    if (o.next) consider(kind, *o.next);
  }
  return next;
}

std::string reminder_key(const Incident& inc, const DueReminder& r) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(r.due.time_since_epoch());
  return "remind:" + inc.platform + ":" + inc.channel + ":" + inc.id() + ":" + to_string(r.kind) +
         ":" + std::to_string(seconds.count());
}

}  // namespace incident
