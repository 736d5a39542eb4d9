// Every command and platform event end to end: the fake Slack delivers envelopes over WSS, the
// real adapter, engine and SQLite store handle them, replies come back through the Web API.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <fstream>
#include <iterator>

#include "slack/envelopes.h"
#include "slack/harness.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string text_of(const std::optional<ReceivedAck>& ack) {
  return ack && ack->payload.is_object() ? ack->payload.value("text", "") : "";
}

std::string type_of(const std::optional<ReceivedAck>& ack) {
  return ack && ack->payload.is_object() ? ack->payload.value("response_type", "") : "";
}

Incident current(SlackHarness& h, const std::string& channel = "C1") {
  auto inc = h.store->current_incident("slack", channel, IncidentView::all());
  EXPECT_TRUE(inc);
  return inc.value_or(Incident{});
}

TEST(SlackCommands, EveryCommandEndToEnd) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());

  auto ack = h.deliver(slash_envelope("start Checkout errors sev2"));
  ASSERT_TRUE(ack);
  EXPECT_EQ(type_of(ack), "in_channel");  // Audience::channel rides in the ack
  EXPECT_TRUE(has(text_of(ack), "INC-1")) << text_of(ack);
  EXPECT_TRUE(has(text_of(ack), "/incident log")) << "hints name the slash command";

  h.now += 5min;
  ack = h.deliver(slash_envelope("log the DB failover finished"));
  EXPECT_EQ(type_of(ack), "in_channel");
  EXPECT_TRUE(has(text_of(ack), "the DB failover finished"));
  ack = h.deliver(slash_envelope("action add a replica lag alert owner:<@U2|dana> due:2031-01-15"));
  EXPECT_TRUE(has(text_of(ack), "Action 1"));
  ack = h.deliver(slash_envelope("done 1"));
  EXPECT_EQ(type_of(ack), "in_channel");
  ack = h.deliver(slash_envelope("severity sev1"));
  EXPECT_TRUE(has(text_of(ack), "sev1"));
  ack = h.deliver(slash_envelope("role comms <@U3|erin>"));
  EXPECT_EQ(type_of(ack), "in_channel");
  ack = h.deliver(slash_envelope("status"));
  EXPECT_EQ(type_of(ack), "ephemeral");  // Audience::caller
  EXPECT_TRUE(has(text_of(ack), "INC-1"));
  ack = h.deliver(slash_envelope("help"));
  EXPECT_EQ(type_of(ack), "ephemeral");
  EXPECT_TRUE(has(text_of(ack), "/incident"));
  ack = h.deliver(slash_envelope("frobnicate now"));
  EXPECT_EQ(type_of(ack), "ephemeral");  // bad input: to the caller only

  // postmortem: the root is posted through the Web API (its ts anchors the thread).
  ack = h.deliver(slash_envelope("postmortem"));
  ASSERT_TRUE(ack);
  EXPECT_TRUE(ack->payload.is_null());
  ASSERT_TRUE(h.wait_posted(1));
  const StoredMessage root = h.fake.posted("C1").back();
  EXPECT_TRUE(has(root.text, "INC-1"));
  EXPECT_TRUE(root.thread_ts.empty());
  ASSERT_TRUE(h.run_until([&] { return current(h).postmortem_ref == root.ts; }));

  // A reply in that thread feeds the review.
  h.now += 1min;
  const std::string reply_ts = slack_ts(h.now);
  ack = h.deliver(event_envelope(
      message_event("C1", "U2", "1. the alert threshold was too high", reply_ts, root.ts), "EvT1"));
  ASSERT_TRUE(ack);
  ASSERT_EQ(current(h).review.size(), 1u);
  EXPECT_EQ(current(h).review[0].message_ref, reply_ts);

  // close: the confirmation in the channel, the draft in its thread.
  ack = h.deliver(slash_envelope("close rolled back release 42"));
  ASSERT_TRUE(ack);
  EXPECT_TRUE(ack->payload.is_null());
  ASSERT_TRUE(h.wait_posted(3));
  const auto posted = h.fake.posted("C1");
  const StoredMessage& closed = posted[1];
  EXPECT_TRUE(has(closed.text, "closed")) << closed.text;
  EXPECT_TRUE(closed.thread_ts.empty());
  EXPECT_EQ(posted[2].thread_ts, closed.ts);
  EXPECT_TRUE(has(posted[2].text, "Post-incident review (draft)")) << posted[2].text;
  EXPECT_EQ(current(h).status, Status::closed);

  ack = h.deliver(slash_envelope("draft"));
  ASSERT_TRUE(ack);
  // share: a preview for the caller only; `share confirm` posts the lessons to the lessons
  // channel, the confirmation to the caller in the ack.
  ack = h.deliver(slash_envelope("share"));
  EXPECT_EQ(type_of(ack), "ephemeral");
  EXPECT_TRUE(h.fake.posted("CLESSONS").empty());
  ack = h.deliver(slash_envelope("share confirm"));
  EXPECT_EQ(type_of(ack), "ephemeral");
  ASSERT_TRUE(h.run_until([&] { return !h.fake.posted("CLESSONS").empty(); }));
  EXPECT_TRUE(h.fake.posted("CLESSONS")[0].thread_ts.empty());
}

TEST(SlackCommands, TheAckComesOnlyAfterTheCommit) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  SqliteStore reader(h.db_path.string(), Durability::process);  // another connection
  std::map<std::string, std::string> key_of;                    // envelope_id -> idempotency key
  int checked = 0;
  h.fake.on_ack = [&](const ReceivedAck& ack) {
    auto key = key_of.find(ack.envelope_id);
    ASSERT_NE(key, key_of.end());
    EXPECT_TRUE(reader.find_processed(key->second)) << key->second << " acked before its commit";
    ++checked;
  };
  for (const char* text : {"start Disk full", "log cleaned /var/log", "severity sev3"}) {
    auto envelope = slash_envelope(text);
    key_of[envelope["envelope_id"]] =
        "slack:slash:" + envelope["payload"]["trigger_id"].get<std::string>();
    ASSERT_TRUE(h.deliver(envelope));
  }
  auto event = event_envelope(
      message_event("C1", "U2", "a thread reply", "1795960900.000100", "1795960800.000100"),
      "EvAck1");
  key_of[event["envelope_id"]] = "slack:EvAck1";
  ASSERT_TRUE(h.deliver(event));
  EXPECT_EQ(checked, 4);
}

TEST(SlackCommands, APushpinCapturesTheMessageAtItsOriginalTime) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  const std::string original = "1795960500.250000";  // 13:55:00.250, before the command
  h.fake.seed_message("C1", original, "U2", "DB primary is down &amp; failing over");

  auto ack = h.deliver(
      event_envelope(reaction_event("U3", "pushpin", "C1", original, slack_ts(h.now)), "EvPin1"));
  ASSERT_TRUE(ack);
  auto history = h.fake.calls("conversations.history");
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].fields["latest"], original);
  EXPECT_EQ(history[0].fields["inclusive"], "true");
  EXPECT_EQ(history[0].fields["limit"], "1");
  EXPECT_LT(history[0].at, ack->at);  // looked up before the ack

  auto inc = current(h);
  ASSERT_EQ(inc.timeline.size(), 2u);
  const TimelineEntry& pin = inc.timeline[1];
  EXPECT_EQ(pin.source, Source::pin);
  EXPECT_EQ(format_iso(pin.at), "2026-11-29T13:55:00.250Z");
  EXPECT_EQ(pin.text, "DB primary is down & failing over");
  EXPECT_EQ(pin.author, "U2");
  EXPECT_EQ(pin.message_ref, original);
  // The reactor alone is told.
  ASSERT_TRUE(h.run_until([&] { return !h.fake.posted("C1").empty(); }));
  EXPECT_TRUE(h.fake.posted("C1")[0].ephemeral);
  EXPECT_EQ(h.fake.posted("C1")[0].ephemeral_user, "U3");

  // Pinned again by someone else: once on the timeline.
  ASSERT_TRUE(h.deliver(event_envelope(
      reaction_event("U4", "pushpin", "C1", original, slack_ts(h.now + 1min)), "EvPin2")));
  EXPECT_EQ(current(h).timeline.size(), 2u);

  // A thread reply is not in the channel history: conversations.replies finds it.
  const std::string root = "1795960600.000100";
  const std::string in_thread = "1795960650.000100";
  h.fake.seed_message("C1", root, "U2", "thread root");
  h.fake.seed_message("C1", in_thread, "U5", "the replica lag was 40 s", root);
  ASSERT_TRUE(h.deliver(event_envelope(
      reaction_event("U3", "pushpin", "C1", in_thread, slack_ts(h.now + 2min)), "EvPin3")));
  EXPECT_EQ(h.fake.calls("conversations.replies").size(), 1u);
  inc = current(h);
  ASSERT_EQ(inc.timeline.size(), 3u);
  EXPECT_EQ(inc.timeline[2].text, "the replica lag was 40 s");
  EXPECT_EQ(inc.timeline[2].author, "U5");
}

TEST(SlackCommands, APinWhoseLookupFailsIsLeftForSlackToRedeliver) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  const std::string original = "1795960500.000100";
  h.fake.seed_message("C1", original, "U2", "alert fired");
  h.fake.fail_next("conversations.history", 500, 0, 4);  // every attempt of the first delivery
  auto event = reaction_event("U3", "pushpin", "C1", original, slack_ts(h.now));
  auto first = event_envelope(event, "EvPinX");
  h.fake.send(first);
  ASSERT_TRUE(h.run_until([&] {
    return h.counted(ops::series::kEventsRejected, {"slack", "events_api"}) == 1;
  }));
  EXPECT_TRUE(h.fake.acks().empty() || h.fake.acks().back().envelope_id != first["envelope_id"]);
  EXPECT_EQ(current(h).timeline.size(), 1u);
  // Slack's retry: a new envelope, the same event_id.
  ASSERT_TRUE(h.deliver(event_envelope(event, "EvPinX", 1)));
  EXPECT_EQ(current(h).timeline.size(), 2u);
}

TEST(SlackCommands, ADirectMessageIsAnsweredPrivatelyInTheDm) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(
      event_envelope(message_event("D1", "U2", "I clicked a link in an email, is this safe?",
                                   "1795960800.000100", {}, "im"),
                     "EvDM1")));
  ASSERT_TRUE(h.wait_posted(1));
  h.run_for(100ms);
  const auto posted = h.fake.posted();
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].channel, "D1");
  EXPECT_FALSE(posted[0].ephemeral);
  EXPECT_TRUE(h.fake.calls("users.info").empty());  // an asker's name is never looked up
  EXPECT_FALSE(h.store->current_incident("slack", "D1", IncidentView::all()));
}

// `/incident web`: the link goes to the caller's DM (conversations.open), never the channel, and
// only its hash is stored; the reply kept for a redelivery holds a note, not the link.
TEST(SlackCommands, TheWebLinkGoesToTheCallersDirectMessagesOnly) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  h.engine->set_sign_in_issuer([](const InboundEvent&, std::int64_t) {
    return Engine::IssuedSignIn{"https://review.example.org/login/SECRET-TOKEN", "hash-of-token",
                                TimePoint{} + std::chrono::hours{1}};
  });
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  ASSERT_TRUE(h.deliver(slash_envelope("web", "U2")));
  ASSERT_TRUE(h.run_until([&] {
    for (const auto& m : h.fake.posted()) {
      if (m.text.find("SECRET-TOKEN") != std::string::npos) return true;
    }
    return false;
  }));
  h.run_for(100ms);
  for (const auto& m : h.fake.posted()) {
    if (m.text.find("SECRET-TOKEN") == std::string::npos) continue;
    EXPECT_EQ(m.channel, "DU2");  // the fake's DM channel with U2
    EXPECT_FALSE(m.ephemeral);
  }
  ASSERT_FALSE(h.fake.calls("conversations.open").empty());
  EXPECT_EQ(h.fake.calls("conversations.open").back().fields.at("users"), "U2");
  for (const auto& call : h.fake.calls("chat.postMessage")) {
    if (call.fields.at("text").find("SECRET-TOKEN") == std::string::npos) continue;
    EXPECT_EQ(call.fields.at("unfurl_links"), "false");
    EXPECT_EQ(call.fields.at("unfurl_media"), "false");
  }
  h.stop();
  std::ifstream file(h.db_path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(bytes.find("SECRET-TOKEN"), std::string::npos);
}

// `publish confirm` shares the post-mortem as a Markdown file through Slack's external upload
// flow; the review page's Publish button (PlatformAdapter::submit) takes the same path, its
// confirmation for the caller kept off the channel. Without files:write the comment still says
// what happened.
TEST(SlackCommands, PublishUploadsThePostMortemAsAFile) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  ASSERT_TRUE(h.deliver(slash_envelope("log rolled back release 42")));
  ASSERT_TRUE(h.deliver(slash_envelope("close")));
  ASSERT_TRUE(h.wait_posted(2));
  ASSERT_TRUE(h.deliver(slash_envelope("publish confirm")));
  ASSERT_TRUE(h.run_until([&] { return !h.fake.files().empty(); }));
  const SharedFile file = h.fake.files()[0];
  EXPECT_EQ(file.channel, "C1");
  EXPECT_EQ(file.filename, "INC-1-postmortem.md");
  EXPECT_TRUE(has(file.content, "rolled back release 42")) << file.content;
  EXPECT_TRUE(has(file.comment, "post-mortem of INC-1")) << file.comment;
  const auto announced = h.fake.calls("files.getUploadURLExternal");
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].fields.at("length"), std::to_string(file.content.size()));
  ASSERT_TRUE(current(h).published_at.has_value());

  // The page links entries back to their messages (auth.test's workspace URL).
  EXPECT_EQ(h.adapter->message_link("C1", "1700000000.000100"),
            "https://fake.slack.com/archives/C1/p1700000000000100");
  EXPECT_EQ(h.adapter->message_link("C1", "slack:cmd-1"), "");

  // The page's button: the same command on the signed-in user's behalf.
  InboundEvent pressed;
  pressed.key = "web:press-1";
  pressed.platform = "slack";
  pressed.channel = "C1";
  pressed.user = "U1";
  pressed.at = h.now;
  pressed.body = in::CommandText{"publish INC-1 confirm"};
  const auto outcome = h.adapter->submit(pressed);
  ASSERT_TRUE(outcome);
  ASSERT_TRUE(h.run_until([&] { return h.fake.files().size() == 2; }));
  EXPECT_TRUE(has(h.fake.files()[1].comment, "updated version")) << h.fake.files()[1].comment;
  const auto ephemerals = h.fake.calls("chat.postEphemeral").size();
  h.run_for(100ms);
  EXPECT_EQ(h.fake.calls("chat.postEphemeral").size(), ephemerals);

  // No files:write: the comment alone.
  h.fake.error_next("files.getUploadURLExternal", "missing_scope");
  const auto messages = h.fake.posted("C1").size();
  pressed.key = "web:press-2";
  ASSERT_TRUE(h.adapter->submit(pressed));
  ASSERT_TRUE(h.run_until([&] { return h.fake.posted("C1").size() > messages; }));
  EXPECT_TRUE(has(h.fake.posted("C1").back().text, "post-mortem of INC-1"));
  EXPECT_EQ(h.fake.files().size(), 2u);
}

TEST(SlackCommands, ChannelMembersAreAskedPageByPage) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  h.fake.set_members("C1", {"U1", "U2", "U3", "U4", "U5"});
  auto ask = [&](std::string channel, std::string user) {
    std::optional<std::optional<bool>> answer;
    boost::asio::co_spawn(h.io, h.adapter->is_member(channel, user),
                          [&](std::exception_ptr, std::optional<bool> r) { answer = r; });
    EXPECT_TRUE(h.run_until([&] { return answer.has_value(); }));
    return answer.value_or(std::nullopt);
  };
  EXPECT_EQ(ask("C1", "U5"), std::optional<bool>(true));  // on the third page
  EXPECT_EQ(h.fake.calls("conversations.members").size(), 3u);
  EXPECT_EQ(ask("C1", "U9"), std::optional<bool>(false));
  EXPECT_EQ(ask("C404", "U1"), std::nullopt);  // cannot tell: the page denies
}

TEST(SlackCommands, EditsAndDeletionsFollowTheCapturedMessage) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  const std::string original = "1795960500.000100";
  h.fake.seed_message("C1", original, "U2", "error rate 5%");
  ASSERT_TRUE(h.deliver(event_envelope(
      reaction_event("U2", "pushpin", "C1", original, "1795960810.000100"), "EvP1")));
  ASSERT_TRUE(h.deliver(event_envelope(
      changed_event("C1", "U2", original, "error rate 8%", "1795960820.000100"), "EvE1")));
  EXPECT_EQ(current(h).timeline[1].text, "error rate 8%");
  ASSERT_TRUE(
      h.deliver(event_envelope(deleted_event("C1", original, "1795960830.000100"), "EvD1")));
  EXPECT_TRUE(current(h).timeline[1].deleted);
}

TEST(SlackCommands, ARedeliveredEnvelopeChangesNothingAndIsNotAnsweredTwice) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  const std::string original = "1795960500.000100";
  h.fake.seed_message("C1", original, "U2", "alert fired");
  auto event = reaction_event("U3", "pushpin", "C1", original, slack_ts(h.now));
  ASSERT_TRUE(h.deliver(event_envelope(event, "EvDup")));
  ASSERT_TRUE(h.wait_posted(1));
  // Redelivered (a retry after a slow ack, maybe on another connection): acked again, but
  // nothing changes and nothing is posted again.
  ASSERT_TRUE(h.deliver(event_envelope(event, "EvDup", 1)));
  ASSERT_TRUE(h.deliver(event_envelope(event, "EvDup", 2)));
  h.run_for(100ms);
  EXPECT_EQ(current(h).timeline.size(), 2u);
  EXPECT_EQ(h.fake.posted().size(), 1u);
  EXPECT_EQ(h.counted(ops::series::kEventsDeduplicated, {"slack", "events_api"}), 2);

  // The same slash command delivered twice (same trigger_id): once.
  auto log = slash_envelope("log first fact");
  ASSERT_TRUE(h.deliver(log));
  log["envelope_id"] = next_envelope_id();
  auto again = h.deliver(log);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->payload.is_null());
  EXPECT_EQ(current(h).timeline.size(), 3u);
}

TEST(SlackCommands, RateLimitedPostsWaitForRetryAfter) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  h.fake.fail_next("chat.postMessage", 429, 1);
  auto ack = h.deliver(slash_envelope("postmortem"));
  ASSERT_TRUE(ack);
  ASSERT_TRUE(h.wait_posted(1));
  const auto calls = h.fake.calls("chat.postMessage");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_GE(calls[1].at - calls[0].at, 1s);  // Retry-After: 1
  EXPECT_LT(ack->at, calls[1].at);           // the ack did not wait for it
}

// Slack refuses posts for a long while (429s) as questions keep coming: the replies beyond the
// cap wait in the outbox, not in memory, and each is posted once when Slack takes them again.
TEST(SlackCommands, ALongRateLimitKeepsFewRepliesInMemoryAndLosesNone) {
  SlackHarness h;
  h.options.reply_queue_max = 4;
  ASSERT_TRUE(h.start_ready());
  h.fake.fail_next("chat.postMessage", 429, 1, 12);
  constexpr int kAsks = 16;
  std::size_t most = 0;
  for (int n = 0; n < kAsks; ++n) {
    h.now += 1s;
    const auto ask =
        message_event("D" + std::to_string(n), "U2", "I clicked a link in an email, is this safe?",
                      slack_ts(h.now), {}, "im");
    ASSERT_TRUE(h.deliver(event_envelope(ask, "EvStorm" + std::to_string(n))));
    most = std::max(most, h.adapter->queued_replies());
  }
  auto answered = [&] {
    for (int n = 0; n < kAsks; ++n) {
      most = std::max(most, h.adapter->queued_replies());
      if (h.fake.posted("D" + std::to_string(n)).empty()) return false;
    }
    return true;
  };
  ASSERT_TRUE(h.run_until(answered, 30s));
  h.run_for(300ms);
  EXPECT_LE(most, 4u);
  for (int n = 0; n < kAsks; ++n) {
    EXPECT_EQ(h.fake.posted("D" + std::to_string(n)).size(), 1u) << n;
  }
  EXPECT_EQ(h.adapter->queued_replies(), 0u);
  EXPECT_TRUE(h.store->pending_requests("slack").empty());
}

TEST(SlackCommands, PostsArePacedPerChannel) {
  SlackHarness h;
  h.options.web.post_interval = 300ms;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  ASSERT_TRUE(h.deliver(slash_envelope("close fixed")));  // a confirmation, then the draft
  ASSERT_TRUE(h.wait_posted(2));
  const auto calls = h.fake.calls("chat.postMessage");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_GE(calls[1].at - calls[0].at, 290ms);
}

TEST(SlackCommands, ARestartWithTheSameDatabaseContinuesWhereItWas) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  auto log = slash_envelope("log first fact");
  ASSERT_TRUE(h.deliver(log));

  h.restart();
  ASSERT_TRUE(h.run_until([&] { return h.adapter->ready(); }));
  EXPECT_TRUE(h.fake.sockets()[0].client_close_frame);
  // The envelope acked before the restart, delivered again: already recorded.
  log["envelope_id"] = next_envelope_id();
  ASSERT_TRUE(h.deliver(log));
  EXPECT_EQ(h.counted(ops::series::kEventsDeduplicated, {"slack", "slash_commands"}), 1);
  auto ack = h.deliver(slash_envelope("log second fact"));
  EXPECT_TRUE(has(text_of(ack), "INC-1"));
  const auto inc = current(h);
  EXPECT_EQ(inc.timeline.size(), 3u);  // declared, first, second
}

TEST(SlackCommands, MentioningTheBotShowsHelpToTheMentioner) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  auto mention = fixture("envelope_events_api_app_mention.json");
  mention["envelope_id"] = next_envelope_id();
  ASSERT_TRUE(h.deliver(mention));
  ASSERT_TRUE(h.wait_posted(1));
  const auto posted = h.fake.posted("C111");
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_TRUE(posted[0].ephemeral);
  EXPECT_EQ(posted[0].ephemeral_user, "U222");
  EXPECT_TRUE(has(posted[0].text, "/incident"));
}

TEST(SlackCommands, ParticipantsNamesAreLookedUpOnce) {
  SlackHarness h;
  h.fake.set_user_name("U1", "Dana Scully");
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  ASSERT_TRUE(h.deliver(slash_envelope("log one")));
  ASSERT_TRUE(h.deliver(slash_envelope("log two")));
  ASSERT_TRUE(h.run_until([&] { return !h.fake.calls("users.info").empty(); }));
  h.run_for(100ms);
  ASSERT_EQ(h.fake.calls("users.info").size(), 1u);
  EXPECT_EQ(h.fake.calls("users.info")[0].fields["user"], "U1");
}

TEST(SlackCommands, ALongDraftIsSplitIntoSeveralMessagesInTheThread) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  for (int i = 0; i < 60; ++i) {
    h.now += 1min;
    ASSERT_TRUE(
        h.deliver(slash_envelope("log fact " + std::to_string(i) + ": " + std::string(80, 'x'))));
  }
  ASSERT_TRUE(h.deliver(slash_envelope("close")));
  ASSERT_TRUE(h.run_until([&] { return h.fake.posted("C1").size() >= 3; }));
  h.run_for(200ms);
  const auto posted = h.fake.posted("C1");
  const std::string root = posted[0].ts;
  for (std::size_t i = 1; i < posted.size(); ++i) {
    EXPECT_EQ(posted[i].thread_ts, root);
    EXPECT_LE(posted[i].text.size(), 4400u);
  }
}

TEST(SlackCommands, AReportReachesTheSecurityChannelAndItsThreadReachesTheAsker) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  auto dm = [&](const std::string& text, const std::string& event_id) {
    h.now += 1s;
    return h.deliver(
        event_envelope(message_event("D1", "U2", text, slack_ts(h.now), {}, "im"), event_id));
  };
  ASSERT_TRUE(dm("I clicked a link in an email, is this safe?", "EvQ1"));
  ASSERT_TRUE(dm("report", "EvQ2"));
  // The case goes to the security channel, top level, without the asker's id.
  ASSERT_TRUE(h.run_until([&] { return !h.fake.posted("CSECURITY").empty(); }));
  const StoredMessage post = h.fake.posted("CSECURITY")[0];
  EXPECT_TRUE(post.thread_ts.empty());
  EXPECT_FALSE(has(post.text, "U2"));
  // Its ts is reported back (Anchor::security_case), so a reply in its thread is relayed.
  ASSERT_TRUE(h.run_until([&] { return h.fake.posted("D1").size() >= 2; }));
  const std::size_t before = h.fake.posted("D1").size();
  h.now += 1min;
  ASSERT_TRUE(h.deliver(event_envelope(
      message_event("CSECURITY", "U9", "Thanks, we blocked that sender.", slack_ts(h.now), post.ts),
      "EvS1")));
  ASSERT_TRUE(h.run_until([&] { return h.fake.posted("D1").size() > before; }));
  EXPECT_TRUE(has(h.fake.posted("D1").back().text, "blocked that sender"));
  EXPECT_FALSE(h.fake.posted("D1").back().ephemeral);
}

// A reminder goes to the incident's channel when it falls due, once: not again on later looks,
// nor after the bot restarts.
TEST(SlackCommands, AReminderGoesToTheIncidentChannelOnceAcrossARestart) {
  SlackHarness h;
  h.options.remind_interval = 20ms;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors")));
  auto asked = [&] {
    int n = 0;
    for (const auto& m : h.fake.posted("C1")) {
      if (m.text.find("has no severity yet") != std::string::npos) ++n;
    }
    return n;
  };
  h.run_for(100ms);
  EXPECT_EQ(asked(), 0);
  h.now += 16min;
  ASSERT_TRUE(h.run_until([&] { return asked() == 1; }));
  h.run_for(100ms);
  ASSERT_TRUE(h.stop());
  ASSERT_TRUE(h.start_ready());
  h.run_for(200ms);
  EXPECT_EQ(asked(), 1);
  EXPECT_EQ(h.counted(ops::series::kReminders, {"slack", "no_severity"}), 1);

  // An action item's owner hears on its due date, privately (conversations.open with them).
  ASSERT_TRUE(h.deliver(slash_envelope("severity sev2")));
  ASSERT_TRUE(h.deliver(slash_envelope("action alert on queue depth owner:<@U2> due:2026-11-30")));
  ASSERT_TRUE(h.deliver(slash_envelope("close rolled back")));
  h.now = from_unix_ms(1795960800000) + 19h;  // 2026-11-30 09:00 UTC
  ASSERT_TRUE(h.run_until([&] { return !h.fake.posted("DU2").empty(); }));
  h.run_for(100ms);
  const auto dms = h.fake.posted("DU2");
  ASSERT_EQ(dms.size(), 1u);
  EXPECT_NE(dms[0].text.find("Action 1 of INC-1 is due today"), std::string::npos) << dms[0].text;
  EXPECT_EQ(h.fake.calls("conversations.open").back().fields.at("users"), "U2");

  // Still open a week later: the Monday digest in the lessons channel lists it.
  h.now = from_unix_ms(1795960800000) + 24h * 8 - 4h;  // 2026-12-07 10:00 UTC
  ASSERT_TRUE(h.run_until([&] { return !h.fake.posted("CLESSONS").empty(); }));
  h.run_for(100ms);
  const auto lessons = h.fake.posted("CLESSONS");
  ASSERT_EQ(lessons.size(), 1u);
  EXPECT_NE(lessons[0].text.find("1. alert on queue depth"), std::string::npos) << lessons[0].text;
}

// `start … new`: the incident gets a channel of its own (conversations.create, invite,
// setTopic), the channel where it was declared links to it, the topic follows the severity and
// the status, and the channel is archived a while after close.
TEST(SlackCommands, StartNewOpensAChannelOfItsOwnWithALiveTopic) {
  SlackHarness h;
  h.options.remind_interval = 20ms;
  h.tune_settings = [](Settings& s) { s.remind.archive_after = std::chrono::hours{2}; };
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors <@U2|dana> sev2 new")));
  ASSERT_TRUE(h.run_until([&] { return h.fake.posted("C900").size() == 1; }));
  const auto channels = h.fake.channels();
  ASSERT_EQ(channels.size(), 1u);
  EXPECT_EQ(channels[0].name, "inc-1-checkout-errors");
  EXPECT_FALSE(channels[0].is_private);
  EXPECT_EQ(channels[0].members, (std::vector<std::string>{kBotUser, "U1", "U2"}));
  EXPECT_TRUE(has(channels[0].topic, "INC-1 · Checkout errors") && has(channels[0].topic, "sev2") &&
              has(channels[0].topic, "open") && has(channels[0].topic, "<@U1>"))
      << channels[0].topic;
  EXPECT_TRUE(has(h.fake.posted("C900")[0].text, "This channel is the incident's"));
  ASSERT_TRUE(h.run_until([&] {
    const auto posted = h.fake.posted("C1");
    return !posted.empty() && has(posted.back().text, "continues in its own channel");
  }));
  EXPECT_TRUE(has(h.fake.posted("C1").back().text, "https://fake.slack.com/archives/C900"));
  const Incident moved = current(h, "C900");
  EXPECT_EQ(moved.number, 1);
  EXPECT_EQ(moved.declared_in, "C1");
  EXPECT_FALSE(h.store->current_incident("slack", "C1", IncidentView::all()));

  // Commands go to the new channel now, and the topic follows.
  auto in_new = [](const std::string& text) { return slash_envelope(text, "U1", "C900"); };
  ASSERT_TRUE(h.deliver(in_new("severity sev1")));
  ASSERT_TRUE(h.run_until([&] { return has(h.fake.channels()[0].topic, "sev1"); }));
  h.now += 30min;
  ASSERT_TRUE(h.deliver(in_new("close rolled back")));
  ASSERT_TRUE(h.run_until([&] { return has(h.fake.channels()[0].topic, "closed"); }));
  EXPECT_FALSE(h.fake.channels()[0].archived);
  h.now += 2h;  // archive_after
  ASSERT_TRUE(h.run_until([&] { return h.fake.channels()[0].archived; }));
  EXPECT_TRUE(has(h.fake.posted("C900").back().text, "its channel is archived now"));
  // A restart does not open, announce or archive anything again.
  ASSERT_TRUE(h.stop());
  ASSERT_TRUE(h.start_ready());
  h.run_for(200ms);
  EXPECT_EQ(h.fake.calls("conversations.create").size(), 1u);
  EXPECT_EQ(h.fake.calls("conversations.archive").size(), 1u);
}

// Without the scopes to create channels, the incident stays where it was declared, which says
// why.
TEST(SlackCommands, StartNewWithoutTheScopeStaysInTheChannelAndSaysWhy) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  h.fake.error_next("conversations.create", "missing_scope");
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors private new")));
  ASSERT_TRUE(h.run_until([&] {
    const auto posted = h.fake.posted("C1");
    return !posted.empty() && has(posted.back().text, "stays in this channel");
  }));
  EXPECT_TRUE(has(h.fake.posted("C1").back().text, "missing_scope"));
  EXPECT_EQ(h.fake.calls("conversations.create").at(0).fields.at("is_private"), "true");
  EXPECT_TRUE(h.fake.channels().empty());
  EXPECT_EQ(current(h, "C1").number, 1);
  EXPECT_TRUE(current(h, "C1").declared_in.empty());
}

// A create repeated after a crash (the channel was made, the move not yet recorded) answers
// name_taken: the channel of that name the bot is in is found (conversations.list) and used, so
// there is never a second one. A channel of that name the bot is not in is someone else's.
TEST(SlackCommands, StartNewFindsTheChannelACrashLeftBehind) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  h.fake.add_channel({"C777", "inc-1-other", false, {}, false, {"U5"}});
  h.fake.add_channel({"G778", "inc-1-checkout-errors", true, {}, false, {kBotUser}});
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors new")));
  ASSERT_TRUE(h.run_until([&] { return h.fake.posted("G778").size() == 1; }));
  EXPECT_EQ(h.fake.channels().size(), 2u);
  EXPECT_EQ(h.fake.calls("conversations.list").size(), 1u);
  EXPECT_EQ(current(h, "G778").declared_in, "C1");

  h.fake.add_channel({"C779", "inc-2-db-down", false, {}, false, {"U5"}});
  ASSERT_TRUE(h.deliver(slash_envelope("start DB down new", "U1", "C2")));
  ASSERT_TRUE(h.run_until([&] {
    const auto posted = h.fake.posted("C2");
    return !posted.empty() && has(posted.back().text, "stays in this channel");
  }));
  EXPECT_TRUE(has(h.fake.posted("C2").back().text, "name_taken"));
  EXPECT_TRUE(h.fake.posted("C779").empty());
}

// An incident declared in a private channel is private: Slack says so in a message event's
// channel_type, or conversations.info does when a `start` comes first (asked once per channel).
TEST(SlackCommands, AnIncidentDeclaredInAPrivateChannelIsPrivate) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  h.fake.add_channel({"C5", "secret-project", true, {}, false, {kBotUser}});
  auto ack = h.deliver(slash_envelope("start Key leak sev1", "U1", "C5"));
  ASSERT_TRUE(ack);
  EXPECT_TRUE(has(text_of(ack), "Private")) << text_of(ack);
  EXPECT_TRUE(current(h, "C5").is_private);
  ASSERT_TRUE(h.deliver(slash_envelope("close", "U1", "C5")));
  ASSERT_TRUE(h.deliver(slash_envelope("start Key leak again", "U1", "C5")));
  EXPECT_TRUE(current(h, "C5").is_private);
  EXPECT_EQ(h.fake.calls("conversations.info").size(), 1u);  // remembered

  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors", "U1", "C1")));
  EXPECT_FALSE(current(h, "C1").is_private);
  // A public channel's answer is remembered too, and only `start` asks.
  ASSERT_TRUE(h.deliver(slash_envelope("close", "U1", "C1")));
  ASSERT_TRUE(h.deliver(slash_envelope("start Checkout errors again", "U1", "C1")));
  ASSERT_TRUE(h.deliver(slash_envelope("status", "U1", "C7")));
  EXPECT_EQ(h.fake.calls("conversations.info").size(), 2u);

  // A message event says so itself: no question needed.
  ASSERT_TRUE(h.deliver(event_envelope({{"type", "message"},
                                        {"channel", "C8"},
                                        {"channel_type", "group"},
                                        {"user", "U1"},
                                        {"text", "hello"},
                                        {"ts", "1795960800.000100"}},
                                       "Ev800")));
  ack = h.deliver(slash_envelope("start DB down", "U1", "C8"));
  EXPECT_TRUE(has(text_of(ack), "Private")) << text_of(ack);
  EXPECT_EQ(h.fake.calls("conversations.info").size(), 2u);
}

// A private security incident on Slack: the advisor says nothing of it to someone outside it,
// publishing keeps its lessons out of the lessons channel (only `share confirm` posts them), and
// its draft has the key moments, the worst severity and the security sections.
TEST(SlackCommands, APrivateSecurityIncidentStaysWithItsPeople) {
  SlackHarness h;
  ASSERT_TRUE(h.start_ready());
  ASSERT_TRUE(h.deliver(slash_envelope("start payments-api key leak sev2 private security")));
  ASSERT_TRUE(h.deliver(slash_envelope("severity sev1")));
  ASSERT_TRUE(h.deliver(slash_envelope("milestone detected")));
  ASSERT_TRUE(
      h.deliver(slash_envelope("notify the data protection authority by 2031-01-01 10:00")));
  auto ask = [&](const std::string& user, const std::string& id) {
    const std::string dm = "D" + user;
    const std::size_t before = h.fake.posted(dm).size();
    EXPECT_TRUE(h.deliver(
        event_envelope(message_event(dm, user, "is it safe to restart payments-api right now?",
                                     "1795960900.0001" + std::to_string(before), {}, "im"),
                       id)));
    EXPECT_TRUE(h.run_until([&] { return h.fake.posted(dm).size() > before; }));
    return h.fake.posted(dm).back().text;
  };
  const std::string outsider = ask("U9", "EvAsk1");
  EXPECT_FALSE(has(outsider, "INC-1")) << outsider;
  EXPECT_FALSE(has(outsider, "key leak")) << outsider;
  EXPECT_FALSE(has(outsider, "U1")) << outsider;
  const std::string member = ask("U1", "EvAsk2");
  EXPECT_TRUE(has(member, "INC-1")) << member;

  h.now += 40min;
  ASSERT_TRUE(h.deliver(slash_envelope("close keys rotated")));
  ASSERT_TRUE(h.run_until([&] {
    for (const auto& m : h.fake.posted("C1")) {
      if (has(m.text, "Indicators of compromise")) return true;
    }
    return false;
  }));
  std::string draft;
  for (const auto& m : h.fake.posted("C1")) draft += m.text + "\n";
  for (const char* part :
       {"sev1", "Key moments", "Time to detect", "Affected data and systems", "Notifications",
        "the data protection authority — by 2031-01-01 "
        "10:00 UTC — *not yet*"}) {
    EXPECT_TRUE(has(draft, part)) << part << "\n" << draft;
  }
  ASSERT_TRUE(h.deliver(slash_envelope("postmortem")));
  std::string root;
  ASSERT_TRUE(h.run_until([&] {
    for (const auto& m : h.fake.posted("C1")) {
      if (has(m.text, "Post-incident review of INC-1")) root = m.ts;
    }
    return !root.empty();
  }));
  ASSERT_TRUE(h.deliver(event_envelope(
      message_event("C1", "U1", "learn: rotate keys every quarter", "1795961900.000100", root),
      "EvLearn")));
  ASSERT_TRUE(h.deliver(slash_envelope("publish confirm")));
  ASSERT_TRUE(h.run_until([&] { return !h.fake.files().empty(); }));
  h.run_for(100ms);
  EXPECT_TRUE(h.fake.posted("CLESSONS").empty());
  ASSERT_TRUE(h.deliver(slash_envelope("share confirm")));
  ASSERT_TRUE(h.run_until([&] { return !h.fake.posted("CLESSONS").empty(); }));
  EXPECT_TRUE(has(h.fake.posted("CLESSONS")[0].text, "rotate keys every quarter"));
}

}  // namespace
}  // namespace incident::testing
