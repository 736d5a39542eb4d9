// The "is this safe?" advisor: what a DM is about, from rules over the words people actually
// use. Pure: the answers themselves are prompts (prompts/advisor.txt), one per topic.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model.h"

namespace incident {

enum class Topic {
  phishing,            // a suspicious link, email or attachment
  password_entered,    // a password or code typed into a suspicious page
  malware,             // malware, an odd pop-up, a machine acting strangely
  lost_device,         // a lost or stolen laptop, phone, security key
  secret_exposed,      // a token, key or password pasted somewhere public
  social_engineering,  // a suspicious call or message asking for something
  change_safety,       // "is it safe to restart/deploy X?" (during an open incident)
  general,             // anything else: a warm general answer
};

std::string to_string(Topic topic);  // "phishing", "password_entered", …
std::optional<Topic> topic_from_string(std::string_view text);

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
