// The database schema as a numbered list of migrations. Script i (0-based) takes a database from
// version i to version i+1; the version lives in `PRAGMA user_version`, so it travels with the
// file and needs no bookkeeping table. Scripts are append-only: a shipped script never changes,
// a schema change is a new script.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace incident {

// The file was written by a newer incident-bot. Opening it anyway could corrupt data the newer
// schema relies on, so it is refused.
class SchemaTooNewError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The migration scripts, in order; index + 1 is the version each one produces.
const std::vector<std::string>& migration_scripts();

// The version this binary creates and understands.
int latest_schema_version();

// PRAGMA user_version: 0 for a new, empty file.
int read_schema_version(SQLite::Database& db);

// Throws SchemaTooNewError when the file's version (or `version`, of the database `where`, as
// PostgreSQL keeps it) is above latest_schema_version().
void check_schema_supported(SQLite::Database& db);
void check_schema_supported(int version, const std::string& where);

// Brings the database up to version `up_to` (1..latest) in ONE transaction, so a crash mid-upgrade
// leaves the old version intact. A database already at or above `up_to` is left alone (never
// downgraded); one above latest is refused. Tests pass a lower `up_to` to build old databases.
void apply_migrations(SQLite::Database& db, int up_to);
void apply_migrations(SQLite::Database& db);

}  // namespace incident
