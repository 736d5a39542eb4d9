#include "storage/migrations.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace incident {
namespace {

// Conventions: times are INTEGER unix milliseconds UTC; enums are their to_string() text
// ("sev2", "commander", "pin", "open") so the file reads well in the sqlite3 shell; dates are
// TEXT YYYY-MM-DD; booleans are INTEGER 0/1.
const char* const kV1 = R"sql(
CREATE TABLE incidents (
  number      INTEGER PRIMARY KEY,
  platform    TEXT    NOT NULL,
  channel     TEXT    NOT NULL,
  title       TEXT    NOT NULL,
  severity    TEXT    NOT NULL,
  status      TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
  opened_at   INTEGER NOT NULL,
  closed_at   INTEGER,
  resolution  TEXT    NOT NULL DEFAULT ''
);
-- One open incident per channel: the domain checks it too, but two processes on one file (or a
-- bug) must not be able to break it.
CREATE UNIQUE INDEX incidents_one_open_per_channel
  ON incidents (platform, channel) WHERE status = 'open';
CREATE INDEX incidents_by_channel ON incidents (platform, channel, number);

CREATE TABLE roles (
  incident  INTEGER NOT NULL REFERENCES incidents (number),
  role      TEXT    NOT NULL,
  user      TEXT    NOT NULL,
  PRIMARY KEY (incident, role)
);

CREATE TABLE timeline (
  incident     INTEGER NOT NULL REFERENCES incidents (number),
  seq          INTEGER NOT NULL,
  at           INTEGER NOT NULL,
  source       TEXT    NOT NULL,
  author       TEXT    NOT NULL,
  text         TEXT    NOT NULL,
  message_ref  TEXT    NOT NULL DEFAULT '',
  deleted      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (incident, seq)
);
-- Edits and deletes on the platform find their entry by message reference.
CREATE INDEX timeline_by_message ON timeline (incident, message_ref);

CREATE TABLE actions (
  incident    INTEGER NOT NULL REFERENCES incidents (number),
  number      INTEGER NOT NULL,
  text        TEXT    NOT NULL,
  owner       TEXT    NOT NULL DEFAULT '',
  due         TEXT,
  done        INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  author      TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (incident, number)
);

-- Idempotency: a redelivered event finds its key and gets the same replies back.
CREATE TABLE processed_events (
  key           TEXT    PRIMARY KEY,
  processed_at  INTEGER NOT NULL,
  replies       TEXT    NOT NULL
);
)sql";

const char* const kV2 = R"sql(
-- Transport positions (e.g. Matrix next_batch), committed together with the events they cover.
CREATE TABLE cursors (
  name        TEXT    PRIMARY KEY,
  value       TEXT    NOT NULL,
  updated_at  INTEGER NOT NULL
);

-- Replies in the post-mortem thread; `id` keeps arrival order.
CREATE TABLE review_replies (
  id           INTEGER PRIMARY KEY,
  incident     INTEGER NOT NULL REFERENCES incidents (number),
  at           INTEGER NOT NULL,
  author       TEXT    NOT NULL,
  text         TEXT    NOT NULL,
  message_ref  TEXT    NOT NULL DEFAULT '',
  deleted      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX review_replies_by_incident ON review_replies (incident, id);
CREATE INDEX review_replies_by_message ON review_replies (incident, message_ref);

ALTER TABLE incidents ADD COLUMN facilitator TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN postmortem_ref TEXT NOT NULL DEFAULT '';

-- "Is this safe?" escalations. Deliberately no column for the asker's name: anonymity is a
-- property of the schema, not of code that remembers to leave it out. dm_channel routes the
-- security team's answers back; rows are deleted after retention once closed.
CREATE TABLE escalations (
  case_code     TEXT    PRIMARY KEY,
  platform      TEXT    NOT NULL,
  topic         TEXT    NOT NULL,
  text          TEXT    NOT NULL,
  dm_channel    TEXT    NOT NULL,
  security_ref  TEXT,
  status        TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_at    INTEGER NOT NULL,
  closed_at     INTEGER
);
CREATE INDEX escalations_by_security_ref ON escalations (security_ref);
)sql";

const char* const kV3 = R"sql(
-- Events of the "is this safe?" flow. Their recorded replies (processed_events.replies) hold DM
-- guidance, or for a case the words relayed between asker and security team, so they are
-- scrubbed: with their case when it is purged, or after a day when case_code is NULL.
CREATE TABLE private_events (
  key        TEXT    PRIMARY KEY,
  case_code  TEXT,
  at         INTEGER NOT NULL
);
CREATE INDEX private_events_by_case ON private_events (case_code);
CREATE INDEX private_events_by_time ON private_events (at) WHERE case_code IS NULL;
-- A DM channel's open cases, and its escalations in the rate-limit window.
CREATE INDEX escalations_by_dm_channel ON escalations (platform, dm_channel, created_at);
)sql";

const char* const kV4 = R"sql(
-- Requests to make after a commit (storage/outbox.h): a message to send, a room to join. Each is
-- stored with its idempotency id (a Matrix txnId) before the first attempt, so a retry after a
-- crash or restart is the same request and the platform does not duplicate it. `key` dedupes a
-- re-enqueue after a replayed event; `payload` is cleared once the request is finished.
CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY,
  platform    TEXT    NOT NULL,
  key         TEXT    NOT NULL UNIQUE,
  channel     TEXT    NOT NULL,
  kind        TEXT    NOT NULL,
  txn_id      TEXT    NOT NULL,
  payload     TEXT    NOT NULL,
  status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  result      TEXT    NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX outbox_pending ON outbox (platform, id) WHERE status = 'pending';
CREATE INDEX outbox_finished ON outbox (updated_at) WHERE status <> 'pending';
)sql";

const char* const kV5 = R"sql(
-- When `share confirm` posted the lessons learned: they go out once.
ALTER TABLE incidents ADD COLUMN shared_at INTEGER;
-- The `action` message of an item, so that editing it rewords the item.
ALTER TABLE actions ADD COLUMN message_ref TEXT NOT NULL DEFAULT '';
)sql";

const char* const kV6 = R"sql(
-- The review page (adapters/web). A sign-in link `web` sent: only the SHA-256 of its token.
CREATE TABLE web_sign_ins (
  token_hash  TEXT    PRIMARY KEY,
  platform    TEXT    NOT NULL,
  user        TEXT    NOT NULL,
  incident    INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  used_at     INTEGER
);
-- A signed-in browser: the SHA-256 of its session id, never the id.
CREATE TABLE web_sessions (
  id_hash     TEXT    PRIMARY KEY,
  platform    TEXT    NOT NULL,
  user        TEXT    NOT NULL,
  csrf        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL
);
)sql";

const char* const kV7 = R"sql(
-- A draft section rewritten on the review page; text '' is the generated one again.
CREATE TABLE section_texts (
  incident  INTEGER NOT NULL REFERENCES incidents (number),
  section   TEXT    NOT NULL,
  text      TEXT    NOT NULL,
  version   INTEGER NOT NULL,
  by_user   TEXT    NOT NULL,
  at        INTEGER NOT NULL,
  PRIMARY KEY (incident, section)
);
-- Every change made on the review page, for the record.
CREATE TABLE review_edits (
  id           INTEGER PRIMARY KEY,
  incident     INTEGER NOT NULL REFERENCES incidents (number),
  at           INTEGER NOT NULL,
  user         TEXT    NOT NULL,
  what         TEXT    NOT NULL,
  old_version  INTEGER NOT NULL,
  new_version  INTEGER NOT NULL
);
CREATE INDEX review_edits_by_incident ON review_edits (incident, id);
)sql";

const char* const kV8 = R"sql(
-- Timeline entries curated on the review page.
ALTER TABLE timeline ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timeline ADD COLUMN starred INTEGER NOT NULL DEFAULT 0;
ALTER TABLE timeline ADD COLUMN original_at INTEGER;
)sql";

const char* const kV9 = R"sql(
-- Action items edited on the review page carry a version: a stale save is refused.
ALTER TABLE actions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
)sql";

const char* const kV10 = R"sql(
-- `publish`: when the final post-mortem was last posted, and by whom.
ALTER TABLE incidents ADD COLUMN published_at INTEGER;
ALTER TABLE incidents ADD COLUMN published_by TEXT NOT NULL DEFAULT '';
)sql";

const char* const kV11 = R"sql(
-- Reminders: switched off per incident with `remind off`, the review meeting's time, and each
-- one sent, by kind and the
-- moment it fell due (which makes it that occurrence and no other).
ALTER TABLE incidents ADD COLUMN reminders_off INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN review_at INTEGER;  -- `review at`: the review meeting
ALTER TABLE incidents ADD COLUMN review_started_at INTEGER;  -- when `postmortem` first ran
CREATE TABLE reminders (
  incident INTEGER NOT NULL REFERENCES incidents(number),
  kind     TEXT NOT NULL,
  item     INTEGER NOT NULL,  -- the action item's number for action_due, else 0
  due      INTEGER NOT NULL,
  at       INTEGER NOT NULL,
  PRIMARY KEY (incident, kind, item, due)
);
)sql";

const char* const kV12 = R"sql(
-- Milestones: when the problem started, was detected, mitigated and resolved (`milestone`),
-- the most severe the incident has been (older incidents: their severity now, the best that is
-- known of them), whether it is private, and whether it is a security incident.
CREATE TABLE milestones (
  incident INTEGER NOT NULL REFERENCES incidents(number),
  name     TEXT NOT NULL,
  at       INTEGER NOT NULL,
  PRIMARY KEY (incident, name)
);
ALTER TABLE incidents ADD COLUMN peak_severity TEXT NOT NULL DEFAULT 'unset';
UPDATE incidents SET peak_severity = severity;
ALTER TABLE incidents ADD COLUMN private INTEGER NOT NULL DEFAULT 0;  -- `start … private`
ALTER TABLE incidents ADD COLUMN security INTEGER NOT NULL DEFAULT 0;  -- `type security`
)sql";

const char* const kV13 = R"sql(
-- `start … new`: where the incident was declared, once it moved to a channel of its own
-- (`channel` is then that channel); empty while it lives where it was declared.
ALTER TABLE incidents ADD COLUMN declared_in TEXT NOT NULL DEFAULT '';
)sql";

const char* const kV14 = R"sql(
-- Duties to notify someone outside the team by a deadline (`notify`, `notified`).
CREATE TABLE notifications (
  incident   INTEGER NOT NULL REFERENCES incidents(number),
  number     INTEGER NOT NULL,
  who        TEXT    NOT NULL,
  deadline   INTEGER NOT NULL,
  done_at    INTEGER,
  created_at INTEGER NOT NULL,
  author     TEXT    NOT NULL,
  PRIMARY KEY (incident, number)
);
)sql";

const char* const kV15 = R"sql(
-- Several bot processes on one PostgreSQL database (replicas): which one works a pending request
-- (`claimed_by`, empty for none) and when each was last seen alive. A request whose replica is
-- no longer seen is free for another. SQLite has one process and leaves these tables unused.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
CREATE TABLE replicas (
  id       TEXT    PRIMARY KEY,
  seen_at  INTEGER NOT NULL
);
-- A role only one replica may hold (Matrix's /sync for an account): who holds it, as which
-- epoch, last seen when. A holder writes only under its own epoch (a fencing token), so one
-- paused and replaced writes nothing when it resumes.
CREATE TABLE leaders (
  name     TEXT    PRIMARY KEY,
  epoch    INTEGER NOT NULL,
  holder   TEXT    NOT NULL,
  seen_at  INTEGER NOT NULL
);
)sql";

}  // namespace

const std::vector<std::string>& migration_scripts() {
  static const std::vector<std::string> scripts{kV1, kV2,  kV3,  kV4,  kV5,  kV6,  kV7, kV8,
                                                kV9, kV10, kV11, kV12, kV13, kV14, kV15};
  return scripts;
}

int latest_schema_version() {
  return static_cast<int>(migration_scripts().size());
}

int read_schema_version(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt();
}

void check_schema_supported(int version, const std::string& where) {
  if (version > latest_schema_version()) {
    throw SchemaTooNewError("database " + where + " has schema version " + std::to_string(version) +
                            ", but this incident-bot only knows up to " +
                            std::to_string(latest_schema_version()) +
                            "; run a newer incident-bot (or point INCIDENT_BOT_DB elsewhere)");
  }
}

void check_schema_supported(SQLite::Database& db) {
  check_schema_supported(read_schema_version(db), db.getFilename());
}

void apply_migrations(SQLite::Database& db, int up_to) {
  if (up_to < 1 || up_to > latest_schema_version()) {
    throw std::invalid_argument("apply_migrations: no schema version " + std::to_string(up_to));
  }
  // IMMEDIATE takes the write lock before reading the version, so two processes opening the same
  // new file cannot both decide to run migration 1.
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  check_schema_supported(db);
  const int current = read_schema_version(db);
  if (current >= up_to) return;  // nothing to do; the transaction rolls back harmlessly
  for (int version = current + 1; version <= up_to; ++version) {
    db.exec(migration_scripts()[static_cast<std::size_t>(version - 1)]);
  }
  // user_version lives in the database header, which is part of the transaction.
  db.exec("PRAGMA user_version = " + std::to_string(up_to));
  tx.commit();
}

void apply_migrations(SQLite::Database& db) {
  apply_migrations(db, latest_schema_version());
}

}  // namespace incident
