#include "bot/engine.h"

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
    case Anchor::none: return;
  }
  store_.commit("anchor:" + platform + ":" + message_ref, changes, {});
}

std::string Engine::postmortem_ref(const std::string& platform, const std::string& channel) {
  auto current = store_.current_incident(platform, channel, IncidentView::summary());
  return current ? current->postmortem_ref : std::string{};
}

}  // namespace incident
