// Tests commit an event's effects through the Store port as the engine does, in one line.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bot/model/store.h"

namespace incident::testing {

// True when committed; false for a duplicate key or a conflict (nothing written then).
inline bool commit(Store& store, const std::string& key, std::vector<Change> changes,
                   std::vector<Reply> replies) {
  return store.commit({key, std::move(changes), std::move(replies), {}, {}}) ==
         CommitResult::committed;
}

// Stores transport positions alone, as an adapter does for a batch with nothing in it.
inline void set_cursors(Store& store, Cursors cursors) {
  store.commit({{}, {}, {}, {}, std::move(cursors)});
}

}  // namespace incident::testing
