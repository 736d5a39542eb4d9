// The durable Store: one SQLite file in WAL mode, schema managed by storage/migrations.h.
// SQLiteCpp and JSON stay behind this header so the rest of the program does not depend on them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bot/model/store.h"

namespace SQLite {
class Database;
}

namespace incident {

class StatementCache;

// How much a returned commit survives. Both survive a killed process (the WAL is written before
// commit returns); only `power` also fsyncs on every commit, so it survives power loss / a kernel
// crash, at the cost of one fsync per event.
enum class Durability {
  process,  // PRAGMA synchronous=NORMAL
  power,    // PRAGMA synchronous=FULL
};

// One row of `incident-bot list`.
struct IncidentSummary {
  std::int64_t number = 0;
  std::string platform;
  std::string channel;
  std::string title;
  Severity severity = Severity::unset;
  Status status = Status::open;
  TimePoint opened_at{};
  std::optional<TimePoint> closed_at;
  std::int64_t timeline_entries = 0;  // live ones: deleted entries are not counted
  std::int64_t actions = 0;
  std::int64_t open_actions = 0;
};

// Transport positions to store in the same transaction as an event's effects.
using Cursors = std::vector<std::pair<std::string, std::string>>;

// Thread-safe: every public method holds one mutex, so a transaction is never interleaved with
// another call on the same connection. Several processes may open the same file (WAL readers
// never block; writers wait up to busy_timeout=5000 ms).
class NoDatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SqliteStore final : public Store {
 public:
  using Durability = ::incident::Durability;

  // Whether a missing file may be created: only `run` and `console` do; `list`, `export` and
  // `doctor` must not turn a mistyped path into a new, empty database.
  enum class Create { yes, no };

  // Opens (or creates) `path` and upgrades its schema. The file is the bot's alone: created
  // 0600, and an older one readable by others is narrowed to 0600, its -wal and -shm too (SQLite
  // gives those the file's mode). Throws NoDatabaseError for a missing file with Create::no,
  // SchemaTooNewError (migrations.h) for a file from a newer binary, SQLite::Exception (a
  // std::runtime_error) for anything SQLite refuses (unreadable file, not a database, ...).
  SqliteStore(const std::string& path, Durability durability, Create create = Create::yes);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // Store
  std::optional<std::vector<Reply>> find_processed(const std::string& key) override;
  std::optional<Incident> current_incident(const std::string& platform, const std::string& channel,
                                           const IncidentView& view) override;
  std::int64_t next_incident_number() override;
  bool commit(const std::string& key, const std::vector<Change>& changes,
              const std::vector<Reply>& replies) override;
  std::vector<OpenIncident> open_incidents() override;
  std::vector<Escalation> open_cases(const std::string& platform,
                                     const std::string& dm_channel) override;
  std::optional<Escalation> case_by_ref(const std::string& platform,
                                        const std::string& security_ref) override;
  int cases_since(const std::string& platform, const std::string& dm_channel,
                  TimePoint since) override;
  int purge_private(TimePoint closed_before, TimePoint private_before) override;

  // As commit, and also stores `cursors` in the same transaction, so a sync batch's position
  // never gets ahead of (or behind) its effects. For a duplicate key the effects and replies are
  // left alone but the cursors ARE stored: the event was consumed before, and the position must
  // still move past it. Returns false for a duplicate key, like commit.
  bool commit_with_cursors(const std::string& key, const std::vector<Change>& changes,
                           const std::vector<Reply>& replies, const Cursors& cursors);

  // Named transport positions (e.g. "matrix.next_batch"); nullopt when never set.
  std::optional<std::string> cursor(const std::string& name);
  void set_cursor(const std::string& name, const std::string& value);

  // Runs `work` in one write transaction on this store's connection, under its lock: for tables
  // that other storage/ modules own (storage/outbox.h). An exception from `work` rolls back.
  void transact(const std::function<void(SQLite::Database&)>& work);

  // For the CLI: every incident, ordered by number, and one incident fully loaded.
  std::vector<IncidentSummary> list_incidents();
  std::optional<Incident> incident(std::int64_t number);

  // For `doctor` and tests.
  int schema_version();
  std::string journal_mode();     // "wal"
  int synchronous();              // 1 = NORMAL (Durability::process), 2 = FULL (Durability::power)
  std::string integrity_check();  // "ok", else SQLite's list of problems

  // For /healthz, without waiting: whether a write transaction can start now (BEGIN IMMEDIATE,
  // rolled back at once, so nothing is written). nullopt when it can, else SQLite's reason. When
  // another connection holds the write lock, the last write's outcome instead.
  std::optional<std::string> write_check();
  // For /metrics: told how long each committed write transaction took, begin to commit. Storage
  // stays independent of who listens.
  using CommitObserver = std::function<void(std::chrono::steady_clock::duration)>;
  void set_commit_observer(CommitObserver observer) { commit_observer_ = std::move(observer); }

 private:
  static constexpr int kBusyTimeoutMs = 5000;  // how long a write waits for another writer

  // One event's effects, key and cursors in one write transaction (call under the lock).
  bool write_event(const std::string& key, const std::vector<Change>& changes,
                   const std::vector<Reply>& replies, const Cursors& cursors);
  // Runs a write, remembering whether SQLite refused it (write_check).
  void write(const std::function<void()>& work);

  void committed(std::chrono::steady_clock::time_point began);

  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<StatementCache> sql_;  // declared after db_: finalized before it closes
  CommitObserver commit_observer_;
  std::optional<std::string> last_write_error_;
};

}  // namespace incident
