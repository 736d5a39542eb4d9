// The PostgreSQL store: the SQL shared with SQLite (SqlStore) on one libpq connection
// (storage/pg.h), its schema created and upgraded under an advisory lock so replicas starting
// together do not race. Only storage/ (open_store) and tests name it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "storage/sql_store.h"

namespace incident {

namespace pg {
class Connection;
}

// Durability::power keeps the server's synchronous_commit=on (a commit returns once the server
// has flushed it); Durability::process sets it off for this connection (a commit survives the
// bot being killed, since the server holds it, but not a crash of the database host).
// Statements time out after 5 s on the server, and a lost connection is opened again on the
// next call outside a batch; one lost inside a batch fails the batch, so nothing of it is
// acknowledged.
class PgStore final : public SqlStore {
 public:
  using Create = StoreOptions::Create;

  // The oldest server the bot runs on.
  static constexpr int kOldestServer = 140000;

  // `url`: postgresql://… or a libpq connection string. Throws pg::Error when the server cannot
  // be reached, NoDatabaseError for a database without the schema with Create::no,
  // SchemaTooNewError for one from a newer binary, and std::runtime_error for a server older
  // than PostgreSQL 14. No message repeats the URL, which may hold a password. `replica`: see
  // StoreOptions::replica.
  PgStore(const std::string& url, Durability durability, Create create = Create::yes,
          std::string replica = {});
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  // Store: the batch goes on only while `role`'s row in `leaders` holds `epoch`, and keeps that
  // row from changing (FOR SHARE) until it ends, so a new holder waits for it.
  void fence(const std::string& role, std::int64_t epoch) override;

  // DurableStore
  std::unique_ptr<Leadership> leadership(const std::string& role) override;
  std::optional<std::string> write_check() override;
  StoreDiagnosis diagnose() override;

  // For tests: the schema version stored in the database.
  int schema_version();

 private:
  void prepare_session();
  void reconnect_if_needed() override;
  std::optional<std::string> database_fault(const std::exception& e) const override;
  bool unique_violation(const std::exception& e) const override;

  std::string url_;
  std::unique_ptr<pg::Connection> db_;
  Durability durability_;
};

}  // namespace incident
