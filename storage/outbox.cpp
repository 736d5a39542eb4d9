#include "storage/outbox.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>

namespace incident {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void Outbox::enqueue(const std::vector<OutboxItem>& items, const Cursors& cursors) {
  if (items.empty() && cursors.empty()) return;
  store_.transact([&](SQLite::Database& db) {
    const std::int64_t now = now_ms();
    for (const auto& item : items) {
      // OR IGNORE: a replayed event's requests are already queued (or made) under their keys.
      SQLite::Statement st(db,
                           "INSERT OR IGNORE INTO outbox (platform, key, channel, kind, txn_id, "
                           "payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      st.bind(1, item.platform);
      st.bind(2, item.key);
      st.bind(3, item.channel);
      st.bind(4, item.kind);
      st.bind(5, item.txn_id);
      st.bind(6, item.payload);
      st.bind(7, now);
      st.bind(8, now);
      st.exec();
    }
    for (const auto& [name, value] : cursors) {
      SQLite::Statement st(db,
                           "INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?) "
                           "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
                           "updated_at = excluded.updated_at");
      st.bind(1, name);
      st.bind(2, value);
      st.bind(3, now);
      st.exec();
    }
  });
}

std::vector<OutboxItem> Outbox::pending(const std::string& platform, std::size_t limit) {
  std::vector<OutboxItem> out;
  store_.transact([&](SQLite::Database& db) {
    SQLite::Statement st(db,
                         "SELECT id, platform, key, channel, kind, txn_id, payload FROM outbox "
                         "WHERE platform = ? AND status = 'pending' ORDER BY id LIMIT ?");
    st.bind(1, platform);
    st.bind(2, static_cast<std::int64_t>(limit));
    while (st.executeStep()) {
      out.push_back({st.getColumn(0).getInt64(), st.getColumn(1).getString(),
                     st.getColumn(2).getString(), st.getColumn(3).getString(),
                     st.getColumn(4).getString(), st.getColumn(5).getString(),
                     st.getColumn(6).getString()});
    }
  });
  return out;
}

void Outbox::finish(std::int64_t id, bool done, const std::string& result) {
  store_.transact([&](SQLite::Database& db) {
    SQLite::Statement st(db,
                         "UPDATE outbox SET status = ?, result = ?, payload = '', updated_at = ? "
                         "WHERE id = ?");
    st.bind(1, done ? "done" : "failed");
    st.bind(2, result);
    st.bind(3, now_ms());
    st.bind(4, id);
    st.exec();
  });
}

std::optional<std::string> Outbox::result(const std::string& key) {
  std::optional<std::string> out;
  store_.transact([&](SQLite::Database& db) {
    SQLite::Statement st(db, "SELECT result FROM outbox WHERE key = ? AND status = 'done'");
    st.bind(1, key);
    if (st.executeStep()) out = st.getColumn(0).getString();
  });
  return out;
}

int Outbox::prune(TimePoint before) {
  int deleted = 0;
  store_.transact([&](SQLite::Database& db) {
    SQLite::Statement st(db, "DELETE FROM outbox WHERE status <> 'pending' AND updated_at < ?");
    st.bind(1, to_unix_ms(before));
    deleted = st.exec();
  });
  return deleted;
}

}  // namespace incident
