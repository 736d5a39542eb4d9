// The real incident-bot binary, configured from the environment alone, against the fake
// homeserver: `run` connects to Matrix, answers in a room, and stops cleanly on SIGTERM.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include "matrix/harness.h"

namespace incident::testing {
namespace {

using namespace std::chrono_literals;

TEST(MatrixBinary, RunsFromTheEnvironmentAndStopsOnSigterm) {
  MatrixHarness h;  // for its fake homeserver, CA file and temporary directory
  const std::string room = h.fake.create_room(kAlice, {kAlice, kBob});
  h.fake.invite(room, kAlice, kMatrixBot);
  std::vector<std::string> env{
      "MATRIX_HOMESERVER=" + h.fake.url(), std::string("MATRIX_ACCESS_TOKEN=") + kMatrixToken,
      "INCIDENT_BOT_DB=" + (h.dir / "binary.db").string(),
      "INCIDENT_BOT_CA_FILE=" + (h.dir / "ca.pem").string(), "INCIDENT_BOT_LOG_LEVEL=warn"};
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, STDIN_FILENO);  // a service runs with stdin closed
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    char run[] = "run";
    char* argv[] = {const_cast<char*>(INCIDENT_BOT_BINARY), run, nullptr};
    ::execve(INCIDENT_BOT_BINARY, argv, envp.data());
    ::_exit(127);
  }
  int status = 0;
  auto exited = [&] { return ::waitpid(child, &status, WNOHANG) == child; };
  const bool joined =
      h.run_until([&] { return h.fake.membership(room, kMatrixBot) == "join" || exited(); }, 10s);
  if (joined && h.fake.membership(room, kMatrixBot) == "join") {
    h.run_for(300ms);  // its next long-poll
    h.fake.say(room, kAlice, "!incident start Binary smoke test");
    EXPECT_TRUE(h.wait_bodies(room, 1, 10s));
  }
  ::kill(child, SIGTERM);
  ASSERT_TRUE(h.run_until(exited, 10s));
  ASSERT_TRUE(joined);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const auto bodies = h.fake.bot_bodies(room);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_NE(bodies[0].find("INC-1 declared: Binary smoke test"), std::string::npos);
  // The help names the Matrix prefix, not Slack's slash command.
  EXPECT_NE(bodies[0].find("!incident log"), std::string::npos);
}

}  // namespace
}  // namespace incident::testing
