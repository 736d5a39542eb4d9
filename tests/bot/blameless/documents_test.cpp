// The blameless check on whole documents and real-world phrasing (issue 20), and names beyond
// ASCII (issue 12, item 6). Every text here was written for these tests.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bot/blameless/blameless.h"
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

std::string phrases(std::string_view text, FindingKind kind) {
  std::string out;
  for (const auto& f : check(text)) {
    if (f.kind == kind) out += (out.empty() ? "" : "|") + f.phrase;
  }
  return out;
}

std::string flagged(std::string_view text) {
  return phrases(text, FindingKind::blame) + "/" + phrases(text, FindingKind::personnel);
}

// Structure is not prose: front matter, code, link targets, package pins, table owner columns,
// headings and template prompts carry no blame and name no one.
TEST(BlamelessDocuments, StructureIsNotProse) {
  const std::string doc =
      "---\n"
      "title: Cache stampede\n"
      "author: Dana\n"
      "---\n"
      "# Incident report March 3 2026\n"
      "\n"
      "## What went wrong?\n"
      "\n"
      "What surprised us:\n"
      "\n"
      "- Time to detection: ?\n"
      "- We pinned `left-pad@1.3.0` and `@acme/cli`@2.4.1 after the release.\n"
      "- See [the notes](https://example.com/@bob) for the graphs.\n"
      "\n"
      "```\n"
      "$ kubectl delete ns prod  # Bob forgot to check the context\n"
      "```\n"
      "\n"
      "| Action | Owner | Due |\n"
      "|---|---|---|\n"
      "| Add a context prompt to the shell | Platform team | Jan 12 |\n"
      "\n"
      "On Jan 29 the deploy ran on Travis and failed; we retried it in May.\n";
  for (const auto& f : check(doc)) {
    ADD_FAILURE() << to_string(f.kind) << " \"" << f.phrase << "\"";
  }
}

// A model-only finding needs a colleague in the clause and points at the whole clause: never
// at a pronoun or a role noun alone, never in a table or heading.
TEST(BlamelessDocuments, NoFindingOnAPronounOrRoleNounAlone) {
  const std::string doc =
      "The card issuer's help desk closed at six. They passed us to another desk.\n\n"
      "They said the researcher would hear back. The attacker reused the token again.\n\n"
      "Second responder redeploys the web tier with the corrected mount path.\n\n"
      "Honestly, the engineer did what the runbook said; the team followed it again.\n";
  for (const auto& f : check(doc)) {
    if (f.kind == FindingKind::person) continue;
    ADD_FAILURE() << to_string(f.kind) << " \"" << f.phrase << "\"";
  }
}

TEST(BlamelessDocuments, NarratedMistakesOfAColleague) {
  EXPECT_EQ(
      phrases("Tamsin deleted the volume thinking it was the staging one.", FindingKind::blame)
          .rfind("deleted the volume thinking it was", 0),
      0u);
  EXPECT_EQ(phrases("09:14 — the on-call engineer accidentally scales the API to zero.",
                    FindingKind::blame),
            "accidentally scales");
  EXPECT_EQ(phrases("Then Goran deploys the wrong branch to prod by accident.", FindingKind::blame),
            "deploys the wrong branch to prod by accident");
  EXPECT_NE(phrases("The bucket was made public by Ravi while he was testing.", FindingKind::blame),
            "");
  EXPECT_NE(phrases("She had been told twice not to deploy on Fridays.", FindingKind::blame), "");
  EXPECT_NE(phrases("The certificate expired on Ingrid's watch.", FindingKind::blame), "");
  EXPECT_NE(phrases("Why was Milo running ad-hoc DELETEs on the primary in the first place?",
                    FindingKind::blame),
            "");
  EXPECT_NE(phrases("The root cause was Femi's quick fix to the cache key.", FindingKind::blame),
            "");
  EXPECT_NE(
      phrases("The reviewer thought the flag was off in prod, rather than on.", FindingKind::blame),
      "");
  // Each names the words that carry the blame, with a suggestion of its own.
  for (const auto& f : check("Tamsin deleted the volume by mistake.")) {
    if (f.kind != FindingKind::blame) continue;
    EXPECT_NE(f.suggestion.find("easy to get wrong"), std::string::npos) << f.suggestion;
  }
}

// Owning a slip plainly is what a blameless review wants: not blame. The same act of a
// system, or explained by what made it easy, is not either.
TEST(BlamelessDocuments, FirstPersonOwnershipAndSystemTwinsAreNotBlame) {
  for (const char* text : {
           "I ran the migration against the wrong cluster; I noticed within a minute.",
           "We accidentally deleted the staging namespace while cleaning up.",
           "forgot to paste the graph, here it is",
           "my mistake in the timeline above: the page was at 03:12",
           "The job accidentally deleted the temp files it still needed.",
           "The alert had the wrong severity, so it paged nobody.",
           "The engineer ran the command in the wrong terminal; both looked identical.",
           "Attackers reused the token by mistake on the wrong host.",
           "We handed comms over to the People Operations lead.",
           "All personnel on the floor were told before noon.",
           "Suspended the admin account and revoked its sessions.",
       }) {
    EXPECT_EQ(flagged(text), "/") << text;
  }
}

TEST(BlamelessDocuments, PrivateAndEmploymentMattersArePersonnel) {
  for (const char* text : {
           "Hamid is on parental leave until March, so page the secondary.",
           "Aoife is off sick today and won't join the review.",
           "Notes for my 1:1 with Greta: defensive in the retro.",
           "Her contract won't be renewed after this quarter.",
           "Since May she has been converted from contractor to full-time staff.",
           "Someone should talk to Ludo about his attitude in reviews.",
           "He handed in his notice last week.",
       }) {
    EXPECT_NE(phrases(text, FindingKind::personnel), "") << text;
  }
}

// Issue 12, item 6: names with diacritics are names, in any case and either normal form.
TEST(BlamelessDocuments, NamesWithDiacriticsAreNames) {
  EXPECT_EQ(phrases("Zoë from finance approved it", FindingKind::person), "Zoë");
  EXPECT_EQ(phrases("then Jürgen restarted it", FindingKind::person), "Jürgen");
  EXPECT_EQ(phrases("then Nguyen restarted it", FindingKind::person), "Nguyen");
  EXPECT_EQ(phrases("then Nguyễn restarted it", FindingKind::person), "Nguyễn");
  EXPECT_EQ(phrases("then Zoe\xCC\x88 restarted it", FindingKind::person), "Zoe\xCC\x88");
  EXPECT_EQ(phrases("then Łukasz restarted it", FindingKind::person), "Łukasz");
  // Known names match folded: composed, decomposed, upper case, without the accent.
  const auto all = check("ZOË paged, then Zoe\xCC\x88 and Zoe acked", {"Zoë"});
  std::size_t persons = 0;
  for (const auto& f : all) persons += f.kind == FindingKind::person;
  EXPECT_EQ(persons, 3u);
  EXPECT_EQ(fold_name("Zoë"), fold_name("Zoe\xCC\x88"));
  EXPECT_EQ(fold_name("ŁUKASZ Nguyễn"), "lukasz nguyen");
}

}  // namespace
}  // namespace incident
