// The blameless draft: people become roles in every mention form, personnel matters stay out
// (and only the facilitator hears of them), review replies land under their question, and the
// homework and language check say what is left to do.
#include <gtest/gtest.h>

#include <algorithm>

#include "bot/draft/draft.h"
#include "bot/draft/participants.h"
#include "bot/draft/review.h"
#include "bot/draft/scenarios.h"
#include "bot/text/markup.h"
#include "prompts/embedded.h"
#include "support/events.h"

namespace incident {
namespace {

using testing::utc;

const Prompts& prompts() {
  static const Prompts p = Prompts::load(embedded_prompts());
  return p;
}

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// A section of a Markdown draft: from its heading to the next "## ".
std::string section(const std::string& draft, const std::string& heading) {
  const auto begin = draft.find("## " + heading + "\n");
  if (begin == std::string::npos) return {};
  const auto end = draft.find("\n## ", begin + 1);
  return draft.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

Incident people_incident() {
  Incident inc;
  inc.number = 7;
  inc.roles[Role::commander] = "U1";
  inc.roles[Role::comms] = "<@U2|erin>";
  inc.roles[Role::scribe] = "@sam:example.org";
  TimelineEntry declared;
  declared.seq = 1;
  declared.source = Source::system;
  declared.author = "U0";  // declared it, then handed over command
  inc.timeline.push_back(declared);
  TimelineEntry fact;
  fact.seq = 2;
  fact.author = "lee";
  inc.timeline.push_back(fact);
  return inc;
}

TEST(Participants, EveryMentionFormBecomesARole) {
  const DisplayNames names{{"U1", "Dana Scully"}, {"U0", "Will Byers"}, {"U5", "Pat Doe"}};
  const Participants p(people_incident(), names, prompts());
  const std::vector<std::pair<std::string, std::string>> cases{
      {"<@U1> restarted it", "The incident commander restarted it"},
      {"then <@U1|dana> restarted it", "then the incident commander restarted it"},
      {"ask <@U2>", "ask the communications lead"},
      {"ask erin", "ask the communications lead"},
      {"@sam:example.org paged", "The scribe paged"},
      {"see https://matrix.to/#/@sam:example.org", "see the scribe"},
      {"see https://matrix.to/#/%40sam%3Aexample.org?via=example.org.", "see the scribe."},
      {"[Sam](https://matrix.to/#/@sam:example.org) paged", "The scribe paged"},
      {"<a href=\"https://matrix.to/#/@sam:example.org\">Sam</a> paged", "The scribe paged"},
      {"@dana did it", "The incident commander did it"},
      {"Dana Scully did it. dana's call", "The incident commander did it. A call"},
      {"per DANA", "per the incident commander"},
      {"lee and @lee", "A responder and a responder"},
      {"Will handed over; the job will retry",
       "The previous incident commander handed over; the job will retry"},
      {"<@U9> and @someone", "A responder and a responder"},
      {"@here @channel ops@example.org", "@here @channel ops@example.org"},
      {"Danaher and leeway", "Danaher and leeway"},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(p.depersonalise(in), out) << in;
  EXPECT_EQ(p.role_of("<@U1|x>"), "the incident commander");
  EXPECT_EQ(p.role_of("U5"), "a responder");  // a known name, but not a participant
}

// The owner goes with the name (issue 20): "a responder's change" still says whose it was.
TEST(Participants, APossessiveLosesItsOwnerWithTheName) {
  const Participants p(people_incident(), {{"U1", "Dana Scully"}}, prompts());
  const std::vector<std::pair<std::string, std::string>> cases{
      {"dana's change to the parser throws", "A change to the parser throws"},
      {"then <@U1>'s rollback failed", "then a rollback failed"},
      {"so lee’s alert was silenced", "so an alert was silenced"},
      {"it was Bob's change", "it was a change"},          // a stranger the checker found
      {"Dana's fault", "The incident commander's fault"},  // the blame itself, quoted as such
      {"dana restarted it", "The incident commander restarted it"},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(p.depersonalise(in, {"Bob"}), out) << in;
}

// Names are matched as Unicode text (issue 12, item 6): any case, composed or decomposed
// diacritics, or none.
TEST(Participants, NamesWithDiacriticsMatchInEveryForm) {
  const Participants p(people_incident(), {{"U1", "Zoë Łukasiewicz"}}, prompts());
  const std::vector<std::pair<std::string, std::string>> cases{
      {"Zoë restarted it", "The incident commander restarted it"},
      {"ZOË restarted it", "The incident commander restarted it"},
      {"Zoe\xCC\x88 restarted it", "The incident commander restarted it"},  // NFD
      {"zoe restarted it", "The incident commander restarted it"},
      {"ask Zoë Łukasiewicz", "ask the incident commander"},
      {"ask ZOË ŁUKASIEWICZ", "ask the incident commander"},
      {"Zoëy and Zoeb stay", "Zoëy and Zoeb stay"},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(p.depersonalise(in), out) << in;
  EXPECT_EQ(p.depersonalise("Jürgen approved it", {"Jürgen"}), "A responder approved it");
  EXPECT_EQ(p.depersonalise("Ju\xCC\x88rgen approved it", {"Jürgen"}), "A responder approved it");
}

TEST(Participants, KnowsNamesForTheBlamelessChecker) {
  const Participants p(people_incident(), {{"U1", "Dana Scully"}}, prompts());
  const auto names = p.people().names;
  for (const std::string n : {"Dana Scully", "Dana", "erin", "sam", "lee"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  }
}

TEST(Review, RepliesMapToQuestionsByNumberOrTag) {
  std::vector<ReviewReply> replies;
  for (const std::string text :
       {"1. alerts fired at 09:52", "2) the rollback worked", "Q3 dashboards were confusing",
        "factor: no canary", "Contributing factor : manual flag", "prevent: add a canary",
        "lessons: config is code", "4 replicas were down", "4.5% of requests failed",
        "- 6. a bulleted lesson", "well: calm handover\nthat kept going\n3. and a hard part"}) {
    replies.push_back(ReviewReply{{}, "U1", text, {}, false});
  }
  replies.push_back(ReviewReply{{}, "U1", "5. deleted", {}, true});
  const auto answers = map_review(replies);
  std::vector<std::pair<int, std::string>> got;
  for (const auto& a : answers) got.emplace_back(a.note ? 0 : number_of(a.question), a.text);
  const std::vector<std::pair<int, std::string>> want{
      {1, "alerts fired at 09:52"},
      {2, "the rollback worked"},
      {3, "dashboards were confusing"},
      {4, "no canary"},
      {4, "manual flag"},
      {5, "add a canary"},
      {6, "config is code"},
      {0, "4 replicas were down"},
      {0, "4.5% of requests failed"},
      {6, "a bulleted lesson"},
      {2, "calm handover that kept going"},
      {3, "and a hard part"},
  };
  EXPECT_EQ(got, want);
}

class DraftTest : public ::testing::Test {
 protected:
  Prompts prompts_ = Prompts::load(embedded_prompts());
  testing::MemoryStore store_;
  Engine engine_{store_, prompts_};
};

TEST_F(DraftTest, SectionsComeInTheOrderOfTheContract) {
  const Outcome out = testing::checkout_incident(engine_);
  const std::string draft = markup::to_markdown(out.replies.at(0).text);
  std::size_t last = 0;
  for (const std::string heading :
       {"# Post-incident review (draft): Checkout errors after release 42", "## Summary",
        "## Key moments (UTC)", "## Impact", "## Contributing factors", "## Action items",
        "## What went well", "## What was difficult", "## Where we got lucky", "## Lessons learned",
        "## Discussion notes", "## Timeline (UTC)", "## Before the review meeting",
        "## Blameless language check"}) {
    const auto at = draft.find(heading);
    ASSERT_NE(at, std::string::npos) << heading << "\n" << draft;
    EXPECT_GE(at, last) << heading;
    last = at;
  }
  EXPECT_TRUE(has(draft,
                  "INC-1 · sev1 · started 2026-11-29 09:58 UTC · ended 2026-11-29 11:10 UTC"
                  " · duration 1h 12m"));
}

// Milestones, back-dated like facts, put the declaration in its place among the key moments and
// give the times to detect, mitigate and resolve from when the problem started; the header
// shows the worst severity it reached.
TEST_F(DraftTest, KeyMomentsAndTheWorstSeverity) {
  int n = 0;
  auto say = [&](const std::string& text, TimePoint at) {
    return engine_.handle(testing::command(std::to_string(++n), text, at));
  };
  say("start Checkout errors sev2", utc(2026, 11, 29, 10, 0));
  const Outcome set = say("milestone started 09:42", utc(2026, 11, 29, 10, 2));
  say("milestone detected 09:50", utc(2026, 11, 29, 10, 3));
  say("severity sev1", utc(2026, 11, 29, 10, 10));
  say("severity sev3", utc(2026, 11, 29, 10, 40));
  say("milestone mitigated", utc(2026, 11, 29, 10, 30));
  say("close rolled back", utc(2026, 11, 29, 11, 0));
  ASSERT_FALSE(set.replies.empty());
  EXPECT_TRUE(has(markup::to_markdown(set.replies[0].text), "INC-1 started: 2026-11-29 09:42 UTC"))
      << markup::to_markdown(set.replies[0].text);

  const std::string draft =
      markup::to_markdown(say("draft", utc(2026, 11, 29, 11, 5)).replies.at(0).text);
  EXPECT_TRUE(has(draft, "INC-1 · sev3 (at its worst sev1) · started")) << draft;
  const std::string moments = section(draft, "Key moments (UTC)");
  EXPECT_TRUE(has(moments,
                  "- 2026-11-29 09:42 UTC — the problem started\n"
                  "- 2026-11-29 09:50 UTC — detected\n"
                  "- 2026-11-29 10:00 UTC — declared an incident\n"
                  "- 2026-11-29 10:30 UTC — mitigated\n"
                  "- 2026-11-29 11:00 UTC — resolved\n"
                  "Time to detect: 8m. Time to mitigate: 48m. Time to resolve: 1h 18m.\n"))
      << moments;
  EXPECT_FALSE(has(moments, "Not recorded yet")) << moments;
}

// The seventh question, by number or tag, fills "Where we got lucky"; the final document that
// `publish` posts leaves the facilitator's appendix out.
TEST_F(DraftTest, WhereWeGotLuckyAndTheFinalDocument) {
  Incident inc;
  inc.number = 1;
  inc.title = "Checkout errors";
  inc.opened_at = testing::utc(2026, 11, 29, 10, 0);
  inc.facilitator = "U1";
  for (const char* text : {"7. the spare region had capacity", "got lucky: it was a quiet hour"}) {
    inc.review.push_back(ReviewReply{{}, "U1", text, {}, false});
  }
  const std::string draft =
      markup::to_markdown(write_draft(inc, testing::utc(2026, 11, 29, 11, 0), prompts()).text);
  EXPECT_TRUE(has(section(draft, "Where we got lucky"),
                  "- the spare region had capacity\n- it was a quiet hour\n"))
      << draft;
  EXPECT_TRUE(has(draft, "## Blameless language check"));
  const std::string final_text =
      markup::to_markdown(write_final(inc, testing::utc(2026, 11, 29, 11, 0), prompts()).text);
  EXPECT_TRUE(has(final_text, "## Timeline (UTC)"));
  EXPECT_FALSE(has(final_text, "## Before the review meeting")) << final_text;
  EXPECT_FALSE(has(final_text, "## Blameless language check")) << final_text;
}

TEST_F(DraftTest, NamesNoParticipantOutsideActionOwners) {
  const std::string draft =
      markup::to_markdown(testing::checkout_incident(engine_).replies.at(0).text);
  const std::string before_actions = draft.substr(0, draft.find("## Action items"));
  const std::string after_actions = draft.substr(draft.find("## Before the review meeting"));
  for (const std::string name : {"Dana", "Erin", "erin", "Sam", "Lee", "U01DANA", "U02ERIN",
                                 "U03SAM", "U04LEE", "Scully", "Okafor"}) {
    EXPECT_FALSE(has(before_actions, name)) << name << "\n" << before_actions;
    EXPECT_FALSE(has(after_actions, name)) << name << "\n" << after_actions;
  }
  // The owner is the one person named.
  EXPECT_TRUE(has(section(draft, "Action items"), "owner: <@U04LEE>"));
  EXPECT_TRUE(has(section(draft, "Action items"), "owner: payments-team"));
  // Role wording, hand-over included.
  const std::string timeline = section(draft, "Timeline (UTC)");
  EXPECT_TRUE(
      has(timeline, "commander role: the previous incident commander → the incident commander"));
  // A role filled for the first time is not on the timeline: only handovers are.
  EXPECT_FALSE(has(timeline, "comms role: none")) << timeline;
  EXPECT_TRUE(has(timeline, "Severity changed: sev2 → sev1"));
  EXPECT_TRUE(has(timeline, "the previous incident commander approved the wording"));
}

TEST_F(DraftTest, TimelineIsInTimeOrderWithBackDatedAndPinnedEntriesInPlace) {
  const std::string timeline =
      section(markup::to_markdown(testing::checkout_incident(engine_).replies.at(0).text),
              "Timeline (UTC)");
  const auto backdated = timeline.find("2026-11-29 09:52 UTC first 502 alerts");
  const auto declared = timeline.find("2026-11-29 09:58 UTC ⚙ Incident declared");
  const auto pinned =
      timeline.find("2026-11-29 10:07 UTC 📌 The incident commander is rolling back");
  ASSERT_NE(backdated, std::string::npos) << timeline;
  ASSERT_NE(declared, std::string::npos) << timeline;
  ASSERT_NE(pinned, std::string::npos) << timeline;
  EXPECT_LT(backdated, declared);
  EXPECT_LT(declared, pinned);
}

TEST_F(DraftTest, ReviewRepliesFillTheirSections) {
  const std::string draft =
      markup::to_markdown(testing::checkout_incident(engine_).replies.at(0).text);
  EXPECT_TRUE(has(section(draft, "Summary"), "- The first 502 alerts fired at 09:52"));
  EXPECT_TRUE(has(section(draft, "Contributing factors"),
                  "- F2: release 42 shipped without a canary stage"));
  EXPECT_TRUE(has(section(draft, "What went well"), "The rollback script worked first time"));
  EXPECT_TRUE(has(section(draft, "What was difficult"), "which release each pod ran"));
  EXPECT_TRUE(has(section(draft, "Lessons learned"), "config is code"));
  EXPECT_TRUE(has(section(draft, "Discussion notes"), "Thanks everyone for staying calm"));
  const std::string homework = section(draft, "Before the review meeting");
  EXPECT_TRUE(has(homework, "Nobody has answered question 5 yet: Prevention"));
  EXPECT_FALSE(has(homework, "question 4"));
  EXPECT_TRUE(has(homework, "Action 3 (write the rollback runbook) has no owner and no due date."));
  EXPECT_TRUE(has(homework, "Action 2 (alert on replica lag) has no due date."));
  // F4 blames a person and no action addresses it; F1–F3 share key words with actions.
  EXPECT_TRUE(has(homework, "Contributing factor F4 ("));
  EXPECT_FALSE(has(homework, "Contributing factor F2 ("));
  EXPECT_FALSE(has(homework, "Contributing factor F3 ("));
}

TEST_F(DraftTest, BlamePhrasesAreQuotedWithRolesAndARewording) {
  const std::string check =
      section(markup::to_markdown(testing::checkout_incident(engine_).replies.at(0).text),
              "Blameless language check");
  EXPECT_TRUE(
      has(check,
          "“human error by the previous incident commander” (timeline, 2026-11-29 10:50 UTC) → "))
      << check;
  EXPECT_TRUE(has(check,
                  "“The previous incident commander's fault” (review, question 4) → Instead of "
                  "\"the previous incident commander's fault\""))
      << check;
  EXPECT_TRUE(has(check, "“careless” (review, question 4) → "));
}

// Nobody introduced "Bob" or "Carol" (no mention, not a participant): the checker knows a first
// name when it sees one, so the draft speaks of them as responders too, quotes included.
TEST_F(DraftTest, NamesMentionedInPassingBecomeResponders) {
  using testing::at;
  using testing::command;
  int key = 0;
  auto run = [&](const std::string& text) {
    ++key;
    return engine_.handle(command(std::to_string(key), text, at(9, key)));
  };
  run("start cert outage");
  run("log Bob forgot to renew the cert, so Bob's cron never ran");
  run("log If Carol had checked the dashboard we'd have seen it");
  run("action Bob to add a cert expiry alert owner:@sre");
  run("log Zoë from finance approved the refund; Jürgen and Nguyễn checked the ledger");
  const std::string draft = markup::to_markdown(run("close renewed").replies.at(1).text);
  EXPECT_FALSE(has(draft, "Bob")) << draft;
  for (const char* name : {"Zoë", "Jürgen", "Nguyễn"}) EXPECT_FALSE(has(draft, name)) << draft;
  EXPECT_FALSE(has(draft, "Carol")) << draft;
  EXPECT_TRUE(has(draft, "A responder forgot to renew the cert, so a cron never ran")) << draft;
  EXPECT_TRUE(has(section(draft, "Blameless language check"), "“If a responder had checked”"))
      << draft;
  EXPECT_TRUE(has(section(draft, "Action items"), "A responder to add a cert expiry alert"));
}

TEST_F(DraftTest, PersonnelMattersStayOutAndOnlyTheFacilitatorHears) {
  const Outcome out = testing::checkout_incident(engine_);
  ASSERT_EQ(out.replies.size(), 2u);
  const std::string draft = markup::to_markdown(out.replies[0].text);
  EXPECT_FALSE(has(draft, "performance review"));
  EXPECT_FALSE(has(draft, "should get"));
  const Reply& note = out.replies[1];
  EXPECT_EQ(note.audience, Audience::direct);
  EXPECT_EQ(note.user, "U02ERIN");  // ran `postmortem`; the commander is someone else
  EXPECT_TRUE(has(markup::to_markdown(note.text), "left out 1 text about personnel"));
}

// Action items are tasks: one that mentions employees or accounts, or any words at all, is in the
// draft and in the lessons; one whose wording raises a personnel matter stays too, is listed by
// the language check, and the facilitator alone hears which one.
TEST_F(DraftTest, ActionItemsAreNeverLeftOut) {
  testing::Script s(engine_, "console", "incident");
  s.command("U1", "start Cloud key leaked", utc(2026, 12, 5, 9, 0));
  s.command("U1",
            "action remove the terminated employee's accounts from GitHub owner:@it-ops "
            "due:2026-12-08",
            utc(2026, 12, 5, 9, 1));
  s.command("U1", "action a extra words after", utc(2026, 12, 5, 9, 2));
  s.command("U1", "action put the contractor on a performance improvement plan owner:@hr",
            utc(2026, 12, 5, 9, 3));
  const Outcome out = s.command("U1", "close key rotated", utc(2026, 12, 5, 10, 0));
  ASSERT_GE(out.replies.size(), 3u);
  const std::string draft = markup::to_markdown(out.replies[1].text);
  const std::string actions = section(draft, "Action items");
  EXPECT_TRUE(has(actions, "1. remove the terminated employee's accounts from GitHub")) << draft;
  EXPECT_TRUE(has(actions, "2. a extra words after")) << draft;
  EXPECT_TRUE(has(actions, "3. put the contractor on a performance improvement plan")) << draft;
  EXPECT_TRUE(has(section(draft, "Blameless language check"), "(action 3)")) << draft;
  const Reply& note = out.replies.back();
  EXPECT_EQ(note.audience, Audience::direct);
  EXPECT_EQ(note.user, "U1");
  EXPECT_TRUE(has(markup::to_markdown(note.text), "Action 3 stays in the INC-1 draft"))
      << note.text;

  const Document lessons = write_lessons(*store_.current_incident("console", "incident", {}),
                                         utc(2026, 12, 5, 11, 0), prompts_);
  for (const std::string text : {"remove the terminated employee's accounts from GitHub (open)",
                                 "a extra words after (open)",
                                 "put the contractor on a performance improvement plan (open)"}) {
    EXPECT_TRUE(has(markup::to_markdown(lessons.text), text)) << lessons.text;
  }
  const auto& flagged = lessons.flagged_actions;
  EXPECT_NE(std::find(flagged.begin(), flagged.end(), 3), flagged.end());
}

TEST_F(DraftTest, WithoutAFacilitatorTheCommanderGetsTheNoteOnClose) {
  testing::Script s(engine_, "slack", "C1");
  s.command("U1", "start Outage", utc(2026, 11, 29, 10, 0));
  s.command("U1", "role commander <@U2|kim>", utc(2026, 11, 29, 10, 1));
  s.command("U1", "log we will discuss firing kim in HR", utc(2026, 11, 29, 10, 2));
  const Outcome closed = s.command("U2", "close", utc(2026, 11, 29, 10, 30));
  ASSERT_EQ(closed.replies.size(), 3u);
  EXPECT_EQ(closed.replies[1].audience, Audience::thread);
  EXPECT_FALSE(has(closed.replies[1].text, "firing"));
  EXPECT_EQ(closed.replies[2].audience, Audience::direct);
  EXPECT_EQ(closed.replies[2].user, "U2");
}

TEST_F(DraftTest, ADraftWithoutPersonnelTextSendsNoNote) {
  const Outcome out = testing::failover_incident(engine_);
  ASSERT_EQ(out.replies.size(), 1u);
  const std::string draft = markup::to_markdown(out.replies[0].text);
  EXPECT_TRUE(
      has(draft, "Timeline gap of 1h 05m between 2026-11-28 23:50 UTC and 2026-11-29 00:55 UTC"));
  EXPECT_TRUE(has(draft, "The review has not started"));
  EXPECT_TRUE(has(draft, "2026-11-28 23:50 UTC The incident commander paged the database on-call"));
  EXPECT_TRUE(has(draft, "confirmed by the incident commander"));
  EXPECT_TRUE(has(draft, "owner: @dana:example.org"));
}

TEST_F(DraftTest, TheRootAsksTheQuestionsAndSaysHowToAnswer) {
  testing::Script s(engine_, "slack", "C1");
  s.command("U1", "start Outage", utc(2026, 11, 29, 10, 0));
  const Outcome pm = s.postmortem("U1", utc(2026, 11, 29, 10, 5));
  const std::string root = markup::to_markdown(pm.replies.at(0).text);
  EXPECT_TRUE(has(root, "1. What happened, and when did we know? (`happened:`)")) << root;
  EXPECT_TRUE(
      has(root, "4. Contributing factors: which conditions made this possible? (`factor:`)"));
  EXPECT_TRUE(has(root, "6. Lessons learned"));
  EXPECT_TRUE(has(root, "discussion notes"));
}

TEST_F(DraftTest, ShareSendsLessonsWithNoPeopleInThem) {
  Settings settings;
  settings.lessons_channel = true;
  Engine engine(store_, prompts_, settings);
  testing::checkout_incident(engine);
  testing::Script s(engine, "slack", "C0CHECKOUT");
  // The review still blames a person: refused, with the phrase and where it is.
  const Outcome refused = s.command("U02ERIN", "share confirm", utc(2026, 11, 30, 9, 0));
  ASSERT_EQ(refused.replies.size(), 1u);
  EXPECT_EQ(refused.replies[0].audience, Audience::caller);
  EXPECT_TRUE(has(markup::to_markdown(refused.replies[0].text), "“careless” (review, question 4)"))
      << refused.replies[0].text;
  // Its author rewords the reply in the thread; now it goes out.
  const auto inc = store_.current_incident("slack", "C0CHECKOUT", IncidentView::all());
  const auto blamed = std::find_if(inc->review.begin(), inc->review.end(),
                                   [](const auto& r) { return has(r.text, "careless"); });
  ASSERT_NE(blamed, inc->review.end());
  s.edit("U04LEE", blamed->message_ref, "4. the flag change skipped the canary stage",
         utc(2026, 11, 30, 9, 5));
  const Outcome out = s.command("U02ERIN", "share confirm", utc(2026, 11, 30, 9, 10));
  ASSERT_EQ(out.replies.at(0).audience, Audience::lessons);
  const std::string lessons = markup::to_markdown(out.replies[0].text);
  EXPECT_TRUE(has(lessons, "# Lessons learned: Checkout errors after release 42"));
  EXPECT_TRUE(has(lessons, "- config is code: it needs the same review and rollout as code"));
  EXPECT_TRUE(has(lessons, "- add a canary stage for config changes (open)"));
  for (const std::string name : {"Dana", "Erin", "Sam", "Lee", "U0", "performance"}) {
    EXPECT_FALSE(has(lessons, name)) << name << "\n" << lessons;
  }
}

// `draft INC-1` reaches an older incident of the same channel once a newer one started; an
// incident of another channel stays out of reach.
TEST_F(DraftTest, OlderIncidentsAreReachableByTheirId) {
  testing::Script s(engine_, "slack", "C1");
  s.command("U1", "start First outage", utc(2026, 12, 1, 10, 0));
  s.command("U1", "close", utc(2026, 12, 1, 10, 30));
  s.command("U1", "start Second outage", utc(2026, 12, 2, 10, 0));
  testing::Script other(engine_, "slack", "C2");
  other.command("U1", "start Elsewhere", utc(2026, 12, 2, 10, 5));

  const Outcome old = s.command("U1", "draft INC-1", utc(2026, 12, 2, 10, 10));
  const std::string draft = markup::to_markdown(old.replies.at(0).text);
  EXPECT_TRUE(has(draft, "# Post-incident review (draft): First outage")) << draft;
  EXPECT_TRUE(has(markup::to_markdown(
                      s.command("U1", "status inc-1", utc(2026, 12, 2, 10, 11)).replies.at(0).text),
                  "INC-1: First outage"));
  const Outcome elsewhere = s.command("U1", "draft INC-3", utc(2026, 12, 2, 10, 12));
  EXPECT_TRUE(has(markup::to_markdown(elsewhere.replies.at(0).text),
                  "INC-3 is not an incident of this channel"));
  EXPECT_EQ(elsewhere.replies.at(0).audience, Audience::caller);
}

// A second `postmortem` points at the first review thread instead of asking again.
TEST_F(DraftTest, ASecondPostmortemPointsAtTheFirstThread) {
  testing::Script s(engine_, "slack", "C1");
  s.command("U1", "start Outage", utc(2026, 12, 1, 10, 0));
  s.command("U1", "close", utc(2026, 12, 1, 10, 30));
  const Outcome first = s.command("U2", "postmortem", utc(2026, 12, 1, 11, 0));
  engine_.anchor_posted("slack", first.replies.at(0), "root-1");
  const Outcome again = s.command("U1", "postmortem", utc(2026, 12, 1, 11, 5));
  ASSERT_EQ(again.replies.size(), 1u);
  EXPECT_EQ(again.replies[0].audience, Audience::caller);
  EXPECT_TRUE(has(markup::to_markdown(again.replies[0].text), "already started by"))
      << again.replies[0].text;
}

TEST_F(DraftTest, AHugeDraftSplitsAtSectionsWithinPlatformLimits) {
  testing::Script s(engine_, "slack", "C1");
  s.command("U1", "start Log flood sev3", utc(2026, 11, 29, 10, 0));
  // 110 KB of hostile text, in facts at the length limit (kTextLimit).
  std::string fact = "log impact: ";
  for (int i = 0; i < 333; ++i) fact += "<!channel> ";
  for (int i = 0; i < 30; ++i) s.command("U1", fact, utc(2026, 11, 29, 10, 1));
  for (int i = 0; i < 300; ++i) {
    s.command("U1", "log step " + std::to_string(i) + " of the clean-up", utc(2026, 11, 29, 10, 2));
  }
  const Outcome out = s.command("U1", "close", utc(2026, 11, 29, 11, 0));
  const std::string& draft = out.replies.at(1).text;
  ASSERT_GT(draft.size(), 200000u);

  // Slack: 40,000 characters per message; the text renders at ~1.7 times its size.
  const auto slack =
      markup::split(draft, 40000, [](std::string_view p) { return markup::to_mrkdwn(p).size(); });
  std::string whole;
  for (const auto& part : slack) {
    const std::string mrkdwn = markup::to_mrkdwn(part);
    EXPECT_LE(mrkdwn.size(), 40000u);
    EXPECT_FALSE(has(mrkdwn, "<!channel>"));
    whole += markup::to_markdown(part) + "\n";
  }
  // Impact and Timeline, and the first impact fact once more in the summary.
  EXPECT_EQ(std::count(whole.begin(), whole.end(), '!'), 2 * 30 * 333 + 333);
  // Sections start parts where they can: every section heading opens a part or follows a blank.
  std::size_t headings_first = 0;
  for (const auto& part : slack) headings_first += part.rfind("## ", 0) == 0 ? 1 : 0;
  EXPECT_GE(headings_first, 2u);

  auto matrix_size = [](std::string_view p) {  // Matrix: 65,536-byte events, JSON included
    const markup::MatrixText m = markup::to_matrix(p);
    return m.body.size() + m.formatted_body.size();
  };
  for (const auto& part : markup::split(draft, 60000, matrix_size)) {
    EXPECT_LE(matrix_size(part), 60000u);
  }
}

}  // namespace
}  // namespace incident
