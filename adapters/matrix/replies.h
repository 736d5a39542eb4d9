// Where the engine's replies go on Matrix, as outbox items (UnitOfWork::outbox) made when the
// event is handled and sent later by the Sender.
//
// Audience → Matrix: channel → the room; caller → the room, as a reply to the command (in its
// thread if it was in one; plainly in a DM); thread → a thread rooted at the reply posted just
// before it (the draft after `close` under the close confirmation); direct → the user's DM room
// (created by the Sender when there is none); lessons / security → the configured rooms, a
// security reply under its case's root. Every message is an m.notice (spec "m.notice": automated
// output, which bots do not answer) with the HTML of markup::to_matrix, split under the event
// size limit.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "adapters/matrix/translate.h"
#include "bot/model/event.h"
#include "bot/model/store.h"

namespace incident::matrix {

inline constexpr const char* kPlatform = "matrix";

// The spec caps a whole event at 65536 bytes including what the server adds (spec "Size
// limits"); 60,000 bytes of content leaves room for the rest of the event (its type, room,
// sender, ids, timestamps, signatures).
inline constexpr std::size_t kMaxContentBytes = 60000;

// Outbox item kinds.
inline constexpr const char* kSend = "send";    // PUT /send m.room.message; payload: see below
inline constexpr const char* kJoin = "join";    // accept an invite; payload {"direct","inviter"}
inline constexpr const char* kLeave = "leave";  // decline an invite
// A RoomRequest (`start … new` and after): payload {"kind","incident","name","topic","invite",
// "private"}; `channel` is the room it concerns (for `open`, where `start` was typed).
inline constexpr const char* kRoom = "room";

struct ReplyOptions {
  std::string bot_user;  // never mentioned by its own messages (spec "User and room mentions")
  std::string lessons;   // the lessons room (INCIDENT_BOT_LESSONS_CHANNEL)
  std::string security;  // the security room (INCIDENT_BOT_SECURITY_CHANNEL)
  std::size_t max_bytes = kMaxContentBytes;
};

// A fresh transaction id: unique across restarts (spec "Transaction identifiers"; a counter
// that restarts at 0 would reuse ids the server still remembers).
using TxnIds = std::function<std::string()>;
std::string random_txn_id();

// The items for `replies` of the event `key` that happened at `origin`. Keys are `key` plus the
// reply's and the part's index, so handling a replayed event again enqueues nothing new.
std::vector<OutboxItem> reply_items(const std::string& key, const std::vector<Reply>& replies,
                                    const Origin& origin, const ReplyOptions& options,
                                    const TxnIds& txn_ids);

// One plain notice in `room`, under `key`.
OutboxItem notice_item(const std::string& key, const std::string& room, const std::string& text,
                       const TxnIds& txn_ids);

// Joining or declining an invite; `batch` (the sync's `since`) tells a re-invite from a replay.
OutboxItem invite_item(const step::Invite& invite, const std::string& batch, const TxnIds& txn_ids);

// A send item's payload, decoded. Relations to other messages are resolved when sending:
// `thread_after` names the item whose posted event roots the thread.
struct SendPayload {
  std::string content;       // the m.room.message content (JSON), without m.relates_to
  std::string thread_root;   // in this thread
  std::string thread_after;  // in the thread of this item's event, once posted
  std::string reply_to;      // m.in_reply_to
  bool falling_back = true;  // is_falling_back: m.in_reply_to is only the thread fallback
  std::string direct_user;   // the room is this user's DM room, resolved when sending
  Reply anchor;              // audience/anchor/incident/case_code for Engine::anchor_posted
  // An m.file (`publish`): these bytes go to the media repository first, and `content` gets
  // the mxc:// URI they were given as its "url".
  std::optional<Attachment> upload;
};
SendPayload parse_send_payload(const std::string& payload);
// The content to PUT: `payload.content` with its m.relates_to (spec "Threading", "Rich replies").
std::string content_with_relation(const SendPayload& payload, const std::string& thread_root);

}  // namespace incident::matrix
