#include "bot/blameless/tokens.h"

#include <algorithm>
#include <unordered_map>

namespace incident::blameless_detail {

namespace {

// One code point of UTF-8 at `i`; an invalid or truncated sequence counts as one byte (U+FFFD),
// so any input is walked byte-safely.
struct CodePoint {
  char32_t value = 0;
  std::size_t size = 1;
};

CodePoint decode(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {b0, 1};
  std::size_t size = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    size = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    size = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    size = 4;
    cp = b0 & 0x07;
  } else {
    return {0xFFFD, 1};
  }
  if (i + size > s.size()) return {0xFFFD, 1};
  for (std::size_t k = 1; k < size; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {0xFFFD, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, size};
}

enum class Class { space, newline, letter, digit, apostrophe, hyphen, dot, at, punct, symbol };

Class classify(char32_t c) {
  if (c == '\n') return Class::newline;
  if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 ||
      (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x3000) {
    return Class::space;
  }
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return Class::letter;
  if (c >= '0' && c <= '9') return Class::digit;
  if (c == '\'' || c == 0x2019 || c == 0x2018) return Class::apostrophe;
  if (c == '-') return Class::hyphen;
  if (c == '.') return Class::dot;
  if (c == '@') return Class::at;
  if (c < 0x80) return Class::punct;
  if (c == 0x2013 || c == 0x2014 || c == 0x2026) return Class::punct;  // dashes, ellipsis
  // Emoji, arrows, general punctuation, the private-use span delimiters of bot markup: they
  // separate words but carry no grammar the rules need.
  if ((c >= 0xA1 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2010 && c <= 0x2BFF) ||
      (c >= 0x3000 && c <= 0x303F) || (c >= 0xE000 && c <= 0xF8FF) ||
      (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0x1F000 && c <= 0x1FAFF) || c == 0xFFFD) {
    return Class::symbol;
  }
  return Class::letter;  // letters of other scripts: José, Zoë, Дана
}

Class class_at(std::string_view s, std::size_t i) {
  return i < s.size() ? classify(decode(s, i).value) : Class::space;
}

bool is_word_class(Class c) {
  return c == Class::letter || c == Class::digit;
}

bool starts_with_ci(std::string_view s, std::size_t i, std::string_view prefix) {
  if (s.size() - i < prefix.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    char c = s[i + k];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[k]) return false;
  }
  return true;
}

// The token's normal form: folded like names are (fold_name), so "Zoë", "ZOË" and the
// decomposed "Zoe" + U+0308 are all "zoe"; invalid bytes stay as they are.
std::string normalise(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const CodePoint cp = decode(s, i);
    if (cp.value == 0x2019 || cp.value == 0x2018) {
      out += '\'';
    } else if (cp.value == 0xFFFD && cp.size == 1) {
      out += s[i];
    } else {
      fold_code_point(cp.value, out);
    }
    i += cp.size;
  }
  return out;
}

// "it's", "he's", "that's" are contractions, not possessives.
bool is_contraction_stem(std::string_view stem) {
  static constexpr std::string_view stems[] = {
      "it",  "he",   "she",  "that", "who", "what",       "there",   "here",      "where",   "let",
      "how", "this", "when", "why",  "one", "everything", "nothing", "something", "everyone"};
  return std::find(std::begin(stems), std::end(stems), stem) != std::end(stems);
}

bool is_abbreviation(std::string_view w) {
  static constexpr std::string_view abbreviations[] = {"e.g", "i.e", "etc",  "vs", "approx",
                                                       "mr",  "mrs", "ms",   "dr", "cf",
                                                       "eg",  "ie",  "incl", "min"};
  return std::find(std::begin(abbreviations), std::end(abbreviations), w) !=
         std::end(abbreviations);
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {
    out_.tokens.reserve(text.size() / 5 + 1);  // about one token per five bytes of prose
  }

  Tokens run() {
    std::size_t i = 0;
    while (i < text_.size()) {
      const CodePoint cp = decode(text_, i);
      const Class c = classify(cp.value);
      if (c == Class::newline) {
        if (line_ends_sentence(i)) end_sentence();
        line_first_ = true;
        ++i;
      } else if (c == Class::space || c == Class::symbol) {
        i += cp.size;
      } else if (line_first_ && is_line_marker(i)) {
        ++i;  // "- ", "* ", "> ": the item or quote starts after it ("- Who approved …?")
      } else {
        if (line_first_) {
          line_starts_heading_ = text_[i] == '#' || text_[i] == '|';
          line_is_table_ = text_[i] == '|';
          line_first_ = false;
        }
        i = token_at(i, cp, c);
      }
    }
    end_sentence();
    return std::move(out_);
  }

 private:
  // A list marker or a quote marker opening a line: structure, not a word of the sentence.
  bool is_line_marker(std::size_t i) const {
    const char c = text_[i];
    if (c != '-' && c != '*' && c != '+' && c != '>') return false;
    return i + 1 >= text_.size() || text_[i + 1] == ' ' || text_[i + 1] == '\t' ||
           (c == '>' && text_[i + 1] != '\n');
  }

  // A single newline inside hard-wrapped prose does not end a sentence; a blank line, a list
  // item, a heading, a quote, a table row or a line starting with a time or number does.
  bool line_ends_sentence(std::size_t newline) const {
    if (line_starts_heading_) return true;
    std::size_t j = newline + 1;
    while (j < text_.size() && (text_[j] == ' ' || text_[j] == '\t' || text_[j] == '\r')) ++j;
    if (j >= text_.size()) return true;
    const char c = text_[j];
    if (c == '\n' || c == '-' || c == '*' || c == '+' || c == '>' || c == '#' || c == '|' ||
        (c >= '0' && c <= '9')) {
      return true;
    }
    return starts_with_ci(text_, j, "\xE2\x80\xA2");  // •
  }

  std::size_t token_at(std::size_t i, CodePoint cp, Class c) {
    if (text_[i] == '<' && i + 1 < text_.size() && (text_[i + 1] == '@' || text_[i + 1] == '!')) {
      if (const std::size_t end = slack_mention_end(i); end != 0) {
        Token t = make(Token::Type::mention, i, end - i);
        t.broadcast = text_[i + 1] == '!';
        return push_mention(std::move(t));
      }
    }
    if (starts_with_ci(text_, i, "https://") || starts_with_ci(text_, i, "http://")) {
      return url_at(i);
    }
    if (c == Class::at && (i == 0 || !is_word_class(class_before(i)))) {
      if (const std::size_t end = at_mention_end(i); end != 0) {
        Token t = make(Token::Type::mention, i, end - i);
        t.broadcast = t.norm == "@here" || t.norm == "@channel" || t.norm == "@everyone" ||
                      t.norm == "@all" || t.norm == "@room";
        return push_mention(std::move(t));
      }
    }
    if (is_word_class(c)) return word_at(i);
    return punct_at(i, cp);
  }

  // A straight or curly double quote right before i / at i.
  bool quote_before(std::size_t i) const {
    if (i >= 1 && text_[i - 1] == '"') return true;
    return i >= 3 && (starts_with_ci(text_, i - 3, "\xE2\x80\x9C") ||
                      starts_with_ci(text_, i - 3, "\xE2\x80\x9D"));
  }
  bool quote_at(std::size_t j) const {
    if (j < text_.size() && text_[j] == '"') return true;
    return starts_with_ci(text_, j, "\xE2\x80\x9D") || starts_with_ci(text_, j, "\xE2\x80\x9C");
  }

  Class class_before(std::size_t i) const {
    std::size_t j = i;
    do {
      --j;
    } while (j > 0 && (static_cast<unsigned char>(text_[j]) & 0xC0) == 0x80);
    return classify(decode(text_, j).value);
  }

  // <@U123>, <@U123|dana>, <!channel>: Slack's mention syntax; the label may hold spaces.
  std::size_t slack_mention_end(std::size_t i) const {
    const std::size_t limit = std::min(text_.size(), i + 256);
    for (std::size_t j = i + 2; j < limit; ++j) {
      if (text_[j] == '>') return j > i + 2 ? j + 1 : 0;
      if (text_[j] == '\n' || text_[j] == '<') return 0;
    }
    return 0;
  }

  // @dana, @dana.s, and Matrix ids @dana:example.org(:8448).
  std::size_t at_mention_end(std::size_t i) const {
    auto local = [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '.' || ch == '_' || ch == '=' || ch == '-' || ch == '/' || ch == '+';
    };
    auto host = [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '.' || ch == '-';
    };
    std::size_t j = i + 1;
    while (j < text_.size() && local(text_[j])) ++j;
    while (j > i + 1 && (text_[j - 1] == '.' || text_[j - 1] == '-' || text_[j - 1] == '/')) --j;
    if (j == i + 1) return 0;
    if (j + 1 < text_.size() && text_[j] == ':' && host(text_[j + 1]) && text_[j + 1] != '.') {
      std::size_t k = j + 1;
      while (k < text_.size() && host(text_[k])) ++k;
      if (k + 1 < text_.size() && text_[k] == ':' && text_[k + 1] >= '0' && text_[k + 1] <= '9') {
        ++k;
        while (k < text_.size() && text_[k] >= '0' && text_[k] <= '9') ++k;
      }
      while (text_[k - 1] == '.' || text_[k - 1] == '-') --k;
      // "@dana: please look" is a mention followed by a colon, not a server.
      if (text_.substr(j + 1, k - j - 1).find('.') != std::string_view::npos) j = k;
    }
    return j;
  }

  std::size_t url_at(std::size_t i) {
    std::size_t j = i;
    while (j < text_.size()) {
      const char ch = text_[j];
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '<' || ch == '>' ||
          ch == '"' || ch == '|' || ch == '`') {
        break;
      }
      ++j;
    }
    while (j > i && std::string_view(".,;:!?)'").find(text_[j - 1]) != std::string_view::npos) {
      --j;
    }
    const std::string_view url = text_.substr(i, j - i);
    // https://matrix.to/#/@dana:example.org is Matrix's permalink to a user.
    const bool person = url.find("matrix.to/#/@") != std::string_view::npos;
    Token t = make(person ? Token::Type::mention : Token::Type::url, i, j - i);
    out_.tokens.push_back(std::move(t));
    mark_start();
    return j;
  }

  std::size_t push_mention(Token t) {
    std::size_t end = t.offset + t.length;
    // "@dana's change": the possessive belongs to the mention.
    if (end < text_.size() && class_at(text_, end) == Class::apostrophe) {
      const std::size_t s = end + decode(text_, end).size;
      if (s < text_.size() && (text_[s] == 's' || text_[s] == 'S') &&
          !is_word_class(class_at(text_, s + 1))) {
        t.possessive = true;
        t.length = s + 1 - t.offset;
        end = s + 1;
      }
    }
    out_.tokens.push_back(std::move(t));
    mark_start();
    return end;
  }

  std::size_t word_at(std::size_t i) {
    std::size_t j = i;
    while (j < text_.size()) {
      const CodePoint cp = decode(text_, j);
      const Class c = classify(cp.value);
      if (is_word_class(c)) {
        j += cp.size;
        continue;
      }
      // Joiners stay inside a word when a letter or digit follows: don't, on-call, 12.5, e.g.
      const bool joiner =
          c == Class::apostrophe || c == Class::hyphen || c == Class::dot || c == Class::at;
      if (joiner && is_word_class(class_at(text_, j + cp.size))) {
        j += cp.size;
        continue;
      }
      break;
    }
    const bool digit_first = text_[i] >= '0' && text_[i] <= '9';
    Token t = make(digit_first ? Token::Type::number : Token::Type::word, i, j - i);
    t.quoted = quote_before(i) && quote_at(j);
    // Rules read the judging word a hurried typo stands for: "his rollout was carless".
    if (const std::string_view fixed = corrected_blame_word(t.norm); !fixed.empty()) {
      t.norm.assign(fixed);
    }
    if (t.norm.size() > 2 && t.norm.compare(t.norm.size() - 2, 2, "'s") == 0 &&
        !is_contraction_stem(std::string_view(t.norm).substr(0, t.norm.size() - 2))) {
      t.possessive = true;
      t.norm.resize(t.norm.size() - 2);
      t.stem_length = t.length - (text_[j - 2] == '\'' ? 2 : 4);  // ' is 1 byte, ’ is 3
    } else if (j < text_.size() && t.norm.back() == 's' &&
               class_at(text_, j) == Class::apostrophe &&
               !is_word_class(class_at(text_, j + decode(text_, j).size))) {
      t.possessive = true;  // plural possessive: "the engineers' laptops"
      t.length += decode(text_, j).size;
      j += decode(text_, j).size;
    }
    out_.tokens.push_back(std::move(t));
    mark_start();
    return j;
  }

  std::size_t punct_at(std::size_t i, CodePoint cp) {
    const char ch = cp.size == 1 ? text_[i] : '-';
    const bool ends = ch == '!' || ch == '?' || cp.value == 0x2026 ||
                      (ch == '.' && !(out_.tokens.size() > sentence_begin_ &&
                                      is_abbreviation(out_.tokens.back().norm)));
    // A table row's cells are read one by one: "| 14:02 | Dana | rolled back |".
    if (ends || (ch == '|' && line_is_table_)) {
      end_sentence();
      return i + cp.size;
    }
    // Quotes and emphasis markers are transparent: they do not split a clause.
    if (std::string_view("\"`*_#~^+=\\/[]{}").find(ch) != std::string_view::npos ||
        cp.value == 0x201C || cp.value == 0x201D) {
      return i + cp.size;
    }
    Token t = make(Token::Type::punct, i, cp.size);
    if (ch == '&') {
      t.type = Token::Type::word;
      t.norm = "and";
    } else {
      t.norm.assign(1, ch);
    }
    out_.tokens.push_back(std::move(t));
    return i + cp.size;
  }

  Token make(Token::Type type, std::size_t offset, std::size_t length) const {
    Token t;
    t.type = type;
    t.offset = offset;
    t.length = length;
    t.stem_length = length;
    const std::string_view raw = text_.substr(offset, length);
    t.norm = normalise(raw);
    t.capitalised = is_upper_letter(decode(raw, 0).value);
    std::size_t letters = 0;
    std::size_t part_starts =
        0;  // capitals opening a part after '-' or '\'' ("Jean-Luc", "O'Neil")
    bool lower = false;
    char previous = 0;
    for (char ch : raw) {
      if (ch >= 'A' && ch <= 'Z') {
        ++letters;
        if (previous == '-' || previous == '\'') ++part_starts;
      }
      if (ch >= 'a' && ch <= 'z') lower = true;
      previous = ch;
    }
    // A capital inside a word marks a product or an identifier ("GitHub", "IaC"), not one that
    // opens a part of a two-part name.
    t.inner_capital = letters - (lower ? part_starts : 0) > (t.capitalised ? 1u : 0u);
    t.all_caps = letters >= 2 && !lower;
    return t;
  }

  void mark_start() {
    if (!start_marked_) {
      out_.tokens.back().sentence_start = true;
      start_marked_ = true;
    }
  }

  void end_sentence() {
    if (out_.tokens.size() > sentence_begin_) {
      out_.sentences.push_back({sentence_begin_, out_.tokens.size()});
    }
    sentence_begin_ = out_.tokens.size();
    start_marked_ = false;
  }

  std::string_view text_;
  Tokens out_;
  std::size_t sentence_begin_ = 0;
  bool start_marked_ = false;
  bool line_first_ = true;
  bool line_starts_heading_ = false;
  bool line_is_table_ = false;
};

using NameIndex = std::unordered_map<std::string, std::vector<std::vector<std::string>>>;

NameIndex index_names(const People& people) {
  NameIndex index;
  for (const std::string& name : people.names) {
    const Tokens parts = tokenize(name);
    std::vector<std::string> words;
    for (const Token& t : parts.tokens) {
      if (t.type == Token::Type::word || t.type == Token::Type::number) words.push_back(t.norm);
    }
    if (words.empty() || words.size() != parts.tokens.size()) continue;  // mentions mark themselves
    index[words.front()].push_back(std::move(words));
  }
  for (auto& [first, names] : index) {
    std::sort(names.begin(), names.end(),
              [](const auto& a, const auto& b) { return a.size() > b.size(); });
  }
  return index;
}

// Words after a sentence-initial name that show it is the subject: "Frank is to blame",
// "Mark clearly wasn't thinking" (but not "Mark the incident resolved", "Will this work?").
bool starts_clause_as_subject(const std::vector<Token>& ts, std::size_t i, std::size_t end) {
  std::size_t k = i + 1;
  while (k < end && is_skippable(ts[k].norm) && !is_negation(ts[k].norm)) ++k;
  if (k >= end) return false;
  static constexpr std::string_view verbs[] = {
      "is",     "was",    "has",    "had",   "did",    "didn't", "didnt",
      "forgot", "should", "wasn't", "isn't", "hasn't", "never",  "can't",
      "cant",   "keeps",  "always", "just",  "said",   "says",   "will"};
  const std::string_view w = ts[k].norm;
  if (std::find(std::begin(verbs), std::end(verbs), w) != std::end(verbs)) return true;
  return w.size() > 3 && w.substr(w.size() - 2) == "ed";
}

// A name that is also an English word ("Will", "Rose", "Mark") counts only when capitalised
// mid-sentence, or at the start when a verb follows, so "the job will restart" and "error rate
// rose" stay unflagged.
bool name_case_ok(const std::vector<Token>& ts, std::size_t i, std::size_t end) {
  const Token& t = ts[i];
  if (!is_ambiguous_name(t.norm)) return true;
  if (!t.capitalised || t.all_caps) return false;
  return !t.sentence_start || starts_clause_as_subject(ts, i, end);
}

std::size_t known_name_span(const std::vector<Token>& tokens, std::size_t i, std::size_t end,
                            const NameIndex& index) {
  const auto it = index.find(tokens[i].norm);
  if (it == index.end()) return 0;
  for (const auto& words : it->second) {
    if (i + words.size() > end) continue;
    bool match = true;
    for (std::size_t k = 0; k < words.size() && match; ++k) {
      const Token& t = tokens[i + k];
      match = t.type != Token::Type::punct && t.norm == words[k] &&
              (k + 1 == words.size() || !t.possessive);
    }
    if (match && (words.size() > 1 || name_case_ok(tokens, i, end))) return words.size();
  }
  return 0;
}

// A month that reads as a name ("Jan", "May", "June", "August") is a date next to a number or
// after a time preposition: "Jan 29", "12 August", "in May", "since June".
bool is_date_word(const std::vector<Token>& ts, std::size_t i, const Sentence& s) {
  static constexpr std::string_view months[] = {
      "jan",  "january",   "feb",  "february", "mar",  "march",    "apr",    "april",
      "may",  "jun",       "june", "jul",      "july", "aug",      "august", "sep",
      "sept", "september", "oct",  "october",  "nov",  "november", "dec",    "december"};
  if (std::find(std::begin(months), std::end(months), ts[i].norm) == std::end(months)) {
    return false;
  }
  auto number = [&](std::size_t k) {
    return k >= s.begin && k < s.end && ts[k].type == Token::Type::number;
  };
  if (number(i + 1) || (i > s.begin && number(i - 1))) return true;
  if (i > s.begin) {
    static constexpr std::string_view before[] = {"in",   "of",   "since", "until",  "till",
                                                  "by",   "from", "early", "late",   "mid",
                                                  "last", "next", "this",  "during", "through"};
    const std::string_view w = ts[i - 1].norm;
    if (std::find(std::begin(before), std::end(before), w) != std::end(before)) return true;
  }
  return false;
}

// "@sre-oncall", "@payments-team", "@vendor-management", "@observability": a handle for a group
// or a rotation, addressing no one in particular (Slack user groups look like this).
bool is_group_handle(std::string_view norm) {
  if (norm.size() < 2 || norm[0] != '@' || norm.find(':') != std::string_view::npos) return false;
  static constexpr std::string_view parts[] = {"oncall", "on-call",  "team",  "ops",      "sre",
                                               "eng",    "support",  "infra", "platform", "devs",
                                               "squad",  "rotation", "leads", "admins"};
  if (norm.find('-') != std::string_view::npos) {
    for (std::string_view p : parts) {
      if (norm.find(p) != std::string_view::npos) return true;
    }
  }
  // Whole words of a handle that name a function, not a person.
  static constexpr std::string_view functions[] = {
      "oncall",        "sre",         "sres",       "security", "secops",    "appsec",
      "infosec",       "devops",      "ops",        "infra",    "platform",  "management",
      "observability", "network",     "networking", "database", "dba",       "dbas",
      "billing",       "payments",    "release",    "releases", "incident",  "incidents",
      "helpdesk",      "it",          "finance",    "legal",    "support",   "frontend",
      "backend",       "mobile",      "data",       "qa",       "leads",     "managers",
      "comms",         "engineering", "here",       "channel",  "everyone",  "all",
      "team",          "office",      "desk",       "tooling",  "board",     "committee",
      "council",       "hosting",     "monitoring", "alerting", "logging",   "marketing",
      "recruiting",    "onboarding",  "accounting", "testing",  "publishing"};
  std::string_view rest = norm.substr(1);
  const bool several = rest.find_first_of("-_") != std::string_view::npos;
  while (!rest.empty()) {
    const std::size_t cut = rest.find_first_of("-_.");
    const std::string_view part = rest.substr(0, cut);
    if (std::find(std::begin(functions), std::end(functions), part) != std::end(functions)) {
      return true;
    }
    // "@image-builders", "@schema-reviewers": people by what they do, in a compound; a single
    // word ending so may be a surname ("@rogers").
    if (several && part.size() > 5 && part.substr(part.size() - 3) == "ers") return true;
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + 1);
  }
  return false;
}

// "@acme/http-utils": a scoped package, not a mention.
bool is_scoped_package(std::string_view norm) {
  return norm.size() > 2 && norm[0] == '@' && norm.find('/') != std::string_view::npos;
}

// Products and services named like people ("Travis" the CI service): a person only when the
// incident knows someone by that name (People), never by the first-name list.
bool is_product_name(std::string_view w) {
  return w == "travis" || w == "jenkins" || w == "alexa" || w == "siri" || w == "cortana";
}

}  // namespace

char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& size) {
  const CodePoint cp = decode(s, i);
  size = cp.size;
  return cp.value;
}

Tokens tokenize(std::string_view text) {
  return Tokenizer(text).run();
}

void mark_people(Tokens& tokens, const People& people) {
  const NameIndex index = index_names(people);
  auto& ts = tokens.tokens;
  for (const Sentence& s : tokens.sentences) {
    for (std::size_t i = s.begin; i < s.end; ++i) {
      Token& t = ts[i];
      if (t.type == Token::Type::mention && is_scoped_package(t.norm)) continue;
      if (t.type == Token::Type::mention && is_group_handle(t.norm)) t.broadcast = true;
      if (t.type == Token::Type::mention) {
        if (!t.broadcast) t.person_span = 1;
        t.person = !t.broadcast;
        continue;
      }
      if (t.type != Token::Type::word) continue;
      if (const std::size_t span = known_name_span(ts, i, s.end, index); span > 0) {
        t.person_span = span;
        for (std::size_t k = i; k < i + span; ++k) ts[k].person = true;
        i += span - 1;
        continue;
      }
      if (t.all_caps || !is_first_name(t.norm) || !name_case_ok(ts, i, s.end)) continue;
      if (is_date_word(ts, i, s) || is_product_name(t.norm)) continue;
      t.person_span = 1;
      t.person = true;
      // "Bob Smith": a capitalised word after a first name is taken as the surname.
      if (!t.possessive && i + 1 < s.end) {
        const Token& next = ts[i + 1];
        if (next.type == Token::Type::word && next.capitalised && !next.all_caps &&
            !is_function_word(next.norm) && !is_system_noun(next.norm) &&
            !is_first_name(next.norm)) {
          t.person_span = 2;
          ts[++i].person = true;
        }
      }
    }
  }
}

}  // namespace incident::blameless_detail
