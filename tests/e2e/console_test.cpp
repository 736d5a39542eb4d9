// End to end: the real binary, a real database file, a whole incident piped through the console.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "e2e/binary_test.h"

namespace {

namespace fs = std::filesystem;
using incident::testing::Result;

class ConsoleE2E : public incident::testing::BinaryTest {
 protected:
  Result run(const std::string& args, const std::string& input = "", const std::string& env = "") {
    return run_console(args, input, env);
  }
};

std::string iso_minutes_ago(int minutes) {
  const auto t = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now()) -
                 std::chrono::minutes{minutes};
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%MZ", std::gmtime(&tt));
  return buf;
}

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST_F(ConsoleE2E, AWholeIncidentThroughPipedStdin) {
  const std::string backdated = iso_minutes_ago(90);
  const Result r = run("console",
                       "!incident start Checkout errors sev2\n"
                       "just chatting, not a command\n"
                       "!incident log " +
                           backdated +
                           " first alert fired\n"
                           "!incident milestone detected " +
                           backdated +
                           "\n"
                           "!incident log impact: 8% of checkouts failed\n"
                           "!incident severity sev1\n"
                           "!incident role comms @erin\n"
                           "!incident action add a replica lag alert owner:@dana due:2031-01-15\n"
                           "!incident action write the runbook\n"
                           "!incident done 2\n"
                           "!incident status\n"
                           "!incident log\n"
                           "!incident close rolled back release 42\n");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");  // stdout is the conversation; nothing else goes anywhere
  EXPECT_TRUE(has(r.out, "INC-1 declared: Checkout errors (sev2)")) << r.out;
  EXPECT_FALSE(has(r.out, "just chatting"));
  EXPECT_TRUE(has(r.out, "first alert fired"));
  EXPECT_TRUE(has(r.out, "sev2 → sev1"));
  EXPECT_TRUE(has(r.out, "Action 1 on INC-1: add a replica lag alert"));
  EXPECT_TRUE(has(r.out, "Usage: `!incident log [<time>] <fact>`"));
  EXPECT_TRUE(has(r.out, "INC-1 closed after"));
  EXPECT_TRUE(has(r.out, "# Post-incident review (draft): Checkout errors")) << r.out;
  EXPECT_TRUE(has(r.out, "8% of checkouts failed"));
  EXPECT_TRUE(has(r.out, "rolled back release 42"));

  const Result json = run("export INC-1 --format json");
  ASSERT_EQ(json.status, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["id"], "INC-1");
  EXPECT_EQ(doc["title"], "Checkout errors");
  EXPECT_EQ(doc["severity"], "sev1");
  EXPECT_EQ(doc["peak_severity"], "sev1");
  EXPECT_EQ(doc["milestones"]["detected"].get<std::string>().substr(0, 16),
            backdated.substr(0, 16));
  EXPECT_TRUE(doc["milestones"]["started"].is_null());
  EXPECT_EQ(doc["milestones"]["resolved"], doc["closed_at"]);
  EXPECT_EQ(doc["status"], "closed");
  EXPECT_EQ(doc["resolution"], "rolled back release 42");
  EXPECT_EQ(doc["roles"]["commander"], "dana");
  EXPECT_EQ(doc["roles"]["comms"], "@erin");
  const auto& timeline = doc["timeline"];
  ASSERT_GE(timeline.size(), 5u);
  // In time order, the back-dated fact at its own time.
  bool found_backdated = false;
  for (std::size_t i = 0; i < timeline.size(); ++i) {
    EXPECT_TRUE(timeline[i].contains("time") && timeline[i].contains("source") &&
                timeline[i].contains("text"));
    if (i > 0) {
      EXPECT_LE(timeline[i - 1]["time"].get<std::string>(), timeline[i]["time"].get<std::string>());
    }
    if (timeline[i]["text"] == "first alert fired") {
      found_backdated = true;
      EXPECT_EQ(timeline[i]["source"], "command");
      EXPECT_EQ(timeline[i]["time"].get<std::string>().substr(0, 16), backdated.substr(0, 16));
    }
  }
  EXPECT_TRUE(found_backdated);
  ASSERT_EQ(doc["actions"].size(), 2u);
  EXPECT_EQ(doc["actions"][0]["owner"], "@dana");
  EXPECT_EQ(doc["actions"][0]["due"], "2031-01-15");
  EXPECT_EQ(doc["actions"][0]["status"], "open");
  EXPECT_EQ(doc["actions"][1]["status"], "done");
  EXPECT_TRUE(doc["actions"][1]["owner"].is_null());

  const Result md = run("export INC-1");
  ASSERT_EQ(md.status, 0);
  EXPECT_TRUE(has(md.out, "# Post-incident review (draft): Checkout errors"));

  const Result list = run("list");
  ASSERT_EQ(list.status, 0);
  EXPECT_TRUE(has(list.out, "INC-1\tclosed\tsev1")) << list.out;
}

TEST_F(ConsoleE2E, TheIncidentOutlivesTheProcess) {
  ASSERT_EQ(run("console", "!incident start Disk full\n").status, 0);
  const Result second = run("console", "!incident log cleaned /var/log\n!incident status\n");
  ASSERT_EQ(second.status, 0);
  EXPECT_TRUE(has(second.out, "INC-1")) << second.out;
  EXPECT_TRUE(has(second.out, "cleaned /var/log"));
  // No platform configured: the default command is the console too.
  const Result third = run("", "!incident close\n");
  ASSERT_EQ(third.status, 0) << third.err;
  EXPECT_TRUE(has(third.out, "INC-1 closed")) << third.out;
}

// The Markdown export is pasted into wikis: a title or fact can never become a link or HTML
// there, and the JSON export carries no bidi or zero-width tricks.
TEST_F(ConsoleE2E, ExportsKeepUserTextAsText) {
  ASSERT_EQ(run("console",
                "!incident start [click](http://evil.example) sev2\n"
                "!incident log <script>alert(1)</script> seen\n"
                "!incident log rollback\xE2\x80\xAE done\n!incident close\n")
                .status,
            0);
  const Result md = run("export INC-1");
  ASSERT_EQ(md.status, 0) << md.err;
  EXPECT_FALSE(has(md.out, "[click](")) << md.out;
  EXPECT_FALSE(has(md.out, "<script>")) << md.out;
  EXPECT_TRUE(has(md.out, "\\[click\\](http://evil.example)")) << md.out;
  EXPECT_TRUE(has(md.out, "&lt;script&gt;")) << md.out;
  const Result json = run("export INC-1 --format json");
  ASSERT_EQ(json.status, 0);
  EXPECT_FALSE(has(json.out, "\xE2\x80\xAE")) << json.out;
  EXPECT_FALSE(has(json.out, "\\u202e")) << json.out;
  EXPECT_TRUE(has(json.out, "rollback done")) << json.out;
}

// Only `run` and `console` create a database: `list` and `export` at a mistyped path say so.
TEST_F(ConsoleE2E, ReadOnlyCommandsNeverCreateADatabase) {
  const std::string typo = (dir_ / "typo.db").string();
  const Result list = run("list", "", "INCIDENT_BOT_DB='" + typo + "'");
  EXPECT_EQ(list.status, 1);
  EXPECT_TRUE(has(list.err, "there is no database at " + typo)) << list.err;
  const Result exported = run("export INC-1", "", "INCIDENT_BOT_DB='" + typo + "'");
  EXPECT_EQ(exported.status, 1);
  EXPECT_FALSE(fs::exists(typo));
}

// A damaged database stops the start, naming the file; it is never replaced by an empty one.
TEST_F(ConsoleE2E, ADamagedDatabaseStopsTheStartAndIsLeftAsItIs) {
  std::string junk = "SQLite format 3";
  junk.push_back('\0');
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 7919) % 251));
  std::ofstream(db_path(), std::ios::binary) << junk;
  const Result r = run("console", "!incident start Disk full\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, db_path() + " is damaged or not an incident-bot database")) << r.err;
  EXPECT_EQ(read(db_path()), junk);
  EXPECT_FALSE(fs::exists(db_path() + "-wal"));
}

TEST_F(ConsoleE2E, ADirectMessageIsAnsweredPrivatelyAndNeverStored) {
  const Result r = run("console", "dm a caller asked for my MFA code, ref purple-giraffe-42\n");
  ASSERT_EQ(r.status, 0);
  EXPECT_TRUE(has(r.out, "[dm] ")) << r.out;
  EXPECT_FALSE(has(r.out, "purple-giraffe-42"));
  for (const char* suffix : {"", "-wal"}) {
    const std::string bytes = read(dir_ / (std::string("bot.db") + suffix));
    EXPECT_FALSE(has(bytes, "purple-giraffe-42")) << "DM text found in bot.db" << suffix;
  }
}

TEST_F(ConsoleE2E, ConfigurationErrorsExitTwoAndNameTheKey) {
  std::ofstream(dir_ / "bad.toml") << "[storage]\npath = 'x.db'\ncolour = 'blue'\n";
  const Result unknown = run("--config '" + (dir_ / "bad.toml").string() + "' list");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_TRUE(has(unknown.err, "storage.colour")) << unknown.err;
  // Found by fuzzing (tests/fuzz/config_fuzz.cpp): an empty quoted table name was refused with
  // no name at all.
  std::ofstream(dir_ / "empty.toml") << "[rix]\n[\"\"]\n";
  const Result empty = run("--config '" + (dir_ / "empty.toml").string() + "' list");
  EXPECT_EQ(empty.status, 2);
  EXPECT_TRUE(has(empty.err, "\"\": unknown key")) << empty.err;
  // A huge float where a count goes is refused for its type. It used to be converted to a long
  // first, undefined behaviour that clang's UBSan reports when tests/fuzz.sh replays
  // tests/fuzz/corpus/config/huge-float (GCC's -fsanitize=undefined does not check it).
  std::ofstream(dir_ / "float.toml") << "archive_after_hours = 3" << std::string(44, '5') << ".2\n";
  const Result huge = run("--config '" + (dir_ / "float.toml").string() + "' list");
  EXPECT_EQ(huge.status, 2);
  EXPECT_TRUE(has(huge.err, "archive_after_hours: must be a whole number")) << huge.err;

  const Result bad_env = run("list", "", "INCIDENT_BOT_DURABILITY=sometimes");
  EXPECT_EQ(bad_env.status, 2);
  EXPECT_TRUE(has(bad_env.err, "INCIDENT_BOT_DURABILITY")) << bad_env.err;

  const Result bad_token =
      run("list", "", "SLACK_APP_TOKEN=xoxb-wrong-kind SLACK_BOT_TOKEN=xoxb-1");
  EXPECT_EQ(bad_token.status, 2);
  EXPECT_TRUE(has(bad_token.err, "SLACK_APP_TOKEN")) << bad_token.err;
  EXPECT_FALSE(has(bad_token.err, "xoxb-wrong-kind"));  // never print a secret
}

TEST_F(ConsoleE2E, TheConfigDumpRedactsSecrets) {
  const Result r =
      run("config", "",
          "SLACK_APP_TOKEN=xapp-1-A1-123-abcdef SLACK_BOT_TOKEN=xoxb-1-2-secretvalue "
          "MATRIX_HOMESERVER=https://matrix.example.org MATRIX_ACCESS_TOKEN=syt_secret");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(has(r.out, "app_token = '<set>'")) << r.out;
  EXPECT_FALSE(has(r.out, "abcdef"));
  EXPECT_FALSE(has(r.out, "secretvalue"));
  EXPECT_FALSE(has(r.out, "syt_secret"));
  EXPECT_TRUE(has(r.out, "https://matrix.example.org"));
}

TEST_F(ConsoleE2E, HelpVersionAndUsageErrors) {
  const Result version = run("--version");
  EXPECT_EQ(version.status, 0);
  EXPECT_TRUE(has(version.out, "incident-bot ")) << version.out;
  for (const char* sub : {"", "run", "console", "list", "export", "config"}) {
    const Result help = run(std::string(sub) + " --help");
    EXPECT_EQ(help.status, 0) << sub;
    EXPECT_TRUE(has(help.out, "Usage")) << sub << help.out;
  }
  EXPECT_EQ(run("export").status, 2);
  EXPECT_EQ(run("export INC-1 --format pdf").status, 2);
  EXPECT_EQ(run("export nonsense").status, 2);
  EXPECT_EQ(run("frobnicate").status, 2);
  ASSERT_EQ(run("console", "").status, 0);  // creates the database
  const Result missing = run("export INC-99");
  EXPECT_EQ(missing.status, 1);
  EXPECT_TRUE(has(missing.err, "INC-99")) << missing.err;
}

// INCIDENT_BOT_NOW gives the console its own clock: a reminder that fell due between two runs
// is printed before the next line's replies, once, and a time that is not one is refused.
TEST_F(ConsoleE2E, RemindersFallDueOnTheConsolesOwnClock) {
  ASSERT_EQ(
      run("console", "!incident start Checkout errors\n", "INCIDENT_BOT_NOW=2026-11-30T09:00Z")
          .status,
      0);
  const Result later =
      run("console", "!incident log card declines rising\n", "INCIDENT_BOT_NOW=2026-11-30T09:16Z");
  ASSERT_EQ(later.status, 0) << later.err;
  const auto asked = later.out.find("INC-1 has no severity yet");
  ASSERT_NE(asked, std::string::npos) << later.out;
  EXPECT_LT(asked, later.out.find("card declines rising")) << later.out;
  const Result again = run("console", "!incident status\n", "INCIDENT_BOT_NOW=2026-11-30T09:20Z");
  EXPECT_FALSE(has(again.out, "no severity yet")) << again.out;
  EXPECT_TRUE(
      has(again.out, "Next reminder: a nudge if the timeline stays quiet, 2026-11-30 10:16"))
      << again.out;
  // The review meeting's homework, the day before it, from the stored time.
  ASSERT_EQ(
      run("console",
          "!incident severity sev2\n!incident close fixed\n!incident review at 2026-12-02 15:00\n",
          "INCIDENT_BOT_NOW=2026-11-30T09:30Z")
          .status,
      0);
  const Result day_before =
      run("console", "!incident status\n", "INCIDENT_BOT_NOW=2026-12-01T15:00Z");
  EXPECT_TRUE(
      has(day_before.out, "The review meeting of INC-1 (Checkout errors) is 2026-12-02 15:00 UTC"))
      << day_before.out;
  EXPECT_TRUE(has(day_before.out, "The review has not started: run `postmortem`"))
      << day_before.out;
  EXPECT_TRUE(has(day_before.out, "Review meeting: 2026-12-02 15:00 UTC")) << day_before.out;
  // `list` counts the reminders sent: the severity question and the meeting's homework.
  const Result list = run("list");
  EXPECT_TRUE(has(list.out, "\tconsole:console\t2\tCheckout errors")) << list.out;
  const Result bad = run("console", "!incident status\n", "INCIDENT_BOT_NOW=tomorrow");
  EXPECT_EQ(bad.status, 2);
  EXPECT_TRUE(has(bad.err, "INCIDENT_BOT_NOW")) << bad.err;
}

}  // namespace
