// The Matrix protocol types against the spec's own example payloads (tests/data/matrix).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/matrix/protocol.h"

namespace incident::matrix {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(INCIDENT_TEST_DATA) + "/matrix/" + name);
  EXPECT_TRUE(in) << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

net::HttpResponse answer(int status, std::string body, net::Headers headers = {}) {
  net::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(MatrixProtocol, SpecSyncExampleParses) {
  auto sync = parse_sync(fixture("sync_response_spec_example.json"));
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->next_batch, "s72595_4483_1934");
  ASSERT_EQ(sync->join.size(), 1u);
  const JoinedRoom& room = sync->join[0];
  EXPECT_EQ(room.room_id, "!726s6s6q:example.com");
  ASSERT_EQ(room.timeline.size(), 2u);
  EXPECT_EQ(room.timeline[0].type, "m.room.member");
  EXPECT_EQ(room.timeline[0].state_key, "@alice:example.org");
  EXPECT_EQ(room.timeline[0].membership, "join");
  EXPECT_EQ(room.timeline[0].displayname, "Alice Margatroid");
  EXPECT_EQ(room.timeline[1].type, "m.room.message");
  EXPECT_EQ(room.timeline[1].body, "This is an example text message");
  EXPECT_EQ(room.timeline[1].msgtype, "m.text");
  EXPECT_EQ(room.timeline[1].origin_server_ts, 1432735824653);
  EXPECT_FALSE(room.timeline[1].state_key);
  EXPECT_TRUE(room.limited);
  EXPECT_EQ(room.prev_batch, "t34-23535_0_0");
  EXPECT_EQ(room.joined_members, 2);
  EXPECT_EQ(room.invited_members, 0);
  ASSERT_EQ(room.state.size(), 1u);
  EXPECT_EQ(room.state[0].displayname, "Example user");
  ASSERT_EQ(sync->invite.size(), 1u);
  EXPECT_EQ(sync->invite[0].room_id, "!696r7674:example.com");
  ASSERT_EQ(sync->invite[0].invite_state.size(), 2u);
  EXPECT_EQ(sync->invite[0].invite_state[1].membership, "invite");
  EXPECT_TRUE(sync->invite[0].invite_state[1].event_id.empty());  // stripped state
  EXPECT_TRUE(sync->leave.empty());
  EXPECT_FALSE(sync->direct);  // account_data has only a custom type
}

TEST(MatrixProtocol, E2eeExtensionsOfSyncAreIgnored) {
  for (const char* name :
       {"sync_response_to_device_example.json", "sync_response_device_lists_example.json"}) {
    auto sync = parse_sync(fixture(name));
    ASSERT_TRUE(sync) << name;
    EXPECT_EQ(sync->next_batch, "s72595_4483_1934");
    EXPECT_TRUE(sync->join.empty() && sync->invite.empty() && sync->leave.empty());
  }
}

TEST(MatrixProtocol, EverySectionIsOptionalButNextBatch) {
  auto idle = parse_sync(R"({"next_batch":"s9"})");
  ASSERT_TRUE(idle);
  EXPECT_TRUE(idle->join.empty());
  auto nulls = parse_sync(
      R"({"next_batch":"s9","rooms":{"join":{"!r:x":{"timeline":null,"state":{"events":null},
          "summary":{}}},"invite":null},"account_data":{"events":[null,{"type":"m.direct"}]}})");
  ASSERT_TRUE(nulls);
  ASSERT_EQ(nulls->join.size(), 1u);
  EXPECT_TRUE(nulls->join[0].timeline.empty());
  EXPECT_FALSE(nulls->join[0].joined_members);
  ASSERT_TRUE(nulls->direct);
  EXPECT_TRUE(nulls->direct->empty());
  EXPECT_FALSE(parse_sync(R"({"rooms":{}})"));
  EXPECT_FALSE(parse_sync("<html>502 Bad Gateway</html>"));
  EXPECT_FALSE(parse_sync("[]"));
}

TEST(MatrixProtocol, EventFieldsOfTheSpecExamples) {
  auto reaction = parse_event(fixture("event_m_reaction.json"));
  ASSERT_TRUE(reaction);
  EXPECT_EQ(reaction->relates_to.rel_type, "m.annotation");
  EXPECT_EQ(reaction->relates_to.event_id, "$some_event_id");
  EXPECT_EQ(reaction->relates_to.key, "👍");

  auto edit = parse_event(fixture("event_m_room_message_edit_m_replace.json"));
  ASSERT_TRUE(edit);
  EXPECT_EQ(edit->body, "* Hello! My name is bar");
  EXPECT_EQ(edit->new_body, "Hello! My name is bar");
  EXPECT_EQ(edit->relates_to.rel_type, "m.replace");

  auto redaction = parse_event(fixture("event_m_room_redaction.json"));
  ASSERT_TRUE(redaction);
  EXPECT_EQ(redaction->redacts, "$fukweghifu23:localhost");
  // Rooms before v11 carry `redacts` at the top level.
  auto old = parse_event(R"({"type":"m.room.redaction","redacts":"$old","content":{}})");
  EXPECT_EQ(old->redacts, "$old");

  auto thread = parse_event(
      json{{"type", "m.room.message"},
           {"content", json::parse(fixture("event_content_thread_reply_with_fallback.json"))}}
          .dump());
  EXPECT_EQ(thread->relates_to.rel_type, "m.thread");
  EXPECT_EQ(thread->relates_to.event_id, "$root");
  EXPECT_EQ(thread->relates_to.in_reply_to, "$target");

  auto encrypted = parse_event(fixture("event_m_room_encrypted_megolm.json"));
  EXPECT_EQ(encrypted->type, "m.room.encrypted");
  EXPECT_TRUE(encrypted->body.empty());

  auto notice = parse_event(fixture("event_m_room_message_notice.json"));
  EXPECT_EQ(notice->msgtype, "m.notice");

  auto edited = parse_event(
      R"({"event_id":"$a","type":"m.room.message","content":{"body":"old"},"unsigned":{
          "m.relations":{"m.replace":{"event_id":"$b","content":{"body":"* new",
          "m.new_content":{"body":"new"}}}}}})");
  EXPECT_EQ(edited->replaced_body, "new");
}

TEST(MatrixProtocol, MessagesPageFromTheSpecExample) {
  auto page = parse_messages(fixture("messages_pagination_response.json"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->chunk.size(), 3u);
  EXPECT_EQ(page->end, "t47409-4357353_219380_26003_2265");
  EXPECT_EQ(page->chunk[1].state_key, "");
  auto last = parse_messages(R"({"start":"t1","chunk":[]})");
  EXPECT_TRUE(last->end.empty());
}

TEST(MatrixProtocol, DirectMapReadModifyWrite) {
  const json direct = json::parse(fixture("event_m_direct_account_data.json"));
  auto map = parse_direct(direct["content"].dump());
  ASSERT_TRUE(map);
  EXPECT_EQ((*map)["@bob:example.com"].size(), 2u);
  const json updated = json::parse(add_direct(direct["content"].dump(), "@dana:x", "!dm:x"));
  EXPECT_EQ(updated["@bob:example.com"].size(), 2u);  // the others' DMs are kept
  EXPECT_EQ(updated["@dana:x"], json::array({"!dm:x"}));
  EXPECT_EQ(json::parse(add_direct(updated.dump(), "@dana:x", "!dm:x"))["@dana:x"].size(), 1u);
  EXPECT_EQ(json::parse(add_direct("", "@dana:x", "!dm:x"))["@dana:x"].size(), 1u);
}

TEST(MatrixProtocol, ErrorsFromTheSpecExamples) {
  EXPECT_FALSE(error_of(answer(200, "{}")));

  auto limited = error_of(answer(429, fixture("error_rate_limited_429.json")));
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->errcode, "M_LIMIT_EXCEEDED");
  EXPECT_TRUE(limited->transient());
  EXPECT_EQ(limited->retry_after, 2000ms);
  // Retry-After (spec v1.10+) wins over the deprecated retry_after_ms.
  auto header =
      error_of(answer(429, fixture("error_rate_limited_429.json"), {{"retry-after", "3"}}));
  EXPECT_EQ(header->retry_after, 3000ms);

  auto token = error_of(answer(401, fixture("error_unknown_token_401.json")));
  EXPECT_TRUE(token->unknown_token());
  EXPECT_FALSE(token->transient());
  EXPECT_FALSE(token->soft_logout);
  EXPECT_TRUE(
      error_of(answer(401, fixture("error_unknown_token_soft_logout_401.json")))->soft_logout);

  auto forbidden = error_of(answer(403, fixture("error_forbidden_join_403.json")));
  EXPECT_FALSE(forbidden->transient());
  EXPECT_EQ(forbidden->describe(), "M_FORBIDDEN (403): You are not invited to this room.");

  // A reverse proxy's HTML 502: no errcode, transient by its status.
  auto proxy = error_of(answer(502, "<html><h1>502 Bad Gateway</h1></html>"));
  EXPECT_TRUE(proxy->transient());
  EXPECT_TRUE(proxy->errcode.empty());
  EXPECT_FALSE(error_of(answer(413, R"({"errcode":"M_TOO_LARGE"})"))->transient());
}

TEST(MatrixProtocol, RetryAfterIsSecondsOrAnHttpDate) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // 1994-11-06 08:49:37
  EXPECT_EQ(parse_retry_after("120", now), 120000ms);
  EXPECT_EQ(parse_retry_after(" 0 ", now), 0ms);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", now), 3000ms);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), 0ms);  // in the past
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("99999999999", now));
  // An hour away (a server's whim, or our clock just stepped back an hour): ten minutes at most.
  EXPECT_EQ(parse_retry_after("3600", now), 600000ms);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 09:49:37 GMT", now), 600000ms);
}

TEST(MatrixProtocol, TheFilterAsksForWhatTheBotActsOn) {
  const json filter = json::parse(sync_filter_json(50));
  EXPECT_EQ(filter["presence"]["types"], json::array());
  EXPECT_EQ(filter["account_data"]["types"], json::array({"m.direct"}));
  const json& timeline = filter["room"]["timeline"];
  EXPECT_EQ(timeline["limit"], 50);
  for (const char* type : {"m.room.message", "m.reaction", "m.room.member", "m.room.redaction",
                           "m.room.encrypted", "m.room.encryption"}) {
    EXPECT_NE(std::find(timeline["types"].begin(), timeline["types"].end(), type),
              timeline["types"].end())
        << type;
  }
  EXPECT_TRUE(filter["room"]["state"]["lazy_load_members"]);
  EXPECT_EQ(json::parse(sync_filter_json(0))["room"]["timeline"]["limit"], 1);  // must be > 0
  EXPECT_EQ(json::parse(room_event_filter_json())["types"], timeline["types"]);
}

TEST(MatrixProtocol, ServerOfAUserId) {
  EXPECT_EQ(server_of("@dana:example.org"), "example.org");
  EXPECT_EQ(server_of("@dana:example.org:8448"), "example.org:8448");
  EXPECT_EQ(server_of("dana"), "");
}

}  // namespace
}  // namespace incident::matrix
