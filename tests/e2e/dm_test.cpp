// "Is this safe?" end to end: the console adapter on a real SQLite file with every log line
// captured, then the real binary with a piped conversation between an asker and the security
// team. What is checked is the privacy promise: DM words never reach a log, an incident
// timeline, or the disk before `report`, and the security team never learns who asked.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "adapters/console/console.h"
#include "e2e/binary_test.h"
#include "prompts/embedded.h"
#include "storage/sqlite_store.h"

namespace incident {
namespace {

namespace fs = std::filesystem;
using testing::BinaryTest;
using testing::Result;

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// Every line of `text` that the console marked as a post in the security channel.
std::string security_posts(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::string posts;
  bool in_post = false;
  while (std::getline(in, line)) {
    if (line.rfind("[", 0) == 0) in_post = line.rfind("[security channel]", 0) == 0;
    if (in_post) posts += line + "\n";
  }
  return posts;
}

class TempDir : public BinaryTest {
 protected:
  std::string disk() const { return read(db_path()) + read(db_path() + "-wal"); }
};

// --- in process: the console adapter, a real file, every log line -------------------------

class DmPrivacy : public TempDir {
 protected:
  void SetUp() override {
    TempDir::SetUp();
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logs_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    store_ = std::make_unique<SqliteStore>(db_path(), Durability::process);
    Settings settings;
    settings.dm.security_channel = true;
    engine_ = std::make_unique<Engine>(*store_, prompts_, settings, [this] { return ++random_; });
    console_ = make_console(now_);
  }
  void TearDown() override {
    spdlog::set_default_logger(previous_);
    console_.reset();
    engine_.reset();
    store_.reset();
    TempDir::TearDown();
  }
  std::unique_ptr<Console> make_console(TimePoint now, const std::string& user = "dana-asker") {
    ConsoleOptions options;
    options.user = user;
    options.session = "s" + std::to_string(++sessions_);
    options.clock = [now] { return now; };
    return std::make_unique<Console>(*engine_, options);
  }
  void expect_no_dm_words_on_the_timeline() {
    const auto incident = store_->incident(1);
    ASSERT_TRUE(incident);
    for (const auto& e : incident->timeline) EXPECT_FALSE(has(e.text, "zucchini")) << e.text;
  }
  std::string say(const std::string& line) {
    std::ostringstream out;
    console_->handle_line(line, out);
    transcript_ += out.str();
    return out.str();
  }

  std::ostringstream logs_;
  std::shared_ptr<spdlog::logger> previous_;
  Prompts prompts_ = Prompts::load(embedded_prompts());
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Console> console_;
  std::uint64_t random_ = 0xC0FFEE;
  int sessions_ = 0;
  TimePoint now_ = from_unix_ms(1'764'424'800'000);
  std::string transcript_;
};

TEST_F(DmPrivacy, AWholeConversationLeavesNoWordsInTheLogs) {
  const std::string words[] = {
      "aubergine-question-11 i clicked a link in an email that looked like it was from IT",
      "aubergine-followup-22 no, I closed the page",
      "aubergine-responder-33 did you type your password?",
      "aubergine-token-44 xoxb-1234567890-0987654321-AbCdEfGhIjKl",
  };
  say("dm " + words[0]);
  say("dm report");
  say("security " + words[2]);
  say("dm " + words[1]);
  say("dm " + words[3]);
  say("security close");
  say("dm is it safe to restart payments-api right now?");

  const std::string log = logs_.str();
  for (const auto& w : words) {
    EXPECT_FALSE(has(log, w.substr(0, 22))) << w;
  }
  EXPECT_FALSE(has(log, "AbCdEfGhIjKl"));
  EXPECT_FALSE(has(log, "payments-api"));
  EXPECT_FALSE(has(transcript_, "AbCdEfGhIjKl"));  // nor echoed back
  // What is logged: that a private message came, its size and its topic.
  EXPECT_TRUE(
      has(log, "private message (" + std::to_string(words[0].size()) + " characters): phishing"))
      << log;
  EXPECT_TRUE(has(log, "): report"));
  EXPECT_TRUE(has(log, "): relay"));
  EXPECT_TRUE(has(log, "): case_reply"));
  EXPECT_TRUE(has(log, "): change_safety"));
}

TEST_F(DmPrivacy, DmWordsReachTheDiskOnlyWhenReportedAndLeaveAfterRetention) {
  say("!incident start Checkout errors");
  say("dm zucchini-secret-77 I left my laptop on the train");
  say("dm is it safe to deploy zucchini-deploy-88 now?");
  EXPECT_FALSE(has(disk(), "zucchini")) << "DM text stored before report";
  // Nor on any incident timeline.
  expect_no_dm_words_on_the_timeline();

  say("dm report");
  EXPECT_TRUE(has(disk(), "zucchini-deploy-88"));   // escalated: stored, as promised
  EXPECT_FALSE(has(disk(), "zucchini-secret-77"));  // the earlier question was not reported
  say("dm close");

  // A console started 31 days later purges at start: the case and its words are gone.
  console_ = make_console(now_ + std::chrono::days{31});
  say("dm hello");
  EXPECT_FALSE(has(disk(), "zucchini"));
  expect_no_dm_words_on_the_timeline();
}

TEST_F(DmPrivacy, TheSecurityTeamSeesNoIdentityUnlessTheAskerGivesIt) {
  say("dm someone called claiming to be from the bank asking for the code");
  const std::string anonymous = security_posts(say("dm report"));
  ASSERT_TRUE(has(anonymous, "SEC-")) << transcript_;
  EXPECT_TRUE(has(anonymous, "asking for the code"));
  for (const char* who : {"dana", kConsoleDmChannel}) EXPECT_FALSE(has(anonymous, who)) << who;

  say("dm close");
  say("dm left my laptop on the train");
  const std::string named = security_posts(say("dm report as me"));
  EXPECT_TRUE(has(named, "dana-asker")) << named;
}

// --- the real binary: a piped conversation ------------------------------------------------

class DmConsoleE2E : public TempDir {
 protected:
  Result run(const std::string& args, const std::string& input, const std::string& env = "") {
    return run_console(args, input, env);
  }
};

TEST_F(DmConsoleE2E, AnAnonymousRoundTripClosedByTheSecurityTeam) {
  const Result r = run("console",
                       "dm i clicked a link in an email that looked like it was from IT\n"
                       "dm report\n"
                       "security Thanks for telling us. Did you enter your password anywhere?\n"
                       "dm no, I closed the page straight away\n"
                       "security close\n"
                       "dm got a popup saying my mac is infected\n",
                       "INCIDENT_BOT_LOG_LEVEL=trace");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string posts = security_posts(r.out);
  EXPECT_TRUE(has(posts, "[security channel] 🛡️ Security question SEC-")) << r.out;
  EXPECT_TRUE(has(posts, "looked like it was from IT"));
  EXPECT_TRUE(has(posts, "the asker writes: no, I closed the page straight away"));
  EXPECT_TRUE(has(posts, "is closed"));
  EXPECT_FALSE(has(posts, "dana"));
  EXPECT_TRUE(has(r.out, "[dm] 🛡️ The security team (SEC-")) << r.out;
  EXPECT_TRUE(has(r.out, "Did you enter your password anywhere?"));
  EXPECT_TRUE(has(r.out, "[dm] ✅ The security team closed SEC-"));
  // After the close the asker talks to the advisor again.
  EXPECT_TRUE(has(r.out, "Don't click the pop-up"));
  // Even at trace level the log holds no words of the conversation.
  EXPECT_FALSE(has(r.err, "looked like it was from IT"));
  EXPECT_FALSE(has(r.err, "closed the page"));
  EXPECT_FALSE(has(r.err, "enter your password"));
}

TEST_F(DmConsoleE2E, TheAskerClosesTheCaseAndTheBinaryStoresNoDmBeforeReport) {
  const Result asked = run("console", "dm mango-marker-55 left my laptop on the train\n");
  ASSERT_EQ(asked.status, 0) << asked.err;
  EXPECT_FALSE(has(read(db_path()) + read(db_path() + "-wal"), "mango-marker-55"));

  const Result r = run("console",
                       "dm report my phone was stolen from my bag\n"
                       "security Which phone was it?\n"
                       "dm my work iphone\n"
                       "dm close\n"
                       "security hello?\n");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "[dm] ✅ SEC-")) << r.out;
  EXPECT_TRUE(has(security_posts(r.out), "The asker closed SEC-"));
  EXPECT_TRUE(has(r.out, "is closed, so I didn't pass this on"));
}

// Two console users (INCIDENT_BOT_CONSOLE_USER) have DM channels of their own: the second
// user's DM is advice for them, never words relayed into the first user's open case.
TEST_F(DmConsoleE2E, EachConsoleUserHasTheirOwnDm) {
  const Result dana =
      run("console", "dm report I left my laptop on the train\n", "INCIDENT_BOT_CONSOLE_USER=dana");
  ASSERT_EQ(dana.status, 0) << dana.err;
  ASSERT_TRUE(has(dana.out, "SEC-")) << dana.out;
  const Result erin =
      run("console", "dm I got an MFA prompt I didn't start\n", "INCIDENT_BOT_CONSOLE_USER=erin");
  ASSERT_EQ(erin.status, 0) << erin.err;
  EXPECT_FALSE(has(erin.out, "[security channel]")) << erin.out;
  EXPECT_FALSE(has(erin.out, "SEC-")) << erin.out;
  EXPECT_TRUE(has(erin.out, "password")) << erin.out;
}

// The console has a lessons channel of its own, as it has a security channel.
TEST_F(DmConsoleE2E, ShareWorksInTheConsoleWithoutConfiguration) {
  const Result r = run("console",
                       "!incident start Cache outage\n!incident action warm the cache\n"
                       "!incident close cache warmed\n!incident share confirm\n");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "[lessons channel] # Lessons learned: Cache outage")) << r.out;
}

TEST_F(DmConsoleE2E, WithoutACaseTheSecurityLineSaysHowToOpenOne) {
  const Result r = run("console", "security hello\n");
  ASSERT_EQ(r.status, 0);
  EXPECT_TRUE(has(r.out, "no security case in this session yet")) << r.out;
}

TEST_F(DmConsoleE2E, EscalationSettingsAreValidatedAndShown) {
  const Result bad_env = run("config", "", "INCIDENT_BOT_ESCALATION_LIMIT=lots");
  EXPECT_EQ(bad_env.status, 2);
  EXPECT_TRUE(has(bad_env.err, "INCIDENT_BOT_ESCALATION_LIMIT")) << bad_env.err;

  const Result zero = run("config", "", "INCIDENT_BOT_ESCALATION_RETENTION_DAYS=0");
  EXPECT_EQ(zero.status, 2);
  EXPECT_TRUE(has(zero.err, "INCIDENT_BOT_ESCALATION_RETENTION_DAYS")) << zero.err;

  std::ofstream(dir_ / "bad.toml") << "escalation_limit = \"three\"\n";
  const Result bad_toml = run("--config '" + (dir_ / "bad.toml").string() + "' config", "");
  EXPECT_EQ(bad_toml.status, 2);
  EXPECT_TRUE(has(bad_toml.err, "escalation_limit")) << bad_toml.err;

  std::ofstream(dir_ / "ok.toml") << "escalation_limit = 5\nescalation_retention_days = 90\n";
  const Result ok = run("--config '" + (dir_ / "ok.toml").string() + "' config", "",
                        "INCIDENT_BOT_ESCALATION_LIMIT=7");
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_TRUE(has(ok.out, "escalation_limit = 7")) << ok.out;  // the environment wins
  EXPECT_TRUE(has(ok.out, "escalation_retention_days = 90"));
}

TEST_F(DmConsoleE2E, TheRateLimitIsConfigurable) {
  const Result r =
      run("console", "dm report one\ndm close\ndm report two\n", "INCIDENT_BOT_ESCALATION_LIMIT=1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "the limit of reports I can pass on")) << r.out;
}

}  // namespace
}  // namespace incident
