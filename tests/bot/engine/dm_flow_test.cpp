// "Is this safe?" end to end through the engine: advice, report, the anonymous two-way line,
// close from both sides, limits, credentials, and what is kept and for how long.
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "bot/engine/engine.h"
#include "bot/text/markup.h"
#include "prompts/embedded.h"
#include "support/events.h"
#include "support/memory_store.h"

namespace incident {
namespace {

using testing::at;

bool has(const std::string& text, const std::string& needle) {
  return markup::to_markdown(text).find(needle) != std::string::npos;
}

Settings with_security(int limit = 3) {
  Settings s;
  s.dm.security_channel = true;
  s.dm.escalation_limit = limit;
  return s;
}

class DmTest : public ::testing::Test {
 protected:
  Outcome dm(const std::string& text, TimePoint when = at(10, 0), const std::string& user = "U9",
             const std::string& channel = "D9") {
    return engine_->handle(
        testing::event("dm" + std::to_string(++n_), in::DirectMessage{text}, when, user, channel));
  }
  // A responder answers in the thread under `root` in the security channel.
  Outcome security(const std::string& root, const std::string& text, TimePoint when = at(10, 5)) {
    return engine_->handle(testing::event("sec" + std::to_string(++n_), in::ThreadReply{root, text},
                                          when, "U77", "CSEC"));
  }
  // The adapter posts the case's security-channel message: returns its ref.
  std::string post(const Outcome& o) {
    for (const auto& r : o.replies) {
      if (r.anchor != Anchor::security_case) continue;
      const std::string ref = "ts-" + r.case_code;
      engine_->anchor_posted("slack", r, ref);
      return ref;
    }
    ADD_FAILURE() << "no security case was posted";
    return {};
  }
  // A copy: callers often pass a temporary outcome.
  std::optional<Reply> find(const Outcome& o, Audience audience) {
    for (const auto& r : o.replies) {
      if (r.audience == audience) return r;
    }
    return std::nullopt;
  }
  void restart(Settings settings = with_security()) {
    engine_ = std::make_unique<Engine>(store_, prompts_, std::move(settings),
                                       [this] { return random_++; });
  }
  std::string stored_replies() {
    std::string all;
    for (int i = 1; i <= n_; ++i) {
      for (const char* prefix : {"test:dm", "test:sec"}) {
        if (auto r = store_.find_processed(prefix + std::to_string(i))) {
          for (const auto& reply : *r) all += reply.text + "\n";
        }
      }
    }
    return all;
  }

  Prompts prompts_ = Prompts::load(embedded_prompts());
  testing::MemoryStore store_;
  std::uint64_t random_ = 0x123456789AULL;
  std::unique_ptr<Engine> engine_ =
      std::make_unique<Engine>(store_, prompts_, with_security(), [this] { return random_++; });
  int n_ = 0;
};

TEST_F(DmTest, AnyDmGetsPrivateGuidanceAndAnOfferToReport) {
  const auto o = dm("i clicked a link in an email that looked like it was from IT");
  EXPECT_EQ(o.topic, "phishing");
  ASSERT_EQ(o.replies.size(), 1u);
  const Reply& r = o.replies[0];
  EXPECT_EQ(r.audience, Audience::direct);
  EXPECT_EQ(r.channel, "D9");
  EXPECT_TRUE(r.user.empty());
  EXPECT_TRUE(has(r.text, "What to do right now"));
  EXPECT_TRUE(has(r.text, "`report`"));
  EXPECT_FALSE(has(r.text, "looked like it was from IT"));  // guidance, not an echo
  EXPECT_TRUE(store_.incidents().empty());
}

TEST_F(DmTest, EachTopicHasItsOwnAnswer) {
  std::set<std::string> answers;
  for (const char* q : {"clicked a weird link in an email", "typed my password into a fake page",
                        "a popup says my mac is infected", "left my laptop on the train",
                        "pasted an AWS key in #general", "someone called asking for my code",
                        "is it safe to restart payments-api right now?", "hello"}) {
    const auto o = dm(q);
    ASSERT_EQ(o.replies.size(), 1u) << q;
    answers.insert(o.replies[0].text);
  }
  EXPECT_EQ(answers.size(), 8u);
}

TEST_F(DmTest, ChangeSafetyPointsAtTheOpenIncidentAndItsCommander) {
  EXPECT_TRUE(has(dm("is it safe to restart payments-api right now?").replies[0].text,
                  "No incident is open"));
  engine_->handle(testing::command("c1", "start Search is slow", at(9, 0), "U1", "C1"));
  engine_->handle(testing::command("c2", "start Payments API errors sev1", at(9, 30), "U2", "C2"));
  auto elsewhere = testing::command("c3", "start Matrix outage", at(9, 40), "@x:example.org", "!r");
  elsewhere.platform = "matrix";
  engine_->handle(elsewhere);
  // The asker works on both incidents (a log line in each), so both are shown.
  engine_->handle(testing::command("c4", "log search p99 at 4s", at(9, 41), "U9", "C1"));
  engine_->handle(testing::command("c5", "action check the payments pool", at(9, 42), "U9", "C2"));

  const std::string text = dm("is it safe to restart payments-api right now?").replies[0].text;
  const std::string shown = markup::to_markdown(text);
  EXPECT_LT(shown.find("INC-2: Payments API errors in #C2"), shown.find("INC-1")) << shown;
  EXPECT_TRUE(has(text, "incident commander <@U2>")) << shown;
  EXPECT_TRUE(has(text, "looks related"));
  EXPECT_FALSE(has(text, "Matrix outage"));  // another platform's channel is out of reach
}

// Someone who has no part in an incident (its channel may be private) learns only that one is
// open and whom to ask: not its title, not its channel.
TEST_F(DmTest, ChangeSafetyShowsOnlyIncidentsTheAskerIsPartOf) {
  engine_->handle(
      testing::command("c1", "start Key leak by ex-employee laptop", at(9, 0), "U1", "GPRIVATE"));
  engine_->handle(testing::command("c2", "role commander <@U3|kim>", at(9, 1), "U1", "GPRIVATE"));
  const std::string shown =
      markup::to_markdown(dm("is it safe to restart payments-api?").replies.at(0).text);
  EXPECT_FALSE(has(shown, "Key leak")) << shown;
  EXPECT_FALSE(has(shown, "GPRIVATE")) << shown;
  EXPECT_FALSE(has(shown, "INC-1")) << shown;
  EXPECT_TRUE(has(shown, "An incident you're not part of is open")) << shown;
  EXPECT_TRUE(has(shown, "U3")) << shown;  // whom to ask
  // Its commander sees it in full.
  const std::string theirs = markup::to_markdown(
      dm("is it safe to restart payments-api?", at(10, 1), "U3", "D3").replies.at(0).text);
  EXPECT_TRUE(has(theirs, "INC-1: Key leak by ex-employee laptop")) << theirs;
}

// A private incident is not even mentioned to someone outside it; its members see it as usual.
TEST_F(DmTest, APrivateIncidentIsNotMentionedToAnyoneOutsideIt) {
  engine_->handle(
      testing::command("c1", "start Key leak by ex-employee laptop sev1 private", at(9, 0), "U1"));
  const std::string shown =
      markup::to_markdown(dm("is it safe to restart payments-api?").replies.at(0).text);
  EXPECT_FALSE(has(shown, "Key leak")) << shown;
  EXPECT_FALSE(has(shown, "not part of")) << shown;
  EXPECT_FALSE(has(shown, "U1")) << shown;
  EXPECT_TRUE(has(shown, "No incident is open")) << shown;
  const std::string theirs = markup::to_markdown(
      dm("is it safe to restart payments-api?", at(10, 1), "U1", "D1").replies.at(0).text);
  EXPECT_TRUE(has(theirs, "INC-1: Key leak by ex-employee laptop")) << theirs;
}

TEST_F(DmTest, ReportSendsTheLastQuestionWithoutTheAsker) {
  dm("i clicked a link in an email that looked like it was from IT");
  const auto o = dm("report");
  EXPECT_EQ(o.topic, "report");
  const auto sec = find(o, Audience::security);
  ASSERT_NE(sec, std::nullopt);
  EXPECT_EQ(sec->anchor, Anchor::security_case);
  EXPECT_EQ(sec->case_code.rfind("SEC-", 0), 0u);
  EXPECT_TRUE(sec->thread_ref.empty());
  EXPECT_TRUE(has(sec->text, "looked like it was from IT"));
  EXPECT_TRUE(has(sec->text, "a suspicious link, email or attachment"));
  EXPECT_TRUE(has(sec->text, sec->case_code));
  for (const char* who : {"U9", "D9"}) EXPECT_FALSE(has(sec->text, who));
  const auto ack = find(o, Audience::direct);
  ASSERT_NE(ack, std::nullopt);
  EXPECT_TRUE(has(ack->text, sec->case_code));
  EXPECT_TRUE(has(ack->text, "without your name"));

  ASSERT_EQ(store_.cases().size(), 1u);
  const Escalation& e = store_.cases().begin()->second;
  EXPECT_EQ(e.dm_channel, "D9");
  EXPECT_EQ(e.topic, Topic::phishing);
  EXPECT_EQ(e.text, "i clicked a link in an email that looked like it was from IT");
  // The memory is spent: a second `report` has nothing to send.
  dm("close");
  EXPECT_EQ(find(dm("report"), Audience::security), std::nullopt);
}

TEST_F(DmTest, ReportAsMeNamesTheAskerAndReportTextSendsThatText) {
  dm("left my laptop on the train");
  const auto named = find(dm("report as me"), Audience::security);
  ASSERT_NE(named, std::nullopt);
  EXPECT_TRUE(has(named->text, "<@U9>"));
  dm("close");
  const auto direct = find(dm("report a pop-up wants me to call Microsoft"), Audience::security);
  ASSERT_NE(direct, std::nullopt);
  EXPECT_TRUE(has(direct->text, "a pop-up wants me to call Microsoft"));
  EXPECT_TRUE(has(direct->text, "malware or an odd pop-up"));
  EXPECT_FALSE(has(direct->text, "U9"));
}

TEST_F(DmTest, WithSeveralRecentQuestionsReportAsksWhichByTopicOnly) {
  dm("left my laptop on the train this morning", at(10, 0));
  dm("and someone then called me claiming to be from IT support", at(10, 5));
  const auto ask = dm("report", at(10, 6));
  EXPECT_EQ(find(ask, Audience::security), std::nullopt);
  EXPECT_TRUE(store_.cases().empty());
  ASSERT_EQ(ask.replies.size(), 1u);
  const std::string list = ask.replies.at(0).text;
  // Listed by topic and age, oldest first; the asker's words are not repeated (replies are
  // recorded until scrubbed, and DM text never reaches storage).
  EXPECT_TRUE(has(list, "1. a lost or stolen device")) << list;
  EXPECT_TRUE(has(list, "2. a suspicious call or message")) << list;
  EXPECT_TRUE(has(list, "`report all`")) << list;
  EXPECT_FALSE(has(list, "laptop")) << list;
  EXPECT_FALSE(has(list, "IT support")) << list;

  // Both related questions go together, in the order they were asked, as one case.
  const auto sent = find(dm("report 1 2", at(10, 7)), Audience::security);
  ASSERT_NE(sent, std::nullopt);
  EXPECT_TRUE(has(sent->text, "left my laptop on the train")) << sent->text;
  EXPECT_TRUE(has(sent->text, "claiming to be from IT support")) << sent->text;
  EXPECT_LT(sent->text.find("laptop"), sent->text.find("IT support"));
  ASSERT_EQ(store_.cases().size(), 1u);
  EXPECT_EQ(store_.cases().begin()->second.text,
            "left my laptop on the train this morning\n\nand someone then called me claiming to "
            "be from IT support");
  // Reported questions are spent.
  dm("close", at(10, 8));
  EXPECT_EQ(find(dm("report", at(10, 9)), Audience::security), std::nullopt);
}

TEST_F(DmTest, ReportPicksOneQuestionByNumberOrAllOfThem) {
  dm("left my laptop on the train", at(10, 0));
  dm("is it safe to restart the database now?", at(10, 1));
  dm("a pop-up says my computer is infected", at(10, 2));
  const auto one = find(dm("report 3 as me", at(10, 3)), Audience::security);
  ASSERT_NE(one, std::nullopt);
  EXPECT_TRUE(has(one->text, "pop-up says my computer is infected"));
  EXPECT_FALSE(has(one->text, "laptop"));
  EXPECT_TRUE(has(one->text, "<@U9>"));
  dm("close", at(10, 4));
  // The two left keep their numbers.
  const auto rest = find(dm("report all", at(10, 5)), Audience::security);
  ASSERT_NE(rest, std::nullopt);
  EXPECT_TRUE(has(rest->text, "laptop"));
  EXPECT_TRUE(has(rest->text, "restart the database"));
  dm("close", at(10, 6));
  // A number that is not in the list is refused with the list, and nothing is sent.
  dm("my phone was stolen", at(10, 7));
  dm("and my email password was saved on it", at(10, 8));
  const auto wrong = dm("report 5", at(10, 9));
  EXPECT_EQ(find(wrong, Audience::security), std::nullopt);
  EXPECT_TRUE(has(wrong.replies.at(0).text, "1. a lost or stolen device"))
      << wrong.replies.at(0).text;
  // `report <words>` still sends the words, even when they start with a number.
  const auto words =
      find(dm("report 2 laptops were stolen from the office", at(10, 10)), Audience::security);
  ASSERT_NE(words, std::nullopt);
  EXPECT_TRUE(has(words->text, "2 laptops were stolen from the office"));
}

TEST_F(DmTest, AQuestionIsKeptInMemoryOnlyForAWhileAndNotAcrossARestart) {
  dm("typed my password into a weird login page", at(10, 0));
  const auto late = dm("report", at(10, 31));
  EXPECT_EQ(find(late, Audience::security), std::nullopt);
  EXPECT_TRUE(has(late.replies.at(0).text, "report <what happened>"));

  dm("typed my password into a weird login page", at(11, 0));
  restart();
  const auto after_restart = dm("report", at(11, 1));
  EXPECT_EQ(find(after_restart, Audience::security), std::nullopt);
  EXPECT_TRUE(has(after_restart.replies.at(0).text, "restart"));
  EXPECT_TRUE(store_.cases().empty());
}

TEST_F(DmTest, WithoutASecurityChannelReportSaysSo) {
  restart(Settings{});
  EXPECT_TRUE(has(dm("left my laptop on the train").replies[0].text, "contact them the usual way"));
  const auto o = dm("report");
  EXPECT_EQ(find(o, Audience::security), std::nullopt);
  EXPECT_TRUE(has(o.replies.at(0).text, "INCIDENT_BOT_SECURITY_CHANNEL"));
  EXPECT_TRUE(store_.cases().empty());
}

TEST_F(DmTest, EscalationsAreRateLimitedPerPerson) {
  restart(with_security(2));
  EXPECT_NE(find(dm("report one", at(9, 0)), Audience::security), std::nullopt);
  dm("close", at(9, 1));
  EXPECT_NE(find(dm("report two", at(9, 2)), Audience::security), std::nullopt);
  dm("close", at(9, 3));
  const auto limited = dm("report three", at(9, 4));
  EXPECT_EQ(find(limited, Audience::security), std::nullopt);
  EXPECT_TRUE(has(limited.replies.at(0).text, "not a judgement"));
  // Someone else is not limited by it, and the asker is again a day later.
  EXPECT_NE(find(dm("report other", at(9, 5), "U8", "D8"), Audience::security), std::nullopt);
  EXPECT_NE(find(engine_->handle(testing::event("late", in::DirectMessage{"report four"},
                                                at(9, 3) + std::chrono::hours{24}, "U9", "D9")),
                 Audience::security),
            std::nullopt);
}

TEST_F(DmTest, TheSecurityTeamAndTheAskerTalkThroughTheBot) {
  dm("someone called claiming to be from the bank asking for the code");
  const std::string root = post(dm("report"));

  const auto answer = security(root, "Thanks! Did you give them the code?");
  ASSERT_EQ(answer.replies.size(), 1u);
  EXPECT_EQ(answer.replies[0].audience, Audience::direct);
  EXPECT_EQ(answer.replies[0].channel, "D9");
  EXPECT_TRUE(answer.replies[0].user.empty());
  EXPECT_TRUE(has(answer.replies[0].text, "Did you give them the code?"));
  EXPECT_FALSE(has(answer.replies[0].text, "U77"));

  const auto back = dm("no, I hung up");
  const auto relayed = find(back, Audience::security);
  ASSERT_NE(relayed, std::nullopt);
  EXPECT_EQ(relayed->thread_ref, root);
  EXPECT_TRUE(has(relayed->text, "no, I hung up"));
  EXPECT_FALSE(has(relayed->text, "U9"));
  EXPECT_EQ(back.topic, "relay");
}

TEST_F(DmTest, TheAskerClosesTheCase) {
  dm("left my laptop on the train");
  const std::string root = post(dm("report"));
  const auto closed = dm("close");
  ASSERT_NE(find(closed, Audience::security), std::nullopt);
  EXPECT_EQ(find(closed, Audience::security)->thread_ref, root);
  EXPECT_FALSE(store_.cases().begin()->second.open);
  // Back to the advisor, and the thread no longer reaches the asker.
  EXPECT_EQ(dm("got a popup saying my mac is infected").topic, "malware");
  const auto late = security(root, "any update?");
  ASSERT_EQ(late.replies.size(), 1u);
  EXPECT_EQ(late.replies[0].audience, Audience::caller);
  EXPECT_TRUE(has(late.replies[0].text, "is closed"));
  EXPECT_TRUE(has(dm("close").replies.at(0).text, "no open case"));
}

TEST_F(DmTest, TheSecurityTeamClosesTheCase) {
  dm("left my laptop on the train");
  const auto report = dm("report");
  const std::string root = post(report);
  // Other words in the thread are for the asker, even ones starting with "close".
  EXPECT_EQ(security(root, "close call, but you did well").topic, "case_reply");
  std::string code = find(report, Audience::security)->case_code;
  for (char& ch : code) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto closed = security(root, "Close " + code);
  EXPECT_EQ(closed.topic, "case_close");
  const auto told = find(closed, Audience::direct);
  ASSERT_NE(told, std::nullopt);
  EXPECT_EQ(told->channel, "D9");
  EXPECT_TRUE(has(told->text, "closed"));
  EXPECT_FALSE(store_.cases().begin()->second.open);
}

// With several open cases the bot must ask which one, but a password or code typed somewhere
// gets its guidance first, always.
TEST_F(DmTest, CredentialGuidanceComesBeforeAskingWhichCase) {
  dm("report lost my phone");
  dm("report weird popup");
  const auto typed = dm("I typed my password and the MFA code into that page");
  ASSERT_GE(typed.replies.size(), 2u);
  EXPECT_TRUE(has(typed.replies[0].text, "password")) << typed.replies[0].text;
  EXPECT_FALSE(has(typed.replies[0].text, "more than one open case"));
  EXPECT_TRUE(has(typed.replies.back().text, "more than one open case"));
  const auto pasted = dm("my password is Tr0ub4dor&3");
  ASSERT_GE(pasted.replies.size(), 2u);
  EXPECT_TRUE(has(pasted.replies[0].text, "rotate it now")) << pasted.replies[0].text;
  for (const auto& r : pasted.replies) EXPECT_FALSE(has(r.text, "Tr0ub4dor"));
}

TEST_F(DmTest, WithSeveralOpenCasesTheCodeSaysWhich) {
  const std::string first = find(dm("report lost my phone"), Audience::security)->case_code;
  const auto second_o = dm("report weird popup");
  const std::string second = find(second_o, Audience::security)->case_code;
  const std::string second_root = post(second_o);

  EXPECT_TRUE(has(dm("any news?").replies.at(0).text, "more than one open case"));
  const auto to_second = find(dm(second + " it happened again"), Audience::security);
  ASSERT_NE(to_second, std::nullopt);
  EXPECT_EQ(to_second->thread_ref, second_root);
  EXPECT_TRUE(has(to_second->text, "it happened again"));
  EXPECT_TRUE(has(dm("close").replies.at(0).text, "more than one open case"));
  dm("close " + first + ".");
  EXPECT_FALSE(store_.cases().at(first).open);
  EXPECT_TRUE(store_.cases().at(second).open);
  // With one left, any DM goes to it.
  EXPECT_EQ(find(dm("still there?"), Audience::security)->thread_ref, second_root);
}

TEST_F(DmTest, CredentialsAreNeverEchoedKeptOrRelayed) {
  const std::string token = "xoxb-1234567890-0987654321-AbCdEfGhIjKl";
  const auto o = dm("I pasted " + token + " in #general, what now?");
  EXPECT_EQ(o.topic, "secret_exposed");
  ASSERT_EQ(o.replies.size(), 1u);
  EXPECT_TRUE(has(o.replies[0].text, "rotate it now"));
  EXPECT_TRUE(has(o.replies[0].text, "api.slack.com/apps"));
  EXPECT_FALSE(has(o.replies[0].text, token));

  const std::string root = post(dm("report"));
  EXPECT_NE(store_.cases().begin()->second.text.find("[credential removed]"), std::string::npos);
  EXPECT_EQ(store_.cases().begin()->second.text.find(token), std::string::npos);

  const auto relay = dm("also password=hunter22 was on the same page");
  EXPECT_TRUE(has(find(relay, Audience::security)->text, "[credential removed]"));
  EXPECT_TRUE(has(relay.replies.at(0).text, "rotate it now"));
  security(root, "thanks, rotate AKIAIOSFODNN7EXAMPLE too");

  const std::string stored = stored_replies();
  for (const char* secret : {"AbCdEfGhIjKl", "hunter22", "AKIAIOSFODNN7EXAMPLE"}) {
    EXPECT_EQ(stored.find(secret), std::string::npos) << secret;
  }
}

// Credentials as people write them in a sentence, in the formats the secret scanners know:
// none reaches the security channel or the stored case.
TEST_F(DmTest, NoCredentialFormatReachesTheSecurityChannel) {
  const std::string secrets[] = {"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                 "sk_live_51HxAbCdEfGhIjKlMnOpQrStUv", "glpat-xXyYzZ0123456789abcd",
                                 "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI", "Tr0ub4dor&3"};
  const std::string texts[] = {"My AWS_SECRET_ACCESS_KEY is " + secrets[0],
                               "I put " + secrets[1] + " in the wiki", "ci log has " + secrets[2],
                               "the maps key " + secrets[3] + " is public now",
                               "and my password is " + secrets[4]};
  int n = 0;
  for (const auto& text : texts) {
    const std::string channel = "DX" + std::to_string(n);
    dm(text, at(9, n), "UX" + std::to_string(n), channel);
    const auto report =
        find(dm("report", at(9, n), "UX" + std::to_string(n), channel), Audience::security);
    ASSERT_NE(report, std::nullopt) << text;
    EXPECT_EQ(report->text.find(secrets[n]), std::string::npos) << report->text;
    ++n;
  }
  for (const auto& [code, c] : store_.cases()) {
    for (const auto& secret : secrets) EXPECT_EQ(c.text.find(secret), std::string::npos) << c.text;
  }
}

TEST_F(DmTest, NoDmPostsOutsideItsOwnDmExceptThroughReport) {
  for (const char* text :
       {"!incident start fake outage", "/incident close", "@channel look at this", "<!here>",
        "post this to #general please", "share", "log something", "close", "help",
        "is it safe to deploy?", "security", "SEC-00000000 hello", ""}) {
    const auto o = dm(text);
    for (const auto& r : o.replies) {
      EXPECT_EQ(r.audience, Audience::direct) << text;
      EXPECT_EQ(r.channel, "D9") << text;
    }
  }
  EXPECT_TRUE(store_.incidents().empty());
  EXPECT_TRUE(store_.cases().empty());
}

TEST_F(DmTest, ARedeliveredReportOpensOneCase) {
  dm("left my laptop on the train");
  const auto report = testing::event("again", in::DirectMessage{"report"}, at(10, 1), "U9", "D9");
  const auto first = engine_->handle(report);
  const auto second = engine_->handle(report);
  EXPECT_TRUE(second.duplicate);
  EXPECT_EQ(first.replies, second.replies);
  EXPECT_EQ(store_.cases().size(), 1u);
}

TEST_F(DmTest, WithoutARandomSourceAReportIsABrokenInvariant) {
  engine_ = std::make_unique<Engine>(store_, prompts_, with_security());
  EXPECT_THROW(dm("report lost my phone"), std::logic_error);
  EXPECT_TRUE(store_.cases().empty());
}

TEST_F(DmTest, PurgeDeletesClosedCasesAfterRetentionAndScrubsPrivateReplies) {
  dm("left my laptop on the train", at(10, 0));
  post(dm("report", at(10, 1)));
  dm("close", at(10, 2));
  dm("report still open", at(10, 3), "U8", "D8");
  const std::string asked_key = "test:dm1";
  const std::string report_key = "test:dm2";

  EXPECT_EQ(engine_->purge(at(10, 4)), 0);
  EXPECT_FALSE(store_.find_processed(asked_key)->empty());

  // A day on, the guidance replies go; the case and its replies stay until retention ends.
  EXPECT_EQ(engine_->purge(at(10, 4) + std::chrono::hours{25}), 0);
  EXPECT_TRUE(store_.find_processed(asked_key)->empty());
  EXPECT_FALSE(store_.find_processed(report_key)->empty());
  EXPECT_EQ(store_.cases().size(), 2u);

  EXPECT_EQ(engine_->purge(at(10, 2) + std::chrono::days{31}), 1);
  EXPECT_TRUE(store_.find_processed(report_key)->empty());
  ASSERT_EQ(store_.cases().size(), 1u);
  EXPECT_TRUE(store_.cases().begin()->second.open);  // open cases are kept however old
  // A redelivery of a scrubbed event still changes nothing.
  EXPECT_TRUE(
      engine_->handle(testing::event("dm2", in::DirectMessage{"report"}, at(10, 1), "U9", "D9"))
          .duplicate);
}

TEST(QuestionMemory, ForgetsAfterTheWindowAndStaysBounded) {
  QuestionMemory memory;
  const auto kept = std::chrono::minutes{30};
  memory.update("slack", "U1", QuestionUpdate::remember({"q", Topic::general, at(10, 0)}),
                at(10, 0), kept);
  EXPECT_FALSE(memory.recall("slack", "U1", at(10, 30), kept).empty());
  EXPECT_TRUE(memory.recall("slack", "U1", at(10, 31), kept).empty());
  EXPECT_TRUE(memory.recall("matrix", "U1", at(10, 1), kept).empty());
  memory.update("slack", "U1", QuestionUpdate::forget_all(), at(10, 1), kept);
  EXPECT_TRUE(memory.recall("slack", "U1", at(10, 1), kept).empty());

  // A few questions per person, oldest first; the oldest goes when a new one does not fit.
  for (int i = 0; i <= QuestionMemory::kPerUser; ++i) {
    memory.update(
        "slack", "U2",
        QuestionUpdate::remember({"q" + std::to_string(i), Topic::general, at(10, 2 + i)}),
        at(10, 2 + i), kept);
  }
  const auto recent = memory.recall("slack", "U2", at(10, 20), kept);
  ASSERT_EQ(recent.size(), std::size_t(QuestionMemory::kPerUser));
  EXPECT_EQ(recent.front().text, "q1");
  EXPECT_EQ(recent.back().text, "q" + std::to_string(QuestionMemory::kPerUser));
  // Forgetting the reported ones keeps the others.
  memory.update("slack", "U2", QuestionUpdate::forget({recent[0].at, recent[2].at}), at(10, 21),
                kept);
  ASSERT_EQ(memory.recall("slack", "U2", at(10, 21), kept).size(),
            std::size_t(QuestionMemory::kPerUser - 2));

  for (std::size_t i = 0; i <= QuestionMemory::kCapacity; ++i) {
    memory.update(
        "slack", "U" + std::to_string(i),
        QuestionUpdate::remember({"q", Topic::general, at(11, 0) + std::chrono::milliseconds(i)}),
        at(11, 0), kept);
  }
  EXPECT_TRUE(memory.recall("slack", "U0", at(11, 1), kept).empty());  // the oldest made room
  EXPECT_FALSE(memory.recall("slack", "U1", at(11, 1), kept).empty());
}

}  // namespace
}  // namespace incident
