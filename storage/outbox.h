// A durable queue of requests an adapter must make after a commit: messages to send, rooms to
// join. Each request is stored with its platform idempotency id (a Matrix txnId) BEFORE its first
// attempt, so a retry — after a timeout, a crash or a restart — is the same request, and the
// platform returns the first result instead of acting twice (Matrix client-server API,
// "Transaction identifiers"). Lives in the store's SQLite file (migration 4), so an enqueue can
// share a transaction with the transport's cursor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bot/model/time.h"
#include "storage/sqlite_store.h"

namespace incident {

struct OutboxItem {
  std::int64_t id = 0;   // enqueue order; set when read back
  std::string platform;  // "matrix"
  std::string key;       // unique: enqueueing a key again changes nothing
  std::string channel;   // e.g. the room; may be empty when the platform resolves it later
  std::string kind;      // platform-defined, e.g. "send", "join"
  std::string txn_id;    // fixed at the first enqueue, reused for every attempt
  std::string payload;   // platform-defined (JSON)
  bool operator==(const OutboxItem&) const = default;
};

class Outbox {
 public:
  explicit Outbox(SqliteStore& store) : store_(store) {}

  // Inserts the items whose key is new and stores `cursors`, in one transaction: once it
  // returns, the requests will be made even if the process dies now.
  void enqueue(const std::vector<OutboxItem>& items, const Cursors& cursors = {});

  // Pending items of `platform`, oldest first.
  std::vector<OutboxItem> pending(const std::string& platform, std::size_t limit = 100);

  // The request is finished: done (`result` is e.g. the posted event's id) or failed for good.
  // Its payload is cleared, as it may hold private text (DM guidance).
  void finish(std::int64_t id, bool done, const std::string& result = {});

  // A done item's result by key; nullopt while pending, when failed, or for an unknown key.
  std::optional<std::string> result(const std::string& key);

  // Deletes finished items last touched before `before`; returns how many. Keys are kept long
  // enough that a replayed event re-enqueues nothing.
  int prune(TimePoint before);

 private:
  SqliteStore& store_;
};

}  // namespace incident
