// Internals of bot Markdown shared by its renderers (markup.cpp, markup_matrix.cpp): the span
// delimiters and the split of a text into markup and spans. Not for use outside bot/markup*.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace incident::markup::detail {

// Span delimiters: U+E000 … U+E003 in UTF-8. Private-use code points never occur in anything the
// bot writes, and literal()/mention() strip them from what users write.
inline constexpr std::string_view kLiteralOpen = "\xEE\x80\x80";
inline constexpr std::string_view kLiteralClose = "\xEE\x80\x81";
inline constexpr std::string_view kMentionOpen = "\xEE\x80\x82";
inline constexpr std::string_view kMentionClose = "\xEE\x80\x83";
inline constexpr std::size_t kSentinelBytes = 3;

struct CodePoint {
  char32_t value = 0;
  std::size_t length = 1;
  bool valid = false;
};
// One UTF-8 code point at `i`; invalid or truncated sequences give valid == false, length 1.
CodePoint decode(std::string_view s, std::size_t i);

enum class Kind { markup, literal, mention };
struct Segment {
  Kind kind = Kind::markup;
  std::string text;
};

// Which delimiter (0…3 for U+E000…U+E003, -1 for another code point of the reserved block
// U+E004…U+E00F) starts at `i`, if any.
std::optional<int> sentinel_at(std::string_view s, std::size_t i);

// Splits bot Markdown into markup text and spans. Unbalanced or stray delimiters are dropped,
// so a damaged text still renders, just without that span.
std::vector<Segment> segments(std::string_view text);

bool is_alnum(char c);  // ASCII letters and digits
// Slack user ids: U… or W… (Enterprise Grid), upper-case letters and digits.
bool is_slack_id(std::string_view s);
// Matrix user ids, spec "Appendices: User Identifiers": @localpart:server_name.
bool is_matrix_id(std::string_view s);
// How a mention reads where the platform has no mention syntax of its own: "<@U123>" for a
// Slack id, else as given.
std::string mention_text(const std::string& mention);

// Appends `text` with & < > as entities — all Slack's mrkdwn asks ("Formatting text:
// escaping") — and, with `quotes`, " and ' too, for HTML attribute values (Matrix).
void append_escaped(std::string& out, std::string_view text, bool quotes);

}  // namespace incident::markup::detail
