// End to end: a whole incident with blame and a personnel remark piped through the console,
// the post-mortem answered with `thread` lines, and the blameless draft that comes out.
#include <gtest/gtest.h>

#include <string>

#include "e2e/binary_test.h"

namespace {

namespace fs = std::filesystem;

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

class ReviewE2E : public incident::testing::BinaryTest {
 protected:
  // Runs the binary as the console user "dana" with `input` on stdin; returns stdout.
  std::string run(const std::string& args, const std::string& input, int* status = nullptr) {
    const auto r = run_console(args, input);
    if (status != nullptr) *status = r.status;
    return r.out;
  }
};

TEST_F(ReviewE2E, TheDraftIsBlamelessAndThePersonnelRemarkGoesOnlyToTheFacilitator) {
  const std::string out = run("console",
                              "!incident start Checkout errors sev2\n"
                              "!incident role comms @erin\n"
                              "!incident log impact: 8% of checkouts failed\n"
                              "!incident log erin flipped the config flag by hand\n"
                              "!incident log This was human error by Erin, she failed to check "
                              "the diff\n"
                              "!incident action add a canary stage for config changes owner:@lee "
                              "due:2031-01-15\n"
                              "!incident close rolled back release 42\n"
                              "thread 1. too early\n"
                              "!incident postmortem\n"
                              "thread factor: config changes skip the canary stage\n"
                              "thread 4. It was Erin's fault, she was careless\n"
                              "thread Erin should be put on a performance improvement plan\n"
                              "thread learn: treat config as code\n"
                              "!incident draft\n");
  // `thread` before the post-mortem thread exists says so.
  EXPECT_TRUE(has(out, "(no post-mortem thread yet: run !incident postmortem first)")) << out;
  EXPECT_TRUE(has(out, "1. What happened, and when did we know? (`happened:`)"));

  const auto at = out.rfind("# Post-incident review (draft): Checkout errors");
  ASSERT_NE(at, std::string::npos) << out;
  const auto dm = out.find("[dm] ", at);
  ASSERT_NE(dm, std::string::npos) << out.substr(at);
  const std::string draft = out.substr(at, dm - at);
  const std::string note = out.substr(dm);

  // No participant is named, except the action's owner.
  for (const std::string name : {"dana", "Dana", "erin", "Erin"}) {
    EXPECT_FALSE(has(draft, name)) << name << "\n" << draft;
  }
  EXPECT_TRUE(has(draft, "owner: @lee"));
  EXPECT_TRUE(has(draft, "The communications lead flipped the config flag by hand"));
  EXPECT_TRUE(has(draft, "- F1: config changes skip the canary stage"));
  EXPECT_TRUE(has(draft, "- treat config as code"));

  // Each blame phrase is flagged, with its place and a rewording.
  const std::string check = draft.substr(draft.find("## Blameless language check"));
  for (const std::string phrase :
       {"“human error by the communications lead” (timeline, ", "“failed to” (timeline, ",
        "“The communications lead's fault” (review, question 4) → ",
        "“careless” (review, question 4) → "}) {
    EXPECT_TRUE(has(check, phrase)) << phrase << "\n" << check;
  }

  // The personnel remark is left out, and only the facilitator hears of it, privately.
  EXPECT_FALSE(has(draft, "performance"));
  EXPECT_FALSE(has(draft, "improvement plan"));
  EXPECT_TRUE(has(note, "left out 1 text about personnel or performance matters")) << note;
}

// The same draft as the chat shows, with user text escaped for CommonMark: pasted into a wiki it
// stays text (no raw HTML, no links).
TEST_F(ReviewE2E, ExportPrintsTheSameDraftAsEscapedMarkdown) {
  run("console",
      "!incident start <!channel> Login outage\n"
      "!incident log impact: users saw <script>alert(1)</script>\n"
      "!incident close fixed\n");
  int status = -1;
  const std::string md = run("export INC-1 --format md", "", &status);
  EXPECT_EQ(status, 0);
  EXPECT_TRUE(has(md, "# Post-incident review (draft): &lt;!channel&gt; Login outage")) << md;
  EXPECT_TRUE(has(md, "users saw &lt;script&gt;alert(1)&lt;/script&gt;")) << md;
  EXPECT_FALSE(has(md, "\xEE\x80")) << "span delimiters leaked into the export";
}

}  // namespace
