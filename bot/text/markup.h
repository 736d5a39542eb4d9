// "Bot Markdown": the one document model behind every reply and the draft. Templates in
// prompts/ produce a small Markdown subset (headings `#`/`##`, paragraphs, `- ` / `• ` / `1. `
// list lines, `**bold**`, `*bold*`, `_italic_`, `` `code` ``); every value that came from a
// person is wrapped as a literal span and every mention as a mention span. Each platform then
// renders the same text with exact escaping: user text can never become markup, a link, a
// broadcast (`<!channel>`) or a mention.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace incident::markup {

// Wraps user-supplied text so renderers treat it as plain text. Private-use code points delimit
// spans (U+E000…U+E001 a literal, U+E002…U+E003 a mention); every code point of U+E000…U+E00F
// is stripped from the user text first, so user text can neither open nor close a span. Bidi
// controls (U+202A…U+202E, U+2066…U+2069) and invisible zero-width characters (U+200B, U+2060,
// U+FEFF) are dropped too: they could make a quoted fact read differently from what it says.
// Usable as an `Escaper` (Settings::escape).
std::string literal(std::string_view user_text);
// A mention of a platform user: a Slack id ("U123", "<@U123>", "<@U123|dana>"), a Matrix id
// ("@dana:example.org"), a plain "@dana", or a team name ("payments-team").
std::string mention(std::string_view user);

// Console and export: Markdown with the spans unwrapped (mentions as "@user" / "<@U123>" as
// given; a Slack id "U123" shows as "<@U123>").
std::string to_markdown(std::string_view text);
// Markdown for a document that leaves the bot (`export`, pasted into a wiki): like to_markdown,
// but user text is escaped for CommonMark and GitHub Markdown: `&`, `<`, `>` as entities (no raw
// HTML), `\` `` ` `` `*` `_` `[` `]` `|` `~` backslash-escaped anywhere (no emphasis, code, links,
// tables), and `#` `+` `-` `=` `>` and `1.` escaped at a line start (no headings or lists).
std::string to_commonmark(std::string_view text);

// User text as plain data (JSON export): valid UTF-8, with the span sentinels, bidi controls and
// zero-width characters dropped as literal() drops them.
std::string plain(std::string_view user_text);

// Slack mrkdwn: `&`, `<`, `>` escaped in all text, so no text can become `<!channel>`, a user
// mention or a link; `**x**` and `# Heading` become `*x*` / `*Heading*`; mentions of Slack user
// ids (U…/W…) become `<@U123>`, any other mention plain text. Post it without `link_names`, or
// Slack would turn a plain "@channel" into a broadcast again.
std::string to_mrkdwn(std::string_view text);

// Matrix m.room.message content: a plain `body` and an HTML `formatted_body` in the spec's
// allowed subset with every user string escaped; `mentioned` lists the Matrix user ids
// mentioned (for m.mentions).
struct MatrixText {
  std::string body;
  std::string formatted_body;
  std::vector<std::string> mentioned;
};
MatrixText to_matrix(std::string_view text);

// Splits a long text into parts of at most `max_bytes` bytes of bot Markdown each: at section
// boundaries (a line starting with `#`) first, then at blank lines, then at line ends, never
// inside a UTF-8 sequence; a span too long for one part is closed at the cut and reopened in the
// next, so every piece of user text stays literal.
std::vector<std::string> split(std::string_view text, std::size_t max_bytes);

// The same, for a limit on the *rendered* size: escaping can make a part several times longer
// (`<` is `&lt;` on Slack, `"` is `&quot;` in HTML), so a part that renders longer than
// `max_rendered` is split again until every part fits. For example:
//   split(text, 40000, [](std::string_view p) { return to_mrkdwn(p).size(); })   // Slack
using RenderedSize = std::function<std::size_t(std::string_view part)>;
std::vector<std::string> split(std::string_view text, std::size_t max_rendered,
                               const RenderedSize& rendered_size);

}  // namespace incident::markup
