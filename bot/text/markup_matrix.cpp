// The Matrix rendering of bot Markdown: m.room.message content with `format`
// "org.matrix.custom.html" (spec "Client-Server API: m.room.message msgtypes").
#include <algorithm>
#include <deque>
#include <optional>

#include "bot/text/markup.h"
#include "bot/text/markup_spans.h"

namespace incident::markup {
namespace {

using namespace detail;

// --- Matrix ----------------------------------------------------------------------------------

void append_html_escaped(std::string& out, std::string_view text) {
  append_escaped(out, text, true);
}

std::string html_escaped(std::string_view text) {
  std::string out;
  append_html_escaped(out, text);
  return out;
}

// A matrix.to permalink (spec "Appendices: matrix.to navigation"): the id percent-encoded
// except for the characters an id reads well with.
std::string matrix_to(std::string_view id) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string url = "https://matrix.to/#/";
  for (char c : id) {
    if (is_alnum(c) || std::string_view("@:.-_~").find(c) != std::string_view::npos) {
      url += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      url += '%';
      url += kHex[b >> 4];
      url += kHex[b & 0xF];
    }
  }
  return url;
}

// One character of markup text, or a whole span (an "atom" inline markup cannot look into).
struct Token {
  char c = 0;
  const Segment* atom = nullptr;
};
using Line = std::vector<Token>;

class MatrixRenderer {
 public:
  MatrixText render(std::string_view text) {
    segments_ = segments(text);
    split_lines();
    std::size_t i = 0;
    while (i < lines_.size()) i = block(i);
    MatrixText out;
    out.body = to_markdown(text);
    out.formatted_body = std::move(html_);
    out.mentioned = std::move(mentioned_);
    return out;
  }

 private:
  void split_lines() {
    lines_.emplace_back();
    for (const auto& seg : segments_) {
      if (seg.kind == Kind::mention) {
        lines_.back().push_back({0, &seg});
        continue;
      }
      // A literal with line breaks becomes one atom per line, kept in `pieces_` (a deque, so
      // the atoms' addresses stay put as it grows).
      std::size_t start = 0;
      while (true) {
        const std::size_t nl = std::min(seg.text.find('\n', start), seg.text.size());
        if (seg.kind == Kind::markup) {
          for (std::size_t k = start; k < nl; ++k) lines_.back().push_back({seg.text[k], nullptr});
        } else if (nl > start) {
          pieces_.push_back({Kind::literal, seg.text.substr(start, nl - start)});
          lines_.back().push_back({0, &pieces_.back()});
        }
        if (nl == seg.text.size()) break;
        lines_.emplace_back();
        start = nl + 1;
      }
    }
  }

  static bool markup_starts(const Line& line, std::string_view prefix, std::size_t at = 0) {
    if (line.size() < at + prefix.size()) return false;
    for (std::size_t k = 0; k < prefix.size(); ++k) {
      if (line[at + k].atom != nullptr || line[at + k].c != prefix[k]) return false;
    }
    return true;
  }
  static bool blank(const Line& line) {
    return std::all_of(line.begin(), line.end(), [](const Token& t) {
      return t.atom == nullptr && (t.c == ' ' || t.c == '\t' || t.c == '\r');
    });
  }
  static int heading_level(const Line& line) {
    std::size_t n = 0;
    while (n < line.size() && n < 7 && line[n].atom == nullptr && line[n].c == '#') ++n;
    return n >= 1 && n <= 6 && n < line.size() && line[n].atom == nullptr && line[n].c == ' '
               ? static_cast<int>(n)
               : 0;
  }
  static std::size_t bullet(const Line& line) {
    if (markup_starts(line, "- ") || markup_starts(line, "* ")) return 2;
    if (markup_starts(line, "• ")) return std::string_view("• ").size();
    return 0;
  }
  // "12. " -> the number and the marker length.
  static std::optional<std::pair<long, std::size_t>> ordinal(const Line& line) {
    std::size_t n = 0;
    long value = 0;
    while (n < line.size() && n < 9 && line[n].atom == nullptr && line[n].c >= '0' &&
           line[n].c <= '9') {
      value = value * 10 + (line[n].c - '0');
      ++n;
    }
    if (n == 0 || !markup_starts(line, ". ", n)) return std::nullopt;
    return std::pair{value, n + 2};
  }

  std::size_t block(std::size_t i) {
    const Line& line = lines_[i];
    if (blank(line)) return i + 1;
    if (!html_.empty()) html_ += '\n';
    if (const int level = heading_level(line)) {
      const std::string tag = "h" + std::to_string(level);
      html_ += "<" + tag + ">" + inline_html(line, level + 1, line.size()) + "</" + tag + ">";
      return i + 1;
    }
    if (bullet(line) != 0) {
      html_ += "<ul>";
      for (; i < lines_.size() && bullet(lines_[i]) != 0; ++i) {
        html_ += "\n<li>" + inline_html(lines_[i], bullet(lines_[i]), lines_[i].size()) + "</li>";
      }
      html_ += "\n</ul>";
      return i;
    }
    if (const auto first = ordinal(line)) {
      html_ += first->first == 1 ? "<ol>" : "<ol start=\"" + std::to_string(first->first) + "\">";
      for (; i < lines_.size(); ++i) {
        const auto o = ordinal(lines_[i]);
        if (!o) break;
        html_ += "\n<li>" + inline_html(lines_[i], o->second, lines_[i].size()) + "</li>";
      }
      html_ += "\n</ol>";
      return i;
    }
    html_ += "<p>";
    bool first = true;
    for (; i < lines_.size(); ++i) {
      const Line& l = lines_[i];
      if (blank(l) || heading_level(l) != 0 || bullet(l) != 0 || ordinal(l)) break;
      if (!first) html_ += "<br>";
      html_ += inline_html(l, 0, l.size());
      first = false;
    }
    html_ += "</p>";
    return i;
  }

  std::string atom_html(const Segment& atom, bool pill) {
    if (atom.kind == Kind::mention && pill && is_matrix_id(atom.text)) {
      if (std::find(mentioned_.begin(), mentioned_.end(), atom.text) == mentioned_.end()) {
        mentioned_.push_back(atom.text);
      }
      return "<a href=\"" + html_escaped(matrix_to(atom.text)) + "\">" + html_escaped(atom.text) +
             "</a>";
    }
    return html_escaped(atom.kind == Kind::mention ? mention_text(atom.text) : atom.text);
  }

  static bool space_at(const Line& l, std::size_t k) {
    return l[k].atom == nullptr && (l[k].c == ' ' || l[k].c == '\t');
  }
  static bool word_at(const Line& l, std::size_t k) {
    return l[k].atom == nullptr && is_alnum(l[k].c);
  }

  // The closing delimiter for an emphasis run `delim` opened at `from`, or npos. Emphasis must
  // hug its text (`*x*`, not `* x *`) and `_` must not sit inside a word (snake_case stays).
  static std::size_t closing(const Line& l, std::size_t from, std::size_t end,
                             std::string_view delim) {
    const std::size_t open_end = from + delim.size();
    if (open_end >= end || space_at(l, open_end) || (from > 0 && word_at(l, from - 1))) {
      return std::string_view::npos;
    }
    for (std::size_t k = open_end + 1; k + delim.size() <= end; ++k) {
      bool match = true;
      for (std::size_t d = 0; d < delim.size(); ++d) {
        match = match && l[k + d].atom == nullptr && l[k + d].c == delim[d];
      }
      if (!match || space_at(l, k - 1)) continue;
      if (k + delim.size() < end && word_at(l, k + delim.size())) continue;
      return k;
    }
    return std::string_view::npos;
  }

  std::string inline_html(const Line& l, std::size_t begin, std::size_t end) {
    std::string out;
    for (std::size_t k = begin; k < end; ++k) {
      const Token& t = l[k];
      if (t.atom != nullptr) {
        out += atom_html(*t.atom, true);
        continue;
      }
      if (t.c == '`') {
        std::size_t j = k + 1;
        while (j < end && (l[j].atom != nullptr || l[j].c != '`')) ++j;
        if (j < end) {
          out += "<code>";
          for (std::size_t m = k + 1; m < j; ++m) {
            out += l[m].atom ? atom_html(*l[m].atom, false) : html_escaped(std::string(1, l[m].c));
          }
          out += "</code>";
          k = j;
          continue;
        }
      }
      if (t.c == '*' || t.c == '_') {
        const bool strong2 =
            t.c == '*' && k + 1 < end && l[k + 1].atom == nullptr && l[k + 1].c == '*';
        const std::string_view delim = strong2 ? "**" : (t.c == '*' ? "*" : "_");
        const std::size_t j = closing(l, k, end, delim);
        if (j != std::string_view::npos) {
          const char* tag = t.c == '*' ? "strong" : "em";
          out +=
              std::string("<") + tag + ">" + inline_html(l, k + delim.size(), j) + "</" + tag + ">";
          k = j + delim.size() - 1;
          continue;
        }
      }
      append_html_escaped(out, std::string_view(&t.c, 1));
    }
    return out;
  }

  std::vector<Segment> segments_;
  std::deque<Segment> pieces_;
  std::vector<Line> lines_;
  std::string html_;
  std::vector<std::string> mentioned_;
};

}  // namespace

MatrixText to_matrix(std::string_view text) {
  return MatrixRenderer{}.render(text);
}

}  // namespace incident::markup
