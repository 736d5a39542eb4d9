// Markdown and plain-text structure, read in one pass over the lines (CommonMark's block rules,
// simplified: https://spec.commonmark.org/0.31.2/#blocks-and-inlines). Every step looks at one
// line or a bounded stretch of it, so the pass stays linear in the text.
#include "bot/blameless/document.h"

#include <algorithm>

namespace incident::blameless_detail {

namespace {

constexpr std::size_t kFrontMatterLines = 60;  // a YAML header longer than this is not one
constexpr std::size_t kLabelWords = 12;        // a template prompt is short

std::string_view trim_left(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

bool is_fence(std::string_view line) {
  const std::string_view t = trim_left(line);
  return starts_with(t, "```") || starts_with(t, "~~~");
}

// "===" or "---" (spaces allowed): a setext underline, a thematic break or a table rule.
bool is_rule(std::string_view line, char c) {
  const std::string_view t = trim(line);
  if (t.size() < 2) return false;
  return std::all_of(t.begin(), t.end(), [c](char ch) { return ch == c || ch == ' '; });
}

bool is_table_separator(std::string_view line) {
  const std::string_view t = trim(line);
  if (t.size() < 3 || t.find('-') == std::string_view::npos) return false;
  return std::all_of(t.begin(), t.end(),
                     [](char ch) { return ch == '|' || ch == '-' || ch == ':' || ch == ' '; });
}

// The line without a list marker ("- ", "* ", "1. ", "2) ").
std::string_view list_body(std::string_view line) {
  std::string_view t = trim_left(line);
  if (t.size() >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ') {
    return trim_left(t.substr(2));
  }
  std::size_t d = 0;
  while (d < t.size() && d < 3 && t[d] >= '0' && t[d] <= '9') ++d;
  if (d > 0 && d + 1 < t.size() && (t[d] == '.' || t[d] == ')') && t[d + 1] == ' ') {
    return trim_left(t.substr(d + 2));
  }
  return t;
}

std::size_t words_in(std::string_view s) {
  std::size_t words = 0;
  bool in_word = false;
  for (char c : s) {
    const bool space = c == ' ' || c == '\t';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

// Blanks [from, to) of `prose` (newlines are kept, so lines stay lines).
void blank(std::string& prose, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to && i < prose.size(); ++i) {
    if (prose[i] != '\n') prose[i] = ' ';
  }
}

// Inline structure of one prose line: `code spans`, link targets, images, HTML tags and
// `package@version` pins.
void blank_inline(std::string& prose, std::size_t begin, std::size_t end) {
  std::size_t i = begin;
  std::size_t open_bracket = std::string::npos;
  while (i < end) {
    const char c = prose[i];
    if (c == '`') {
      std::size_t run = 0;
      while (i + run < end && prose[i + run] == '`') ++run;
      const std::string ticks(run, '`');
      const std::size_t close = prose.find(ticks, i + run);
      if (close == std::string::npos || close >= end) {
        i += run;
        continue;
      }
      blank(prose, i, close + run);
      i = close + run;
      continue;
    }
    if (c == '[') open_bracket = i;
    if (c == ']' && i + 1 < end && prose[i + 1] == '(') {
      const std::size_t close = prose.find(')', i + 2);
      if (close != std::string::npos && close < end) {
        blank(prose, i, close + 1);  // "](target)"; the link text stays
        if (open_bracket != std::string::npos) {
          const bool image = open_bracket > begin && prose[open_bracket - 1] == '!';
          if (image) {
            blank(prose, open_bracket - 1, i);
          } else {
            prose[open_bracket] = ' ';
          }
        }
        open_bracket = std::string::npos;
        i = close + 1;
        continue;
      }
    }
    // <tag …> and </tag>, but not Slack's <@U…>, <!here>, <#C…> or <https://…>.
    if (c == '<' && i + 1 < end &&
        ((prose[i + 1] >= 'a' && prose[i + 1] <= 'z') || prose[i + 1] == '/') &&
        prose.compare(i + 1, 4, "http") != 0) {
      const std::size_t close = prose.find('>', i + 1);
      if (close != std::string::npos && close < end && close - i < 200) {
        blank(prose, i, close + 1);
        i = close + 1;
        continue;
      }
    }
    // "name@1.2.3": a package pinned to a version, never a mention.
    if (c == '@' && i + 1 < end && prose[i + 1] >= '0' && prose[i + 1] <= '9') {
      std::size_t j = i + 1;
      while (j < end && prose[j] != ' ' && prose[j] != '\t' && prose[j] != ',' && prose[j] != ')') {
        ++j;
      }
      blank(prose, i, j);
      i = j;
      continue;
    }
    ++i;
  }
}

}  // namespace

LineKind DocumentView::kind_at(std::size_t offset) const {
  const auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  const std::size_t line =
      it == line_starts.begin() ? 0 : std::size_t(it - line_starts.begin()) - 1;
  return line < kinds.size() ? kinds[line] : LineKind::prose;
}

DocumentView read_document(std::string_view text) {
  DocumentView d;
  d.prose.assign(text);
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0;;) {
    d.line_starts.push_back(pos);
    const std::size_t nl = text.find('\n', pos);
    lines.push_back(
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  const std::size_t n = lines.size();
  d.kinds.assign(n, LineKind::prose);
  auto blank_line = [&](std::size_t k) {
    blank(d.prose, d.line_starts[k], d.line_starts[k] + lines[k].size());
    d.kinds[k] = LineKind::code;
  };

  std::size_t k = 0;
  // YAML front matter: "---" on the first line, closed by "---" or "..." soon after.
  if (n > 1 && trim(lines[0]) == "---") {
    for (std::size_t e = 1; e < n && e < kFrontMatterLines; ++e) {
      const std::string_view t = trim(lines[e]);
      if (t == "---" || t == "...") {
        for (std::size_t j = 0; j <= e; ++j) blank_line(j);
        k = e + 1;
        break;
      }
    }
  }
  for (; k < n; ++k) {
    const std::string_view line = lines[k];
    if (is_fence(line)) {
      // A fence is code only when it closes; a stray ``` in a chat message is not.
      std::size_t e = k + 1;
      while (e < n && !is_fence(lines[e])) ++e;
      if (e < n) {
        for (std::size_t j = k; j <= e; ++j) blank_line(j);
        k = e;
        continue;
      }
    }
    const std::string_view t = trim(line);
    if (t.empty()) continue;
    if (starts_with(t, "<!--")) {
      std::size_t e = k;
      while (e < n && lines[e].find("-->") == std::string_view::npos) ++e;
      if (e < n) {
        for (std::size_t j = k; j <= e; ++j) blank_line(j);
        k = e;
        continue;
      }
    }
    const std::size_t begin = d.line_starts[k];
    const std::size_t end = begin + line.size();
    if (is_table_separator(line) && t.find('|') != std::string_view::npos) {
      blank_line(k);
      continue;
    }
    if (t[0] == '|') {
      d.kinds[k] = LineKind::table;
    } else if (t[0] == '#' || (k + 1 < n && (is_rule(lines[k + 1], '=') ||
                                             (is_rule(lines[k + 1], '-') && t[0] != '-')))) {
      d.kinds[k] = LineKind::heading;
    } else if (starts_with(t, "**") && t.size() > 4 && t.substr(t.size() - 2) == "**" &&
               t.find("**", 2) == t.size() - 2) {
      d.kinds[k] = LineKind::heading;
    } else if (is_rule(line, '=') || is_rule(line, '-')) {
      continue;
    } else if (n >= 3) {
      // A short line ending in ':' or '?' that stands alone (its own paragraph or list item):
      // a template's prompt, "What went wrong?", "Time to detection:".
      const std::string_view body = list_body(t);
      const char last = body.empty() ? ' ' : body.back();
      const bool list_item = body.size() != t.size();
      const bool own_line =
          list_item || k == 0 || trim(lines[k - 1]).empty() || d.kinds[k - 1] != LineKind::prose;
      if ((last == ':' || last == '?') && words_in(body) <= kLabelWords && own_line) {
        d.kinds[k] = LineKind::label;
      }
    }
    // A line starting with "[x]: https://…" defines a link target.
    if (t[0] == '[' && t.find("]: ") != std::string_view::npos && t.find("]: ") < t.find(' ')) {
      blank_line(k);
      continue;
    }
    blank_inline(d.prose, begin, end);
  }
  return d;
}

}  // namespace incident::blameless_detail
