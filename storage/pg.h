// A PostgreSQL connection over libpq, for the PostgreSQL store. Statements are prepared once per
// connection and sent with text parameters; every call waits for its answer, so a store that
// uses it runs on a thread of its own, never on the I/O thread. libpq stays behind this header.
//
// A call never waits forever: the connection sets the server's statement_timeout, libpq's
// connect_timeout, and TCP keepalives with tcp_user_timeout, so a dead server or a cut network
// is an error within seconds rather than a hang. The URL may carry a password: no message from
// here repeats the URL.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct pg_conn;
struct pg_result;

namespace incident::pg {

// What PostgreSQL refused, with its SQLSTATE (e.g. "23505" a unique violation, "57014" a
// statement timeout, "40001" a serialization failure), or a lost connection (no SQLSTATE:
// the statement's outcome is unknown, and the connection must be opened again).
class Error : public std::runtime_error {
 public:
  Error(const std::string& message, std::string sqlstate, bool connection_lost)
      : std::runtime_error(message),
        sqlstate_(std::move(sqlstate)),
        connection_lost_(connection_lost) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool connection_lost() const { return connection_lost_; }
  // Worth trying the whole transaction again: a serialization failure, a deadlock, a lost
  // connection, or a server shutting down.
  bool retryable() const;

 private:
  std::string sqlstate_;
  bool connection_lost_;
};

// A statement's rows. Values are read as text, the way they were sent.
class Result {
 public:
  explicit Result(pg_result* result) : result_(result) {}
  ~Result();
  Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  Result& operator=(Result&& other) noexcept;
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  int rows() const;
  bool null(int row, int column) const;
  std::string_view text(int row, int column) const;
  std::int64_t int64(int row, int column) const;  // throws on a NULL or a non-number
  std::optional<std::string> optional_text(int row, int column) const;
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;

 private:
  pg_result* result_;
};

// A parameter: text, or SQL NULL.
using Param = std::optional<std::string>;
inline Param param(std::int64_t value) {
  return std::to_string(value);
}
inline Param param(std::string value) {
  return value;
}
inline Param param(const char* value) {
  return std::string(value);
}

struct Options {
  std::chrono::seconds connect_timeout{5};
  std::chrono::milliseconds statement_timeout{5000};
  std::string application_name = "incident-bot";
};

class Connection {
 public:
  // Connects now; throws Error when the server cannot be reached or refuses. `url` is a libpq
  // connection string or URI (postgresql://user@host/db?sslmode=…); what it sets wins over
  // `options`, except statement_timeout, which is set once connected.
  explicit Connection(const std::string& url, const Options& options = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` ($1, $2, … for parameters), prepared on first use on this connection. Throws
  // Error; after a lost connection, reconnect() before anything else.
  Result exec(const char* sql, const std::vector<Param>& params = {});
  // Several statements in one round trip (libpq's pipeline mode), their results in order.
  // The first refused throws, as exec() would, once every answer is read: the connection
  // stays usable (inside a transaction, the transaction has failed).
  struct Query {
    const char* sql;
    const std::vector<Param>* params;
  };
  std::vector<Result> exec_all(const std::vector<Query>& queries);

  // A statement without parameters or rows (BEGIN, COMMIT, SET …), not prepared.
  void command(const char* sql);

  // Whether the connection is usable; false after a lost connection.
  bool ok() const;
  // Whether a transaction is open (or failed and not yet rolled back).
  bool in_transaction() const;
  // Opens the connection again (prepared statements are forgotten). Throws Error.
  void reconnect();

  int server_version() const;  // e.g. 150018
  // Which database on which server, for messages: "incidents" on db.example:5432 (never the
  // user or password).
  std::string where() const;

 private:
  void open();
  // The name `sql` is prepared under on this connection, preparing it first if need be.
  const std::string& prepared(const char* sql);
  [[noreturn]] void fail(pg_result* result, std::string_view what);

  std::string url_;
  Options options_;
  pg_conn* conn_ = nullptr;
  std::map<std::string, std::string, std::less<>> prepared_;  // SQL → statement name
};

}  // namespace incident::pg
