#include "bot/text/prompts.h"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

namespace incident {
namespace {

using Texts = std::map<std::string, std::string>;

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

TEST(PromptFile, ParsesBlocksCommentsAndTrailingBlankLines) {
  const PromptFile file{"replies.txt",
                        "# Replies the bot posts.\n"
                        "\n"
                        "# {{name}} is the incident name.\n"
                        "[help]\n"
                        "Commands:\n"
                        "# not a comment inside a block\n"
                        "\n"
                        "  indented\n"
                        "\n"
                        "   \n"
                        "[ack.done_2]\n"
                        "Acked {{name}}.\n"
                        "[empty]\n"
                        "[last]\n"
                        "no newline at end"};
  EXPECT_EQ(parse_prompt_file(file),
            (Texts{{"help", "Commands:\n# not a comment inside a block\n\n  indented"},
                   {"ack.done_2", "Acked {{name}}."},
                   {"empty", ""},
                   {"last", "no newline at end"}}));
}

TEST(PromptFile, KeyLinesMustMatchTheKeyPattern) {
  // Lines that look like headers but are not valid keys are plain text of the block.
  const PromptFile file{"a.txt", "[a]\n[Not-A-Key]\n[ b ]\n[]\n[b]  \r\nx\r\n"};
  EXPECT_EQ(parse_prompt_file(file), (Texts{{"a", "[Not-A-Key]\n[ b ]\n[]"}, {"b", "x"}}));
  EXPECT_TRUE(parse_prompt_file(PromptFile{"none.txt", "# only comments\n\n"}).empty());
}

TEST(PromptFile, WholeFileTemplateKeyedByStem) {
  const std::string body = "# Draft for {{name}}\n\n{{#items}}\n- {{text}}\n{{/items}}\n";
  EXPECT_EQ(parse_prompt_file(PromptFile{"draft.tmpl", body}), (Texts{{"draft", body}}));
  EXPECT_EQ(parse_prompt_file(PromptFile{"postmortem.md", "x"}), (Texts{{"postmortem", "x"}}));
}

TEST(PromptFile, Errors) {
  EXPECT_EQ(error_of([] {
              parse_prompt_file(PromptFile{"r.txt", "# c\n\nhello\n[a]\n"});
            }),
            "r.txt:3: text before the first [key] line");
  EXPECT_EQ(error_of([] {
              parse_prompt_file(PromptFile{"r.txt", "[a]\nx\n[b]\n[a]\ny\n"});
            }),
            "r.txt:4: duplicate key [a] (first defined at line 1)");
}

const std::vector<PromptFile> kDefaults = {
    {"replies.txt", "# defaults\n[help]\nUse /inc.\n[ack]\nAcked by {{who}}.\n"},
    {"draft.tmpl", "Draft {{name}}\n"},
};

TEST(Prompts, LoadsDefaultsAndRenders) {
  const Prompts p = Prompts::load(kDefaults);
  EXPECT_TRUE(p.contains("help"));
  EXPECT_TRUE(p.contains("draft"));
  EXPECT_FALSE(p.contains("nope"));
  EXPECT_EQ(p.raw("draft"), "Draft {{name}}\n");
  EXPECT_EQ(p.render("ack", TemplateData{}.set("who", std::string("<bob>"))), "Acked by <bob>.");
  auto bracket = [](std::string_view s) { return "[" + std::string(s) + "]"; };
  EXPECT_EQ(p.render("ack", TemplateData{}.set("who", std::string("bob")), bracket),
            "Acked by [bob].");
  EXPECT_TRUE(p.unknown_keys().empty());
}

TEST(Prompts, RawNamesUnknownKey) {
  const Prompts p = Prompts::load(kDefaults);
  try {
    p.raw("typo");
    FAIL() << "expected std::out_of_range";
  } catch (const std::out_of_range& e) {
    EXPECT_STREQ(e.what(), "unknown prompt: typo");
  }
  EXPECT_THROW(p.render("typo", TemplateData{}), std::out_of_range);
}

TEST(Prompts, OverridesReplaceDefaultsKeyByKey) {
  const Prompts p =
      Prompts::load(kDefaults, {{"replies.txt", "# operator edits\n[ack]\n{{who}} has it.\n"},
                                {"draft.tmpl", "Custom draft\n"}});
  EXPECT_EQ(p.raw("ack"), "{{who}} has it.");
  EXPECT_EQ(p.raw("help"), "Use /inc.");  // untouched keys keep their defaults
  EXPECT_EQ(p.raw("draft"), "Custom draft\n");
  EXPECT_TRUE(p.unknown_keys().empty());
}

TEST(Prompts, UnknownOverrideKeysAreReportedAndKept) {
  const Prompts p = Prompts::load(
      kDefaults, {{"extra.txt", "[halp]\ntypo\n[help]\nnew help\n"}, {"more.txt", "[halp]\nx\n"}});
  EXPECT_EQ(p.unknown_keys(), std::vector<std::string>{"halp"});
  EXPECT_EQ(p.raw("halp"), "x");  // the later file wins
  EXPECT_EQ(p.raw("help"), "new help");
}

TEST(Prompts, DuplicateDefaultKeyAcrossFilesIsAnError) {
  const std::string error = error_of([] {
    Prompts::load({{"a.txt", "[help]\nx\n"}, {"b.txt", "\n[help]\ny\n"}});
  });
  EXPECT_EQ(error, "b.txt:2: prompt [help] is already defined in a.txt");
}

TEST(Prompts, BrokenOverrideIsRejectedNamingFileAndKey) {
  const std::string error = error_of([] {
    Prompts::load(kDefaults, {{"replies.txt", "# c\n[help]\nok\n[ack]\nline\n{{#who}}\n"}});
  });
  // Line 6 of the file: the section opens on the second line of the [ack] block.
  EXPECT_EQ(error, "replies.txt:6: prompt [ack]: section {{#who}} is never closed");

  const std::string whole = error_of([] {
    Prompts::load(kDefaults, {{"draft.tmpl", "a\nb {{/x}}\n"}});
  });
  EXPECT_EQ(whole, "draft.tmpl:2: prompt [draft]: {{/x}} closes no open section");
}

TEST(Prompts, BrokenDefaultIsRejected) {
  EXPECT_THROW(Prompts::load({{"r.txt", "[a]\n{{oops\n"}}), TemplateError);
}

}  // namespace
}  // namespace incident
