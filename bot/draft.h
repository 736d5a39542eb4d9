// The post-incident summary draft: a document built from the stored incident and rendered from
// the `draft` template in prompts/.
#pragma once

#include <string>
#include <vector>

#include "model.h"
#include "prompts.h"
#include "template.h"
#include "time.h"

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

// The data the `draft` template sees. `now` stands in for the end of an open incident.
TemplateData draft_data(const Incident& incident, TimePoint now);

std::string render_draft(const Incident& incident, TimePoint now, const Prompts& prompts,
                         const Escaper& escape = no_escape);

}  // namespace incident
