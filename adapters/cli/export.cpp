#include "adapters/cli/export.h"

#include <nlohmann/json.hpp>

#include "bot/text/markup.h"

namespace incident {
namespace {

nlohmann::json optional_time(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(format_iso(*t)) : nlohmann::json(nullptr);
}
// Every text a person wrote, as data: no bidi or zero-width tricks survive into the export.
std::string text(const std::string& s) {
  return markup::plain(s);
}
nlohmann::json optional_text(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(text(s));
}

}  // namespace

std::string export_json(const Incident& inc) {
  nlohmann::json roles = nlohmann::json::object();
  for (const auto& [role, user] : inc.roles) roles[to_string(role)] = text(user);

  nlohmann::json timeline = nlohmann::json::array();
  for (const auto& e : inc.ordered_timeline_with_deleted()) {
    timeline.push_back({{"seq", e.seq},
                        {"time", format_iso(e.at)},
                        {"source", to_string(e.source)},
                        {"author", text(e.author)},
                        {"text", text(e.text)},
                        {"message_ref", optional_text(e.message_ref)},
                        {"deleted", e.deleted},
                        {"hidden", e.hidden},
                        {"starred", e.starred},
                        {"original_time", optional_time(e.original_at)}});
  }
  nlohmann::json actions = nlohmann::json::array();
  for (const auto& a : inc.actions) {
    actions.push_back(
        {{"number", a.number},
         {"text", text(a.text)},
         {"owner", optional_text(a.owner)},
         {"due", a.due ? nlohmann::json(format_date(*a.due)) : nlohmann::json(nullptr)},
         {"status", a.done ? "done" : "open"},
         {"created_at", format_iso(a.created_at)}});
  }
  nlohmann::json notifications = nlohmann::json::array();
  for (const auto& n : inc.notifications) {
    notifications.push_back({{"number", n.number},
                             {"who", text(n.who)},
                             {"by", format_iso(n.by)},
                             {"done_at", optional_time(n.done_at)},
                             {"created_at", format_iso(n.created_at)}});
  }
  nlohmann::json review = nlohmann::json::array();
  for (const auto& r : inc.review) {
    if (r.deleted) continue;
    review.push_back({{"time", format_iso(r.at)}, {"text", text(r.text)}});
  }
  // Sections rewritten on the review page (the draft shows them instead of the generated ones),
  // and every change made there.
  nlohmann::json sections = nlohmann::json::object();
  for (const auto& [key, s] : inc.sections) {
    if (s.text.empty()) continue;
    sections[key] = {{"text", text(s.text)},
                     {"version", s.version},
                     {"by", text(s.by)},
                     {"time", format_iso(s.at)}};
  }
  nlohmann::json edits = nlohmann::json::array();
  for (const auto& e : inc.edits) {
    edits.push_back({{"time", format_iso(e.at)},
                     {"user", text(e.user)},
                     {"what", e.what},
                     {"old_version", e.old_version},
                     {"new_version", e.new_version}});
  }
  nlohmann::json reminders = nlohmann::json::array();
  for (const auto& r : inc.reminders) {
    reminders.push_back({{"kind", to_string(r.kind)},
                         {"action", r.item ? nlohmann::json(r.item) : nlohmann::json(nullptr)},
                         {"due", format_iso(r.due)},
                         {"time", format_iso(r.at)}});
  }
  // Every milestone, null when not recorded (resolved: the close, unless set).
  nlohmann::json milestones = nlohmann::json::object();
  for (const Milestone m : kMilestones)
    milestones[to_string(m)] = optional_time(milestone_at(inc, m));
  auto severity_json = [](Severity s) {
    return s == Severity::unset ? nlohmann::json(nullptr) : nlohmann::json(to_string(s));
  };
  nlohmann::json doc = {
      {"id", inc.id()},
      {"number", inc.number},
      {"platform", inc.platform},
      {"channel", inc.channel},
      {"declared_in",
       inc.declared_in.empty() ? nlohmann::json(nullptr) : nlohmann::json(inc.declared_in)},
      {"title", text(inc.title)},
      {"severity", severity_json(inc.severity)},
      {"peak_severity", severity_json(inc.peak_severity)},
      {"private", inc.is_private},
      {"type", inc.is_security ? "security" : "standard"},
      {"milestones", milestones},
      {"status", to_string(inc.status)},
      {"opened_at", format_iso(inc.opened_at)},
      {"closed_at", optional_time(inc.closed_at)},
      {"resolution", optional_text(inc.resolution)},
      {"review_state", review_state(inc)},
      {"published_at", optional_time(inc.published_at)},
      {"roles", roles},
      {"timeline", timeline},
      {"actions", actions},
      {"notifications", notifications},
      {"review", review},
      {"sections", sections},
      {"edits", edits},
      {"review_at", optional_time(inc.review_at)},
      {"review_started_at", optional_time(inc.review_started_at)},
      {"reminders_off", inc.reminders_off},
      {"reminders", reminders},
  };
  return doc.dump(2) + "\n";
}

std::optional<std::int64_t> parse_incident_id(const std::string& text) {
  std::string digits = text;
  if (digits.size() > 4 && (digits.rfind("INC-", 0) == 0 || digits.rfind("inc-", 0) == 0)) {
    digits = digits.substr(4);
  }
  if (digits.empty() || digits.size() > 18 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const std::int64_t n = std::stoll(digits);
  if (n <= 0) return std::nullopt;
  return n;
}

}  // namespace incident
