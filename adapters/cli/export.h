// `incident-bot list` and `incident-bot export`: the stored incidents for people and scripts.
#pragma once

#include <optional>
#include <string>

#include "bot/model/incident.h"

namespace incident {

// The JSON document of deploy/README.md's "Export format": the incident, every timeline entry
// (deleted ones flagged) and every action, times in ISO-8601 UTC.
std::string export_json(const Incident& incident);

// "INC-12" or "12" -> 12.
std::optional<std::int64_t> parse_incident_id(const std::string& text);

}  // namespace incident
