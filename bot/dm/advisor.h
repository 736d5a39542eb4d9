// The "is this safe?" advisor: what a DM is about, from rules over the words people actually
// use. Pure: the answers themselves are prompts (prompts/advisor.txt), one per topic.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/model/escalation.h"
#include "bot/model/incident.h"

namespace incident {

// The topic of a question. Every rule that fires adds its weight; the highest total wins, ties
// going to the topic whose advice covers more (a typed password over the link that led to it).
Topic classify(std::string_view question);

// Whether an incident's title or channel shares a telling word with the question
// ("restart payments-api" → "Payments API errors").
bool relates_to(std::string_view question, const OpenIncident& incident);
// The open incidents to point a change-safety question at, related ones first.
std::vector<OpenIncident> relevant_incidents(std::string_view question,
                                             std::vector<OpenIncident> incidents);

// Lower-case words of `text`, as the rules see them: apostrophes dropped ("can't" → "cant"),
// every other non-alphanumeric a separator, and a `#channel` reference read as
// "channel <name>". Exposed for tests.
std::vector<std::string> words_of(std::string_view text);

}  // namespace incident
