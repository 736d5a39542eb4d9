#include "adapters/matrix/protocol.h"

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/net/backoff.h"

namespace incident::matrix {

using nlohmann::json;

namespace {

const json& member(const json& j, const char* key) {
  static const json null;
  if (!j.is_object()) return null;
  auto it = j.find(key);
  return it == j.end() ? null : *it;
}

std::string str(const json& j, const char* key) {
  const json& v = member(j, key);
  return v.is_string() ? v.get<std::string>() : std::string{};
}

std::optional<std::string> opt_str(const json& j, const char* key) {
  const json& v = member(j, key);
  if (!v.is_string()) return std::nullopt;
  return v.get<std::string>();
}

const json& events_of(const json& section) {
  static const json empty = json::array();
  const json& events = member(section, "events");
  return events.is_array() ? events : empty;
}

RoomEvent event_from(const json& j) {
  RoomEvent e;
  e.event_id = str(j, "event_id");
  e.type = str(j, "type");
  e.sender = str(j, "sender");
  if (const json& ts = member(j, "origin_server_ts"); ts.is_number_integer()) {
    e.origin_server_ts = ts.get<std::int64_t>();
  }
  e.state_key = opt_str(j, "state_key");
  const json& content = member(j, "content");
  e.msgtype = str(content, "msgtype");
  e.body = str(content, "body");
  e.new_body = opt_str(member(content, "m.new_content"), "body");
  const json& relates = member(content, "m.relates_to");
  e.relates_to.rel_type = str(relates, "rel_type");
  e.relates_to.event_id = str(relates, "event_id");
  e.relates_to.key = str(relates, "key");
  e.relates_to.in_reply_to = str(member(relates, "m.in_reply_to"), "event_id");
  // Room v11 moved `redacts` into content; older rooms have it at the top level
  // (spec "m.room.redaction"). Read both.
  e.redacts = str(content, "redacts");
  if (e.redacts.empty()) e.redacts = str(j, "redacts");
  e.membership = str(content, "membership");
  e.prev_membership = str(member(member(j, "unsigned"), "prev_content"), "membership");
  e.displayname = str(content, "displayname");
  e.is_direct = member(content, "is_direct").is_boolean() && content["is_direct"].get<bool>();
  e.name = str(content, "name");
  e.join_rule = str(content, "join_rule");
  // Servers no longer rewrite an edited event; the latest edit is aggregated under
  // unsigned.m.relations.m.replace (spec "Server-side aggregation of m.replace relationships").
  const json& replace = member(member(member(j, "unsigned"), "m.relations"), "m.replace");
  e.replaced_body = opt_str(member(member(replace, "content"), "m.new_content"), "body");
  return e;
}

std::vector<RoomEvent> events_from(const json& list) {
  std::vector<RoomEvent> out;
  if (!list.is_array()) return out;
  for (const auto& j : list) {
    if (j.is_object()) out.push_back(event_from(j));
  }
  return out;
}

std::optional<json> parse_object(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return j;
}

std::optional<int> count(const json& summary, const char* key) {
  const json& v = member(summary, key);
  if (!v.is_number_integer()) return std::nullopt;
  return v.get<int>();
}

DirectMap direct_from(const json& content) {
  DirectMap map;
  if (!content.is_object()) return map;
  for (const auto& [user, rooms] : content.items()) {
    if (!rooms.is_array()) continue;
    for (const auto& room : rooms) {
      if (room.is_string()) map[user].push_back(room.get<std::string>());
    }
  }
  return map;
}

json string_list(std::initializer_list<const char*> items) {
  json list = json::array();
  for (const char* item : items) list.push_back(item);
  return list;
}

// The timeline event types the bot acts on (spec §2.6 of our protocol notes). Encrypted events
// are kept so the bot notices encrypted rooms it cannot read.
json timeline_types() {
  return string_list({"m.room.message", "m.reaction", "m.room.member", "m.room.redaction",
                      "m.room.encrypted", "m.room.encryption", "m.room.name", "m.room.join_rules"});
}

}  // namespace

std::optional<SyncResponse> parse_sync(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::nullopt;
  SyncResponse sync;
  sync.next_batch = str(*j, "next_batch");
  if (sync.next_batch.empty()) return std::nullopt;  // the one required key
  const json& rooms = member(*j, "rooms");
  if (const json& join = member(rooms, "join"); join.is_object()) {
    for (const auto& [room_id, room] : join.items()) {
      JoinedRoom r;
      r.room_id = room_id;
      r.state = events_from(events_of(member(room, "state")));
      const json& timeline = member(room, "timeline");
      r.timeline = events_from(events_of(timeline));
      r.limited = member(timeline, "limited").is_boolean() && timeline["limited"].get<bool>();
      r.prev_batch = str(timeline, "prev_batch");
      const json& summary = member(room, "summary");
      r.joined_members = count(summary, "m.joined_member_count");
      r.invited_members = count(summary, "m.invited_member_count");
      sync.join.push_back(std::move(r));
    }
  }
  if (const json& invite = member(rooms, "invite"); invite.is_object()) {
    for (const auto& [room_id, room] : invite.items()) {
      sync.invite.push_back({room_id, events_from(events_of(member(room, "invite_state")))});
    }
  }
  if (const json& leave = member(rooms, "leave"); leave.is_object()) {
    for (const auto& [room_id, room] : leave.items()) sync.leave.push_back(room_id);
  }
  for (const auto& e : events_of(member(*j, "account_data"))) {
    if (str(e, "type") == "m.direct") sync.direct = direct_from(member(e, "content"));
  }
  return sync;
}

std::optional<MessagesPage> parse_messages(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::nullopt;
  return MessagesPage{events_from(member(*j, "chunk")), str(*j, "end")};
}

std::optional<RoomEvent> parse_event(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::nullopt;
  return event_from(*j);
}

std::optional<DirectMap> parse_direct(std::string_view body) {
  auto j = parse_object(body);
  if (!j) return std::nullopt;
  return direct_from(*j);
}

std::optional<std::string> string_field(std::string_view body, const char* key) {
  auto j = parse_object(body);
  if (!j) return std::nullopt;
  return opt_str(*j, key);
}

bool MatrixError::transient() const {
  switch (kind) {
    case Kind::transport:
      return true;
    case Kind::http:
      return status == 429 || errcode == "M_LIMIT_EXCEEDED" || status >= 500;
    case Kind::response:
      return false;
  }
  return false;
}

bool MatrixError::unknown_token() const {
  return kind == Kind::http && (errcode == "M_UNKNOWN_TOKEN" || errcode == "M_MISSING_TOKEN");
}

std::string MatrixError::describe() const {
  switch (kind) {
    case Kind::transport:
      return "no answer (" + error + ")";
    case Kind::response:
      return "an unreadable answer (" + error + ")";
    case Kind::http:
      break;
  }
  std::string out = errcode.empty() ? "HTTP" : errcode;
  out += " (" + std::to_string(status) + ")";
  if (!error.empty()) out += ": " + error;
  return out;
}

std::optional<MatrixError> error_of(const net::HttpResponse& response) {
  if (response.status >= 200 && response.status < 300) return std::nullopt;
  MatrixError e;
  e.kind = MatrixError::Kind::http;
  e.status = response.status;
  // Reverse proxies answer HTML 502/504: the status alone decides then (spec "API Standards":
  // act on errcode, but M_UNKNOWN and unknown codes by the status).
  if (auto j = parse_object(response.body)) {
    e.errcode = str(*j, "errcode");
    e.error = str(*j, "error");
    e.soft_logout = member(*j, "soft_logout").is_boolean() && (*j)["soft_logout"].get<bool>();
    if (const json& ms = member(*j, "retry_after_ms"); ms.is_number_integer()) {
      e.retry_after = std::chrono::milliseconds(
          std::clamp<std::int64_t>(ms.get<std::int64_t>(), 0, net::kLongestRetryAfter.count()));
    }
  }
  // Since v1.10 the Retry-After header is the primary signal; retry_after_ms is deprecated.
  if (auto header = response.header("Retry-After")) {
    if (auto delay = parse_retry_after(*header, std::chrono::system_clock::now())) {
      e.retry_after = delay;
    }
  }
  return e;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return std::nullopt;
    return std::min<std::chrono::milliseconds>(std::chrono::seconds(std::stol(std::string(value))),
                                               net::kLongestRetryAfter);
  }
  // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  std::istringstream in{std::string(value)};
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S GMT");
  if (in.fail()) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
  return std::clamp(delay, std::chrono::milliseconds{0}, net::kLongestRetryAfter);
}

std::string sync_filter_json(int timeline_limit) {
  const json off = {{"types", json::array()}};  // `types: []` matches nothing
  json filter = {
      {"presence", off},
      {"account_data", {{"types", string_list({"m.direct"})}}},
      {"room",
       {{"timeline", {{"limit", std::max(timeline_limit, 1)}, {"types", timeline_types()}}},
        {"state",
         {{"lazy_load_members", true},
          {"types", string_list({"m.room.member", "m.room.encryption", "m.room.name",
                                 "m.room.create", "m.room.join_rules"})}}},
        {"ephemeral", off},
        {"account_data", off}}}};
  return filter.dump();
}

std::string room_event_filter_json() {
  return json{{"types", timeline_types()}, {"lazy_load_members", true}}.dump();
}

std::string add_direct(std::string_view current, const std::string& user, const std::string& room) {
  json content = parse_object(current).value_or(json::object());
  json& rooms = content[user];
  if (!rooms.is_array()) rooms = json::array();
  if (std::find(rooms.begin(), rooms.end(), json(room)) == rooms.end()) rooms.push_back(room);
  return content.dump();
}

std::string server_of(std::string_view user_id) {
  const auto colon = user_id.find(':');
  return colon == std::string_view::npos ? std::string{} : std::string(user_id.substr(colon + 1));
}

}  // namespace incident::matrix
