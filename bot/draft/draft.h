// The post-incident summary draft: a document built from the stored incident and rendered from
// the `draft` template in prompts/ (its sections in a fixed order, what a reader needs first:
// summary, key moments, impact, contributing factors, action items, what went well, what was
// difficult, where we got lucky, lessons learned, discussion notes, then the timeline, and last
// the facilitator's appendix: before the review meeting, blameless language check), the final
// document `publish` posts (the same without the appendix), and the lessons learned that `share`
// posts (the `lessons` template).
//
// Both are blameless by construction: every text a person wrote goes through the blameless check
// (bot/blameless/blameless.h) and through Participants::depersonalise (people become roles), and
// text about personnel or performance matters is left out altogether.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "bot/blameless/blameless.h"
#include "bot/draft/participants.h"
#include "bot/model/incident.h"
#include "bot/model/time.h"
#include "bot/text/markup.h"
#include "bot/text/prompts.h"
#include "bot/text/template.h"

namespace incident {

// A stretch of the timeline with no entry for longer than `kTimelineGap`: worth asking about in
// the review ("what was happening here?").
struct TimelineGap {
  TimePoint from{};
  TimePoint to{};
};
inline constexpr auto kTimelineGap = std::chrono::minutes{30};
std::vector<TimelineGap> timeline_gaps(const Incident& incident);

// Facts tagged as impact: a logged fact that starts with "impact:" (any case).
bool is_impact(const TimelineEntry& entry);

// A blame or personnel finding on a text the document shows: its phrase and suggestion with
// people replaced by roles, and where it is in the words of the `draft.where_*` prompts.
struct Flag {
  FindingKind kind = FindingKind::blame;
  std::string phrase;
  std::string where;  // already escaped
  std::string suggestion;
};

// A rendered document, how many texts it left out as personnel matters, and which action items
// it kept although their text raises one (actions are never left out): when there are any, the
// facilitator alone is told (the `draft.personnel_note` prompt) to handle them separately.
struct Document {
  std::string text;  // bot Markdown (bot/text/markup.h) when rendered with markup::literal
  std::size_t left_out = 0;
  std::vector<int> flagged_actions;
  std::vector<Flag> flags;  // everything the draft's "Blameless language check" lists
  // Contributing factors (F<number>) that no action item addresses, as the draft shows them.
  std::vector<std::pair<int, std::string>> uncovered_factors = {};
};

// `now` stands in for the end of an open incident. `escape` wraps every value from a person
// (markup::literal: the result is bot Markdown for markup::to_markdown / to_mrkdwn / to_matrix);
// `names` are the display names the adapters know.
Document write_draft(const Incident& incident, TimePoint now, const Prompts& prompts,
                     const Escaper& escape = markup::literal, const DisplayNames& names = {});
// The document `publish` posts: the draft without the facilitator's appendix.
Document write_final(const Incident& incident, TimePoint now, const Prompts& prompts,
                     const Escaper& escape = markup::literal, const DisplayNames& names = {});
// The draft's "Before the review meeting" list alone (one line per thing to do).
std::string write_homework(const Incident& incident, TimePoint now, const Prompts& prompts,
                           const Escaper& escape = markup::literal, const DisplayNames& names = {});
Document write_lessons(const Incident& incident, TimePoint now, const Prompts& prompts,
                       const Escaper& escape = markup::literal, const DisplayNames& names = {});

inline std::string render_draft(const Incident& incident, TimePoint now, const Prompts& prompts,
                                const Escaper& escape = markup::literal,
                                const DisplayNames& names = {}) {
  return write_draft(incident, now, prompts, escape, names).text;
}

// An action owner as typed: a mention span when it is one (`<@U1>`, `@dana`), else a team name
// passed through `escape`. Owners are the one place the draft names a person.
std::string action_owner(const std::string& owner, const Escaper& escape);

}  // namespace incident
