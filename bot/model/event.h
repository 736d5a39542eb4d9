// What adapters hand to the domain, and what they get back. No platform JSON crosses this line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bot/model/incident.h"
#include "bot/model/time.h"

namespace incident {

namespace in {
// A message that started with the command prefix; `text` is what follows the prefix.
struct CommandText {
  std::string text;
};
// A 📌 reaction on a message: the message's own text, author and original time.
struct Pin {
  std::string target_ref;
  std::string target_author;
  std::string target_text;
  TimePoint target_at{};
};
// A message was edited on the platform. For a captured 📌 message `new_text` is its new text;
// for a `log` command message the adapter strips the prefix first, and the domain re-parses it.
struct Edited {
  std::string target_ref;
  std::string new_text;
};
// A message was deleted (Slack message_deleted, Matrix redaction).
struct Deleted {
  std::string target_ref;
};
// A reply in a thread; `root_ref` is the thread root's message ref.
struct ThreadReply {
  std::string root_ref;
  std::string text;
};
// A direct message to the bot. Its text is never logged, stored or put on a timeline.
struct DirectMessage {
  std::string text;
};
// The adapter opened the incident's own channel or room that `start … new` asked for
// (RoomRequest::Kind::open), or could not: the event's channel is where `start` was typed.
struct RoomOpened {
  std::int64_t incident = 0;
  std::string room;   // the new channel's platform id; empty when it could not be opened
  std::string name;   // its name as people see it ("inc-12-checkout-errors")
  std::string link;   // a link that opens it, when the platform has one
  std::string error;  // why it could not be opened, for the channel
};
// A reminder fell due (bot/engine/remind.h): made by the bot's own schedule, not by a person,
// in the incident's channel. Its key names the occurrence, so it goes out once.
struct Reminder {
  std::int64_t incident = 0;  // its number: an older incident of the channel keeps reminding
  ReminderKind kind = ReminderKind::no_update;
  int item = 0;  // the action item's number for action_due
  TimePoint due{};
};
}  // namespace in

using InboundBody = std::variant<in::CommandText, in::Pin, in::Edited, in::Deleted, in::ThreadReply,
                                 in::DirectMessage, in::Reminder, in::RoomOpened>;

struct InboundEvent {
  // Idempotency key: platform + the platform's event id ("slack:Ev123"). Applying the same key
  // twice changes nothing and returns the same replies.
  std::string key;
  std::string platform;     // "slack", "matrix", "console"
  std::string channel;      // channel / room id; for a DM, the DM channel
  std::string user;         // platform user id of the sender
  TimePoint at{};           // the platform's timestamp of the message
  std::string message_ref;  // the platform's reference of this message
  InboundBody body;
  // The channel is private on the platform (a Slack private channel, a Matrix room one must be
  // invited to), when the adapter knows: an incident declared there is private.
  bool private_channel = false;
};

// Who sees a reply.
enum class Audience {
  channel,   // everyone in the channel
  caller,    // only the sender (Slack ephemeral; elsewhere a reply to them)
  thread,    // in the thread of the message just posted before it (e.g. the draft after close)
  direct,    // a private message to `user` (DM replies, the facilitator's private notes)
  lessons,   // the configured lessons channel (`share`)
  security,  // the configured security channel (DM escalations); under `thread_ref` if set
};

// Something the adapter does to a channel or room itself, with the reply that carries it (whose
// text, if any, it posts there too).
struct RoomRequest {
  enum class Kind {
    open,     // a channel of the incident's own: created, the declarer and mentioned invited, then
              // reported back as an in::RoomOpened event
    topic,    // the incident's own channel gets `topic`
    archive,  // the incident's own channel is archived (Matrix: made read-only)
  };
  Kind kind = Kind::topic;
  std::string name = {};                 // open: the channel name to create
  std::string topic = {};                // open, topic: plain text
  std::vector<std::string> invite = {};  // open: users, as user_key gives them
  bool is_private = false;               // open: invitation only
  bool operator==(const RoomRequest&) const = default;
};

// A message the adapter must report back once posted (Engine::anchor_posted), so that later
// platform events can be tied to it: replies in the post-mortem thread feed the review.
// A security case's post is anchored too: replies in its thread are relayed to the asker.
enum class Anchor { none, postmortem, security_case };

// A document a reply posts as a file (`publish`): Slack's external upload, Matrix's media
// repository and m.file, the console prints it.
struct Attachment {
  std::string name;  // "INC-3-postmortem.md"
  std::string mime;  // "text/markdown"
  std::string content;
  bool operator==(const Attachment&) const = default;
};

struct Reply {
  Audience audience = Audience::caller;
  std::string text;  // bot Markdown (bot/text/markup.h): adapters render it with to_mrkdwn etc.
  std::string user = {};  // for Audience::direct
  Anchor anchor = Anchor::none;
  std::int64_t incident = 0;  // the incident an anchored reply belongs to
  // For Audience::direct: the DM channel to post in. The DM flow sets it instead of `user`, as
  // relays to an anonymous asker know only the DM channel, never who it belongs to. For
  // Audience::lessons: a channel to post in instead of the lessons channel (the digest's
  // follow-up channel). For Audience::channel: another channel than the event's (an incident's
  // own channel, just opened).
  std::string channel = {};
  std::string thread_ref = {};  // for Audience::security: the case's root post to reply under
  std::string case_code = {};   // for Anchor::security_case: the case the post opens
  std::optional<Attachment> file = {};  // posted with `text` as its comment
  // Done to the incident's channel (the event's, for `open`; `channel`, when set, otherwise)
  // before `text`, if any, is posted there.
  std::optional<RoomRequest> room = {};
  bool operator==(const Reply&) const = default;
};

struct Outcome {
  std::vector<Reply> replies;
  bool duplicate = false;  // the key was seen before: nothing changed, replies are the stored ones
  // For the DM flow: what the message was ("phishing", "report", "relay", …), for the adapter's
  // log line. DM text itself is never logged.
  std::string topic = {};
};

// What others see of an outcome: its replies without those for the caller alone (a command given
// on the review page shows the caller's replies there).
inline std::vector<Reply> replies_for_others(const std::vector<Reply>& replies) {
  std::vector<Reply> others;
  for (const auto& reply : replies) {
    if (reply.audience != Audience::caller) others.push_back(reply);
  }
  return others;
}

}  // namespace incident
