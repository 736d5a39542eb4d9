#include "bot/draft.h"

#include <algorithm>
#include <cctype>

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
    case Source::pin: return "📌";
    case Source::system: return "⚙";
    case Source::thread: return "💬";
    case Source::command: return "";
  }
  return "";
}

}  // namespace

bool is_impact(const TimelineEntry& entry) {
  return entry.source != Source::system && starts_with_icase(entry.text, "impact:");
}

std::vector<TimelineGap> timeline_gaps(const Incident& incident) {
  std::vector<TimelineGap> gaps;
  auto entries = incident.ordered_timeline();
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].at - entries[i - 1].at > kTimelineGap) {
      gaps.push_back({entries[i - 1].at, entries[i].at});
    }
  }
  return gaps;
}

TemplateData draft_data(const Incident& incident, TimePoint now) {
  TemplateData d;
  const TimePoint end = incident.closed_at.value_or(now);
  d.set("id", incident.id())
      .set("title", incident.title)
      .set("severity", to_string(incident.severity))
      .set("started", format_utc(incident.opened_at))
      .set("ended", incident.closed_at ? format_utc(*incident.closed_at) : std::string{})
      .set("open", incident.is_open())
      .set("duration", format_duration(end - incident.opened_at))
      .set("resolution", incident.resolution);

  for (const auto& e : incident.ordered_timeline()) {
    TemplateData row;
    row.set("time", format_utc(e.at)).set("text", e.text).set("source", source_label(e.source));
    d.add("timeline", row);
    if (is_impact(e)) {
      std::string_view fact = e.text;
      fact.remove_prefix(std::string_view("impact:").size());
      while (!fact.empty() && fact.front() == ' ') fact.remove_prefix(1);
      d.add("impact", TemplateData{}.set("text", std::string(fact)).set("time", format_utc(e.at)));
    }
  }

  bool homework = false;
  for (const auto& a : incident.actions) {
    TemplateData row;
    row.set("number", std::to_string(a.number))
        .set("text", a.text)
        .set("owner", a.owner)
        .set("due", a.due ? format_date(*a.due) : std::string{})
        .set("status", a.done ? std::string("done") : std::string("open"));
    d.add("actions", row);
    if (a.owner.empty() || !a.due) {
      TemplateData gap;
      gap.set("number", std::to_string(a.number))
          .set("text", a.text)
          .set("no_owner", a.owner.empty())
          .set("no_due", !a.due);
      d.add("actions_missing", gap);
      homework = true;
    }
  }
  for (const auto& g : timeline_gaps(incident)) {
    d.add("gaps", TemplateData{}
                      .set("from", format_utc(g.from))
                      .set("to", format_utc(g.to))
                      .set("length", format_duration(g.to - g.from)));
    homework = true;
  }
  for (const auto& r : incident.review) {
    if (!r.deleted) d.add("review", TemplateData{}.set("text", r.text));
  }
  d.set("homework", homework);
  return d;
}

std::string render_draft(const Incident& incident, TimePoint now, const Prompts& prompts,
                         const Escaper& escape) {
  return prompts.render("draft", draft_data(incident, now), escape);
}

}  // namespace incident
