// The engine's replies as Matrix outbox items: rooms, relations, notices, mentions, sizes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "adapters/matrix/replies.h"
#include "bot/text/markup.h"

namespace incident::matrix {
namespace {

using nlohmann::json;

const Origin kOrigin{"!room:x", "@dana:x", "$cmd", "", false};
const ReplyOptions kOptions{"@bot:x", "!lessons:x", "!security:x", kMaxContentBytes};

TxnIds counter() {
  auto n = std::make_shared<int>(0);
  return [n] { return "txn" + std::to_string(++*n); };
}

json payload(const OutboxItem& item) {
  return json::parse(item.payload);
}
json content(const OutboxItem& item) {
  return payload(item)["content"];
}

TEST(MatrixReplies, AChannelReplyIsAnHtmlNoticeMentioningOnlyOthers) {
  const Reply reply{Audience::channel, "✅ Action 1: **rotate keys** — owner " +
                                           markup::mention("@erin:x") + " and " +
                                           markup::mention("@bot:x")};
  const auto items = reply_items("matrix:$cmd", {reply}, kOrigin, kOptions, counter());
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].platform, "matrix");
  EXPECT_EQ(items[0].kind, kSend);
  EXPECT_EQ(items[0].channel, "!room:x");
  EXPECT_EQ(items[0].key, "matrix:$cmd#0.0");
  EXPECT_EQ(items[0].txn_id, "txn1");
  const json c = content(items[0]);
  EXPECT_EQ(c["msgtype"], "m.notice");
  EXPECT_EQ(c["format"], "org.matrix.custom.html");
  EXPECT_NE(c["formatted_body"].get<std::string>().find("<strong>rotate keys</strong>"),
            std::string::npos);
  EXPECT_NE(c["formatted_body"].get<std::string>().find("https://matrix.to/#/@erin:x"),
            std::string::npos);
  EXPECT_EQ(c["m.mentions"]["user_ids"], json::array({"@erin:x"}));  // never the bot itself
  EXPECT_FALSE(c.contains("m.relates_to"));
  // Nobody mentioned: an empty m.mentions, so no server matches names in the body.
  const auto plain =
      reply_items("k", {{Audience::channel, "logged"}}, kOrigin, kOptions, counter());
  EXPECT_EQ(content(plain[0])["m.mentions"], json::object());
}

TEST(MatrixReplies, ACallerReplyAnswersTheCommandInItsThread) {
  auto items =
      reply_items("k", {{Audience::caller, "No open incident."}}, kOrigin, kOptions, counter());
  SendPayload p = parse_send_payload(items[0].payload);
  EXPECT_EQ(p.reply_to, "$cmd");
  EXPECT_EQ(json::parse(content_with_relation(p, "")),
            (json{{"msgtype", "m.notice"},
                  {"body", "No open incident."},
                  {"format", "org.matrix.custom.html"},
                  {"formatted_body", "<p>No open incident.</p>"},
                  {"m.mentions", json::object()},
                  {"m.relates_to", {{"m.in_reply_to", {{"event_id", "$cmd"}}}}}}));
  Origin threaded = kOrigin;
  threaded.thread_root = "$root";
  items = reply_items("k", {{Audience::caller, "x"}}, threaded, kOptions, counter());
  p = parse_send_payload(items[0].payload);
  const json rel = json::parse(content_with_relation(p, p.thread_root))["m.relates_to"];
  EXPECT_EQ(rel, (json{{"rel_type", "m.thread"},
                       {"event_id", "$root"},
                       {"is_falling_back", false},
                       {"m.in_reply_to", {{"event_id", "$cmd"}}}}));
  Origin dm = kOrigin;
  dm.direct = true;
  items = reply_items("k", {{Audience::caller, "x"}}, dm, kOptions, counter());
  EXPECT_TRUE(parse_send_payload(items[0].payload).reply_to.empty());
}

TEST(MatrixReplies, TheDraftAfterCloseIsThreadedUnderTheConfirmation) {
  const auto items =
      reply_items("matrix:$close", {{Audience::channel, "closed"}, {Audience::thread, "# Draft"}},
                  kOrigin, kOptions, counter());
  ASSERT_EQ(items.size(), 2u);
  const SendPayload draft = parse_send_payload(items[1].payload);
  EXPECT_EQ(draft.thread_after, items[0].key);
  EXPECT_EQ(items[1].channel, "!room:x");
  // Resolved when sending, from the confirmation's event id (spec "Threading" fallback shape).
  const json rel = json::parse(content_with_relation(draft, "$closed"))["m.relates_to"];
  EXPECT_EQ(rel, (json{{"rel_type", "m.thread"},
                       {"event_id", "$closed"},
                       {"is_falling_back", true},
                       {"m.in_reply_to", {{"event_id", "$closed"}}}}));
}

TEST(MatrixReplies, DirectRepliesGoToTheUsersDm) {
  Reply note{Audience::direct, "handle this separately"};
  note.user = "@facilitator:x";
  auto items = reply_items("k", {note}, kOrigin, kOptions, counter());
  EXPECT_TRUE(items[0].channel.empty());  // the Sender finds or creates the DM room
  EXPECT_EQ(parse_send_payload(items[0].payload).direct_user, "@facilitator:x");
  Origin dm = kOrigin;
  dm.direct = true;
  items = reply_items("k", {{Audience::direct, "advice", "@dana:x"}}, dm, kOptions, counter());
  EXPECT_EQ(items[0].channel, "!room:x");  // the DM it came from
  Reply relay{Audience::direct, "the security team answered"};
  relay.channel = "!askers-dm:x";
  items = reply_items("k", {relay}, kOrigin, kOptions, counter());
  EXPECT_EQ(items[0].channel, "!askers-dm:x");
}

TEST(MatrixReplies, LessonsAndSecurityRooms) {
  Reply report{Audience::security, "SEC-1: a question"};
  report.anchor = Anchor::security_case;
  report.case_code = "SEC-1";
  Reply answer{Audience::security, "follow-up"};
  answer.thread_ref = "$case-root";
  const auto items = reply_items("k", {{Audience::lessons, "lessons"}, report, answer}, kOrigin,
                                 kOptions, counter());
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].channel, "!lessons:x");
  EXPECT_EQ(items[1].channel, "!security:x");
  const SendPayload p = parse_send_payload(items[1].payload);
  EXPECT_EQ(p.anchor.anchor, Anchor::security_case);
  EXPECT_EQ(p.anchor.case_code, "SEC-1");
  EXPECT_EQ(parse_send_payload(items[2].payload).thread_root, "$case-root");
  // Not configured: dropped, not sent somewhere else.
  ReplyOptions bare = kOptions;
  bare.lessons.clear();
  EXPECT_TRUE(reply_items("k", {{Audience::lessons, "lessons"}}, kOrigin, bare, counter()).empty());
}

TEST(MatrixReplies, LongTextsAreSplitUnderTheEventSizeLimit) {
  std::string text = "# Post-incident review (draft)\n";
  for (int i = 0; i < 4000; ++i) {
    text += "- 2026-11-29 14:" + std::to_string(i % 60) + " UTC " +
            markup::literal("\"quoted\" <b>&</b> fact number " + std::to_string(i)) + "\n";
  }
  Reply draft{Audience::channel, text};
  draft.anchor = Anchor::postmortem;
  draft.incident = 7;
  const auto items = reply_items("k", {draft}, kOrigin, kOptions, counter());
  ASSERT_GT(items.size(), 2u);
  std::set<std::string> keys;
  std::set<std::string> txns;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json c = content(items[i]);
    EXPECT_LT(c.dump().size(), kMaxContentBytes) << i;
    keys.insert(items[i].key);
    txns.insert(items[i].txn_id);
    // Only the first part is the anchor.
    EXPECT_EQ(parse_send_payload(items[i].payload).anchor.anchor,
              i == 0 ? Anchor::postmortem : Anchor::none);
  }
  EXPECT_EQ(keys.size(), items.size());
  EXPECT_EQ(txns.size(), items.size());
  EXPECT_EQ(parse_send_payload(items[0].payload).anchor.incident, 7);
}

TEST(MatrixReplies, KeysAreStableSoAReplayEnqueuesNothingNew) {
  const std::vector<Reply> replies{{Audience::channel, "a"}, {Audience::caller, "b"}};
  const auto first = reply_items("matrix:$e", replies, kOrigin, kOptions, counter());
  const auto again = reply_items("matrix:$e", replies, kOrigin, kOptions, random_txn_id);
  ASSERT_EQ(first.size(), again.size());
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i].key, again[i].key);
}

TEST(MatrixReplies, TxnIdsAreUniqueWithoutAStoredCounter) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(random_txn_id());
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(MatrixReplies, InvitesAndNotices) {
  const auto join = invite_item(step::Invite{"!r:x", "@a:x", true, true}, "s5", counter());
  EXPECT_EQ(join.kind, kJoin);
  EXPECT_EQ(join.key, "matrix:invite:!r:x:s5");
  EXPECT_EQ(payload(join)["direct"], true);
  EXPECT_EQ(invite_item(step::Invite{"!r:x", "@m:evil", false, false}, "s5", counter()).kind,
            kLeave);
  const auto notice = notice_item("matrix:encrypted:!r:x", "!r:x", "🔒 cannot read", counter());
  EXPECT_EQ(content(notice)["msgtype"], "m.notice");
  EXPECT_EQ(content(notice)["body"], "🔒 cannot read");
}

}  // namespace
}  // namespace incident::matrix
