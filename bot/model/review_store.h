// The review page's port (adapters/web): incidents to read, the sign-in links `web` issued, and
// the page's sessions. It has no method that reaches a DM, a security case or the recorded
// replies, so the web code cannot show them: what it cannot ask for it cannot leak.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bot/model/incident.h"
#include "bot/model/time.h"

namespace incident {

// One row of an incident list (`incident-bot list`, the review page's index).
struct IncidentSummary {
  std::int64_t number = 0;
  std::string platform;
  std::string channel;
  std::string title;
  Severity severity = Severity::unset;
  Status status = Status::open;
  TimePoint opened_at{};
  std::optional<TimePoint> closed_at;
  std::int64_t timeline_entries = 0;  // live ones: deleted entries are not counted
  std::int64_t actions = 0;
  std::int64_t open_actions = 0;
  std::string review_state;    // review_state(): "draft", "in review", "published"
  std::int64_t reminders = 0;  // reminders sent
};

// Who a used sign-in link was for.
struct SignInGrant {
  std::string platform;
  std::string user;
  std::int64_t incident = 0;
};

// A signed-in browser. Only hashes of the session id are stored; `csrf` is the token its forms
// must carry.
struct WebSession {
  std::string id_hash;
  std::string platform;
  std::string user;
  std::string csrf;
  TimePoint created{};
  TimePoint last_seen{};
};

// What saving a section gave: saved (its new version), or refused because the stored version is
// not the one the edit started from (someone saved meanwhile: their text and version).
struct SectionSave {
  bool saved = false;
  SectionText current;
};

// A change to one timeline entry from the review page; unset fields stay as they are. `text`
// is refused for the bot's own (system) entries.
struct EntryCuration {
  std::optional<bool> hidden;
  std::optional<bool> starred;
  std::optional<TimePoint> at;
  std::optional<std::string> text;
};

// What saving an action item gave: saved, or refused because it changed meanwhile (as it is).
struct ActionSave {
  bool saved = false;
  ActionItem current;
};

class ReviewStore {
 public:
  virtual ~ReviewStore() = default;

  // Every incident, ordered by number, and one incident fully loaded.
  virtual std::vector<IncidentSummary> list_incidents() = 0;
  virtual std::optional<Incident> incident(std::int64_t number) = 0;

  // Sign-in links of `user` that are still usable at `now` (unused, not expired).
  virtual int pending_sign_ins(const std::string& platform, const std::string& user,
                               TimePoint now) = 0;
  // Uses the sign-in link whose token hashes to `token_hash`, atomically: the first call before
  // it expires gets the grant, every later one (or one after expiry) nullopt.
  virtual std::optional<SignInGrant> redeem_sign_in(const std::string& token_hash,
                                                    TimePoint now) = 0;

  // Stores `text` as the section's text (empty: back to the generated one) if its version is
  // still `expected_version`, with an audit row, in one transaction.
  virtual SectionSave save_section(std::int64_t incident, const std::string& section,
                                   const std::string& text, std::int64_t expected_version,
                                   const std::string& user, TimePoint at) = 0;

  // Applies `change` to entry `seq` of `incident`, with an audit row; false when there is no
  // such entry, or the text of a system entry was to change.
  virtual bool curate_entry(std::int64_t incident, std::int64_t seq, const EntryCuration& change,
                            const std::string& user, TimePoint at) = 0;

  // Stores `item` (number 0: a new item, numbered next) if the stored one is still at
  // `expected_version`, with an audit row.
  virtual ActionSave save_action(std::int64_t incident, const ActionItem& item,
                                 std::int64_t expected_version, const std::string& user,
                                 TimePoint at) = 0;

  virtual void save_session(const WebSession& session) = 0;
  virtual std::optional<WebSession> session(const std::string& id_hash) = 0;
  virtual void touch_session(const std::string& id_hash, TimePoint now) = 0;
  virtual void end_session(const std::string& id_hash) = 0;
  // Deletes sessions last seen before `idle_before` or created before `created_before`, and
  // sign-in links that expired before `expired_before`.
  virtual void purge_web(TimePoint idle_before, TimePoint created_before,
                         TimePoint expired_before) = 0;
};

}  // namespace incident
