// The one seam between the domain and durable storage. storage/ implements it with SQLite;
// tests use an in-memory fake. The engine's guarantee rests on `commit` being atomic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "change.h"
#include "event.h"
#include "model.h"

namespace incident {

class Store {
 public:
  virtual ~Store() = default;

  // The replies recorded for an idempotency key, when it was processed before.
  virtual std::optional<std::vector<Reply>> find_processed(const std::string& key) = 0;

  // The channel's open incident, else its most recently closed one, with timeline, actions
  // and review replies.
  virtual std::optional<Incident> current_incident(const std::string& platform,
                                                   const std::string& channel) = 0;

  // The number the next incident will get (INC-<n>): one more than the largest so far.
  virtual std::int64_t next_incident_number() = 0;

  // Applies `changes`, records `key` with `replies`, all in one transaction, durable on return.
  // Returns false (and changes nothing) when `key` was already recorded.
  virtual bool commit(const std::string& key, const std::vector<Change>& changes,
                      const std::vector<Reply>& replies) = 0;
};

}  // namespace incident
