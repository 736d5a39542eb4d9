// One sync batch -> steps, fed with the spec's example events (tests/data/matrix).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/matrix/translate.h"

namespace incident::matrix {
namespace {

using nlohmann::json;

constexpr const char* kRoom = "!jEsUZKDJdhlrceRyVU:example.org";
constexpr const char* kBot = "@bot:example.org";
const std::string kPin = "\xF0\x9F\x93\x8C";

json fixture(const std::string& name) {
  std::ifstream in(std::string(INCIDENT_TEST_DATA) + "/matrix/" + name);
  EXPECT_TRUE(in) << name;
  return json::parse(in);
}

// A sync batch with `events` in the timeline of `room` (room_id dropped, as /sync does).
json batch(std::vector<json> events, const std::string& room = kRoom, json extra = {}) {
  json timeline = json::array();
  for (auto& e : events) {
    e.erase("room_id");
    timeline.push_back(e);
  }
  json room_entry{{"timeline", {{"events", timeline}}}};
  if (extra.is_object()) room_entry.update(extra);
  return {{"next_batch", "s2"}, {"rooms", {{"join", {{room, room_entry}}}}}};
}

json message(const std::string& id, const std::string& body,
             const std::string& sender = "@example:example.org") {
  json e = fixture("event_m_room_message_text_html.json");
  e["event_id"] = id;
  e["sender"] = sender;
  e["content"]["body"] = body;
  return e;
}

std::vector<Step> steps_of(const json& sync, Rooms& rooms, bool initial = false,
                           std::vector<std::string> allowed = {}) {
  auto parsed = parse_sync(sync.dump());
  EXPECT_TRUE(parsed);
  return translate(*parsed, rooms, TranslateOptions{kBot, "!incident", std::move(allowed)},
                   initial);
}

std::vector<Step> steps_of(const json& sync, bool initial = false) {
  Rooms rooms;
  return steps_of(sync, rooms, initial);
}

const step::Handle& handle(const Step& s) {
  return std::get<step::Handle>(s);
}

TEST(MatrixTranslate, APrefixedMessageIsACommand) {
  const auto steps = steps_of(batch({message("$cmd", "!incident log the DB failover finished")}));
  ASSERT_EQ(steps.size(), 1u);
  const auto& h = handle(steps[0]);
  EXPECT_EQ(h.event.key, "matrix:$cmd");
  EXPECT_EQ(h.event.platform, "matrix");
  EXPECT_EQ(h.event.channel, kRoom);
  EXPECT_EQ(h.event.user, "@example:example.org");
  EXPECT_EQ(h.event.message_ref, "$cmd");
  EXPECT_EQ(to_unix_ms(h.event.at), 1432735824653);  // the fixture's origin_server_ts
  EXPECT_EQ(std::get<in::CommandText>(h.event.body).text, "log the DB failover finished");
  EXPECT_EQ(h.origin.event_id, "$cmd");
  EXPECT_TRUE(h.origin.thread_root.empty());
  EXPECT_TRUE(h.fetch_pin.empty());
}

TEST(MatrixTranslate, ChatNoticesAndOwnMessagesAreNotForTheEngine) {
  json notice = fixture("event_m_room_message_notice.json");
  notice["content"]["body"] = "!incident status";  // another bot's notice: never answered
  const auto steps = steps_of(batch({message("$chat", "This is an example text message"), notice,
                                     message("$own", "!incident status", kBot)}));
  EXPECT_TRUE(steps.empty());
}

TEST(MatrixTranslate, AQuotedReplyFallbackIsNotACommand) {
  const auto steps = steps_of(
      batch({message("$a", "> <@dana:example.org> !incident close\n\nthanks, closing later"),
             message("$b", "> <@dana:example.org> anything\n> more\n\n!incident status")}));
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(handle(steps[0]).event.key, "matrix:$b");
  EXPECT_EQ(std::get<in::CommandText>(handle(steps[0]).event.body).text, "status");
  EXPECT_EQ(strip_reply_fallback("> q\n\nanswer"), "answer");
  EXPECT_EQ(strip_reply_fallback("plain\n> not a fallback"), "plain\n> not a fallback");
}

TEST(MatrixTranslate, APushpinOnAMessageInTheBatchIsAPin) {
  json target = message("$fact", "> quoted\n\nreplica lag is 40s");
  json reaction = fixture("event_m_reaction.json");
  reaction["event_id"] = "$pin";
  reaction["content"]["m.relates_to"]["event_id"] = "$fact";
  reaction["content"]["m.relates_to"]["key"] = kPin;
  json with_selector = reaction;
  with_selector["event_id"] = "$pin2";
  with_selector["content"]["m.relates_to"]["key"] = kPin + "\xEF\xB8\x8F";
  json thumbs = fixture("event_m_reaction.json");  // 👍: just a reaction
  const auto steps = steps_of(batch({target, reaction, with_selector, thumbs}));
  ASSERT_EQ(steps.size(), 2u);
  const auto& h = handle(steps[0]);
  EXPECT_EQ(h.event.key, "matrix:$pin");
  const auto& pin = std::get<in::Pin>(h.event.body);
  EXPECT_EQ(pin.target_ref, "$fact");
  EXPECT_EQ(pin.target_author, "@example:example.org");
  EXPECT_EQ(pin.target_text, "replica lag is 40s");
  EXPECT_EQ(to_unix_ms(pin.target_at), 1432735824653);
  EXPECT_EQ(h.origin.event_id, "$fact");  // the confirmation answers the pinned message
  EXPECT_EQ(handle(steps[1]).event.key, "matrix:$pin2");
}

TEST(MatrixTranslate, APushpinOnAnOlderMessageIsFetchedFirst) {
  json reaction = fixture("event_m_reaction.json");
  reaction["content"]["m.relates_to"]["key"] = kPin;
  const auto steps = steps_of(batch({reaction}));
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(handle(steps[0]).fetch_pin, "$some_event_id");
  EXPECT_EQ(std::get<in::Pin>(handle(steps[0]).event.body).target_ref, "$some_event_id");
}

TEST(MatrixTranslate, PinFromReadsTheLatestEditAndRefusesTheUnreadable) {
  auto edited = parse_event(
      R"({"event_id":"$a","type":"m.room.message","sender":"@d:x","origin_server_ts":5,
          "content":{"msgtype":"m.text","body":"old"},"unsigned":{"m.relations":{"m.replace":
          {"content":{"m.new_content":{"body":"new"}}}}}})");
  EXPECT_EQ(pin_from(*edited)->target_text, "new");
  EXPECT_FALSE(pin_from(*parse_event(fixture("event_m_room_encrypted_megolm.json").dump())));
  EXPECT_FALSE(pin_from(*parse_event(R"({"event_id":"$r","type":"m.room.message","content":{}})")));
}

TEST(MatrixTranslate, AnEditFollowsItsMessage) {
  json edit = fixture("event_m_room_message_edit_m_replace.json");
  edit["event_id"] = "$edit";
  edit["sender"] = "@example:example.org";
  json command_edit = edit;
  command_edit["event_id"] = "$edit2";
  command_edit["content"]["m.new_content"]["body"] = "!incident log the failover finished at 14:10";
  const auto steps = steps_of(batch({edit, command_edit}));
  ASSERT_EQ(steps.size(), 2u);
  const auto& e = std::get<in::Edited>(handle(steps[0]).event.body);
  EXPECT_EQ(e.target_ref, "$some_event_id");
  EXPECT_EQ(e.new_text, "Hello! My name is bar");  // m.new_content, not the "* " fallback
  // An edited `log` message: the prefix is stripped, the domain re-parses the command.
  EXPECT_EQ(std::get<in::Edited>(handle(steps[1]).event.body).new_text,
            "log the failover finished at 14:10");
}

TEST(MatrixTranslate, RedactionsInEitherShapeDeleteTheirTarget) {
  json v11 = fixture("event_m_room_redaction.json");
  json old = v11;
  old["event_id"] = "$old";
  old["content"].erase("redacts");
  old["redacts"] = "$legacy";
  const auto steps = steps_of(batch({v11, old}));
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(std::get<in::Deleted>(handle(steps[0]).event.body).target_ref,
            "$fukweghifu23:localhost");
  EXPECT_EQ(std::get<in::Deleted>(handle(steps[1]).event.body).target_ref, "$legacy");
}

TEST(MatrixTranslate, AThreadReplyNamesItsRoot) {
  json reply = message("$r1", "");
  reply["content"] = fixture("event_content_thread_reply_with_fallback.json");
  const auto steps = steps_of(batch({reply}));
  ASSERT_EQ(steps.size(), 1u);
  const auto& r = std::get<in::ThreadReply>(handle(steps[0]).event.body);
  EXPECT_EQ(r.root_ref, "$root");
  EXPECT_EQ(r.text, "I'm doing okay, thank you! How about yourself?");
  EXPECT_EQ(handle(steps[0]).origin.thread_root, "$root");
  // A command inside a thread is still a command, answered in that thread.
  reply["content"]["body"] = "!incident draft";
  const auto command = steps_of(batch({reply}));
  EXPECT_EQ(std::get<in::CommandText>(handle(command[0]).event.body).text, "draft");
  EXPECT_EQ(handle(command[0]).origin.thread_root, "$root");
}

TEST(MatrixTranslate, AnEncryptedRoomGetsOneNotice) {
  json first = fixture("event_m_room_encrypted_megolm.json");
  json second = first;
  second["event_id"] = "$second";
  Rooms rooms;
  const auto steps = steps_of(batch({first, second}), rooms);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(std::get<step::EncryptedNotice>(steps[0]).room, kRoom);
  EXPECT_TRUE(rooms.info(kRoom).encrypted);
  EXPECT_TRUE(steps_of(batch({first}), rooms).empty());  // once per room
  // The m.room.encryption state event says so too; a first sync only remembers it.
  json state{{"type", "m.room.encryption"},
             {"state_key", ""},
             {"event_id", "$enc"},
             {"sender", "@a:example.org"},
             {"content", {{"algorithm", "m.megolm.v1.aes-sha2"}}}};
  Rooms fresh;
  EXPECT_TRUE(steps_of(batch({}, kRoom, {{"state", {{"events", {state}}}}}), fresh, true).empty());
  EXPECT_TRUE(fresh.info(kRoom).encrypted);
  Rooms live;
  EXPECT_EQ(steps_of(batch({state}), live).size(), 1u);
}

TEST(MatrixTranslate, TheFirstSyncOnlyAnswersInvites) {
  json spec = fixture("sync_response_spec_example.json");
  spec["rooms"]["join"]["!726s6s6q:example.com"]["timeline"]["events"][1]["content"]["body"] =
      "!incident start old history";
  Rooms rooms;
  auto parsed = parse_sync(spec.dump());
  const auto steps =
      translate(*parsed, rooms, TranslateOptions{"@bob:example.com", "!incident", {}}, true);
  for (const auto& s : steps) {
    EXPECT_FALSE(std::holds_alternative<step::Handle>(s));
    if (const auto* invite = std::get_if<step::Invite>(&s)) {
      EXPECT_EQ(invite->room, "!696r7674:example.com");
      EXPECT_EQ(invite->inviter, "@alice:example.com");
      EXPECT_TRUE(invite->accept);  // same server as the bot
    }
  }
  EXPECT_EQ(std::count_if(steps.begin(), steps.end(),
                          [](const Step& s) { return std::holds_alternative<step::Invite>(s); }),
            1);
}

TEST(MatrixTranslate, InvitesFromAllowedInvitersOnly) {
  const json derived = fixture("sync_invite_is_direct_DERIVED.json");
  Rooms rooms;
  auto parsed = parse_sync(derived.dump());
  auto steps =
      translate(*parsed, rooms, TranslateOptions{"@bob:example.com", "!incident", {}}, false);
  ASSERT_EQ(steps.size(), 1u);
  const auto& invite = std::get<step::Invite>(steps[0]);
  EXPECT_TRUE(invite.accept);
  EXPECT_TRUE(invite.direct);
  EXPECT_TRUE(rooms.is_direct("!696r7674:example.com"));
  EXPECT_EQ(rooms.direct_room("@alice:example.com"), "!696r7674:example.com");

  Rooms strict;
  steps =
      translate(*parsed, strict,
                TranslateOptions{"@bob:example.com", "!incident", {"@carol:example.com"}}, false);
  EXPECT_FALSE(std::get<step::Invite>(steps[0]).accept);
  EXPECT_FALSE(strict.is_direct("!696r7674:example.com"));

  EXPECT_TRUE(inviter_allowed({}, "@a:corp.example", "@bot:corp.example"));
  EXPECT_FALSE(inviter_allowed({}, "@a:evil.example", "@bot:corp.example"));
  EXPECT_TRUE(inviter_allowed({"*:partner.example"}, "@a:partner.example", "@bot:corp.example"));
  EXPECT_FALSE(inviter_allowed({"*:partner.example"}, "@a:corp.example", "@bot:corp.example"));
  EXPECT_TRUE(inviter_allowed({"@a:evil.example"}, "@a:evil.example", "@bot:corp.example"));
  EXPECT_FALSE(inviter_allowed({"*:partner.example"}, "@a:partner.example.evil", "@bot:x"));
}

TEST(MatrixTranslate, DirectRoomsCarryDirectMessages) {
  Rooms rooms;
  rooms.set_direct(DirectMap{{"@example:example.org", {kRoom}}});
  const auto steps = steps_of(batch({message("$dm", "I clicked a link in an email")}), rooms);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(std::get<in::DirectMessage>(handle(steps[0]).event.body).text,
            "I clicked a link in an email");
  EXPECT_TRUE(handle(steps[0]).origin.direct);

  // Without m.direct: an unnamed room of two is a DM, a named one is not.
  Rooms heuristic;
  const json two{{"summary", {{"m.joined_member_count", 2}, {"m.invited_member_count", 0}}}};
  EXPECT_EQ(steps_of(batch({message("$x", "hello?")}, "!two:x", two), heuristic).size(), 1u);
  json name{{"type", "m.room.name"},
            {"state_key", ""},
            {"event_id", "$n"},
            {"sender", "@a:x"},
            {"content", {{"name", "War room"}}}};
  EXPECT_TRUE(steps_of(batch({name, message("$y", "hello?")}, "!two:x", two), heuristic).empty());
}

TEST(MatrixTranslate, WhatCameBeforeTheBotJoinedIsHistory) {
  json join{{"type", "m.room.member"},
            {"state_key", kBot},
            {"event_id", "$join"},
            {"sender", kBot},
            {"content", {{"membership", "join"}}}};
  json alice{{"type", "m.room.member"},
             {"state_key", "@alice:example.org"},
             {"event_id", "$aj"},
             {"sender", "@alice:example.org"},
             {"content", {{"membership", "join"}, {"displayname", "Alice Margatroid"}}}};
  const auto steps = steps_of(batch({message("$old", "!incident start yesterday"), alice, join,
                                     message("$new", "!incident start today")}));
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(std::get<step::DisplayName>(steps[0]).name, "Alice Margatroid");
  EXPECT_EQ(handle(steps[1]).event.key, "matrix:$new");
}

TEST(MatrixTranslate, LeavingARoomForgetsItsDm) {
  Rooms rooms;
  rooms.set_direct(DirectMap{{"@d:x", {"!dm1:x", "!dm2:x"}}});
  EXPECT_EQ(rooms.direct_room("@d:x"), "!dm2:x");
  auto parsed = parse_sync(R"({"next_batch":"s3","rooms":{"leave":{"!dm2:x":{}}}})");
  translate(*parsed, rooms, TranslateOptions{kBot, "!incident", {}}, false);
  EXPECT_EQ(rooms.direct_room("@d:x"), "!dm1:x");
}

}  // namespace
}  // namespace incident::matrix
