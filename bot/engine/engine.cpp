#include "bot/engine/engine.h"

namespace incident {

Outcome Engine::handle(const InboundEvent& event) {
  // A redelivery (Slack retry, Matrix replay, a restart before the ack) gets the replies of the
  // first delivery and changes nothing.
  if (auto stored = store_.find_processed(event.key)) return Outcome{std::move(*stored), true};

  Context context{store_.current_incident(event.platform, event.channel, view_for(event)),
                  store_.next_incident_number(), display_names_, dm_context(event)};
  Decision decision = decide(std::move(context), event, prompts_, settings_);
  if (!store_.commit(event.key, decision.changes, decision.replies)) {
    // Another writer recorded the key between our look-up and our commit: theirs stands.
    auto stored = store_.find_processed(event.key);
    return Outcome{stored.value_or(std::vector<Reply>{}), true};
  }
  questions_.update(event.platform, event.user, decision.question, event.at,
                    settings_.dm.question_kept);
  return Outcome{std::move(decision.replies), false, std::move(decision.topic)};
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
  store_.commit("anchor:" + platform + ":" + message_ref, changes, {});
}

std::string Engine::postmortem_ref(const std::string& platform, const std::string& channel) {
  auto current = store_.current_incident(platform, channel, IncidentView::summary());
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
  return store_.purge_private(now - settings_.dm.retention,
                              now - settings_.dm.private_replies_kept);
}

}  // namespace incident
