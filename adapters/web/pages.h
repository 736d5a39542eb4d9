// The review page's HTML, built from plain values with no I/O: every value from a person or a
// platform is escaped (html.h); our markup is literal text here and nowhere else.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bot/model/incident.h"
#include "bot/model/review_store.h"

namespace incident::web {

// Who is signed in, for the page header (its sign-out form carries the CSRF token).
struct Viewer {
  std::string platform;
  std::string user;
  std::string csrf;
};

// A whole page: head with the embedded stylesheet and script, a header, `body` inside <main>.
std::string page(const std::string& title, const std::string& body,
                 const std::optional<Viewer>& viewer);

// GET /login/<token>: nothing happens until the button posts the token back.
std::string continue_page(const std::string& token);
// A short page with one message (signed out, a used link, not found).
std::string message_page(const std::string& title, const std::string& text,
                         const std::optional<Viewer>& viewer, bool bad = false);
// GET /: the incidents the viewer may see.
std::string list_page(const std::vector<IncidentSummary>& incidents, const Viewer& viewer,
                      TimePoint now);
// GET /incidents/INC-n: the record and the draft as the bot renders it (`draft_html`, already
// safe HTML from bot Markdown).
std::string incident_page(const Incident& incident, const std::string& draft_html,
                          const Viewer& viewer, TimePoint now);

// Timeline gaps longer than this are shown between the entries.
inline constexpr std::chrono::minutes kGap{30};

}  // namespace incident::web
