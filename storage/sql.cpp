#include "storage/sql.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "storage/pg.h"

namespace incident::sql {
namespace {

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(SQLite::Database& db, std::string_view sql) : st_(db, std::string(sql)) {}

  void bind(int index, std::int64_t value) override { st_.bind(index, value); }
  void bind(int index, const std::string& value) override { st_.bind(index, value); }
  void bind(int index) override { st_.bind(index); }
  bool executeStep() override { return st_.executeStep(); }
  int exec() override { return st_.exec(); }
  void reset() override {
    st_.tryReset();
    st_.clearBindings();
  }
  bool null(int column) const override { return st_.getColumn(column).isNull(); }
  std::int64_t int64(int column) const override { return st_.getColumn(column).getInt64(); }
  std::string text(int column) const override { return st_.getColumn(column).getString(); }

 private:
  // getColumn is not const in SQLiteCpp, though reading a column changes nothing.
  mutable SQLite::Statement st_;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(SQLite::Database& db) : db_(db) {}

  // Kept prepared too: every unit runs BEGIN or SAVEPOINT and COMMIT or RELEASE.
  void exec(const char* sql) override { (*this)(sql)->exec(); }
  void run_together(const std::vector<Statement*>&) override {}  // each runs when stepped
  bool in_transaction() override { return sqlite3_get_autocommit(db_.getHandle()) == 0; }
  const char* begin_write() const override { return "BEGIN IMMEDIATE"; }
  const char* begin_read() const override { return "BEGIN"; }

 protected:
  std::unique_ptr<Statement> prepare(std::string_view sql) override {
    return std::make_unique<SqliteStatement>(db_, sql);
  }

 private:
  SQLite::Database& db_;
};

// SQLite's `?` and `?N` as PostgreSQL's `$N` (a bare `?` is one more than the largest number
// so far, as in SQLite), outside quoted strings and names.
std::string numbered_parameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int largest = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;  // a doubled quote closes and reopens: same result
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      std::size_t end = i + 1;
      while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') ++end;
      const int n =
          end > i + 1 ? std::stoi(std::string(sql.substr(i + 1, end - i - 1))) : largest + 1;
      largest = std::max(largest, n);
      out += '$' + std::to_string(n);
      i = end - 1;
    } else {
      out += c;
    }
  }
  return out;
}

class PgStatement final : public Statement {
 public:
  PgStatement(pg::Connection& db, std::string_view sql) : db_(db), sql_(numbered_parameters(sql)) {}

  void bind(int index, std::int64_t value) override { slot(index) = std::to_string(value); }
  void bind(int index, const std::string& value) override { slot(index) = value; }
  void bind(int index) override { slot(index) = std::nullopt; }
  pg::Connection::Query query() const { return {sql_.c_str(), &params_}; }
  // Its rows, run by run_together.
  void ran(pg::Result result) {
    result_.emplace(std::move(result));
    row_ = -1;
  }

  bool executeStep() override {
    if (!result_) {
      result_.emplace(db_.exec(sql_.c_str(), params_));
      row_ = -1;
    }
    return ++row_ < result_->rows();
  }
  int exec() override { return static_cast<int>(db_.exec(sql_.c_str(), params_).affected()); }
  void reset() override {
    result_.reset();
    params_.clear();
  }
  bool null(int column) const override { return result_->null(row_, column); }
  std::int64_t int64(int column) const override {
    const auto text = result_->text(row_, column);
    if (text == "t") return 1;  // a boolean expression, e.g. `a <> '' OR b <> ''`
    if (text == "f") return 0;
    return result_->null(row_, column) ? 0 : result_->int64(row_, column);
  }
  std::string text(int column) const override { return std::string(result_->text(row_, column)); }

 private:
  pg::Param& slot(int index) {
    if (params_.size() < static_cast<std::size_t>(index)) params_.resize(index);
    return params_[static_cast<std::size_t>(index - 1)];
  }

  pg::Connection& db_;
  std::string sql_;
  std::vector<pg::Param> params_;
  std::optional<pg::Result> result_;
  int row_ = -1;
};

class PgConnection final : public Connection {
 public:
  explicit PgConnection(pg::Connection& db) : db_(db) {}

  void exec(const char* sql) override { db_.command(sql); }
  void run_together(const std::vector<Statement*>& statements) override {
    std::vector<pg::Connection::Query> queries;
    for (Statement* st : statements) queries.push_back(static_cast<PgStatement*>(st)->query());
    auto results = db_.exec_all(queries);
    for (std::size_t i = 0; i < statements.size(); ++i) {
      static_cast<PgStatement*>(statements[i])->ran(std::move(results[i]));
    }
  }
  bool in_transaction() override { return db_.in_transaction(); }
  const char* begin_write() const override { return "BEGIN"; }
  const char* begin_read() const override {
    return "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
  }

 protected:
  std::unique_ptr<Statement> prepare(std::string_view sql) override {
    return std::make_unique<PgStatement>(db_, sql);
  }

 private:
  pg::Connection& db_;
};

}  // namespace

std::unique_ptr<Connection> over_postgres(pg::Connection& db) {
  return std::make_unique<PgConnection>(db);
}

std::unique_ptr<Connection> over_sqlite(SQLite::Database& db) {
  return std::make_unique<SqliteConnection>(db);
}

Connection::Connection() = default;
Connection::~Connection() = default;

Use Connection::operator()(std::string_view sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) found = statements_.emplace(sql, prepare(sql)).first;
  found->second->reset();
  return Use(*found->second);
}

Scope::Scope(Connection& sql, Kind kind) : sql_(sql), nested_(sql.in_transaction()) {
  if (!nested_) {
    sql_.exec(kind == write ? sql_.begin_write() : sql_.begin_read());
  } else if (kind == write) {
    sql_.exec("SAVEPOINT unit");
  } else {
    done_ = true;
  }
}

Scope::~Scope() {
  if (done_) return;
  try {
    if (nested_) {
      sql_.exec("ROLLBACK TO unit");
      sql_.exec("RELEASE unit");
    } else {
      sql_.exec("ROLLBACK");
    }
  } catch (...) {  // a failed rollback leaves nothing more to undo here
  }
}

void Scope::commit() {
  sql_.exec(nested_ ? "RELEASE unit" : "COMMIT");
  done_ = true;
}

}  // namespace incident::sql
