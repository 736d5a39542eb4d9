// Matrix client-server API types the bot reads and writes (spec v1.19, "Client-Server API").
// Plain structs parsed tolerantly from JSON: every section and key may be missing or null, and
// unknown event types keep only their `type` (they are ignored later, never an error). JSON stays
// in protocol.cpp; this header holds only what the rest of the adapter needs.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/net/https_client.h"

namespace incident::matrix {

// `m.relates_to` of an event's content (spec "Forming relationships between events").
struct Relation {
  std::string rel_type;     // "m.thread", "m.replace", "m.annotation", or empty (a plain reply)
  std::string event_id;     // the thread root, the replaced or the annotated event
  std::string key;          // m.annotation: the reaction key, e.g. "📌"
  std::string in_reply_to;  // m.in_reply_to.event_id
};

// A room event as /sync (without room_id), /messages and /event return it ("ClientEvent"),
// reduced to the fields the bot acts on.
struct RoomEvent {
  std::string event_id;
  std::string type;
  std::string sender;
  std::int64_t origin_server_ts = 0;
  std::optional<std::string> state_key;  // present exactly for state events
  // m.room.message
  std::string msgtype;
  std::string body;
  std::optional<std::string> new_body;       // m.new_content.body of an edit (m.replace)
  std::optional<std::string> replaced_body;  // the latest edit's, from unsigned.m.relations
  Relation relates_to;
  // m.room.redaction: `redacts` in content (room v11+) or at the top level (older rooms)
  std::string redacts;
  // m.room.member
  std::string membership;
  std::string prev_membership;  // unsigned.prev_content.membership: what it changed from
  std::string displayname;
  bool is_direct = false;
  // m.room.name
  std::string name;
  // m.room.join_rules
  std::string join_rule;
};

// m.direct account data: user id -> DM room ids (spec "Direct Messaging").
using DirectMap = std::map<std::string, std::vector<std::string>>;

struct JoinedRoom {
  std::string room_id;
  std::vector<RoomEvent> state;
  std::vector<RoomEvent> timeline;
  bool limited = false;
  std::string prev_batch;
  std::optional<int> joined_members;   // summary.m.joined_member_count
  std::optional<int> invited_members;  // summary.m.invited_member_count
};

struct InvitedRoom {
  std::string room_id;
  std::vector<RoomEvent> invite_state;  // stripped state: no event_id, no timestamp
};

// GET /sync (spec "Syncing"). Only next_batch is required.
struct SyncResponse {
  std::string next_batch;
  std::vector<JoinedRoom> join;
  std::vector<InvitedRoom> invite;
  std::vector<std::string> leave;   // rooms the bot left or was removed from
  std::optional<DirectMap> direct;  // when m.direct changed
};

// GET /rooms/{roomId}/messages (spec "Pagination").
struct MessagesPage {
  std::vector<RoomEvent> chunk;
  std::string end;  // empty: no more events in this direction
};

// Parsers: nullopt when the body is not the expected JSON object.
std::optional<SyncResponse> parse_sync(std::string_view body);
std::optional<MessagesPage> parse_messages(std::string_view body);
std::optional<RoomEvent> parse_event(std::string_view body);
std::optional<DirectMap> parse_direct(std::string_view body);
// A string field of a JSON object body ("user_id" of whoami, "event_id" of a send, ...).
std::optional<std::string> string_field(std::string_view body, const char* key);

// A failed request: no answer, or an answer that is not 2xx (spec "Standard error response").
struct MatrixError {
  enum class Kind {
    transport,  // no answer (connect, TLS, timeout): `error` is the system's message
    http,       // a non-2xx answer; `errcode` when the body had one
    response,   // a 2xx answer the bot cannot read
  };
  Kind kind = Kind::transport;
  int status = 0;
  std::string errcode;  // "M_FORBIDDEN", ...
  std::string error;
  std::optional<std::chrono::milliseconds> retry_after;  // 429: Retry-After or retry_after_ms
  bool soft_logout = false;

  // Worth trying again (spec "Rate limiting" and §5.2 of our protocol notes): no answer,
  // 429 / M_LIMIT_EXCEEDED, 502/503/504 and other 5xx.
  bool transient() const;
  // The access token is not (or no longer) valid: nothing will work until it is replaced.
  bool unknown_token() const;
  // For logs: "M_FORBIDDEN (403): You are not invited to this room."
  std::string describe() const;
};

// Classifies an HTTP answer; nullopt for 2xx.
std::optional<MatrixError> error_of(const net::HttpResponse& response);

// The Retry-After header's delay: delta-seconds or an HTTP-date (RFC 9110 §10.2.3), the latter
// against `now`. nullopt when absent or unreadable.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// The sync filter (spec "Filtering"): only the event types the bot acts on, lazy-loaded members,
// a timeline limit of `timeline_limit` so busy rooms rarely leave gaps.
std::string sync_filter_json(int timeline_limit);
// The RoomEventFilter for back-filling gaps with /messages: the same timeline types.
std::string room_event_filter_json();

// The m.direct content `current` (a JSON object, or empty) with `room` added under `user`: every
// other entry is kept, as a PUT replaces the whole event (read-modify-write).
std::string add_direct(std::string_view current, const std::string& user, const std::string& room);

// The server part of a user id ("@dana:example.org:8448" -> "example.org:8448").
std::string server_of(std::string_view user_id);

}  // namespace incident::matrix
