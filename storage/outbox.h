// SQL for the outbox (Store::pending_requests and friends) and the cursors, kept apart from
// sqlite_store.cpp; the SqliteStore methods for them are defined beside it, in outbox.cpp.
// Both live in the store's file (migration 4), so a commit can hold an event's effects, the
// requests they cause and the transport position in one transaction. Callers hold the store's
// lock and, where it matters, a transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bot/model/store.h"

namespace incident::sql {
class Connection;
}

namespace incident::outbox {

// Inserts the items whose key is new: a replayed event's requests are already queued (or made).
// An owned one (OutboxItem::owned) is claimed by `replica` (storage/sql_store.h), empty for none.
void enqueue(sql::Connection& db, const std::vector<OutboxItem>& items, const std::string& replica);
void store_cursors(sql::Connection& db, const Cursors& cursors);

}  // namespace incident::outbox
