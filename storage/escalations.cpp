#include "storage/escalations.h"

#include <algorithm>

#include <mutex>
#include <stdexcept>

#include "storage/sql.h"
#include "storage/sql_store.h"

namespace incident::escalations {
namespace {

// Scrubbed replies: the key stays recorded, so a redelivery is still a no-op, but what was said
// is gone. SqliteStore zeroes the old bytes in the file too (PRAGMA secure_delete).
constexpr const char* kScrubbed = "[]";

const char* const kCaseColumns =
    "case_code, platform, topic, text, dm_channel, COALESCE(security_ref, ''), status, "
    "created_at, closed_at";

Escalation case_of(const sql::Statement& st) {
  Escalation e;
  e.code = st.getColumn(0).getString();
  e.platform = st.getColumn(1).getString();
  const std::string topic = st.getColumn(2).getString();
  const auto t = topic_from_string(topic);
  if (!t) throw std::runtime_error("database holds an unknown case topic: \"" + topic + "\"");
  e.topic = *t;
  e.text = st.getColumn(3).getString();
  e.dm_channel = st.getColumn(4).getString();
  e.security_ref = st.getColumn(5).getString();
  e.open = st.getColumn(6).getString() == "open";
  e.created_at = from_unix_ms(st.getColumn(7).getInt64());
  if (!st.getColumn(8).isNull()) e.closed_at = from_unix_ms(st.getColumn(8).getInt64());
  return e;
}

}  // namespace

void insert_case(sql::Connection& db, const Escalation& e) {
  auto st =
      db("INSERT INTO escalations (case_code, platform, topic, text, dm_channel, "
         "status, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?)");
  st->bind(1, e.code);
  st->bind(2, e.platform);
  st->bind(3, to_string(e.topic));
  st->bind(4, e.text);
  st->bind(5, e.dm_channel);
  st->bind(6, to_unix_ms(e.created_at));
  st->exec();
}

void anchor_case(sql::Connection& db, const change::CaseAnchored& c) {
  auto st = db("UPDATE escalations SET security_ref = ? WHERE case_code = ?");
  st->bind(1, c.security_ref);
  st->bind(2, c.code);
  st->exec();
}

void close_case(sql::Connection& db, const change::CaseClosed& c) {
  auto st =
      db("UPDATE escalations SET status = 'closed', closed_at = ? "
         "WHERE case_code = ? AND status = 'open'");
  st->bind(1, to_unix_ms(c.at));
  st->bind(2, c.code);
  st->exec();
}

void record_private_event(sql::Connection& db, const std::string& key,
                          const change::PrivateEvent& p) {
  auto st = db("INSERT INTO private_events (key, case_code, at) VALUES (?, ?, ?)");
  st->bind(1, key);
  if (p.code.empty()) {
    st->bind(2);
  } else {
    st->bind(2, p.code);
  }
  st->bind(3, to_unix_ms(p.at));
  st->exec();
}

std::vector<OpenIncident> open_incidents(sql::Connection& db) {
  auto st =
      db("SELECT i.platform, i.channel, i.number, i.title, COALESCE(r.\"user\", ''), "
         "i.private "
         "FROM incidents i LEFT JOIN roles r "
         "ON r.incident = i.number AND r.role = 'commander' "
         "WHERE i.status = 'open' ORDER BY i.number");
  std::vector<OpenIncident> out;
  while (st->executeStep()) {
    out.push_back({st->getColumn(0).getString(),
                   st->getColumn(1).getString(),
                   st->getColumn(2).getInt64(),
                   st->getColumn(3).getString(),
                   st->getColumn(4).getString(),
                   {},
                   st->getColumn(5).getInt() != 0});
  }
  auto members =
      db("SELECT \"user\" FROM roles WHERE incident = ?1 "
         "UNION SELECT facilitator FROM incidents WHERE number = ?1 "
         "UNION SELECT author FROM timeline WHERE incident = ?1 "
         "UNION SELECT author FROM review_replies WHERE incident = ?1 "
         "UNION SELECT author FROM actions WHERE incident = ?1");
  for (auto& inc : out) {
    members->bind(1, inc.number);
    while (members->executeStep()) {
      std::string key = user_key(members->getColumn(0).getString());
      if (!key.empty() &&
          std::find(inc.members.begin(), inc.members.end(), key) == inc.members.end()) {
        inc.members.push_back(std::move(key));
      }
    }
    members->reset();
  }
  return out;
}

std::vector<Escalation> open_cases(sql::Connection& db, const std::string& platform,
                                   const std::string& dm_channel) {
  auto st = db(std::string("SELECT ") + kCaseColumns +
               " FROM escalations WHERE platform = ? AND dm_channel = ? "
               "AND status = 'open' ORDER BY created_at, case_code");
  st->bind(1, platform);
  st->bind(2, dm_channel);
  std::vector<Escalation> out;
  while (st->executeStep()) out.push_back(case_of(*st));
  return out;
}

std::optional<Escalation> case_by_ref(sql::Connection& db, const std::string& platform,
                                      const std::string& security_ref) {
  if (security_ref.empty()) return std::nullopt;
  auto st = db(std::string("SELECT ") + kCaseColumns +
               " FROM escalations WHERE security_ref = ? AND platform = ?");
  st->bind(1, security_ref);
  st->bind(2, platform);
  if (!st->executeStep()) return std::nullopt;
  return case_of(*st);
}

int cases_since(sql::Connection& db, const std::string& platform, const std::string& dm_channel,
                TimePoint since) {
  auto st =
      db("SELECT COUNT(*) FROM escalations "
         "WHERE platform = ? AND dm_channel = ? AND created_at >= ?");
  st->bind(1, platform);
  st->bind(2, dm_channel);
  st->bind(3, to_unix_ms(since));
  st->executeStep();
  return st->getColumn(0).getInt();
}

int purge_private(sql::Connection& db, TimePoint closed_before, TimePoint private_before) {
  // ?1: cases closed before it go; ?2: case-less private events before it are scrubbed.
  const std::string expired_cases =
      "SELECT case_code FROM escalations WHERE status = 'closed' AND closed_at < ?1";
  const std::string expired_events = "SELECT key FROM private_events WHERE case_code IN (" +
                                     expired_cases + ") OR (case_code IS NULL AND at < ?2)";
  sql::Scope tx(db, sql::Scope::write);
  // Order matters: the events are found through their cases, so the cases go last.
  for (const std::string& text :
       {"UPDATE processed_events SET replies = '" + std::string(kScrubbed) + "' WHERE key IN (" +
            expired_events + ")",
        "DELETE FROM private_events WHERE key IN (" + expired_events + ")"}) {
    auto st = db(text);
    st->bind(1, to_unix_ms(closed_before));
    st->bind(2, to_unix_ms(private_before));
    st->exec();
  }
  auto st = db("DELETE FROM escalations WHERE case_code IN (" + expired_cases + ")");
  st->bind(1, to_unix_ms(closed_before));
  const int cases = st->exec();
  tx.commit();
  return cases;
}

}  // namespace incident::escalations

namespace incident {

// The Store methods for cases, beside their SQL (declared in storage/sql_store.h).
std::vector<OpenIncident> SqlStore::open_incidents() {
  const auto lock = hold();
  return escalations::open_incidents(*sql_);
}

std::vector<Escalation> SqlStore::open_cases(const std::string& platform,
                                             const std::string& dm_channel) {
  const auto lock = hold();
  return escalations::open_cases(*sql_, platform, dm_channel);
}

std::optional<Escalation> SqlStore::case_by_ref(const std::string& platform,
                                                const std::string& security_ref) {
  const auto lock = hold();
  return escalations::case_by_ref(*sql_, platform, security_ref);
}

int SqlStore::cases_since(const std::string& platform, const std::string& dm_channel,
                          TimePoint since) {
  const auto lock = hold();
  return escalations::cases_since(*sql_, platform, dm_channel, since);
}

int SqlStore::purge_private(TimePoint closed_before, TimePoint private_before) {
  const auto lock = hold();
  const int cases = escalations::purge_private(*sql_, closed_before, private_before);
  after_purge();
  return cases;
}

}  // namespace incident
