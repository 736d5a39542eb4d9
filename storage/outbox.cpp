#include "storage/outbox.h"

#include <chrono>
#include <limits>
#include <mutex>
#include <set>

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

void enqueue(sql::Connection& db, const std::vector<OutboxItem>& items,
             const std::string& replica) {
  const std::int64_t now = now_ms();
  for (const auto& item : items) {
    auto st =
        db("INSERT INTO outbox (platform, key, channel, kind, txn_id, "
           "payload, created_at, updated_at, claimed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
           "ON CONFLICT DO NOTHING");
    st->bind(1, item.platform);
    st->bind(2, item.key);
    st->bind(3, item.channel);
    st->bind(4, item.kind);
    st->bind(5, item.txn_id);
    st->bind(6, item.payload);
    st->bind(7, now);
    st->bind(8, now);
    st->bind(9, item.owned ? replica : std::string{});
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
  // Requests no one owns, this replica's, and those of replicas no longer seen. SQLite has one
  // process (replica_ is empty): every pending request is its own.
  const std::int64_t lapsed = replica_.empty() ? std::numeric_limits<std::int64_t>::max()
                                               : outbox::now_ms() - kReplicaTimeout.count();
  std::vector<OutboxItem> out;
  std::vector<std::pair<std::int64_t, std::string>> to_claim;  // id, its replica
  {
    auto st = (*sql_)(
        "SELECT o.id, o.platform, o.key, o.channel, o.kind, o.txn_id, o.payload, o.claimed_by "
        "FROM outbox o LEFT JOIN replicas r ON r.id = o.claimed_by "
        "WHERE o.platform = ? AND o.status = 'pending' "
        "AND (o.claimed_by IN ('', ?) OR r.seen_at IS NULL OR r.seen_at < ?) "
        "ORDER BY o.id LIMIT ?");
    st->bind(1, platform);
    st->bind(2, replica_);
    st->bind(3, lapsed);
    st->bind(4, static_cast<std::int64_t>(limit));
    while (st->executeStep()) {
      out.push_back({st->getColumn(0).getInt64(), st->getColumn(1).getString(),
                     st->getColumn(2).getString(), st->getColumn(3).getString(),
                     st->getColumn(4).getString(), st->getColumn(5).getString(),
                     st->getColumn(6).getString()});
      std::string owner = st->getColumn(7).getString();
      if (!owner.empty() && owner != replica_) to_claim.emplace_back(out.back().id, owner);
    }
  }
  if (to_claim.empty()) return out;
  // An owned request of a gone replica becomes this one's, taken over only from the replica it
  // was read with: of two replicas taking the same request, the second finds it claimed (on
  // PostgreSQL it waits for the first's row lock, then re-reads).
  std::set<std::int64_t> lost;
  write([&] {
    sql::Scope tx(*sql_, sql::Scope::write);
    for (const auto& [id, owner] : to_claim) {
      auto st = (*sql_)(
          "UPDATE outbox SET claimed_by = ? WHERE id = ? AND status = 'pending' AND claimed_by = "
          "?");
      st->bind(1, replica_);
      st->bind(2, id);
      st->bind(3, owner);
      if (st->exec() != 1) lost.insert(id);
    }
    tx.commit();
  });
  std::erase_if(out, [&](const OutboxItem& item) { return lost.count(item.id) > 0; });
  return out;
}

void SqlStore::heartbeat() {
  if (replica_.empty()) return;
  const auto lock = hold();
  write([&] {
    auto st = (*sql_)(
        "INSERT INTO replicas (id, seen_at) VALUES (?, ?) "
        "ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at");
    st->bind(1, replica_);
    st->bind(2, outbox::now_ms());
    st->exec();
  });
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
    // Replicas gone as long: their claims lapsed long ago.
    auto gone = (*sql_)("DELETE FROM replicas WHERE seen_at < ?");
    gone->bind(1, to_unix_ms(before));
    gone->exec();
  });
  return deleted;
}

}  // namespace incident
