// Socket Mode frames decoded from the real payloads in tests/data/slack/, and the rules that
// map Slack events to the domain's events. Pure: no network.
#include <gtest/gtest.h>

#include "adapters/slack/protocol.h"
#include "adapters/slack/replies.h"
#include "slack/envelopes.h"

namespace incident::slack {
namespace {

using testing::event_envelope;
using testing::fixture;

DecodeContext context() {
  DecodeContext c;
  c.bot_user_id = "UBOT";
  c.bot_id = "BBOT";
  c.slash_command = "/incident";
  c.received_at = from_unix_ms(1795960800000);
  return c;
}

Envelope envelope_of(const nlohmann::json& frame, const DecodeContext& c = context()) {
  Frame f = parse_frame(frame.dump(), c);
  EXPECT_TRUE(std::holds_alternative<Envelope>(f)) << frame.dump();
  return std::holds_alternative<Envelope>(f) ? std::get<Envelope>(f) : Envelope{};
}

TEST(Frames, Hello) {
  Frame f = parse_frame(fixture("socket_hello.json").dump(), context());
  ASSERT_TRUE(std::holds_alternative<Hello>(f));
  EXPECT_EQ(std::get<Hello>(f).num_connections, 2);
  EXPECT_EQ(std::get<Hello>(f).approximate_connection_time, 18060);
  EXPECT_EQ(std::get<Hello>(f).host, "applink-111-xxx");
}

TEST(Frames, EveryDisconnectReason) {
  for (const auto& [file, reason] : std::vector<std::pair<std::string, std::string>>{
           {"socket_disconnect_warning.json", "warning"},
           {"socket_disconnect_refresh_requested.json", "refresh_requested"},
           {"socket_disconnect_link_disabled.json", "link_disabled"},
           {"socket_disconnect_too_many_websockets.json", "too_many_websockets"}}) {
    Frame f = parse_frame(fixture(file).dump(), context());
    ASSERT_TRUE(std::holds_alternative<Disconnect>(f)) << file;
    EXPECT_EQ(std::get<Disconnect>(f).reason, reason);
  }
}

TEST(Frames, SlashCommandBecomesACommandWithAStableKey) {
  DecodeContext c = context();
  c.slash_command = "/hello-socket-mode";  // the fixture's command
  Envelope e = envelope_of(fixture("envelope_slash_commands.json"), c);
  EXPECT_EQ(e.id, "1d3c79ab-0ffb-41f3-a080-d19e85f53649");
  EXPECT_EQ(e.type, "slash_commands");
  EXPECT_TRUE(e.accepts_response_payload);
  EXPECT_TRUE(e.slash_command);
  ASSERT_EQ(e.action, Action::handle);
  EXPECT_EQ(e.event.key, "slack:slash:111.222.xxx");
  EXPECT_EQ(e.event.platform, "slack");
  EXPECT_EQ(e.event.channel, "C111");
  EXPECT_EQ(e.event.user, "U111");
  EXPECT_EQ(e.event.at, c.received_at);  // slash commands carry no timestamp
  EXPECT_EQ(std::get<in::CommandText>(e.event.body).text, "");

  // A redelivery has another envelope_id but the same trigger_id: the same key.
  auto again = fixture("envelope_slash_commands.json");
  again["envelope_id"] = "another";
  EXPECT_EQ(envelope_of(again, c).event.key, e.event.key);
}

TEST(Frames, SomeoneElsesSlashCommandIsIgnored) {
  Envelope e = envelope_of(fixture("envelope_slash_commands.json"));  // /hello-socket-mode
  EXPECT_EQ(e.action, Action::ignore);
}

TEST(Frames, SlashCommandTextIsUnescaped) {
  auto frame = testing::slash_envelope("log a &lt; b &amp;&amp; c &gt; d <@U2|dana> &amp;");
  Envelope e = envelope_of(frame);
  EXPECT_EQ(std::get<in::CommandText>(e.event.body).text, "log a < b && c > d <@U2|dana> &");
}

TEST(Frames, AppMentionAsksForHelp) {
  Envelope e = envelope_of(fixture("envelope_events_api_app_mention.json"));
  ASSERT_EQ(e.action, Action::handle);
  EXPECT_FALSE(e.accepts_response_payload);
  EXPECT_EQ(e.retry_attempt, 0);
  EXPECT_EQ(e.event.key, "slack:Ev111");
  EXPECT_EQ(e.event.user, "U222");
  EXPECT_EQ(e.event.channel, "C111");
  EXPECT_EQ(e.event.message_ref, "1610241741.000200");
  EXPECT_EQ(to_unix_ms(e.event.at), 1610241741000);
  EXPECT_EQ(std::get<in::CommandText>(e.event.body).text, "help");
}

TEST(Frames, PlainChannelMessagesAreIgnored) {
  // Commands come as slash commands; ordinary chat is not the bot's business.
  EXPECT_EQ(envelope_of(fixture("envelope_events_api_message.json")).action, Action::ignore);
}

TEST(Frames, ThreadReplyNamesItsRoot) {
  auto frame = event_envelope(testing::message_event("C1", "U2", "we should add an alert",
                                                     "1800000000.000200", "1800000000.000100"),
                              "EvT1");
  Envelope e = envelope_of(frame);
  ASSERT_EQ(e.action, Action::handle);
  const auto& reply = std::get<in::ThreadReply>(e.event.body);
  EXPECT_EQ(reply.root_ref, "1800000000.000100");
  EXPECT_EQ(reply.text, "we should add an alert");
  EXPECT_EQ(e.event.message_ref, "1800000000.000200");
}

TEST(Frames, DirectMessage) {
  auto frame = event_envelope(
      testing::message_event("D1", "U2", "is this safe?", "1800000000.000300", {}, "im"), "EvD1");
  Envelope e = envelope_of(frame);
  ASSERT_EQ(e.action, Action::handle);
  EXPECT_EQ(std::get<in::DirectMessage>(e.event.body).text, "is this safe?");
  EXPECT_EQ(e.event.channel, "D1");
}

TEST(Frames, EditsAndDeletions) {
  Envelope edited =
      envelope_of(event_envelope(testing::changed_event("C1", "U2", "1800000000.000100",
                                                        "new &amp; better", "1800000000.000900"),
                                 "EvE1"));
  ASSERT_EQ(edited.action, Action::handle);
  EXPECT_EQ(std::get<in::Edited>(edited.event.body).target_ref, "1800000000.000100");
  EXPECT_EQ(std::get<in::Edited>(edited.event.body).new_text, "new & better");

  Envelope deleted = envelope_of(event_envelope(
      testing::deleted_event("C1", "1800000000.000100", "1800000000.000901"), "EvX1"));
  ASSERT_EQ(deleted.action, Action::handle);
  EXPECT_EQ(std::get<in::Deleted>(deleted.event.body).target_ref, "1800000000.000100");

  auto in_dm = testing::changed_event("D1", "U2", "1.1", "x", "1.2");
  in_dm["channel_type"] = "im";
  EXPECT_EQ(envelope_of(event_envelope(in_dm, "EvE2")).action, Action::ignore);
}

TEST(Frames, OurOwnAndBotMessagesAreIgnored) {
  auto own = testing::message_event("C1", "UBOT", "draft", "1.2", "1.1");
  EXPECT_EQ(envelope_of(event_envelope(own, "Ev1")).action, Action::ignore);
  auto own_bot = testing::message_event("C1", "U9", "draft", "1.2", "1.1");
  own_bot["bot_id"] = "BBOT";
  EXPECT_EQ(envelope_of(event_envelope(own_bot, "Ev2")).action, Action::ignore);
  auto bot = testing::message_event("C1", "U9", "deploy done", "1.2", "1.1");
  bot["subtype"] = "bot_message";
  EXPECT_EQ(envelope_of(event_envelope(bot, "Ev3")).action, Action::ignore);
  auto join = testing::message_event("C1", "U9", "<@U9> has joined", "1.2", "1.1");
  join["subtype"] = "channel_join";
  EXPECT_EQ(envelope_of(event_envelope(join, "Ev4")).action, Action::ignore);
  auto broadcast = testing::message_event("C1", "U9", "also to channel", "1.2", "1.1");
  broadcast["subtype"] = "thread_broadcast";
  EXPECT_EQ(envelope_of(event_envelope(broadcast, "Ev5")).action, Action::handle);
}

TEST(Frames, PushpinAsksForTheMessage) {
  Envelope e = envelope_of(event_envelope(
      testing::reaction_event("U2", "pushpin", "C1", "1800000000.000100", "1800000000.000500"),
      "EvP1"));
  ASSERT_EQ(e.action, Action::lookup_pin);
  EXPECT_EQ(e.pin_channel, "C1");
  EXPECT_EQ(e.pin_ts, "1800000000.000100");
  EXPECT_EQ(e.event.user, "U2");
  EXPECT_EQ(e.event.key, "slack:EvP1");

  auto toned = testing::reaction_event("U2", "pushpin::skin-tone-2", "C1", "1.1", "1.2");
  EXPECT_EQ(envelope_of(event_envelope(toned, "EvP2")).action, Action::lookup_pin);
  auto thumbs = testing::reaction_event("U2", "thumbsup", "C1", "1.1", "1.2");
  EXPECT_EQ(envelope_of(event_envelope(thumbs, "EvP3")).action, Action::ignore);
  auto on_file = testing::reaction_event("U2", "pushpin", "C1", "1.1", "1.2");
  on_file["item"] = {{"type", "file"}, {"file", "F1"}};
  EXPECT_EQ(envelope_of(event_envelope(on_file, "EvP4")).action, Action::ignore);
}

TEST(Frames, InteractivePayloadsAreAcknowledgedAndIgnored) {
  for (const char* file : {"envelope_interactive_shortcut.json",
                           "envelope_interactive_block_actions_modal_large.json"}) {
    Envelope e = envelope_of(fixture(file));
    EXPECT_EQ(e.type, "interactive");
    EXPECT_EQ(e.action, Action::ignore);
    EXPECT_FALSE(e.id.empty());
  }
}

TEST(Frames, MalformedAndUnknownFramesNeverThrow) {
  const auto c = context();
  for (const std::string text :
       {"", "{", "[]", "null", "42", "\"hello\"", "{\"type\":\"events_api\"}",
        "{\"type\":\"events_api\",\"envelope_id\":7}",
        // Found by fuzzing: a number beyond a double threw out_of_range out of the parser.
        "{\"type\":\"events_api\",\"envelope_id\":\"e\",\"n\":6e532}"}) {
    EXPECT_TRUE(std::holds_alternative<MalformedFrame>(parse_frame(text, c))) << text;
  }
  EXPECT_TRUE(std::holds_alternative<MalformedFrame>(
      parse_frame(std::string(100000, '[') + std::string(100000, ']'), c)));
  Frame unknown = parse_frame(R"({"type":"brand_new","envelope_id":"e1"})", c);
  ASSERT_TRUE(std::holds_alternative<UnknownFrame>(unknown));
  EXPECT_EQ(std::get<UnknownFrame>(unknown).envelope_id, "e1");
  // Wrong types for known keys read as missing.
  Frame odd = parse_frame(
      R"({"type":"events_api","envelope_id":"e2","payload":{"type":"event_callback","event_id":5,"event":[]}})",
      c);
  ASSERT_TRUE(std::holds_alternative<Envelope>(odd));
  EXPECT_EQ(std::get<Envelope>(odd).action, Action::ignore);
  // A malformed frame's error never quotes its content (it may be a DM).
  Frame secret = parse_frame(R"({"type":"events_api","text":"my password is hunter2)", c);
  ASSERT_TRUE(std::holds_alternative<MalformedFrame>(secret));
  EXPECT_EQ(std::get<MalformedFrame>(secret).error.find("hunter2"), std::string::npos);
}

TEST(Ts, ConvertsExactlyToUtcMilliseconds) {
  EXPECT_EQ(to_unix_ms(*parse_ts("1700000000.000100")), 1700000000000);
  EXPECT_EQ(format_iso(*parse_ts("1700000000.000100")), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(to_unix_ms(*parse_ts("1700000000.123456")), 1700000000123);
  EXPECT_EQ(to_unix_ms(*parse_ts("1700000000.999999")), 1700000000999);  // truncated, not rounded
  EXPECT_EQ(to_unix_ms(*parse_ts("1610241741.5")), 1610241741500);
  for (const char* bad : {"", "1700000000", ".1", "1700000000.", "17e8.000100", "1.1234567",
                          "1700000000.00a100", "-1.000000"}) {
    EXPECT_FALSE(parse_ts(bad)) << bad;
  }
}

TEST(Text, UnescapesOutsideControlSequences) {
  EXPECT_EQ(unescape_text("a &amp; b &lt;c&gt;"), "a & b <c>");
  EXPECT_EQ(unescape_text("see <https://x.y/?a=1&amp;b=2|the &amp; doc> &amp;"),
            "see <https://x.y/?a=1&amp;b=2|the &amp; doc> &");
  EXPECT_EQ(unescape_text("&amp;lt;"), "&lt;");  // once, not twice
  EXPECT_EQ(unescape_text("dangling <"), "dangling <");
}

TEST(Ack, PlainAndWithASlashCommandResponse) {
  EXPECT_EQ(nlohmann::json::parse(ack_json("e1", std::nullopt)),
            nlohmann::json({{"envelope_id", "e1"}}));
  auto with = nlohmann::json::parse(ack_json("e2", AckMessage{"*hi*", true}));
  EXPECT_EQ(with["payload"]["text"], "*hi*");
  EXPECT_EQ(with["payload"]["response_type"], "in_channel");
  auto caller = nlohmann::json::parse(ack_json("e3", AckMessage{"only you", false}));
  EXPECT_EQ(caller["payload"]["response_type"], "ephemeral");
}

TEST(Replies, WhichOneRidesInTheAck) {
  Reply channel{Audience::channel, "started"};
  Reply caller{Audience::caller, "usage"};
  Reply thread{Audience::thread, "draft"};
  Reply anchored{Audience::channel, "questions"};
  anchored.anchor = Anchor::postmortem;
  Reply lessons{Audience::lessons, "lessons"};
  EXPECT_EQ(reply_for_ack({channel}), 0u);
  EXPECT_EQ(reply_for_ack({caller}), 0u);
  // close: the confirmation must be posted to get the ts its thread hangs from
  EXPECT_EQ(reply_for_ack({channel, thread}), std::nullopt);
  // postmortem: the root's ts is reported to the engine
  EXPECT_EQ(reply_for_ack({anchored}), std::nullopt);
  EXPECT_EQ(reply_for_ack({lessons, caller}), 1u);
  // publish: the file goes through the upload flow, the caller's answer can ride
  Reply file{Audience::channel, "the post-mortem"};
  file.file = Attachment{"INC-1-postmortem.md", "text/markdown", "# INC-1"};
  EXPECT_EQ(reply_for_ack({file, caller}), 1u);
  EXPECT_EQ(reply_for_ack({Reply{Audience::channel, std::string(kMessageBytes + 1, 'x')}}),
            std::nullopt);
  EXPECT_EQ(reply_for_ack({}), std::nullopt);
}

}  // namespace
}  // namespace incident::slack
