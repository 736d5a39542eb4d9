#include "adapters/ops/series.h"

#include <algorithm>
#include <variant>

#include "bot/model/overloaded.h"

namespace incident::ops {

void declare_series(Metrics& m) {
  using namespace series;
  const std::vector<std::string> platform_type{"platform", "type"};
  m.declare_counter(kEventsReceived, "Envelopes (Slack) and timeline events (Matrix) received.",
                    platform_type);
  m.declare_counter(kEventsAcked,
                    "Envelopes acknowledged (Slack) and events committed with their sync "
                    "position (Matrix), after their effects were stored.",
                    platform_type);
  m.declare_counter(kEventsDeduplicated,
                    "Events delivered again whose idempotency key was already recorded.",
                    platform_type);
  m.declare_counter(kEventsRejected,
                    "Events left unacknowledged (Slack redelivers them) or not committed (Matrix "
                    "reads the batch again).",
                    platform_type);
  m.declare_counter(kFramesSkipped, "Frames skipped: malformed, unknown, binary or too big.",
                    {"platform", "reason"});
  m.declare_histogram(kAckLatency,
                      "Seconds from an envelope's arrival to its ack (Slack), or from a sync "
                      "batch's arrival to an event's commit (Matrix).",
                      latency_buckets(), {"platform"});
  m.declare_counter(kConnections, "Connections that became ready (Slack: hello received).",
                    {"platform"});
  m.declare_counter(kReconnects, "Connections replaced or syncs retried, by reason.",
                    {"platform", "reason"});
  m.declare_counter(kApiCalls,
                    "Web API (Slack) and client-server API (Matrix) requests, retries included.",
                    {"platform", "method"});
  m.declare_counter(kApiErrors,
                    "API requests that failed: no answer, an HTTP error, or an error body.",
                    {"platform", "method"});
  m.declare_counter(kApiRateLimited, "API requests answered with HTTP 429.",
                    {"platform", "method"});
  m.declare_counter(kMessagesSent, "Messages the platform accepted from the bot.", {"platform"});
  m.declare_histogram(kBatchEvents,
                      "Events read together and made durable in one commit (Slack: envelopes "
                      "already read when one is handled; Matrix: a sync batch).",
                      {1, 2, 4, 8, 16, 32, 64, 128, 256}, {"platform"});
  m.declare_histogram(kDbCommit, "Seconds per SQLite write transaction, begin to commit.",
                      latency_buckets());
  m.declare_gauge(kSlackConnections,
                  "The app's Socket Mode connections, as Slack counted them at the latest hello.");
  m.declare_gauge(kMatrixSyncer,
                  "1 while this process syncs the Matrix account, 0 while another replica does.");
  m.declare_counter(kDms, "Direct messages to the bot handled (counts only).", {"platform"});
  m.declare_counter(kEscalations, "Security cases opened with `report` (counts only).",
                    {"platform"});
  m.declare_counter(kReminders, "Reminders posted in incident channels, by kind.",
                    {"platform", "kind"});
}

std::string closed(std::string_view value, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end() ? std::string(value)
                                                                           : "other";
}

const char* event_type(const InboundEvent& event) {
  return std::visit(
      overloaded{[](const in::CommandText&) { return "command"; },
                 [](const in::Pin&) { return "pin"; }, [](const in::Edited&) { return "edit"; },
                 [](const in::Deleted&) { return "delete"; },
                 [](const in::ThreadReply&) { return "thread_reply"; },
                 [](const in::DirectMessage&) { return "dm"; },
                 [](const in::Reminder&) { return "reminder"; },
                 [](const in::RoomOpened&) { return "room_opened"; }},
      event.body);
}

void count_outcome(Metrics* metrics, const std::string& platform, const InboundEvent& event,
                   const Outcome& outcome) {
  if (!metrics || outcome.duplicate) return;
  if (std::holds_alternative<in::DirectMessage>(event.body)) {
    metrics->counter(series::kDms, {platform}).inc();
  }
  const bool opened = std::any_of(outcome.replies.begin(), outcome.replies.end(),
                                  [](const Reply& r) { return r.anchor == Anchor::security_case; });
  if (opened) metrics->counter(series::kEscalations, {platform}).inc();
  if (const auto* reminder = std::get_if<in::Reminder>(&event.body);
      reminder && !outcome.replies.empty()) {
    metrics->counter(series::kReminders, {platform, to_string(reminder->kind)}).inc();
  }
}

}  // namespace incident::ops
