// `incident-bot doctor`, the real binary: configuration and database alone, then the credentials
// checked for real against the fake Slack and the fake homeserver — good ones pass (exit 0), bad
// ones fail (exit 1) with a fix, and no secret is ever printed.
#include <gtest/gtest.h>

#include "lifecycle/bot_process.h"
#include "matrix/fake_homeserver.h"
#include "slack/fake_slack.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;

class Doctor : public ::testing::Test {
 protected:
  // Runs `doctor` with `env` (plus the database and CA file), the fakes answering meanwhile.
  int doctor(std::vector<std::string> env, const std::vector<std::string>& args = {"doctor"}) {
    env.push_back("INCIDENT_BOT_DB=" + (dir.path / "bot.db").string());
    env.push_back("INCIDENT_BOT_CA_FILE=" + (dir.path / "ca.pem").string());
    BotProcess bot(args, env, dir.path, "doctor" + std::to_string(++runs));
    EXPECT_TRUE(bot.started());
    EXPECT_TRUE(run_until(
        io, [&] { return bot.exited(); }, 30s))
        << "doctor did not finish";
    out = bot.out();
    err = bot.err();
    return bot.status();
  }
  std::vector<std::string> slack_env(const std::string& app = kAppToken,
                                     const std::string& bot = kBotToken) {
    return {"SLACK_APP_TOKEN=" + app, "SLACK_BOT_TOKEN=" + bot, "SLACK_API_URL=" + slack.api_url()};
  }
  std::vector<std::string> matrix_env(const std::string& token = kMatrixToken) {
    return {"MATRIX_HOMESERVER=" + homeserver.url(), "MATRIX_ACCESS_TOKEN=" + token};
  }

  TempDir dir;
  boost::asio::io_context io;
  FakeSlack slack{io, lifecycle_pki()};
  FakeHomeserver homeserver{io, lifecycle_pki()};
  std::string out;
  std::string err;
  int runs = 0;
};

TEST_F(Doctor, NoPlatformChecksTheConfigurationAndTheDatabase) {
  // No database yet: doctor does not create it (it may run as another user than the bot).
  ASSERT_EQ(doctor({}), 0) << out << err;
  EXPECT_TRUE(contains(out, "\u2713 configuration: the environment")) << out;
  EXPECT_TRUE(contains(out, "no platform configured")) << out;
  EXPECT_TRUE(contains(out, "does not exist yet")) << out;
  EXPECT_TRUE(contains(out, "\u2713 prompts")) << out;
  EXPECT_TRUE(contains(out, "All 3 checks passed.")) << out;
  EXPECT_FALSE(std::filesystem::exists(dir.path / "bot.db"));

  // An existing database (the console creates it; `list` would not): opened, its schema version
  // and health reported.
  BotProcess list({"console"}, {"INCIDENT_BOT_DB=" + (dir.path / "bot.db").string()}, dir.path,
                  "console");
  ASSERT_TRUE(run_until(
      io, [&] { return list.exited(); }, 10s));
  ASSERT_EQ(list.status(), 0) << list.err();
  ASSERT_EQ(doctor({}), 0) << out << err;
  EXPECT_TRUE(contains(out, "schema version")) << out;
  EXPECT_TRUE(contains(out, "integrity ok, writable")) << out;
}

TEST_F(Doctor, TheReviewPageIsReportedAndABadUrlRefused) {
  ASSERT_EQ(doctor({"INCIDENT_BOT_WEB=127.0.0.1:18090"}), 0) << out << err;
  EXPECT_TRUE(contains(out, "\u2713 review page: listens on 127.0.0.1:18090")) << out;
  EXPECT_TRUE(contains(out, "http://127.0.0.1:18090 (plain http: loopback only")) << out;
  // Plain http:// to a public address would send sessions in the clear: refused.
  EXPECT_EQ(doctor({"INCIDENT_BOT_WEB=0.0.0.0:18090",
                    "INCIDENT_BOT_WEB_URL=http://incidents.example.org"}),
            2)
      << out << err;
  EXPECT_TRUE(contains(out + err, "INCIDENT_BOT_WEB_URL must be an https:// URL")) << out << err;
  // Direct TLS needs both files, and both must load; who edits is one of two words.
  EXPECT_EQ(doctor({"INCIDENT_BOT_WEB=127.0.0.1:18090", "INCIDENT_BOT_WEB_CERT=/nonexistent.pem"}),
            2)
      << out << err;
  EXPECT_TRUE(contains(out + err, "INCIDENT_BOT_WEB_KEY")) << out << err;
  EXPECT_EQ(doctor({"INCIDENT_BOT_WEB=127.0.0.1:18090", "INCIDENT_BOT_WEB_CERT=/nonexistent.pem",
                    "INCIDENT_BOT_WEB_KEY=/nonexistent.key"}),
            1)
      << out << err;
  EXPECT_TRUE(contains(out, "\u2717 review page")) << out;
  EXPECT_TRUE(contains(out, "/nonexistent.pem")) << out;
  EXPECT_EQ(doctor({"INCIDENT_BOT_WEB=127.0.0.1:18090", "INCIDENT_BOT_WEB_WRITERS=everyone"}), 2)
      << out << err;
  EXPECT_TRUE(contains(out + err, "INCIDENT_BOT_WEB_WRITERS")) << out << err;
}

TEST_F(Doctor, TheRemindersTimeZoneMustBeOneTheSystemKnows) {
  EXPECT_EQ(doctor({"INCIDENT_BOT_TIME_ZONE=Europe/Berlin"}), 0) << out << err;
  EXPECT_EQ(doctor({"INCIDENT_BOT_TIME_ZONE=Mars/Olympus_Mons"}), 2) << out << err;
  EXPECT_TRUE(contains(out + err, "INCIDENT_BOT_TIME_ZONE")) << out << err;
  EXPECT_TRUE(contains(out + err, "tzdata")) << out << err;
}

TEST_F(Doctor, ABrokenDatabaseFails) {
  std::ofstream(dir.path / "bot.db")
      << "this is not a database, but it is long enough to look like one";
  EXPECT_EQ(doctor({}), 1) << out << err;
  EXPECT_TRUE(contains(out, "\u2717 database")) << out;
  EXPECT_TRUE(contains(out, "fix: ")) << out;
  EXPECT_TRUE(contains(out, "1 of 3 checks failed.")) << out;
}

TEST_F(Doctor, ConfigurationErrorsExitTwoWithAFix) {
  // The two Slack tokens swapped: said as such, and neither value printed.
  EXPECT_EQ(doctor(slack_env("xoxb-1-swapped-secret", "xapp-1-swapped-secret")), 2) << out << err;
  EXPECT_TRUE(contains(out, "\u2717 configuration: SLACK_APP_TOKEN")) << out;
  EXPECT_TRUE(contains(out, "swapped")) << out;
  EXPECT_FALSE(contains(out + err, "swapped-secret"));

  EXPECT_EQ(doctor({"INCIDENT_BOT_LOG_FORMAT=yaml"}), 2) << out << err;
  EXPECT_TRUE(contains(out, "INCIDENT_BOT_LOG_FORMAT")) << out;
}

TEST_F(Doctor, SlackWithGoodTokensPasses) {
  ASSERT_EQ(doctor(slack_env()), 0) << out << err;
  EXPECT_TRUE(contains(out, "\u2713 slack auth.test: SLACK_BOT_TOKEN works: bot user UBOT")) << out;
  EXPECT_TRUE(contains(out, "\u2713 slack apps.connections.open")) << out;
  EXPECT_TRUE(contains(out, "All 6 checks passed.")) << out;
  // It asked for a Socket Mode URL but did not connect to it.
  EXPECT_EQ(slack.calls("apps.connections.open").size(), 1u);
  EXPECT_TRUE(slack.sockets().empty());
  EXPECT_FALSE(contains(out + err, kBotToken));
  EXPECT_FALSE(contains(out + err, kAppToken));
}

TEST_F(Doctor, SlackRefusingTheBotTokenFailsWithAFix) {
  ASSERT_EQ(doctor(slack_env(kAppToken, "xoxb-revoked-or-mistyped-9f8e7d")), 1) << out << err;
  EXPECT_TRUE(contains(out, "\u2717 slack auth.test: SLACK_BOT_TOKEN refused: invalid_auth"))
      << out;
  EXPECT_TRUE(contains(out, "fix: Slack does not know this token")) << out;
  EXPECT_TRUE(contains(out, "Bot User OAuth Token")) << out;
  EXPECT_TRUE(contains(out, "\u2713 slack apps.connections.open")) << out;
  EXPECT_FALSE(contains(out + err, "9f8e7d")) << "a token was printed";

  // A missing scope names the scope to add.
  slack.error_next("auth.test", "missing_scope");
  EXPECT_EQ(doctor(slack_env()), 1) << out << err;
  EXPECT_TRUE(contains(out, "missing_scope")) << out;
  EXPECT_TRUE(contains(out, "manifest.yaml")) << out;
}

TEST_F(Doctor, SlackWithTheBotTokenAsAppTokenIsExplained) {
  // Both start right (xapp-…, xoxb-…), but the app token is not one Slack knows as such.
  slack.error_next("apps.connections.open", "not_allowed_token_type");
  ASSERT_EQ(doctor(slack_env()), 1) << out << err;
  EXPECT_TRUE(contains(out, "\u2717 slack apps.connections.open")) << out;
  EXPECT_TRUE(contains(out, "App-Level Tokens")) << out;
}

TEST_F(Doctor, SlackOutOfReachFailsInBoundedTime) {
  // Nothing listens on this port.
  const auto started = Clock::now();
  EXPECT_EQ(doctor({"SLACK_APP_TOKEN=xapp-1-x", "SLACK_BOT_TOKEN=xoxb-1-x",
                    "SLACK_API_URL=https://127.0.0.1:9/api/"}),
            1)
      << out << err;
  EXPECT_LT(Clock::now() - started, 25s);
  EXPECT_TRUE(contains(out, "Slack is out of reach")) << out;
}

TEST_F(Doctor, MatrixWithAGoodTokenPasses) {
  ASSERT_EQ(doctor(matrix_env()), 0) << out << err;
  EXPECT_TRUE(contains(out, "\u2713 matrix /versions")) << out;
  EXPECT_TRUE(contains(out,
                       "\u2713 matrix whoami: MATRIX_ACCESS_TOKEN works: the bot is "
                       "@incident-bot:localhost"))
      << out;
  EXPECT_FALSE(contains(out + err, kMatrixToken));
}

TEST_F(Doctor, MatrixUnknownTokenFailsWithAFix) {
  ASSERT_EQ(doctor(matrix_env("syt_stale_token_0a1b2c")), 1) << out << err;
  EXPECT_TRUE(contains(out, "\u2717 matrix whoami")) << out;
  EXPECT_TRUE(contains(out, "M_UNKNOWN_TOKEN")) << out;
  EXPECT_TRUE(contains(out, "log in again")) << out;
  EXPECT_FALSE(contains(out + err, "0a1b2c")) << "a token was printed";
}

TEST_F(Doctor, MatrixUserIdMismatchFails) {
  auto env = matrix_env();
  env.push_back("MATRIX_USER_ID=@someone-else:localhost");
  ASSERT_EQ(doctor(env), 1) << out << err;
  EXPECT_TRUE(contains(out,
                       "belongs to @incident-bot:localhost, but MATRIX_USER_ID is "
                       "@someone-else:localhost"))
      << out;
}

TEST_F(Doctor, BothPlatformsTogether) {
  auto env = slack_env();
  for (auto& e : matrix_env()) env.push_back(e);
  ASSERT_EQ(doctor(env), 0) << out << err;
  EXPECT_TRUE(contains(out, "platforms: Slack, Matrix")) << out;
  EXPECT_TRUE(contains(out, "All 8 checks passed.")) << out;
}

}  // namespace
}  // namespace incident::testing
