// Who took part in an incident, and how the draft speaks of them: by role, never by name, as a
// blameless review focuses on what happened, not on who did it. The draft runs every text it
// quotes through `depersonalise`; action-item owners are the one place a person is named.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bot/blameless/blameless.h"
#include "bot/model/incident.h"
#include "bot/text/prompts.h"

namespace incident {

// Platform user id -> display name ("U123" -> "Dana Scully", "@dana:example.org" -> "Dana"),
// as far as the adapters know them (Context::display_names).
using DisplayNames = std::map<std::string, std::string>;

class Participants {
 public:
  // Participants are the role holders, the facilitator, and everyone who wrote a timeline entry,
  // a pinned message, a review reply or an action item. Role wording comes from the `role.*`
  // prompts: the current commander, communications lead and scribe by their role, the first
  // commander after a hand-over as the previous one, everyone else as a responder.
  Participants(const Incident& incident, const DisplayNames& display_names, const Prompts& prompts);

  // How the draft refers to a user (any form user_key accepts).
  std::string role_of(std::string_view user) const;

  // `text` with every mention — `<@U1>`, `<@U1|dana>`, `@dana`, `@dana:example.org`, matrix.to
  // links (bare, Markdown or HTML) — and every known participant name (display name, first name,
  // login, Matrix localpart; whole words, any case, with or without diacritics: "Zoë", "ZOË",
  // "Zoe") replaced by that person's role. A possessive loses its owner with the name: "dana's
  // change" becomes "a change", not "the commander's change". Unknown
  // mentions become "a responder"; `@channel`, `@here`, `@everyone` and `@room` stay.
  // `strangers` are names nobody introduced that the blameless checker recognised as people
  // ("Bob forgot to renew the cert"): matched as written, whole words, they become "a responder".
  std::string depersonalise(std::string_view text,
                            const std::vector<std::string>& strangers = {}) const;

  // The known names, for the blameless checker.
  People people() const;

 private:
  std::string label_for_mention(std::string_view id) const;

  std::map<std::string, std::string> labels_;               // user key -> role wording
  std::vector<std::pair<std::string, std::string>> names_;  // name -> role wording, longest first
  std::vector<std::string> folded_;                         // fold_name of each of names_
  std::string responder_;
};

}  // namespace incident
