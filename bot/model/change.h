// The effects of a decision on stored state. The domain applies them to its in-memory aggregate
// (apply_change below); storage applies the same list in one transaction.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "bot/model/escalation.h"
#include "bot/model/incident.h"

namespace incident {

namespace change {
struct Opened {  // a new incident; roles and timeline follow as their own changes
  std::string platform;
  std::string channel;
  std::string title;
  Severity severity = Severity::unset;
  TimePoint at{};
  bool is_private = false;
  bool is_security = false;
};
struct EntryAdded {
  TimelineEntry entry;  // seq assigned by the domain
};
struct SeveritySet {
  Severity severity = Severity::unset;
};
struct RoleSet {
  Role role = Role::commander;
  std::string user;
};
struct ActionAdded {
  ActionItem item;
};
struct ActionDone {
  int number = 0;
};
struct Closed {
  TimePoint at{};
  std::string resolution;
};
struct FacilitatorSet {  // `postmortem` started the review
  std::string user;
  TimePoint at{};
};
struct EntryEdited {  // a timeline entry, review reply or action item, by its message
  std::string message_ref;
  std::string text;
};
struct EntryDeleted {
  std::string message_ref;
};
struct ReviewAdded {
  ReviewReply reply;
};
struct PostmortemPosted {  // the platform's ref of the post-mortem thread root
  std::string message_ref;
};
struct LessonsShared {  // `share confirm` posted the lessons learned
  TimePoint at{};
};
struct Published {  // `publish confirm` posted the final document
  TimePoint at{};
  std::string by;  // platform user id
};
struct Reminded {  // a reminder went out (bot/engine/remind.h)
  SentReminder reminder;
};
struct ReviewScheduled {  // `review at`
  TimePoint at{};
};
struct TypeSet {  // `type security|standard`
  bool security = false;
};
struct MilestoneSet {  // `milestone`
  Milestone milestone = Milestone::detected;
  TimePoint at{};
};
struct NotificationAdded {  // `notify`
  Notification notification;
};
struct NotificationDone {  // `notified`
  int number = 0;
  TimePoint at{};
};
struct ChannelMoved {  // the incident moved to its own channel (in::RoomOpened)
  std::string from;
  std::string to;
};
struct RemindersSet {  // `remind off|on`
  bool off = false;
};
// "Is this safe?" cases (bot/model/escalation.h). They belong to no incident: Change::incident is
// 0.
struct CaseOpened {
  Escalation escalation;
};
struct CaseAnchored {  // the platform's ref of the case's post in the security channel
  std::string code;
  std::string security_ref;
};
struct CaseClosed {
  std::string code;
  TimePoint at{};
};
// A sign-in link to the incident's review page was issued (`web`): only the SHA-256 of its
// token is kept, with who may use it, until when. The link itself is never stored.
struct SignInIssued {
  std::string token_hash;  // lowercase hex
  std::string platform;
  std::string user;
  TimePoint expires{};
};
// The event's recorded replies are private (DM guidance, or words relayed for a case): storage
// scrubs them together with the case `code`, or after a day when there is no case.
struct PrivateEvent {
  std::string code;  // empty: no case
  TimePoint at{};
};
}  // namespace change

using ChangeBody = std::variant<
    change::Opened, change::EntryAdded, change::SeveritySet, change::RoleSet, change::ActionAdded,
    change::ActionDone, change::Closed, change::FacilitatorSet, change::EntryEdited,
    change::EntryDeleted, change::ReviewAdded, change::PostmortemPosted, change::LessonsShared,
    change::Published, change::Reminded, change::RemindersSet, change::ReviewScheduled,
    change::MilestoneSet, change::TypeSet, change::ChannelMoved, change::NotificationAdded,
    change::NotificationDone, change::CaseOpened, change::CaseAnchored, change::CaseClosed,
    change::PrivateEvent, change::SignInIssued>;

struct Change {
  std::int64_t incident = 0;  // incident number
  ChangeBody body;
};

// Applies one change to the aggregate it names (the caller checks `incident`).
void apply_change(Incident& incident, const ChangeBody& change);

}  // namespace incident
