// Golden files: the whole draft of three realistic incidents, in each of its three renderings
// (tests/data/golden/<incident>.md, .mrkdwn, .html). A change to the draft shows up here as a
// readable diff. After an intended change, regenerate them and review the diff:
//   INCIDENT_UPDATE_GOLDEN=1 build/tests/bot_test --gtest_filter='Golden*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bot/draft/scenarios.h"
#include "bot/text/markup.h"
#include "prompts/embedded.h"

namespace incident {
namespace {

std::string golden_path(const std::string& name) {
  return std::string(INCIDENT_TEST_DATA) + "/golden/" + name;
}

void expect_golden(const std::string& name, const std::string& actual) {
  if (const char* update = std::getenv("INCIDENT_UPDATE_GOLDEN"); update && *update) {
    std::ofstream(golden_path(name), std::ios::binary) << actual;
    return;
  }
  std::ifstream in(golden_path(name), std::ios::binary);
  ASSERT_TRUE(in) << "missing golden file " << golden_path(name);
  std::ostringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "golden file " << name << " differs";
}

class Golden : public ::testing::Test {
 protected:
  // The draft reply of the final `draft`, rendered three ways.
  void check(const std::string& name, const Outcome& outcome) {
    ASSERT_FALSE(outcome.replies.empty());
    const std::string& draft = outcome.replies.front().text;
    expect_golden(name + ".md", markup::to_markdown(draft));
    expect_golden(name + ".mrkdwn", markup::to_mrkdwn(draft));
    const markup::MatrixText matrix = markup::to_matrix(draft);
    std::string html = matrix.formatted_body + "\n";
    for (const auto& id : matrix.mentioned) html += "<!-- m.mentions: " + id + " -->\n";
    expect_golden(name + ".html", html);
  }

  Prompts prompts_ = Prompts::load(embedded_prompts());
  testing::MemoryStore store_;
  Engine engine_{store_, prompts_};
};

TEST_F(Golden, CheckoutErrorsOnSlack) {
  check("checkout", testing::checkout_incident(engine_));
}

TEST_F(Golden, DatabaseFailoverOnMatrix) {
  check("failover", testing::failover_incident(engine_));
}

TEST_F(Golden, CertificateExpiryOnTheConsoleWithHostileText) {
  check("certificate", testing::certificate_incident(engine_));
}

}  // namespace
}  // namespace incident
