#include "bot/blameless/blameless.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "prompts/embedded.h"

namespace incident {
namespace {

const Prompts& prompts() {
  static const Prompts p = Prompts::load(embedded_prompts());
  return p;
}

std::vector<Finding> check(std::string_view text, std::vector<std::string> names = {}) {
  return check_blameless(text, People{std::move(names)}, prompts());
}

std::vector<Finding> of_kind(const std::vector<Finding>& all, FindingKind kind) {
  std::vector<Finding> out;
  for (const auto& f : all) {
    if (f.kind == kind) out.push_back(f);
  }
  return out;
}

bool has_kind(std::string_view text, FindingKind kind) {
  return !of_kind(check(text), kind).empty();
}

std::string phrases(std::string_view text, FindingKind kind) {
  std::string out;
  for (const auto& f : of_kind(check(text), kind)) out += (out.empty() ? "" : "|") + f.phrase;
  return out;
}

TEST(Blameless, KindNames) {
  EXPECT_EQ(to_string(FindingKind::blame), "blame");
  EXPECT_EQ(to_string(FindingKind::person), "person");
  EXPECT_EQ(to_string(FindingKind::personnel), "personnel");
}

TEST(Blameless, OffsetsAndPhrasesAreExact) {
  const std::string text = "Update: Bob forgot to renew the cert.";
  const auto all = check(text);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, FindingKind::person);
  EXPECT_EQ(all[0].offset, 8u);
  EXPECT_EQ(all[0].length, 3u);
  EXPECT_EQ(all[0].phrase, "Bob");
  EXPECT_EQ(all[1].kind, FindingKind::blame);
  EXPECT_EQ(all[1].offset, 12u);
  EXPECT_EQ(all[1].length, 9u);
  EXPECT_EQ(all[1].phrase, "forgot to");
  for (const auto& f : all) EXPECT_EQ(text.substr(f.offset, f.length), f.phrase);
}

TEST(Blameless, FindingsAreInTextOrder) {
  const auto all = check("Dana's fault. Then @bob failed to page anyone; human error again.");
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LE(all[i - 1].offset, all[i].offset);
  EXPECT_EQ(phrases("Dana's fault. Then @bob failed to page anyone; human error again.",
                    FindingKind::blame),
            "Dana's fault|failed to|human error");
}

TEST(Blameless, SuggestionsComeFromPromptsWithThePhrase) {
  const auto blame = of_kind(check("it's Dana's fault"), FindingKind::blame);
  ASSERT_EQ(blame.size(), 1u);
  EXPECT_NE(blame[0].suggestion.find("Dana's fault"), std::string::npos);
  const auto forgot = of_kind(check("we forgot to renew the cert"), FindingKind::blame);
  ASSERT_EQ(forgot.size(), 1u);
  EXPECT_NE(forgot[0].suggestion.find("the checklist had no step"), std::string::npos);
  const auto person = of_kind(check("@dana is on it"), FindingKind::person);
  ASSERT_EQ(person.size(), 1u);
  EXPECT_NE(person[0].suggestion.find("a responder"), std::string::npos);
}

TEST(Blameless, MissingPromptsGiveEmptySuggestionsNotErrors) {
  const auto all = check_blameless("human error", People{}, Prompts{});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].suggestion, "");
}

TEST(Blameless, HumanErrorAndFault) {
  EXPECT_EQ(phrases("root cause: human error", FindingKind::blame), "human error");
  EXPECT_EQ(phrases("classic operator error, wrong cluster", FindingKind::blame), "operator error");
  EXPECT_EQ(phrases("this is 100% bob's fault", FindingKind::blame), "bob's fault");
  EXPECT_EQ(phrases("it was his own fault", FindingKind::blame), "his own fault");
  EXPECT_EQ(phrases("whose fault was it?", FindingKind::blame), "whose fault");
  EXPECT_EQ(phrases("that's on him tbh", FindingKind::blame), "that's on him");
  EXPECT_TRUE(has_kind("PEBKAC again", FindingKind::blame));
  EXPECT_TRUE(has_kind("@priya fat-fingered the replica count", FindingKind::blame));
}

TEST(Blameless, TraitsAndIdioms) {
  EXPECT_EQ(phrases("a careless change to the LB", FindingKind::blame), "careless");
  EXPECT_TRUE(has_kind("Frankly this looks negligent", FindingKind::blame));
  EXPECT_TRUE(has_kind("he was lazy and skipped the canary", FindingKind::blame));
  EXPECT_EQ(phrases("ops dropped the ball on capacity", FindingKind::blame), "dropped the ball");
  EXPECT_EQ(phrases("Bob really messed up the deploy", FindingKind::blame), "messed up");
  EXPECT_TRUE(has_kind("you need to be more careful with prod", FindingKind::blame));
}

TEST(Blameless, ShouldHaveForgotFailedTo) {
  EXPECT_EQ(phrases("Dana should have known the cert was expiring", FindingKind::blame),
            "should have known");
  EXPECT_EQ(phrases("someone should've caught this", FindingKind::blame), "should've caught");
  EXPECT_EQ(phrases("we forgot to renew the TLS cert", FindingKind::blame), "forgot to");
  EXPECT_EQ(phrases("forgot to drain the node lol", FindingKind::blame), "forgot to");
  EXPECT_EQ(phrases("Priya failed to follow the runbook", FindingKind::blame), "failed to");
  EXPECT_EQ(phrases("why didn't bob check the replica", FindingKind::blame),
            "why didn't bob check");
  EXPECT_TRUE(has_kind("he pushed the change without testing it", FindingKind::blame));
  EXPECT_TRUE(has_kind("if John had followed the runbook this was avoidable", FindingKind::blame));
}

TEST(Blameless, BlameWordsWhoAndMistakes) {
  EXPECT_EQ(phrases("I blame Bob for this outage", FindingKind::blame), "blame Bob");
  EXPECT_EQ(phrases("who broke prod??", FindingKind::blame), "who broke");
  EXPECT_EQ(phrases("it was his mistake", FindingKind::blame), "his mistake");
  EXPECT_EQ(phrases("Dana made a mistake in the config", FindingKind::blame), "made a mistake");
  EXPECT_TRUE(has_kind("not to point fingers, but it was erin's change", FindingKind::blame));
}

TEST(Blameless, SarcasmAndCausation) {
  EXPECT_EQ(phrases("great job, Bob, another outage", FindingKind::blame), "great job, Bob");
  EXPECT_EQ(phrases("thanks a lot Dana for breaking prod", FindingKind::blame),
            "thanks a lot Dana for breaking");
  EXPECT_TRUE(has_kind("because Bob pushed a bad config, checkout went down", FindingKind::blame));
  EXPECT_TRUE(has_kind("this happened due to Tom's change to the timeouts", FindingKind::blame));
  EXPECT_TRUE(has_kind("Bob broke prod again", FindingKind::blame));
  EXPECT_TRUE(has_kind("he deployed the wrong branch", FindingKind::blame));
  // Praise is not sarcasm.
  EXPECT_FALSE(has_kind("great job everyone, checkout is back to normal", FindingKind::blame));
  EXPECT_FALSE(has_kind("thanks @priya for the quick rollback!", FindingKind::blame));
  EXPECT_FALSE(
      has_kind("thanks to Dana's quick rollback the impact was small", FindingKind::blame));
}

TEST(Blameless, SystemSubjectsAreNotBlame) {
  for (const char* text : {
           "the health check failed to detect the stale replica",
           "fault tolerance worked",
           "error rate rose to 12%",
           "the job failed to start",
           "the cache forgot entries after eviction",
           "no fault found on the disk",
           "human-readable error",
           "we found the error in the config parser",
           "the alert should have fired at 80% disk usage",
           "the migration messed up the index statistics",
           "the deploy broke the login page",
           "git blame shows the line came from 2019",
           "this is a blameless review",
           "don't forget to update the status page",
           "I forgot where the runbook lives",
           "the script deploys without checking the exit code",
           "nobody is to blame, the runbook was out of date",
           "it wasn't human error, the tool made the wrong action easy",
           "blame the cache, it served stale data",
           "we should have had an alert for replica lag",
       }) {
    EXPECT_TRUE(of_kind(check(text), FindingKind::blame).empty()) << text;
  }
}

TEST(Blameless, Personnel) {
  for (const char* text : {
           "this should go to HR",
           "raise it in his performance review",
           "put him on a PIP",
           "there needs to be disciplinary action",
           "she should get a written warning",
           "they should fire him",
           "someone is going to get fired over this",
           "he'll be let go",
           "this is the third time he's done this",
           "bob should be reprimanded",
           "write her up",
           "I'll talk to his manager about this",
       }) {
    EXPECT_TRUE(has_kind(text, FindingKind::personnel)) << text;
    EXPECT_TRUE(is_personnel_matter(text)) << text;
  }
  for (const char* text : {
           "the alert fired at 14:02",
           "PagerDuty fired two incidents",
           "the HR portal was down",
           "HR system outage",
           "pip install failed on the agents",
           "it was a 2 hr outage",
           "the pod was terminated by the OOM killer",
           "the replica was demoted",
           "let go of the lock if the job hangs",
           "the write-up is in the doc",
           "the third time the alert fired we escalated",
           "performance of search degraded",
           "the package manager cache was corrupted",
           "warnings in the compiler output",
       }) {
    EXPECT_FALSE(has_kind(text, FindingKind::personnel)) << text;
    EXPECT_FALSE(is_personnel_matter(text)) << text;
  }
}

// Phrasings beyond the word lists: roles, teams, unknown names, questions, sarcasm,
// counterfactuals, verdicts tacked on at the end.
TEST(Blameless, BlameInManyShapes) {
  for (const char* text : {
           "Ivan let the cert expire",
           "QA failed to test the edge case",
           "the developer responsible neglected to update the lockfile",
           "In short, the deployment owner did not perform the required pre-flight checks.",
           "had ops simply paid attention to the disk alerts, none of this would have happened",
           "none of this happens if Marco just follows the checklist",
           "if you'd checked the logs you'd have seen it",
           "it was on Kevin to renew the cert and he didn't",
           "it was Maria's commit that took the site down",
           "the outage traces back to Sunil skipping the staging soak",
           "Kyle bypassed the review and merged anyway",
           "the intern deleted the production database",
           "she clearly has no idea what she's doing",
           "only an amateur would hardcode the password",
           "the team cut corners and this is the result",
           "no one bothered reading the alert",
           "the SREs were clearly not watching the dashboards",
           "Amir keeps skipping code review",
           "mistakes were made, mostly by Tom",
           "poor judgment on the part of the engineer who approved the rollout",
           "who the hell merged to main on a friday",
           "did anyone even look at the diff before it went out?",
           "seriously, who keeps turning off the disk alerts?",
           "how do you not notice a 500 error rate for an hour, Mike?",
           "great job breaking prod, again",
           "love how ops \"tested\" this",
           "love that nobody checked the disk before the migration",
           "another masterpiece from the platform team",
           "typical of the payments team, ship first and ask questions later",
           "Seriously Pete?? again??",
           "fantastic, ops managed to nuke the wrong cluster",
           "someone rotated the keys on a Friday at 6pm, genius",
           "the junior dev deployed to prod instead of staging, typical",
           "thanks, Omar, for the 3am wake-up call",
           "this failure is squarely on product for pushing the deadline",
           "I'd put this one on the QA folks",
           "can ppl PLEASE stop force pushing to main",
           "our so-called senior engineer deleted the backups",
       }) {
    EXPECT_TRUE(has_kind(text, FindingKind::blame)) << text;
  }
}

// A colleague's act told with a skipped safeguard or a mistaken belief, and no judging word —
// and the same marks on a system's act, or on one's own act told with its fix, which pass.
TEST(Blameless, SlipsNarratedWithoutAJudgingWord) {
  for (const char* text : {
           "Kenji bumped the allocator batch size to 5000 last night with no review.",
           "Lars changed the limits from memory, no ticket.",
           "Björn deleted the group while clearing out what he took to be unused groups.",
           "Priya merged the schema change with no approval, and the writes started failing.",
           // A two-part name is a name, not a product like "GitHub".
           "Anne-Marie deleted the volume thinking it was staging.",
           "Lars-Erik changed the limits from memory, no ticket.",
       }) {
    EXPECT_TRUE(has_kind(text, FindingKind::blame)) << text;
  }
  for (const char* text : {
           "The change went out with no review.",
           "We shipped the one-line fix with no review; a second reviewer is now on the rota.",
           "The job restored the index from memory, not from disk.",
           "The vendor's script deleted what it took to be unused buckets.",
           "The Wi-Fi in the office dropped by mistake when the controller rebooted.",
       }) {
    EXPECT_TRUE(of_kind(check(text), FindingKind::blame).empty()) << text;
  }
}

// The same words and shapes about systems, processes, praise and plain facts.
TEST(Blameless, SameShapesAboutSystemsPass) {
  for (const char* text : {
           "the retry logic is sloppy: it has no backoff and no jitter",
           "the reckless default of unlimited retries amplified the load",
           "the service was careless about releasing file handles",
           "the sloppy handling of timeouts in the client library caused cascading retries",
           "The process for emergency changes is careless about approvals.",
           "we let the cache expire after 5 minutes by design",
           "the TTL let the entries expire too early",
           "Dana deleted the stale pods in production to free memory",
           "she bypassed the cache to restore service, per the runbook",
           "the consumer keeps dropping messages under load",
           "the pipeline deleted the artifacts by mistake because of a glob bug",
           "we need to stop deploying during peak hours",
           "I love how fast the new dashboard loads",
           "it's always the same shard that fills up first",
           "without a canary, the bad build went to all hosts",
           "great job everyone, another clean failover drill",
           "another fix from Dana landed, thanks",
           "does anyone know if the backup finished?",
           "Sam, can you check the replica lag?",
           "the root cause is that the certificate expired",
           "We are not looking for someone to blame, we are looking for what made this possible.",
           "the engineers rebuilt the index overnight, great work",
       }) {
    EXPECT_TRUE(of_kind(check(text), FindingKind::blame).empty()) << text;
  }
}

TEST(Blameless, PersonnelInManyShapes) {
  for (const char* text : {
           "I'm going to write up Jake after the incident",
           "Sam deserves to be fired for this",
           "that's strike three for Kevin",
           "should we pull his prod access as a punishment?",
           "revoke her on-call privileges until she's retrained",
           "we need to document this for his file",
           "can we get him reassigned off the payments team?",
           "I'm flagging this to people ops",
           "I've flagged this with Amir's manager and HR.",
           "Recommend that the engineer's production access be suspended pending a review.",
           "If this happens again, he's out.",
           "we need to discuss consequences for the release captain",
           "does this count as a strike against Hugo?",
           "this should be reflected in her year-end review",
           "I'm going to raise this with his line manager",
           "I've opened an HR case about the way Ken spoke on the bridge",
           "time to start managing her out",
           "let's revisit whether Sunil stays on the on-call rotation after this",
           "we need to talk about whether Tara is ready for on-call",
       }) {
    EXPECT_TRUE(has_kind(text, FindingKind::personnel)) << text;
  }
  for (const char* text : {
           "the performance review dashboard timed out for everyone",
           "the model was retrained on fresh data",
           "the sensor calibration drifted",
           "he got a warning from the linter",
           "he was warned about the maintenance window by email",
           "the contractor's engagement ended in May, so the runbook had no owner",
           "the people team announced the new on-call policy",
           "she is ready for on-call next month after shadowing",
       }) {
    EXPECT_FALSE(has_kind(text, FindingKind::personnel)) << text;
  }
}

// Shapes added after the misses of held-out batches 9 and 10 (tests/data/blameless/README.md):
// a slip narrated with an adverb, a setting left on, a warning repeated, a question about
// someone's act, a habit, an act named as the start; and private life, careers and conduct.
TEST(Blameless, NarratedShapesFromHeldOutMisses) {
  for (const char* text : {
           "Ines wrongly flags the healthy shard as failed at 03:10.",
           "Bruno left the maintenance flag on after the upgrade, so writes were refused all day.",
           "We kept telling Anika that the TTL was too short and she kept brushing it off.",
           "Did nobody ask why Wojtek disabled the pager rule in the first place?",
           "The outage began when Lorenzo ran the reindex with the purge option on the primary.",
           "Kofi pushed the tag to the release repo instead of the sandbox one.",
           "The bucket policy was emailed around to the whole company by Mette.",
           "Jonas's botched restore left the replica with half the rows.",
           "Ayesha's mistyped hostname sent every write to the old cluster.",
           "Anton's workaround for the lock contention, a bare retry loop, overloaded the queue.",
           "Action: make sure Mirela stops ignoring the capacity warnings.",
           "Honestly Sven never tests anything before he ships it.",
           "- Who signed off a wildcard certificate with no owner in the first place?",
           "Farid copied the secret into the wiki as plain text, thinking the space was private.",
           "The shard was rebalanced by Oona without anyone taking a snapshot first.",
           "Nils restarted the writer instead of the reader, which is what dropped the writes.",
           "Selin, ignoring the freeze, merges the pricing change anyway.",
           "How did Bartek manage to miss an alert that fired for a whole day?",
           "We moved the traffic at noon instead of the agreed overnight window.",
           "At 09:40 UTC Kasimir raised the pool size to 900 on the primary, thinking he was on "
           "the replica.",
           "Had Oriane not muted the first page, mitigation would have started earlier.",
           "If Tobiah hadn't overridden the rate limits, the queue would have held.",
           "Liesel has a habit of editing the load balancer by hand instead of through a PR.",
           "The archive volume was detached by Ömer during his cleanup, so restores failed.",
           "Valdis disabled the pager rule to quiet the noise and never turned it back on.",
           "As I told Wanjiru last week, her cron change was always going to collide with backups.",
           "Sure, brilliant idea from Cosmin to try the new ACLs straight in production.",
           "The platform crew's neglect of the quota alerts is why the cluster filled up.",
           "The infra team sat on the scanner's warning for two sprints.",
       }) {
    EXPECT_TRUE(has_kind(text, FindingKind::blame)) << text;
  }
  for (const char* text : {
           "I forgot to bump the chart version, so the old image kept running.",
           "My mistake: I merged before the second approval came in.",
           "The alerts never reached anyone because they went to an archived channel.",
           "Thanks to Leilani for writing the backfill job that rebuilt the lost rows.",
           "The rollout was triggered by Dmitri at 10:00 as part of the routine Tuesday release.",
           "A partner misconfigured their callback URL, which caused our retries to queue up.",
           "The router's careless rounding hid the slow requests in the p99.",
           "Upstream DNS dropped the ball on negative caching after the change.",
           "The /login route is changed to return 503 instead of redirecting to the old service.",
           "The mailbox was used for alerts instead of a pager, so nobody saw them at night.",
           "Human error was ruled out: the rollout was fully automated.",
           "The cache layer was blamed at first, but its hit rate never moved.",
           "The vendor said one of their technicians pushed a faulty route to the edge.",
           "that restart was mine, that one's on me",
           "The scheduler's careless handling of leap seconds is a known upstream bug.",
           "The upstream maintainer accidentally published a broken 3.0.1 of the parser.",
       }) {
    EXPECT_TRUE(of_kind(check(text), FindingKind::blame).empty()) << text;
  }
}

// Group handles, scoped packages and list markers are structure, not people or words.
TEST(Blameless, HandlesPackagesAndMarkersAreNotPeople) {
  for (const char* text : {"Escalated to @observability and @vendor-management at 10:02.",
                           "Looping in @appsec for the token rotation.",
                           "Pinned @acme/http-utils to 2.4.1 in every service."}) {
    EXPECT_TRUE(of_kind(check(text), FindingKind::person).empty()) << text;
  }
  EXPECT_FALSE(of_kind(check("Escalated to @dana at 10:02."), FindingKind::person).empty());
}

TEST(Blameless, PrivateLifeCareersAndConduct) {
  for (const char* text : {
           "Noor is pregnant and has asked to come off the night rotation.",
           "Keep this quiet: Arvid was diagnosed with a heart condition last month.",
           "Pilar is recovering from hip surgery and back next week.",
           "Ravi told me he is burned out and having panic attacks before shifts.",
           "Olumide had a family emergency and flew home this morning.",
           "Between us, Sean has been drinking a lot since the reorg.",
           "Ingrid handed in her resignation on Friday.",
           "Please book an exit interview with Teodor.",
           "Her visa situation means Mei cannot join the on-site review.",
           "We have decided to part ways with Lucas.",
           "After this outage Dilnoza is no longer being considered for the staff role.",
           "The contractor who ran the purge will not be offered another engagement.",
           "Yusuf has been reassigned to the tooling team as a consequence of the outage.",
           "Could someone have a word with Beatrix about the way she talks to new joiners?",
           "Prep for the 1:1 with Hamid: he gets short with reviewers.",
           "Because of the incident, Oskar will not receive a bonus.",
           "Access for Nadia stays suspended while HR looks into the matter.",
           "Halvard is off this week for health reasons, so his reviews go to Ruth.",
           "Revoke Imogen's deploy approvals until the review with her manager is done.",
           "Mateus was admitted to hospital on Sunday, so he missed the handover.",
           "Gwen is leaving the company next month; her handover is now urgent.",
           "Dorcas will pair with a senior engineer for 30 days under her improvement plan.",
           "Ulrich's contract ends in June and will not be extended.",
           "Zainab and her manager agreed she might explore opportunities outside the company.",
           "Eamon has been moved out of the team lead role and reports to Ruth now.",
           "Marisa shared that she is expecting and will cut her hours in spring.",
           "- Goran: performance concerns raised in the last 1:1, follow-up in May",
           "Go easy on Paulo this week; he's had a rough few months at home.",
           "Ife's childcare situation means she can only take morning shifts.",
           "Kristof has been given notice, so keep him off new tickets.",
       }) {
    EXPECT_TRUE(has_kind(text, FindingKind::personnel)) << text;
  }
  for (const char* text : {
           "Huge thanks to Ama for the quick diagnosis of the TLS handshake failures.",
           "Visa and Mastercard payments were declined for twelve minutes.",
           "A probation period for new alert rules: two weeks as warnings before they page.",
           "The on-call rotation was rebuilt to reduce burnout across the team.",
           "We were resigned to waiting for the provider's status page.",
           "Parental leave requests queue in the HR system, which was one of the affected "
           "services.",
           "He sounded resigned when the third rollback failed, but we got there.",
           "The patch sat on probation in the canary ring for two days.",
       }) {
    EXPECT_FALSE(has_kind(text, FindingKind::personnel)) << text;
  }
}

TEST(Blameless, EveryMentionFormIsAPerson) {
  const std::string text =
      "ping @dana, <@U024BE7LH>, <@U024BE7LH|erin>, @kenji:example.org and "
      "https://matrix.to/#/@sam:example.org please";
  const auto persons = of_kind(check(text), FindingKind::person);
  ASSERT_EQ(persons.size(), 5u);
  EXPECT_EQ(persons[0].phrase, "@dana");
  EXPECT_EQ(persons[1].phrase, "<@U024BE7LH>");
  EXPECT_EQ(persons[2].phrase, "<@U024BE7LH|erin>");
  EXPECT_EQ(persons[3].phrase, "@kenji:example.org");
  EXPECT_EQ(persons[4].phrase, "https://matrix.to/#/@sam:example.org");
  for (const auto& f : persons) EXPECT_EQ(text.substr(f.offset, f.length), f.phrase);
}

TEST(Blameless, KnownNamesAreWholeWordsAnyCase) {
  EXPECT_EQ(phrases("ZORAN restarted it, then zoran's fix landed", FindingKind::person), "");
  const auto all = check("ZORAN restarted it, then zoran's fix landed; Zorana watched", {"Zoran"});
  const auto persons = of_kind(all, FindingKind::person);
  ASSERT_EQ(persons.size(), 2u);
  EXPECT_EQ(persons[0].phrase, "ZORAN");
  EXPECT_EQ(persons[1].phrase, "zoran");  // the possessive stays outside the phrase
  const auto full =
      of_kind(check("Dana Scully paged the DBA", {"Dana Scully"}), FindingKind::person);
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0].phrase, "Dana Scully");
}

TEST(Blameless, NamesThatAreWordsNeedACapital) {
  EXPECT_EQ(phrases("the job will restart and the error rate rose", FindingKind::person), "");
  EXPECT_EQ(phrases("then Will restarted the job", FindingKind::person), "Will");
  EXPECT_EQ(phrases("@here the incident is resolved, mail bob@example.com", FindingKind::person),
            "");
}

TEST(Blameless, Utf8IsSafe) {
  const std::string text = "🔥 José’s fault — Zoë forgot to renew the cert 😬";
  const auto all = check(text, {"José", "Zoë"});
  EXPECT_EQ(phrases(text, FindingKind::blame), "José’s fault|forgot to");
  for (const auto& f : all) {
    EXPECT_EQ(text.substr(f.offset, f.length), f.phrase);
    // Offsets fall on character boundaries.
    EXPECT_NE(static_cast<unsigned char>(text[f.offset]) & 0xC0, 0x80);
  }
  // Invalid and truncated sequences never read out of bounds.
  const std::string junk = "bob forgot to \xff\xfe\xc3 renew \xe2\x80";
  EXPECT_EQ(phrases(junk, FindingKind::blame), "forgot to");
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  (void)check(every_byte + every_byte);
}

TEST(Blameless, DocumentsSplitAtParagraphsNotAtWrappedLines) {
  const std::string doc =
      "# Summary\n\nThe health check\nfailed to detect the stale replica.\n\n"
      "- Bob\n- forgot to renew the cert\n";
  EXPECT_EQ(phrases(doc, FindingKind::blame), "forgot to");
}

TEST(Blameless, OverlappingFindingsOfOneKindMerge) {
  // "careless" (a trait) and "careless mistake" (a mistake) overlap: one blame finding.
  const auto blame = of_kind(check("he made a careless mistake"), FindingKind::blame);
  ASSERT_EQ(blame.size(), 1u);
  EXPECT_EQ(blame[0].phrase, "careless mistake");
}

double seconds_to_check(const std::string& text) {
  const auto start = std::chrono::steady_clock::now();
  (void)check(text);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The best of two runs, so a busy machine (a parallel build, a sanitizer) disturbs less.
double best_seconds_to_check(const std::string& text) {
  return std::min(seconds_to_check(text), seconds_to_check(text));
}

std::string repeat_to(std::string_view unit, std::size_t bytes) {
  std::string out;
  while (out.size() < bytes) out += unit;
  return out;
}

TEST(Blameless, LargeTextsAreCheckedInLinearTime) {
  const std::string small = repeat_to(
      "At 14:02 the deploy went out and the health check failed to detect the stale replica. "
      "Bob forgot to renew the cert, which was human error; @dana rolled back.\n\n",
      100 * 1024);
  const std::string large = small + small;
  const double t_small = best_seconds_to_check(small);
  const double t_large = best_seconds_to_check(large);
  EXPECT_LT(t_small, 20.0);  // a sanity bound; the ratios below are what catches a regression
  // Twice the text should take about twice the time; 4x leaves room for noise and caches.
  EXPECT_LT(t_large, 4 * t_small + 0.1);

  // Texts that could make a rule look around without end, at half the size: a run-on 'sentence'
  // with no punctuation, and repeated filler words, names and mentions. Quadratic behaviour
  // would take hundreds of times longer than the prose; linear stays within a small factor.
  for (const std::string_view unit :
       {"and bob said the job failed to start because ", "just ", "people ", "on call ", "and ",
        "@dana ", "Bob ", "the ", "not ", "<@U1|x> ", "who "}) {
    EXPECT_LT(seconds_to_check(repeat_to(unit, 50 * 1024)), 5 * t_small + 0.1) << unit;
  }
}

}  // namespace
}  // namespace incident

namespace incident {
namespace {

// The learned model (classifier.h) flags what no rule covers; its finding points at a word
// of the sentence and carries the general suggestion.
TEST(Blameless, ModelOnlyFindingsHaveAPhraseAndASuggestion) {
  const std::string text = "the ops guy rebooted the primary in the middle of the day, brilliant";
  const auto blame = of_kind(check(text), FindingKind::blame);
  ASSERT_EQ(blame.size(), 1u);
  EXPECT_FALSE(blame[0].phrase.empty());
  EXPECT_EQ(text.substr(blame[0].offset, blame[0].length), blame[0].phrase);
  EXPECT_FALSE(blame[0].suggestion.empty());
}

}  // namespace
}  // namespace incident
