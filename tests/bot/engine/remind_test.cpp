// Reminders for open incidents: the schedule (bot/engine/remind.h) on literal incidents, then
// the engine handing due ones over and posting each occurrence once, over an in-memory store.
#include <gtest/gtest.h>

#include "bot/engine/engine.h"
#include "bot/engine/remind.h"
#include "bot/text/markup.h"
#include "prompts/embedded.h"
#include "support/events.h"
#include "support/memory_store.h"

namespace incident {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::command;

const Prompts& prompts() {
  static const Prompts p = Prompts::load(embedded_prompts());
  return p;
}

// Working time all day, every day: the tests of what falls due when, apart from working hours.
RemindSettings always() {
  RemindSettings s;
  s.work_days.fill(true);
  s.work_start = std::chrono::minutes{0};
  s.work_end = std::chrono::minutes{24 * 60};
  return s;
}

Incident open_incident(Severity severity, TimePoint opened) {
  Incident inc;
  inc.number = 4;
  inc.platform = "slack";
  inc.channel = "C1";
  inc.severity = severity;
  inc.opened_at = opened;
  TimelineEntry started;
  started.seq = 1;
  started.at = opened;
  started.source = Source::system;
  inc.timeline.push_back(started);
  return inc;
}

void log_at(Incident& inc, TimePoint when) {
  TimelineEntry e;
  e.seq = static_cast<std::int64_t>(inc.timeline.size()) + 1;
  e.at = when;
  inc.timeline.push_back(e);
}

TEST(RemindSchedule, AQuietTimelineIsNudgedOncePerSilenceSoonerForSev1AndSev2) {
  const RemindSettings s = always();
  Incident high = open_incident(Severity::sev2, at(10, 0));
  log_at(high, at(10, 5));
  EXPECT_TRUE(due_reminders(high, at(10, 34), s).empty());
  const DueReminder quiet{ReminderKind::no_update, 0, at(10, 35)};
  EXPECT_EQ(due_reminders(high, at(10, 35), s), std::vector<DueReminder>{quiet});
  EXPECT_EQ(next_reminder(high, at(10, 20), s), quiet);
  // Sent: the same silence is not nudged again, however long it lasts.
  high.reminders.push_back(SentReminder{quiet.kind, 0, quiet.due, at(10, 35)});
  EXPECT_TRUE(due_reminders(high, at(13, 0), s).empty());
  // An update starts a new silence.
  log_at(high, at(13, 10));
  EXPECT_EQ(due_reminders(high, at(13, 40), s),
            (std::vector<DueReminder>{{ReminderKind::no_update, 0, at(13, 40)}}));

  const Incident low = open_incident(Severity::sev4, at(10, 0));
  EXPECT_TRUE(due_reminders(low, at(10, 59), s).empty());
  EXPECT_EQ(due_reminders(low, at(11, 0), s).size(), 1u);
}

TEST(RemindSchedule, ABackDatedOrReTimedEntryCountsWhenItWasFirstRecordedNotLater) {
  Incident inc = open_incident(Severity::sev1, at(10, 0));
  log_at(inc, at(10, 20));
  inc.timeline.back().original_at = at(10, 20);
  inc.timeline.back().at = at(9, 50);  // re-timed on the review page
  EXPECT_EQ(last_update(inc), at(10, 20));
  inc.timeline.back().deleted = true;  // deleted messages are not updates
  EXPECT_EQ(last_update(inc), at(10, 0));
}

TEST(RemindSchedule, NoSeverityIsAskedOnceAfterFifteenMinutes) {
  const RemindSettings s;
  Incident inc = open_incident(Severity::unset, at(10, 0));
  log_at(inc, at(10, 14));
  EXPECT_TRUE(due_reminders(inc, at(10, 14), s).empty());
  EXPECT_EQ(due_reminders(inc, at(10, 15), s),
            (std::vector<DueReminder>{{ReminderKind::no_severity, 0, at(10, 15)}}));
  inc.severity = Severity::sev3;
  EXPECT_TRUE(due_reminders(inc, at(10, 15), s).empty());
}

TEST(RemindSchedule, ALongIncidentIsAskedDailyAndAnOutageSendsOnlyTheLatest) {
  RemindSettings s = always();
  s.quiet_low = std::chrono::minutes{24 * 60 * 10};  // only the daily question in this test
  Incident inc = open_incident(Severity::sev3, at(0, 0));
  EXPECT_EQ(next_reminder(inc, at(1, 0), s), (DueReminder{ReminderKind::still_open, 0, at(8, 0)}));
  EXPECT_EQ(due_reminders(inc, at(8, 0), s),
            (std::vector<DueReminder>{{ReminderKind::still_open, 0, at(8, 0)}}));
  // Down from 07:00 until three days later: one question, the latest occurrence.
  const TimePoint later = at(9, 0) + 72h;
  EXPECT_EQ(due_reminders(inc, later, s),
            (std::vector<DueReminder>{{ReminderKind::still_open, 0, at(8, 0) + 72h}}));
  inc.reminders.push_back(SentReminder{ReminderKind::still_open, 0, at(8, 0) + 72h, later});
  EXPECT_TRUE(due_reminders(inc, later + 1h, s).empty());
  EXPECT_EQ(next_reminder(inc, later, s),
            (DueReminder{ReminderKind::still_open, 0, at(8, 0) + 96h}));
}

// The schedule reads the wall clock, which NTP may step. Stepped forward, it sends what is due at
// the new time (one of each kind, none staler than a week); stepped back again, the occurrences
// of the corrected clock follow — none is silenced by the one sent under the wrong time, and none
// already sent goes out twice.
TEST(RemindSchedule, AClockSteppedForwardAndBackNeitherSilencesNorRepeats) {
  RemindSettings s = always();
  s.quiet_low = std::chrono::minutes{24 * 60 * 10};  // only the daily question in this test
  Incident inc = open_incident(Severity::sev3, at(0, 0));
  const TimePoint ahead = at(9, 0) + 5 * 24h;  // the clock jumped five days ahead
  ASSERT_EQ(due_reminders(inc, ahead, s),
            (std::vector<DueReminder>{{ReminderKind::still_open, 0, at(8, 0) + 5 * 24h}}));
  inc.reminders.push_back(SentReminder{ReminderKind::still_open, 0, at(8, 0) + 5 * 24h, ahead});
  EXPECT_TRUE(due_reminders(inc, at(7, 30), s).empty());  // stepped back: nothing due yet
  EXPECT_EQ(next_reminder(inc, at(7, 30), s), (DueReminder{ReminderKind::still_open, 0, at(8, 0)}));
  EXPECT_EQ(due_reminders(inc, at(8, 0), s),
            (std::vector<DueReminder>{{ReminderKind::still_open, 0, at(8, 0)}}));
  inc.reminders.push_back(SentReminder{ReminderKind::still_open, 0, at(8, 0), at(8, 0)});
  // Back once more, then forward past it: the occurrence already sent is not sent again.
  EXPECT_TRUE(due_reminders(inc, at(7, 59), s).empty());
  EXPECT_TRUE(due_reminders(inc, at(9, 0), s).empty());
  EXPECT_EQ(due_reminders(inc, at(8, 0) + 24h, s),
            (std::vector<DueReminder>{{ReminderKind::still_open, 0, at(8, 0) + 24h}}));
}

TEST(RemindSchedule, NothingForAClosedIncidentWithRemindOffOrWhenDisabled) {
  RemindSettings s;
  Incident inc = open_incident(Severity::unset, at(10, 0));
  ASSERT_FALSE(due_reminders(inc, at(20, 0), s).empty());
  inc.reminders_off = true;
  EXPECT_TRUE(due_reminders(inc, at(20, 0), s).empty());
  EXPECT_FALSE(next_reminder(inc, at(20, 0), s));
  inc.reminders_off = false;
  s.enabled = false;
  EXPECT_TRUE(due_reminders(inc, at(20, 0), s).empty());
  s.enabled = true;
  inc.status = Status::closed;
  EXPECT_TRUE(due_reminders(inc, at(20, 0), s).empty());
}

TEST(RemindSchedule, EachOccurrenceHasItsOwnStableKey) {
  const Incident inc = open_incident(Severity::sev2, at(10, 0));
  const DueReminder r{ReminderKind::no_update, 0, at(10, 30)};
  EXPECT_EQ(reminder_key(inc, r), reminder_key(inc, r));
  EXPECT_EQ(reminder_key(inc, r).rfind("remind:slack:C1:INC-4:no_update:", 0), 0u);
  EXPECT_NE(reminder_key(inc, r), reminder_key(inc, {ReminderKind::no_update, 0, at(11, 30)}));
}

TEST(RemindSchedule, AReviewNotStartedTwoWorkingDaysAfterCloseIsNoted) {
  const RemindSettings s;
  Incident inc = open_incident(Severity::sev2, at(10, 0) - 50h);
  inc.status = Status::closed;
  inc.closed_at = at(12, 0) - 48h;  // Friday 2026-11-27 12:00: the weekend does not count
  const TimePoint tuesday = at(12, 0) + 48h;
  EXPECT_EQ(add_working_days(*inc.closed_at, 2, s), tuesday);
  EXPECT_TRUE(due_reminders(inc, tuesday - 1min, s).empty());
  EXPECT_EQ(due_reminders(inc, tuesday, s),
            (std::vector<DueReminder>{{ReminderKind::no_review, 0, tuesday}}));
  EXPECT_TRUE(due_reminders(inc, tuesday + 24h * 8, s).empty());  // stale: not news any more
  inc.facilitator = "U1";                                         // `postmortem` was run
  EXPECT_TRUE(due_reminders(inc, tuesday, s).empty());
}

TEST(RemindSchedule, AnActionItemIsRemindedAtNineOnItsDueDateUntilDone) {
  const RemindSettings s;
  Incident inc = open_incident(Severity::sev2, at(10, 0));
  inc.status = Status::closed;
  inc.closed_at = at(11, 0);
  inc.facilitator = "U1";
  ActionItem a;
  a.number = 2;
  a.text = "alert on queue depth";
  a.due = Date{std::chrono::year{2026}, std::chrono::November, std::chrono::day{30}};
  inc.actions.push_back(a);
  const TimePoint nine = at(9, 0) + 24h;
  EXPECT_TRUE(due_reminders(inc, nine - 1min, s).empty());
  EXPECT_EQ(due_reminders(inc, nine, s),
            (std::vector<DueReminder>{{ReminderKind::action_due, 2, nine}}));
  EXPECT_EQ(next_reminder(inc, at(12, 0), s), (DueReminder{ReminderKind::action_due, 2, nine}));
  inc.actions[0].done = true;
  EXPECT_TRUE(due_reminders(inc, nine, s).empty());
}

TEST(RemindSchedule, UnansweredReviewQuestionsAreNotedThreeDaysAfterTheReviewStarted) {
  const RemindSettings s;
  Incident inc = open_incident(Severity::sev2, at(10, 0));
  inc.status = Status::closed;
  inc.closed_at = at(11, 0);
  EXPECT_TRUE(unanswered_questions(inc).empty());  // no review yet: nothing to answer
  inc.facilitator = "U3";
  inc.review_started_at = at(12, 0);
  for (const char* text : {"1. the deploy went out at 13:58", "helped: the rollback was quick",
                           "hard: dashboards lagged", "4. no canary stage", "prevent: add one",
                           "lucky: it was a quiet hour"}) {
    ReviewReply reply;
    reply.text = text;
    inc.review.push_back(reply);
  }
  EXPECT_EQ(unanswered_questions(inc), std::vector<ReviewQuestion>{ReviewQuestion::learn});
  EXPECT_TRUE(due_reminders(inc, at(12, 0) + 72h - 1min, s).empty());
  EXPECT_EQ(due_reminders(inc, at(12, 0) + 72h, s),
            (std::vector<DueReminder>{{ReminderKind::unanswered, 0, at(12, 0) + 72h}}));
  ReviewReply last;
  last.text = "6. canaries pay for themselves";
  inc.review.push_back(last);
  EXPECT_TRUE(due_reminders(inc, at(12, 0) + 72h, s).empty());
}

// Reminders that can wait go out in working time, in the team's zone, across a DST change;
// the nudges of a live sev1/sev2 do not wait.
TEST(RemindSchedule, WhatCanWaitWaitsForWorkingTimeInTheTeamsZone) {
  RemindSettings s;  // Monday to Friday, 09:00-17:00
  // Berlin in 2026: UTC+1, and UTC+2 from 01:00 UTC on Sunday 29 March.
  const TimePoint summer = from_unix_ms(1774746000000);  // 2026-03-29T01:00Z
  s.utc_offset = [summer](TimePoint t) { return t >= summer ? Millis{7200000} : Millis{3600000}; };
  // Friday 27 March 16:30 local (15:30Z) is working time; 17:30 local waits for Monday 09:00
  // local, which is 07:00Z after the change.
  const TimePoint friday_1530z = from_unix_ms(1774625400000);
  EXPECT_EQ(next_working(friday_1530z, s), friday_1530z);
  EXPECT_EQ(next_working(friday_1530z + 1h, s), from_unix_ms(1774854000000));  // Mon 07:00Z
  // An action due on Friday: 09:00 local is 08:00Z; due on Monday: 07:00Z.
  Incident inc = open_incident(Severity::sev4, friday_1530z - 30min);
  ActionItem a;
  a.number = 1;
  a.due = Date{std::chrono::year{2026}, std::chrono::March, std::chrono::day{30}};
  inc.actions.push_back(a);
  EXPECT_EQ(next_reminder(inc, friday_1530z, s)->kind, ReminderKind::no_update);
  // A sev4 going quiet at 16:00 local on Friday is nudged on Monday at 09:00 local.
  const auto waiting = due_reminders(inc, friday_1530z + 4h, s);
  EXPECT_TRUE(waiting.empty());
  const TimePoint monday_0700z = from_unix_ms(1774854000000);
  const auto monday = due_reminders(inc, monday_0700z, s);
  ASSERT_EQ(monday.size(), 3u);  // the quiet timeline, "still ongoing?", the action item
  EXPECT_EQ(monday[0], (DueReminder{ReminderKind::no_update, 0, monday_0700z}));
  EXPECT_EQ(monday[1], (DueReminder{ReminderKind::still_open, 0, monday_0700z}));
  EXPECT_EQ(monday[2], (DueReminder{ReminderKind::action_due, 1, monday_0700z}));
  // The same silence on a sev2 is nudged at once.
  inc.severity = Severity::sev2;
  EXPECT_EQ(due_reminders(inc, friday_1530z + 1h, s).size(), 1u);
  // Working days in the team's zone: closed Friday 16:00 local, two working days on is Tuesday.
  inc.status = Status::closed;
  inc.closed_at = friday_1530z;
  EXPECT_EQ(add_working_days(*inc.closed_at, 2, s), friday_1530z + 96h - 1h);  // DST: 14:30Z
}

// The engine over a store: what the adapters' periodic look does.
class Reminders : public ::testing::Test {
 protected:
  Outcome say(const std::string& text, TimePoint when) {
    return engine_.handle(command(std::to_string(++line_), text, when));
  }
  // Hands every due reminder to the engine; what they said in the channel.
  std::vector<std::string> tick(TimePoint now) {
    std::vector<std::string> said;
    for (const InboundEvent& e : engine_.due_reminders("slack", now)) {
      for (const Reply& r : engine_.handle(e).replies) {
        if (r.audience == Audience::channel) said.push_back(markup::to_markdown(r.text));
      }
    }
    return said;
  }

  static Settings settings() {
    Settings s;
    s.remind = always();
    s.lessons_channel = true;
    return s;
  }

  testing::MemoryStore store_;
  Engine engine_{store_, prompts(), settings()};
  int line_ = 0;
};

TEST_F(Reminders, EachFallsDueOnceAndGoesWhenItsReasonGoes) {
  say("start Checkout errors", at(10, 0));
  EXPECT_TRUE(tick(at(10, 14)).empty());
  const auto asked = tick(at(10, 15));
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_NE(asked[0].find("INC-1 has no severity yet"), std::string::npos) << asked[0];
  EXPECT_NE(asked[0].find("severity sev1..sev4"), std::string::npos);
  EXPECT_TRUE(tick(at(10, 16)).empty());  // once, however often the schedule looks
  // Due at 11:00 (an hour without an update, no severity); a log at 10:50 moves it on.
  say("log card declines rising", at(10, 50));
  EXPECT_TRUE(tick(at(11, 0)).empty());
  const auto nudged = tick(at(11, 50));
  ASSERT_EQ(nudged.size(), 1u);
  EXPECT_NE(nudged[0].find("no timeline update for 1h"), std::string::npos) << nudged[0];
  // The sent reminders are on the record.
  const auto inc = store_.current_incident("slack", "C1", IncidentView::all());
  ASSERT_EQ(inc->reminders.size(), 2u);
  EXPECT_EQ(inc->reminders[0].kind, ReminderKind::no_severity);
  EXPECT_EQ(inc->reminders[1].due, at(11, 50));
}

// A duty to notify by a deadline (`notify`): the channel hears a day before it and when it falls
// due, after close too, until `notified`; the draft lists it.
TEST_F(Reminders, ANotificationDeadlineIsRemindedADayBeforeAndAtItUntilDone) {
  say("start Key leak sev1 security", at(10, 0));
  const Outcome added = say("notify the data protection authority by 2026-12-01 10:00", at(10, 5));
  EXPECT_NE(markup::to_markdown(added.replies.at(0).text).find("(1d 23h 55m from now)"),
            std::string::npos)
      << added.replies.at(0).text;
  auto notes = [&](TimePoint now) {
    std::vector<std::string> out;
    for (const auto& text : tick(now)) {
      if (text.find("must be notified") != std::string::npos) out.push_back(text);
    }
    return out;
  };
  EXPECT_TRUE(notes(at(10, 0) + 23h).empty());
  auto ahead = notes(at(10, 0) + 24h);
  ASSERT_EQ(ahead.size(), 1u);
  EXPECT_NE(ahead[0].find("the data protection authority must be notified by 2026-12-01 10:00 "
                          "UTC — 1d 0h 00m from now"),
            std::string::npos)
      << ahead[0];
  EXPECT_NE(ahead[0].find("notified 1"), std::string::npos);
  EXPECT_TRUE(notes(at(10, 0) + 25h).empty());
  say("close keys rotated", at(10, 0) + 30h);
  const auto due = notes(at(10, 0) + 48h);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_NE(due[0].find("that is now"), std::string::npos) << due[0];
  const Outcome done = say("notified 1", at(10, 0) + 49h);
  EXPECT_NE(markup::to_markdown(done.replies.at(0).text).find("after the deadline"),
            std::string::npos);
  EXPECT_EQ(markup::to_markdown(say("notified 1", at(10, 0) + 50h).replies.at(0).text),
            "Notification 1 of INC-1 (the data protection authority) was done at 2026-12-01 "
            "11:00 UTC.");
  // One set later than a day ahead is reminded only when due; done ones never.
  say("notify customers in the EU by 2026-12-01 20:00", at(10, 0) + 50h);
  EXPECT_TRUE(notes(at(10, 0) + 57h).empty());
  EXPECT_EQ(notes(at(10, 0) + 58h).size(), 1u);
  const std::string draft = markup::to_markdown(say("draft", at(10, 0) + 59h).replies.at(0).text);
  EXPECT_NE(draft.find("- the data protection authority — by 2026-12-01 10:00 UTC — notified "
                       "2026-12-01 11:00 UTC"),
            std::string::npos)
      << draft;
  EXPECT_NE(draft.find("- customers in the EU — by 2026-12-01 20:00 UTC — **not yet** "
                       "(`notified 2` when done)"),
            std::string::npos);
}

TEST_F(Reminders, AfterCloseTheCommanderAndTheOwnersAreToldPrivately) {
  say("start Checkout errors sev2", at(10, 0));
  say("action alert on queue depth owner:<@U2> due:2026-11-30", at(10, 5));
  say("action review the runbook owner:payments-team due:2026-11-30", at(10, 6));
  say("close rolled back", at(11, 0));                  // Sunday
  say("start Checkout errors again sev3", at(11, 30));  // the channel moves on
  say("severity sev3", at(11, 31));
  std::vector<Reply> told;
  auto look = [&](TimePoint now) {
    told.clear();
    for (const InboundEvent& e : engine_.due_reminders("slack", now)) {
      if (std::get<in::Reminder>(e.body).incident != 1) continue;  // INC-2's own nudges
      for (Reply& r : engine_.handle(e).replies) told.push_back(std::move(r));
    }
  };
  look(at(9, 0) + 24h);  // Monday 09:00: both items are due
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[0].audience, Audience::direct);
  EXPECT_EQ(told[0].user, "U2");
  EXPECT_NE(markup::to_markdown(told[0].text).find("Action 1 of INC-1 is due today"),
            std::string::npos)
      << told[0].text;
  EXPECT_EQ(told[1].audience, Audience::channel);  // a team: told where the team is
  EXPECT_NE(markup::to_markdown(told[1].text).find("payments-team"), std::string::npos);
  look(at(11, 0) + 48h);  // Tuesday: two working days after close, no review yet
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].audience, Audience::direct);
  EXPECT_EQ(told[0].user, "U1");  // the commander
  EXPECT_NE(markup::to_markdown(told[0].text).find("postmortem INC-1"), std::string::npos)
      << told[0].text;
  look(at(12, 0) + 48h);
  EXPECT_TRUE(told.empty());
}

TEST_F(Reminders, TheDayBeforeTheReviewMeetingTheChannelGetsWhatToPrepare) {
  say("start Checkout errors sev2", at(10, 0));
  say("action alert on queue depth", at(10, 5));  // no owner, no due date: homework
  say("close rolled back", at(11, 0));
  say("postmortem", at(11, 5));
  const auto set = say("review at 2026-12-02 15:00", at(11, 10));
  ASSERT_EQ(set.replies.size(), 1u);
  EXPECT_NE(markup::to_markdown(set.replies[0].text).find("2026-12-01 15:00 UTC"),
            std::string::npos)
      << set.replies[0].text;
  const TimePoint day_before = at(15, 0) + 48h;  // 2026-12-01 15:00
  EXPECT_TRUE(tick(day_before - 1min).empty());
  const auto posted = tick(day_before);
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_NE(posted[0].find("review meeting of INC-1 (Checkout errors) is 2026-12-02 15:00 UTC"),
            std::string::npos)
      << posted[0];
  EXPECT_NE(posted[0].find("Action 1 (alert on queue depth) has no owner and no due date"),
            std::string::npos)
      << posted[0];
  EXPECT_NE(posted[0].find("Nobody has answered question 1 yet"), std::string::npos);
  EXPECT_TRUE(tick(day_before + 1h).empty());
  // Moved: the new meeting gets its own list; a meeting already past gets none.
  say("review at 2026-12-04 15:00", day_before + 2h);
  EXPECT_EQ(tick(at(15, 0) + 96h).size(), 1u);
  EXPECT_TRUE(tick(at(15, 0) + 120h).empty());
}

TEST_F(Reminders, TheFacilitatorHearsOfUnansweredQuestionsPrivately) {
  say("start Checkout errors sev2", at(10, 0));
  say("close rolled back", at(11, 0));
  engine_.handle(command("pm", "postmortem", at(11, 5), "U3"));
  std::vector<Reply> told;
  for (const InboundEvent& e : engine_.due_reminders("slack", at(11, 5) + 72h)) {
    for (Reply& r : engine_.handle(e).replies) told.push_back(std::move(r));
  }
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].audience, Audience::direct);
  EXPECT_EQ(told[0].user, "U3");
  const std::string text = markup::to_markdown(told[0].text);
  EXPECT_NE(text.find("still has questions nobody has answered"), std::string::npos) << text;
  EXPECT_NE(text.find("\n6. "), std::string::npos) << text;
}

TEST_F(Reminders, OverdueActionsAreListedOnceAWeekInTheLessonsChannel) {
  say("start Checkout errors sev2", at(10, 0));
  say("action alert on queue depth owner:<@U2> due:2026-11-30", at(10, 5));
  say("action write the runbook due:2026-12-10", at(10, 6));
  say("close rolled back", at(11, 0));
  say("postmortem", at(11, 1));
  std::vector<Reply> digest;
  auto look = [&](TimePoint now) {
    digest.clear();
    for (const InboundEvent& e : engine_.due_reminders("slack", now)) {
      if (std::get<in::Reminder>(e.body).kind != ReminderKind::digest) continue;
      for (Reply& r : engine_.handle(e).replies) digest.push_back(std::move(r));
    }
  };
  look(at(12, 0) + 24h);  // Monday 30 November: nothing is overdue yet
  EXPECT_TRUE(digest.empty());
  look(at(12, 0) + 24h * 8);  // Monday 7 December
  ASSERT_EQ(digest.size(), 1u);
  EXPECT_EQ(digest[0].audience, Audience::lessons);
  EXPECT_TRUE(digest[0].channel.empty());  // the configured lessons channel
  std::string text = markup::to_markdown(digest[0].text);
  EXPECT_NE(text.find("1 action item from past incidents is past its due date"), std::string::npos)
      << text;
  EXPECT_NE(text.find("INC-1: Checkout errors"), std::string::npos) << text;
  EXPECT_NE(text.find("1. alert on queue depth"), std::string::npos) << text;
  EXPECT_EQ(text.find("runbook"), std::string::npos) << text;  // not due yet
  look(at(12, 0) + 24h * 8 + 2h);
  EXPECT_TRUE(digest.empty());  // once a week
  look(at(12, 0) + 24h * 15);   // Monday 14 December: both
  ASSERT_EQ(digest.size(), 1u);
  text = markup::to_markdown(digest[0].text);
  EXPECT_NE(text.find("2 action items from past incidents are past their due date"),
            std::string::npos)
      << text;
  say("done 1", at(12, 0) + 24h * 15);
  say("done 2", at(12, 0) + 24h * 15);
  look(at(12, 0) + 24h * 22);
  EXPECT_TRUE(digest.empty());
}

// A follow-up channel of its own takes the digest, with or without a lessons channel.
TEST(RemindDigest, GoesToTheFollowUpChannelWhenOneIsSet) {
  Settings settings;
  settings.remind = always();
  settings.remind.follow_up_channel = "CFOLLOW";
  testing::MemoryStore store;
  Engine engine(store, prompts(), settings);
  engine.handle(command("1", "start Checkout errors sev2", at(10, 0)));
  engine.handle(command("2", "action alert on queue depth due:2026-11-30", at(10, 5)));
  engine.handle(command("3", "close rolled back", at(11, 0)));
  std::vector<Reply> digest;
  for (const InboundEvent& e : engine.due_reminders("slack", at(12, 0) + 24h * 8)) {
    if (std::get<in::Reminder>(e.body).kind != ReminderKind::digest) continue;
    for (Reply& r : engine.handle(e).replies) digest.push_back(std::move(r));
  }
  ASSERT_EQ(digest.size(), 1u);
  EXPECT_EQ(digest[0].audience, Audience::lessons);
  EXPECT_EQ(digest[0].channel, "CFOLLOW");
}

// A private incident's overdue actions stay out of the digest: its title would reach a channel
// its people may not be in.
TEST(RemindDigest, LeavesPrivateIncidentsOut) {
  Settings settings;
  settings.remind = always();
  settings.lessons_channel = true;
  testing::MemoryStore store;
  Engine engine(store, prompts(), settings);
  engine.handle(command("1", "start Key leak sev1 private", at(10, 0)));
  engine.handle(command("2", "action rotate the signing keys due:2026-11-30", at(10, 5)));
  engine.handle(command("3", "close keys revoked", at(11, 0)));
  for (const InboundEvent& e : engine.due_reminders("slack", at(12, 0) + 24h * 8)) {
    EXPECT_NE(std::get<in::Reminder>(e.body).kind, ReminderKind::digest);
  }
}

TEST(RemindSchedule, TheDigestIsDueAtTheStartOfEachWeeksFirstWorkingDay) {
  RemindSettings s;                              // Monday to Friday, 09:00-17:00 UTC
  const TimePoint monday_nine = at(9, 0) + 24h;  // 2026-11-30
  EXPECT_EQ(digest_due(monday_nine, s), monday_nine);
  EXPECT_EQ(digest_due(monday_nine + 72h, s), monday_nine);             // Thursday: this week's
  EXPECT_EQ(digest_due(monday_nine - 1min, s), monday_nine - 24h * 7);  // before: last week's
  s.work_days = {false, false, true, true, true, true, true};           // Tuesday to Saturday
  EXPECT_EQ(digest_due(monday_nine + 72h, s), monday_nine + 24h);
}

TEST_F(Reminders, AnOccurrenceHandedOverTwiceIsPostedOnce) {
  say("start Checkout errors sev2", at(10, 0));
  const auto due = engine_.due_reminders("slack", at(10, 31));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_FALSE(engine_.handle(due[0]).duplicate);
  EXPECT_TRUE(engine_.handle(due[0]).duplicate);  // a restart before the look that saw it sent
  EXPECT_TRUE(engine_.due_reminders("slack", at(10, 32)).empty());
}

TEST_F(Reminders, AReasonGoneBeforeTheReminderIsHandledSilencesIt) {
  say("start Checkout errors", at(10, 0));
  const auto due = engine_.due_reminders("slack", at(10, 20));
  ASSERT_EQ(due.size(), 1u);
  say("severity sev2", at(10, 20));
  EXPECT_TRUE(engine_.handle(due[0]).replies.empty());
}

TEST_F(Reminders, RemindOffStopsThemAndStatusShowsTheNext) {
  say("start Checkout errors sev1", at(10, 0));
  const std::string status = markup::to_markdown(say("status", at(10, 5)).replies.at(0).text);
  EXPECT_NE(status.find("Next reminder: a nudge if the timeline stays quiet, 2026-11-29 10:30"),
            std::string::npos)
      << status;
  const auto off = say("remind off", at(10, 6));
  ASSERT_EQ(off.replies.size(), 1u);
  EXPECT_EQ(off.replies[0].audience, Audience::channel);
  EXPECT_TRUE(tick(at(12, 0)).empty());
  EXPECT_NE(
      markup::to_markdown(say("status", at(12, 1)).replies.at(0).text).find("Reminders are off"),
      std::string::npos);
  EXPECT_NE(
      markup::to_markdown(say("remind off", at(12, 2)).replies.at(0).text).find("already off"),
      std::string::npos);
  say("remind on", at(12, 3));
  EXPECT_EQ(tick(at(12, 4)).size(), 1u);  // the silence since 10:00 is still a silence
}

}  // namespace
}  // namespace incident
