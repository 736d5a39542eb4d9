#include "adapters/web/pages.h"

#include <cctype>
#include <string_view>

#include "adapters/web/assets.h"
#include "adapters/web/html.h"
#include "bot/model/time.h"
#include "bot/text/markup.h"

namespace incident::web {

namespace {

std::string asset_path(std::string_view file) {
  for (const Asset& a : assets()) {
    if (a.file == file) return "/assets/" + std::string(a.name);
  }
  return "/assets/" + std::string(file);
}

std::string time_tag(TimePoint t) {
  return "<time datetime=\"" + escape(format_iso(t)) + "\">" + escape(format_utc(t)) + "</time>";
}

std::string state_of(Status s) {
  return s == Status::open ? "<span class=\"state open\">open</span>"
                           : "<span class=\"state\">closed</span>";
}

std::string incident_link(std::int64_t number) {
  const std::string id = incident_id(number);
  return "<a href=\"/incidents/" + escape(id) + "\">" + escape(id) + "</a>";
}

}  // namespace

std::string page(const std::string& title, const std::string& body,
                 const std::optional<Viewer>& viewer) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"same-origin\">\n<title>" +
      escape(title) + " · incident-bot</title>\n<link rel=\"stylesheet\" href=\"" +
      asset_path("style.css") + "\">\n<script src=\"" + asset_path("app.js") +
      "\" defer></script>\n</head>\n<body>\n"
      "<a class=\"skip\" href=\"#main\">Skip to the content</a>\n"
      "<header class=\"site\"><a class=\"home\" href=\"/\">incident-bot review</a>";
  if (viewer) {
    out += "<form method=\"post\" action=\"/logout\"><span class=\"muted\">" +
           escape(viewer->user) + " (" + escape(viewer->platform) +
           ")</span> <input type=\"hidden\" name=\"csrf\" value=\"" + escape(viewer->csrf) +
           "\"><button class=\"quiet\" type=\"submit\">Sign out</button></form>";
  }
  out += "</header>\n<main id=\"main\">\n" + body +
         "</main>\n<footer class=\"site\"><p class=\"muted\">What happened, never who.</p>"
         "</footer>\n</body>\n</html>\n";
  return out;
}

std::string continue_page(const std::string& token) {
  return page("Sign in",
              "<h1>Sign in to the review page</h1>\n"
              "<p>This link signs you in once. Continue to open the incident's review page.</p>\n"
              "<form method=\"post\" action=\"/login\">"
              "<input type=\"hidden\" name=\"token\" value=\"" +
                  escape(token) + "\"><button type=\"submit\">Continue</button></form>\n",
              std::nullopt);
}

std::string message_page(const std::string& title, const std::string& text,
                         const std::optional<Viewer>& viewer, bool bad) {
  return page(title,
              "<h1>" + escape(title) + "</h1>\n<p class=\"notice" + (bad ? " bad" : "") +
                  "\" role=\"status\">" + escape(text) + "</p>\n",
              viewer);
}

bool ListFilter::matches(const IncidentSummary& row) const {
  if (state == "open" && row.status != Status::open) return false;
  if (state == "closed" && row.status != Status::closed) return false;
  if (text.empty()) return true;
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string wanted = lower(text);
  return lower(row.title).find(wanted) != std::string::npos ||
         lower(incident_id(row.number)) == wanted;
}

std::string list_page(const std::vector<IncidentSummary>& incidents, const ListFilter& filter,
                      const Viewer& viewer, TimePoint now) {
  std::string body = "<h1>Incidents</h1>\n";
  auto option = [&](const char* value, const char* label) {
    return std::string("<option value=\"") + value + "\"" +
           (filter.state == value ? " selected" : "") + ">" + label + "</option>";
  };
  body +=
      "<form class=\"filter\" method=\"get\" action=\"/\"><label for=\"q\">Title or id</label>"
      "<input id=\"q\" name=\"q\" value=\"" +
      escape(filter.text) +
      "\"><label for=\"state\">State</label><select id=\"state\" name=\"state\">" +
      option("", "all") + option("open", "open") + option("closed", "closed") +
      "</select><button type=\"submit\">Filter</button></form>\n";
  if (incidents.empty()) {
    body += filter.text.empty() && filter.state.empty()
                ? "<p role=\"status\">No incident you can see yet: the list shows the incidents of "
                  "the channels you are in.</p>\n"
                : "<p role=\"status\">No incident matches.</p>\n";
    return page("Incidents", body, viewer);
  }
  body +=
      "<table>\n<caption class=\"muted\">The incidents of the channels you are in, newest "
      "first.</caption>\n<thead><tr><th scope=\"col\">Incident</th><th scope=\"col\">Title</th>"
      "<th scope=\"col\">Severity</th><th scope=\"col\">State</th><th scope=\"col\">Started</th>"
      "<th scope=\"col\">Ended</th><th scope=\"col\">Duration</th>"
      "<th scope=\"col\">Review</th><th scope=\"col\">Open actions</th></tr></thead>\n"
      "<tbody>\n";
  for (auto it = incidents.rbegin(); it != incidents.rend(); ++it) {
    const IncidentSummary& s = *it;
    body += "<tr><td>" + incident_link(s.number) + "</td><td>" + escape(s.title) + "</td><td>" +
            escape(to_string(s.severity)) + "</td><td>" + state_of(s.status) +
            "</td><td class=\"when\">" + time_tag(s.opened_at) + "</td><td class=\"when\">" +
            (s.closed_at ? time_tag(*s.closed_at) : std::string("—")) + "</td><td>" +
            escape(format_duration(s.opened_at, s.closed_at.value_or(now))) + "</td><td>" +
            escape(s.review_state) + "</td><td>" + std::to_string(s.open_actions) + " of " +
            std::to_string(s.actions) + "</td></tr>\n";
  }
  body += "</tbody>\n</table>\n";
  return page("Incidents", body, viewer);
}

std::string findings_list(const std::string& key, const std::vector<Finding>& findings) {
  std::string out =
      "<ul class=\"findings\" id=\"findings-" + escape(key) + "\" aria-live=\"polite\">";
  for (const Finding& f : findings) {
    if (f.kind == FindingKind::person) continue;  // names become roles in the draft anyway
    out += "<li class=\"" + escape(to_string(f.kind)) + "\"><strong>" + escape(to_string(f.kind)) +
           "</strong> “" + escape(f.phrase) + "” — " + escape(f.suggestion) + "</li>";
  }
  return out + "</ul>";
}

std::string section_forms(const Incident& inc, const std::vector<SectionForm>& sections,
                          const Viewer& viewer) {
  if (sections.empty()) return {};
  const std::string base = "/incidents/" + escape(inc.id());
  std::string out =
      "<h2 id=\"edit\">Edit the draft</h2>\n<p class=\"muted\">Each section starts as the bot "
      "generated it. What you save replaces it in the draft, in <code>draft</code> and in the "
      "exports; one line is one item. The blameless check runs as you type and after each "
      "save.</p>\n";
  for (const SectionForm& s : sections) {
    const std::string id = "section-" + escape(s.key);
    out += "<section class=\"edit\" aria-labelledby=\"" + id + "-title\"><h3 id=\"" + id +
           "-title\">" + escape(section_title(s.key)) +
           (s.edited ? " <span class=\"state\">edited</span>" : "") +
           "</h3>\n<form method=\"post\" action=\"" + base + "/sections/" + escape(s.key) +
           "\" data-edit>\n<label for=\"" + id + "\">" + escape(section_title(s.key)) +
           " (Markdown, one item per line)</label>\n<textarea id=\"" + id +
           "\" name=\"text\" rows=\"6\" data-check=\"" + base +
           "/check\" data-findings=\"findings-" + escape(s.key) + "\">" + escape(s.text) +
           "</textarea>\n<input type=\"hidden\" name=\"version\" value=\"" +
           std::to_string(s.version) + "\"><input type=\"hidden\" name=\"csrf\" value=\"" +
           escape(viewer.csrf) + "\">\n<button type=\"submit\">Save</button>";
    out += " <span class=\"muted\" role=\"status\" data-saved></span>";
    if (s.edited) {
      out +=
          " <button class=\"quiet\" type=\"submit\" name=\"reset\" value=\"1\">Reset to "
          "generated</button>";
    }
    out += "\n</form>\n" + findings_list(s.key, s.findings) + "\n</section>\n";
  }
  return out;
}

// An action item's fields (number 0: a new one), with the same rules as the `action` command.
std::string action_form(const Incident& inc, const ActionItem& a, const Viewer& viewer) {
  const bool add = a.number == 0;
  const std::string n = add ? std::string("new") : std::to_string(a.number);
  const std::string id = "action-" + n + "-";
  std::string out = add ? std::string() : std::string("<details><summary>Edit</summary>");
  out += "<form method=\"post\" action=\"/incidents/" + escape(inc.id()) + "/actions/" + n +
         "\" data-edit><label for=\"" + id + "text\">Action</label><input id=\"" + id +
         "text\" name=\"text\" value=\"" + escape(a.text) + "\" required><label for=\"" + id +
         "owner\">Owner (a person or a team)</label><input id=\"" + id +
         "owner\" name=\"owner\" value=\"" + escape(a.owner) + "\"><label for=\"" + id +
         "due\">Due (YYYY-MM-DD)</label><input id=\"" + id + "due\" name=\"due\" value=\"" +
         escape(a.due ? format_date(*a.due) : std::string()) + "\">";
  if (!add) {
    out += "<label><input type=\"checkbox\" name=\"done\" value=\"1\"" +
           std::string(a.done ? " checked" : "") + "> Done</label>";
  }
  out += "<input type=\"hidden\" name=\"version\" value=\"" + std::to_string(a.version) +
         "\"><input type=\"hidden\" name=\"csrf\" value=\"" + escape(viewer.csrf) +
         "\"><button type=\"submit\">" + (add ? "Add" : "Save") + "</button></form>";
  if (!add) out += "</details>";
  return out;
}

// The curation of one entry: hide it from the draft, star it, re-time it, fix its text (the
// bot's own entries keep their words).
std::string entry_form(const Incident& inc, const TimelineEntry& e, const Viewer& viewer) {
  const std::string seq = std::to_string(e.seq);
  const std::string id = "entry-" + seq + "-";
  std::string time = format_utc(e.at);  // "2026-11-29 14:05 UTC"
  if (time.size() > 4) time.resize(time.size() - 4);
  std::string out = "<details><summary>Edit</summary><form method=\"post\" action=\"/incidents/" +
                    escape(inc.id()) + "/entries/" + seq + "\" data-edit>";
  out += "<label><input type=\"checkbox\" name=\"hidden\" value=\"1\"" +
         std::string(e.hidden ? " checked" : "") +
         "> Hide from the draft</label> <label><input type=\"checkbox\" name=\"starred\" "
         "value=\"1\"" +
         std::string(e.starred ? " checked" : "") + "> Key moment</label>";
  out += "<label for=\"" + id + "at\">Time (UTC, YYYY-MM-DD HH:MM)</label><input id=\"" + id +
         "at\" name=\"at\" value=\"" + escape(time) + "\">";
  if (e.source != Source::system) {
    out += "<label for=\"" + id + "text\">Text</label><textarea id=\"" + id +
           "text\" name=\"text\" rows=\"2\">" + escape(e.text) + "</textarea>";
  }
  out += "<input type=\"hidden\" name=\"csrf\" value=\"" + escape(viewer.csrf) +
         "\"><button type=\"submit\">Save</button></form></details>";
  return out;
}

namespace {

// Where the post-mortem stands, and for a writer the buttons that move it on: Start the review
// (the `postmortem` thread) and Publish (`publish confirm`), which waits for the close and for
// every personnel matter in a rewritten section to be reworded.
std::string review_box(const Incident& inc, const std::vector<SectionForm>& sections,
                       const Viewer& viewer) {
  const std::string base = "/incidents/" + escape(inc.id());
  const std::string state = review_state(inc);
  std::string out = "<h2 id=\"review\">Review</h2>\n<p>This post-mortem is <strong>" +
                    escape(state) + "</strong>";
  if (inc.published_at) out += " (last on " + time_tag(*inc.published_at) + ")";
  out += ".</p>\n";
  if (sections.empty()) return out;  // a reader
  const std::string csrf =
      "<input type=\"hidden\" name=\"csrf\" value=\"" + escape(viewer.csrf) + "\">";
  if (inc.postmortem_ref.empty() && inc.facilitator.empty()) {
    out += "<form method=\"post\" action=\"" + base + "/review\">" + csrf +
           "<button type=\"submit\">Start the review</button> <span class=\"muted\">posts "
           "the review questions in the incident's channel, with you as facilitator</span>"
           "</form>\n";
  }
  std::vector<std::string> held;
  if (!inc.leads_review(viewer.user)) {
    held.push_back("only the commander, the scribe or the facilitator publishes");
  }
  if (inc.is_open()) held.push_back("the incident is still open: close it first");
  for (const SectionForm& f : sections) {
    for (const Finding& finding : f.findings) {
      if (finding.kind != FindingKind::personnel) continue;
      held.push_back("“" + section_title(f.key) +
                     "” raises a personnel matter: reword it below (it belongs with a manager "
                     "or HR)");
      break;
    }
  }
  out += "<form method=\"post\" action=\"" + base + "/publish\">" + csrf +
         "<button type=\"submit\"" + (held.empty() ? "" : " disabled aria-describedby=\"held\"") +
         ">" + (inc.published_at ? "Publish again" : "Publish") +
         "</button> <span class=\"muted\">posts the draft below to the incident's channel as a "
         "Markdown file, and the lessons learned to the lessons channel</span></form>\n";
  if (!held.empty()) {
    out += "<ul id=\"held\" class=\"notice bad\">";
    for (const auto& h : held) out += "<li>Publishing waits: " + escape(h) + "</li>";
    out += "</ul>\n";
  }
  return out;
}

}  // namespace

std::string incident_page(const Incident& inc, const std::string& draft_html,
                          const std::vector<SectionForm>& sections, const Viewer& viewer,
                          TimePoint now, const Annotations& notes) {
  const auto& links = notes.links;
  const bool writer = !sections.empty();
  const std::string id = inc.id();
  std::string body = "<h1>" + escape(id) + ": " + escape(inc.title) + "</h1>\n";
  body += "<dl class=\"facts\"><div><dt>State</dt><dd>" + state_of(inc.status) +
          "</dd></div><div><dt>Severity</dt><dd>" + escape(to_string(inc.severity)) +
          "</dd></div><div><dt>Started</dt><dd>" + time_tag(inc.opened_at) + "</dd></div>";
  if (inc.closed_at) {
    body += "<div><dt>Ended</dt><dd>" + time_tag(*inc.closed_at) + "</dd></div>";
  }
  body += "<div><dt>Duration</dt><dd>" +
          escape(format_duration(inc.opened_at, inc.closed_at.value_or(now))) +
          "</dd></div></dl>\n";
  body += "<nav class=\"downloads\" aria-label=\"Downloads\"><a href=\"/incidents/" + escape(id) +
          "/export.md\" download>Download Markdown</a><a href=\"/incidents/" + escape(id) +
          "/export.json\" download>Download JSON</a></nav>\n";

  body += "<div id=\"review-box\">" + review_box(inc, sections, viewer) + "</div>\n";
  body += "<h2 id=\"timeline\">Timeline</h2>\n";
  const auto entries = inc.ordered_timeline_with_deleted();
  if (entries.empty()) {
    body += "<p>No timeline entries yet.</p>\n";
  } else {
    body +=
        "<table>\n<thead><tr><th scope=\"col\">When (UTC)</th><th scope=\"col\">Source</th>"
        "<th scope=\"col\">Entry</th></tr></thead>\n<tbody>\n";
    std::optional<TimePoint> previous;
    for (const TimelineEntry& e : entries) {
      if (previous && !e.deleted && e.at - *previous > kGap) {
        body += "<tr class=\"gap\"><td colspan=\"3\">" + escape(format_duration(*previous, e.at)) +
                " with no entry: what happened in between?</td></tr>\n";
      }
      std::string cls = e.deleted ? "deleted" : e.hidden ? "hidden" : "";
      body +=
          "<tr" + (cls.empty() ? std::string() : " class=\"" + cls + "\"") + " id=\"entry-" +
          std::to_string(e.seq) + "\"><td class=\"when\">" + time_tag(e.at) +
          (e.original_at ? "<br><span class=\"muted\">re-timed from " +
                               escape(format_utc(*e.original_at)) + "</span>"
                         : std::string()) +
          "</td><td>" +
          (links.count(e.seq) ? "<a href=\"" + escape(links.at(e.seq)) + "\" rel=\"noreferrer\">" +
                                    escape(to_string(e.source)) + "</a>"
                              : escape(to_string(e.source))) +
          "</td><td>" +
          (e.starred ? "<span class=\"star\" aria-label=\"key moment\">★</span> " : "") +
          escape(e.text) +
          (e.deleted ? " <span class=\"muted\">(deleted on the platform)</span>" : "") +
          (e.hidden ? " <span class=\"muted\">(hidden from the draft)</span>" : "") +
          (writer && !e.deleted ? entry_form(inc, e, viewer) : std::string()) + "</td></tr>\n";
      if (!e.deleted) previous = e.at;
    }
    body += "</tbody>\n</table>\n";
  }

  body += "<h2 id=\"actions\">Action items</h2>\n";
  if (inc.actions.empty()) body += "<p>No action items yet.</p>\n";
  if (!inc.actions.empty()) {
    body +=
        "<table>\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Action</th>"
        "<th scope=\"col\">Owner</th><th scope=\"col\">Due</th><th scope=\"col\">State</th>"
        "</tr></thead>\n<tbody>\n";
    for (const ActionItem& a : inc.actions) {
      body += "<tr id=\"action-" + std::to_string(a.number) + "\"><td>" + std::to_string(a.number) +
              "</td><td>" + escape(a.text) +
              (writer ? action_form(inc, a, viewer) : std::string()) + "</td><td>" +
              escape(a.owner.empty() ? std::string("—") : a.owner) + "</td><td>" +
              escape(a.due ? format_date(*a.due) : std::string("—")) + "</td><td>" +
              (a.done ? "done" : "open") + "</td></tr>\n";
    }
    body += "</tbody>\n</table>\n";
  }
  if (!notes.uncovered_factors.empty()) {
    body +=
        "<h3 id=\"uncovered\">Contributing factors without a prevention action</h3>\n<p>An "
        "action addresses F2 when its text says <code>F2</code> or shares its key words.</p>\n"
        "<ul>";
    for (const auto& [number, text] : notes.uncovered_factors) {
      body += "<li>F" + std::to_string(number) + ": " + escape(markup::to_markdown(text)) + "</li>";
    }
    body += "</ul>\n";
  }
  if (writer) body += "<h3>Add an action item</h3>\n" + action_form(inc, ActionItem{}, viewer);

  body += section_forms(inc, sections, viewer);
  body +=
      "<h2 id=\"draft\">Draft</h2>\n<p class=\"muted\">As the bot posts it: people by role, "
      "never by name.</p>\n<div class=\"draft\" id=\"draft-text\">" +
      draft_html + "</div>\n";
  return page(id + " " + inc.title, body, viewer);
}

std::string result_page(const Incident& inc, const std::string& title, const std::string& said,
                        const Viewer& viewer) {
  std::string body = "<h1>" + escape(title) + ": " + escape(inc.id()) +
                     "</h1>\n<div class=\"notice\" role=\"status\">";
  std::string_view rest = said;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (!line.empty()) body += "<p>" + escape(std::string(line)) + "</p>";
  }
  body += "</div>\n<p><a href=\"/incidents/" + escape(inc.id()) + "#review\">Back to " +
          escape(inc.id()) + "</a></p>\n";
  return page(title + " " + inc.id(), body, viewer);
}

std::string conflict_page(const Incident& inc, const std::string& key, const std::string& yours,
                          const SectionText& theirs, const Viewer& viewer) {
  const std::string base = "/incidents/" + escape(inc.id());
  std::string body = "<h1>" + escape(section_title(key)) + " was saved meanwhile</h1>\n";
  body +=
      "<p class=\"notice bad\" role=\"status\">Someone saved this section while you were "
      "editing it. Their text is below, and yours is still in the box: nothing you typed is "
      "lost. Save again to replace theirs with yours.</p>\n<h2>Their text (version " +
      std::to_string(theirs.version) + ")</h2>\n<pre class=\"theirs\">" +
      escape(theirs.text.empty() ? std::string("(the generated section)") : theirs.text) +
      "</pre>\n<h2>Your text</h2>\n<form method=\"post\" action=\"" + base + "/sections/" +
      escape(key) + "\" data-edit>\n<label for=\"yours\">" + escape(section_title(key)) +
      "</label>\n<textarea id=\"yours\" name=\"text\" rows=\"8\">" + escape(yours) +
      "</textarea>\n<input type=\"hidden\" name=\"version\" value=\"" +
      std::to_string(theirs.version) + "\"><input type=\"hidden\" name=\"csrf\" value=\"" +
      escape(viewer.csrf) + "\">\n<button type=\"submit\">Save mine</button> <a href=\"" + base +
      "#section-" + escape(key) + "\">Keep theirs</a>\n</form>\n";
  return page(inc.id() + " " + section_title(key), body, viewer);
}

std::string findings_json(const std::vector<Finding>& findings,
                          std::optional<std::int64_t> version) {
  auto str = [](std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (u < 0x20 || c == '<' || c == '>' || c == '&') {
        out += "\\u00";
        out += kHex[u >> 4];
        out += kHex[u & 15];
      } else {
        out += c;
      }
    }
    return out + "\"";
  };
  std::string out = "{";
  if (version) out += "\"version\":" + std::to_string(*version) + ",";
  out += "\"findings\":[";
  bool first = true;
  for (const Finding& f : findings) {
    if (f.kind == FindingKind::person) continue;
    if (!first) out += ",";
    first = false;
    out += "{\"kind\":" + str(to_string(f.kind)) + ",\"phrase\":" + str(f.phrase) +
           ",\"offset\":" + std::to_string(f.offset) + ",\"length\":" + std::to_string(f.length) +
           ",\"suggestion\":" + str(f.suggestion) + "}";
  }
  return out + "]}\n";
}

}  // namespace incident::web
