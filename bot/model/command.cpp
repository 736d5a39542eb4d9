// The command grammar. Text is UTF-8 and only ASCII bytes are ever inspected, compared
// case-insensitively or used as separators, so emoji and other multi-byte characters pass
// through untouched. Free text (titles, facts, resolutions) is sliced from the original message
// rather than rebuilt from tokens, so its inner spacing and characters survive as typed.
#include "bot/model/command.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

#include "bot/model/overloaded.h"

namespace incident {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A whitespace-separated word, remembering where it sits so free text can be sliced around it.
struct Token {
  std::string_view text;
  std::size_t begin = 0;  // offset in the tokenised text
  std::size_t end() const { return begin + text.size(); }
};

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) tokens.push_back(Token{s.substr(start, i - start), start});
  }
  return tokens;
}

// User input shortened for a reply, so a 100 KB paste does not come back whole; "…" marks the
// cut, which never lands inside a UTF-8 sequence.
std::string shortened(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::size_t cut = s.size();
  if (cut > kMax) {
    cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string out(s.substr(0, cut));
  if (cut < s.size()) out.append("…");
  return out;
}

// Quotes user input in an error message, shortened.
std::string quoted(std::string_view s) {
  return '"' + shortened(s) + '"';
}

std::string two_digits(long long v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02lld", v);
  return buf;
}

std::string clock_of(TimePoint t) {
  const auto tod = t - std::chrono::floor<days>(t);
  const auto mins = std::chrono::floor<minutes>(tod).count();
  return two_digits(mins / 60) + ":" + two_digits(mins % 60);
}

struct Usage {
  std::string_view word;
  std::string_view line;
};

constexpr std::array<Usage, 20> kUsages{{
    {"start", "start <title> [sev1..sev4] [private] [security] [new|here]"},
    {"log", "log [<time>] <fact>"},
    {"action", "action <text> [owner:<@user or team>] [due:YYYY-MM-DD]"},
    {"done", "done <n>"},
    {"severity", "severity sev1..sev4"},
    {"role", "role commander|comms|scribe <@user>"},
    {"status", "status [INC-<n>]"},
    {"close", "close [<resolution>]"},
    {"postmortem", "postmortem [INC-<n>]"},
    {"draft", "draft [INC-<n>]"},
    {"share", "share [INC-<n>] [confirm]"},
    {"publish", "publish [INC-<n>] [confirm]"},
    {"web", "web [INC-<n>]"},
    {"remind", "remind on|off"},
    {"milestone",
     "milestone <started|detected|mitigated|contained|eradicated|recovered|resolved> "
     "[<time>]"},
    {"type", "type security|standard"},
    {"notify", "notify <who> by <YYYY-MM-DD HH:MM> (UTC)"},
    {"notified", "notified <n>"},
    {"review", "review at <YYYY-MM-DD HH:MM> (UTC)"},
    {"help", "help"},
}};

// Builds failures for one command word, so every error carries that command's usage line.
struct Failer {
  std::string_view word;
  ParseResult operator()(std::string message) const {
    return ParseError{std::move(message), usage_of(word)};
  }
};

// "sev1".."sev4", also "SEV-2": what incident tools and people write.
std::optional<Severity> parse_severity(std::string_view token) {
  if (!istarts_with(token, "sev")) return std::nullopt;
  token.remove_prefix(3);
  if (!token.empty() && token.front() == '-') token.remove_prefix(1);
  if (token.size() != 1 || token[0] < '1' || token[0] > '4') return std::nullopt;
  return static_cast<Severity>(token[0] - '0');
}

// "sev0", "sev-7", "sev12": meant as a severity but out of range, worth an error of its own.
bool looks_like_severity(std::string_view token) {
  if (!istarts_with(token, "sev")) return false;
  token.remove_prefix(3);
  if (!token.empty() && token.front() == '-') token.remove_prefix(1);
  if (token.empty()) return false;
  for (char c : token) {
    if (!is_digit(c)) return false;
  }
  return true;
}

std::optional<Role> parse_role(std::string_view word) {
  if (iequals(word, "commander")) return Role::commander;
  if (iequals(word, "comms")) return Role::comms;
  if (iequals(word, "scribe")) return Role::scribe;
  return std::nullopt;
}

// ---- log: the optional leading time -------------------------------------------------------

// "14:05", "9:05", also "25:00" or "14:5": one or two digits, a colon, a digit. Such a token is
// meant as a time, so when it is not a valid one the user hears so instead of a silent fact.
bool looks_like_clock(std::string_view t) {
  std::size_t i = 0;
  while (i < t.size() && i < 2 && is_digit(t[i])) ++i;
  return i > 0 && i + 1 < t.size() && t[i] == ':' && is_digit(t[i + 1]);
}

bool looks_like_date(std::string_view t) {
  if (t.size() < 10) return false;
  for (std::size_t i = 0; i < 10; ++i) {
    const bool dash = i == 4 || i == 7;
    if (dash ? t[i] != '-' : !is_digit(t[i])) return false;
  }
  return true;
}

// H:MM or HH:MM, optionally :SS, 24-hour; the time of day it names.
std::optional<seconds> parse_clock(std::string_view t) {
  const std::size_t colon = t.find(':');
  if (colon == 0 || colon > 2) return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    if (pos + len > t.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (!is_digit(t[i])) return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  const auto h = number(0, colon);
  const auto m = number(colon + 1, 2);
  int s = 0;
  std::size_t end = colon + 3;
  if (end < t.size()) {
    if (t[end] != ':') return std::nullopt;
    const auto sec = number(end + 1, 2);
    if (!sec || *sec > 59) return std::nullopt;
    s = *sec;
    end += 3;
  }
  if (!h || !m || *h > 23 || *m > 59 || end != t.size()) return std::nullopt;
  return hours{*h} + minutes{*m} + seconds{s};
}

// Whether an ISO time string carries its own zone (after the date, any Z or sign).
bool has_zone(std::string_view iso) {
  return iso.substr(10).find_first_of("Zz+-") != std::string_view::npos;
}

// "log 14:05, failover done" / "log 14:05: …": the punctuation belongs to the sentence.
std::string_view without_trailing_punct(std::string_view t) {
  if (t.size() > 1 && (t.back() == ',' || t.back() == ':')) t.remove_suffix(1);
  return t;
}

// "2026-11-28T21:59Z": a time a `log` command accepts, as a hint.
std::string format_iso_minutes(TimePoint t) {
  std::string text = format_utc(t);  // "2026-11-28 21:59 UTC"
  text = text.substr(0, 16);
  text[10] = 'T';
  return text + "Z";
}

// Zero-width and bidi-control code points: a text of only these shows nothing.
bool is_invisible(char32_t cp) {
  return cp == 0x00AD || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

// The text's problem as a stored value of at most `limit` characters, or nothing.
std::optional<std::string> size_problem(std::string_view what, std::string_view text,
                                        std::size_t limit) {
  if (is_blank(text)) return "missing the " + std::string(what);
  const std::size_t n = count_characters(text);
  if (n <= limit) return std::nullopt;
  return "the " + std::string(what) + " is " + std::to_string(n) + " characters; the limit is " +
         std::to_string(limit) + " (summarise it, and link to the full text)";
}

const char* const kTimeHint = " (use HH:MM in UTC, or ISO-8601 like 2026-11-29T14:05Z)";

// The back-dated time `tokens` begin with, if any ("14:05", "2026-11-29 14:05", ISO-8601, each
// optionally followed by "UTC"), and how many tokens it took; a ParseError when it is not a
// valid time or lies in the future (command.h, parse_command).
struct LeadingTime {
  std::optional<TimePoint> at;
  std::size_t consumed = 0;
};
std::variant<LeadingTime, ParseResult> leading_time(const std::vector<Token>& tokens, TimePoint now,
                                                    const Failer& fail) {
  LeadingTime t;
  if (tokens.empty()) return t;
  bool zoned = false;
  const std::string_view first = without_trailing_punct(tokens[0].text);
  if (looks_like_clock(first)) {
    const auto tod = parse_clock(first);
    if (!tod) return fail(quoted(first) + " is not a valid time" + kTimeHint);
    const TimePoint today = std::chrono::floor<days>(now) + *tod;
    if (today <= now) {
      t.at = today;
    } else if (now - (today - days{1}) <= hours{12}) {
      t.at = today - days{1};  // "23:55" just after midnight: a few minutes ago, yesterday
    } else {
      // More than 12 hours back yesterday, or a slip: never guess which. Say how to give both.
      const TimePoint yesterday = today - days{1};
      return fail(std::string(first) + " is later than now (it is " + clock_of(now) +
                  " UTC); for " + format_duration(yesterday, now) +
                  " ago, give the date: " + format_iso_minutes(yesterday));
    }
    t.consumed = 1;
  } else if (looks_like_date(first)) {
    std::string iso;
    if (first.size() > 10 && (first[10] == 'T' || first[10] == 't')) {
      iso = first;
      t.consumed = 1;
    } else if (first.size() == 10 && tokens.size() > 1 && looks_like_clock(tokens[1].text)) {
      iso = std::string(first) + " " + std::string(without_trailing_punct(tokens[1].text));
      t.consumed = 2;
    }
    // A bare date followed by words ("2026-11-29 release tagged") names no time: plain fact.
    if (t.consumed > 0) {
      t.at = parse_iso8601(iso);
      if (!t.at) return fail(quoted(iso) + " is not a valid time" + kTimeHint);
      if (*t.at - now > seconds{60}) {
        return fail(iso + " is in the future (it is " + format_utc(now) + " now)");
      }
      zoned = has_zone(iso);
    }
  }
  // "log 14:05 UTC db failover": the zone word people copy from the bot's own replies.
  if (t.consumed > 0 && !zoned && t.consumed < tokens.size() &&
      iequals(tokens[t.consumed].text, "UTC")) {
    ++t.consumed;
  }
  return t;
}

ParseResult parse_log(std::string_view rest, TimePoint now, const Failer& fail) {
  const auto tokens = tokenize(rest);
  if (tokens.empty()) return fail("missing the fact to log");
  auto time = leading_time(tokens, now, fail);
  if (auto* error = std::get_if<ParseResult>(&time)) return std::move(*error);
  const auto [at, consumed] = std::get<LeadingTime>(time);
  if (consumed >= tokens.size()) return fail("missing the fact to log");
  const std::string_view fact = trim(rest.substr(tokens[consumed].begin));
  if (istarts_with(fact, "impact:") && is_blank(fact.substr(7))) {
    return fail("missing what users saw after impact:");
  }
  if (auto problem = size_problem("fact to log", fact, kTextLimit)) return fail(*problem);
  return Command{cmd::Log{std::string(fact), at}};
}

// `milestone detected [<time>]`: the name, then a time as `log` takes it (none: now).
ParseResult parse_milestone(std::string_view rest, TimePoint now, const Failer& fail) {
  auto tokens = tokenize(rest);
  constexpr std::string_view kNames =
      "started, detected, mitigated, contained, eradicated, recovered or resolved";
  if (tokens.empty()) return fail("say which milestone: " + std::string(kNames));
  const auto milestone = milestone_from_string(without_trailing_punct(tokens[0].text));
  if (!milestone)
    return fail(quoted(tokens[0].text) + " is not a milestone: " + std::string(kNames));
  tokens.erase(tokens.begin());
  auto time = leading_time(tokens, now, fail);
  if (auto* error = std::get_if<ParseResult>(&time)) return std::move(*error);
  const auto [at, consumed] = std::get<LeadingTime>(time);
  if (consumed < tokens.size()) {
    return fail(quoted(tokens[consumed].text) + " is not a time" + kTimeHint);
  }
  return Command{cmd::SetMilestone{*milestone, at}};
}

// ---- action: owner: and due: anywhere in the text -----------------------------------------

// A `key:value` field found in the action text, with the span it covers in `rest`.
struct Field {
  std::string_view value;
  std::size_t begin = 0;
  std::size_t end = 0;
};

enum class FieldProblem { none, empty, unclosed };

// Reads the value of `key:` starting at token `i` (whose text starts with the key), leaving `i`
// on the value's last token. The value may follow the colon directly or after a space
// ("owner: @dana"); a value starting with `<` runs to the matching `>`, since Slack mentions
// like <@U1|dana smith> may hold spaces.
FieldProblem read_field(std::string_view rest, const std::vector<Token>& tokens, std::size_t& i,
                        std::size_t key_len, Field& out) {
  out.begin = tokens[i].begin;
  std::size_t value_begin = tokens[i].begin + key_len;
  if (key_len == tokens[i].text.size()) {  // "owner: @dana": the value is the next token
    if (i + 1 >= tokens.size()) return FieldProblem::empty;
    ++i;
    value_begin = tokens[i].begin;
  }
  std::size_t value_end = tokens[i].end();
  if (rest[value_begin] == '<') {
    const std::size_t close = rest.find('>', value_begin);
    if (close == std::string_view::npos) return FieldProblem::unclosed;
    value_end = std::max(close + 1, value_end);
    while (value_end < rest.size() && !is_space(rest[value_end])) ++value_end;
    while (i + 1 < tokens.size() && tokens[i + 1].begin < value_end) ++i;
  }
  out.value = rest.substr(value_begin, value_end - value_begin);
  out.end = value_end;
  return FieldProblem::none;
}

ParseResult parse_action(std::string_view rest, TimePoint now, const Failer& fail) {
  const auto tokens = tokenize(rest);
  std::optional<Field> owner;
  std::optional<Field> due;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string_view t = tokens[i].text;
    const bool is_owner = istarts_with(t, "owner:");
    if (!is_owner && !istarts_with(t, "due:")) continue;
    std::optional<Field>& slot = is_owner ? owner : due;
    if (slot) {
      return fail(is_owner ? "owner: is given twice; give one owner"
                           : "due: is given twice; give one due date");
    }
    Field field;
    const FieldProblem problem = read_field(rest, tokens, i, is_owner ? 6 : 4, field);
    if (problem == FieldProblem::unclosed) {
      return fail("the owner mention " + quoted(rest.substr(field.begin)) + " has no closing >");
    }
    if (problem == FieldProblem::empty) {
      return fail(is_owner ? "owner: needs a @user or team after it"
                           : "due: needs a date after it (YYYY-MM-DD)");
    }
    slot = field;
  }

  // The text is what remains once the fields are cut out, pieces joined by one space.
  std::string text;
  std::size_t from = 0;
  auto append = [&](std::string_view piece) {
    piece = trim(piece);
    if (piece.empty()) return;
    if (!text.empty()) text += ' ';
    text += piece;
  };
  std::vector<const Field*> cuts;
  if (owner) cuts.push_back(&*owner);
  if (due) cuts.push_back(&*due);
  if (cuts.size() == 2 && cuts[1]->begin < cuts[0]->begin) std::swap(cuts[0], cuts[1]);
  for (const Field* f : cuts) {
    append(rest.substr(from, f->begin - from));
    from = f->end;
  }
  append(rest.substr(from));
  if (auto problem = size_problem("action text", text, kTextLimit)) return fail(*problem);

  cmd::Action action;
  action.text = std::move(text);
  if (owner) action.owner = std::string(owner->value);
  if (due) {
    action.due = parse_date(due->value);
    if (!action.due) {
      return fail("due date " + quoted(due->value) + " is not a real date (use YYYY-MM-DD)");
    }
    const Date today{std::chrono::floor<days>(now)};
    if (*action.due < today) {
      return fail("due date " + format_date(*action.due) + " has already passed (today is " +
                  format_date(today) + " UTC)");
    }
  }
  return Command{std::move(action)};
}

// ---- the rest of the commands -------------------------------------------------------------

ParseResult parse_start(std::string_view rest, const Failer& fail) {
  auto tokens = tokenize(rest);
  Severity severity = Severity::unset;
  bool is_private = false;
  bool is_security = false;
  std::optional<bool> own_channel;
  std::string_view title = rest;
  // "start <title> sev2 private security new": the last words, in any order.
  for (int i = 0; i < 4 && tokens.size() > 1; ++i) {
    const Token& last = tokens.back();
    if (const auto sev = parse_severity(last.text); sev && severity == Severity::unset) {
      severity = *sev;
    } else if (iequals(last.text, "private") && !is_private) {
      is_private = true;
    } else if (iequals(last.text, "security") && !is_security) {
      is_security = true;
    } else if ((iequals(last.text, "new") || iequals(last.text, "here")) && !own_channel) {
      own_channel = iequals(last.text, "new");
    } else if (looks_like_severity(last.text) && severity == Severity::unset) {
      return fail(quoted(last.text) + " is not a severity (use sev1..sev4)");
    } else {
      break;
    }
    title = rest.substr(0, last.begin);
    tokens.pop_back();
  }
  if (tokens.size() == 1 && severity == Severity::unset) {  // "start sev2": a title of its own?
    if (const auto sev = parse_severity(tokens[0].text)) {
      severity = *sev;
      title = {};
    } else if (looks_like_severity(tokens[0].text)) {
      return fail(quoted(tokens[0].text) + " is not a severity (use sev1..sev4)");
    }
  }
  title = trim(title);
  if (auto problem = size_problem("incident title", title, kTitleLimit)) return fail(*problem);
  return Command{cmd::Start{std::string(title), severity, is_private, is_security, own_channel}};
}

// `done <n>` and `notified <n>`: one item number, "#3" as the bot itself writes it, or nullopt
// after `fail` was given the reason.
std::optional<int> parse_item_number(std::string_view rest, std::string_view what,
                                     const Failer& fail, ParseResult& failure) {
  const auto tokens = tokenize(rest);
  if (tokens.size() != 1) {
    failure = fail(tokens.empty()
                       ? "missing the " + std::string(what) + " number"
                       : std::string(fail.word) + " takes one " + std::string(what) + " number");
    return std::nullopt;
  }
  std::string_view t = tokens[0].text;
  if (t.front() == '#') t.remove_prefix(1);
  long long n = 0;
  bool ok = !t.empty() && t.size() <= 9;
  for (char c : t) ok = ok && is_digit(c);
  if (ok) {
    for (char c : t) n = n * 10 + (c - '0');
  }
  if (!ok || n < 1) {
    failure = fail(quoted(tokens[0].text) + " is not " + (what == "action item" ? "an " : "a ") +
                   std::string(what) + " number (use 1, 2, 3, …)");
    return std::nullopt;
  }
  return static_cast<int>(n);
}

// "notify the data protection authority by 2026-12-10 14:00": who, then the last " by ".
ParseResult parse_notify(std::string_view rest, const Failer& fail) {
  const std::string text = " " + std::string(rest);  // "by …" alone: nobody named
  std::size_t by = std::string::npos;
  for (std::size_t i = 0; i + 4 <= text.size(); ++i) {
    if (iequals(std::string_view(text).substr(i, 4), " by ")) by = i;
  }
  if (by == std::string::npos) return fail("say who must be notified, then `by` and the deadline");
  const std::string_view who = trim(std::string_view(text).substr(0, by));
  const std::string_view when = trim(std::string_view(text).substr(by + 4));
  if (is_blank(who)) return fail("say who must be notified");
  if (auto problem = size_problem("who", who, kTitleLimit)) return fail(*problem);
  const auto at = parse_iso8601(when);
  if (!at) return fail(quoted(when) + " is not a date and time (like 2026-12-10 14:00, UTC)");
  return Command{cmd::Notify{std::string(who), *at}};
}

ParseResult parse_done(std::string_view rest, const Failer& fail) {
  ParseResult failure;
  const auto n = parse_item_number(rest, "action item", fail, failure);
  return n ? ParseResult{Command{cmd::Done{*n}}} : failure;
}

ParseResult parse_set_severity(std::string_view rest, const Failer& fail) {
  const auto tokens = tokenize(rest);
  if (tokens.empty()) return fail("missing the severity (sev1..sev4)");
  if (tokens.size() > 1) return fail("severity takes one value (sev1..sev4)");
  const auto sev = parse_severity(tokens[0].text);
  if (!sev) return fail(quoted(tokens[0].text) + " is not a severity (use sev1..sev4)");
  return Command{cmd::SetSeverity{*sev}};
}

ParseResult parse_assign_role(std::string_view rest, const Failer& fail) {
  const auto tokens = tokenize(rest);
  if (tokens.empty()) return fail("missing the role (commander, comms or scribe)");
  const auto role = parse_role(tokens[0].text);
  if (!role) {
    return fail(quoted(tokens[0].text) + " is not a role (use commander, comms or scribe)");
  }
  if (tokens.size() < 2) return fail("missing the @user to make " + lower(tokens[0].text));
  // One token, or a <…> mention that may contain spaces (Slack's <@U1|dana smith>).
  std::string_view user = tokens[1].text;
  std::size_t user_end = tokens[1].end();
  if (user.front() == '<') {
    const std::size_t close = rest.find('>', tokens[1].begin);
    if (close == std::string_view::npos) {
      return fail("the mention " + quoted(trim(rest.substr(tokens[1].begin))) +
                  " has no closing >");
    }
    user_end = std::max(close + 1, user_end);
    user = rest.substr(tokens[1].begin, user_end - tokens[1].begin);
  }
  const std::string_view extra = trim(rest.substr(user_end));
  if (!extra.empty()) {
    return fail("role takes one @user; unexpected " + quoted(extra) + " after " + quoted(user));
  }
  return Command{cmd::AssignRole{*role, std::string(user)}};
}

// "INC-12", "inc-12" or "12": an incident number; nullopt otherwise.
std::optional<std::int64_t> parse_incident_id(std::string_view text) {
  if (istarts_with(text, "inc-")) text.remove_prefix(4);
  if (text.empty() || text.size() > 15) return std::nullopt;
  std::int64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n <= 0) return std::nullopt;
  return n;
}

// `status`, `postmortem`, `draft`, `web` [INC-<n>]; `share`, `publish` [INC-<n>] [confirm].
ParseResult parse_incident_command(const std::string& key, std::string_view rest,
                                   const Failer& fail) {
  std::int64_t number = 0;
  bool confirm = false;
  for (const auto& token : tokenize(rest)) {
    const bool confirms = key == "share" || key == "publish";
    if (confirms && !confirm && iequals(token.text, "confirm")) {
      confirm = true;
    } else if (auto n = parse_incident_id(token.text); n && number == 0) {
      number = *n;
    } else {
      return fail(quoted(token.text) + (confirms ? " is neither an incident id (INC-<n>) "
                                                   "nor `confirm`"
                                                 : " is not an incident id (INC-<n>)"));
    }
  }
  if (key == "status") return Command{cmd::ShowStatus{number}};
  if (key == "postmortem") return Command{cmd::Postmortem{number}};
  if (key == "draft") return Command{cmd::Draft{number}};
  if (key == "web") return Command{cmd::Web{number}};
  if (key == "publish") return Command{cmd::Publish{number, confirm}};
  return Command{cmd::Share{number, confirm}};
}

}  // namespace

ParseResult parse_command(std::string_view text, TimePoint now) {
  text = trim(text);
  if (text.empty()) return Command{cmd::Unknown{}};
  std::size_t word_end = 0;
  while (word_end < text.size() && !is_space(text[word_end])) ++word_end;
  const std::string_view word = text.substr(0, word_end);
  const std::string_view rest = trim(text.substr(word_end));
  const std::string key = lower(word);
  const Failer fail{key};

  if (key == "start") return parse_start(rest, fail);
  if (key == "log") return parse_log(rest, now, fail);
  if (key == "milestone") return parse_milestone(rest, now, fail);
  if (key == "type") {
    if (iequals(rest, "security")) return Command{cmd::SetType{true}};
    if (iequals(rest, "standard")) return Command{cmd::SetType{false}};
    return fail(is_blank(rest) ? std::string("say `security` or `standard`")
                               : quoted(rest) + " is neither `security` nor `standard`");
  }
  if (key == "action") return parse_action(rest, now, fail);
  if (key == "done") return parse_done(rest, fail);
  if (key == "notify") return parse_notify(rest, fail);
  if (key == "notified") {
    ParseResult failure;
    const auto n = parse_item_number(rest, "notification", fail, failure);
    return n ? ParseResult{Command{cmd::Notified{*n}}} : failure;
  }
  if (key == "severity") return parse_set_severity(rest, fail);
  if (key == "role") return parse_assign_role(rest, fail);
  if (key == "close") {
    if (is_blank(rest)) return Command{cmd::Close{}};
    if (auto problem = size_problem("resolution", rest, kTextLimit)) return fail(*problem);
    return Command{cmd::Close{std::string(rest)}};
  }
  if (key == "help") return Command{cmd::Help{}};  // "help log" still shows the list
  if (key == "review") {
    // "review at 2026-12-02 15:00" or "review at 2026-12-02T16:00+01:00"
    const auto words = tokenize(rest);
    if (words.empty() || !iequals(words.front().text, "at")) {
      return fail("say when the review meeting is: `at` and a date and time");
    }
    const std::string_view when = trim(rest.substr(2));
    const auto at = parse_iso8601(when);
    if (!at) return fail(quoted(when) + " is not a date and time (like 2026-12-02 15:00, UTC)");
    if (*at <= now) return fail(quoted(when) + " is already past");
    return Command{cmd::ReviewAt{*at}};
  }
  if (key == "remind") {
    if (iequals(rest, "on")) return Command{cmd::Remind{true}};
    if (iequals(rest, "off")) return Command{cmd::Remind{false}};
    return fail(is_blank(rest) ? std::string("say `on` or `off`")
                               : quoted(rest) + " is neither `on` nor `off`");
  }
  if (key == "status" || key == "postmortem" || key == "draft" || key == "share" ||
      key == "publish" || key == "web") {
    return parse_incident_command(key, rest, fail);
  }
  return Command{cmd::Unknown{shortened(word)}};
}

std::size_t count_characters(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool is_blank(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (!is_space(text[i]) && text[i] != '\r' && text[i] != '\v' && text[i] != '\f') {
        return false;
      }
      ++i;
      continue;
    }
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len == 1 || i + len > text.size()) return false;
    char32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < len; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    if (!is_invisible(cp)) return false;
    i += len;
  }
  return true;
}

std::string cut_to_limit(std::string_view text) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (chars++ == kTextLimit) return std::string(text.substr(0, i));
  }
  return std::string(text);
}

std::int64_t named_incident(const Command& command) {
  return std::visit(overloaded{
                        [](const cmd::ShowStatus& c) { return c.incident; },
                        [](const cmd::Postmortem& c) { return c.incident; },
                        [](const cmd::Draft& c) { return c.incident; },
                        [](const cmd::Share& c) { return c.incident; },
                        [](const cmd::Publish& c) { return c.incident; },
                        [](const cmd::Web& c) { return c.incident; },
                        [](const auto&) { return std::int64_t{0}; },
                    },
                    command);
}

std::string usage_of(std::string_view command_word) {
  for (const Usage& u : kUsages) {
    if (iequals(u.word, command_word)) return std::string(u.line);
  }
  return "";
}

std::optional<std::string_view> strip_prefix(std::string_view message, std::string_view prefix) {
  message = trim(message);
  if (prefix.empty()) return message;
  if (!istarts_with(message, prefix)) return std::nullopt;
  const std::string_view after = message.substr(prefix.size());
  // "!incidentlog" is another word, not the prefix followed by "log".
  if (!after.empty() && !is_space(after.front())) return std::nullopt;
  return trim(after);
}

}  // namespace incident
