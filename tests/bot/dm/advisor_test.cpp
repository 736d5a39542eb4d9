// The advisor's classification, on the many ways people actually write the same worry.
#include "bot/dm/advisor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace incident {
namespace {

struct Phrasing {
  Topic topic;
  std::vector<std::string> questions;
};

const std::vector<Phrasing>& phrasings() {
  static const std::vector<Phrasing> all{
      {Topic::phishing,
       {"i clicked a link in an email that looked like it was from IT",
        "I clicked on a link in a weird email",
        "got an email from 'HR' with an attachment, I opened it",
        "is this email legit? it says my mailbox is full",
        "Opened a PDF invoice from a supplier I don't know",
        "there's a suspicious link in my inbox, did I do something wrong by tapping it",
        "someone sent me a docusign link and I clicked it before thinking",
        "is it safe to open this attachment?", "I think I got a phishing email",
        "email says my password expired and has a link to reset it, is that real?",
        "scanned a QR code from an email that looked odd", "Is this link safe to click?"}},
      {Topic::password_entered,
       {"typed my password into a weird login page", "I got an MFA prompt I didn't start",
        "got a 2fa request i didnt make",
        "Duo keeps sending me push notifications I didn't request",
        "I entered my credentials on a site that looked like okta but the URL was off",
        "i think i gave my password to a phishing site",
        "I put my login details into a fake Microsoft page",
        "Logged in on a page from an email link and now I'm worried it was fake",
        "I typed the 2FA code into a page I'm not sure about",
        "entered my SSO password on a strange website",
        "I submitted my username and password on a form that didn't look right",
        "I keep getting MFA push notifications I didn't ask for, and I approved one",
        "I think my account got hacked, I got a new sign in alert",
        "filled in my bank details on a page from a text"}},
      {Topic::malware,
       {"got a popup saying my mac is infected",
        "A pop-up says I have a virus and to call Microsoft",
        "my laptop is acting weird since I installed something",
        "Windows Defender flagged a file as a trojan",
        "all my files are encrypted and there's a ransom note",
        "I downloaded an exe and ran it, now the cursor is moving by itself",
        "weird browser extension appeared and the homepage changed",
        "pop ups keep appearing on my screen", "I think I have malware"}},
      {Topic::lost_device,
       {"left my laptop on the train", "I lost my phone", "my work laptop was stolen from my car",
        "Can't find my YubiKey anywhere", "someone stole my bag with my macbook in it",
        "I misplaced my security key", "I think I dropped my phone in the taxi",
        "my iPad went missing at the airport", "Left my badge and laptop at a cafe"}},
      {Topic::secret_exposed,
       {"pasted an AWS key in #general", "I accidentally committed a .env file to a public repo",
        "I posted my API token in a public Slack channel by mistake",
        "our database password is in the build logs", "I shared a screenshot that shows a secret",
        "pushed my private key to GitHub", "I leaked a token",
        "put the kubeconfig in a public gist",
        "accidentally typed my password into the chat in #random"}},
      {Topic::social_engineering,
       {"someone called claiming to be from the bank asking for the code",
        "a caller asked for my MFA code", "got a text from the CEO asking me to buy gift cards",
        "Somebody phoned pretending to be IT support and wanted remote access",
        "a guy on WhatsApp says he's from the helpdesk and wants my code",
        "I got a voicemail from someone claiming to be from IT asking me to call back",
        "a recruiter on LinkedIn asked me to install some software", "I think I was vished",
        "is this social engineering? someone messaged me saying it's urgent"}},
      {Topic::change_safety,
       {"is it safe to restart payments-api right now?", "can I deploy the checkout service?",
        "Is it ok to roll back release 42 now?", "should I reboot db-2 during the incident?",
        "is it safe to run the migration on prod", "can we scale the cluster up?",
        "OK to merge my PR and ship it right now?", "is now a good time to failover the database?",
        "are we in a deploy freeze?", "can i flip the feature flag for search"}},
      {Topic::general,
       {"hi", "is this safe?", "what does the bot do", "Who do I talk to about security training?",
        "thanks!", ""}},
  };
  return all;
}

TEST(Advisor, RecognisesManyPhrasingsOfEachTopic) {
  for (const auto& p : phrasings()) {
    for (const auto& q : p.questions) {
      EXPECT_EQ(to_string(classify(q)), to_string(p.topic)) << "\"" << q << "\"";
    }
  }
}

TEST(Advisor, IsCaseAndPunctuationInsensitive) {
  EXPECT_EQ(classify("LEFT MY LAPTOP ON THE TRAIN!!!"), Topic::lost_device);
  EXPECT_EQ(classify("left...my...laptop...on...the...train"), Topic::lost_device);
  EXPECT_EQ(classify("I can’t find my phone"), Topic::lost_device);  // a phone's apostrophe
}

TEST(Advisor, WhereTwoReadingsFitTheMoreUrgentAdviceWins) {
  // A typed password includes the phishing link that led to it.
  EXPECT_EQ(classify("clicked a link in an email and typed my password on the page"),
            Topic::password_entered);
  // The email is the worry, not a change to a system.
  EXPECT_EQ(classify("should I delete the suspicious email?"), Topic::phishing);
  // A password typed somewhere public needs rotating, not just changing at a fake site.
  EXPECT_EQ(classify("I typed my password in #general by accident"), Topic::secret_exposed);
}

TEST(Advisor, WordsIgnoreApostrophesAndReadHashNamesAsChannels) {
  EXPECT_EQ(
      words_of("Can't post in #general, payments-api!"),
      (std::vector<std::string>{"cant", "post", "in", "channel", "general", "payments", "api"}));
}

TEST(Advisor, TopicNamesRoundTrip) {
  for (Topic t :
       {Topic::phishing, Topic::password_entered, Topic::malware, Topic::lost_device,
        Topic::secret_exposed, Topic::social_engineering, Topic::change_safety, Topic::general}) {
    EXPECT_EQ(topic_from_string(to_string(t)), t);
  }
  EXPECT_FALSE(topic_from_string("nonsense").has_value());
}

TEST(Advisor, RelatedIncidentsComeFirst) {
  const std::vector<OpenIncident> open{
      {"slack", "C1", 1, "Search is slow", "U1", {}},
      {"slack", "C2", 2, "Payments API errors", "U2", {}},
  };
  const auto ranked = relevant_incidents("is it safe to restart payments-api right now?", open);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].number, 2);
  EXPECT_TRUE(relates_to("restart payments-api", open[1]));
  EXPECT_FALSE(relates_to("restart payments-api", open[0]));
  // Words every question has ("safe", "restart", "incident") relate nothing.
  EXPECT_FALSE(relates_to("is it safe to restart during the incident", open[0]));
}

}  // namespace
}  // namespace incident
