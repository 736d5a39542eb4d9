#include "bot/draft/draft.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <set>

#include "bot/blameless/blameless.h"
#include "bot/draft/review.h"

namespace incident {
namespace {

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

std::string source_label(Source s) {
  switch (s) {
    case Source::pin:
      return "📌";
    case Source::system:
      return "⚙";
    case Source::thread:
      return "💬";
    case Source::command:
      return "";
  }
  return "";
}

// Draft entries are list items: a multi-line message reads as one line there.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

// A fact's text without its tag ("impact: 8% of checkouts failed" -> "8% of checkouts failed").
std::string without_tag(std::string_view text, std::string_view tag) {
  text.remove_prefix(std::min(text.size(), tag.size()));
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return std::string(text);
}

// --- does an action address a contributing factor? ---------------------------------------

std::set<std::string> key_words(std::string_view text) {
  static const std::set<std::string, std::less<>> kStop{
      "that",  "this",  "with",    "from",  "were",   "have",    "been",  "when",   "what", "which",
      "there", "their", "they",    "into",  "than",   "then",    "them",  "more",   "less", "does",
      "made",  "make",  "about",   "after", "before", "could",   "would", "should", "only", "also",
      "very",  "some",  "because", "while", "during", "without", "every", "other",  "again"};
  std::set<std::string> words;
  std::string word;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ' ';
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      continue;
    }
    if (word.size() >= 4 && kStop.count(word) == 0) words.insert(word);
    word.clear();
  }
  return words;
}

// Same word, or the same stem of five letters or more ("alert"/"alerting",
// "threshold"/"thresholds").
bool related(const std::string& a, const std::string& b) {
  if (a == b) return true;
  std::size_t common = 0;
  while (common < a.size() && common < b.size() && a[common] == b[common]) ++common;
  return common >= 5 && (common == a.size() || common == b.size() || common >= 6);
}

// An action addresses factor F<n> when it says so ("F2", "factor 2") or shares a key word.
bool addresses(const ActionItem& action, int factor, const std::set<std::string>& factor_words) {
  std::string lower = action.text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  const std::string tag = "f" + std::to_string(factor);
  for (std::size_t at = lower.find(tag); at != std::string::npos; at = lower.find(tag, at + 1)) {
    const bool left = at == 0 || !std::isalnum(static_cast<unsigned char>(lower[at - 1]));
    const std::size_t end = at + tag.size();
    const bool right = end == lower.size() || !std::isalnum(static_cast<unsigned char>(lower[end]));
    if (left && right) return true;
  }
  if (lower.find("factor " + std::to_string(factor)) != std::string::npos) return true;
  const std::set<std::string> words = key_words(action.text);
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
    return std::any_of(factor_words.begin(), factor_words.end(),
                       [&](const std::string& f) { return related(w, f); });
  });
}

// --- the builder ---------------------------------------------------------------------------

class Builder {
 public:
  Builder(const Incident& incident, TimePoint now, const Prompts& prompts, const Escaper& escape,
          const DisplayNames& names)
      : inc_(incident),
        now_(now),
        prompts_(prompts),
        escape_(escape),
        participants_(incident, names, prompts),
        people_(participants_.people()),
        answers_(map_review(incident.review)) {}

  // What the document left out, flagged and found, once built (draft.h, Document).
  Document finish(std::string text) {
    return {std::move(text), left_out_, std::move(flagged_actions_), std::move(flags_),
            std::move(uncovered_)};
  }

  TemplateData lessons() {
    TemplateData d = header();
    for (const auto& a : answers_) {
      if (a.note || (a.question != ReviewQuestion::learn && a.question != ReviewQuestion::factor))
        continue;
      const std::string number = std::to_string(number_of(a.question));
      if (auto text = admit(a.text, where("review", TemplateData{}.set("number", number)))) {
        d.add(a.question == ReviewQuestion::learn ? "learn" : "factors",
              TemplateData{}.set("text", *text));
      }
    }
    for (const auto& a : inc_.actions) {
      const std::string text =
          admit_action(a, where("action", TemplateData{}.set("number", std::to_string(a.number))));
      d.add("actions", TemplateData{}.set("text", text).set("status", status(a)));
    }
    return d;
  }

  TemplateData draft() {
    TemplateData d = header();
    bool homework = timeline(d);
    homework = review(d) || homework;
    for (const Notification& n : inc_.notifications) {
      const std::string number = std::to_string(n.number);
      const auto who = admit(n.who, where("notification", TemplateData{}.set("number", number)));
      if (!who) continue;
      d.add("duties", TemplateData{}
                          .set("number", number)
                          .set("who", *who)
                          .set("by", format_utc(n.by))
                          .set("done_at", n.done_at ? format_utc(*n.done_at) : std::string{}));
    }
    // A security incident's sections; answers to its questions in another incident show too.
    d.set("security", inc_.is_security || d.truthy("affected") || d.truthy("notify") ||
                          d.truthy("ioc") || d.truthy("duties"));
    homework = actions(d) || homework;
    edited(d);
    d.set("homework", homework);
    d.set("homework_list", prompts_.render("homework", d, escape_));
    for (const auto& f : flags_) {
      d.add("findings", TemplateData{}
                            .set("phrase", f.phrase)
                            .set("where", f.where)
                            .set("suggestion", f.suggestion));
    }
    return d;
  }

 private:
  // The text as the draft may show it: nullopt for a personnel matter (left out, and counted
  // for the facilitator's note); otherwise with people replaced by roles. Its blame phrases are
  // reported under `where`, quoted with names replaced too; an empty `where` reports nothing
  // (bot-written entries that repeat a text already checked).
  std::optional<std::string> admit(std::string_view text, const std::string& where) {
    const auto findings = check_blameless(text, people_, prompts_);
    if (has_personnel(findings)) {
      ++left_out_;
      return std::nullopt;
    }
    return shown(text, findings, where);
  }

  // An action item is a task, never an opinion to leave out, even when it names employees or
  // accounts ("remove the departed employee's accounts"). When its own text raises a personnel
  // matter it stays, its finding is listed, and the facilitator is told which one.
  std::string admit_action(const ActionItem& a, const std::string& where) {
    const auto findings = check_blameless(a.text, people_, prompts_);
    if (has_personnel(findings)) flagged_actions_.push_back(a.number);
    return shown(a.text, findings, where);
  }

  static bool has_personnel(const std::vector<Finding>& findings) {
    return std::any_of(findings.begin(), findings.end(),
                       [](const Finding& f) { return f.kind == FindingKind::personnel; });
  }

  std::string shown(std::string_view text, const std::vector<Finding>& findings,
                    const std::string& where) {
    // People named in passing whom no participant list knows ("Bob forgot to renew the cert")
    // are people all the same: never named as causes.
    std::vector<std::string> strangers;
    for (const auto& f : findings) {
      if (f.kind == FindingKind::person && participants_.depersonalise(f.phrase) == f.phrase) {
        strangers.push_back(f.phrase);
      }
    }
    if (!where.empty()) {
      for (const auto& f : findings) {
        if (f.kind != FindingKind::blame && f.kind != FindingKind::personnel) continue;
        flags_.push_back({f.kind, one_line(participants_.depersonalise(f.phrase, strangers)), where,
                          participants_.depersonalise(f.suggestion, strangers)});
      }
    }
    return one_line(participants_.depersonalise(text, strangers));
  }

  // Sections the facilitator rewrote on the review page replace the generated ones: each line an
  // item, through the same check as every other text (people become roles, blame is listed,
  // a personnel matter is left out).
  void edited(TemplateData& d) {
    for (const char* key : kEditableSections) {
      const auto it = inc_.sections.find(key);
      if (it == inc_.sections.end() || it->second.text.empty()) continue;
      d.set(std::string("is_edited_") + key, true);
      std::string_view rest = it->second.text;
      while (!rest.empty()) {
        const auto nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
          line.remove_prefix(1);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
        for (std::string_view marker : {"- ", "* ", "• "}) {
          if (line.substr(0, marker.size()) == marker) line.remove_prefix(marker.size());
        }
        if (line.empty()) continue;
        const auto text =
            admit(line, where("section", TemplateData{}.set("section", section_title(key))));
        if (text) d.add(std::string("edited_") + key, TemplateData{}.set("text", *text));
      }
    }
  }

  // Where a finding was, in the words of the `draft.where_*` prompts (already escaped).
  std::string where(const std::string& what, TemplateData data = {}) const {
    return prompts_.render("draft.where_" + what, data, escape_);
  }

  static std::string status(const ActionItem& a) { return a.done ? "done" : "open"; }

  TemplateData header() {
    const TimePoint end = inc_.closed_at.value_or(now_);
    TemplateData d;
    d.set("id", inc_.id())
        .set("title", admit(inc_.title, where("title")).value_or(std::string{}))
        .set("severity", to_string(inc_.severity))
        .set("started", format_utc(inc_.opened_at))
        .set("ended", inc_.closed_at ? format_utc(*inc_.closed_at) : std::string{})
        .set("open", inc_.is_open())
        .set("duration", format_duration(inc_.opened_at, end))
        .set("resolution", admit(inc_.resolution, where("summary")).value_or(std::string{}));
    if (inc_.peak_severity != Severity::unset && inc_.peak_severity != inc_.severity) {
      d.set("peak", to_string(inc_.peak_severity));
    }
    key_moments(d);
    return d;
  }

  // The milestones and the declaration in time order, and the times to detect, mitigate and
  // resolve: from when the problem started, else (said so) from the declaration.
  void key_moments(TemplateData& d) const {
    std::vector<std::pair<TimePoint, std::string>> moments{{inc_.opened_at, "declared"}};
    std::string missing;
    for (const Milestone m : kMilestones) {
      const bool phase =
          m == Milestone::contained || m == Milestone::eradicated || m == Milestone::recovered;
      if (const auto at = milestone_at(inc_, m)) {
        moments.emplace_back(*at, to_string(m));
      } else if (m != Milestone::resolved && (!phase || inc_.is_security)) {
        missing += (missing.empty() ? "" : ", ") + to_string(m);
      }
    }
    std::stable_sort(moments.begin(), moments.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [at, name] : moments) {
      d.add("moments", TemplateData{}.set("time", format_utc(at)).set("is_" + name, true));
    }
    const auto started = milestone_at(inc_, Milestone::started);
    const TimePoint from = started.value_or(inc_.opened_at);
    bool measured = false;
    for (const auto& [m, key] :
         {std::pair{Milestone::detected, "ttd"}, std::pair{Milestone::mitigated, "ttm"},
          std::pair{Milestone::resolved, "ttr"}}) {
      const auto at = milestone_at(inc_, m);
      if (!at || *at < from) continue;
      d.set(key, format_duration(from, *at));
      measured = true;
    }
    d.set("measured", measured).set("from_start", started.has_value()).set("missing", missing);
    // For the summary's narrative: when it began, was noticed and was brought under control.
    for (const auto& [m, key] :
         {std::pair{Milestone::started, "began"}, std::pair{Milestone::detected, "detected_at"},
          std::pair{Milestone::mitigated, "mitigated_at"}}) {
      if (const auto at = milestone_at(inc_, m)) d.set(key, format_utc(*at));
    }
  }

  bool timeline(TemplateData& d) {
    for (const auto& e : inc_.ordered_timeline()) {
      if (e.hidden) continue;  // curated out on the review page (kept in the record)
      const std::string time = format_utc(e.at);
      // System entries are the bot's words around a title or resolution already checked above.
      const auto text = admit(e.text, e.source == Source::system
                                          ? std::string{}
                                          : where("timeline", TemplateData{}.set("time", time)));
      if (!text) continue;
      d.add("timeline",
            TemplateData{}
                .set("time", time)
                .set("text", *text)
                .set("source", source_label(e.source))
                .set("starred", e.starred)
                .set("retimed", e.original_at ? format_utc(*e.original_at) : std::string{}));
      if (is_impact(e)) {
        // The first impact fact also opens the summary's narrative.
        if (!d.truthy("impact")) d.set("first_impact", without_tag(*text, "impact:"));
        d.add("impact",
              TemplateData{}.set("text", without_tag(*text, "impact:")).set("time", time));
      } else if (e.source != Source::system && starts_with_icase(e.text, "trigger:") &&
                 !d.truthy("trigger")) {
        d.set("trigger", without_tag(*text, "trigger:"));
      }
    }
    bool homework = false;
    for (const auto& g : timeline_gaps(inc_)) {
      d.add("gaps", TemplateData{}
                        .set("from", format_utc(g.from))
                        .set("to", format_utc(g.to))
                        .set("length", format_duration(g.from, g.to)));
      homework = true;
    }
    return homework;
  }

  bool review(TemplateData& d) {
    std::array<int, kLastQuestion> answered{};
    for (const auto& a : answers_) {
      const std::string number = std::to_string(number_of(a.question));
      const auto text = admit(
          a.text, a.note ? where("note") : where("review", TemplateData{}.set("number", number)));
      if (!a.note) ++answered[static_cast<std::size_t>(number_of(a.question) - 1)];
      if (!text) continue;
      if (a.note) {
        d.add("notes", TemplateData{}.set("text", *text));
        continue;
      }
      TemplateData row;
      row.set("text", *text);
      if (a.question == ReviewQuestion::factor) {
        const int n = static_cast<int>(factors_.size()) + 1;
        row.set("number", std::to_string(n));
        factors_.push_back({a.text, *text});
      }
      d.add(std::string(tag_of(a.question)), row);
    }
    d.set("has_notes", d.truthy("notes")).set("has_ideas", d.truthy("prevent"));

    bool homework = false;
    // The review has started once someone ran `postmortem`; before, one reminder says so.
    const bool started = !inc_.facilitator.empty() || !inc_.postmortem_ref.empty();
    d.set("review_not_started", !started);
    homework = !started;
    for (const ReviewQuestion q : questions_for(inc_)) {
      if (!started || answered[static_cast<std::size_t>(number_of(q) - 1)] > 0) continue;
      d.add("unanswered", TemplateData{}
                              .set("number", std::to_string(number_of(q)))
                              .set("question", prompts_.raw("review." + std::string(tag_of(q)))));
      homework = true;
    }
    for (std::size_t i = 0; i < factors_.size(); ++i) {
      const int n = static_cast<int>(i) + 1;
      const auto words = key_words(factors_[i].written);
      const bool covered = std::any_of(inc_.actions.begin(), inc_.actions.end(),
                                       [&](const ActionItem& a) { return addresses(a, n, words); });
      if (covered) continue;
      d.add("uncovered",
            TemplateData{}.set("number", std::to_string(n)).set("text", factors_[i].shown));
      uncovered_.emplace_back(n, factors_[i].shown);
      homework = true;
    }
    return homework;
  }

  bool actions(TemplateData& d) {
    bool homework = false;
    for (const auto& a : inc_.actions) {
      const std::string number = std::to_string(a.number);
      const std::string text =
          admit_action(a, where("action", TemplateData{}.set("number", number)));
      d.add("actions", TemplateData{}
                           .set("number", number)
                           .set("text", text)
                           .set("owner", action_owner(a.owner, escape_))
                           .set("due", a.due ? format_date(*a.due) : std::string{})
                           .set("status", status(a)));
      if (a.owner.empty() || !a.due) {
        d.add("actions_missing", TemplateData{}
                                     .set("number", number)
                                     .set("text", text)
                                     .set("no_owner", a.owner.empty())
                                     .set("no_due", !a.due));
        homework = true;
      }
    }
    return homework;
  }

  const Incident& inc_;
  TimePoint now_;
  const Prompts& prompts_;
  const Escaper& escape_;
  Participants participants_;
  People people_;
  std::vector<ReviewAnswer> answers_;
  struct Factor {
    std::string written;  // as written: its key words match actions to it
    std::string shown;    // as the draft shows it (admit)
  };
  std::vector<Factor> factors_;  // in F1, F2… order
  std::vector<Flag> flags_;
  std::vector<int> flagged_actions_;
  std::vector<std::pair<int, std::string>> uncovered_;
  std::size_t left_out_ = 0;
};

}  // namespace

bool is_impact(const TimelineEntry& entry) {
  return entry.source != Source::system && starts_with_icase(entry.text, "impact:");
}

std::vector<TimelineGap> timeline_gaps(const Incident& incident) {
  std::vector<TimelineGap> gaps;
  auto entries = incident.ordered_timeline();
  std::erase_if(entries, [](const TimelineEntry& e) { return e.hidden; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].at - entries[i - 1].at > kTimelineGap) {
      gaps.push_back({entries[i - 1].at, entries[i].at});
    }
  }
  return gaps;
}

std::string action_owner(const std::string& owner, const Escaper& escape) {
  if (owner.empty()) return owner;
  return owner.front() == '<' || owner.front() == '@' ? markup::mention(owner) : escape(owner);
}

Document write_draft(const Incident& incident, TimePoint now, const Prompts& prompts,
                     const Escaper& escape, const DisplayNames& names) {
  Builder builder(incident, now, prompts, escape, names);
  const TemplateData data = builder.draft();
  return builder.finish(prompts.render("draft", data, escape));
}

Document write_final(const Incident& incident, TimePoint now, const Prompts& prompts,
                     const Escaper& escape, const DisplayNames& names) {
  Builder builder(incident, now, prompts, escape, names);
  TemplateData data = builder.draft();
  data.set("final", true);
  return builder.finish(prompts.render("draft", data, escape));
}

std::string write_homework(const Incident& incident, TimePoint now, const Prompts& prompts,
                           const Escaper& escape, const DisplayNames& names) {
  Builder builder(incident, now, prompts, escape, names);
  return prompts.render("homework", builder.draft(), escape);
}

Document write_lessons(const Incident& incident, TimePoint now, const Prompts& prompts,
                       const Escaper& escape, const DisplayNames& names) {
  Builder builder(incident, now, prompts, escape, names);
  const TemplateData data = builder.lessons();
  return builder.finish(prompts.render("lessons", data, escape));
}

}  // namespace incident
