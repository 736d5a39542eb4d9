// Every series the bot exports on /metrics (deploy/README.md, "Health and metrics", lists them):
// names, labels, and small helpers the adapters count with. A null Metrics* counts nothing, so
// adapters built without a registry (unit tests) need no special case.
//
// Label values come from vocabularies fixed here or in the adapters' code: platform ("slack",
// "matrix"), envelope or event type, API method or endpoint family, reason. Never user text,
// user/channel/room ids or message ids.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "adapters/ops/metrics.h"
#include "bot/model/event.h"

namespace incident::ops {

namespace series {
// {platform, type}: Slack envelopes by envelope type; Matrix timeline events by domain kind.
inline constexpr const char* kEventsReceived = "incident_bot_events_received_total";
inline constexpr const char* kEventsAcked = "incident_bot_events_acked_total";
inline constexpr const char* kEventsDeduplicated = "incident_bot_events_deduplicated_total";
inline constexpr const char* kEventsRejected = "incident_bot_events_rejected_total";
// {platform, reason}: frames read but not handled: malformed, unknown, binary, too_big.
inline constexpr const char* kFramesSkipped = "incident_bot_frames_skipped_total";
// {platform}: from a frame's (Slack) or sync batch's (Matrix) arrival to its ack / commit.
inline constexpr const char* kAckLatency = "incident_bot_ack_latency_seconds";
// {platform}: connections that became ready (Slack: hello).
inline constexpr const char* kConnections = "incident_bot_connections_total";
// {platform, reason}
inline constexpr const char* kReconnects = "incident_bot_reconnects_total";
// {platform, method}: every HTTP attempt, retries included.
inline constexpr const char* kApiCalls = "incident_bot_api_calls_total";
inline constexpr const char* kApiErrors = "incident_bot_api_errors_total";
inline constexpr const char* kApiRateLimited = "incident_bot_api_rate_limited_total";
// {platform}: replies and other messages the platform accepted.
inline constexpr const char* kMessagesSent = "incident_bot_messages_sent_total";
// {platform}: events made durable together in one commit (group commit).
inline constexpr const char* kBatchEvents = "incident_bot_batch_events";
// (none): one SQLite write transaction, begin to commit.
inline constexpr const char* kDbCommit = "incident_bot_db_commit_seconds";
// (none): asked from the database at scrape time.
inline constexpr const char* kOpenIncidents = "incident_bot_open_incidents";
// (none): Slack's count of the app's Socket Mode connections at the latest hello.
inline constexpr const char* kSlackConnections = "incident_bot_slack_connections";
// (none): 1 while this process syncs the Matrix account, 0 while another replica does.
inline constexpr const char* kMatrixSyncer = "incident_bot_matrix_syncer";
// {platform}: counts only, nothing about who or what.
inline constexpr const char* kDms = "incident_bot_dms_received_total";
inline constexpr const char* kEscalations = "incident_bot_escalations_total";
inline constexpr const char* kReminders = "incident_bot_reminders_sent_total";
}  // namespace series

// Declares every family above except the open-incidents probe, which needs the store.
void declare_series(Metrics& metrics);

// `value` when it is one of `allowed`, else "other": keeps a label's vocabulary closed.
std::string closed(std::string_view value, std::initializer_list<std::string_view> allowed);

// The domain kind of an event: command, pin, edit, delete, thread_reply, dm.
const char* event_type(const InboundEvent& event);

inline void count(Metrics* metrics, const char* name, const LabelValues& values, double by = 1) {
  if (metrics) metrics->counter(name, values).inc(by);
}
inline void set(Metrics* metrics, const char* name, double v) {
  if (metrics) metrics->gauge(name).set(v);
}
inline void observe(Metrics* metrics, const char* name, const LabelValues& values, double v) {
  if (metrics) metrics->histogram(name, values).observe(v);
}

// A handled (not duplicate) event: a DM to the bot, and a security case it opened.
void count_outcome(Metrics* metrics, const std::string& platform, const InboundEvent& event,
                   const Outcome& outcome);

}  // namespace incident::ops
