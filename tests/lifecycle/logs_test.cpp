// Logs (README, "Logs"): `--log-format json` prints one JSON object per line with fixed fields and
// UTC timestamps; and neither DM text nor any token reaches the log, at any level — checked on the
// real binary's stderr against the fake Slack, and on the formatters themselves.
#include <gtest/gtest.h>

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <set>

#include "adapters/cli/logging.h"
#include "lifecycle/slack_bot.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// "2026-11-29T08:00:00.123Z": a UTC timestamp with milliseconds, and nothing else.
bool is_utc_millis(std::string_view ts) {
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (ts.size() != shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const bool digit = ts[i] >= '0' && ts[i] <= '9';
    if (shape[i] == 'd' ? !digit : ts[i] != shape[i]) return false;
  }
  return true;
}

class Logs : public SlackBot {};

TEST_F(Logs, JsonLinesWithoutDmTextOrTokens) {
  const std::string sentence = "the purple giraffe crossed the loading dock at noon";
  const std::string pasted = "xoxp-2222222222-3333333333-4444444444-abcdef0123456789";
  auto bot = start({"INCIDENT_BOT_LOG_LEVEL=trace"}, {"--log-format", "json", "run"});
  ASSERT_FALSE(bot->exited()) << bot->err();
  ASSERT_TRUE(
      dm("Is this safe? " + sentence + ", and I pasted my token " + pasted + " in a public channel",
         "EvLog1"));
  ASSERT_TRUE(dm("report", "EvLog2"));
  slack.send(slash_envelope("start Checkout errors sev2", "U1", "CINC"));
  ASSERT_TRUE(run_until(
      io, [&] { return slack.acks().size() >= 3; }, 5s));
  run_until(
      io, [] { return false; }, 300ms);
  bot->signal(SIGTERM);
  ASSERT_TRUE(run_until(
      io, [&] { return bot->exited(); }, 8s));
  ASSERT_EQ(bot->status(), 0) << bot->err();

  const std::string err = bot->err();
  std::istringstream lines(err);
  std::string line;
  int count = 0;
  bool private_line = false;
  const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "critical"};
  while (std::getline(lines, line)) {
    ++count;
    const json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not a JSON object: " << line;
    ASSERT_EQ(j.size(), 3u) << line;
    ASSERT_TRUE(j.contains("ts") && j["ts"].is_string()) << line;
    ASSERT_TRUE(j.contains("level") && j["level"].is_string()) << line;
    ASSERT_TRUE(j.contains("msg") && j["msg"].is_string()) << line;
    EXPECT_TRUE(is_utc_millis(j["ts"].get<std::string>())) << line;
    EXPECT_TRUE(levels.count(j["level"].get<std::string>())) << line;
    if (contains(j["msg"].get<std::string>(), "private message (")) private_line = true;
  }
  EXPECT_GE(count, 4) << err;  // signed in, connected, the DMs, stopping
  EXPECT_TRUE(private_line) << "the DM was not logged by size and topic\n" << err;
  EXPECT_TRUE(contains(err, "\"level\":\"info\"")) << err;

  // Nothing of the DM's words, nor the pasted token, nor the bot's own tokens.
  for (const std::string& secret :
       {sentence, std::string("purple giraffe"), std::string("loading dock"), pasted,
        pasted.substr(0, 20), std::string(kAppToken), std::string(kBotToken)}) {
    EXPECT_FALSE(contains(err, secret)) << "\"" << secret << "\" is in the log:\n" << err;
  }
}

spdlog::details::log_msg message(spdlog::level::level_enum level, std::string_view text) {
  return spdlog::details::log_msg("incident-bot", level,
                                  spdlog::string_view_t(text.data(), text.size()));
}

std::string format(LogFormat f, const spdlog::details::log_msg& msg,
                   std::vector<std::string> secrets = {}) {
  auto formatter = make_log_formatter(f, std::move(secrets));
  spdlog::memory_buf_t buf;
  formatter->format(msg, buf);
  return std::string(buf.data(), buf.size());
}

TEST(LogFormatter, JsonEscapesEverythingAndEndsEachLine) {
  const std::string nasty = "quote \" backslash \\ newline \n tab \t bell \a bad utf-8 \xff end";
  const std::string line = format(LogFormat::json, message(spdlog::level::warn, nasty));
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per message";
  const json j = json::parse(line.substr(0, line.size() - 1));
  EXPECT_EQ(j["level"], "warn");
  EXPECT_TRUE(is_utc_millis(j["ts"].get<std::string>())) << line;
  EXPECT_TRUE(contains(j["msg"].get<std::string>(), "quote \" backslash \\ newline \n tab"));
  EXPECT_TRUE(contains(j["msg"].get<std::string>(), "bad utf-8 \xEF\xBF\xBD end"));
  // Fixed order: ts, level, msg.
  EXPECT_EQ(line.rfind("{\"ts\":\"", 0), 0u) << line;
  EXPECT_LT(line.find("\"level\""), line.find("\"msg\"")) << line;
}

TEST(LogFormatter, BothFormatsScrubCredentials) {
  const auto msg = message(
      spdlog::level::err,
      "refused: Bearer 4f9a1c2e7b8d0e3f5a6b7c8d9e0f1a2b and xoxb-123456789012-abcdefghijkl and "
      "the configured syt_configured_secret_value");
  for (LogFormat f : {LogFormat::text, LogFormat::json}) {
    const std::string line = format(f, msg, {"syt_configured_secret_value"});
    EXPECT_FALSE(contains(line, "xoxb-123456789012")) << line;
    EXPECT_FALSE(contains(line, "syt_configured_secret_value")) << line;
    EXPECT_FALSE(contains(line, "4f9a1c2e7b8d0e3f")) << line;
    EXPECT_TRUE(contains(line, "[credential removed]")) << line;
    EXPECT_TRUE(contains(line, "refused: ")) << line;
  }
  const std::string text = format(LogFormat::text, message(spdlog::level::info, "hello"));
  EXPECT_TRUE(text.size() > 24 && is_utc_millis(std::string_view(text).substr(0, 24)) &&
              text.substr(24) == " info hello\n")
      << text;
}

}  // namespace
}  // namespace incident::testing
