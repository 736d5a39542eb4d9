#include "bot/text/markup.h"

#include <algorithm>

#include "bot/text/markup_spans.h"

namespace incident::markup {
namespace detail {

// --- UTF-8 -----------------------------------------------------------------------------------

CodePoint decode(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t len = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return {};
  }
  if (i + len > s.size()) return {};
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {};
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid UTF-8 (RFC 3629 §3).
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {cp, len, true};
}

// --- spans -----------------------------------------------------------------------------------

std::optional<int> sentinel_at(std::string_view s, std::size_t i) {
  if (i + kSentinelBytes > s.size() || s[i] != '\xEE' || s[i + 1] != '\x80') return std::nullopt;
  const auto b = static_cast<unsigned char>(s[i + 2]);
  if (b < 0x80 || b > 0x8F) return std::nullopt;
  return b <= 0x83 ? static_cast<int>(b - 0x80) : -1;
}

std::vector<Segment> segments(std::string_view text) {
  std::vector<Segment> out;
  Segment current;
  int close = -1;  // the delimiter that ends the current span
  auto flush = [&](Kind next) {
    if (!current.text.empty()) out.push_back(std::move(current));
    current = Segment{next, {}};
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto s = sentinel_at(text, i);
    if (!s) {
      current.text += text[i++];
      continue;
    }
    i += kSentinelBytes;
    if (current.kind == Kind::markup && (*s == 0 || *s == 2)) {
      flush(*s == 0 ? Kind::literal : Kind::mention);
      close = *s + 1;
    } else if (current.kind != Kind::markup && *s == close) {
      flush(Kind::markup);
    }
  }
  if (!current.text.empty()) out.push_back(std::move(current));
  return out;
}

namespace {
bool is_upper_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
}  // namespace

bool is_alnum(char c) {
  return is_upper_alnum(c) || (c >= 'a' && c <= 'z');
}

bool is_slack_id(std::string_view s) {
  return s.size() >= 2 && (s[0] == 'U' || s[0] == 'W') &&
         std::all_of(s.begin(), s.end(), is_upper_alnum);
}

// Historical localparts allow a little more than today's [a-z0-9._=-/+]; anything else is not
// a pill.
bool is_matrix_id(std::string_view s) {
  const std::size_t colon = s.find(':');
  if (s.size() < 4 || s[0] != '@' || colon == std::string_view::npos || colon < 2 ||
      colon + 1 == s.size()) {
    return false;
  }
  const auto local = s.substr(1, colon - 1);
  const auto server = s.substr(colon + 1);
  return std::all_of(local.begin(), local.end(),
                     [](char c) {
                       return is_alnum(c) ||
                              std::string_view("._=-/+").find(c) != std::string_view::npos;
                     }) &&
         std::all_of(server.begin(), server.end(), [](char c) {
           return is_alnum(c) || std::string_view(".-:[]").find(c) != std::string_view::npos;
         });
}

std::string mention_text(const std::string& m) {
  return is_slack_id(m) ? "<@" + m + ">" : m;
}

void append_escaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += quotes ? "&quot;" : "\"";
        break;
      case '\'':
        out += quotes ? "&#39;" : "'";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace detail

namespace {

using namespace detail;

bool is_sentinel(char32_t cp) {
  return cp >= 0xE000 && cp <= 0xE00F;
}

// Characters that change how the surrounding text reads without being visible.
bool is_invisible_control(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200B ||
         cp == 0x2060 || cp == 0xFEFF || (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F;
}

// User text made safe to wrap: valid UTF-8 (invalid bytes become U+FFFD, as JSON encoders for
// both platforms require valid UTF-8), no sentinels, no bidi or zero-width tricks.
std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint cp = decode(text, i);
    if (!cp.valid) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (!is_sentinel(cp.value) && !is_invisible_control(cp.value)) {
      out.append(text.substr(i, cp.length));
    }
    i += cp.length;
  }
  return out;
}

// --- Slack -----------------------------------------------------------------------------------

// Slack "Formatting text: escaping": exactly & < >.
void append_slack_escaped(std::string& out, std::string_view text) {
  append_escaped(out, text, false);
}

}  // namespace

std::string literal(std::string_view user_text) {
  std::string out(kLiteralOpen);
  out += sanitize(user_text);
  out += kLiteralClose;
  return out;
}

std::string mention(std::string_view user) {
  std::string id = sanitize(user);
  const auto b = id.find_first_not_of(" \t\n");
  const auto e = id.find_last_not_of(" \t\n");
  id = b == std::string::npos ? std::string{} : id.substr(b, e - b + 1);
  // Slack's own mention syntax, "<@U123>" or "<@U123|dana>", carries the id we need.
  if (id.size() > 3 && id.rfind("<@", 0) == 0 && id.back() == '>') {
    id = id.substr(2, std::min(id.find('|'), id.size() - 1) - 2);
  }
  std::string out(kMentionOpen);
  out += id;
  out += kMentionClose;
  return out;
}

std::string to_markdown(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const auto& seg : segments(text)) {
    out += seg.kind == Kind::mention ? mention_text(seg.text) : seg.text;
  }
  return out;
}

namespace {

void append_commonmark_escaped(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool line_start = out.empty() || out.back() == '\n';
    switch (c) {
      case '&':
        out += "&amp;";
        continue;
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += line_start ? "\\&gt;" : "&gt;";
        continue;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
      case '~':
        out += '\\';
        out += c;
        continue;
      default:
        break;
    }
    if (line_start && (c == '#' || c == '+' || c == '-' || c == '=')) {
      out += '\\';
      out += c;
      continue;
    }
    if (line_start && c >= '0' && c <= '9') {  // "1." or "1)" would start an ordered list
      std::size_t end = i;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
      out.append(text.substr(i, end - i));
      if (end < text.size() && (text[end] == '.' || text[end] == ')')) {
        out += '\\';
        out += text[end];
        ++end;
      }
      i = end - 1;
      continue;
    }
    out += c;
  }
}

}  // namespace

std::string to_commonmark(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const auto& seg : segments(text)) {
    if (seg.kind == Kind::markup) {
      out += seg.text;
    } else {
      append_commonmark_escaped(out, seg.kind == Kind::mention ? mention_text(seg.text) : seg.text);
    }
  }
  return out;
}

std::string plain(std::string_view user_text) {
  return sanitize(user_text);
}

std::string to_mrkdwn(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  bool line_start = true;
  bool heading = false;  // inside a `# Heading` line, rendered as *Heading*
  auto newline = [&] {
    if (heading) out += '*';
    heading = false;
    out += '\n';
    line_start = true;
  };
  for (const auto& seg : segments(text)) {
    if (seg.kind == Kind::mention) {
      if (is_slack_id(seg.text)) {
        out += "<@" + seg.text + ">";
      } else {
        append_slack_escaped(out, seg.text);
      }
      line_start = false;
      continue;
    }
    const std::string_view t = seg.text;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t[i] == '\n') {
        newline();
        continue;
      }
      if (seg.kind == Kind::markup) {
        if (line_start && t[i] == '#') {
          std::size_t n = i;
          while (n < t.size() && t[n] == '#') ++n;
          if (n - i <= 6 && n < t.size() && t[n] == ' ') {
            out += '*';
            heading = true;
            i = n;
            line_start = false;
            continue;
          }
        }
        if (t[i] == '*' && i + 1 < t.size() && t[i + 1] == '*') {
          out += '*';
          ++i;
          line_start = false;
          continue;
        }
      }
      append_slack_escaped(out, t.substr(i, 1));
      line_start = false;
    }
  }
  if (heading) out += '*';
  return out;
}

std::vector<std::string> split(std::string_view text, std::size_t max_bytes) {
  // Room for a span closed at a hard cut and reopened, plus one 4-byte character.
  max_bytes = std::max<std::size_t>(max_bytes, 4 * kSentinelBytes + 4);

  // Candidate cuts: starts of lines outside any span, ranked section > blank line > line.
  struct Cut {
    std::size_t at;
    int rank;
  };
  std::vector<Cut> cuts;
  bool in_span = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (const auto s = sentinel_at(text, i)) {
      if (*s == 0 || *s == 2) in_span = true;
      if (*s == 1 || *s == 3) in_span = false;
      i += kSentinelBytes - 1;
      continue;
    }
    if (in_span || text[i] != '\n' || i + 1 >= text.size()) continue;
    const std::size_t q = i + 1;
    const int rank = text[q] == '#'                                        ? 3
                     : (text[q] == '\n' || (i > 0 && text[i - 1] == '\n')) ? 2
                                                                           : 1;
    cuts.push_back({q, rank});
  }

  std::vector<std::string> parts;
  std::string reopen;  // the opener of a span cut in two, repeated at the start of the next part
  std::size_t pos = 0;
  auto push = [&](std::string part) {
    if (!part.empty()) parts.push_back(std::move(part));
  };
  while (pos < text.size()) {
    if (reopen.empty()) {
      while (pos < text.size() && text[pos] == '\n') ++pos;
      if (pos == text.size()) break;
    }
    const std::size_t budget = max_bytes - reopen.size();
    if (text.size() - pos <= budget) {
      std::string_view last = text.substr(pos);
      while (!last.empty() && last.back() == '\n') last.remove_suffix(1);
      push(reopen + std::string(last));
      break;
    }
    const std::size_t limit = pos + budget;
    const Cut* best = nullptr;
    for (const Cut& c : cuts) {
      if (c.at <= pos || c.at > limit) continue;
      if (best == nullptr || c.rank >= best->rank) best = &c;
    }
    if (best != nullptr) {
      std::string_view part = text.substr(pos, best->at - pos);
      while (!part.empty() && part.back() == '\n') part.remove_suffix(1);
      push(reopen + std::string(part));
      reopen.clear();
      pos = best->at;
      continue;
    }
    // No line end fits: cut inside the line at a character boundary, never inside a delimiter.
    std::size_t cut = limit - kSentinelBytes;
    while (cut > pos && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    if (cut == pos) cut = pos + decode(text, pos).length;
    int open = reopen.empty() ? -1 : (reopen == kLiteralOpen ? 0 : 2);
    for (std::size_t i = pos; i < cut; ++i) {
      if (const auto s = sentinel_at(text, i)) {
        if (*s == 0 || *s == 2) open = *s;
        if (*s == 1 || *s == 3) open = -1;
        i += kSentinelBytes - 1;
      }
    }
    std::string part = reopen + std::string(text.substr(pos, cut - pos));
    if (open >= 0) part += open == 0 ? kLiteralClose : kMentionClose;
    push(std::move(part));
    reopen = open < 0 ? std::string{} : std::string(open == 0 ? kLiteralOpen : kMentionOpen);
    pos = cut;
  }
  return parts;
}

std::vector<std::string> split(std::string_view text, std::size_t max_rendered,
                               const RenderedSize& rendered_size) {
  // Parts this small are accepted as they are: no limit worth posting under is that tight.
  constexpr std::size_t kSmallest = 64;
  std::vector<std::string> parts;
  std::function<void(std::string_view)> place = [&](std::string_view part) {
    const std::size_t rendered = rendered_size(part);
    if (rendered <= max_rendered || part.size() <= kSmallest) {
      parts.emplace_back(part);
      return;
    }
    // Shrink in proportion to how much this part grew, with a margin, and try again.
    const std::size_t budget = std::max(kSmallest, part.size() * max_rendered / rendered * 9 / 10);
    for (const auto& piece : split(part, budget)) place(piece);
  };
  for (const auto& part : split(text, max_rendered)) place(part);
  return parts;
}

}  // namespace incident::markup
