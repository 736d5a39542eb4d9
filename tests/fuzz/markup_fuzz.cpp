// The renderings of bot Markdown (bot/text/markup.h) over any bytes, taken both as bot Markdown
// and as a person's text wrapped by literal(): whatever the input, Slack text never holds a
// broadcast, a link or a mention other than a user id's, a person's text never holds any markup
// at all, and Matrix HTML stays in the tags the renderer writes.
#include <array>
#include <string>

#include "bot/text/markup.h"
#include "fuzz/fuzz.h"

namespace markup = incident::markup;
using incident::fuzz::check;

namespace {

bool starts(std::string_view text, std::size_t at, std::string_view what) {
  return text.substr(at, what.size()) == what;
}

// Slack: `<` only opens a user mention, <@U…> or <@W…>.
bool slack_safe(std::string_view mrkdwn) {
  for (std::size_t at = mrkdwn.find('<'); at != std::string_view::npos;
       at = mrkdwn.find('<', at + 1)) {
    if (!starts(mrkdwn, at, "<@U") && !starts(mrkdwn, at, "<@W")) return false;
    std::size_t end = at + 3;
    while (end < mrkdwn.size() && ((mrkdwn[end] >= 'A' && mrkdwn[end] <= 'Z') ||
                                   (mrkdwn[end] >= '0' && mrkdwn[end] <= '9'))) {
      ++end;
    }
    if (end >= mrkdwn.size() || mrkdwn[end] != '>') return false;
  }
  return true;
}

// Matrix: the tags markup_matrix.cpp writes, and links only to matrix.to.
bool matrix_safe(std::string_view html) {
  static constexpr std::array<std::string_view, 30> kTags{"<p>",
                                                          "</p>",
                                                          "<br>",
                                                          "<ul>",
                                                          "</ul>",
                                                          "<ol>",
                                                          "<ol start=\"",
                                                          "</ol>",
                                                          "<li>",
                                                          "</li>",
                                                          "<code>",
                                                          "</code>",
                                                          "<strong>",
                                                          "</strong>",
                                                          "<em>",
                                                          "</em>",
                                                          "<h1>",
                                                          "</h1>",
                                                          "<h2>",
                                                          "</h2>",
                                                          "<h3>",
                                                          "</h3>",
                                                          "<h4>",
                                                          "</h4>",
                                                          "<h5>",
                                                          "</h5>",
                                                          "<h6>",
                                                          "</h6>",
                                                          "<a href=\"https://matrix.to/#/",
                                                          "</a>"};
  for (std::size_t at = html.find('<'); at != std::string_view::npos; at = html.find('<', at + 1)) {
    bool known = false;
    for (const auto tag : kTags) known = known || starts(html, at, tag);
    if (!known) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = incident::fuzz::text_of(data, size);
  // As bot Markdown: templates and the draft.
  check(slack_safe(markup::to_mrkdwn(input)), "Slack: only user mentions open with <");
  check(matrix_safe(markup::to_matrix(input).formatted_body), "Matrix: only the renderer's tags");
  (void)markup::to_markdown(input);
  (void)markup::to_commonmark(input);
  for (const auto& part : markup::split(input, 64)) check(part.size() <= 64 + 16, "split limit");
  // As a person's text.
  const std::string person = markup::literal(input);
  const std::string mrkdwn = markup::to_mrkdwn(person);
  check(mrkdwn.find('<') == std::string::npos && mrkdwn.find('>') == std::string::npos,
        "Slack: a person's text has no markup");
  const auto matrix = markup::to_matrix(person);
  check(matrix_safe(matrix.formatted_body), "Matrix: a person's text stays text");
  check(matrix.formatted_body.find("<a ") == std::string::npos,
        "Matrix: a person's text links nothing");
  check(matrix.mentioned.empty(), "Matrix: a person's text mentions nobody");
  (void)markup::plain(input);
  return 0;
}
