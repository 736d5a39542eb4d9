// The domain's decisions, on plain literals: no storage, no clock.
#include <gtest/gtest.h>

#include <algorithm>

#include "bot/draft/draft.h"
#include "bot/engine/engine.h"
#include "bot/model/command.h"
#include "bot/text/markup.h"
#include "prompts/embedded.h"
#include "support/events.h"

namespace incident {
namespace {

using testing::at;
using testing::command;
using testing::event;

const Prompts& prompts() {
  static const Prompts p = Prompts::load(embedded_prompts());
  return p;
}

// Runs events through decide(), applying the changes to one in-memory incident per channel the
// way storage would, and keeps the last decision for assertions.
class Channel {
 public:
  explicit Channel(Settings settings = {}) : settings_(std::move(settings)) {}

  const Decision& send(const InboundEvent& e) {
    Context ctx;
    ctx.current = current_;
    ctx.next_number = next_number_;
    ctx.command = parse_event_command(e);
    last_ = decide(ctx, e, prompts(), settings_);
    for (const auto& c : last_.changes) {
      if (c.incident == 0) continue;  // "is this safe?" cases belong to no incident
      if (std::holds_alternative<change::Opened>(c.body)) {
        current_ = Incident{};
        current_->number = c.incident;
        next_number_ = c.incident + 1;
      }
      EXPECT_EQ(c.incident, current_->number);
      apply_change(*current_, c.body);
    }
    return last_;
  }
  const Decision& say(const std::string& key, const std::string& text, TimePoint when,
                      const std::string& user = "U1") {
    return send(command(key, text, when, user));
  }
  const Incident& incident() const { return *current_; }
  bool has_incident() const { return current_.has_value(); }
  // A section rewritten on the review page (storage keeps those outside the changes).
  void rewrite(const std::string& key, const std::string& text) {
    current_->sections[key] = SectionText{text, 1, "U1", {}};
  }
  void set_next_number(std::int64_t n) { next_number_ = n; }

 private:
  Settings settings_;
  std::optional<Incident> current_;
  std::int64_t next_number_ = 1;
  Decision last_;
};

// Replies are bot Markdown with literal and mention spans: compare what the console shows.
bool contains(const std::string& haystack, const std::string& needle) {
  return markup::to_markdown(haystack).find(needle) != std::string::npos;
}

TEST(Domain, StartDeclaresAnIncidentWithTheCallerAsCommander) {
  Channel ch;
  ch.set_next_number(12);
  const auto& d = ch.say("1", "start Checkout is failing sev2", at(14, 0));
  ASSERT_EQ(d.replies.size(), 1u);
  EXPECT_EQ(d.replies[0].audience, Audience::channel);
  EXPECT_TRUE(contains(d.replies[0].text, "INC-12")) << d.replies[0].text;
  EXPECT_TRUE(contains(d.replies[0].text, "Checkout is failing"));
  const Incident& inc = ch.incident();
  EXPECT_EQ(inc.id(), "INC-12");
  EXPECT_EQ(inc.title, "Checkout is failing");
  EXPECT_EQ(inc.severity, Severity::sev2);
  EXPECT_EQ(inc.roles.at(Role::commander), "U1");
  EXPECT_EQ(inc.opened_at, at(14, 0));
  ASSERT_EQ(inc.timeline.size(), 1u);
  EXPECT_EQ(inc.timeline[0].source, Source::system);
}

TEST(Domain, OneOpenIncidentPerChannel) {
  Channel ch;
  ch.say("1", "start First", at(14, 0));
  const auto& d = ch.say("2", "start Second", at(14, 1));
  EXPECT_TRUE(d.changes.empty());
  ASSERT_EQ(d.replies.size(), 1u);
  EXPECT_EQ(d.replies[0].audience, Audience::caller);
  EXPECT_TRUE(contains(d.replies[0].text, "INC-1"));
  EXPECT_EQ(ch.incident().title, "First");
}

TEST(Domain, CommandsThatNeedAnIncidentSaySoAndChangeNothing) {
  Channel ch;
  for (const char* text : {"log something", "severity sev1", "role comms @dana", "close", "status",
                           "action fix it", "done 1", "draft", "postmortem"}) {
    const auto& d = ch.say(text, text, at(9, 0));
    EXPECT_TRUE(d.changes.empty()) << text;
    ASSERT_EQ(d.replies.size(), 1u) << text;
    EXPECT_EQ(d.replies[0].audience, Audience::caller) << text;
  }
  EXPECT_FALSE(ch.has_incident());
}

TEST(Domain, BadInputGetsTheUsageLineToTheCallerOnly) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  const auto before = ch.incident().timeline.size();
  const auto& d = ch.say("2", "log", at(10, 1));
  EXPECT_TRUE(d.changes.empty());
  ASSERT_EQ(d.replies.size(), 1u);
  EXPECT_EQ(d.replies[0].audience, Audience::caller);
  EXPECT_TRUE(contains(d.replies[0].text, "!incident log [<time>] <fact>")) << d.replies[0].text;
  const auto& u = ch.say("3", "frobnicate now", at(10, 2));
  EXPECT_TRUE(u.changes.empty());
  EXPECT_TRUE(contains(u.replies.at(0).text, "frobnicate")) << u.replies.at(0).text;
  EXPECT_TRUE(contains(u.replies.at(0).text, "help"));
  EXPECT_EQ(ch.incident().timeline.size(), before);
}

TEST(Domain, LogUsesTheMessageTimeOrTheBackDatedTime) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  ch.say("2", "log DB failover started", at(10, 30));
  ch.say("3", "log 10:05 first alert fired", at(10, 31));
  const auto& d = ch.say("4", "log 2026-11-29T11:20+01:00 deploy began", at(10, 32));
  EXPECT_EQ(d.replies.at(0).audience, Audience::channel);
  const auto entries = ch.incident().ordered_timeline();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[1].text, "first alert fired");
  EXPECT_EQ(entries[1].at, at(10, 5));
  EXPECT_EQ(entries[2].text, "deploy began");
  EXPECT_EQ(entries[2].at, at(10, 20));
  EXPECT_EQ(entries[3].text, "DB failover started");
  EXPECT_EQ(entries[3].at, at(10, 30));
  EXPECT_EQ(entries[3].source, Source::command);
  EXPECT_EQ(entries[3].author, "U1");
  EXPECT_EQ(entries[3].message_ref, "ref-2");
}

TEST(Domain, SameTimeEntriesKeepTheirInsertionOrder) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  ch.say("2", "log 10:10 b", at(10, 20));
  ch.say("3", "log 10:10 c", at(10, 21));
  ch.say("4", "log 10:05 a", at(10, 22));
  const auto entries = ch.incident().ordered_timeline();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[1].text, "a");
  EXPECT_EQ(entries[2].text, "b");
  EXPECT_EQ(entries[3].text, "c");
}

TEST(Domain, SeverityChangesGoOnTheTimelineWithOldAndNewValue) {
  Channel ch;
  ch.say("1", "start Outage sev3", at(10, 0));
  const auto& d = ch.say("2", "severity sev1", at(10, 5));
  EXPECT_EQ(ch.incident().severity, Severity::sev1);
  EXPECT_EQ(d.replies.at(0).audience, Audience::channel);
  const auto& last = ch.incident().timeline.back();
  EXPECT_EQ(last.source, Source::system);
  EXPECT_TRUE(contains(last.text, "sev3 → sev1")) << last.text;
  const auto& same = ch.say("3", "severity SEV1", at(10, 6));
  EXPECT_TRUE(same.changes.empty());
  EXPECT_EQ(same.replies.at(0).audience, Audience::caller);
}

// A handover goes on the timeline; a role filled for the first time does not (it would be noise
// in the draft).
TEST(Domain, RoleHandoversGoOnTheTimelineWithOldAndNewValue) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0), "UALICE");
  const std::size_t entries = ch.incident().timeline.size();
  ch.say("2", "role comms <@UBOB>", at(10, 1));
  EXPECT_EQ(ch.incident().roles.at(Role::comms), "<@UBOB>");
  EXPECT_EQ(ch.incident().timeline.size(), entries);
  ch.say("3", "role commander <@UCAROL>", at(10, 2));
  EXPECT_EQ(ch.incident().roles.at(Role::commander), "<@UCAROL>");
  EXPECT_TRUE(contains(ch.incident().timeline.back().text, "<@UALICE> → <@UCAROL>"))
      << ch.incident().timeline.back().text;
  const auto& same = ch.say("4", "role commander <@UCAROL>", at(10, 3));
  EXPECT_TRUE(same.changes.empty());
}

TEST(Domain, ActionsAreNumberedPerIncidentAndCanBeDone) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  ch.say("2", "action add a replica lag alert owner:@dana due:2026-12-15", at(10, 1));
  const auto& d = ch.say("3", "action document the failover", at(10, 2));
  EXPECT_TRUE(contains(d.replies.at(0).text, "Action 2")) << d.replies.at(0).text;
  const auto& actions = ch.incident().actions;
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].number, 1);
  EXPECT_EQ(actions[0].owner, "@dana");
  EXPECT_EQ(actions[0].due, Date{std::chrono::year{2026} / 12 / 15});
  EXPECT_EQ(actions[1].number, 2);
  EXPECT_TRUE(actions[1].owner.empty());

  ch.say("4", "done 2", at(10, 3));
  EXPECT_TRUE(ch.incident().actions[1].done);
  const auto& again = ch.say("5", "done 2", at(10, 4));
  EXPECT_TRUE(again.changes.empty());
  EXPECT_EQ(again.replies.at(0).audience, Audience::caller);
  const auto& missing = ch.say("6", "done 7", at(10, 5));
  EXPECT_TRUE(missing.changes.empty());
  EXPECT_TRUE(contains(missing.replies.at(0).text, "no action 7")) << missing.replies.at(0).text;
}

TEST(Domain, CloseEndsTheIncidentAndPostsTheDraftInTheThread) {
  Channel ch;
  ch.say("1", "start Checkout errors sev2", at(10, 0));
  ch.say("2", "log impact: 8% of checkouts failed", at(10, 10));
  const auto& d = ch.say("3", "close rolled back the release", at(12, 5));
  EXPECT_EQ(ch.incident().status, Status::closed);
  EXPECT_EQ(ch.incident().closed_at, at(12, 5));
  EXPECT_EQ(ch.incident().resolution, "rolled back the release");
  ASSERT_EQ(d.replies.size(), 2u);
  EXPECT_EQ(d.replies[0].audience, Audience::channel);
  EXPECT_TRUE(contains(d.replies[0].text, "2h 05m")) << d.replies[0].text;
  EXPECT_EQ(d.replies[1].audience, Audience::thread);
  const std::string& draft = d.replies[1].text;
  EXPECT_TRUE(contains(draft, "Post-incident review (draft): Checkout errors")) << draft;
  EXPECT_TRUE(contains(draft, "8% of checkouts failed"));
  EXPECT_TRUE(contains(draft, "2026-11-29 10:10 UTC"));
  EXPECT_TRUE(contains(draft, "Status changed: open → closed"));

  // Logging needs an open incident; post-mortem actions are still welcome.
  EXPECT_TRUE(ch.say("4", "log late fact", at(12, 10)).changes.empty());
  EXPECT_FALSE(ch.say("5", "action add an alert", at(12, 11)).changes.empty());
  // And the channel can start its next incident.
  ch.say("6", "start Next one", at(13, 0));
  EXPECT_EQ(ch.incident().id(), "INC-2");
}

// `start … new`: a request for a channel of the incident's own, named from its number and
// title (mentions left out), inviting the declarer and whoever the title mentions; the move
// once it was opened, and the topic after each change it shows.
TEST(Domain, StartNewAsksForAChannelOfItsOwnAndTheTopicFollows) {
  Channel ch;
  const auto& d = ch.say("1", "start Checkout: 5xx on /pay <@U2|dana> private sev2 new", at(14, 0));
  ASSERT_EQ(d.replies.size(), 2u);
  EXPECT_TRUE(contains(d.replies[0].text, "Opening a channel of its own"));
  ASSERT_TRUE(d.replies[1].room);
  const RoomRequest& open = *d.replies[1].room;
  EXPECT_EQ(open.kind, RoomRequest::Kind::open);
  EXPECT_EQ(open.name, "inc-1-checkout-5xx-on-pay");
  EXPECT_EQ(open.invite, (std::vector<std::string>{"U1", "U2"}));
  EXPECT_TRUE(open.is_private);
  EXPECT_TRUE(contains(open.topic, "INC-1 · Checkout: 5xx on /pay <@U2|dana> · sev2 · open"))
      << open.topic;
  EXPECT_EQ(d.replies[1].incident, 1);
  EXPECT_TRUE(d.replies[1].text.empty());

  // Neither word: the configured default; `here` keeps it here whatever the default.
  Settings own;
  own.own_channel = true;
  Channel by_default(own);
  EXPECT_TRUE(by_default.say("1", "start DB down", at(14, 0)).replies.back().room);
  Channel here(own);
  EXPECT_FALSE(here.say("1", "start DB down here", at(14, 0)).replies.back().room);
  EXPECT_EQ(here.incident().title, "DB down");

  const InboundEvent opened =
      event("2", in::RoomOpened{1, "C9", "inc-1-checkout", "https://x/C9", {}}, at(14, 1));
  const auto& moved = ch.send(opened);
  EXPECT_EQ(ch.incident().channel, "C9");
  EXPECT_EQ(ch.incident().declared_in, "C1");
  ASSERT_EQ(moved.replies.size(), 2u);
  EXPECT_TRUE(contains(moved.replies[0].text,
                       "continues in its own channel, #inc-1-checkout: https://x/C9"));
  EXPECT_TRUE(moved.replies[0].channel.empty());  // where it was declared
  EXPECT_EQ(moved.replies[1].channel, "C9");
  EXPECT_TRUE(ch.send(opened).replies.empty()) << "moved once";

  const auto& sev = ch.say("3", "severity sev1", at(14, 2));
  ASSERT_TRUE(sev.replies.back().room);
  EXPECT_EQ(sev.replies.back().room->kind, RoomRequest::Kind::topic);
  EXPECT_TRUE(contains(sev.replies.back().room->topic, "sev1 · open"));
  EXPECT_FALSE(ch.say("4", "log still failing", at(14, 3)).replies.back().room);
  const auto& closed = ch.say("5", "close", at(14, 4));
  EXPECT_TRUE(contains(closed.replies.back().room->topic, "closed"));
}

// A channel that could not be opened: the incident stays, and the channel hears why.
TEST(Domain, AChannelThatCouldNotBeOpenedLeavesTheIncidentWhereItIs) {
  Channel ch;
  ch.say("1", "start DB down new", at(14, 0));
  const auto& d =
      ch.send(event("2", in::RoomOpened{1, {}, "inc-1-db-down", {}, "missing_scope"}, at(14, 1)));
  EXPECT_EQ(ch.incident().channel, "C1");
  EXPECT_TRUE(ch.incident().declared_in.empty());
  ASSERT_EQ(d.replies.size(), 1u);
  EXPECT_TRUE(contains(d.replies[0].text, "stays in this channel")) << d.replies[0].text;
  EXPECT_TRUE(contains(d.replies[0].text, "missing_scope"));
  EXPECT_FALSE(ch.say("3", "severity sev1", at(14, 2)).replies.back().room) << "no topic to keep";
}

TEST(Domain, APinAddsTheMessageAtItsOriginalTimeOnce) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  in::Pin pin{"msg-42", "UDANA", "replica lag is 40s", at(9, 58)};
  const auto& d = ch.send(event("p1", pin, at(10, 30)));
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_TRUE(ch.send(event("p2", pin, at(10, 31))).changes.empty());
  const auto entries = ch.incident().ordered_timeline();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].source, Source::pin);
  EXPECT_EQ(entries[0].at, at(9, 58));
  EXPECT_EQ(entries[0].text, "replica lag is 40s");
  EXPECT_EQ(entries[0].author, "UDANA");
}

TEST(Domain, CapturedMessagesFollowEditsAndDeletes) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  ch.send(event("p1", in::Pin{"msg-1", "U2", "lag 40s", at(10, 1)}, at(10, 2)));
  ch.send(event("e1", in::Edited{"msg-1", "lag 45s"}, at(10, 3)));
  EXPECT_EQ(ch.incident().timeline.back().text, "lag 45s");
  // An edited `log` message keeps the fact and drops the command word.
  ch.send(command("l1", "log disk full", at(10, 4)));
  ch.send(event("e2", in::Edited{"ref-l1", "log disk full on db-2"}, at(10, 5)));
  EXPECT_EQ(ch.incident().timeline.back().text, "disk full on db-2");
  ch.send(event("d1", in::Deleted{"msg-1"}, at(10, 6)));
  for (const auto& e : ch.incident().ordered_timeline()) EXPECT_NE(e.message_ref, "msg-1");
  EXPECT_EQ(ch.incident().timeline.size(), 3u);  // kept for the record, out of the draft
  EXPECT_TRUE(ch.send(event("d2", in::Deleted{"unknown"}, at(10, 7))).changes.empty());
}

// A credential typed into the channel is cut out of every text the incident keeps (commands,
// pins, edits, review replies); the channel is told, and the author alone hears how to rotate it.
TEST(Domain, CredentialsTypedIntoTheChannelAreNeverKept) {
  Channel ch;
  ch.say("1", "start Cloud key leaked", at(10, 0));
  const std::string token = "glpat-xXyYzZ0123456789abcd";
  const auto& logged = ch.say("2", "log deploy token was " + token + " in the CI log", at(10, 1));
  EXPECT_EQ(ch.incident().timeline.back().text,
            "deploy token was [credential removed] in the CI log");
  bool told_channel = false, told_author = false;
  for (const auto& r : logged.replies) {
    EXPECT_EQ(r.text.find(token), std::string::npos) << r.text;
    if (r.audience == Audience::caller && contains(r.text, "left it out")) told_channel = true;
    if (r.audience == Audience::direct && r.user == "U1" && contains(r.text, "GitLab token"))
      told_author = true;
  }
  EXPECT_TRUE(told_channel);
  EXPECT_TRUE(told_author);

  const std::string key = "AKIAIOSFODNN7EXAMPLE";
  const auto& pinned =
      ch.send(event("p1", in::Pin{"msg-9", "UDANA", "key " + key, at(10, 2)}, at(10, 3)));
  EXPECT_EQ(ch.incident().timeline.back().text, "key [credential removed]");
  EXPECT_EQ(pinned.replies.back().user, "UDANA");  // who pasted it, not who pinned it
  ch.send(event("e1", in::Edited{"msg-9", "key " + key + " (rotated?)"}, at(10, 4)));
  ch.say("3", "action rotate sk_live_51HxAbCdEfGhIjKlMnOpQrStUv owner:@sec", at(10, 5));
  ch.say("4", "close my password is Tr0ub4dor&3", at(10, 6));
  for (const auto& e : ch.incident().timeline) {
    EXPECT_EQ(e.text.find(key), std::string::npos) << e.text;
    EXPECT_EQ(e.text.find("Tr0ub4dor"), std::string::npos) << e.text;
  }
  EXPECT_EQ(ch.incident().actions.at(0).text, "rotate [credential removed]");
  EXPECT_EQ(ch.incident().resolution, "my password is [credential removed]");

  // A pin in a channel without an incident is ordinary chat: nothing kept, nothing said.
  Channel quiet;
  const auto& pin =
      quiet.send(event("p2", in::Pin{"msg-1", "U2", "key " + key, at(9, 0)}, at(9, 1)));
  EXPECT_TRUE(pin.replies.empty());
  EXPECT_TRUE(pin.changes.empty());
}

// After close the timeline is settled; the reply says where later facts go, and actions still
// work (README, "After close").
TEST(Domain, AfterCloseFactsGoToTheReviewAndActionsStillWork) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  ch.say("2", "close", at(10, 5));
  const Decision log = ch.say("3", "log the cache was cold", at(10, 6));
  EXPECT_TRUE(log.changes.empty());
  ASSERT_EQ(log.replies.size(), 1u);
  EXPECT_TRUE(contains(log.replies[0].text, "INC-1 is closed")) << log.replies[0].text;
  EXPECT_TRUE(contains(log.replies[0].text, "review thread"));
  EXPECT_EQ(ch.say("4", "action warm the cache on deploy", at(10, 7)).changes.size(), 1u);
}

// A pinned message or review reply longer than the limit is kept up to it, and the caller is
// told; nothing is silently stored whole.
TEST(Domain, ALongPinnedMessageIsCutAtTheLimit) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  const std::string paste(50000, 'y');
  const Decision d = ch.send(event("p1", in::Pin{"msg-1", "U2", paste, at(10, 1)}, at(10, 2)));
  EXPECT_EQ(ch.incident().timeline.back().text, std::string(kTextLimit, 'y'));
  ASSERT_FALSE(d.replies.empty());
  EXPECT_TRUE(contains(d.replies.back().text, "longer than 4000 characters"))
      << d.replies.back().text;
}

TEST(Domain, DirectMessagesGetAPrivateReplyAndChangeNoIncident) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  const auto& d = ch.send(event("dm1", in::DirectMessage{"is this safe?"}, at(10, 1), "U9", "D1"));
  // The one change marks the event private (its recorded reply is scrubbed later): bot/dm.h.
  ASSERT_EQ(d.changes.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<change::PrivateEvent>(d.changes[0].body));
  ASSERT_EQ(d.replies.size(), 1u);
  EXPECT_EQ(d.replies[0].audience, Audience::direct);
  EXPECT_EQ(d.replies[0].channel, "D1");
  EXPECT_FALSE(contains(d.replies[0].text, "is this safe?"));
  EXPECT_EQ(ch.incident().timeline.size(), 1u);
}

TEST(Domain, ShareNeedsAClosedIncidentAndALessonsChannel) {
  Channel without;
  without.say("1", "start Outage", at(10, 0));
  EXPECT_EQ(without.say("2", "share", at(10, 1)).replies.at(0).audience, Audience::caller);
  without.say("3", "close", at(10, 2));
  const auto& nowhere = without.say("4", "share", at(10, 3));
  EXPECT_TRUE(contains(nowhere.replies.at(0).text, "INCIDENT_BOT_LESSONS_CHANNEL"));

  Settings settings;
  settings.lessons_channel = true;
  Channel with(settings);
  with.say("1", "start Outage", at(10, 0));
  with.say("2", "action add an alert owner:@dana", at(10, 1));
  with.say("3", "close", at(10, 2));
  // First the caller sees what would go out, and nothing is posted.
  const Decision preview = with.say("4", "share", at(11, 0));
  ASSERT_EQ(preview.replies.size(), 2u);
  EXPECT_EQ(preview.replies[0].audience, Audience::caller);
  EXPECT_TRUE(contains(preview.replies[0].text, "Lessons learned: Outage"));
  EXPECT_TRUE(contains(preview.replies[1].text, "share INC-1 confirm"));
  EXPECT_TRUE(preview.changes.empty());
  const Decision d = with.say("5", "share confirm", at(11, 1));
  ASSERT_EQ(d.replies.size(), 2u);
  EXPECT_EQ(d.replies[0].audience, Audience::lessons);
  EXPECT_TRUE(contains(d.replies[0].text, "Lessons learned: Outage"));
  EXPECT_TRUE(contains(d.replies[0].text, "add an alert"));
  EXPECT_FALSE(contains(d.replies[0].text, "@dana"));  // no people in what the org reads
  // Once: a second share says when it went out.
  const Decision again = with.say("6", "share confirm", at(12, 0));
  ASSERT_EQ(again.replies.size(), 1u);
  EXPECT_EQ(again.replies[0].audience, Audience::caller);
  EXPECT_TRUE(contains(again.replies[0].text, "already shared on 2026-")) << again.replies[0].text;
}

// `publish confirm` posts the draft, as CommonMark in a Markdown file, to the channel and the
// lessons to the lessons channel (once); only the commander, scribe or facilitator may, only
// after close, and never while a rewritten section raises a personnel matter.
// A private incident's lessons leave its channel only when someone asks for exactly that.
TEST(Domain, APrivateIncidentsLessonsGoOnlyByShareConfirm) {
  Settings settings;
  settings.lessons_channel = true;
  Channel ch(settings);
  const Decision started = ch.say("1", "start Key leak sev1 private", at(10, 0));
  EXPECT_TRUE(contains(started.replies.at(0).text, "Private")) << started.replies.at(0).text;
  ASSERT_TRUE(ch.incident().is_private);
  ch.say("2", "close keys rotated", at(10, 3));
  EXPECT_TRUE(contains(ch.say("3", "publish", at(10, 4)).replies.at(0).text, "share confirm"));
  const Decision published = ch.say("4", "publish confirm", at(10, 5));
  for (const Reply& r : published.replies) EXPECT_NE(r.audience, Audience::lessons);
  EXPECT_FALSE(ch.incident().shared_at);
  const Decision shared = ch.say("5", "share confirm", at(10, 6));
  EXPECT_TRUE(std::any_of(shared.replies.begin(), shared.replies.end(),
                          [](const Reply& r) { return r.audience == Audience::lessons; }));
}

// A security incident's review asks three more questions, its draft has their sections and its
// phases as key moments; `type` turns it on or off later.
TEST(Domain, ASecurityIncidentsReviewAsksMoreAndItsDraftShowsIt) {
  Channel ch;
  ch.say("1", "start Token leak sev1 security", at(10, 0));
  ASSERT_TRUE(ch.incident().is_security);
  EXPECT_TRUE(contains(ch.say("2", "type security", at(10, 1)).replies.at(0).text, "already"));
  ch.say("3", "milestone contained 10:20", at(10, 30));
  ch.say("4", "close token revoked", at(11, 0));
  const Decision root = ch.say("5", "postmortem", at(11, 5));
  const std::string questions = markup::to_markdown(root.replies.at(0).text);
  EXPECT_TRUE(contains(questions, "8. Security: what data and systems were affected")) << questions;
  EXPECT_TRUE(contains(questions, "10. Security: indicators of compromise")) << questions;
  Incident inc = ch.incident();
  for (const char* text : {"8. the build logs of two repositories", "notify: customers by Friday",
                           "ioc: `203.0.113.7`"}) {
    inc.review.push_back(ReviewReply{{}, "U2", text, {}, false});
  }
  const std::string draft = markup::to_markdown(render_draft(inc, at(11, 10), prompts()));
  EXPECT_TRUE(contains(draft, "## Affected data and systems\n- the build logs of two repositories"))
      << draft;
  EXPECT_TRUE(contains(draft, "## Notifications\n- customers by Friday")) << draft;
  EXPECT_TRUE(contains(draft, "## Indicators of compromise\n- `203.0.113.7`")) << draft;
  EXPECT_TRUE(contains(draft, "- 2026-11-29 10:20 UTC — contained")) << draft;
  EXPECT_TRUE(contains(draft,
                       "Not recorded yet: started, detected, mitigated, eradicated, "
                       "recovered"))
      << draft;
  // The lessons `share` posts keep the indicators out.
  EXPECT_FALSE(contains(write_lessons(inc, at(11, 10), prompts()).text, "203.0.113.7"));

  const Decision standard = ch.say("6", "type standard", at(11, 20));
  EXPECT_FALSE(ch.incident().is_security);
  EXPECT_TRUE(contains(standard.replies.at(0).text, "standard incident"));
}

TEST(Domain, PublishPostsTheDraftAsAFileAndTheLessonsOnce) {
  Settings settings;
  settings.lessons_channel = true;
  Channel ch(settings);
  ch.say("1", "start Checkout errors sev2", at(10, 0));
  ch.say("2", "action add an alert on checkout errors", at(10, 1));
  EXPECT_TRUE(contains(ch.say("3", "publish confirm", at(10, 2)).replies.at(0).text, "still open"));
  ch.say("4", "close rolled back", at(10, 3));
  const Decision stranger = ch.say("5", "publish confirm", at(10, 4), "U9");
  EXPECT_TRUE(contains(stranger.replies.at(0).text, "commander, the scribe or the facilitator"));
  EXPECT_TRUE(stranger.changes.empty());

  const Decision preview = ch.say("6", "publish", at(10, 5));
  ASSERT_EQ(preview.replies.size(), 1u);
  EXPECT_TRUE(contains(preview.replies[0].text, "publish INC-1 confirm"));
  EXPECT_TRUE(preview.changes.empty());

  const Decision d = ch.say("7", "publish confirm", at(10, 6));
  ASSERT_EQ(d.replies.size(), 3u);
  EXPECT_EQ(d.replies[0].audience, Audience::channel);
  ASSERT_TRUE(d.replies[0].file.has_value());
  EXPECT_EQ(d.replies[0].file->name, "INC-1-postmortem.md");
  EXPECT_EQ(d.replies[0].file->mime, "text/markdown");
  // The final document: the draft without the facilitator's appendix.
  const std::string final_text = write_final(ch.incident(), at(10, 6), prompts()).text;
  EXPECT_EQ(d.replies[0].file->content, markup::to_commonmark(final_text));
  EXPECT_EQ(d.replies[0].file->content.find("## Before the review meeting"), std::string::npos);
  EXPECT_EQ(d.replies[0].file->content.find("## Blameless language check"), std::string::npos);
  EXPECT_NE(render_draft(ch.incident(), at(10, 6), prompts()).find("## Blameless language check"),
            std::string::npos);
  EXPECT_EQ(d.replies[1].audience, Audience::lessons);
  EXPECT_EQ(d.replies[2].audience, Audience::caller);
  EXPECT_EQ(ch.incident().published_at, at(10, 6));
  EXPECT_EQ(ch.incident().published_by, "U1");
  EXPECT_EQ(ch.incident().shared_at, at(10, 6));
  EXPECT_EQ(review_state(ch.incident()), "published");

  // Again: an updated file, and the lessons are not repeated.
  const Decision again = ch.say("8", "publish confirm", at(11, 0));
  ASSERT_EQ(again.replies.size(), 2u);
  EXPECT_TRUE(contains(again.replies[0].text, "updated version")) << again.replies[0].text;
  EXPECT_EQ(again.replies[1].audience, Audience::caller);
}

TEST(Domain, PublishWaitsWhileARewrittenSectionRaisesAPersonnelMatter) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  ch.say("2", "close", at(10, 1));
  EXPECT_EQ(review_state(ch.incident()), "draft");
  ch.say("3", "postmortem", at(10, 2));
  EXPECT_EQ(review_state(ch.incident()), "in review");
  ch.rewrite("summary", "The on-call engineer was put on a performance improvement plan.");
  const Decision held = ch.say("4", "publish confirm", at(10, 3));
  ASSERT_EQ(held.replies.size(), 1u);
  EXPECT_TRUE(contains(held.replies[0].text, "The section “Summary” raises one"))
      << held.replies[0].text;
  EXPECT_TRUE(held.changes.empty());
  ch.rewrite("summary", "A config change reached every region at once.");
  const Decision published = ch.say("5", "publish confirm", at(10, 4));
  ASSERT_TRUE(published.replies.at(0).file.has_value());
  EXPECT_NE(published.replies[0].file->content.find("A config change reached every region"),
            std::string::npos);
}

// Lessons that the blameless check still flags are not shared: the caller hears which text and
// how to fix it; rewording the review reply or the action message clears the way.
TEST(Domain, ShareRefusesLessonsWithBlameUntilReworded) {
  Settings settings;
  settings.lessons_channel = true;
  Channel ch(settings);
  ch.say("1", "start Outage", at(10, 0));
  ch.say("3", "action stop Bob from being so careless with deploys", at(10, 2));
  ch.say("4", "close", at(10, 3));
  const Decision refused = ch.say("5", "share confirm", at(11, 0));
  ASSERT_EQ(refused.replies.size(), 1u);
  EXPECT_EQ(refused.replies[0].audience, Audience::caller);
  EXPECT_TRUE(contains(refused.replies[0].text, "not shared yet")) << refused.replies[0].text;
  EXPECT_TRUE(contains(refused.replies[0].text, "(action 1)")) << refused.replies[0].text;
  EXPECT_TRUE(refused.changes.empty());

  ch.send(event("e1", in::Edited{"ref-3", "action add a deploy checklist step"}, at(11, 5)));
  EXPECT_EQ(ch.incident().actions.at(0).text, "add a deploy checklist step");
  const Decision shared = ch.say("6", "share confirm", at(11, 6));
  EXPECT_EQ(shared.replies.at(0).audience, Audience::lessons);
}

TEST(Domain, StatusShowsRolesLatestEntriesAndOpenActions) {
  Channel ch;
  ch.say("1", "start Outage sev2", at(10, 0));
  for (int i = 1; i <= 7; ++i) {
    ch.say("l" + std::to_string(i), "log fact " + std::to_string(i), at(10, i));
  }
  ch.say("a1", "action first", at(10, 8));
  ch.say("a2", "action second", at(10, 9));
  ch.say("a3", "done 1", at(10, 10));
  const auto& d = ch.say("s", "status", at(10, 40));
  ASSERT_EQ(d.replies.size(), 1u);
  const std::string& text = d.replies[0].text;
  EXPECT_EQ(d.replies[0].audience, Audience::caller);
  EXPECT_TRUE(contains(text, "sev2")) << text;
  EXPECT_TRUE(contains(text, "40m")) << text;
  EXPECT_TRUE(contains(text, "commander: <@U1>")) << text;
  EXPECT_TRUE(contains(text, "fact 7"));
  EXPECT_FALSE(contains(text, "fact 2"));  // only the latest five
  EXPECT_TRUE(contains(text, "3 earlier not shown"));
  EXPECT_TRUE(contains(text, "2. second"));
  EXPECT_FALSE(contains(text, "1. first"));
}

TEST(Domain, PostmortemRecordsTheFacilitatorAndPostsTheQuestions) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  ch.say("2", "close", at(11, 0));
  const auto& d = ch.say("3", "postmortem", at(11, 5), "UFAC");
  EXPECT_EQ(ch.incident().facilitator, "UFAC");
  EXPECT_EQ(d.replies.at(0).audience, Audience::channel);
  EXPECT_TRUE(contains(d.replies.at(0).text, "Contributing factors"));
}

TEST(Draft, ListsGapsAndActionsMissingAnOwnerOrDueDate) {
  Channel ch;
  ch.say("1", "start Outage", at(10, 0));
  ch.say("2", "log something", at(10, 10));
  ch.say("3", "log much later", at(11, 0));
  ch.say("4", "action needs an owner due:2026-12-01", at(11, 1));
  ch.say("5", "action fully specified owner:@dana due:2026-12-01", at(11, 2));
  const auto gaps = timeline_gaps(ch.incident());
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_EQ(gaps[0].from, at(10, 10));
  EXPECT_EQ(gaps[0].to, at(11, 0));
  const std::string draft = render_draft(ch.incident(), at(11, 5), prompts());
  EXPECT_TRUE(contains(draft, "Timeline gap of 50m")) << draft;
  EXPECT_TRUE(contains(draft, "Action 1 (needs an owner) has no owner.")) << draft;
  EXPECT_FALSE(contains(draft, "Action 2 ("));
  EXPECT_TRUE(contains(draft, "still open"));
}

}  // namespace
}  // namespace incident
