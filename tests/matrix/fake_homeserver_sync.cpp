// The fake homeserver's /sync, /messages and /event bodies, and the test-facing world API.
#include <algorithm>

#include "matrix/fake_homeserver_impl.h"

namespace incident::testing {

using nlohmann::json;

namespace {

// Spec "Filtering": a missing `types` list matches everything, `[]` nothing.
bool type_allowed(const json& event_filter, const std::string& type) {
  if (!event_filter.is_object() || !event_filter.contains("types")) return true;
  for (const auto& t : event_filter["types"]) {
    if (t == type) return true;
  }
  return false;
}

const json& sub(const json& j, const char* key) {
  static const json null;
  return j.is_object() && j.contains(key) ? j[key] : null;
}

// Events in /sync carry no room_id (spec "Syncing": ClientEventWithoutRoomID); the bot's own
// sends come back with unsigned.transaction_id.
json sync_form(const StoredEvent& e) {
  json out = e.event;
  out.erase("room_id");
  if (!e.txn_id.empty()) out["unsigned"]["transaction_id"] = e.txn_id;
  return out;
}

// Stripped state for invites: type, state_key, sender and content only.
json stripped(const json& e) {
  return {{"type", e["type"]},
          {"state_key", e["state_key"]},
          {"sender", e["sender"]},
          {"content", e["content"]}};
}

}  // namespace

json FakeHomeserver::Impl::event_with_edits(const StoredEvent& stored) const {
  json out = stored.event;
  // Spec "Event replacements": the latest edit is aggregated under unsigned.m.relations.
  const std::string id = out.value("event_id", "");
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const json& rel = sub(sub(it->event, "content"), "m.relates_to");
    if (it->room == stored.room && rel.is_object() && rel.value("rel_type", "") == "m.replace" &&
        rel.value("event_id", "") == id) {
      out["unsigned"]["m.relations"]["m.replace"] = it->event;
      break;
    }
  }
  return out;
}

std::pair<json, bool> FakeHomeserver::Impl::sync_body(std::optional<std::int64_t> since,
                                                      const json& filter, bool full_state) const {
  const std::int64_t from = since.value_or(0);
  const json& timeline_filter = sub(sub(filter, "room"), "timeline");
  const json& state_filter = sub(sub(filter, "room"), "state");
  const std::size_t limit = timeline_filter.is_object() && timeline_filter.contains("limit")
                                ? timeline_filter["limit"].get<std::size_t>()
                                : 10;  // Synapse's default
  json body{{"next_batch", "s" + std::to_string(pos)}};
  bool fresh = false;
  json join = json::object();
  json invite = json::object();
  json leave = json::object();
  for (const auto& [room_id, room] : rooms) {
    auto bot = room.members.find(kMatrixBot);
    const std::string membership = bot == room.members.end() ? "" : bot->second;
    const auto member_event = room.state.find(std::string("m.room.member\n") + kMatrixBot);
    const std::int64_t member_pos =
        member_event == room.state.end() ? 0 : events[member_event->second].pos;
    if (membership == "invite" && (!since || member_pos > from)) {
      json state = json::array();
      for (const auto& [key, index] : room.state) {
        const json& e = events[index].event;
        if (e["type"] == "m.room.create" || e["type"] == "m.room.name" ||
            e["type"] == "m.room.encryption" ||
            key == std::string("m.room.member\n") + kMatrixBot) {
          state.push_back(stripped(e));
        }
      }
      invite[room_id] = {{"invite_state", {{"events", state}}}};
      fresh = true;
    }
    if ((membership == "leave" || membership == "ban") && since && member_pos > from) {
      leave[room_id] = {{"timeline", {{"events", json::array()}}}};
      fresh = true;
    }
    if (membership != "join") continue;
    // A room the bot joined since `since` is new to it: it gets the room like an initial sync.
    const bool whole = !since || member_pos > from;
    std::vector<const StoredEvent*> window;
    bool members_changed = false;
    for (const auto& e : events) {
      if (e.room != room_id || e.pos <= (whole ? 0 : from)) continue;
      if (e.pos > from && e.event["type"] == "m.room.member") members_changed = true;
      if (type_allowed(timeline_filter, e.event["type"])) window.push_back(&e);
    }
    const bool limited = window.size() > limit;
    if (limited) window.erase(window.begin(), window.end() - static_cast<std::ptrdiff_t>(limit));
    if (!whole && !full_state && window.empty()) continue;
    json timeline = json::array();
    std::set<std::int64_t> in_timeline;
    for (const auto* e : window) {
      timeline.push_back(sync_form(*e));
      in_timeline.insert(e->pos);
    }
    // State at the start of the timeline: everything for a new room or full_state, else what
    // changed in the gap a limited timeline left.
    json state = json::array();
    for (const auto& [key, index] : room.state) {
      const StoredEvent& e = events[index];
      if (in_timeline.count(e.pos) || !type_allowed(state_filter, e.event["type"])) continue;
      if (whole || full_state || (limited && e.pos > from)) state.push_back(sync_form(e));
    }
    const std::int64_t first = window.empty() ? pos : window.front()->pos - 1;
    json entry{{"timeline",
                {{"events", timeline},
                 {"limited", limited},
                 {"prev_batch", "t" + std::to_string(first)}}}};
    if (!state.empty()) entry["state"] = {{"events", state}};
    if (whole || full_state || members_changed) {
      int joined = 0;
      int invited = 0;
      for (const auto& [user, m] : room.members) {
        joined += m == "join";
        invited += m == "invite";
      }
      entry["summary"] = {{"m.joined_member_count", joined}, {"m.invited_member_count", invited}};
    }
    join[room_id] = std::move(entry);
    fresh = fresh || !window.empty();
  }
  // Sections are left out when empty, as real servers may do: parsers must cope.
  json rooms_section = json::object();
  if (!join.empty()) rooms_section["join"] = join;
  if (!invite.empty()) rooms_section["invite"] = invite;
  if (!leave.empty()) rooms_section["leave"] = leave;
  if (!rooms_section.empty()) body["rooms"] = rooms_section;
  json account_events = json::array();
  for (const auto& [key, value] : account) {
    const auto user = key.substr(0, key.find('\n'));
    if (user != kMatrixBot || (since && value.first <= from)) continue;
    account_events.push_back({{"type", key.substr(key.find('\n') + 1)}, {"content", value.second}});
    fresh = fresh || since.has_value();
  }
  if (!account_events.empty()) body["account_data"] = {{"events", account_events}};
  return {body, fresh};
}

FakeAnswer FakeHomeserver::Impl::messages(const std::string& room, const FakeRequest& r) const {
  auto get = [&](const char* key) {
    auto it = r.query.find(key);
    return it == r.query.end() ? std::string{} : it->second;
  };
  const std::string dir = get("dir");
  if (dir != "b" && dir != "f") return matrix_error(400, "M_INVALID_PARAM", "dir must be b or f");
  const auto from = get("from").empty() ? std::optional<std::int64_t>(dir == "b" ? pos : 0)
                                        : parse_token(get("from"));
  const auto to = get("to").empty() ? std::optional<std::int64_t>(dir == "b" ? 0 : pos)
                                    : parse_token(get("to"));
  if (!from || !to) return matrix_error(400, "M_INVALID_PARAM", "Invalid token");
  const std::size_t limit = get("limit").empty() ? 10 : std::stoul(get("limit"));
  const json filter = json::parse(get("filter").empty() ? "{}" : get("filter"), nullptr, false);
  json chunk = json::array();
  std::int64_t last = *from;
  bool more = false;
  auto visit = [&](const StoredEvent& e) {
    if (e.room != room || !type_allowed(filter, e.event["type"])) return;
    if (chunk.size() == limit) {
      more = true;
      return;
    }
    chunk.push_back(e.event);
    last = e.pos;
  };
  if (dir == "b") {  // newest first, from `from` down to (not including) `to`
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->pos <= *from && it->pos > *to) visit(*it);
    }
  } else {
    for (const auto& e : events) {
      if (e.pos > *from && e.pos <= *to) visit(e);
    }
  }
  FakeAnswer a;
  a.body = {{"start", get("from").empty() ? "t" + std::to_string(*from) : get("from")},
            {"chunk", chunk}};
  // `end` is left out once there is nothing more in this direction (spec "Pagination").
  if (more) a.body["end"] = "t" + std::to_string(dir == "b" ? last - 1 : last);
  return a;
}

// --- the world ---------------------------------------------------------------------------------

std::string FakeHomeserver::create_room(const std::string& creator,
                                        const std::vector<std::string>& members,
                                        const std::string& name, bool encrypted) {
  const std::string room = impl_->new_room(creator);
  if (!name.empty()) impl_->add_event(room, creator, "m.room.name", {{"name", name}}, "");
  if (encrypted) {
    impl_->add_event(room, creator, "m.room.encryption", {{"algorithm", "m.megolm.v1.aes-sha2"}},
                     "");
  }
  for (const auto& user : members) {
    if (user != creator)
      impl_->add_event(room, user, "m.room.member", {{"membership", "join"}}, user);
  }
  return room;
}

void FakeHomeserver::invite(const std::string& room, const std::string& inviter,
                            const std::string& invitee, bool is_direct) {
  json content{{"membership", "invite"}, {"displayname", "Incident Bot"}};
  if (is_direct) content["is_direct"] = true;
  impl_->add_event(room, inviter, "m.room.member", content, invitee);
}

void FakeHomeserver::join(const std::string& room, const std::string& user) {
  impl_->add_event(room, user, "m.room.member", {{"membership", "join"}}, user);
}

void FakeHomeserver::leave(const std::string& room, const std::string& user) {
  impl_->add_event(room, user, "m.room.member", {{"membership", "leave"}}, user);
}

std::string FakeHomeserver::post(const std::string& room, const std::string& sender,
                                 const std::string& type, json content,
                                 std::optional<std::string> state_key) {
  return impl_->add_event(room, sender, type, std::move(content), std::move(state_key));
}

std::string FakeHomeserver::say(const std::string& room, const std::string& sender,
                                const std::string& text, const std::string& thread_root) {
  json content{{"msgtype", "m.text"}, {"body", text}};
  if (!thread_root.empty()) {
    content["m.relates_to"] = {{"rel_type", "m.thread"},
                               {"event_id", thread_root},
                               {"is_falling_back", true},
                               {"m.in_reply_to", {{"event_id", thread_root}}}};
  }
  return post(room, sender, "m.room.message", content);
}

std::string FakeHomeserver::react(const std::string& room, const std::string& sender,
                                  const std::string& target, const std::string& key) {
  return post(
      room, sender, "m.reaction",
      {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", target}, {"key", key}}}});
}

std::string FakeHomeserver::edit(const std::string& room, const std::string& sender,
                                 const std::string& target, const std::string& new_text) {
  return post(room, sender, "m.room.message",
              {{"msgtype", "m.text"},
               {"body", "* " + new_text},
               {"m.new_content", {{"msgtype", "m.text"}, {"body", new_text}}},
               {"m.relates_to", {{"rel_type", "m.replace"}, {"event_id", target}}}});
}

std::string FakeHomeserver::redact(const std::string& room, const std::string& sender,
                                   const std::string& target, bool in_content) {
  json content{{"reason", "removed"}};
  if (in_content) content["redacts"] = target;
  const std::string id = impl_->add_event(room, sender, "m.room.redaction", content, std::nullopt);
  StoredEvent& redaction = impl_->events.back();
  if (!in_content) redaction.event["redacts"] = target;  // rooms before v11
  for (auto& e : impl_->events) {
    if (e.room == room && e.event.value("event_id", "") == target) {
      e.event["content"] = json::object();
      e.event["unsigned"]["redacted_because"] = redaction.event;
    }
  }
  return id;
}

void FakeHomeserver::redeliver(const std::string& event_id) {
  for (const auto& e : impl_->events) {
    if (e.event.value("event_id", "") != event_id) continue;
    StoredEvent copy = e;
    copy.pos = ++impl_->pos;
    impl_->events.push_back(std::move(copy));
    impl_->changed.notify();
    return;
  }
}

void FakeHomeserver::set_account_data(const std::string& user, const std::string& type,
                                      json content) {
  impl_->account[user + "\n" + type] = {++impl_->pos, std::move(content)};
  impl_->changed.notify();
}

std::optional<json> FakeHomeserver::account_data(const std::string& user,
                                                 const std::string& type) const {
  auto it = impl_->account.find(user + "\n" + type);
  if (it == impl_->account.end()) return std::nullopt;
  return it->second.second;
}

// --- what happened -----------------------------------------------------------------------------

std::vector<FakeRequest> FakeHomeserver::requests(const std::string& route) const {
  std::vector<FakeRequest> out;
  for (const auto& r : impl_->requests) {
    if (route.empty() || r.route == route) out.push_back(r);
  }
  return out;
}

std::vector<json> FakeHomeserver::events(const std::string& room, const std::string& sender,
                                         const std::string& type) const {
  std::vector<json> out;
  std::set<std::string> seen;  // a redelivered event is still one event
  for (const auto& e : impl_->events) {
    if ((!room.empty() && e.room != room) || e.event.value("sender", "") != sender ||
        e.event.value("type", "") != type || !seen.insert(e.event["event_id"]).second) {
      continue;
    }
    out.push_back(e.event);
  }
  return out;
}

std::vector<std::string> FakeHomeserver::bot_bodies(const std::string& room) const {
  std::vector<std::string> out;
  for (const auto& e : events(room, kMatrixBot)) out.push_back(e["content"].value("body", ""));
  return out;
}

std::string FakeHomeserver::membership(const std::string& room, const std::string& user) const {
  auto it = impl_->rooms.find(room);
  if (it == impl_->rooms.end()) return "";
  auto m = it->second.members.find(user);
  return m == it->second.members.end() ? "" : m->second;
}

std::vector<std::string> FakeHomeserver::rooms_created() const {
  return impl_->created;
}

nlohmann::json FakeHomeserver::state(const std::string& room, const std::string& type) const {
  auto it = impl_->rooms.find(room);
  if (it == impl_->rooms.end()) return nullptr;
  auto found = it->second.state.find(type + "\n");
  if (found == it->second.state.end()) return nullptr;
  return impl_->events[found->second].event["content"];
}

void FakeHomeserver::set_state(const std::string& room, const std::string& sender,
                               const std::string& type, nlohmann::json content) {
  impl_->add_event(room, sender, type, std::move(content), "");
}

void FakeHomeserver::add_alias(const std::string& alias, const std::string& room) {
  impl_->aliases[alias] = room;
}

std::optional<FakeMedia> FakeHomeserver::media(const std::string& mxc) const {
  auto it = impl_->media.find(mxc);
  if (it == impl_->media.end()) return std::nullopt;
  return it->second;
}

std::optional<json> FakeHomeserver::filter(const std::string& id) const {
  auto it = impl_->filters.find(id);
  if (it == impl_->filters.end()) return std::nullopt;
  return it->second;
}

int FakeHomeserver::overlapping_syncs() const {
  return impl_->overlapping_syncs;
}

int FakeHomeserver::long_polls() const {
  return impl_->long_polls;
}

std::string FakeHomeserver::stream_token() const {
  return "s" + std::to_string(impl_->pos);
}

// --- faults ------------------------------------------------------------------------------------

void FakeHomeserver::fail_next(const std::string& route, FakeFailure failure, int count) {
  for (int i = 0; i < count; ++i) impl_->failures[route].push_back(failure);
}

void FakeHomeserver::drop_after_next(const std::string& route) {
  impl_->drops.insert(route);
}

void FakeHomeserver::forget_sync_tokens() {
  impl_->forgotten_below = ++impl_->pos;  // tokens from now on are new ones
}

void FakeHomeserver::stall_next_sync(std::chrono::milliseconds delay) {
  impl_->stall = delay;
}

void FakeHomeserver::revoke_token(bool soft_logout) {
  impl_->revoked = true;
  impl_->soft_logout = soft_logout;
}

}  // namespace incident::testing
