// The incident aggregate: what the bot knows about one incident. Plain values, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/model/time.h"

namespace incident {

enum class Severity { unset = 0, sev1 = 1, sev2 = 2, sev3 = 3, sev4 = 4 };
enum class Role { commander, comms, scribe };
enum class Status { open, closed };
// Where a timeline entry came from: a `log` command, a 📌 reaction, the bot itself
// (severity/role/status changes), or a post-mortem thread reply.
enum class Source { command, pin, system, thread };
// What a reminder nudges about (bot/engine/remind.h): an open incident whose timeline went
// quiet, that has no severity yet, or that has been open a long time; a closed one whose review
// has not started, or whose review questions are still unanswered days later; an action item on
// its due date; the review meeting's homework the day before.
enum class ReminderKind {
  no_update,
  no_severity,
  still_open,
  no_review,
  action_due,
  homework,
  unanswered,
  archive,     // the incident's own channel is archived, a while after close
  notify_due,  // a notification duty (`notify`) falls due: a day before its deadline, and at it
  digest       // the weekly list of overdue action items, for the lessons channel (no incident)
};

// The moments of an incident besides its declaration (`opened_at`): when the problem started,
// was detected, mitigated and resolved (`milestone`). Resolved defaults to the close.
// A security incident's phases (NIST SP 800-61) are milestones too: contained, eradicated,
// recovered.
enum class Milestone { started, detected, mitigated, contained, eradicated, recovered, resolved };

inline constexpr Milestone kMilestones[] = {
    Milestone::started,    Milestone::detected,  Milestone::mitigated, Milestone::contained,
    Milestone::eradicated, Milestone::recovered, Milestone::resolved};

std::string to_string(Severity s);      // "sev1".."sev4", "unset"
std::string to_string(Role r);          // "commander", "comms", "scribe"
std::string to_string(Status s);        // "open", "closed"
std::string to_string(Source s);        // "command", "pin", "system", "thread"
std::string to_string(ReminderKind k);  // "no_update", "no_severity", …, "action_due"
std::optional<Severity> severity_from_string(
    std::string_view s);  // case-insensitive "sev1".."sev4"
std::optional<Role> role_from_string(std::string_view s);
std::optional<Status> status_from_string(std::string_view s);
std::optional<Source> source_from_string(std::string_view s);
std::optional<ReminderKind> reminder_kind_from_string(std::string_view s);
std::string to_string(Milestone m);  // "started", "detected", "mitigated", …, "resolved"
std::optional<Milestone> milestone_from_string(std::string_view s);  // case-insensitive

// The more severe of two severities (sev1 is the most; unset the least).
inline Severity more_severe(Severity a, Severity b) {
  if (a == Severity::unset) return b;
  if (b == Severity::unset) return a;
  return a < b ? a : b;
}

// "INC-12"
std::string incident_id(std::int64_t number);

struct TimelineEntry {
  std::int64_t seq = 0;  // 1-based order of insertion within the incident; ties on `at` keep it
  TimePoint at{};        // when it happened (back-dated or the original message time), UTC
  Source source = Source::command;
  std::string author;  // platform user id of whoever said it
  std::string text;
  std::string message_ref;  // platform message reference, so edits and deletes can follow
  bool deleted = false;     // deleted on the platform: kept for the record, left out of drafts
  // Curated on the review page: hidden from the draft (kept, and shown again when unhidden),
  // starred as a key moment (bold in the draft), re-timed (`at` is the corrected time, this the
  // time first recorded).
  bool hidden = false;
  bool starred = false;
  std::optional<TimePoint> original_at = {};
};

// A reminder the bot posted: which one, the moment it fell due (with the kind, what makes it
// that occurrence and no other), and when it went out.
struct SentReminder {
  ReminderKind kind = ReminderKind::no_update;
  int item = 0;  // the action item's number for action_due, else 0
  TimePoint due{};
  TimePoint at{};
};

struct ActionItem {
  int number = 0;  // 1-based within the incident
  std::string text;
  std::string owner;  // a mention or a team name, empty when unassigned
  std::optional<Date> due;
  bool done = false;
  TimePoint created_at{};
  std::string author;
  std::string message_ref;   // the `action` message: editing it rewords the item
  std::int64_t version = 0;  // changes made on the review page: a stale save there is refused
};

// A duty to tell someone outside the team by a deadline (`notify`): a regulator, customers,
// partners — what a security incident often owes.
struct Notification {
  int number = 0;  // 1-based within the incident
  std::string who;
  TimePoint by{};
  std::optional<TimePoint> done_at;  // `notified <n>`
  TimePoint created_at{};
  std::string author;
};

// A reply in the post-mortem thread: raw material for the review sections of the draft.
struct ReviewReply {
  TimePoint at{};
  std::string author;
  std::string text;
  std::string message_ref;
  bool deleted = false;
};

// A draft section the facilitator rewrote on the review page: it replaces the generated one in
// the draft (and so in `draft`, `export` and the page) until reset. `version` counts its saves,
// so a save made on an older version is refused rather than lost.
struct SectionText {
  std::string text;  // empty: the generated section (reset)
  std::int64_t version = 0;
  std::string by;  // platform user id
  TimePoint at{};
};

// One change made on the review page, for the record (`export --format json`).
struct ReviewEdit {
  TimePoint at{};
  std::string user;  // platform user id
  std::string what;  // "section summary"
  std::int64_t old_version = 0;
  std::int64_t new_version = 0;
};

// The draft sections the review page can rewrite, by key, in the draft's order.
inline constexpr const char* kEditableSections[] = {"summary", "impact", "factors", "helped",
                                                    "hard",    "lucky",  "learn"};

// "summary" -> "Summary", "helped" -> "What went well": the heading the draft gives a section.
std::string section_title(std::string_view key);

struct Incident {
  std::int64_t number = 0;  // INC-<number>
  std::string platform;     // "slack", "matrix", "console"
  std::string channel;      // platform channel / room id
  // Where `start` was typed, once the incident moved to a channel of its own (`start … new`);
  // empty while it lives where it was declared.
  std::string declared_in;
  std::string title;
  Severity severity = Severity::unset;
  Severity peak_severity = Severity::unset;  // the most severe it has been
  // `start … private`: kept from those outside it — the DM advisor does not mention it to
  // them, its lessons go to the lessons channel only by `share confirm`, and the weekly digest
  // leaves it out.
  bool is_private = false;
  // `start … security` or `type security`: the review asks what was affected, who must be
  // notified and the indicators of compromise, and the draft has sections for them.
  bool is_security = false;
  Status status = Status::open;
  TimePoint opened_at{};
  std::map<Milestone, TimePoint> milestones;  // those recorded with `milestone`
  std::optional<TimePoint> closed_at;
  std::string resolution;
  std::map<Role, std::string> roles;      // role -> platform user id
  std::string facilitator;                // who ran `postmortem`
  std::string postmortem_ref;             // message ref of the post-mortem thread root, once posted
  std::optional<TimePoint> shared_at;     // when `share` posted the lessons learned
  std::optional<TimePoint> published_at;  // when `publish` last posted the final document
  std::string published_by;               // platform user id of who did
  std::vector<TimelineEntry> timeline;    // insertion order
  std::vector<ActionItem> actions;        // by number
  std::vector<Notification> notifications;  // by number
  std::vector<ReviewReply> review;
  std::map<std::string, SectionText> sections;  // by kEditableSections key (whole record only)
  std::vector<ReviewEdit> edits;                // oldest first (whole record only)
  std::optional<TimePoint> review_at;           // `review at`: when the review meeting is
  std::optional<TimePoint> review_started_at;   // when `postmortem` first ran
  bool reminders_off = false;                   // `remind off`
  std::vector<SentReminder> reminders;          // oldest first
  // Timeline entries ever added, deleted ones included: the last `seq` given out.
  std::int64_t entries = 0;
  // False when loaded for an event that needs less than the whole record (Store::current_incident):
  // `timeline` and `review` then hold only the entries it asked for; the rest is complete.
  bool complete = true;

  std::string id() const { return incident_id(number); }
  bool is_open() const { return status == Status::open; }
  bool has_own_channel() const { return !declared_in.empty(); }
  // Live (not deleted) entries ordered by time, then by insertion.
  std::vector<TimelineEntry> ordered_timeline() const;
  // Every entry, deleted ones included, in the same order: the record for exports.
  std::vector<TimelineEntry> ordered_timeline_with_deleted() const;
  // Whether `user` leads the review: the commander, the scribe or the facilitator, who rewrite
  // the draft and publish it.
  bool leads_review(std::string_view user) const;
};

// When `milestone` happened: as recorded, else for `resolved` the close; nullopt when unknown.
std::optional<TimePoint> milestone_at(const Incident& incident, Milestone milestone);

// Where the post-mortem stands: "draft" (closed or not, no review yet), "in review" (`postmortem`
// started the review thread), "published" (`publish` posted the final document).
std::string review_state(bool review_started, bool published);
inline std::string review_state(const Incident& incident) {
  return review_state(!incident.postmortem_ref.empty() || !incident.facilitator.empty(),
                      incident.published_at.has_value());
}

// The canonical form of a user reference as commands and events carry it: "<@U1|dana>" and
// "<@U1>" -> "U1"; "@dana" -> "dana" (a console login or a plain handle); Matrix ids
// ("@dana:example.org"), Slack ids and logins stay as they are.
std::string user_key(std::string_view user);

// An open incident as the DM advisor shows it: "is it safe to restart X?" is best asked in the
// incident's channel, of its commander. Its title and channel are shown only to its members
// (the channel may be private); anyone else hears that an incident is open, and whom to ask.
struct OpenIncident {
  std::string platform;
  std::string channel;
  std::int64_t number = 0;
  std::string title;
  std::string commander;  // platform user id, empty when the role is unassigned
  // user_key of everyone who took part: role holders, the facilitator, and the authors of
  // timeline entries, review replies and actions.
  std::vector<std::string> members;
  bool is_private = false;  // `start … private`: shown to its members alone
};

}  // namespace incident
