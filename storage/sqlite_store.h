// The SQLite store: one file in WAL mode, schema managed by storage/migrations.h, the SQL shared
// with PostgreSQL in SqlStore. SQLiteCpp stays behind this header. Only storage/ (open_store)
// and tests name it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "storage/sql_store.h"

namespace SQLite {
class Database;
}

namespace incident {

// Several processes may open the same file (WAL readers never block; writers wait up to
// busy_timeout=5000 ms). Durability::process is PRAGMA synchronous=NORMAL (the WAL is written
// before commit returns), Durability::power is synchronous=FULL (an fsync on every commit; a
// batch is one commit).
class SqliteStore final : public SqlStore {
 public:
  using Create = StoreOptions::Create;

  // The file is the bot's alone: created 0600, and an older one readable by others is narrowed
  // to 0600, its -wal and -shm too (SQLite gives those the file's mode). Throws as open_store.
  SqliteStore(const std::string& path, Durability durability, Create create = Create::yes);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // DurableStore
  std::optional<std::string> write_check() override;
  StoreDiagnosis diagnose() override;

  // For tests: PRAGMA synchronous (1 = NORMAL, 2 = FULL), the schema version, and SQLite's plan
  // for finding the entries a message reference names.
  int synchronous();
  int schema_version();
  std::string entry_lookup_plan();

 private:
  static constexpr int kBusyTimeoutMs = 5000;  // how long a write waits for another writer

  std::optional<std::string> database_fault(const std::exception& e) const override;
  bool unique_violation(const std::exception& e) const override;
  void after_purge() override;

  std::unique_ptr<SQLite::Database> db_;  // sql_ (SqlStore) is reset before it closes
};

}  // namespace incident
