#include "adapters/matrix/translate.h"

#include <algorithm>

#include "bot/model/command.h"

namespace incident::matrix {

void Rooms::set_direct(DirectMap direct) {
  direct_ = std::move(direct);
  direct_rooms_.clear();
  for (const auto& [user, rooms] : direct_) direct_rooms_.insert(rooms.begin(), rooms.end());
}

void Rooms::add_direct(const std::string& user, const std::string& room) {
  auto& rooms = direct_[user];
  if (std::find(rooms.begin(), rooms.end(), room) == rooms.end()) rooms.push_back(room);
  direct_rooms_.insert(room);
}

bool Rooms::is_direct(const std::string& room) const {
  if (direct_rooms_.count(room) != 0) return true;
  auto it = rooms_.find(room);
  return it != rooms_.end() && !it->second.named && it->second.members == 2;
}

std::optional<std::string> Rooms::direct_room(const std::string& user) const {
  auto it = direct_.find(user);
  if (it == direct_.end()) return std::nullopt;
  for (auto room = it->second.rbegin(); room != it->second.rend(); ++room) {
    if (left_.count(*room) == 0) return *room;
  }
  return std::nullopt;
}

void Rooms::left(const std::string& room) {
  left_.insert(room);
  rooms_.erase(room);
}

bool is_own_join(const RoomEvent& e, const std::string& bot_user) {
  return e.type == "m.room.member" && e.state_key == bot_user && e.membership == "join" &&
         e.prev_membership != "join";
}

bool is_pin_key(std::string_view key) {
  constexpr std::string_view kPin = "\xF0\x9F\x93\x8C";  // U+1F4CC PUSHPIN
  constexpr std::string_view kEmoji = "\xEF\xB8\x8F";    // U+FE0F VARIATION SELECTOR-16
  return key == kPin || (key.substr(0, kPin.size()) == kPin && key.substr(kPin.size()) == kEmoji);
}

std::string strip_reply_fallback(std::string_view body) {
  bool quoted = false;
  while (!body.empty() && body.front() == '>') {
    quoted = true;
    const auto end = body.find('\n');
    body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
  }
  if (quoted && !body.empty() && body.front() == '\n') body.remove_prefix(1);
  return std::string(body);
}

bool inviter_allowed(const std::vector<std::string>& allowed, const std::string& inviter,
                     const std::string& bot_user) {
  const std::string server = server_of(inviter);
  if (server.empty()) return false;
  if (allowed.empty()) return server == server_of(bot_user);
  for (const auto& entry : allowed) {
    if (entry == inviter) return true;
    if (entry.size() > 2 && entry.compare(0, 2, "*:") == 0 && entry.substr(2) == server) {
      return true;
    }
  }
  return false;
}

std::optional<in::Pin> pin_from(const RoomEvent& target) {
  if (target.type != "m.room.message" || target.event_id.empty()) return std::nullopt;
  // A redacted message has no body left; an edit cannot be annotated (spec "Event annotations").
  if (target.body.empty() || target.relates_to.rel_type == "m.replace") return std::nullopt;
  std::string text = strip_reply_fallback(target.replaced_body.value_or(target.body));
  return in::Pin{target.event_id, target.sender, std::move(text),
                 from_unix_ms(target.origin_server_ts)};
}

namespace {

class Translator {
 public:
  Translator(const SyncResponse& sync, Rooms& rooms, const TranslateOptions& options, bool initial)
      : sync_(sync), rooms_(rooms), options_(options), initial_(initial) {}

  std::vector<Step> run() {
    if (sync_.direct) rooms_.set_direct(*sync_.direct);
    for (const auto& room : sync_.leave) rooms_.left(room);
    for (const auto& room : sync_.invite) invite(room);
    for (const auto& room : sync_.join) {
      for (const auto& e : room.timeline) by_id_[e.event_id] = &e;
    }
    for (const auto& room : sync_.join) joined(room);
    return std::move(steps_);
  }

 private:
  // Spec "Room membership": the invite is the bot's own m.room.member in the stripped state;
  // its sender is the inviter.
  void invite(const InvitedRoom& room) {
    for (const auto& e : room.invite_state) {
      if (e.type != "m.room.member" || e.state_key != options_.bot_user ||
          e.membership != "invite") {
        continue;
      }
      const bool accept = inviter_allowed(options_.allowed_inviters, e.sender, options_.bot_user);
      if (accept && e.is_direct) rooms_.add_direct(e.sender, room.room_id);
      steps_.push_back(step::Invite{room.room_id, e.sender, accept, e.is_direct});
      return;
    }
  }

  void joined(const JoinedRoom& room) {
    rooms_.joined(room.room_id);
    RoomInfo& info = rooms_.info(room.room_id);
    if (room.joined_members || room.invited_members) {
      info.members = room.joined_members.value_or(0) + room.invited_members.value_or(0);
    }
    for (const auto& e : room.state) state(room.room_id, e);
    // A room the bot has just joined comes with its recent past; like a first sync's, that is
    // history, not something to act on. Only what follows the bot's own join counts.
    const auto& timeline = room.timeline;
    auto own_join = std::find_if(timeline.rbegin(), timeline.rend(), [&](const RoomEvent& e) {
      return is_own_join(e, options_.bot_user);
    });
    const auto live = own_join == timeline.rend() ? timeline.begin() : own_join.base();
    for (auto it = timeline.begin(); it != timeline.end(); ++it) {
      if (it->state_key) {
        state(room.room_id, *it);
      } else if (!initial_ && it >= live && !it->event_id.empty() &&
                 it->sender != options_.bot_user) {
        message(room.room_id, *it);
      }
    }
  }

  void state(const std::string& room, const RoomEvent& e) {
    if (e.type == "m.room.encryption") {
      encrypted(room);
    } else if (e.type == "m.room.name") {
      rooms_.info(room).named = !e.name.empty();
    } else if (e.type == "m.room.join_rules") {
      rooms_.info(room).join_rule = e.join_rule;
    } else if (e.type == "m.room.member" && e.state_key) {
      if (*e.state_key == options_.bot_user) {
        if (e.membership == "leave" || e.membership == "ban") rooms_.left(room);
      } else if (e.membership == "join" && !e.displayname.empty()) {
        steps_.push_back(step::DisplayName{*e.state_key, e.displayname});
      }
    }
  }

  void encrypted(const std::string& room) {
    RoomInfo& info = rooms_.info(room);
    info.encrypted = true;
    if (initial_ || info.notified) return;
    info.notified = true;
    steps_.push_back(step::EncryptedNotice{room});
  }

  void handle(const std::string& room, const RoomEvent& e, InboundBody body,
              std::string thread_root = {}, std::string fetch_pin = {}) {
    InboundEvent event{"matrix:" + e.event_id,           "matrix",   room,           e.sender,
                       from_unix_ms(e.origin_server_ts), e.event_id, std::move(body)};
    event.private_channel = rooms_.info(room).is_private();
    Origin origin{room, e.sender, e.event_id, std::move(thread_root), rooms_.is_direct(room)};
    steps_.push_back(step::Handle{std::move(event), std::move(origin), std::move(fetch_pin)});
  }

  void message(const std::string& room, const RoomEvent& e) {
    const bool direct = rooms_.is_direct(room);
    if (e.type == "m.room.encrypted") {
      encrypted(room);
    } else if (e.type == "m.room.redaction") {
      if (!direct && !e.redacts.empty()) handle(room, e, in::Deleted{e.redacts});
    } else if (e.type == "m.reaction") {
      if (!direct && e.relates_to.rel_type == "m.annotation" && is_pin_key(e.relates_to.key)) {
        pin(room, e);
      }
    } else if (e.type == "m.room.message" && e.msgtype != "m.notice") {
      text_message(room, e, direct);
    }
  }

  void pin(const std::string& room, const RoomEvent& reaction) {
    const std::string& target = reaction.relates_to.event_id;
    if (target.empty()) return;
    auto found = by_id_.find(target);
    if (found == by_id_.end()) {
      handle(room, reaction, in::Pin{target, {}, {}, {}}, {}, target);
    } else if (auto p = pin_from(*found->second)) {
      handle(room, reaction, std::move(*p));
    } else {
      return;
    }
    // The confirmation answers the pinned message, not the reaction.
    std::get<step::Handle>(steps_.back()).origin.event_id = target;
  }

  void text_message(const std::string& room, const RoomEvent& e, bool direct) {
    const Relation& rel = e.relates_to;
    if (rel.rel_type == "m.replace") {
      // Spec "Event replacements": m.new_content is the whole new content; the outer body is
      // a "* " fallback. DMs are never on a timeline, so their edits do not matter.
      if (direct || rel.event_id.empty() || !e.new_body) return;
      std::string text = strip_reply_fallback(*e.new_body);
      if (auto rest = strip_prefix(text, options_.prefix)) text = std::string(*rest);
      handle(room, e, in::Edited{rel.event_id, std::move(text)});
      return;
    }
    const std::string text = strip_reply_fallback(e.body);
    const std::string thread_root = rel.rel_type == "m.thread" ? rel.event_id : std::string{};
    if (auto rest = strip_prefix(text, options_.prefix)) {
      handle(room, e, in::CommandText{std::string(*rest)}, thread_root);
    } else if (direct) {
      handle(room, e, in::DirectMessage{text});
    } else if (!thread_root.empty()) {
      handle(room, e, in::ThreadReply{thread_root, text}, thread_root);
    }
  }

  const SyncResponse& sync_;
  Rooms& rooms_;
  const TranslateOptions& options_;
  const bool initial_;
  std::map<std::string, const RoomEvent*> by_id_;
  std::vector<Step> steps_;
};

}  // namespace

std::vector<Step> translate(const SyncResponse& sync, Rooms& rooms, const TranslateOptions& options,
                            bool initial) {
  return Translator(sync, rooms, options, initial).run();
}

}  // namespace incident::matrix
