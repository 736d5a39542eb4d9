// End to end: `incident-bot lint` as a docs CI would run it — no configuration, no database.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/binary_test.h"

namespace {

namespace fs = std::filesystem;
using incident::testing::Result;

class LintE2E : public incident::testing::BinaryTest {
 protected:
  // No configuration, no database: only PATH and `env`.
  Result run(const std::string& args, const std::string& input = "", const std::string& env = "") {
    return run_binary(args, input, env);
  }

  fs::path write(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream s(text);
    for (std::string line; std::getline(s, line);) out.push_back(line);
    return out;
  }

  bool database_created() const {
    for (const auto& entry : fs::directory_iterator(dir_)) {
      if (entry.path().extension() == ".db") return true;
    }
    return false;
  }
};

TEST_F(LintE2E, CleanTextExitsZeroWithNoOutput) {
  const Result r = run("lint", "The health check failed to detect the stale replica.\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(database_created());
}

TEST_F(LintE2E, FindingsFromStdinInTextFormat) {
  const Result r = run("lint", "Timeline\nthen Bob forgot to renew the cert\n");
  EXPECT_EQ(r.status, 1) << r.err;
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_EQ(out[0].rfind("2:6 person \"Bob\" -> a responder", 0), 0u) << out[0];
  EXPECT_EQ(out[1].rfind("2:10 blame \"forgot to\" -> Describe the gap in the process", 0), 0u)
      << out[1];
  EXPECT_FALSE(database_created());
}

TEST_F(LintE2E, DashReadsStdin) {
  const Result r = run("lint -", "root cause: human error\n");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.out.rfind("1:13 blame \"human error\" -> ", 0), 0u) << r.out;
}

TEST_F(LintE2E, FileWithColumnsInCharacters) {
  // "Zoë — " is 6 characters but 9 bytes: the column counts characters.
  const auto file = write("postmortem.md", "# Review\n\nZoë — Dana's fault, tell HR.\n");
  const Result r = run("lint '" + file.string() + "' --people Zoë,Dana");
  EXPECT_EQ(r.status, 1) << r.err;
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 4u) << r.out;
  EXPECT_EQ(out[0].rfind("3:1 person \"Zoë\"", 0), 0u) << out[0];
  EXPECT_EQ(out[1].rfind("3:7 blame \"Dana's fault\"", 0), 0u) << out[1];
  EXPECT_EQ(out[2].rfind("3:7 person \"Dana\"", 0), 0u) << out[2];
  EXPECT_EQ(out[3].rfind("3:26 personnel \"HR\"", 0), 0u) << out[3];
}

TEST_F(LintE2E, JsonFormatIsOneObjectPerLine) {
  const Result r = run("lint --format json --people Kowalski",
                       "Kowalski should have checked.\nput him on a PIP\n");
  EXPECT_EQ(r.status, 1) << r.err;
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 3u) << r.out;
  std::vector<nlohmann::json> findings;
  for (const auto& line : out) findings.push_back(nlohmann::json::parse(line));
  EXPECT_EQ(findings[0]["line"], 1);
  EXPECT_EQ(findings[0]["column"], 1);
  EXPECT_EQ(findings[0]["kind"], "person");
  EXPECT_EQ(findings[0]["text"], "Kowalski");
  EXPECT_EQ(findings[1]["kind"], "blame");
  EXPECT_EQ(findings[1]["text"], "should have checked");
  EXPECT_EQ(findings[1]["column"], 10);
  EXPECT_EQ(findings[2]["line"], 2);
  EXPECT_EQ(findings[2]["kind"], "personnel");
  for (const auto& f : findings) {
    for (const char* key : {"line", "column", "kind", "text", "suggestion"}) {
      EXPECT_TRUE(f.contains(key)) << key;
    }
    EXPECT_FALSE(f["suggestion"].get<std::string>().empty());
  }
}

TEST_F(LintE2E, MissingFileIsAnIoError) {
  const Result r = run("lint no-such-file.md");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no-such-file.md"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(LintE2E, BadUsageExitsTwo) {
  EXPECT_EQ(run("lint --format xml", "text\n").status, 2);
  EXPECT_EQ(run("lint a.md b.md", "text\n").status, 2);
}

TEST_F(LintE2E, NeedsNoConfigurationAtAll) {
  // A configuration the other commands would reject does not matter to lint.
  const Result r =
      run("lint", "all good here\n", "INCIDENT_BOT_DURABILITY=bogus SLACK_APP_TOKEN=x");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(database_created());
}

}  // namespace
