// The store both engines share: every Store and ReviewStore method, written once in SQL both
// SQLite and PostgreSQL accept (storage/sql.h). SqliteStore and PgStore add how to open their
// engine, what /healthz and `doctor` ask of it, and how to tell its refusals apart. Only
// storage/ and tests name these classes.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.h"

namespace incident {

namespace sql {
class Connection;
}

// Thread-safe: every public method holds one mutex, so a transaction is never interleaved with
// another call on the same connection (a batch, which spans calls, belongs to the one thread
// that opened it). A batch is one transaction with a savepoint per unit.
class SqlStore : public DurableStore {
 public:
  ~SqlStore() override;

  // The query for the entries a 📌, edit or delete names (SqliteStore shows tests its plan).
  static const char* const kEntriesByMessage;

  // Store
  std::optional<std::vector<Reply>> find_processed(const std::string& key) final;
  std::optional<Incident> current_incident(const std::string& platform, const std::string& channel,
                                           const IncidentView& view) final;
  std::int64_t next_incident_number() final;
  CommitResult commit(const UnitOfWork& work) final;
  void begin_batch() final;
  void end_batch() final;
  void abandon_batch() final;
  // Nothing on SQLite: one process has the file (PgStore checks).
  void fence(const std::string& role, std::int64_t epoch) override;
  std::vector<OpenIncident> open_incidents() final;
  std::vector<FollowedIncident> followed_incidents(const std::string& platform,
                                                   TimePoint since) final;
  std::vector<FollowedIncident> with_overdue_actions(const std::string& platform, Date date) final;
  std::vector<Escalation> open_cases(const std::string& platform,
                                     const std::string& dm_channel) final;
  std::optional<Escalation> case_by_ref(const std::string& platform,
                                        const std::string& security_ref) final;
  int cases_since(const std::string& platform, const std::string& dm_channel,
                  TimePoint since) final;
  int purge_private(TimePoint closed_before, TimePoint private_before) final;
  std::optional<std::string> cursor(const std::string& name) final;
  std::vector<OutboxItem> pending_requests(const std::string& platform,
                                           std::size_t limit = 100) final;
  void finish_request(std::int64_t id, bool done, const std::string& result = {}) final;
  std::optional<std::string> request_result(const std::string& key) final;
  int prune_requests(TimePoint before) final;

  // ReviewStore (storage/web.cpp for the sign-ins and sessions)
  std::vector<IncidentSummary> list_incidents() final;
  std::optional<Incident> incident(std::int64_t number) final;
  int pending_sign_ins(const std::string& platform, const std::string& user, TimePoint now) final;
  std::optional<SignInGrant> redeem_sign_in(const std::string& token_hash, TimePoint now) final;
  SectionSave save_section(std::int64_t incident, const std::string& section,
                           const std::string& text, std::int64_t expected_version,
                           const std::string& user, TimePoint at) final;
  bool curate_entry(std::int64_t incident, std::int64_t seq, const EntryCuration& change,
                    const std::string& user, TimePoint at) final;
  ActionSave save_action(std::int64_t incident, const ActionItem& item,
                         std::int64_t expected_version, const std::string& user,
                         TimePoint at) final;
  void save_session(const WebSession& session) final;
  std::optional<WebSession> session(const std::string& id_hash) final;
  void touch_session(const std::string& id_hash, TimePoint now) final;
  void end_session(const std::string& id_hash) final;
  void purge_web(TimePoint idle_before, TimePoint created_before, TimePoint expired_before) final;

  // DurableStore
  void heartbeat() final;
  std::unique_ptr<Leadership> leadership(const std::string& role) override;
  void set_commit_observer(CommitObserver observer) final {
    commit_observer_ = std::move(observer);
  }

 protected:
  SqlStore();

  // The lock every public method holds; first, outside a batch, the engine may make its
  // connection usable again (PostgreSQL after a lost connection).
  std::unique_lock<std::mutex> hold();
  virtual void reconnect_if_needed() {}
  // Runs a write, remembering whether the database refused it (write_check).
  void write(const std::function<void()>& work);
  // Why the database refused a write, when `e` is the engine refusing for a reason other than
  // the data (a constraint); nullopt otherwise.
  virtual std::optional<std::string> database_fault(const std::exception& e) const = 0;
  // Whether `e` is a unique key refused: another writer took the number, the sequence or the
  // open slot of a channel first, and the unit must be decided again (CommitResult::conflict).
  virtual bool unique_violation(const std::exception& e) const = 0;
  // After purge_private has deleted: make the deleted bytes go from the disk too.
  virtual void after_purge() {}

  // How long a replica may go unseen before the outbox requests it claimed are free for others:
  // three heartbeats missed (kHeartbeat, storage/store.h).
  static constexpr std::chrono::milliseconds kReplicaTimeout{15'000};

  std::mutex mutex_;
  std::unique_ptr<sql::Connection> sql_;
  // This process among the replicas sharing the database (StoreOptions::replica); empty on
  // SQLite, which one process holds: the outbox is then all its own.
  std::string replica_;
  std::optional<std::string> last_write_error_;
  bool batch_open_ = false;

 private:
  // One unit of work in one write transaction (call under the lock).
  CommitResult write_unit(const UnitOfWork& work);
  void committed(std::chrono::steady_clock::time_point began);

  CommitObserver commit_observer_;
  std::chrono::steady_clock::time_point batch_began_;
};

}  // namespace incident
