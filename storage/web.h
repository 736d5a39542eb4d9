// The SQL of the review page's rows (storage/web.cpp): the sign-in `web` issued, stored by
// SqliteStore::commit with the rest of its event.
#pragma once

#include <cstdint>

#include "bot/model/change.h"

namespace incident::sql {
class Connection;
}

namespace incident::web_rows {

void insert_sign_in(sql::Connection& db, std::int64_t incident, const change::SignInIssued& s);

}  // namespace incident::web_rows
