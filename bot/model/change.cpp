#include "bot/model/change.h"

#include <algorithm>

#include "bot/model/overloaded.h"

namespace incident {

void apply_change(Incident& incident, const ChangeBody& change) {
  std::visit(
      overloaded{
          [&](const change::Opened& c) {
            incident.platform = c.platform;
            incident.channel = c.channel;
            incident.title = c.title;
            incident.severity = c.severity;
            incident.peak_severity = c.severity;
            incident.is_private = c.is_private;
            incident.is_security = c.is_security;
            incident.status = Status::open;
            incident.opened_at = c.at;
          },
          [&](const change::EntryAdded& c) {
            incident.timeline.push_back(c.entry);
            incident.entries = std::max(incident.entries, c.entry.seq);
          },
          [&](const change::SeveritySet& c) {
            incident.severity = c.severity;
            incident.peak_severity = more_severe(incident.peak_severity, c.severity);
          },
          [&](const change::RoleSet& c) { incident.roles[c.role] = c.user; },
          [&](const change::ActionAdded& c) { incident.actions.push_back(c.item); },
          [&](const change::ActionDone& c) {
            for (auto& a : incident.actions) {
              if (a.number == c.number) a.done = true;
            }
          },
          [&](const change::Closed& c) {
            incident.status = Status::closed;
            incident.closed_at = c.at;
            incident.resolution = c.resolution;
          },
          [&](const change::FacilitatorSet& c) {
            incident.facilitator = c.user;
            if (!incident.review_started_at) incident.review_started_at = c.at;
          },
          [&](const change::EntryEdited& c) {
            if (c.message_ref.empty()) return;  // as storage: never match ref-less entries
            for (auto& e : incident.timeline) {
              if (e.message_ref == c.message_ref) e.text = c.text;
            }
            for (auto& r : incident.review) {
              if (r.message_ref == c.message_ref) r.text = c.text;
            }
            for (auto& a : incident.actions) {
              if (a.message_ref == c.message_ref) a.text = c.text;
            }
          },
          [&](const change::EntryDeleted& c) {
            if (c.message_ref.empty()) return;
            for (auto& e : incident.timeline) {
              if (e.message_ref == c.message_ref) e.deleted = true;
            }
            for (auto& r : incident.review) {
              if (r.message_ref == c.message_ref) r.deleted = true;
            }
          },
          [&](const change::ReviewAdded& c) { incident.review.push_back(c.reply); },
          [&](const change::PostmortemPosted& c) { incident.postmortem_ref = c.message_ref; },
          [&](const change::LessonsShared& c) { incident.shared_at = c.at; },
          [&](const change::Published& c) {
            incident.published_at = c.at;
            incident.published_by = c.by;
          },
          [&](const change::Reminded& c) { incident.reminders.push_back(c.reminder); },
          [&](const change::RemindersSet& c) { incident.reminders_off = c.off; },
          [&](const change::ReviewScheduled& c) { incident.review_at = c.at; },
          [&](const change::MilestoneSet& c) { incident.milestones[c.milestone] = c.at; },
          [&](const change::TypeSet& c) { incident.is_security = c.security; },
          [&](const change::NotificationAdded& c) {
            incident.notifications.push_back(c.notification);
          },
          [&](const change::NotificationDone& c) {
            for (auto& n : incident.notifications) {
              if (n.number == c.number) n.done_at = c.at;
            }
          },
          [&](const change::ChannelMoved& c) {
            incident.declared_in = c.from;
            incident.channel = c.to;
          },
          // Cases belong to no incident; storage keeps them (bot/model/store.h).
          [](const change::CaseOpened&) {}, [](const change::CaseAnchored&) {},
          [](const change::CaseClosed&) {}, [](const change::PrivateEvent&) {},
          [](const change::SignInIssued&) {},  // the review page's, kept by storage
      },
      change);
}

}  // namespace incident
