// The SQLite store: one file in WAL mode, schema managed by storage/migrations.h. SQLiteCpp and
// JSON stay behind this header. Only storage/ (open_store) and tests name it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"

namespace SQLite {
class Database;
}

namespace incident {

namespace sql {
class Connection;
}

// Thread-safe: every public method holds one mutex, so a transaction is never interleaved with
// another call on the same connection (a batch, which spans calls, belongs to the one thread
// that opened it). Several processes may open the same file (WAL readers never block; writers
// wait up to busy_timeout=5000 ms). A batch is one transaction with a savepoint per unit.
// Durability::process is PRAGMA synchronous=NORMAL (the WAL is written before commit returns),
// Durability::power is synchronous=FULL (an fsync on every commit; a batch is one commit).
class SqliteStore final : public DurableStore {
 public:
  using Create = StoreOptions::Create;

  // The file is the bot's alone: created 0600, and an older one readable by others is narrowed
  // to 0600, its -wal and -shm too (SQLite gives those the file's mode). Throws as open_store.
  SqliteStore(const std::string& path, Durability durability, Create create = Create::yes);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Store
  std::optional<std::vector<Reply>> find_processed(const std::string& key) override;
  std::optional<Incident> current_incident(const std::string& platform, const std::string& channel,
                                           const IncidentView& view) override;
  std::int64_t next_incident_number() override;
  CommitResult commit(const UnitOfWork& work) override;
  void begin_batch() override;
  void end_batch() override;
  void abandon_batch() override;
  std::vector<OpenIncident> open_incidents() override;
  std::vector<FollowedIncident> followed_incidents(const std::string& platform,
                                                   TimePoint since) override;
  std::vector<FollowedIncident> with_overdue_actions(const std::string& platform,
                                                     Date date) override;
  std::vector<Escalation> open_cases(const std::string& platform,
                                     const std::string& dm_channel) override;
  std::optional<Escalation> case_by_ref(const std::string& platform,
                                        const std::string& security_ref) override;
  int cases_since(const std::string& platform, const std::string& dm_channel,
                  TimePoint since) override;
  int purge_private(TimePoint closed_before, TimePoint private_before) override;
  std::optional<std::string> cursor(const std::string& name) override;
  std::vector<OutboxItem> pending_requests(const std::string& platform,
                                           std::size_t limit = 100) override;
  void finish_request(std::int64_t id, bool done, const std::string& result = {}) override;
  std::optional<std::string> request_result(const std::string& key) override;
  int prune_requests(TimePoint before) override;

  // ReviewStore (storage/web.cpp for the sign-ins and sessions)
  std::vector<IncidentSummary> list_incidents() override;
  std::optional<Incident> incident(std::int64_t number) override;
  int pending_sign_ins(const std::string& platform, const std::string& user,
                       TimePoint now) override;
  std::optional<SignInGrant> redeem_sign_in(const std::string& token_hash, TimePoint now) override;
  SectionSave save_section(std::int64_t incident, const std::string& section,
                           const std::string& text, std::int64_t expected_version,
                           const std::string& user, TimePoint at) override;
  bool curate_entry(std::int64_t incident, std::int64_t seq, const EntryCuration& change,
                    const std::string& user, TimePoint at) override;
  ActionSave save_action(std::int64_t incident, const ActionItem& item,
                         std::int64_t expected_version, const std::string& user,
                         TimePoint at) override;
  void save_session(const WebSession& session) override;
  std::optional<WebSession> session(const std::string& id_hash) override;
  void touch_session(const std::string& id_hash, TimePoint now) override;
  void end_session(const std::string& id_hash) override;
  void purge_web(TimePoint idle_before, TimePoint created_before,
                 TimePoint expired_before) override;

  // DurableStore
  std::optional<std::string> write_check() override;
  StoreDiagnosis diagnose() override;
  void set_commit_observer(CommitObserver observer) override {
    commit_observer_ = std::move(observer);
  }

  // For tests: PRAGMA synchronous (1 = NORMAL, 2 = FULL), the schema version, and SQLite's plan
  // for finding the entries a message reference names.
  int synchronous();
  int schema_version();
  std::string entry_lookup_plan();

 private:
  static constexpr int kBusyTimeoutMs = 5000;  // how long a write waits for another writer

  // One unit of work in one write transaction (call under the lock).
  CommitResult write_unit(const UnitOfWork& work);
  // Runs a write, remembering whether SQLite refused it (write_check).
  void write(const std::function<void()>& work);

  void committed(std::chrono::steady_clock::time_point began);

  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<sql::Connection> sql_;  // declared after db_: finalized before it closes
  CommitObserver commit_observer_;
  std::chrono::steady_clock::time_point batch_began_;
  std::optional<std::string> last_write_error_;
};

}  // namespace incident
