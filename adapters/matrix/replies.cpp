#include "adapters/matrix/replies.h"

#include <spdlog/spdlog.h>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "bot/text/markup.h"

namespace incident::matrix {

using nlohmann::json;

std::string random_txn_id() {
  // Time plus 64 random bits (mautrix and mtxclient use the like): unique across restarts and
  // devices without any stored counter.
  static thread_local std::mt19937_64 random{std::random_device{}()};
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "ib%lld.%016llx", static_cast<long long>(now),
                static_cast<unsigned long long>(random()));
  return buf;
}

namespace {

// An m.notice with a plain body and its HTML (spec "m.room.message msgtypes", "m.notice").
// m.mentions is always present, empty when nobody is mentioned, so no server falls back to
// matching names in the body (spec "User and room mentions").
json content_of(const markup::MatrixText& text, const std::string& bot_user) {
  json user_ids = json::array();
  for (const auto& user : text.mentioned) {
    if (user != bot_user) user_ids.push_back(user);
  }
  json mentions = json::object();
  if (!user_ids.empty()) mentions["user_ids"] = std::move(user_ids);
  return {{"msgtype", "m.notice"},
          {"body", text.body},
          {"format", "org.matrix.custom.html"},
          {"formatted_body", text.formatted_body},
          {"m.mentions", std::move(mentions)}};
}

// Renders `text` in parts whose content stays under `max_bytes`. Escaping grows HTML, so a part
// that renders too big is split again, smaller.
void render_parts(std::string_view text, std::size_t limit, std::size_t max_bytes,
                  const std::string& bot_user, std::vector<json>& out) {
  for (const auto& part : markup::split(text, limit)) {
    const markup::MatrixText rendered = markup::to_matrix(part);
    if (rendered.body.empty()) continue;
    if (rendered.body.size() + rendered.formatted_body.size() > max_bytes && limit > 256) {
      render_parts(part, limit / 2, max_bytes, bot_user, out);
    } else {
      out.push_back(content_of(rendered, bot_user));
    }
  }
}

const char* anchor_name(Anchor anchor) {
  switch (anchor) {
    case Anchor::postmortem:
      return "postmortem";
    case Anchor::security_case:
      return "security_case";
    case Anchor::none:
      break;
  }
  return "";
}

// Where one reply goes.
struct Target {
  std::string room;
  std::string direct_user;
  std::string thread_root;
  std::string thread_after;
  std::string reply_to;
  bool falling_back = true;
};

}  // namespace

std::vector<OutboxItem> reply_items(const std::string& key, const std::vector<Reply>& replies,
                                    const Origin& origin, const ReplyOptions& options,
                                    const TxnIds& txn_ids) {
  std::vector<OutboxItem> items;
  // The message posted last: a `thread` reply goes in its thread.
  std::string last_key;
  Target last;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const Reply& reply = replies[i];
    Target target;
    target.room = origin.room;
    switch (reply.audience) {
      case Audience::channel:
        if (!reply.channel.empty()) target.room = reply.channel;
        break;
      case Audience::caller:
        // In a DM the whole room is the caller's; elsewhere answer the command itself, inside
        // its thread when it was in one (a real reply there: is_falling_back false).
        if (!origin.direct) {
          target.reply_to = origin.event_id;
          target.thread_root = origin.thread_root;
          target.falling_back = false;
        }
        break;
      case Audience::thread:
        if (!last_key.empty()) {
          target.room = last.room;
          target.direct_user = last.direct_user;
          // Threads do not nest (spec "Threading"): under a message that is itself in a
          // thread, the reply joins that thread.
          if (!last.thread_root.empty()) {
            target.thread_root = last.thread_root;
          } else if (!last.thread_after.empty()) {
            target.thread_after = last.thread_after;
          } else {
            target.thread_after = last_key;
          }
        }
        break;
      case Audience::direct: {
        const std::string user = reply.user.empty() ? origin.sender : reply.user;
        if (!reply.channel.empty()) {
          target.room = reply.channel;
        } else if (!(origin.direct && user == origin.sender)) {
          target.room.clear();
          target.direct_user = user;
        }
        break;
      }
      case Audience::lessons:
        if (!reply.channel.empty()) {
          target.room = reply.channel;
          break;
        }
        if (options.lessons.empty()) {
          spdlog::warn(
              "matrix: a reply for the lessons room was dropped: "
              "INCIDENT_BOT_LESSONS_CHANNEL is not set");
          continue;
        }
        target.room = options.lessons;
        break;
      case Audience::security:
        if (options.security.empty()) {
          spdlog::warn(
              "matrix: a reply for the security room was dropped: "
              "INCIDENT_BOT_SECURITY_CHANNEL is not set");
          continue;
        }
        target.room = options.security;
        target.thread_root = reply.thread_ref;
        break;
    }
    std::vector<json> parts;
    render_parts(reply.text, options.max_bytes / 3, options.max_bytes, options.bot_user, parts);
    for (std::size_t p = 0; p < parts.size(); ++p) {
      json payload{{"content", std::move(parts[p])},      {"thread_root", target.thread_root},
                   {"thread_after", target.thread_after}, {"reply_to", target.reply_to},
                   {"falling_back", target.falling_back}, {"direct_user", target.direct_user}};
      if (p == 0 && reply.anchor != Anchor::none) {
        payload["anchor"] = anchor_name(reply.anchor);
        payload["incident"] = reply.incident;
        payload["case_code"] = reply.case_code;
      }
      const std::string item_key = key + "#" + std::to_string(i) + "." + std::to_string(p);
      items.push_back({0, kPlatform, item_key, target.room, kSend, txn_ids(), payload.dump()});
      if (p == 0) {
        last_key = item_key;
        last = target;
      }
    }
    if (reply.room) {  // after its text, if any: an archive notice goes out before the archive
      const json payload{{"kind", static_cast<int>(reply.room->kind)},
                         {"incident", reply.incident},
                         {"name", reply.room->name},
                         {"topic", markup::to_matrix(reply.room->topic).body},
                         {"invite", reply.room->invite},
                         {"private", reply.room->is_private}};
      items.push_back({0, kPlatform, key + "#" + std::to_string(i) + ".room", target.room, kRoom,
                       txn_ids(), payload.dump()});
    }
    if (reply.file) {
      // The document after the text that introduces it (spec "m.file"): uploaded when sent.
      const json content{
          {"msgtype", "m.file"},
          {"body", reply.file->name},
          {"filename", reply.file->name},
          {"info", {{"mimetype", reply.file->mime}, {"size", reply.file->content.size()}}}};
      json payload{{"content", content},
                   {"thread_root", target.thread_root},
                   {"thread_after", target.thread_after},
                   {"direct_user", target.direct_user},
                   {"upload",
                    {{"name", reply.file->name},
                     {"mime", reply.file->mime},
                     {"content", reply.file->content}}}};
      items.push_back({0, kPlatform, key + "#" + std::to_string(i) + ".file", target.room, kSend,
                       txn_ids(), payload.dump()});
    }
  }
  return items;
}

OutboxItem notice_item(const std::string& key, const std::string& room, const std::string& text,
                       const TxnIds& txn_ids) {
  json payload{{"content", content_of(markup::to_matrix(text), {})}};
  return {0, kPlatform, key, room, kSend, txn_ids(), payload.dump()};
}

OutboxItem invite_item(const step::Invite& invite, const std::string& batch,
                       const TxnIds& txn_ids) {
  const json payload{{"direct", invite.direct}, {"inviter", invite.inviter}};
  return {0,
          kPlatform,
          "matrix:invite:" + invite.room + ":" + batch,
          invite.room,
          invite.accept ? kJoin : kLeave,
          txn_ids(),
          payload.dump()};
}

SendPayload parse_send_payload(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  SendPayload p;
  if (!j.is_object()) return p;
  auto str = [&](const char* key) { return j.value(key, std::string{}); };
  p.content = j.contains("content") ? j["content"].dump() : "{}";
  p.thread_root = str("thread_root");
  p.thread_after = str("thread_after");
  p.reply_to = str("reply_to");
  p.falling_back = j.value("falling_back", true);
  p.direct_user = str("direct_user");
  const std::string anchor = str("anchor");
  if (anchor == "postmortem") p.anchor.anchor = Anchor::postmortem;
  if (anchor == "security_case") p.anchor.anchor = Anchor::security_case;
  p.anchor.incident = j.value("incident", std::int64_t{0});
  p.anchor.case_code = str("case_code");
  if (const auto upload = j.find("upload"); upload != j.end() && upload->is_object()) {
    p.upload =
        Attachment{upload->value("name", std::string{}), upload->value("mime", std::string{}),
                   upload->value("content", std::string{})};
  }
  return p;
}

std::string content_with_relation(const SendPayload& payload, const std::string& thread_root) {
  json content = json::parse(payload.content, nullptr, false);
  if (!content.is_object()) content = json::object();
  if (!thread_root.empty()) {
    // Spec "Threading": every event of a thread points at the root; m.in_reply_to is the
    // fallback for clients without threads (is_falling_back) or a real reply in the thread.
    const std::string in_reply_to = payload.reply_to.empty() ? thread_root : payload.reply_to;
    content["m.relates_to"] = {{"rel_type", "m.thread"},
                               {"event_id", thread_root},
                               {"is_falling_back", payload.falling_back},
                               {"m.in_reply_to", {{"event_id", in_reply_to}}}};
  } else if (!payload.reply_to.empty()) {
    content["m.relates_to"] = {{"m.in_reply_to", {{"event_id", payload.reply_to}}}};
  }
  return content.dump();
}

}  // namespace incident::matrix
