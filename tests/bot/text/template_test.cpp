#include "bot/text/template.h"

#include <gtest/gtest.h>

#include <string>

namespace incident {
namespace {

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The message of the TemplateError thrown by check_template, or "" when it parses.
std::string error_of(std::string_view tmpl) {
  try {
    check_template(tmpl);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

TEST(TemplateData, SetReplacesAndReportsTruthiness) {
  TemplateData d;
  d.set("t", std::string("x")).set("e", std::string()).set("f", false).set("on", true);
  d.set("l", std::vector<TemplateData>{});
  EXPECT_TRUE(d.truthy("t"));
  EXPECT_FALSE(d.truthy("e"));
  EXPECT_FALSE(d.truthy("f"));
  EXPECT_TRUE(d.truthy("on"));
  EXPECT_FALSE(d.truthy("l"));
  EXPECT_FALSE(d.truthy("missing"));
  EXPECT_TRUE(d.has("e"));
  EXPECT_FALSE(d.has("missing"));
  d.add("l", TemplateData{});
  EXPECT_TRUE(d.truthy("l"));
  ASSERT_NE(d.list("l"), nullptr);
  EXPECT_EQ(d.list("l")->size(), 1u);
  d.set("t", true);  // a key has one kind of value at a time
  EXPECT_EQ(d.text("t"), nullptr);
  EXPECT_EQ(d.text("missing"), nullptr);
  EXPECT_EQ(d.list("missing"), nullptr);
}

TEST(Template, Variables) {
  TemplateData d;
  d.set("name", std::string("db-outage")).set("sev", std::string("2"));
  EXPECT_EQ(render_template("Incident {{name}} (sev {{ sev }})", d), "Incident db-outage (sev 2)");
  EXPECT_EQ(render_template("[{{missing}}]", d), "[]");
  EXPECT_EQ(render_template("no tags at all\n", d), "no tags at all\n");
  EXPECT_EQ(render_template("", d), "");
}

TEST(Template, FlagsAndListsAsValues) {
  TemplateData d;
  d.set("on", true).set("off", false).add("items", TemplateData{});
  EXPECT_EQ(render_template("{{on}}/{{off}}/{{items}}", d), "true/false/");
}

TEST(Template, EscaperAppliesOnlyToDoubleBraceValues) {
  TemplateData d;
  d.set("x", std::string("<b>&"));
  EXPECT_EQ(render_template("<p>{{x}}|{{{x}}}|{{&x}}</p>", d, html_escape),
            "<p>&lt;b&gt;&amp;|<b>&|<b>&</p>");
  EXPECT_EQ(render_template("{{x}}", d), "<b>&");  // no_escape by default
  EXPECT_EQ(no_escape("<a & b>"), "<a & b>");
}

TEST(Template, NestedListsSeeOuterContext) {
  TemplateData d;
  d.set("channel", std::string("#inc-42"));
  TemplateData a;
  a.set("name", std::string("api"));
  a.add("checks", TemplateData{}.set("name", std::string("p99")));
  a.add("checks", TemplateData{}.set("name", std::string("errors")));
  TemplateData b;
  b.set("name", std::string("db")).set("channel", std::string("#db"));
  b.add("checks", TemplateData{}.set("name", std::string("lag")));
  d.add("services", a).add("services", b);
  const std::string tmpl =
      "{{#services}}{{name}} in {{channel}}:{{#checks}} {{name}}@{{channel}}{{/checks}};"
      "{{/services}}";
  // Item keys shadow outer ones; names missing from an item come from the enclosing contexts.
  EXPECT_EQ(render_template(tmpl, d),
            "api in #inc-42: p99@#inc-42 errors@#inc-42;"
            "db in #db: lag@#db;");
}

TEST(Template, TruthySectionsKeepContext) {
  TemplateData d;
  d.set("owner", std::string("alice")).set("paged", true).set("empty", std::string());
  EXPECT_EQ(render_template("{{#owner}}owner: {{owner}}{{/owner}}", d), "owner: alice");
  EXPECT_EQ(render_template("{{#paged}}paged {{owner}}{{/paged}}", d), "paged alice");
  EXPECT_EQ(render_template("[{{#empty}}x{{/empty}}{{#missing}}y{{/missing}}]", d), "[]");
}

TEST(Template, InvertedSections) {
  TemplateData d;
  d.set("items", std::vector<TemplateData>{}).set("flag", false).set("text", std::string());
  d.set("yes", true);
  EXPECT_EQ(render_template("{{^items}}no items{{/items}}", d), "no items");
  EXPECT_EQ(render_template("{{^flag}}off{{/flag}}", d), "off");
  EXPECT_EQ(render_template("{{^missing}}absent{{/missing}}", d), "absent");
  EXPECT_EQ(render_template("{{^text}}blank{{/text}}", d), "blank");
  EXPECT_EQ(render_template("[{{^yes}}hidden{{/yes}}]", d), "[]");
}

TEST(Template, StandaloneTagLinesLeaveNoBlankLines) {
  TemplateData d;
  d.add("items", TemplateData{}.set("v", std::string("a")));
  d.add("items", TemplateData{}.set("v", std::string("b")));
  const std::string tmpl =
      "Items:\n"
      "{{#items}}\n"
      "  - {{v}}\n"
      "  {{/items}}  \n"
      "{{! a comment line }}\n"
      "{{^items}}\n"
      "none\n"
      "{{/items}}\n"
      "End\n";
  EXPECT_EQ(render_template(tmpl, d), "Items:\n  - a\n  - b\nEnd\n");
  // The same with CRLF line endings, and a standalone close on the last line without newline.
  EXPECT_EQ(render_template("{{#items}}\r\n{{v}}\r\n{{/items}}", d), "a\r\nb\r\n");
  EXPECT_EQ(render_template("x\n\t{{#items}}\t\n{{/items}}\ny", d), "x\ny");
}

TEST(Template, InlineTagsKeepSurroundingText) {
  TemplateData d;
  d.set("on", true).set("v", std::string("V"));
  EXPECT_EQ(render_template("a {{#on}}b{{/on}} c\n", d), "a b c\n");
  EXPECT_EQ(render_template("a {{#on}}\nb\n{{/on}} c\n", d), "a \nb\n c\n");
  EXPECT_EQ(render_template("  {{v}}\n", d), "  V\n");  // a value line is output, not removed
  EXPECT_EQ(render_template("x{{! note }}y\n", d), "xy\n");
  EXPECT_EQ(render_template("  {{#on}} {{/on}}\n", d), "   \n");  // two tags: not standalone
}

TEST(Template, Comments) {
  TemplateData d;
  d.set("x", std::string("1"));
  EXPECT_EQ(render_template("a{{! {{ is fine here }}b", d), "ab");
  EXPECT_EQ(render_template("a{{! ends at the first }}b}}", d), "ab}}");
  EXPECT_EQ(render_template("a\n{{! multi\nline }}\nb", d), "a\nb");
}

TEST(Template, ErrorsNameWhatAndLine) {
  EXPECT_EQ(error_of("ok {{#a}}{{/a}}"), "");
  EXPECT_EQ(error_of("one\ntwo {{#items}}\nthree"), "line 2: section {{#items}} is never closed");
  EXPECT_EQ(error_of("{{^a}}\n{{/a}}\n{{#b}}\n{{/c}}"),
            "line 4: {{/c}} does not match {{#b}} opened at line 3");
  EXPECT_EQ(error_of("\n\n{{/a}}"), "line 3: {{/a}} closes no open section");
  EXPECT_EQ(error_of("a\nb {{name\nc"), "line 2: unclosed tag: '{{' without '}}'");
  EXPECT_EQ(error_of("a {{oops and {{name}}"), "line 1: unclosed tag: '{{' without '}}'");
  EXPECT_EQ(error_of("{{{raw}}"), "line 1: unclosed tag: '{{{' without '}}}'");
  EXPECT_EQ(error_of("{{  }}"), "line 1: empty name in tag");
  EXPECT_EQ(error_of("{{#}}{{/}}"), "line 1: empty name in tag");
  EXPECT_EQ(error_of("{{two words}}"), "line 1: invalid name 'two words' in tag");
  EXPECT_NE(error_of("{{> partial}}").find("not supported"), std::string::npos);
  EXPECT_THROW(render_template("{{#a}}", TemplateData{}), TemplateError);
}

TEST(Template, LargeListRendersQuickly) {
  // Guards against quadratic behaviour (e.g. re-parsing per item or copying contexts).
  TemplateData d;
  std::vector<TemplateData> items(20000);
  for (std::size_t i = 0; i < items.size(); ++i) items[i].set("n", std::to_string(i));
  d.set("items", std::move(items));
  const std::string out = render_template("{{#items}}\n{{n}},\n{{/items}}\n", d);
  EXPECT_EQ(out.substr(0, 8), "0,\n1,\n2,");
  EXPECT_EQ(out.size(), std::string("19999,\n").size() + out.rfind("19999,\n"));
}

}  // namespace
}  // namespace incident
