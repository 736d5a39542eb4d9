// One /sync batch in, what the adapter must do about it out: the pure half of the sync loop.
// No I/O: the adapter back-fills gaps before and fetches 📌 targets after, and tests feed the
// spec's example payloads straight in.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapters/matrix/protocol.h"
#include "bot/model/event.h"

namespace incident::matrix {

struct RoomInfo {
  bool encrypted = false;      // m.room.encryption seen, or an m.room.encrypted event
  bool notified = false;       // the "cannot read encrypted messages" notice was queued this run
  bool named = false;          // m.room.name set: a named room is not a DM
  std::optional<int> members;  // joined + invited, from the latest summary
  // m.room.join_rules: a room anyone may join ("public") or not (invite, knock, restricted):
  // an incident declared in one that is not is private.
  std::string join_rule;
  bool is_private() const { return !join_rule.empty() && join_rule != "public"; }
};

// What the adapter knows about rooms: m.direct (fetched at start, then from /sync), the DM
// invites it accepted, and the state /sync reported.
class Rooms {
 public:
  void set_direct(DirectMap direct);
  // A DM the bot accepted or created, before m.direct says so.
  void add_direct(const std::string& user, const std::string& room);
  // Spec "Direct Messaging" gives a room no server-side flag that makes it a DM, so a room is
  // direct when the bot's m.direct account data lists it, else when it is unnamed and has two
  // members.
  bool is_direct(const std::string& room) const;
  // The newest DM room with `user` the bot has not left.
  std::optional<std::string> direct_room(const std::string& user) const;

  RoomInfo& info(const std::string& room) { return rooms_[room]; }
  void joined(const std::string& room) { left_.erase(room); }
  void left(const std::string& room);

 private:
  DirectMap direct_;
  std::set<std::string> direct_rooms_;
  std::set<std::string> left_;
  std::map<std::string, RoomInfo> rooms_;
};

// Where an event happened, for addressing the replies to it.
struct Origin {
  std::string room;
  std::string sender;
  std::string event_id;     // what a reply to the caller answers (for a 📌, the pinned message)
  std::string thread_root;  // the event was in this thread
  bool direct = false;      // a DM room
};

namespace step {
// An event for the engine. For a 📌 whose target is not in the batch, `fetch_pin` names the
// target to GET first (then pin_from fills in the body).
struct Handle {
  InboundEvent event;
  Origin origin;
  std::string fetch_pin;
  bool unreadable_pin = false;  // the target could not be read for good: nothing to capture
};
// An invite: join (from an allowed inviter) or decline (leave).
struct Invite {
  std::string room;
  std::string inviter;
  bool accept = false;
  bool direct = false;  // is_direct on the invite
};
// The room is encrypted: say once that the bot cannot read it.
struct EncryptedNotice {
  std::string room;
};
// A member's display name, so drafts can replace it by a role.
struct DisplayName {
  std::string user;
  std::string name;
};
}  // namespace step

using Step = std::variant<step::Handle, step::Invite, step::EncryptedNotice, step::DisplayName>;

struct TranslateOptions {
  std::string bot_user;
  std::string prefix = "!incident";
  std::vector<std::string> allowed_inviters;  // user ids or "*:server"; empty: the bot's server
};

// The steps for `sync`, in timeline order, updating `rooms` on the way. `initial`: the first
// sync of a new bot, whose timelines are history — only invites and room state count (our
// notes §2.5, "do not act on history").
std::vector<Step> translate(const SyncResponse& sync, Rooms& rooms, const TranslateOptions& options,
                            bool initial);

// The 📌 capture of `target`, nullopt when it is not a readable message (encrypted, a state
// event, redacted).
std::optional<in::Pin> pin_from(const RoomEvent& target);

// Whether `inviter` may invite the bot: listed, or matching a "*:server" entry; with an empty
// list, a user on the bot's own server.
bool inviter_allowed(const std::vector<std::string>& allowed, const std::string& inviter,
                     const std::string& bot_user);

// Drops a rich-reply fallback (spec "Rich replies": the leading "> " quote lines and the blank
// line after them), so a reply quoting a command is not run as that command.
std::string strip_reply_fallback(std::string_view body);

// The bot's own join in `e` (not a profile change of an existing member): in a timeline, it
// separates history from what the bot should act on.
bool is_own_join(const RoomEvent& e, const std::string& bot_user);

// 📌, with or without the emoji variation selector U+FE0F.
bool is_pin_key(std::string_view key);

}  // namespace incident::matrix
