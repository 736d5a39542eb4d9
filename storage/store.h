// The configured store as the program's edges see it: the domain's port (bot/model/store.h) plus
// what operators ask of it — listing, export, /healthz, `doctor` and commit timings for
// /metrics. `open_store` opens the configured one; nothing outside storage/ names a concrete
// store.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bot/model/review_store.h"
#include "bot/model/store.h"

namespace incident {

// How much a returned commit survives. Both survive a killed process; only `power` also survives
// power loss or a kernel crash, at the cost of a flush to disk on every commit.
enum class Durability {
  process,
  power,
};

// What `doctor` reports about a store.
struct StoreDiagnosis {
  int schema_version = 0;
  std::string journal;  // e.g. "wal"
  Durability durability = Durability::process;
  std::string integrity;                   // "ok", else the store's list of problems
  std::optional<std::string> write_error;  // why a write transaction cannot start; none: it can
  // A server setting that breaks the bot (PostgreSQL), and what it does; none: none found.
  std::optional<std::string> setting_error;
};

// A store that does not exist where the configuration points (StoreOptions::Create::no).
class NoDatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The domain's port, and the review page's (which the CLI's list and export read too).
class DurableStore : public Store, public ReviewStore {
 public:
  // For /healthz, without waiting: nullopt when a write transaction can start now (nothing is
  // written), else why not. When another writer holds the lock, the last write's outcome; after
  // a failed write (a full disk), a small write is tried until one succeeds.
  virtual std::optional<std::string> write_check() = 0;
  // For `doctor`: may wait for a lock and read the whole file.
  virtual StoreDiagnosis diagnose() = 0;

  // Says this replica is alive (PostgreSQL; nothing on SQLite): call every kHeartbeat. The outbox
  // requests it claimed (Store::pending_requests) stay its own while it does.
  virtual void heartbeat() = 0;
  static constexpr std::chrono::seconds kHeartbeat{5};
  // The role's election among replicas sharing this store (PostgreSQL); null where one process
  // has the store (SQLite): it always holds every role.
  virtual std::unique_ptr<Leadership> leadership(const std::string& role) = 0;

  // For /metrics: told how long each committed write transaction took, begin to commit.
  using CommitObserver = std::function<void(std::chrono::steady_clock::duration)>;
  virtual void set_commit_observer(CommitObserver observer) = 0;
};

struct StoreOptions {
  // Whether a missing store may be created: only `run` and `console` do; `list`, `export` and
  // `doctor` must not turn a mistyped path into a new, empty database.
  enum class Create { yes, no };

  std::string path;  // the SQLite file, or a postgresql:// URL (is_database_url)
  Durability durability = Durability::power;
  Create create = Create::yes;
  // Who this process is among the replicas sharing a PostgreSQL database: unique among them, and
  // best the same after a restart (a pod's name), so it takes back its own unsent requests at
  // once. Empty: the host name and process id.
  std::string replica;
};

// Whether `path` names a PostgreSQL database (postgresql://… or postgres://…) rather than a
// SQLite file.
bool is_database_url(const std::string& path);

// `path` as messages and logs may show it: a file as it is; a URL without its user, password
// and parameters (postgresql://db.example:5432/incidents), which may hold secrets.
std::string shown_location(const std::string& path);

// Opens (or creates) the store and upgrades its schema: PostgreSQL for a URL, else SQLite. Throws
// NoDatabaseError for a missing store with Create::no, SchemaTooNewError (storage/migrations.h) for
// one from a newer binary, and std::runtime_error for anything else the store refuses (pg::Error,
// one of those, when a PostgreSQL server cannot be reached).
std::unique_ptr<DurableStore> open_store(const StoreOptions& options);

}  // namespace incident
