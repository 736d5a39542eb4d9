// Reminders that make the work happen: while an incident is open, a nudge when its timeline has
// gone quiet, a question while it has no severity, a daily "still ongoing?"; after it closed, a
// note to the commander when the review has not started, and each action item's owner hears on
// its due date, the facilitator when review questions stay unanswered, and the channel gets what
// to prepare the day before the review meeting. Pure: the schedule is computed from the incident
// and a time, so it survives restarts by construction; each occurrence has its own idempotency key,
// so it goes out once.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bot/draft/review.h"
#include "bot/model/incident.h"

namespace incident {

struct RemindSettings {
  bool enabled = true;                      // `reminders = false` in the configuration: none at all
  std::chrono::minutes quiet_high{30};      // no timeline update for this long on sev1/sev2
  std::chrono::minutes quiet_low{60};       // ... on sev3/sev4, or without a severity
  std::chrono::minutes no_severity{15};     // after `start`, still no severity
  std::chrono::hours still_open{8};         // open this long: "still ongoing?"
  std::chrono::hours still_open_every{24};  // and again after each such stretch
  int review_working_days = 2;  // closed this many working days (Monday–Friday) without a review
  std::chrono::hours homework_before{24};   // the review meeting's homework: this long before it
  std::chrono::hours unanswered_after{72};  // review questions still unanswered this long after
                                            // `postmortem`: the facilitator hears
  // Working time in the team's zone. Reminders that can wait (all but the nudges of a live
  // sev1/sev2, the severity question and the meeting's homework) go out at the next working
  // moment: local time is UTC plus `utc_offset` (none: UTC), days by `work_days` (Sunday first).
  std::function<Millis(TimePoint)> utc_offset;
  std::chrono::minutes work_start{9 * 60};
  std::chrono::minutes work_end{17 * 60};
  std::array<bool, 7> work_days{false, true, true, true, true, true, false};
  // A reminder this far past its time is not sent any more (an upgrade, a long outage): it
  // would arrive as a flood of old news.
  std::chrono::hours stale_after{24 * 7};
  // The channel (a platform id) of the weekly digest of overdue action items; empty: the
  // lessons channel, if there is one.
  std::string follow_up_channel = {};
  // An incident's own channel (`start … new`) is archived this long after close; none: never.
  // Not a reminder to anyone, so neither `remind off` nor `reminders = false` stops it.
  std::optional<std::chrono::minutes> archive_after = std::nullopt;
};

struct DueReminder {
  ReminderKind kind = ReminderKind::no_update;
  int item = 0;  // the action item's number for action_due
  TimePoint due{};
  bool operator==(const DueReminder&) const = default;
};

// The reminders of `incident` due at or before `now` and not yet sent: at most one of each kind
// (and action item), its latest occurrence, so a bot that was down for hours sends one nudge,
// not a backlog. None with `remind off` or when reminders are disabled.
std::vector<DueReminder> due_reminders(const Incident& incident, TimePoint now,
                                       const RemindSettings& settings);

// The reminder that goes out next (one already due counts), for `status`; nullopt when none is
// scheduled.
std::optional<DueReminder> next_reminder(const Incident& incident, TimePoint now,
                                         const RemindSettings& settings);

// When the incident's timeline last moved: its newest live entry (at its first recorded time
// when re-timed), or the declaration.
TimePoint last_update(const Incident& incident);

// The weekly digest of overdue action items: due at the start of working time on the first
// working day of each week (local), the latest such moment at or before `now`; nullopt when it
// is older than stale_after or reminders are disabled.
std::optional<TimePoint> digest_due(TimePoint now, const RemindSettings& settings);
// The team's date at `now` (RemindSettings::utc_offset).
Date local_date(TimePoint now, const RemindSettings& settings);
// Whether `action` is overdue at `now`: not done, and its due date (local) is past.
bool overdue(const ActionItem& action, TimePoint now, const RemindSettings& settings);
// The digest's idempotency key, "remind:<platform>:digest:<unix s>".
std::string digest_key(const std::string& platform, TimePoint due);

// The review questions nobody has answered yet (bot/draft/review.h); none before `postmortem`.
std::vector<ReviewQuestion> unanswered_questions(const Incident& incident);

// `from` plus `days` working days (RemindSettings::work_days, local time), at the same local
// time of day.
TimePoint add_working_days(TimePoint from, int days, const RemindSettings& settings);
// `t` when it is working time, else the start of the next working time.
TimePoint next_working(TimePoint t, const RemindSettings& settings);

// The idempotency key of one occurrence,
// "remind:<platform>:<channel>:INC-<n>:<kind>[-<item>]:<unix s>": the same occurrence always
// gets the same key, in every process and after every restart.
std::string reminder_key(const Incident& incident, const DueReminder& reminder);

}  // namespace incident
