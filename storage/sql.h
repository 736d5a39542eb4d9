// The SQL the stores share, whichever engine runs it: a connection that keeps its prepared
// statements, statements bound by position (`?`, or `?N` for a value used twice) and read by
// column, and a Scope that makes one unit of work a transaction of its own or a savepoint of the
// batch it is in. The store's SQL (sqlite_store.cpp, escalations.cpp, outbox.cpp, web.cpp) is
// written once against this, in the SQL SQLite and PostgreSQL both accept; the engines stay
// behind over_sqlite() and over_postgres().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace SQLite {
class Database;
}

namespace incident::pg {
class Connection;
}

namespace incident::sql {

class Column;

class Statement {
 public:
  virtual ~Statement() = default;

  // Positions count from 1.
  virtual void bind(int index, std::int64_t value) = 0;
  virtual void bind(int index, const std::string& value) = 0;
  void bind(int index, const char* value) { bind(index, std::string(value)); }
  virtual void bind(int index) = 0;  // NULL

  // Runs a query on the first call and steps through its rows: false once there are no more.
  virtual bool executeStep() = 0;
  // Runs a statement that returns no rows; returns how many rows it changed.
  virtual int exec() = 0;
  // Ready to run again: its rows and bindings are dropped.
  virtual void reset() = 0;

  Column getColumn(int index) const;

  // The current row's values, by column from 0.
  virtual bool null(int column) const = 0;
  virtual std::int64_t int64(int column) const = 0;  // a boolean reads as 0 or 1
  virtual std::string text(int column) const = 0;
};

// One value of the current row, read as SQLiteCpp reads it.
class Column {
 public:
  Column(const Statement& statement, int index) : statement_(statement), index_(index) {}
  bool isNull() const { return statement_.null(index_); }
  std::int64_t getInt64() const { return statement_.int64(index_); }
  int getInt() const { return static_cast<int>(statement_.int64(index_)); }
  std::string getString() const { return statement_.text(index_); }

 private:
  const Statement& statement_;
  int index_;
};

inline Column Statement::getColumn(int index) const {
  return {*this, index};
}

// A statement in use: reset when it goes out of scope, so no cached query keeps a read open
// between calls.
class Use {
 public:
  explicit Use(Statement& statement) : statement_(&statement) {}
  ~Use() {
    try {
      if (statement_) statement_->reset();
    } catch (...) {  // a failed reset is reported by the next use
    }
  }
  Use(Use&& other) noexcept : statement_(std::exchange(other.statement_, nullptr)) {}
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  Use& operator=(Use&&) = delete;
  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

class Connection {
 public:
  virtual ~Connection();

  // The statement for `sql`, prepared on first use and kept for the connection's life (the
  // common event runs the same dozen every time, and preparing one costs more than running it),
  // reset and without bindings.
  Use operator()(std::string_view sql);

  // Runs `statements`, bound and not yet stepped, together: on PostgreSQL in one round trip
  // (libpq's pipeline mode), on SQLite each when first stepped, as always. Their rows are then
  // read with executeStep.
  virtual void run_together(const std::vector<Statement*>& statements) = 0;

  // Runs a statement without parameters or rows (BEGIN, COMMIT, SAVEPOINT …).
  virtual void exec(const char* sql) = 0;
  // Whether a transaction is open on the connection (a batch, or a unit's).
  virtual bool in_transaction() = 0;
  // How a write transaction begins: SQLite takes the write lock up front (BEGIN IMMEDIATE), so
  // the checks of a unit cannot be split from its writes by another writer; PostgreSQL locks
  // rows as they are written and refuses a duplicate key at the unique index instead.
  virtual const char* begin_write() const = 0;
  // How a read-only transaction begins whose reads all see one snapshot.
  virtual const char* begin_read() const = 0;

 protected:
  Connection();
  virtual std::unique_ptr<Statement> prepare(std::string_view sql) = 0;

 private:
  // Found by text without copying it (a string per call showed in the profile).
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, TextHash, std::equal_to<>>
      statements_;
};

std::unique_ptr<Connection> over_sqlite(SQLite::Database& db);
std::unique_ptr<Connection> over_postgres(pg::Connection& db);

// A transaction of its own, or — inside one already, i.e. a batch — a savepoint of it, so the
// same code commits a unit alone or as part of a batch. A write scope is rolled back unless
// commit() was called; a read scope only gives its reads one snapshot (inside a batch they have
// the batch's).
class Scope {
 public:
  enum Kind { read, write };
  Scope(Connection& sql, Kind kind);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  // A transaction of its own: durable on return. A savepoint: kept in the batch.
  void commit();
  bool nested() const { return nested_; }

 private:
  Connection& sql_;
  bool nested_;
  bool done_ = false;
};

}  // namespace incident::sql
