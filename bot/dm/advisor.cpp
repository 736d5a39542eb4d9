#include "bot/dm/advisor.h"

#include <algorithm>
#include <array>
#include <span>

namespace incident {
namespace {

// A group matches when any of its phrases occurs as whole words; `*` ends a word prefix
// ("click*" matches clicked, clicking).
using Group = std::span<const std::string_view>;

// A rule fires when every one of its groups matches, and adds its weight to its topic.
struct Rule {
  Topic topic;
  int weight;
  std::vector<Group> groups;
};

bool word_matches(std::string_view pattern, const std::string& word) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return word.compare(0, pattern.size(), pattern) == 0;
  }
  return word == pattern;
}

bool phrase_occurs(std::string_view phrase, const std::vector<std::string>& words) {
  std::vector<std::string_view> parts;
  for (std::size_t b = 0; b < phrase.size();) {
    const std::size_t e = std::min(phrase.find(' ', b), phrase.size());
    parts.push_back(phrase.substr(b, e - b));
    b = e + 1;
  }
  if (parts.empty() || parts.size() > words.size()) return false;
  for (std::size_t start = 0; start + parts.size() <= words.size(); ++start) {
    bool all = true;
    for (std::size_t k = 0; k < parts.size() && all; ++k)
      all = word_matches(parts[k], words[start + k]);
    if (all) return true;
  }
  return false;
}

bool group_matches(Group group, const std::vector<std::string>& words) {
  return std::any_of(group.begin(), group.end(),
                     [&](std::string_view p) { return phrase_occurs(p, words); });
}

// --- vocabulary ----------------------------------------------------------------------------
// Kept as whole groups so the rules below read like the sentences they stand for.
// clang-format off

constexpr std::string_view kLoss[] = {
    "lost", "lose", "losing", "left", "leave", "stolen", "stole", "nicked", "missing",
    "misplaced", "misplace", "cant find", "cannot find", "can not find", "couldnt find",
    "dont know where", "forgot", "forgotten", "dropped", "robbed", "mugged", "theft",
    "broke into", "broken into", "snatched", "gone missing"};
constexpr std::string_view kDevice[] = {
    "laptop*", "phone*", "iphone*", "android", "pixel", "mac", "macbook*", "device*", "yubikey*",
    "security key*", "hardware key*", "ipad*", "tablet*", "badge", "usb*", "thumb drive",
    "hard drive", "ssd", "computer*", "notebook", "mobile", "smartphone", "bag", "backpack",
    "authenticator", "work phone", "pc"};

constexpr std::string_view kCredential[] = {
    "password*", "passcode*", "passphrase", "credential*", "login details", "log in details",
    "login info", "my login", "username and password", "pin", "pin code", "2fa", "2fa code",
    "mfa", "mfa code", "otp", "one time code", "one time password", "verification code",
    "security code", "auth code", "authentication code", "sms code", "sso", "okta",
    "bank details", "card details", "card number"};
constexpr std::string_view kEntered[] = {
    "typed", "type", "typing", "entered", "enter", "entering", "put in", "put my", "filled",
    "fill", "submitted", "submit", "gave", "give", "given", "logged in", "log in", "logged into",
    "signed in", "sign in", "signed into", "provided", "input", "inputted", "told", "read out"};
constexpr std::string_view kPage[] = {
    "page", "site", "website", "web site", "form", "portal", "login", "link", "popup", "pop up",
    "screen", "window"};
constexpr std::string_view kOdd[] = {
    "weird", "strange", "suspicious", "fake", "odd", "fishy", "phishing", "phishy", "dodgy",
    "sketchy", "wrong", "not the real", "looked like", "look like", "looks like", "unusual",
    "unfamiliar", "bogus", "spoof*", "unknown", "scam*", "not legit", "didnt look right", "off"};
constexpr std::string_view kTakenOver[] = {
    "hacked", "compromised", "taken over", "took over", "account takeover", "someone logged in",
    "unknown login", "login alert", "sign in alert", "new sign in", "suspicious login",
    "suspicious sign in", "strange login", "weird login", "password was changed",
    "password changed", "locked out"};
constexpr std::string_view kAccount[] = {
    "account*", "email", "mailbox", "login", "password", "google", "microsoft", "office", "okta",
    "github", "slack", "aws", "icloud", "apple id"};
constexpr std::string_view kPushPrompt[] = {
    "push notification*", "mfa push*", "push request*", "approve*", "approval*",
    "notification*", "prompt*", "request*", "number matching", "didnt start", "didnt request",
    "didnt make", "didnt initiate", "wasnt me", "not me"};
constexpr std::string_view kMfa[] = {
    "mfa", "2fa", "duo", "okta", "authenticator", "login", "sign in", "microsoft", "push*"};
constexpr std::string_view kLoggedIn[] = {
    "logged in", "logged into", "signed in", "signed into", "log in", "sign in"};

constexpr std::string_view kPhishItem[] = {
    "link*", "url*", "email*", "e mail*", "mail", "inbox", "attachment*", "attached", "pdf",
    "docx", "doc", "xlsx", "excel", "word document", "zip", "invoice*", "qr", "qr code",
    "document", "docusign", "sharepoint", "file", "sender", "newsletter"};
constexpr std::string_view kPhishSignal[] = {
    "click*", "open*", "tap*", "download*", "install*", "suspicious", "weird", "strange",
    "fishy", "odd", "phishing", "phish*", "spam*", "scam*", "fake", "looked like", "look like",
    "looks like", "pretend*", "claiming", "legit", "legitimate", "unexpected", "unknown",
    "dodgy", "sketchy", "not sure", "spoof*", "from it", "from hr", "from the ceo", "from ceo",
    "from microsoft", "from google", "from paypal", "from dhl", "from fedex", "urgent*",
    "reset my password", "password reset", "verify", "expired", "mailbox full", "safe", "real"};
constexpr std::string_view kPhishWord[] = {
    "phishing", "phish", "phishy", "spear phishing", "spoofed"};

constexpr std::string_view kMalwareStrong[] = {
    "malware", "virus*", "infected", "infection", "ransomware", "trojan", "spyware", "adware",
    "keylogger", "scareware", "worm", "rootkit", "popup*", "pop up*", "ransom",
    "encrypted my files", "files encrypted", "files are encrypted", "files got encrypted",
    "antivirus", "anti virus", "defender", "xprotect", "crowdstrike", "malicious software",
    "cryptominer"};
constexpr std::string_view kMalwareWeak[] = {
    "acting weird", "acting strange", "acting up", "running slow", "really slow",
    "cursor moving", "mouse moving", "moving by itself", "weird program", "strange program",
    "unknown program", "installed something", "installed an app", "installed a program",
    "ran something", "ran an exe", "ran a file", "exe", "browser extension", "extension",
    "fake update", "update prompt", "toolbar", "camera light", "webcam light", "weird window",
    "new icons", "search engine changed", "homepage changed"};

constexpr std::string_view kContact[] = {
    "called", "call", "calling", "caller", "phone call", "phoned", "rang", "ringing",
    "voicemail", "voice mail", "texted", "text message", "text", "sms", "whatsapp", "signal",
    "telegram", "imessage", "messaged", "message", "dm", "direct message", "linkedin",
    "reached out", "contacted", "someone", "somebody", "a guy", "a man", "a woman", "a person",
    "stranger", "recruiter", "video call"};
constexpr std::string_view kClaim[] = {
    "claiming", "claimed", "claims", "said they were", "said they are", "said he was",
    "said she was", "says he is", "says she is", "says they are", "pretending", "pretended",
    "posing", "impersonat*", "from it", "from the it", "it department", "it support",
    "from the bank", "my bank", "the bank", "from the helpdesk", "helpdesk", "help desk",
    "service desk", "tech support", "from support", "from security", "from microsoft",
    "from apple", "ceo", "cfo", "boss", "gift card*", "wire transfer", "bank transfer",
    "urgent*", "asking for", "asked for", "asked me for", "asking me for", "asked me to",
    "asking me to", "wanted my", "wants my", "want my", "read out", "the code", "my code",
    "verification code", "remote access", "anydesk", "teamviewer", "police", "irs", "hmrc"};
constexpr std::string_view kSocialWord[] = {
    "vishing", "vished", "smishing", "smished", "social engineering", "pretexting", "ceo fraud",
    "gift cards", "gift card scam"};

constexpr std::string_view kSecretItem[] = {
    "key", "keys", "api key*", "apikey", "access key*", "secret*", "token*", "credential*",
    "password*", "private key*", "ssh key*", "pem", "env", "env file", "dotenv", "cert*",
    "kubeconfig", "connection string", "pat", "aws key*", "aws credentials", "service account",
    "json key"};
constexpr std::string_view kLeakVerb[] = {
    "paste*", "posted", "post", "committed", "commit*", "pushed", "push*", "leak*", "shared",
    "share", "exposed", "expose*", "published", "publish*", "checked in", "uploaded", "upload*",
    "sent", "send", "put", "typed", "printed", "screenshot*", "screen shar*", "showed",
    "visible", "included", "dumped"};
constexpr std::string_view kPublicPlace[] = {
    "public", "publicly", "channel", "general", "random", "slack", "github", "gitlab",
    "bitbucket", "repo*", "gist", "pastebin", "stack overflow", "stackoverflow", "jira",
    "confluence", "ticket", "chat", "logs", "log file*", "logfile*", "build log*",
    "ci log*", "screenshot*", "screen share", "everyone", "internet", "twitter", "reddit",
    "forum", "wiki", "notion", "google doc", "open source", "readme", "docker image",
    "docker hub", "npm", "pypi", "s3", "bucket", "the wrong"};
constexpr std::string_view kLeakStrong[] = {
    "leak*", "exposed", "committed", "pushed", "published", "checked in"};
constexpr std::string_view kExposedPlace[] = {
    "public", "publicly", "logs", "log file*", "build log*", "ci log*", "gist", "pastebin",
    "public repo*", "stack overflow", "stackoverflow", "everyone", "internet"};
constexpr std::string_view kMailed[] = {"sent", "send", "emailed", "forwarded", "shared"};
constexpr std::string_view kMail[] = {"email*", "e mail*", "mail"};

constexpr std::string_view kAskFrame[] = {
    "safe to", "ok to", "okay to", "alright to", "fine to", "good to", "allowed to", "can i",
    "could i", "should i", "may i", "can we", "could we", "should we", "may we", "is it safe",
    "is it ok", "is it okay", "go ahead", "fine if", "ok if", "okay if", "safe if", "mind if",
    "good time", "any objection*", "risky to", "risk to"};
constexpr std::string_view kChangeVerb[] = {
    "restart*", "deploy*", "redeploy*", "roll*", "rollback", "revert*", "reboot*", "kill*",
    "drop*", "migrat*", "merge*", "scale*", "failover", "fail over", "upgrad*", "downgrad*",
    "releas*", "ship*", "apply*", "bounce*", "cycle*", "patch*", "truncat*", "flush*", "purge*",
    "turn off", "turn on", "switch off", "shut down", "shutdown", "disable*", "enable*",
    "toggle*", "flip*", "promot*", "terraform", "kubectl", "helm", "cordon*", "drain*",
    "resiz*", "reindex*", "vacuum*", "run the migration*", "run migration*", "hotfix*",
    "feature flag*", "config change", "change the config"};
constexpr std::string_view kInfra[] = {
    "right now", "now", "currently", "at the moment", "during", "while", "incident", "outage",
    "prod", "production", "api", "service*", "server*", "cluster*", "database*", "db", "pod*",
    "node*", "queue*", "cache", "deployment", "freeze", "on call", "oncall", "staging"};
constexpr std::string_view kFreeze[] = {
    "change freeze", "deploy freeze", "deployment freeze", "code freeze"};

// clang-format on

// Rules per topic. Weights: 3 for a sentence that names the situation, 4 where it is named more
// precisely than a competing reading, 1-2 for supporting detail.
const std::vector<Rule>& rules() {
  static const std::vector<Rule> all{
      {Topic::lost_device, 3, {kLoss, kDevice}},
      {Topic::password_entered, 3, {kCredential, kEntered}},
      {Topic::password_entered, 1, {kPage, kOdd}},
      {Topic::password_entered, 3, {kLoggedIn, kPage}},
      {Topic::password_entered, 3, {kTakenOver, kAccount}},
      {Topic::password_entered, 4, {kPushPrompt, kMfa}},
      {Topic::phishing, 3, {kPhishItem, kPhishSignal}},
      {Topic::phishing, 2, {kPhishWord}},
      {Topic::malware, 3, {kMalwareStrong}},
      {Topic::malware, 2, {kMalwareWeak}},
      {Topic::malware, 3, {kTakenOver, kDevice}},
      {Topic::social_engineering, 3, {kContact, kClaim}},
      {Topic::social_engineering, 3, {kSocialWord}},
      {Topic::secret_exposed, 4, {kSecretItem, kLeakVerb, kPublicPlace}},
      {Topic::secret_exposed, 3, {kSecretItem, kLeakStrong}},
      {Topic::secret_exposed, 3, {kSecretItem, kExposedPlace}},
      {Topic::secret_exposed, 4, {kSecretItem, kMailed, kMail}},
      {Topic::change_safety, 3, {kAskFrame, kChangeVerb}},
      {Topic::change_safety, 1, {kChangeVerb, kInfra}},
      {Topic::change_safety, 3, {kFreeze}},
  };
  return all;
}

// Ties go to the first topic here: the advice that covers the most (a typed password includes
// the phishing link that led to it), and "is it safe to change X" only when nothing personal
// is at stake ("should I delete the suspicious email?" is about the email).
constexpr std::array<Topic, 7> kPriority{
    Topic::secret_exposed,     Topic::password_entered, Topic::lost_device,  Topic::malware,
    Topic::social_engineering, Topic::phishing,         Topic::change_safety};

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// Words too common to say two texts are about the same thing.
bool is_filler(const std::string& w) {
  static const std::array<std::string_view, 20> kFiller{
      "the",  "and",  "for", "can", "now",  "right", "safe",     "restart", "deploy", "with",
      "this", "that", "our", "any", "from", "into",  "incident", "errors",  "error",  "down"};
  return w.size() < 3 || std::find(kFiller.begin(), kFiller.end(), w) != kFiller.end();
}

}  // namespace

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\'') continue;                    // "can't" reads "cant"
    if (text.substr(i, 3) == "\xE2\x80\x99") {  // ’, the apostrophe phones type
      i += 2;
      continue;
    }
    if (c == '#' && word.empty() && i + 1 < text.size() &&
        is_word_byte(static_cast<unsigned char>(text[i + 1]))) {
      words.emplace_back("channel");  // "#general" is a channel, wherever it is pasted
      continue;
    }
    if (is_word_byte(c)) {
      word += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    } else {
      flush();
    }
  }
  flush();
  return words;
}

Topic classify(std::string_view question) {
  const std::vector<std::string> words = words_of(question);
  std::array<int, kTopicCount> score{};
  for (const Rule& rule : rules()) {
    const bool fires = std::all_of(rule.groups.begin(), rule.groups.end(),
                                   [&](Group g) { return group_matches(g, words); });
    if (fires) score[static_cast<std::size_t>(rule.topic)] += rule.weight;
  }
  Topic best = Topic::general;
  int best_score = 0;
  for (Topic t : kPriority) {
    if (score[static_cast<std::size_t>(t)] > best_score) {
      best = t;
      best_score = score[static_cast<std::size_t>(t)];
    }
  }
  return best;
}

bool relates_to(std::string_view question, const OpenIncident& incident) {
  std::vector<std::string> asked = words_of(question);
  asked.erase(std::remove_if(asked.begin(), asked.end(), is_filler), asked.end());
  for (const auto& w : words_of(incident.title + " " + incident.channel)) {
    if (!is_filler(w) && std::find(asked.begin(), asked.end(), w) != asked.end()) return true;
  }
  return false;
}

std::vector<OpenIncident> relevant_incidents(std::string_view question,
                                             std::vector<OpenIncident> incidents) {
  std::stable_partition(incidents.begin(), incidents.end(),
                        [&](const OpenIncident& inc) { return relates_to(question, inc); });
  return incidents;
}

}  // namespace incident
