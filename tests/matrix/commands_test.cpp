// Every command, 📌 captures, threads, edits, redactions, DMs, encrypted rooms and gaps, from
// Matrix events through the real engine and store to the bot's messages on the fake homeserver.
#include <gtest/gtest.h>

#include <algorithm>

#include "matrix/harness.h"

namespace incident::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::string kPushpin = "\xF0\x9F\x93\x8C";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The bot's message whose body contains `part`.
std::optional<json> bot_message(const FakeHomeserver& fake, const std::string& room,
                                const std::string& part) {
  for (const auto& e : fake.events(room, kMatrixBot)) {
    if (contains(e["content"].value("body", ""), part)) return e;
  }
  return std::nullopt;
}

TEST(MatrixCommands, EveryCommandThroughTheRoom) {
  MatrixHarness h;
  const std::string lessons = h.fake.create_room(kAlice, {kAlice, kMatrixBot}, "Lessons");
  h.options.lessons_room = lessons;
  const std::string room = h.ready_room();
  std::size_t n = 0;
  auto command = [&](const std::string& sender, const std::string& text) {
    const std::string id = h.fake.say(room, sender, "!incident " + text);
    EXPECT_TRUE(h.wait_bodies(room, ++n)) << text;
    return id;
  };
  command(kAlice, "start Checkout errors sev2");
  command(kAlice, "log impact: 8% of checkouts failed");
  command(kBob, "action add a replica lag alert owner:@bob:localhost due:2031-01-15");
  command(kAlice, "done 1");
  command(kAlice, "severity sev1");
  command(kAlice, "role comms @bob:localhost");
  const std::string status = command(kBob, "status");
  command(kBob, "help");
  const std::string bogus = command(kBob, "frobnicate");
  auto bodies = h.fake.bot_bodies(room);
  EXPECT_TRUE(contains(bodies[0], "INC-1 declared: Checkout errors (sev2)"));
  EXPECT_TRUE(contains(bodies[1], "impact: 8% of checkouts failed"));
  EXPECT_TRUE(contains(bodies[2], "Action 1 on INC-1"));
  EXPECT_TRUE(contains(bodies[3], "Action 1 on INC-1 is done"));
  EXPECT_TRUE(contains(bodies[4], "sev2 → sev1"));
  EXPECT_TRUE(contains(bodies[5], "comms"));
  EXPECT_TRUE(contains(bodies[6], "INC-1: Checkout errors"));
  EXPECT_TRUE(contains(bodies[7], "Incident commands"));
  // The action owner is mentioned (a pill and m.mentions); the caller's answers reply to them.
  const json action = *bot_message(h.fake, room, "Action 1 on INC-1:");
  EXPECT_EQ(action["content"]["m.mentions"]["user_ids"], json::array({kBob}));
  EXPECT_TRUE(contains(action["content"]["formatted_body"], "https://matrix.to/#/@bob:localhost"));
  EXPECT_EQ(action["content"]["msgtype"], "m.notice");
  const json status_reply = h.fake.events(room, kMatrixBot)[6];
  EXPECT_EQ(status_reply["content"]["m.relates_to"]["m.in_reply_to"]["event_id"], status);
  const json error_reply = h.fake.events(room, kMatrixBot)[8];
  EXPECT_EQ(error_reply["content"]["m.relates_to"]["m.in_reply_to"]["event_id"], bogus);

  // close: the confirmation, then the draft in a thread rooted at it.
  h.fake.say(room, kAlice, "!incident close rolled back release 42");
  ASSERT_TRUE(h.wait_bodies(room, n += 2));
  const json closed = *bot_message(h.fake, room, "INC-1 closed after");
  const json draft = *bot_message(h.fake, room, "Post-incident review (draft)");
  EXPECT_EQ(draft["content"]["m.relates_to"]["rel_type"], "m.thread");
  EXPECT_EQ(draft["content"]["m.relates_to"]["event_id"], closed["event_id"]);
  EXPECT_EQ(draft["content"]["m.relates_to"]["is_falling_back"], true);
  EXPECT_EQ(draft["content"]["format"], "org.matrix.custom.html");

  // postmortem: a thread root whose replies feed the review; draft; share.
  h.fake.say(room, kAlice, "!incident postmortem");
  ASSERT_TRUE(h.wait_bodies(room, ++n));
  const json root = *bot_message(h.fake, room, "Post-incident review of INC-1");
  ASSERT_TRUE(h.run_until([&] { return h.incident(room)->postmortem_ref == root["event_id"]; }));
  h.fake.say(room, kBob, "4. the replica lag alert threshold was too high", root["event_id"]);
  ASSERT_TRUE(h.run_until([&] { return h.incident(room)->review.size() == 1; }));
  EXPECT_EQ(h.incident(room)->review[0].text, "4. the replica lag alert threshold was too high");
  h.fake.say(room, kAlice, "!incident draft");
  ASSERT_TRUE(h.wait_bodies(room, ++n));
  EXPECT_TRUE(contains(h.fake.bot_bodies(room).back(), "alert threshold was too high"));
  // share: a preview for the caller, then `share confirm` posts once.
  h.fake.say(room, kAlice, "!incident share");
  n += 2;
  ASSERT_TRUE(h.wait_bodies(room, n));
  EXPECT_TRUE(contains(h.fake.bot_bodies(room).back(), "share INC-1 confirm"));
  EXPECT_TRUE(h.fake.bot_bodies(lessons).empty());
  h.fake.say(room, kAlice, "!incident share confirm");
  ASSERT_TRUE(h.wait_bodies(room, ++n));
  ASSERT_TRUE(h.wait_bodies(lessons, 1));
  EXPECT_TRUE(contains(h.fake.bot_bodies(room).back(), "posted to the lessons channel"));

  const auto inc = h.incident(room);
  ASSERT_TRUE(inc);
  EXPECT_EQ(inc->status, Status::closed);
  EXPECT_EQ(inc->resolution, "rolled back release 42");
  EXPECT_EQ(inc->roles.at(Role::comms), kBob);
  ASSERT_EQ(inc->actions.size(), 1u);
  EXPECT_TRUE(inc->actions[0].done);
}

// `publish confirm`: the comment as a notice, then the post-mortem uploaded to the media
// repository and posted as an m.file; the review page's button (submit) does the same.
TEST(MatrixCommands, PublishPostsThePostMortemAsAFile) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.say(room, kAlice, "!incident start Checkout errors");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  h.fake.say(room, kAlice, "!incident close rolled back release 42");
  ASSERT_TRUE(h.wait_bodies(room, 3));
  h.fake.say(room, kAlice, "!incident publish confirm");
  auto file_events = [&] {
    std::vector<json> files;
    for (const auto& e : h.fake.events(room, kMatrixBot)) {
      if (e["content"].value("msgtype", "") == "m.file") files.push_back(e);
    }
    return files;
  };
  ASSERT_TRUE(h.run_until([&] { return file_events().size() == 1; }));
  const json file = file_events()[0]["content"];
  EXPECT_EQ(file["body"], "INC-1-postmortem.md");
  EXPECT_EQ(file["filename"], "INC-1-postmortem.md");
  EXPECT_EQ(file["info"]["mimetype"], "text/markdown");
  const auto media = h.fake.media(file.value("url", ""));
  ASSERT_TRUE(media) << file.dump();
  EXPECT_EQ(media->content_type, "text/markdown");
  EXPECT_EQ(media->filename, "INC-1-postmortem.md");
  EXPECT_TRUE(contains(media->content, "rolled back release 42")) << media->content;
  EXPECT_EQ(file["info"]["size"], media->content.size());
  EXPECT_TRUE(bot_message(h.fake, room, "The post-mortem of INC-1"));

  auto answers = [&] {
    const auto bodies = h.fake.bot_bodies(room);
    return std::count_if(bodies.begin(), bodies.end(), [](const std::string& b) {
      return contains(b, "is published in its channel");
    });
  };
  ASSERT_TRUE(h.run_until([&] { return answers() == 1; }));
  EXPECT_EQ(h.adapter->message_link("!r1:localhost", "$ev/1"),
            "https://matrix.to/#/!r1:localhost/$ev%2F1");
  InboundEvent pressed;
  pressed.key = "web:press-1";
  pressed.platform = "matrix";
  pressed.channel = room;
  pressed.user = kAlice;
  pressed.at = h.incident(room)->closed_at.value();
  pressed.body = in::CommandText{"publish INC-1 confirm"};
  ASSERT_TRUE(h.adapter->submit(pressed));
  ASSERT_TRUE(h.run_until([&] { return file_events().size() == 2; }));
  EXPECT_TRUE(bot_message(h.fake, room, "An updated version of the post-mortem of INC-1"));
  h.run_for(100ms);
  EXPECT_EQ(answers(), 1) << "the caller's own answer stays on the page";
}

TEST(MatrixCommands, APushpinPutsTheMessageOnTheTimelineAtItsOriginalTime) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.say(room, kAlice, "!incident start Replica lag");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  const std::string fact = h.fake.say(room, kBob, "replica lag is 40s on db-2");
  h.caught_up();  // the message is in an earlier batch: its target must be fetched
  h.fake.react(room, kAlice, fact, kPushpin);
  ASSERT_TRUE(h.wait_bodies(room, 2));
  // In the same batch as its target, with the variation selector, and twice: still once.
  const std::string other = h.fake.say(room, kBob, "failover started");
  h.fake.react(room, kAlice, other, kPushpin + "\xEF\xB8\x8F");
  h.fake.react(room, kBob, fact, kPushpin + "\xEF\xB8\x8F");
  ASSERT_TRUE(h.wait_bodies(room, 3));
  h.caught_up();
  h.run_for(100ms);
  EXPECT_EQ(h.fake.bot_bodies(room).size(), 3u);
  EXPECT_FALSE(h.fake.requests("event").empty());
  const auto inc = h.incident(room);
  std::vector<TimelineEntry> pins;
  for (const auto& e : inc->timeline) {
    if (e.source == Source::pin) pins.push_back(e);
  }
  ASSERT_EQ(pins.size(), 2u);
  EXPECT_EQ(pins[0].text, "replica lag is 40s on db-2");
  EXPECT_EQ(pins[0].author, kBob);
  EXPECT_EQ(pins[0].message_ref, fact);
  const auto fact_event = h.fake.events(room, kBob)[0];
  EXPECT_EQ(to_unix_ms(pins[0].at), fact_event["origin_server_ts"].get<std::int64_t>());
  EXPECT_EQ(pins[1].text, "failover started");
  // The confirmation answers the pinned message.
  const json confirmation = *bot_message(h.fake, room, "Added to the INC-1 timeline");
  EXPECT_EQ(confirmation["content"]["m.relates_to"]["m.in_reply_to"]["event_id"], fact);
}

TEST(MatrixCommands, EditsAndRedactionsFollowTheTimeline) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.say(room, kAlice, "!incident start DB failover");
  const std::string log = h.fake.say(room, kAlice, "!incident log failover finishd");
  const std::string fact = h.fake.say(room, kBob, "primary is back");
  h.fake.react(room, kAlice, fact, kPushpin);
  ASSERT_TRUE(h.wait_bodies(room, 3));
  h.fake.edit(room, kAlice, log, "!incident log failover finished");
  h.fake.edit(room, kBob, fact, "primary is back on db-1");
  auto text_of = [&](const std::string& ref) {
    const auto inc = h.incident(room);
    for (const auto& e : inc->timeline) {
      if (e.message_ref == ref) return std::pair(e.text, e.deleted);
    }
    return std::pair(std::string("<none>"), false);
  };
  ASSERT_TRUE(h.run_until([&] {
    return text_of(log).first == "failover finished" &&
           text_of(fact).first == "primary is back on db-1";
  }));
  h.fake.redact(room, kBob, fact, true);
  h.fake.redact(room, kAlice, log, false);  // the pre-v11 shape
  ASSERT_TRUE(h.run_until([&] { return text_of(fact).second && text_of(log).second; }));
  h.run_for(100ms);
  EXPECT_EQ(h.fake.bot_bodies(room).size(), 3u);  // edits and redactions are answered silently
}

TEST(MatrixCommands, DirectMessagesAndTheSecurityLine) {
  MatrixHarness h;
  const std::string security = h.fake.create_room(kBob, {kBob, kMatrixBot}, "Security team");
  h.options.security_room = security;
  const std::string dm = h.fake.create_room(kAlice, {kAlice, kMatrixBot}, "");
  h.fake.set_account_data(kMatrixBot, "m.direct", {{kAlice, {dm}}});
  ASSERT_TRUE(h.start_ready());
  h.fake.say(dm, kAlice, "is this safe? I clicked a link in an email and entered my password");
  ASSERT_TRUE(h.wait_bodies(dm, 1));
  h.fake.say(dm, kAlice, "report");
  ASSERT_TRUE(h.wait_bodies(security, 1));
  ASSERT_TRUE(h.wait_bodies(dm, 2));
  const json report = h.fake.events(security, kMatrixBot)[0];
  EXPECT_FALSE(contains(report["content"]["body"], "alice"));  // anonymous
  // The security team answers in the case's thread; the bot relays it to the asker's DM.
  h.run_for(100ms);  // the case's post is anchored
  h.fake.say(security, kBob, "please reset your password now", report["event_id"]);
  ASSERT_TRUE(h.wait_bodies(dm, 3));
  EXPECT_TRUE(contains(h.fake.bot_bodies(dm).back(), "please reset your password now"));
  EXPECT_TRUE(h.fake.rooms_created().empty());  // the DM existed
}

TEST(MatrixCommands, APrivateNoteOpensADmWhenThereIsNone) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.say(room, kAlice, "!incident start Payment outage");
  h.fake.say(room, kAlice, "!incident close fixed");
  h.fake.say(room, kAlice, "!incident postmortem");
  ASSERT_TRUE(h.wait_bodies(room, 3));
  ASSERT_TRUE(h.run_until([&] { return !h.incident(room)->postmortem_ref.empty(); }));
  const std::string root = h.incident(room)->postmortem_ref;
  h.fake.say(room, kBob, "this should go into bob's performance review", root);
  ASSERT_TRUE(h.run_until([&] { return h.incident(room)->review.size() == 1; }));
  h.fake.say(room, kAlice, "!incident draft");
  ASSERT_TRUE(h.run_until([&] { return h.fake.rooms_created().size() == 1; }));
  const std::string dm = h.fake.rooms_created()[0];
  ASSERT_TRUE(h.wait_bodies(dm, 1));
  const auto create = h.fake.requests("createRoom")[0].body;
  EXPECT_EQ(create["preset"], "trusted_private_chat");
  EXPECT_EQ(create["is_direct"], true);
  EXPECT_EQ(create["invite"], json::array({kAlice}));
  ASSERT_TRUE(h.run_until([&] {
    auto direct = h.fake.account_data(kMatrixBot, "m.direct");
    return direct && (*direct)[kAlice] == json::array({dm});
  }));
}

TEST(MatrixCommands, AnEncryptedRoomGetsOneNoticeEver) {
  MatrixHarness h;
  ASSERT_TRUE(h.start_ready());
  const std::string room = h.fake.create_room(kAlice, {kAlice}, "Encrypted war room", true);
  h.fake.invite(room, kAlice, kMatrixBot);
  ASSERT_TRUE(h.wait_bodies(room, 1));  // on joining: the room's m.room.encryption state
  const json megolm{{"algorithm", "m.megolm.v1.aes-sha2"},
                    {"ciphertext", "AwgAEnAC"},
                    {"device_id", "RJYKSTBOIE"},
                    {"sender_key", "IlRMeOPX"},
                    {"session_id", "X3lU"}};
  h.fake.post(room, kAlice, "m.room.encrypted", megolm);
  h.fake.post(room, kAlice, "m.room.encrypted", megolm);
  h.caught_up();
  h.restart();
  ASSERT_TRUE(h.run_until([&] { return h.adapter->ready(); }));
  h.fake.post(room, kAlice, "m.room.encrypted", megolm);
  h.caught_up();
  h.run_for(100ms);
  const auto bodies = h.fake.bot_bodies(room);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_TRUE(contains(bodies[0], "cannot read encrypted messages"));
  EXPECT_FALSE(h.fake.events(room, kMatrixBot)[0]["content"].contains("m.relates_to"));
}

TEST(MatrixCommands, ALimitedTimelineIsBackFilled) {
  MatrixHarness h;
  h.options.timeline_limit = 3;
  const std::string room = h.ready_room();
  h.fake.say(room, kAlice, "!incident start Gap test");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  ASSERT_TRUE(h.caught_up());
  ASSERT_TRUE(h.stop());
  for (int i = 1; i <= 8; ++i) h.fake.say(room, kBob, "!incident log fact " + std::to_string(i));
  h.restart();
  ASSERT_TRUE(h.wait_bodies(room, 9));
  h.caught_up();
  h.run_for(100ms);
  EXPECT_EQ(h.fake.bot_bodies(room).size(), 9u);
  EXPECT_FALSE(h.fake.requests("messages").empty());
  const auto inc = h.incident(room);
  std::vector<std::string> facts;
  for (const auto& e : inc->timeline) {
    if (e.source == Source::command) facts.push_back(e.text);
  }
  ASSERT_EQ(facts.size(), 8u);
  for (int i = 1; i <= 8; ++i) EXPECT_EQ(facts[i - 1], "fact " + std::to_string(i));
}

TEST(MatrixCommands, AnEventDeliveredTwiceIsHandledOnce) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  const std::string start = h.fake.say(room, kAlice, "!incident start Twice");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  h.caught_up();
  h.fake.redeliver(start);
  h.fake.say(room, kAlice, "!incident log once");
  ASSERT_TRUE(h.wait_bodies(room, 2));
  h.caught_up();
  h.run_for(100ms);
  EXPECT_EQ(h.fake.bot_bodies(room).size(), 2u);
}

// Reminders on Matrix go through the outbox like every reply: to the room, once, across a
// restart.
TEST(MatrixCommands, AReminderGoesToTheRoomOnceAcrossARestart) {
  MatrixHarness h;
  // The fake homeserver stamps events with its own clock: the bot's follows the incident's.
  TimePoint now{};
  h.options.clock = [&] { return now; };
  h.options.remind_interval = 20ms;
  const std::string room = h.ready_room();
  h.fake.say(room, kAlice, "!incident start Checkout errors");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  auto asked = [&] {
    const auto bodies = h.fake.bot_bodies(room);
    return std::count_if(bodies.begin(), bodies.end(), [](const std::string& b) {
      return b.find("has no severity yet") != std::string::npos;
    });
  };
  const TimePoint opened = h.incident(room)->opened_at;
  now = opened + 14min;
  h.run_for(100ms);
  EXPECT_EQ(asked(), 0);
  now = opened + 16min;
  ASSERT_TRUE(h.run_until([&] { return asked() == 1; }));
  ASSERT_TRUE(h.stop());
  h.start();
  ASSERT_TRUE(h.caught_up());
  h.run_for(200ms);
  EXPECT_EQ(asked(), 1);
}

// `start … new` on Matrix: a room of the incident's own (createRoom with an alias, the declarer
// and whoever the title mentions invited), a link where it was declared, a topic that follows
// the incident, and read-only a while after close. A private incident's room is invite-only.
TEST(MatrixCommands, StartNewOpensARoomOfItsOwnWithALiveTopic) {
  MatrixHarness h;
  TimePoint now{};
  h.options.clock = [&] { return now; };
  h.options.remind_interval = 20ms;
  h.tune_settings = [](Settings& s) { s.remind.archive_after = std::chrono::hours{1}; };
  const std::string room = h.ready_room();
  h.fake.say(room, kAlice, "!incident start Checkout errors @bob:localhost sev2 new");
  ASSERT_TRUE(h.run_until(
      [&] { return bot_message(h.fake, room, "continues in its own channel").has_value(); }));
  const std::string body =
      (*bot_message(h.fake, room, "continues in its own channel"))["content"]["body"];
  EXPECT_TRUE(contains(body, "https://matrix.to/#/#inc-1-checkout-errors:localhost")) << body;
  const auto created = h.fake.rooms_created();
  ASSERT_EQ(created.size(), 1u);
  const std::string own = created[0];
  EXPECT_EQ(h.fake.membership(own, kAlice), "invite");
  EXPECT_EQ(h.fake.membership(own, kBob), "invite");
  EXPECT_EQ(h.fake.state(own, "m.room.join_rules")["join_rule"], "public");
  const std::string topic = h.fake.state(own, "m.room.topic").value("topic", "");
  EXPECT_TRUE(contains(
      topic, "INC-1 · Checkout errors @bob:localhost · sev2 · open · commander @alice:localhost"))
      << topic;
  ASSERT_TRUE(h.wait_bodies(own, 1));
  EXPECT_TRUE(contains(h.fake.bot_bodies(own)[0], "This channel is the incident's"));
  EXPECT_EQ(h.incident(own)->declared_in, room);

  // The invited join and work there; the topic follows.
  h.fake.join(own, kAlice);
  h.fake.say(own, kAlice, "!incident severity sev1");
  ASSERT_TRUE(h.run_until(
      [&] { return contains(h.fake.state(own, "m.room.topic").value("topic", ""), "sev1"); }));
  h.fake.say(own, kAlice, "!incident close rolled back");
  ASSERT_TRUE(h.run_until(
      [&] { return contains(h.fake.state(own, "m.room.topic").value("topic", ""), "closed"); }));
  EXPECT_EQ(h.fake.state(own, "m.room.power_levels")["events_default"], 0);
  now = *h.incident(own)->closed_at + 61min;
  ASSERT_TRUE(h.run_until(
      [&] { return h.fake.state(own, "m.room.power_levels")["events_default"] == 50; }));
  EXPECT_TRUE(contains(h.fake.bot_bodies(own).back(), "its channel is archived now"));

  // Private: invitation only. An alias someone else holds is not the incident's room.
  const std::string other = h.fake.create_room(kBob, {kBob}, "Bob's");
  h.fake.add_alias("#inc-2-db-down:localhost", other);
  h.fake.say(room, kAlice, "!incident start DB down private new");
  ASSERT_TRUE(
      h.run_until([&] { return bot_message(h.fake, room, "stays in this channel").has_value(); }));
  EXPECT_TRUE(contains((*bot_message(h.fake, room, "stays in this channel"))["content"]["body"],
                       "M_ROOM_IN_USE"));
  h.fake.say(room, kAlice, "!incident close");
  h.fake.say(room, kAlice, "!incident start Login failures private new");
  ASSERT_TRUE(h.run_until([&] { return h.fake.rooms_created().size() == 2; }));
  EXPECT_EQ(h.fake.state(h.fake.rooms_created()[1], "m.room.join_rules")["join_rule"], "invite");
}

// An incident declared in a room one must be invited to is private, as `start … private` makes
// it; in a room anyone may join it is not.
TEST(MatrixCommands, AnIncidentDeclaredInAnInviteOnlyRoomIsPrivate) {
  MatrixHarness h;
  const std::string room = h.ready_room();
  h.fake.set_state(room, kAlice, "m.room.join_rules", {{"join_rule", "invite"}});
  h.fake.say(room, kAlice, "!incident start Key leak sev1");
  ASSERT_TRUE(h.wait_bodies(room, 1));
  EXPECT_TRUE(contains(h.fake.bot_bodies(room)[0], "Private")) << h.fake.bot_bodies(room)[0];
  EXPECT_TRUE(h.incident(room)->is_private);

  const std::string open = h.ready_room("Open");
  h.fake.set_state(open, kAlice, "m.room.join_rules", {{"join_rule", "public"}});
  h.fake.say(open, kAlice, "!incident start Checkout errors");
  ASSERT_TRUE(h.wait_bodies(open, 1));
  EXPECT_FALSE(h.incident(open)->is_private);
}

}  // namespace
}  // namespace incident::testing
