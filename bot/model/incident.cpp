#include "bot/model/incident.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace incident {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// One table per enum keeps the spelling in one place for both directions.
template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view s) {
  for (const auto& [value, name] : table) {
    if (iequals(name, s)) return value;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return std::string(name);
  }
  return "unknown";
}

constexpr std::array<std::pair<Severity, std::string_view>, 5> kSeverities{{
    {Severity::sev1, "sev1"},
    {Severity::sev2, "sev2"},
    {Severity::sev3, "sev3"},
    {Severity::sev4, "sev4"},
    {Severity::unset, "unset"},
}};
constexpr std::array<std::pair<Role, std::string_view>, 3> kRoles{{
    {Role::commander, "commander"},
    {Role::comms, "comms"},
    {Role::scribe, "scribe"},
}};
constexpr std::array<std::pair<Status, std::string_view>, 2> kStatuses{{
    {Status::open, "open"},
    {Status::closed, "closed"},
}};
constexpr std::array<std::pair<Source, std::string_view>, 4> kSources{{
    {Source::command, "command"},
    {Source::pin, "pin"},
    {Source::system, "system"},
    {Source::thread, "thread"},
}};

}  // namespace

std::string user_key(std::string_view user) {
  while (!user.empty() && std::isspace(static_cast<unsigned char>(user.front()))) {
    user.remove_prefix(1);
  }
  while (!user.empty() && std::isspace(static_cast<unsigned char>(user.back()))) {
    user.remove_suffix(1);
  }
  if (user.size() > 3 && user.substr(0, 2) == "<@" && user.back() == '>') {
    user = user.substr(2, user.size() - 3);
    return std::string(user.substr(0, std::min(user.find('|'), user.size())));
  }
  if (!user.empty() && user.front() == '@' && user.find(':') == std::string_view::npos) {
    user.remove_prefix(1);
  }
  return std::string(user);
}

std::string to_string(Severity s) {
  return name_of(kSeverities, s);
}
std::string to_string(Role r) {
  return name_of(kRoles, r);
}
std::string to_string(Status s) {
  return name_of(kStatuses, s);
}
std::string to_string(Source s) {
  return name_of(kSources, s);
}

constexpr std::array<std::pair<ReminderKind, std::string_view>, 10> kReminderKinds{{
    {ReminderKind::no_update, "no_update"},
    {ReminderKind::no_severity, "no_severity"},
    {ReminderKind::still_open, "still_open"},
    {ReminderKind::no_review, "no_review"},
    {ReminderKind::action_due, "action_due"},
    {ReminderKind::homework, "homework"},
    {ReminderKind::unanswered, "unanswered"},
    {ReminderKind::archive, "archive"},
    {ReminderKind::notify_due, "notify_due"},
    {ReminderKind::digest, "digest"},
}};

std::string to_string(ReminderKind k) {
  return name_of(kReminderKinds, k);
}

std::optional<ReminderKind> reminder_kind_from_string(std::string_view s) {
  return lookup(kReminderKinds, s);
}

constexpr std::array<std::pair<Milestone, std::string_view>, 7> kMilestoneNames{{
    {Milestone::started, "started"},
    {Milestone::detected, "detected"},
    {Milestone::mitigated, "mitigated"},
    {Milestone::contained, "contained"},
    {Milestone::eradicated, "eradicated"},
    {Milestone::recovered, "recovered"},
    {Milestone::resolved, "resolved"},
}};

std::string to_string(Milestone m) {
  return name_of(kMilestoneNames, m);
}

std::optional<Milestone> milestone_from_string(std::string_view s) {
  return lookup(kMilestoneNames, s);
}

std::optional<TimePoint> milestone_at(const Incident& incident, Milestone milestone) {
  if (auto it = incident.milestones.find(milestone); it != incident.milestones.end()) {
    return it->second;
  }
  if (milestone == Milestone::resolved) return incident.closed_at;
  return std::nullopt;
}

std::string review_state(bool review_started, bool published) {
  if (published) return "published";
  return review_started ? "in review" : "draft";
}

std::optional<Severity> severity_from_string(std::string_view s) {
  auto sev = lookup(kSeverities, s);
  if (sev == Severity::unset && !iequals(s, "unset")) return std::nullopt;
  return sev;
}
std::optional<Role> role_from_string(std::string_view s) {
  return lookup(kRoles, s);
}
std::optional<Status> status_from_string(std::string_view s) {
  return lookup(kStatuses, s);
}
std::optional<Source> source_from_string(std::string_view s) {
  return lookup(kSources, s);
}

std::string section_title(std::string_view key) {
  if (key == "summary") return "Summary";
  if (key == "impact") return "Impact";
  if (key == "factors") return "Contributing factors";
  if (key == "helped") return "What went well";
  if (key == "hard") return "What was difficult";
  if (key == "learn") return "Lessons learned";
  if (key == "lucky") return "Where we got lucky";
  return std::string(key);
}

std::string incident_id(std::int64_t number) {
  return "INC-" + std::to_string(number);
}

namespace {
std::vector<TimelineEntry> sorted(std::vector<TimelineEntry> entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) {
                     return a.at != b.at ? a.at < b.at : a.seq < b.seq;
                   });
  return entries;
}
}  // namespace

bool Incident::leads_review(std::string_view user) const {
  const std::string me = user_key(user);
  for (const auto& [role, holder] : roles) {
    if ((role == Role::commander || role == Role::scribe) && user_key(holder) == me) return true;
  }
  return !facilitator.empty() && user_key(facilitator) == me;
}

std::vector<TimelineEntry> Incident::ordered_timeline() const {
  std::vector<TimelineEntry> live;
  for (const auto& e : timeline) {
    if (!e.deleted) live.push_back(e);
  }
  return sorted(std::move(live));
}

std::vector<TimelineEntry> Incident::ordered_timeline_with_deleted() const {
  return sorted(timeline);
}

}  // namespace incident
