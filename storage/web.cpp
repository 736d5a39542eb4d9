// The review page's rows (bot/model/review_store.h): sign-in links and sessions, by hash only.
// Each call is its own statement and transaction.

#include <mutex>
#include <optional>
#include <string>

#include "storage/sql.h"
#include "storage/sql_store.h"
#include "storage/web.h"

namespace incident::web_rows {

void insert_sign_in(sql::Connection& db, std::int64_t incident, const change::SignInIssued& s) {
  auto st =
      db("INSERT INTO web_sign_ins (token_hash, platform, \"user\", incident, "
         "expires_at) VALUES (?, ?, ?, ?, ?)");
  st->bind(1, s.token_hash);
  st->bind(2, s.platform);
  st->bind(3, s.user);
  st->bind(4, incident);
  st->bind(5, to_unix_ms(s.expires));
  st->exec();
}

// One change made on the review page, for the record (Incident::edits).
void record_edit(sql::Connection& db, std::int64_t incident, TimePoint at, const std::string& user,
                 const std::string& what, std::int64_t old_version, std::int64_t new_version) {
  auto audit =
      db("INSERT INTO review_edits (incident, at, \"user\", what, old_version, "
         "new_version) VALUES (?, ?, ?, ?, ?, ?)");
  audit->bind(1, incident);
  audit->bind(2, to_unix_ms(at));
  audit->bind(3, user);
  audit->bind(4, what);
  audit->bind(5, old_version);
  audit->bind(6, new_version);
  audit->exec();
}

// A due date, or NULL.
void bind_due(sql::Statement& st, int index, const std::optional<Date>& due) {
  if (due) {
    st.bind(index, format_date(*due));
  } else {
    st.bind(index);
  }
}

}  // namespace incident::web_rows

namespace incident {

int SqlStore::pending_sign_ins(const std::string& platform, const std::string& user,
                               TimePoint now) {
  const auto lock = hold();
  auto st = (*sql_)(
      "SELECT COUNT(*) FROM web_sign_ins WHERE platform = ? AND \"user\" = ? AND "
      "used_at IS NULL AND expires_at > ?");
  st->bind(1, platform);
  st->bind(2, user);
  st->bind(3, to_unix_ms(now));
  st->executeStep();
  return st->getColumn(0).getInt();
}

std::optional<SignInGrant> SqlStore::redeem_sign_in(const std::string& token_hash, TimePoint now) {
  const auto lock = hold();
  std::optional<SignInGrant> grant;
  write([&] {
    // One statement: of two requests with the same token, only one changes the row.
    auto st = (*sql_)(
        "UPDATE web_sign_ins SET used_at = ? WHERE token_hash = ? AND "
        "used_at IS NULL AND expires_at > ? "
        "RETURNING platform, \"user\", incident");
    st->bind(1, to_unix_ms(now));
    st->bind(2, token_hash);
    st->bind(3, to_unix_ms(now));
    if (st->executeStep()) {
      grant = SignInGrant{st->getColumn(0).getString(), st->getColumn(1).getString(),
                          st->getColumn(2).getInt64()};
    }
  });
  return grant;
}

SectionSave SqlStore::save_section(std::int64_t incident, const std::string& section,
                                   const std::string& text, std::int64_t expected_version,
                                   const std::string& user, TimePoint at) {
  const auto lock = hold();
  SectionSave result;
  write([&] {
    sql::Scope tx(*sql_, sql::Scope::write);
    auto read = (*sql_)(
        "SELECT text, version, by_user, at FROM section_texts WHERE incident = ? AND section = ?");
    read->bind(1, incident);
    read->bind(2, section);
    if (read->executeStep()) {
      result.current =
          SectionText{read->getColumn(0).getString(), read->getColumn(1).getInt64(),
                      read->getColumn(2).getString(), from_unix_ms(read->getColumn(3).getInt64())};
    }
    read->reset();
    if (result.current.version != expected_version) return;  // someone saved meanwhile
    const std::int64_t version = expected_version + 1;
    auto save = (*sql_)(
        "INSERT INTO section_texts (incident, section, text, version, by_user, at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (incident, section) DO UPDATE SET "
        "text = excluded.text, version = excluded.version, "
        "by_user = excluded.by_user, at = excluded.at");
    save->bind(1, incident);
    save->bind(2, section);
    save->bind(3, text);
    save->bind(4, version);
    save->bind(5, user);
    save->bind(6, to_unix_ms(at));
    save->exec();
    web_rows::record_edit(*sql_, incident, at, user,
                          std::string(text.empty() ? "section reset " : "section ") + section,
                          expected_version, version);
    tx.commit();
    result.saved = true;
    result.current = SectionText{text, version, user, at};
  });
  return result;
}

bool SqlStore::curate_entry(std::int64_t incident, std::int64_t seq, const EntryCuration& change,
                            const std::string& user, TimePoint at) {
  const auto lock = hold();
  bool done = false;
  write([&] {
    sql::Scope tx(*sql_, sql::Scope::write);
    auto read = (*sql_)(
        "SELECT source, at, original_at FROM timeline WHERE incident = ? AND "
        "seq = ?");
    read->bind(1, incident);
    read->bind(2, seq);
    if (!read->executeStep()) return;
    const bool system = read->getColumn(0).getString() == "system";
    const std::int64_t recorded =
        read->getColumn(2).isNull() ? read->getColumn(1).getInt64() : read->getColumn(2).getInt64();
    read->reset();
    if (change.text && system) return;  // the bot's own words stay as they were
    std::string what = "entry " + std::to_string(seq);
    auto apply = [&](const char* sql, auto value, const std::string& said) {
      auto st = (*sql_)(sql);
      st->bind(1, value);
      st->bind(2, incident);
      st->bind(3, seq);
      st->exec();
      what += " " + said;
    };
    if (change.hidden) {
      apply("UPDATE timeline SET hidden = ? WHERE incident = ? AND seq = ?", *change.hidden ? 1 : 0,
            *change.hidden ? "hidden" : "shown");
    }
    if (change.starred) {
      apply("UPDATE timeline SET starred = ? WHERE incident = ? AND seq = ?",
            *change.starred ? 1 : 0, *change.starred ? "starred" : "unstarred");
    }
    if (change.text) {
      apply("UPDATE timeline SET text = ? WHERE incident = ? AND seq = ?", *change.text,
            "text edited");
    }
    if (change.at) {
      // The first recorded time is kept however often the entry is re-timed.
      auto st = (*sql_)(
          "UPDATE timeline SET at = ?, original_at = ? WHERE incident = ? AND "
          "seq = ?");
      st->bind(1, to_unix_ms(*change.at));
      if (to_unix_ms(*change.at) == recorded) {
        st->bind(2);  // back to its own time: no longer re-timed
      } else {
        st->bind(2, recorded);
      }
      st->bind(3, incident);
      st->bind(4, seq);
      st->exec();
      what += " re-timed to " + format_iso(*change.at);
    }
    web_rows::record_edit(*sql_, incident, at, user, what, 0, 0);
    tx.commit();
    done = true;
  });
  return done;
}

ActionSave SqlStore::save_action(std::int64_t incident, const ActionItem& item,
                                 std::int64_t expected_version, const std::string& user,
                                 TimePoint at) {
  const auto lock = hold();
  ActionSave result;
  std::int64_t saved_number = item.number;
  write([&] {
    sql::Scope tx(*sql_, sql::Scope::write);
    std::int64_t number = item.number;
    std::string what;
    if (number == 0) {
      auto next = (*sql_)("SELECT COALESCE(MAX(number), 0) + 1 FROM actions WHERE incident = ?");
      next->bind(1, incident);
      next->executeStep();
      number = next->getColumn(0).getInt64();
      auto add = (*sql_)(
          "INSERT INTO actions (incident, number, text, owner, due, done, "
          "created_at, author, message_ref, version) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 1)");
      add->bind(1, incident);
      add->bind(2, number);
      add->bind(3, item.text);
      add->bind(4, item.owner);
      web_rows::bind_due(*add, 5, item.due);
      add->bind(6, item.done ? 1 : 0);
      add->bind(7, to_unix_ms(at));
      add->bind(8, user);
      add->exec();
      what = "action " + std::to_string(number) + " added";
      saved_number = number;
    } else {
      auto save = (*sql_)(
          "UPDATE actions SET text = ?, owner = ?, due = ?, done = ?, "
          "version = version + 1 WHERE incident = ? AND number = ? AND "
          "version = ?");
      save->bind(1, item.text);
      save->bind(2, item.owner);
      web_rows::bind_due(*save, 3, item.due);
      save->bind(4, item.done ? 1 : 0);
      save->bind(5, incident);
      save->bind(6, number);
      save->bind(7, expected_version);
      if (save->exec() == 0) return;  // changed meanwhile, or no such item
      what = "action " + std::to_string(number) + " edited";
    }
    web_rows::record_edit(*sql_, incident, at, user, what,
                          item.number == 0 ? std::int64_t{0} : expected_version,
                          item.number == 0 ? std::int64_t{1} : expected_version + 1);
    tx.commit();
    result.saved = true;
  });
  // As it is now: the saved item, or the one that changed meanwhile.
  auto st = (*sql_)(
      "SELECT number, text, owner, due, done, created_at, author, version FROM "
      "actions WHERE incident = ? AND number = ?");
  st->bind(1, incident);
  st->bind(2, item.number != 0 ? item.number : saved_number);
  if (st->executeStep()) {
    ActionItem& c = result.current;
    c.number = st->getColumn(0).getInt();
    c.text = st->getColumn(1).getString();
    c.owner = st->getColumn(2).getString();
    if (!st->getColumn(3).isNull()) c.due = parse_date(st->getColumn(3).getString());
    c.done = st->getColumn(4).getInt() != 0;
    c.created_at = from_unix_ms(st->getColumn(5).getInt64());
    c.author = st->getColumn(6).getString();
    c.version = st->getColumn(7).getInt64();
  }
  return result;
}

void SqlStore::save_session(const WebSession& s) {
  const auto lock = hold();
  write([&] {
    auto st = (*sql_)(
        "INSERT INTO web_sessions (id_hash, platform, \"user\", csrf, created_at, "
        "last_seen) VALUES (?, ?, ?, ?, ?, ?)");
    st->bind(1, s.id_hash);
    st->bind(2, s.platform);
    st->bind(3, s.user);
    st->bind(4, s.csrf);
    st->bind(5, to_unix_ms(s.created));
    st->bind(6, to_unix_ms(s.last_seen));
    st->exec();
  });
}

std::optional<WebSession> SqlStore::session(const std::string& id_hash) {
  const auto lock = hold();
  auto st = (*sql_)(
      "SELECT platform, \"user\", csrf, created_at, last_seen FROM web_sessions "
      "WHERE id_hash = ?");
  st->bind(1, id_hash);
  if (!st->executeStep()) return std::nullopt;
  return WebSession{id_hash,
                    st->getColumn(0).getString(),
                    st->getColumn(1).getString(),
                    st->getColumn(2).getString(),
                    from_unix_ms(st->getColumn(3).getInt64()),
                    from_unix_ms(st->getColumn(4).getInt64())};
}

void SqlStore::touch_session(const std::string& id_hash, TimePoint now) {
  const auto lock = hold();
  write([&] {
    auto st = (*sql_)("UPDATE web_sessions SET last_seen = ? WHERE id_hash = ?");
    st->bind(1, to_unix_ms(now));
    st->bind(2, id_hash);
    st->exec();
  });
}

void SqlStore::end_session(const std::string& id_hash) {
  const auto lock = hold();
  write([&] {
    auto st = (*sql_)("DELETE FROM web_sessions WHERE id_hash = ?");
    st->bind(1, id_hash);
    st->exec();
  });
}

void SqlStore::purge_web(TimePoint idle_before, TimePoint created_before,
                         TimePoint expired_before) {
  const auto lock = hold();
  write([&] {
    auto sessions = (*sql_)("DELETE FROM web_sessions WHERE last_seen < ? OR created_at < ?");
    sessions->bind(1, to_unix_ms(idle_before));
    sessions->bind(2, to_unix_ms(created_before));
    sessions->exec();
    auto links = (*sql_)("DELETE FROM web_sign_ins WHERE expires_at < ?");
    links->bind(1, to_unix_ms(expired_before));
    links->exec();
  });
}

}  // namespace incident
