// The review page's HTML, built from plain values with no I/O: every value from a person or a
// platform is escaped (html.h); our markup is literal text here and nowhere else.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bot/blameless/blameless.h"
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
// What the incident list is narrowed to (GET /?state=open&q=checkout).
struct ListFilter {
  std::string state;  // "", "open" or "closed"
  std::string text;   // in the id or the title, any case
  bool matches(const IncidentSummary& row) const;
};

// GET /: the incidents the viewer may see, as `filter` narrows them.
std::string list_page(const std::vector<IncidentSummary>& incidents, const ListFilter& filter,
                      const Viewer& viewer, TimePoint now);
// A draft section as the page edits it: its key, the text in the box (the stored rewrite, else
// the generated section), its version, and what the blameless check finds in that text.
struct SectionForm {
  std::string key;
  std::string text;
  std::int64_t version = 0;
  bool edited = false;
  std::vector<Finding> findings;
};

// GET /incidents/INC-n: the record and the draft as the bot renders it (`draft_html`, already
// safe HTML from bot Markdown); with `sections`, the forms that rewrite them and curate the
// timeline (the viewer may write).
// What the incident page shows beside the record: where each timeline entry's message is on the
// platform (seq -> link), and the contributing factors no action item addresses yet (F<n>, the
// text as bot Markdown).
struct Annotations {
  std::map<std::int64_t, std::string> links;
  std::vector<std::pair<int, std::string>> uncovered_factors;
};
std::string incident_page(const Incident& incident, const std::string& draft_html,
                          const std::vector<SectionForm>& sections, const Viewer& viewer,
                          TimePoint now, const Annotations& notes = {});
// What a Start review or Publish press did: the bot's answer to the caller (plain Markdown
// lines), and the way back.
std::string result_page(const Incident& incident, const std::string& title, const std::string& said,
                        const Viewer& viewer);
// 409: someone saved the section meanwhile; theirs is shown, yours stays in the box.
std::string conflict_page(const Incident& incident, const std::string& key,
                          const std::string& yours, const SectionText& theirs,
                          const Viewer& viewer);
// The findings of a text as JSON for the live check: {"findings": [{"kind","phrase","offset",
// "length","suggestion"}]}, offsets in bytes; with `version`, also the section's new version (a
// save from the page's script).
std::string findings_json(const std::vector<Finding>& findings,
                          std::optional<std::int64_t> version = std::nullopt);

// Timeline gaps longer than this are shown between the entries.
inline constexpr std::chrono::minutes kGap{30};

}  // namespace incident::web
