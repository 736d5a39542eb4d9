#include "bot/engine.h"

namespace incident {

Outcome Engine::handle(const InboundEvent& event) {
  // A redelivery (Slack retry, Matrix replay, a restart before the ack) gets the replies of the
  // first delivery and changes nothing.
  if (auto stored = store_.find_processed(event.key)) return Outcome{std::move(*stored), true};

  Context context{store_.current_incident(event.platform, event.channel),
                  store_.next_incident_number()};
  Decision decision = decide(context, event, prompts_, settings_);
  if (!store_.commit(event.key, decision.changes, decision.replies)) {
    // Another writer recorded the key between our look-up and our commit: theirs stands.
    auto stored = store_.find_processed(event.key);
    return Outcome{stored.value_or(std::vector<Reply>{}), true};
  }
  return Outcome{std::move(decision.replies), false};
}

void Engine::anchor_posted(const std::string& platform, const Reply& reply,
                           const std::string& message_ref) {
  if (reply.anchor == Anchor::none || reply.incident == 0 || message_ref.empty()) return;
  std::vector<Change> changes;
  switch (reply.anchor) {
    case Anchor::postmortem:
      changes.push_back({reply.incident, change::PostmortemPosted{message_ref}});
      break;
    case Anchor::none: return;
  }
  store_.commit("anchor:" + platform + ":" + message_ref, changes, {});
}

}  // namespace incident
