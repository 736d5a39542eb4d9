#include "bot/draft/participants.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <string>

namespace incident {
namespace {

constexpr std::string_view kMatrixTo = "https://matrix.to/#/";

bool is_word_byte(char c) {
  const auto b = static_cast<unsigned char>(c);
  return std::isalnum(b) != 0 || c == '_' || b >= 0x80;
}

bool is_handle_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("._=-/+").find(c) != std::string_view::npos;
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool iequals_at(std::string_view text, std::size_t i, std::string_view word) {
  if (text.size() - i < word.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (lower(text[i + k]) != lower(word[k])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// First names that are also everyday words: replaced only when written with a capital, so
// "the job will retry" keeps its "will" while "Will restarted it" does not keep Will.
bool is_common_word(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 24> kWords{
      "will", "may",  "mark",  "bill", "pat",  "sue",   "rob",  "grant",
      "art",  "june", "april", "rose", "hope", "faith", "joy",  "chase",
      "drew", "ray",  "max",   "page", "dawn", "frank", "jack", "guy"};
  return std::find(kWords.begin(), kWords.end(), lower_name) != kWords.end();
}

// "%40dana%3Aexample.org" -> "@dana:example.org"; matrix.to ids may come percent-encoded.
std::string percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The end of a matrix.to link's target starting at `from`, and the user id it names (empty
// when it names a room or an event rather than a user).
std::pair<std::size_t, std::string> matrix_to_target(std::string_view text, std::size_t from) {
  std::size_t end = from;
  while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
         std::string_view(")>\"'<]").find(text[end]) == std::string_view::npos) {
    ++end;
  }
  // A link at the end of a sentence keeps the sentence's punctuation.
  while (end > from && std::string_view(".,;:!?").find(text[end - 1]) != std::string_view::npos) {
    --end;
  }
  std::string_view target = text.substr(from, end - from);
  target = target.substr(0, std::min(target.find('?'), target.size()));  // ?via=… routing hints
  std::string id = percent_decoded(target);
  if (id.empty() || id.front() != '@') id.clear();
  return {end, id};
}

// The bytes of `text` that spell `folded` (a fold_name form) from its start, comparing folded
// code points, so "Zoë", "ZOË" and the decomposed "Zoe" + U+0308 all match "zoe"; 0 when they
// do not. Combining marks right after the match belong to it.
std::size_t folded_match(std::string_view text, std::string_view folded) {
  std::size_t i = 0;
  std::size_t matched = 0;
  std::string piece;
  while (matched < folded.size()) {
    if (i >= text.size()) return 0;
    std::size_t size = 1;
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 >= 0x80) size = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : 4;
    if (i + size > text.size()) return 0;
    piece = fold_name(text.substr(i, size));
    if (folded.compare(matched, piece.size(), piece) != 0) return 0;
    matched += piece.size();
    i += size;
  }
  // U+0300..U+036F, two bytes each: the decomposed diacritics of the last letter.
  while (i + 1 < text.size() && static_cast<unsigned char>(text[i]) == 0xCC) i += 2;
  while (i + 1 < text.size() && static_cast<unsigned char>(text[i]) == 0xCD &&
         static_cast<unsigned char>(text[i + 1]) <= 0xAF) {
    i += 2;
  }
  return i;
}

// Whether a word ends at `len`: at the end, before a non-word byte or before a curly apostrophe
// ("lee’s", whose ’ is three bytes above 0x80).
bool word_ends(std::string_view text, std::size_t len) {
  return len >= text.size() || !is_word_byte(text[len]) || text.substr(len, 3) == "\xE2\x80\x99";
}

// "'s" or "’s" at the start of `text` as a whole word ("dana's change"): its length, else 0.
std::size_t possessive_at(std::string_view text) {
  std::size_t n = 0;
  if (text.substr(0, 2) == "'s" || text.substr(0, 2) == "'S") n = 2;
  if (text.substr(0, 4) == "\xE2\x80\x99s") n = 4;
  if (n == 0 || (text.size() > n && is_word_byte(text[n]))) return 0;
  return n;
}

}  // namespace

Participants::Participants(const Incident& incident, const DisplayNames& display_names,
                           const Prompts& prompts)
    : responder_(prompts.raw("role.responder")) {
  static constexpr std::array<std::pair<Role, const char*>, 3> kRoleWords{{
      {Role::commander, "role.commander"},
      {Role::comms, "role.comms"},
      {Role::scribe, "role.scribe"},
  }};
  // Raw user references as they were typed, so `<@U1|dana>` also teaches the name "dana".
  std::vector<std::string> raw;
  for (const auto& [role, word] : kRoleWords) {
    if (auto it = incident.roles.find(role); it != incident.roles.end()) {
      labels_.emplace(user_key(it->second), prompts.raw(word));
      raw.push_back(it->second);
    }
  }
  // Whoever declared the incident was its first commander; after a hand-over, say so.
  const auto first = std::min_element(
      incident.timeline.begin(), incident.timeline.end(),
      [](const TimelineEntry& a, const TimelineEntry& b) { return a.seq < b.seq; });
  if (first != incident.timeline.end() && first->source == Source::system) {
    labels_.emplace(user_key(first->author), prompts.raw("role.previous_commander"));
  }

  raw.push_back(incident.facilitator);
  for (const auto& e : incident.timeline) raw.push_back(e.author);
  for (const auto& r : incident.review) raw.push_back(r.author);
  for (const auto& a : incident.actions) raw.push_back(a.author);

  std::set<std::string> seen;
  auto add_name = [&](std::string_view name, const std::string& label) {
    name = trim(name);
    if (name.size() < 2 || !seen.insert(lowered(name)).second) return;
    names_.emplace_back(std::string(name), label);
  };
  auto add_user = [&](std::string_view reference) {
    const std::string key = user_key(reference);
    if (key.empty()) return;
    const std::string label = role_of(key);
    if (const auto bar = reference.find('|'); bar != std::string_view::npos) {
      add_name(reference.substr(bar + 1, reference.size() - bar - 2), label);
    }
    const bool slack_id = std::all_of(key.begin(), key.end(), [](char c) {
      return std::isupper(static_cast<unsigned char>(c)) ||
             std::isdigit(static_cast<unsigned char>(c));
    });
    if (key.front() == '@') {
      add_name(std::string_view(key).substr(1, key.find(':') - 1), label);  // Matrix localpart
    } else if (!slack_id) {
      add_name(key, label);  // a console login or a plain handle
    }
    for (const std::string& id : {key, std::string(reference), "@" + key}) {
      if (auto it = display_names.find(id); it != display_names.end()) {
        add_name(it->second, label);
        add_name(std::string_view(it->second).substr(0, it->second.find(' ')), label);
      }
    }
  };
  for (const auto& r : raw) add_user(r);
  for (const auto& [id, name] : display_names) {
    if (labels_.count(user_key(id)) != 0) add_user(id);
  }
  // Names inside Slack's `<@U1|dana>` mentions anywhere in what people wrote.
  auto learn = [&](std::string_view text) {
    for (std::size_t at = text.find("<@"); at != std::string_view::npos;
         at = text.find("<@", at + 2)) {
      const std::size_t close = text.find('>', at);
      if (close == std::string_view::npos || close - at > 100) continue;
      const std::string_view mention = text.substr(at, close - at + 1);
      if (mention.find('|') != std::string_view::npos) add_user(mention);
    }
  };
  for (const auto& e : incident.timeline) learn(e.text);
  for (const auto& r : incident.review) learn(r.text);

  std::stable_sort(names_.begin(), names_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [name, label] : names_) folded_.push_back(fold_name(name));
}

std::string Participants::role_of(std::string_view user) const {
  auto it = labels_.find(user_key(user));
  return it == labels_.end() ? responder_ : it->second;
}

std::string Participants::label_for_mention(std::string_view id) const {
  const std::string key = user_key(id);
  if (auto it = labels_.find(key); it != labels_.end()) return it->second;
  // "@erin" may be the handle of someone known by id and display name only.
  for (const auto& [name, label] : names_) {
    if (name.size() == key.size() && iequals_at(key, 0, name)) return label;
  }
  return responder_;
}

std::string Participants::depersonalise(std::string_view text,
                                        const std::vector<std::string>& strangers) const {
  std::string out;
  out.reserve(text.size());
  // Role wording that opens a sentence reads "The incident commander …".
  auto emit_label = [&](std::string label) {
    const auto last = out.find_last_not_of(' ');
    if (!label.empty() && (last == std::string::npos ||
                           std::string_view(".!?\n").find(out[last]) != std::string_view::npos)) {
      label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    }
    out += label;
  };
  // A person replaced, at text[i..end): their role, or, when the name is a possessive ("dana's
  // change to the parser"), no owner at all ("a change to the parser"): the draft is about what
  // happened, not whose it was.
  auto emit_person = [&](const std::string& label, std::size_t end) {
    const std::size_t n = possessive_at(text.substr(end));
    std::size_t next = end + n;
    while (next < text.size() && text[next] == ' ') ++next;
    // "Dana's fault" is the blame itself: quoted in the language check, it keeps its owner.
    static constexpr std::string_view kBlameNouns[] = {"fault",   "mistake",    "error", "bad",
                                                       "screwup", "negligence", "blame"};
    for (std::string_view noun : kBlameNouns) {
      if (iequals_at(text, next, noun)) next = std::string_view::npos;
      if (next == std::string_view::npos) break;
    }
    if (n == 0 || next == std::string_view::npos) {
      emit_label(label);
      return end;
    }
    const char c = next < text.size() ? lower(text[next]) : ' ';
    emit_label(std::string_view("aeiou").find(c) != std::string_view::npos ? "an" : "a");
    return end + n;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    const bool word_start = i == 0 || !is_word_byte(text[i - 1]);
    const std::string_view rest = text.substr(i);
    // Slack: <@U1> and <@U1|dana>.
    if (rest.substr(0, 2) == "<@") {
      const std::size_t close = rest.find('>');
      if (close != std::string_view::npos && close < 100 &&
          rest.substr(1, close - 1).find_first_of(" \n<") == std::string_view::npos) {
        i = emit_person(label_for_mention(rest.substr(0, close + 1)), i + close + 1);
        continue;
      }
    }
    // Markdown links to a Matrix user: [Dana](https://matrix.to/#/@dana:example.org).
    if (rest.front() == '[') {
      const std::size_t mid = rest.find("](");
      if (mid != std::string_view::npos && mid < 200 &&
          rest.substr(0, mid).find('\n') == std::string_view::npos &&
          rest.substr(mid + 2, kMatrixTo.size()) == kMatrixTo) {
        auto [end, id] = matrix_to_target(rest, mid + 2 + kMatrixTo.size());
        if (!id.empty() && end < rest.size() && rest[end] == ')') {
          i = emit_person(label_for_mention(id), i + end + 1);
          continue;
        }
      }
    }
    // HTML pills: <a href="https://matrix.to/#/@dana:example.org">Dana</a>.
    if (iequals_at(rest, 0, "<a href=\"") && rest.substr(9, kMatrixTo.size()) == kMatrixTo) {
      auto [end, id] = matrix_to_target(rest, 9 + kMatrixTo.size());
      const std::size_t close = rest.find("</a>", end);
      if (!id.empty() && close != std::string_view::npos && close < 300) {
        i = emit_person(label_for_mention(id), i + close + 4);
        continue;
      }
    }
    // Bare matrix.to links.
    if (rest.substr(0, kMatrixTo.size()) == kMatrixTo) {
      auto [end, id] = matrix_to_target(rest, kMatrixTo.size());
      if (!id.empty()) {
        i = emit_person(label_for_mention(id), i + end);
        continue;
      }
    }
    // @dana and @dana:example.org (but not the "@" of an e-mail address).
    if (rest.front() == '@' && word_start) {
      std::size_t end = 1;
      while (end < rest.size() && is_handle_char(rest[end])) ++end;
      if (end < rest.size() && rest[end] == ':' && end + 1 < rest.size() &&
          std::isalnum(static_cast<unsigned char>(rest[end + 1]))) {
        ++end;
        while (end < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[end])) ||
                                     rest[end] == '.' || rest[end] == '-' || rest[end] == ':')) {
          ++end;
        }
      }
      while (end > 1 && std::string_view(".-/:").find(rest[end - 1]) != std::string_view::npos)
        --end;
      const std::string handle = lowered(rest.substr(1, end - 1));
      if (end > 1 && handle != "channel" && handle != "here" && handle != "everyone" &&
          handle != "room") {
        i = emit_person(label_for_mention(rest.substr(0, end)), i + end);
        continue;
      }
    }
    // Known names as whole words, longest first ("Dana Scully" before "Dana").
    if (word_start && is_word_byte(rest.front())) {
      bool replaced = false;
      for (std::size_t n = 0; n < names_.size() && !replaced; ++n) {
        const std::size_t len = folded_match(rest, folded_[n]);
        if (len == 0 || !word_ends(rest, len)) continue;
        if (is_common_word(folded_[n]) && !std::isupper(static_cast<unsigned char>(rest.front()))) {
          continue;
        }
        i = emit_person(names_[n].second, i + len);
        replaced = true;
      }
      for (const auto& name : strangers) {
        if (replaced || name.empty()) continue;
        const std::size_t len = folded_match(rest, fold_name(name));
        if (len == 0 || !word_ends(rest, len)) continue;
        i = emit_person(responder_, i + len);
        replaced = true;
      }
      if (replaced) continue;
    }
    out += text[i++];
  }
  return out;
}

People Participants::people() const {
  People people;
  for (const auto& [name, label] : names_) people.names.push_back(name);
  return people;
}

}  // namespace incident
