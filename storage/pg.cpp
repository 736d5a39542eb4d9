#include "storage/pg.h"

#include <libpq-fe.h>

#include <charconv>
#include <string>

namespace incident::pg {
namespace {

// libpq's messages end with a newline; ours do not.
std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "unknown PostgreSQL error" : text;
}

}  // namespace

bool Error::retryable() const {
  if (connection_lost_) return true;
  // 40001 serialization_failure, 40P01 deadlock_detected, 57P01-03 the server shutting down or
  // starting up, class 08 a connection exception.
  return sqlstate_ == "40001" || sqlstate_ == "40P01" || sqlstate_ == "57P01" ||
         sqlstate_ == "57P02" || sqlstate_ == "57P03" || sqlstate_.starts_with("08");
}

Result::~Result() {
  PQclear(result_);
}

Result& Result::operator=(Result&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

int Result::rows() const {
  return PQntuples(result_);
}

bool Result::null(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

std::string_view Result::text(int row, int column) const {
  return {PQgetvalue(result_, row, column),
          static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::int64_t Result::int64(int row, int column) const {
  const auto value = text(row, column);
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (null(row, column) || ec != std::errc() || end != value.data() + value.size()) {
    throw std::runtime_error("PostgreSQL returned \"" + std::string(value) +
                             "\" where a number was expected");
  }
  return n;
}

std::optional<std::string> Result::optional_text(int row, int column) const {
  if (null(row, column)) return std::nullopt;
  return std::string(text(row, column));
}

std::int64_t Result::affected() const {
  const char* n = PQcmdTuples(result_);
  return n && *n ? std::stoll(n) : 0;
}

Connection::Connection(const std::string& url, const Options& options)
    : url_(url), options_(options) {
  open();
}

Connection::~Connection() {
  PQfinish(conn_);
}

void Connection::open() {
  PQfinish(conn_);
  conn_ = nullptr;
  prepared_.clear();
  const std::string connect_timeout = std::to_string(options_.connect_timeout.count());
  // Defaults first: the URL, expanded last, overrides any of them. A dead peer shows within
  // about 25 s (keepalives) and a write to one within 15 s (tcp_user_timeout), instead of the
  // kernel's two hours.
  const char* keywords[] = {"connect_timeout",  "keepalives",
                            "keepalives_idle",  "keepalives_interval",
                            "keepalives_count", "tcp_user_timeout",
                            "application_name", "client_encoding",
                            "dbname",           nullptr};
  const char* values[] = {
      connect_timeout.c_str(),           "1",    "10",         "5",    "3", "15000",
      options_.application_name.c_str(), "UTF8", url_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn_ == nullptr) throw Error("out of memory connecting to PostgreSQL", "", true);
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string why = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);  // a constructor that throws runs no destructor
    conn_ = nullptr;
    throw Error("cannot connect to PostgreSQL: " + why, "", true);
  }
  const std::string timeout =
      "SET statement_timeout = " + std::to_string(options_.statement_timeout.count());
  command(timeout.c_str());
}

void Connection::reconnect() {
  open();
}

bool Connection::ok() const {
  return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

bool Connection::in_transaction() const {
  const auto status = PQtransactionStatus(conn_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

int Connection::server_version() const {
  return PQserverVersion(conn_);
}

std::string Connection::where() const {
  const char* db = PQdb(conn_);
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  return "\"" + std::string(db ? db : "") + "\" on " + (host ? host : "") + ":" +
         (port ? port : "");
}

void Connection::fail(pg_result* result, std::string_view what) {
  const char* field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = field ? field : "";  // copied: PQclear frees it
  std::string message = trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
  if (result == nullptr || message == "unknown PostgreSQL error") {
    message = trimmed(PQerrorMessage(conn_));
  }
  PQclear(result);
  const bool lost = PQstatus(conn_) != CONNECTION_OK;
  throw Error(std::string(what) + ": " + message, state, lost);
}

void Connection::command(const char* sql) {
  pg_result* result = PQexec(conn_, sql);
  if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
    fail(result, "PostgreSQL refused a statement");
  }
  PQclear(result);
}

const std::string& Connection::prepared(const char* sql) {
  auto found = prepared_.find(std::string_view(sql));
  if (found == prepared_.end()) {
    const std::string name = "ib" + std::to_string(prepared_.size());
    pg_result* result = PQprepare(conn_, name.c_str(), sql, 0, nullptr);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      fail(result, "PostgreSQL refused to prepare a statement");
    }
    PQclear(result);
    found = prepared_.emplace(sql, name).first;
  }
  return found->second;
}

namespace {

std::vector<const char*> values_of(const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return values;
}

bool succeeded(pg_result* result) {
  const auto status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

Result Connection::exec(const char* sql, const std::vector<Param>& params) {
  const std::string& name = prepared(sql);
  const auto values = values_of(params);
  pg_result* result = PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()),
                                     values.data(), nullptr, nullptr, /*text results*/ 0);
  if (!succeeded(result)) fail(result, "PostgreSQL refused a statement");
  return Result(result);
}

std::vector<Result> Connection::exec_all(const std::vector<Query>& queries) {
  std::vector<const std::string*> names;
  for (const auto& q : queries) names.push_back(&prepared(q.sql));
  if (PQenterPipelineMode(conn_) != 1) fail(nullptr, "PostgreSQL refused a pipeline");
  // Sent together, then one Sync: the statements' results come back in order.
  bool sent = true;
  for (std::size_t i = 0; i < queries.size() && sent; ++i) {
    const auto values = values_of(*queries[i].params);
    sent = PQsendQueryPrepared(conn_, names[i]->c_str(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0) == 1;
  }
  sent = sent && PQpipelineSync(conn_) == 1;
  std::vector<Result> results;
  pg_result* refused = nullptr;
  if (sent) {
    for (std::size_t i = 0; i < queries.size(); ++i) {
      pg_result* result = PQgetResult(conn_);
      if (result == nullptr) break;  // the connection failed
      if (!succeeded(result) && refused == nullptr &&
          PQresultStatus(result) != PGRES_PIPELINE_ABORTED) {
        refused = result;
      } else if (succeeded(result)) {
        results.emplace_back(result);
      } else {
        PQclear(result);
      }
      while (pg_result* more = PQgetResult(conn_)) PQclear(more);  // the NULL after each
    }
    // The Sync's own result ends the pipeline.
    while (pg_result* sync = PQgetResult(conn_)) {
      const bool done = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
      PQclear(sync);
      if (done) break;
    }
  }
  PQexitPipelineMode(conn_);
  if (refused != nullptr) fail(refused, "PostgreSQL refused a statement");
  if (!sent || results.size() != queries.size()) fail(nullptr, "PostgreSQL lost a pipeline");
  return results;
}

}  // namespace incident::pg
