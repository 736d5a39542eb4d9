// The one seam between the domain and durable storage. storage/ implements it with SQLite;
// tests use an in-memory fake. The engine's guarantee rests on `commit` being atomic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bot/model/change.h"
#include "bot/model/event.h"
#include "bot/model/incident.h"

namespace incident {

// How much of an incident a caller needs. Header, roles and actions come always; the timeline
// and review replies either whole or only those carrying `message_ref` (none when it is empty),
// so the common event (a `log`, a thread reply) costs the same on the thousandth entry as on
// the first.
// `number`, when not 0, asks for that incident of the channel instead of the current one (an
// older incident named by its id: `draft INC-1`).
struct IncidentView {
  bool whole = true;
  std::string message_ref;
  std::int64_t number = 0;

  static IncidentView all(std::int64_t number = 0) { return {true, {}, number}; }
  static IncidentView summary(std::string message_ref = {}) {
    return {false, std::move(message_ref), 0};
  }
};

class Store {
 public:
  virtual ~Store() = default;

  // The replies recorded for an idempotency key, when it was processed before.
  virtual std::optional<std::vector<Reply>> find_processed(const std::string& key) = 0;

  // The channel's open incident, else its most recently closed one (or the incident
  // `view.number` when it is this channel's), as much as `view` asks for (Incident::complete
  // says which).
  virtual std::optional<Incident> current_incident(const std::string& platform,
                                                   const std::string& channel,
                                                   const IncidentView& view) = 0;

  // The number the next incident will get (INC-<n>): one more than the largest so far.
  virtual std::int64_t next_incident_number() = 0;

  // Applies `changes`, records `key` with `replies`, all in one transaction, durable on return.
  // Returns false (and changes nothing) when `key` was already recorded.
  virtual bool commit(const std::string& key, const std::vector<Change>& changes,
                      const std::vector<Reply>& replies) = 0;

  // Every open incident on every platform, by number: the DM advisor points change-safety
  // questions at them.
  virtual std::vector<OpenIncident> open_incidents() = 0;

  // "Is this safe?" cases. Nothing here takes or returns who asked: a case knows only the DM
  // channel its answers go to.
  virtual std::vector<Escalation> open_cases(const std::string& platform,
                                             const std::string& dm_channel) = 0;
  virtual std::optional<Escalation> case_by_ref(const std::string& platform,
                                                const std::string& security_ref) = 0;
  // Cases opened from `dm_channel` at or after `since`, closed ones included (the rate limit).
  virtual int cases_since(const std::string& platform, const std::string& dm_channel,
                          TimePoint since) = 0;
  // Deletes the cases closed before `closed_before`, scrubbing the recorded replies of their
  // events, and scrubs those of case-less private events (change::PrivateEvent) from before
  // `private_before`. Scrubbed keys stay recorded, so a redelivery still changes nothing.
  // Returns the number of cases deleted.
  virtual int purge_private(TimePoint closed_before, TimePoint private_before) = 0;
};

}  // namespace incident
