// Bot Markdown and its three renderings: user text can never become markup, a link, a broadcast
// or a mention on any platform, and long documents split where a reader expects a break.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

#include "bot/text/markup.h"

namespace incident::markup {
namespace {

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

const std::string kRlo = "\xE2\x80\xAE";       // U+202E RIGHT-TO-LEFT OVERRIDE
const std::string kLri = "\xE2\x81\xA6";       // U+2066 LEFT-TO-RIGHT ISOLATE
const std::string kZwsp = "\xE2\x80\x8B";      // U+200B ZERO WIDTH SPACE
const std::string kSentinel = "\xEE\x80\x81";  // U+E001, our own literal-close delimiter

TEST(Markup, MarkdownUnwrapsSpansAndKeepsUserTextAsIs) {
  const std::string text = "**Owner:** " + mention("U123") + ", " + mention("@dana") + " — " +
                           literal("rolled back *release* 42 <b>");
  EXPECT_EQ(to_markdown(text), "**Owner:** <@U123>, @dana — rolled back *release* 42 <b>");
}

// What `export` writes goes into whatever wiki it is pasted in: user text stays text there.
TEST(Markup, CommonMarkEscapesUserTextAndKeepsTheTemplateMarkup) {
  const std::string text = "# " + literal("[click](http://evil.example)") + "\n- " +
                           literal("<script>alert(1)</script> & *bold* _x_ `code` a|b ~~s~~") +
                           "\n**Owner:** " + mention("@dana_ops") + "\n" +
                           literal("# not a heading\n- not a list\n1. nor this\n> nor a quote");
  const std::string md = to_commonmark(text);
  EXPECT_EQ(md,
            "# \\[click\\](http://evil.example)\n- &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
            "\\*bold\\* \\_x\\_ \\`code\\` a\\|b \\~\\~s\\~\\~\n**Owner:** @dana\\_ops\n"
            "\\# not a heading\n\\- not a list\n1\\. nor this\n\\&gt; nor a quote");
  EXPECT_EQ(plain("a" + kRlo + "b" + kZwsp + "c" + kSentinel), "abc");
}

TEST(Markup, SlackEscapesEverythingAndConvertsTheMarkupSubset) {
  const std::string text = "# Title: " + literal("A & B") + "\n## Sub\n**bold** `" +
                           literal("<x>") + "` for " + mention("<@U123|dana>") + " & " +
                           mention("@dana:example.org");
  EXPECT_EQ(to_mrkdwn(text),
            "*Title: A &amp; B*\n*Sub*\n*bold* `&lt;x&gt;` for <@U123> &amp; @dana:example.org");
}

TEST(Markup, SlackLiteralsCannotBroadcastMentionOrLink) {
  for (const std::string hostile :
       {"<!channel>", "<!here>", "<!everyone>", "<@U999>", "<https://evil.example|click me>",
        "<mailto:a@b.c|mail>", "&lt;!channel&gt;", "<!subteam^S123>", "<#C123>"}) {
    const std::string out = to_mrkdwn("Fact: " + literal(hostile));
    EXPECT_EQ(out.find('<'), std::string::npos) << out;
    EXPECT_EQ(out.find('>'), std::string::npos) << out;
  }
  EXPECT_EQ(to_mrkdwn(literal("&lt;!channel&gt;")), "&amp;lt;!channel&amp;gt;");
  // A heading marker inside user text is text, not a heading.
  EXPECT_EQ(to_mrkdwn("- " + literal("x\n# not a heading **no**")), "- x\n# not a heading **no**");
}

TEST(Markup, MentionsOfSlackIdsBecomeSlackMentionsOnlyThere) {
  EXPECT_EQ(to_mrkdwn(mention("W0ABC")), "<@W0ABC>");
  EXPECT_EQ(to_mrkdwn(mention("<@U1|dana>")), "<@U1>");
  EXPECT_EQ(to_mrkdwn(mention("@dana")), "@dana");
  EXPECT_EQ(to_mrkdwn(mention("payments-team")), "payments-team");
  // Only a real id makes a mention: anything else in a mention span is escaped text.
  EXPECT_EQ(to_mrkdwn(mention("<!channel>")), "&lt;!channel&gt;");
  EXPECT_EQ(to_mrkdwn(mention("U1> <!here")), "U1&gt; &lt;!here");
}

TEST(Markup, BidiAndZeroWidthControlsAreDroppedFromLiterals) {
  const std::string sneaky = "deploy " + kRlo + "txt.exe" + kLri + " by " + kZwsp + "bot";
  EXPECT_EQ(to_markdown(literal(sneaky)), "deploy txt.exe by bot");
  EXPECT_EQ(to_mrkdwn(literal(sneaky)), "deploy txt.exe by bot");
  EXPECT_EQ(to_matrix(literal(sneaky)).formatted_body, "<p>deploy txt.exe by bot</p>");
  // Emoji sequences keep their joiners.
  const std::string family = "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB";  // 👩‍💻
  EXPECT_EQ(to_markdown(literal(family)), family);
}

TEST(Markup, UserTextCannotOpenOrCloseASpan) {
  // A user who types our delimiters gets them removed, so the rest stays inside the literal.
  const std::string text = literal("a" + kSentinel + "<!channel>") + " **b**";
  EXPECT_EQ(to_mrkdwn(text), "a&lt;!channel&gt; *b*");
  EXPECT_EQ(to_markdown(mention("U1" + kSentinel + "x")), "U1x");
}

TEST(Markup, InvalidUtf8BecomesReplacementCharacters) {
  const std::string out = to_markdown(literal(std::string("ok \xC3 \xFF end")));
  EXPECT_EQ(out, "ok \xEF\xBF\xBD \xEF\xBF\xBD end");
}

TEST(Markup, MatrixRendersTheAllowedHtmlSubsetWithEverythingEscaped) {
  const std::string text = "# Review: " + literal("<script>alert(1)</script>") +
                           "\nINC-1 · sev2\n\n## Timeline\n- 10:00 " +
                           literal("a \"quoted\" & 'single' fact") + "\n- 10:05 **bold** `" +
                           literal("kubectl <x>") + "`\n\n1. first\n2. second " +
                           mention("@dana:example.org") + "\n\nThanks, _all_ of " + mention("U1") +
                           ".\nsnake_case_name stays";
  const MatrixText m = to_matrix(text);
  EXPECT_EQ(m.formatted_body,
            "<h1>Review: &lt;script&gt;alert(1)&lt;/script&gt;</h1>\n"
            "<p>INC-1 · sev2</p>\n"
            "<h2>Timeline</h2>\n"
            "<ul>\n<li>10:00 a &quot;quoted&quot; &amp; &#39;single&#39; fact</li>\n"
            "<li>10:05 <strong>bold</strong> <code>kubectl &lt;x&gt;</code></li>\n</ul>\n"
            "<ol>\n<li>first</li>\n<li>second <a href=\"https://matrix.to/#/@dana:example.org\">"
            "@dana:example.org</a></li>\n</ol>\n"
            "<p>Thanks, <em>all</em> of &lt;@U1&gt;.<br>snake_case_name stays</p>");
  EXPECT_EQ(m.mentioned, std::vector<std::string>{"@dana:example.org"});
  EXPECT_EQ(m.body, to_markdown(text));
}

TEST(Markup, MatrixUserMarkupInsideLiteralsStaysText) {
  const MatrixText m = to_matrix("- " + literal("**not bold** <a href=\"x\">y</a> @room") + "\n" +
                                 literal("1. not a list"));
  EXPECT_EQ(m.formatted_body,
            "<ul>\n<li>**not bold** &lt;a href=&quot;x&quot;&gt;y&lt;/a&gt; @room</li>\n</ul>\n"
            "<p>1. not a list</p>");
  EXPECT_TRUE(m.mentioned.empty());
}

TEST(Markup, MatrixOnlyPillsValidUserIds) {
  const MatrixText m = to_matrix(mention("@evil:x\" onclick=\"y") + " " + mention("@a:b.c") + " " +
                                 mention("@a:b.c"));
  EXPECT_FALSE(has(m.formatted_body, "\" onclick"));
  EXPECT_TRUE(has(m.formatted_body, "&quot; onclick=&quot;y"));
  EXPECT_EQ(m.mentioned, std::vector<std::string>{"@a:b.c"});  // once, however often mentioned
}

TEST(Markup, AHundredKilobyteFactRendersIntact) {
  const std::string big(100 * 1024, 'x');
  const std::string text = "- " + literal(big + "<!channel>");
  EXPECT_EQ(to_markdown(text).size(), big.size() + 12);
  EXPECT_TRUE(has(to_mrkdwn(text), "x&lt;!channel&gt;"));
  EXPECT_EQ(to_matrix(text).formatted_body.size(),
            std::string("<ul>\n<li></li>\n</ul>").size() + big.size() + 16);
}

// --- split ---------------------------------------------------------------------------------

std::string section(const std::string& name, std::size_t lines) {
  std::string s = "## " + name + "\n";
  for (std::size_t i = 0; i < lines; ++i) s += "- " + literal("entry " + std::to_string(i)) + "\n";
  return s;
}

TEST(Split, ShortTextsStayWhole) {
  EXPECT_EQ(split("# a\nb", 100), std::vector<std::string>{"# a\nb"});
  EXPECT_TRUE(split("", 100).empty());
}

TEST(Split, CutsAtSectionBoundariesFirst) {
  const std::string text = "# Title\n\n" + section("One", 3) + "\n" + section("Two", 3);
  const auto parts = split(text, text.size() - 5);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].rfind("# Title", 0), 0u);
  EXPECT_EQ(parts[1].rfind("## Two", 0), 0u);
}

TEST(Split, LongSectionsCutAtBlankLinesThenLineEnds) {
  const std::string text = section("Only", 200);
  const auto parts = split(text, 1000);
  ASSERT_GT(parts.size(), 1u);
  std::string joined;
  for (const auto& p : parts) {
    EXPECT_LE(p.size(), 1000u);
    EXPECT_EQ(p.rfind("- ", 0) == 0 || p.rfind("## ", 0) == 0, true) << p.substr(0, 20);
    joined += p + "\n";
  }
  EXPECT_EQ(to_markdown(joined), to_markdown(text));
}

TEST(Split, AHugeLiteralIsCutAtCharacterBoundariesAndStaysLiteral) {
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "é<";  // 3 bytes each, 60 KB
  const std::string text = "- " + literal(big);
  const auto parts = split(text, 4000);
  ASSERT_GT(parts.size(), 10u);
  std::string rendered;
  for (const auto& p : parts) {
    EXPECT_LE(p.size(), 4000u);
    const std::string slack = to_mrkdwn(p);
    EXPECT_EQ(slack.find('<'), std::string::npos);  // still escaped: every part is a literal
    rendered += to_markdown(p);
  }
  EXPECT_EQ(rendered, "- " + big);
}

TEST(Split, PlatformLimitsHoldAfterRenderingEvenWhenEscapingGrowsTheText) {
  std::string text = "# Post-incident review (draft): " + literal("Big") + "\n";
  for (int s = 0; s < 8; ++s) text += "\n" + section("Section " + std::to_string(s), 800);
  text += "\n## Hostile\n- " + literal(std::string(50000, '"') + std::string(50000, '<')) + "\n";
  // Slack: 40,000 characters per message; Matrix: ~65,536 bytes per event, JSON included.
  const RenderedSize slack = [](std::string_view p) { return to_mrkdwn(p).size(); };
  const RenderedSize matrix = [](std::string_view p) {
    const MatrixText m = to_matrix(p);
    return m.body.size() + m.formatted_body.size();
  };
  for (const auto& [limit, size] : {std::pair{40000u, slack}, std::pair{60000u, matrix}}) {
    std::string joined;
    for (const auto& part : split(text, limit, size)) {
      EXPECT_LE(size(part), limit);
      joined += to_markdown(part);
    }
    EXPECT_EQ(std::count(joined.begin(), joined.end(), '<'), 50000);
  }
}

}  // namespace
}  // namespace incident::markup
