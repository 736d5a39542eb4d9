// The SQL of the review page's rows (storage/web.cpp): the sign-in `web` issued, stored by
// SqliteStore::commit with the rest of its event.
#pragma once

#include <cstdint>

#include "bot/model/change.h"

namespace SQLite {
class Database;
}

namespace incident::web_rows {

void insert_sign_in(SQLite::Database& db, std::int64_t incident, const change::SignInIssued& s);

}  // namespace incident::web_rows
