// Reminders that make the work happen: while an incident is open, a nudge when its timeline has
// gone quiet, a question while it has no severity, a daily "still ongoing?"; after it closed, a
// note to the commander when the review has not started, and each action item's owner hears on
// its due date, the facilitator when review questions stay unanswered, and the channel gets what
// to prepare the day before the review meeting. Pure: the schedule is computed from the incident
// and a time, so it survives restarts by construction; each occurrence has its own idempotency key,
// so it goes out once.
#pragma once

#include <chrono>
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
  std::chrono::hours action_hour{9};  // an action item's reminder: this hour (UTC) of its due date
  std::chrono::hours homework_before{24};   // the review meeting's homework: this long before it
  std::chrono::hours unanswered_after{72};  // review questions still unanswered this long after
                                            // `postmortem`: the facilitator hears
  // A reminder this far past its time is not sent any more (an upgrade, a long outage): it
  // would arrive as a flood of old news.
  std::chrono::hours stale_after{24 * 7};
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

// The review questions nobody has answered yet (bot/draft/review.h); none before `postmortem`.
std::vector<ReviewQuestion> unanswered_questions(const Incident& incident);

// `from` plus `days` working days (Monday–Friday, UTC), at the same time of day.
TimePoint add_working_days(TimePoint from, int days);

// The idempotency key of one occurrence,
// "remind:<platform>:<channel>:INC-<n>:<kind>[-<item>]:<unix s>": the same occurrence always
// gets the same key, in every process and after every restart.
std::string reminder_key(const Incident& incident, const DueReminder& reminder);

}  // namespace incident
