#include "storage/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "storage/migrations.h"
#include "storage/sql.h"

namespace incident {
namespace {

// The database holds incident records and security cases: nobody but the bot's user reads it.
// A new file is created 0600 before SQLite opens it; an existing one (and its -wal and -shm) is
// narrowed to 0600 when others could read it. Paths SQLite treats specially (":memory:",
// "file:" URIs) are left to SQLite.
std::string private_file(const std::string& path, SqliteStore::Create create) {
  if (path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0) return path;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    if (create == SqliteStore::Create::no) {  // raced into existence by us: undo
      ::unlink(path.c_str());
      throw NoDatabaseError("no database at " + path);
    }
    return path;
  }
  if (errno == ENOENT && create == SqliteStore::Create::no) {
    throw NoDatabaseError("no database at " + path);
  }
  if (errno != EEXIST) return path;  // let SQLite report what is wrong with it
  struct stat st {};
  if (create == SqliteStore::Create::no && ::stat(path.c_str(), &st) != 0) {
    throw NoDatabaseError("no database at " + path);
  }
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0 && st.st_uid == ::geteuid()) {
      ::chmod(file.c_str(), st.st_mode & 0700);
    }
  }
  return path;
}

}  // namespace

SqliteStore::SqliteStore(const std::string& path, Durability durability, Create create) try
    : db_(std::make_unique<SQLite::Database>(
          private_file(path, create),
          // NOMUTEX: mutex_ already serialises every use of the connection.
          SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX)) {
  db_->setBusyTimeout(kBusyTimeoutMs);
  // Refuse a newer file before changing anything about it (even its journal mode).
  check_schema_supported(*db_);
  db_->exec("PRAGMA foreign_keys = ON");
  // Deleted rows and replaced values are zeroed in the file, so a purged security case (and DM
  // guidance) is gone from the disk, not only from the tables.
  db_->exec("PRAGMA secure_delete = ON");
  const std::string mode = db_->execAndGet("PRAGMA journal_mode = WAL").getString();
  if (mode != "wal" && mode != "memory") {
    throw std::runtime_error("cannot put " + path + " in WAL mode (journal_mode is " + mode +
                             "); is it on a network file system?");
  }
  db_->exec(durability == Durability::power ? "PRAGMA synchronous = FULL"
                                            : "PRAGMA synchronous = NORMAL");
  apply_migrations(*db_);
  sql_ = sql::over_sqlite(*db_);
} catch (const SQLite::Exception& e) {
  const int code = e.getErrorCode() & 0xff;
  if (code != SQLITE_NOTADB && code != SQLITE_CORRUPT) throw;
  // Never start over on an empty database in its place: the records are the point.
  throw std::runtime_error(path + " is damaged or not an incident-bot database (" + e.what() +
                           "); nothing was changed. Restore it from a copy, or move it aside "
                           "to start with an empty one.");
}

SqliteStore::~SqliteStore() {
  sql_.reset();  // its statements are finalized before the database closes
}

std::optional<std::string> SqliteStore::write_check() {
  const std::lock_guard<std::mutex> lock(mutex_);
  // /healthz asks on the event loop, so never wait for the lock here. Another writer holding it
  // is no fault: the last commit's outcome speaks for the database then.
  db_->setBusyTimeout(0);
  struct RestoreTimeout {
    SQLite::Database& db;
    ~RestoreTimeout() {
      try {
        db.setBusyTimeout(kBusyTimeoutMs);
      } catch (...) {  // sqlite3_busy_timeout cannot fail on an open connection
      }
    }
  } restore{*db_};
  try {
    // IMMEDIATE takes the write lock, which fails on a read-only file or directory; the
    // destructor rolls back, so nothing is written.
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    if (!last_write_error_) return std::nullopt;
    // The last write failed although the lock can be taken: a full disk or an I/O error shows
    // only when pages are written. Write a row nothing reads, until that succeeds again.
    write([&] {
      auto st = (*sql_)(
          "INSERT OR REPLACE INTO cursors (name, value, updated_at) VALUES ('health', '', 0)");
      st->exec();
      tx.commit();
    });
    return std::nullopt;
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_BUSY) return last_write_error_;
    return std::string(e.what());
  }
}

int SqliteStore::schema_version() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return read_schema_version(*db_);
}

std::string SqliteStore::entry_lookup_plan() {
  const std::lock_guard<std::mutex> lock(mutex_);
  SQLite::Statement st(*db_, std::string("EXPLAIN QUERY PLAN ") + kEntriesByMessage);
  std::string plan;
  while (st.executeStep()) plan += st.getColumn(3).getString() + "\n";
  return plan;
}

int SqliteStore::synchronous() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return db_->execAndGet("PRAGMA synchronous").getInt();
}

StoreDiagnosis SqliteStore::diagnose() {
  const std::lock_guard<std::mutex> lock(mutex_);
  StoreDiagnosis d;
  d.schema_version = read_schema_version(*db_);
  d.journal = db_->execAndGet("PRAGMA journal_mode").getString();
  d.durability =
      db_->execAndGet("PRAGMA synchronous").getInt() >= 2 ? Durability::power : Durability::process;
  {
    SQLite::Statement st(*db_, "PRAGMA integrity_check");
    while (st.executeStep()) {
      if (!d.integrity.empty()) d.integrity += '\n';
      d.integrity += st.getColumn(0).getString();
    }
  }
  try {
    // Refused (SQLITE_READONLY) when the file or its folder (for the -wal and -shm files) is
    // read-only for this user; rolled back by the destructor, so nothing is written.
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  } catch (const SQLite::Exception& e) {
    d.write_error = e.what();
  }
  return d;
}

std::optional<std::string> SqliteStore::database_fault(const std::exception& e) const {
  const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&e);
  // A constraint refused is about the data, not the database.
  if (sqlite == nullptr || (sqlite->getErrorCode() & 0xff) == SQLITE_CONSTRAINT)
    return std::nullopt;
  return std::string(e.what());
}

bool SqliteStore::unique_violation(const std::exception& e) const {
  const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&e);
  return sqlite != nullptr && (sqlite->getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE ||
                               sqlite->getExtendedErrorCode() == SQLITE_CONSTRAINT_PRIMARYKEY);
}

void SqliteStore::after_purge() {
  // The WAL still holds the old pages until a checkpoint copies the zeroed ones over them;
  // TRUNCATE then empties it. Busy readers only delay this to a later purge.
  db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace incident
