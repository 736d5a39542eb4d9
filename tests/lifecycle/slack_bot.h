// The real binary in `run` mode against the fake Slack, for the lifecycle tests.
#pragma once

#include <nlohmann/json.hpp>

#include "lifecycle/bot_process.h"
#include "slack/envelopes.h"
#include "slack/fake_slack.h"

namespace incident::testing {

class SlackBot : public ::testing::Test {
 protected:
  std::vector<std::string> env() const {
    return {std::string("SLACK_APP_TOKEN=") + kAppToken,
            std::string("SLACK_BOT_TOKEN=") + kBotToken, "SLACK_API_URL=" + slack.api_url(),
            "INCIDENT_BOT_DB=" + (dir.path / "bot.db").string(),
            "INCIDENT_BOT_CA_FILE=" + (dir.path / "ca.pem").string()};
  }
  // Starts the bot and waits until its Socket Mode connection is up.
  std::unique_ptr<BotProcess> start(std::vector<std::string> extra_env = {},
                                    std::vector<std::string> args = {"run"}) {
    auto e = env();
    for (auto& x : extra_env) e.push_back(std::move(x));
    auto bot = std::make_unique<BotProcess>(args, e, dir.path);
    EXPECT_TRUE(bot->started());
    EXPECT_TRUE(run_until(
        io, [&] { return slack.current() != 0 || bot->exited(); }, std::chrono::seconds(10)))
        << "the bot did not connect";
    // hello goes out on upgrade; give the bot a moment to take it.
    run_until(
        io, [] { return false; }, std::chrono::milliseconds(200));
    return bot;
  }
  // A DM from U2 to the bot; true once it is acknowledged.
  bool dm(const std::string& text, const std::string& event_id) {
    const std::size_t before = slack.acks().size();
    auto ts = slack_ts(from_unix_ms(1795960800000));
    slack.send(event_envelope(message_event("D1", "U2", text, ts, {}, "im"), event_id));
    return run_until(
        io, [&] { return slack.acks().size() > before; }, std::chrono::seconds(5));
  }

  TempDir dir;
  boost::asio::io_context io;
  FakeSlack slack{io, lifecycle_pki()};
};

}  // namespace incident::testing
