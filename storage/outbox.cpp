#include "storage/outbox.h"

#include <chrono>
#include <mutex>

#include "storage/sql.h"
#include "storage/sql_store.h"

namespace incident::outbox {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void enqueue(sql::Connection& db, const std::vector<OutboxItem>& items) {
  const std::int64_t now = now_ms();
  for (const auto& item : items) {
    auto st =
        db("INSERT INTO outbox (platform, key, channel, kind, txn_id, "
           "payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
           "ON CONFLICT DO NOTHING");
    st->bind(1, item.platform);
    st->bind(2, item.key);
    st->bind(3, item.channel);
    st->bind(4, item.kind);
    st->bind(5, item.txn_id);
    st->bind(6, item.payload);
    st->bind(7, now);
    st->bind(8, now);
    st->exec();
  }
}

void store_cursors(sql::Connection& db, const Cursors& cursors) {
  const std::int64_t now = now_ms();
  for (const auto& [name, value] : cursors) {
    auto st =
        db("INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) "
           "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
           "updated_at = excluded.updated_at");
    st->bind(1, name);
    st->bind(2, value);
    st->bind(3, now);
    st->exec();
  }
}

}  // namespace incident::outbox

namespace incident {

// The Store methods for the outbox and cursors, beside their SQL (declared in
// storage/sql_store.h). Each statement is its own transaction.
std::optional<std::string> SqlStore::cursor(const std::string& name) {
  const auto lock = hold();
  auto st = (*sql_)("SELECT value FROM cursors WHERE name = ?");
  st->bind(1, name);
  if (!st->executeStep()) return std::nullopt;
  return st->getColumn(0).getString();
}

std::vector<OutboxItem> SqlStore::pending_requests(const std::string& platform, std::size_t limit) {
  const auto lock = hold();
  std::vector<OutboxItem> out;
  auto st = (*sql_)(
      "SELECT id, platform, key, channel, kind, txn_id, payload FROM outbox "
      "WHERE platform = ? AND status = 'pending' ORDER BY id LIMIT ?");
  st->bind(1, platform);
  st->bind(2, static_cast<std::int64_t>(limit));
  while (st->executeStep()) {
    out.push_back({st->getColumn(0).getInt64(), st->getColumn(1).getString(),
                   st->getColumn(2).getString(), st->getColumn(3).getString(),
                   st->getColumn(4).getString(), st->getColumn(5).getString(),
                   st->getColumn(6).getString()});
  }
  return out;
}

void SqlStore::finish_request(std::int64_t id, bool done, const std::string& result) {
  const auto lock = hold();
  write([&] {
    auto st = (*sql_)(
        "UPDATE outbox SET status = ?, result = ?, payload = '', updated_at = ? "
        "WHERE id = ?");
    st->bind(1, done ? "done" : "failed");
    st->bind(2, result);
    st->bind(3, outbox::now_ms());
    st->bind(4, id);
    st->exec();
  });
}

std::optional<std::string> SqlStore::request_result(const std::string& key) {
  const auto lock = hold();
  auto st = (*sql_)("SELECT result FROM outbox WHERE key = ? AND status = 'done'");
  st->bind(1, key);
  if (!st->executeStep()) return std::nullopt;
  return st->getColumn(0).getString();
}

int SqlStore::prune_requests(TimePoint before) {
  const auto lock = hold();
  int deleted = 0;
  write([&] {
    auto st = (*sql_)("DELETE FROM outbox WHERE status <> 'pending' AND updated_at < ?");
    st->bind(1, to_unix_ms(before));
    deleted = st->exec();
  });
  return deleted;
}

}  // namespace incident
