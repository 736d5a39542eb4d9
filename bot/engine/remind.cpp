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

Millis offset(TimePoint t, const RemindSettings& s) {
  return s.utc_offset ? s.utc_offset(t) : Millis{0};
}
TimePoint local(TimePoint t, const RemindSettings& s) {
  return t + offset(t, s);
}
// The instant a local wall-clock time names (twice refined, for the days the offset changes).
TimePoint to_utc(TimePoint wall, const RemindSettings& s) {
  const TimePoint guess = wall - offset(wall, s);
  return wall - offset(guess, s);
}
bool work_day(std::chrono::sys_days day, const RemindSettings& s) {
  return s.work_days[std::chrono::weekday{day}.c_encoding()];
}
bool any_work_day(const RemindSettings& s) {
  return std::any_of(s.work_days.begin(), s.work_days.end(), [](bool d) { return d; });
}

// Occurrences that wait for working time: each moved to the next working moment, which may
// turn a due one into the next.
Occurrences in_working_time(const Occurrences& o, TimePoint now, const RemindSettings& s) {
  Occurrences out;
  for (const auto& when : {o.latest, o.next}) {
    if (!when) continue;
    const TimePoint t = next_working(*when, s);
    if (t <= now) {
      if (!out.latest || t > *out.latest) out.latest = t;
    } else if (!out.next || t < *out.next) {
      out.next = t;
    }
  }
  return out;
}

bool urgent(const Incident& inc) {
  return inc.severity == Severity::sev1 || inc.severity == Severity::sev2;
}

// The occurrences of a reminder about the whole incident.
Occurrences occurrences(const Incident& inc, ReminderKind kind, TimePoint now,
                        const RemindSettings& s) {
  switch (kind) {
    case ReminderKind::no_update: {
      if (!inc.is_open()) return {};
      if (urgent(inc)) return once(last_update(inc) + s.quiet_high, now);
      return in_working_time(once(last_update(inc) + s.quiet_low, now), now, s);
    }
    case ReminderKind::no_severity:
      if (!inc.is_open() || inc.severity != Severity::unset) return {};
      return once(inc.opened_at + s.no_severity, now);
    case ReminderKind::still_open: {
      if (!inc.is_open()) return {};
      const TimePoint first = inc.opened_at + s.still_open;
      Occurrences o{std::nullopt, first};
      if (now >= first) {
        const auto every = std::chrono::duration_cast<Millis>(s.still_open_every);
        const TimePoint latest = first + (now - first) / every * every;
        o = {latest, latest + every};
      }
      return urgent(inc) ? o : in_working_time(o, now, s);
    }
    case ReminderKind::no_review:
      // The review has started once someone ran `postmortem` (thread posted or facilitator set).
      if (inc.is_open() || !inc.closed_at || !inc.postmortem_ref.empty() ||
          !inc.facilitator.empty()) {
        return {};
      }
      return in_working_time(once(add_working_days(*inc.closed_at, s.review_working_days, s), now),
                             now, s);
    case ReminderKind::homework:
      if (!inc.review_at || now >= *inc.review_at) return {};  // none after the meeting
      return once(*inc.review_at - s.homework_before, now);
    case ReminderKind::unanswered:
      if (!inc.review_started_at || unanswered_questions(inc).empty()) return {};
      return in_working_time(once(*inc.review_started_at + s.unanswered_after, now), now, s);
    case ReminderKind::archive:
      if (inc.is_open() || !inc.closed_at || !inc.has_own_channel() || !s.archive_after) return {};
      return once(*inc.closed_at + *s.archive_after, now);
    case ReminderKind::notify_due:  // per notification duty, below
    case ReminderKind::action_due:  // per item, below
    case ReminderKind::digest:      // per platform (digest_due)
      return {};
  }
  return {};
}

// The start of working time on the due date, in the team's zone (or the next working day's).
TimePoint action_time(const ActionItem& a, const RemindSettings& s) {
  return next_working(to_utc(TimePoint{std::chrono::sys_days{*a.due}} + s.work_start, s), s);
}

bool sent(const Incident& inc, const DueReminder& r) {
  return std::any_of(inc.reminders.begin(), inc.reminders.end(), [&](const SentReminder& s) {
    return s.kind == r.kind && s.item == r.item && s.due == r.due;
  });
}

// How long before a notification's deadline the channel hears of it first.
constexpr std::chrono::hours kNotifyAhead{24};

constexpr ReminderKind kIncidentKinds[] = {ReminderKind::no_severity, ReminderKind::no_update,
                                           ReminderKind::still_open,  ReminderKind::no_review,
                                           ReminderKind::homework,    ReminderKind::unanswered};

// Every reminder of the incident with its latest and next occurrence.
template <typename Visit>
void each_reminder(const Incident& inc, TimePoint now, const RemindSettings& s, Visit visit) {
  visit(ReminderKind::archive, 0, occurrences(inc, ReminderKind::archive, now, s));
  if (!s.enabled || inc.reminders_off) return;
  for (const ReminderKind kind : kIncidentKinds) {
    const Occurrences o = occurrences(inc, kind, now, s);
    visit(kind, 0, o);
  }
  for (const ActionItem& a : inc.actions) {
    if (a.done || !a.due) continue;
    visit(ReminderKind::action_due, a.number, once(action_time(a, s), now));
  }
  // A deadline is a deadline: a day before it (when it was set earlier than that) and at it,
  // whatever the working time.
  for (const Notification& n : inc.notifications) {
    if (n.done_at) continue;
    Occurrences o;
    for (const TimePoint t : {n.by - kNotifyAhead, n.by}) {
      if (t < n.created_at && t != n.by) continue;
      if (t <= now) {
        o.latest = t;
      } else if (!o.next) {
        o.next = t;
      }
    }
    visit(ReminderKind::notify_due, n.number, o);
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

std::optional<TimePoint> digest_due(TimePoint now, const RemindSettings& s) {
  if (!s.enabled) return std::nullopt;
  // Walk back over the local days of this week and the last, to the latest first working day
  // of a week whose working time has begun.
  const auto today = floor<days>(local(now, s));
  for (int back = 0; back < 14; ++back) {
    const auto day = today - days{back};
    if (!work_day(day, s)) continue;
    // The first working day of its week (weeks start on Monday).
    const auto monday = day - days{(std::chrono::weekday{day}.iso_encoding() - 1)};
    bool first = true;
    for (auto d = monday; d < day; d += days{1}) {
      if (work_day(d, s)) first = false;
    }
    if (!first) continue;
    const TimePoint at = to_utc(TimePoint{day} + s.work_start, s);
    if (at > now) continue;
    if (now - at > s.stale_after) return std::nullopt;
    return at;
  }
  return std::nullopt;
}

Date local_date(TimePoint now, const RemindSettings& s) {
  return Date{floor<days>(local(now, s))};
}

bool overdue(const ActionItem& a, TimePoint now, const RemindSettings& s) {
  return !a.done && a.due && *a.due < local_date(now, s);
}

std::string digest_key(const std::string& platform, TimePoint due) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(due.time_since_epoch());
  return "remind:" + platform + ":digest:" + std::to_string(seconds.count());
}

std::vector<ReviewQuestion> unanswered_questions(const Incident& inc) {
  if (inc.facilitator.empty() && inc.postmortem_ref.empty()) return {};
  std::vector<ReviewQuestion> open = questions_for(inc);
  for (const ReviewAnswer& a : map_review(inc.review)) {
    if (!a.note) std::erase(open, a.question);
  }
  return open;
}

TimePoint add_working_days(TimePoint from, int count, const RemindSettings& s) {
  if (!any_work_day(s)) return from;
  TimePoint wall = local(from, s);
  while (count > 0) {
    wall += days{1};
    if (work_day(floor<days>(wall), s)) --count;
  }
  return to_utc(wall, s);
}

TimePoint next_working(TimePoint t, const RemindSettings& s) {
  if (!any_work_day(s) || s.work_start >= s.work_end) {
    return t;
  }
  for (int i = 0; i < 8; ++i) {
    const TimePoint wall = local(t, s);
    const auto day = floor<days>(wall);
    const auto minute = wall - TimePoint{day};
    if (work_day(day, s) && minute < s.work_end) {
      return minute >= s.work_start ? t : to_utc(TimePoint{day} + s.work_start, s);
    }
    t = to_utc(TimePoint{day + days{1}} + s.work_start, s);
    if (work_day(day + days{1}, s)) return t;
  }
  return t;
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
