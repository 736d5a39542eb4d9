#include "bot/engine/engine.h"

#include <stdexcept>

namespace incident {

Outcome Engine::handle(const InboundEvent& event, const Attach& attach) {
  // Another process may commit between our reads and our commit: a conflict (the incident
  // number was taken) is decided again on fresh reads; a few rounds settle any real contention.
  for (int round = 0; round < kDecideRounds; ++round) {
    // A redelivery (Slack retry, Matrix replay, a restart before the ack) gets the replies of
    // the first delivery and changes nothing; what the adapter attaches is still stored.
    if (auto stored = store_.find_processed(event.key)) {
      if (attach) {
        UnitOfWork work{event.key, {}, *stored, {}, {}};
        attach(*stored, work);
        if (!work.outbox.empty() || !work.cursors.empty()) store_.commit(work);
      }
      return Outcome{std::move(*stored), true};
    }
    auto command = parse_event_command(event);
    const IncidentView view = view_for(event, command);
    Context context{store_.current_incident(event.platform, event.channel, view),
                    store_.next_incident_number(), display_names_, dm_context(event),
                    std::move(command)};
    if (const auto* r = std::get_if<in::Reminder>(&event.body);
        r && r->kind == ReminderKind::digest) {
      context.overdue = overdue_incidents(event.platform, event.at);
    }
    Decision decision = decide(std::move(context), event, prompts_, settings_);
    std::vector<Reply> recorded = decision.replies;
    if (decision.sign_in) issue_sign_in(event, decision, recorded);
    UnitOfWork work{event.key, std::move(decision.changes), std::move(recorded), {}, {}};
    if (attach) attach(decision.replies, work);
    switch (store_.commit(work)) {
      case CommitResult::committed:
        questions_.update(event.platform, event.user, decision.question, event.at,
                          settings_.dm.question_kept);
        return Outcome{std::move(decision.replies), false, std::move(decision.topic)};
      case CommitResult::duplicate:  // another writer recorded the key meanwhile: theirs stands
      case CommitResult::conflict:
        continue;
    }
  }
  throw std::runtime_error("the store kept reporting a conflict for " + event.key +
                           "; the event is left unacknowledged");
}

std::vector<InboundEvent> Engine::due_reminders(const std::string& platform, TimePoint now) {
  std::vector<InboundEvent> events;
  if (!settings_.remind.enabled && !settings_.remind.archive_after) return events;
  // Older than this, a reminder is stale anyway (RemindSettings::stale_after); the review's is
  // due a few days after close.
  const TimePoint since = now - settings_.remind.stale_after - std::chrono::days{7};
  for (const FollowedIncident& followed : store_.followed_incidents(platform, since)) {
    IncidentView view = IncidentView::all();
    view.number = followed.number;
    const auto inc = store_.current_incident(platform, followed.channel, view);
    if (!inc || inc->number != followed.number) continue;
    for (const DueReminder& due : incident::due_reminders(*inc, now, settings_.remind)) {
      InboundEvent e;
      e.key = reminder_key(*inc, due);
      if (store_.find_processed(e.key)) continue;
      e.platform = platform;
      e.channel = inc->channel;
      e.at = now;
      e.body = in::Reminder{inc->number, due.kind, due.item, due.due};
      events.push_back(std::move(e));
    }
  }
  // The weekly digest of overdue action items, where there is a channel to post it.
  // The cheap checks first: this runs every 30 seconds, and the week's digest is usually sent.
  const auto due = digest_due(now, settings_.remind);
  const bool somewhere = settings_.lessons_channel || !settings_.remind.follow_up_channel.empty();
  if (due && somewhere && !store_.find_processed(digest_key(platform, *due)) &&
      !overdue_incidents(platform, now).empty()) {
    InboundEvent e;
    e.key = digest_key(platform, *due);
    e.platform = platform;
    e.at = now;
    e.body = in::Reminder{0, ReminderKind::digest, 0, *due};
    events.push_back(std::move(e));
  }
  return events;
}

std::vector<Incident> Engine::overdue_incidents(const std::string& platform, TimePoint now) {
  std::vector<Incident> out;
  for (const FollowedIncident& f :
       store_.with_overdue_actions(platform, local_date(now, settings_.remind))) {
    IncidentView view = IncidentView::all();
    view.number = f.number;
    // A private incident's title and actions stay out of a channel its people may not be in.
    if (auto inc = store_.current_incident(platform, f.channel, view); inc && !inc->is_private) {
      out.push_back(std::move(*inc));
    }
  }
  return out;
}

void Engine::issue_sign_in(const InboundEvent& event, Decision& decision,
                           std::vector<Reply>& recorded) {
  const std::optional<IssuedSignIn> issued =
      sign_in_issuer_ ? sign_in_issuer_(event, decision.sign_in->incident) : std::nullopt;
  if (issued) {
    decision.changes.push_back(
        {decision.sign_in->incident,
         change::SignInIssued{issued->token_hash, event.platform, event.user, issued->expires}});
  }
  auto fill = [](std::vector<Reply>& replies, std::string_view with) {
    for (Reply& r : replies) {
      for (auto at = r.text.find(kSignInLinkSlot); at != std::string::npos;
           at = r.text.find(kSignInLinkSlot, at + with.size())) {
        r.text.replace(at, kSignInLinkSlot.size(), with);
      }
    }
  };
  fill(decision.replies, issued ? std::string_view(issued->link)
                                : std::string_view("(none could be made just now: use a link "
                                                   "you were sent, or try again in 10 minutes)"));
  fill(recorded, "(a one-time link, not kept: ask again for a new one)");
}

void Engine::anchor_posted(const std::string& platform, const Reply& reply,
                           const std::string& message_ref) {
  if (message_ref.empty()) return;
  std::vector<Change> changes;
  switch (reply.anchor) {
    case Anchor::postmortem:
      if (reply.incident == 0) return;
      changes.push_back({reply.incident, change::PostmortemPosted{message_ref}});
      break;
    case Anchor::security_case:
      if (reply.case_code.empty()) return;
      changes.push_back({0, change::CaseAnchored{reply.case_code, message_ref}});
      break;
    case Anchor::none:
      return;
  }
  store_.commit({"anchor:" + platform + ":" + message_ref, std::move(changes), {}, {}, {}});
}

std::string Engine::postmortem_ref(const std::string& platform, const std::string& channel) {
  auto current = store_.current_incident(platform, channel, IncidentView::header_only());
  return current ? current->postmortem_ref : std::string{};
}

// The engine's side of "is this safe?": what the DM flow needs to know, and the purge of
// private records.
DmContext Engine::dm_context(const InboundEvent& event) {
  DmContext dm;
  if (std::holds_alternative<in::DirectMessage>(event.body)) {
    for (auto& inc : store_.open_incidents()) {
      if (inc.platform == event.platform) dm.open_incidents.push_back(std::move(inc));
    }
    dm.open_cases = store_.open_cases(event.platform, event.channel);
    dm.recent_escalations = store_.cases_since(event.platform, event.channel,
                                               event.at - settings_.dm.escalation_window);
    dm.questions =
        questions_.recall(event.platform, event.user, event.at, settings_.dm.question_kept);
    if (random_) dm.new_case_code = case_code(random_());
  } else if (const auto* reply = std::get_if<in::ThreadReply>(&event.body)) {
    dm.thread_case = store_.case_by_ref(event.platform, reply->root_ref);
  }
  return dm;
}

int Engine::purge(TimePoint now) {
  const int deleted =
      store_.purge_private(now - settings_.dm.retention, now - settings_.dm.private_replies_kept);
  store_.prune_requests(now - kRequestsKept);
  return deleted;
}

}  // namespace incident
