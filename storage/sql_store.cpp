#include "storage/sql_store.h"

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "bot/model/overloaded.h"
#include "storage/escalations.h"
#include "storage/outbox.h"
#include "storage/sql.h"
#include "storage/web.h"

namespace incident {
namespace {

// A value in the file that this binary cannot read back: better to stop than to guess.
[[noreturn]] void corrupt(std::string_view what, std::string_view value) {
  throw std::runtime_error("database holds an unknown " + std::string(what) + ": \"" +
                           std::string(value) + "\"");
}

Severity severity_of(const std::string& text) {
  if (auto s = severity_from_string(text)) return *s;
  corrupt("severity", text);
}
Role role_of(const std::string& text) {
  if (auto r = role_from_string(text)) return *r;
  corrupt("role", text);
}
Status status_of(const std::string& text) {
  if (auto s = status_from_string(text)) return *s;
  corrupt("status", text);
}
Source source_of(const std::string& text) {
  if (auto s = source_from_string(text)) return *s;
  corrupt("timeline source", text);
}

// Dates are stored as YYYY-MM-DD text. Formatted here rather than with time.h so the on-disk
// format cannot drift with a change to how dates are shown to people.
std::string date_text(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}
Date date_of(const std::string& text) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2u-%2u%n", &y, &m, &d, &consumed) == 3 &&
      static_cast<std::size_t>(consumed) == text.size()) {
    const Date date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (date.ok()) return date;
  }
  corrupt("due date", text);
}

// No default case: a new Audience makes -Wswitch point here.
std::string audience_text(Audience a) {
  switch (a) {
    case Audience::channel:
      return "channel";
    case Audience::caller:
      return "caller";
    case Audience::thread:
      return "thread";
    case Audience::direct:
      return "direct";
    case Audience::lessons:
      return "lessons";
    case Audience::security:
      return "security";
  }
  return "";
}
Audience audience_of(const std::string& text) {
  // Every int is a valid value of an enum class, so probing the switch above keeps the names in
  // one place.
  for (int i = 0; i < 64; ++i) {
    const auto a = static_cast<Audience>(i);
    if (!text.empty() && audience_text(a) == text) return a;
  }
  corrupt("reply audience", text);
}

std::string replies_json(const std::vector<Reply>& replies) {
  auto array = nlohmann::json::array();
  for (const auto& r : replies) {
    if (audience_text(r.audience).empty()) throw std::logic_error("reply with unknown audience");
    nlohmann::json j = {
        {"audience", audience_text(r.audience)}, {"text", r.text}, {"user", r.user}};
    if (r.anchor == Anchor::postmortem) {
      j["anchor"] = "postmortem";
      j["incident"] = r.incident;
    }
    if (r.anchor == Anchor::security_case) {
      j["anchor"] = "security_case";
      j["case_code"] = r.case_code;
    }
    if (!r.channel.empty()) j["channel"] = r.channel;
    if (!r.thread_ref.empty()) j["thread_ref"] = r.thread_ref;
    if (r.room) {
      j["incident"] = r.incident;
      j["room"] = {{"kind", static_cast<int>(r.room->kind)},
                   {"name", r.room->name},
                   {"topic", r.room->topic},
                   {"invite", r.room->invite},
                   {"private", r.room->is_private}};
    }
    if (r.file) {
      j["file"] = {{"name", r.file->name}, {"mime", r.file->mime}, {"content", r.file->content}};
    }
    array.push_back(std::move(j));
  }
  // `replace`: a reply echoing invalid UTF-8 from a user must not make the whole event fail.
  return array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
std::vector<Reply> replies_of(const std::string& text) {
  std::vector<Reply> replies;
  for (const auto& j : nlohmann::json::parse(text)) {
    Reply r{audience_of(j.at("audience").get<std::string>()), j.at("text").get<std::string>(),
            j.value("user", std::string())};
    if (j.value("anchor", std::string()) == "postmortem") {
      r.anchor = Anchor::postmortem;
      r.incident = j.value("incident", std::int64_t{0});
    }
    if (j.value("anchor", std::string()) == "security_case") {
      r.anchor = Anchor::security_case;
      r.case_code = j.value("case_code", std::string());
    }
    r.channel = j.value("channel", std::string());
    r.thread_ref = j.value("thread_ref", std::string());
    if (const auto room = j.find("room"); room != j.end()) {
      r.incident = j.value("incident", std::int64_t{0});
      r.room = RoomRequest{
          static_cast<RoomRequest::Kind>(room->at("kind").get<int>()),
          room->at("name").get<std::string>(), room->at("topic").get<std::string>(),
          room->at("invite").get<std::vector<std::string>>(), room->at("private").get<bool>()};
    }
    if (const auto file = j.find("file"); file != j.end()) {
      r.file = Attachment{file->at("name").get<std::string>(), file->at("mime").get<std::string>(),
                          file->at("content").get<std::string>()};
    }
    replies.push_back(std::move(r));
  }
  return replies;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

namespace {

std::optional<TimePoint> optional_time(const sql::Column& c) {
  if (c.isNull()) return std::nullopt;
  return from_unix_ms(c.getInt64());
}

// An UPDATE of the incident row that hit nothing means the domain referred to an incident that
// is not stored: roll the whole event back rather than record half of it.
void expect_incident_row(int rows, std::int64_t number, std::string_view change) {
  if (rows == 0) {
    throw std::logic_error(std::string(change) + " for unknown incident " + std::to_string(number));
  }
}

// `key` is the event's idempotency key: private events are recorded under it.
void apply_change(sql::Connection& sql, const std::string& key, const Change& c) {
  const std::int64_t n = c.incident;
  std::visit(
      overloaded{
          [&](const change::Opened& o) {
            auto st =
                sql("INSERT INTO incidents (number, platform, channel, title, "
                    "severity, peak_severity, status, opened_at, private, security) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?5, 'open', ?6, ?7, ?8)");
            st->bind(1, n);
            st->bind(2, o.platform);
            st->bind(3, o.channel);
            st->bind(4, o.title);
            st->bind(5, to_string(o.severity));
            st->bind(6, to_unix_ms(o.at));
            st->bind(7, o.is_private ? 1 : 0);
            st->bind(8, o.is_security ? 1 : 0);
            st->exec();
          },
          [&](const change::EntryAdded& a) {
            const TimelineEntry& e = a.entry;
            auto st =
                sql("INSERT INTO timeline (incident, seq, at, source, author, text, "
                    "message_ref, deleted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
            st->bind(1, n);
            st->bind(2, e.seq);
            st->bind(3, to_unix_ms(e.at));
            st->bind(4, to_string(e.source));
            st->bind(5, e.author);
            st->bind(6, e.text);
            st->bind(7, e.message_ref);
            st->bind(8, e.deleted ? 1 : 0);
            st->exec();
          },
          [&](const change::SeveritySet& s) {
            // Severity names sort as their order: "sev1" < "sev4" < "unset".
            auto st = sql(
                "UPDATE incidents SET severity = ?1, peak_severity = "
                "CASE WHEN ?1 < peak_severity THEN ?1 ELSE peak_severity END WHERE number = ?2");
            st->bind(1, to_string(s.severity));
            st->bind(2, n);
            expect_incident_row(st->exec(), n, "SeveritySet");
          },
          [&](const change::RoleSet& r) {
            auto st =
                sql("INSERT INTO roles (incident, role, \"user\") VALUES (?, ?, ?) "
                    "ON CONFLICT (incident, role) DO UPDATE SET \"user\" = excluded.\"user\"");
            st->bind(1, n);
            st->bind(2, to_string(r.role));
            st->bind(3, r.user);
            st->exec();
          },
          [&](const change::ActionAdded& a) {
            const ActionItem& item = a.item;
            auto st =
                sql("INSERT INTO actions (incident, number, text, owner, due, done, "
                    "created_at, author, message_ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
            st->bind(1, n);
            st->bind(2, item.number);
            st->bind(3, item.text);
            st->bind(4, item.owner);
            if (item.due) {
              st->bind(5, date_text(*item.due));
            } else {
              st->bind(5);
            }
            st->bind(6, item.done ? 1 : 0);
            st->bind(7, to_unix_ms(item.created_at));
            st->bind(8, item.author);
            st->bind(9, item.message_ref);
            st->exec();
          },
          [&](const change::ActionDone& d) {
            // Like the domain's apply: an unknown number changes nothing.
            auto st = sql("UPDATE actions SET done = 1 WHERE incident = ? AND number = ?");
            st->bind(1, n);
            st->bind(2, d.number);
            st->exec();
          },
          [&](const change::Closed& cl) {
            auto st =
                sql("UPDATE incidents SET status = 'closed', closed_at = ?, "
                    "resolution = ? WHERE number = ?");
            st->bind(1, to_unix_ms(cl.at));
            st->bind(2, cl.resolution);
            st->bind(3, n);
            expect_incident_row(st->exec(), n, "Closed");
          },
          [&](const change::FacilitatorSet& f) {
            auto st =
                sql("UPDATE incidents SET facilitator = ?, review_started_at = "
                    "COALESCE(review_started_at, ?) WHERE number = ?");
            st->bind(1, f.user);
            st->bind(2, to_unix_ms(f.at));
            st->bind(3, n);
            expect_incident_row(st->exec(), n, "FacilitatorSet");
          },
          [&](const change::PostmortemPosted& p) {
            auto st = sql("UPDATE incidents SET postmortem_ref = ? WHERE number = ?");
            st->bind(1, p.message_ref);
            st->bind(2, n);
            expect_incident_row(st->exec(), n, "PostmortemPosted");
          },
          [&](const change::LessonsShared& l) {
            auto st = sql("UPDATE incidents SET shared_at = ? WHERE number = ?");
            st->bind(1, to_unix_ms(l.at));
            st->bind(2, n);
            expect_incident_row(st->exec(), n, "LessonsShared");
          },
          [&](const change::Published& pub) {
            auto st =
                sql("UPDATE incidents SET published_at = ?, published_by = ? WHERE number = ?");
            st->bind(1, to_unix_ms(pub.at));
            st->bind(2, pub.by);
            st->bind(3, n);
            expect_incident_row(st->exec(), n, "Published");
          },
          [&](const change::Reminded& r) {
            auto st =
                sql("INSERT INTO reminders (incident, kind, item, due, at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
            st->bind(1, n);
            st->bind(2, to_string(r.reminder.kind));
            st->bind(3, r.reminder.item);
            st->bind(4, to_unix_ms(r.reminder.due));
            st->bind(5, to_unix_ms(r.reminder.at));
            st->exec();
          },
          [&](const change::MilestoneSet& m) {
            auto st =
                sql("INSERT INTO milestones (incident, name, at) VALUES (?, ?, ?) "
                    "ON CONFLICT (incident, name) DO UPDATE SET at = excluded.at");
            st->bind(1, n);
            st->bind(2, to_string(m.milestone));
            st->bind(3, to_unix_ms(m.at));
            st->exec();
          },
          [&](const change::NotificationAdded& a) {
            const Notification& note = a.notification;
            auto st = sql(
                "INSERT INTO notifications (incident, number, who, deadline, created_at, author) "
                "VALUES (?, ?, ?, ?, ?, ?)");
            st->bind(1, n);
            st->bind(2, note.number);
            st->bind(3, note.who);
            st->bind(4, to_unix_ms(note.by));
            st->bind(5, to_unix_ms(note.created_at));
            st->bind(6, note.author);
            st->exec();
          },
          [&](const change::NotificationDone& d) {
            // Like the domain's apply: an unknown number changes nothing.
            auto st = sql("UPDATE notifications SET done_at = ? WHERE incident = ? AND number = ?");
            st->bind(1, to_unix_ms(d.at));
            st->bind(2, n);
            st->bind(3, d.number);
            st->exec();
          },
          [&](const change::ChannelMoved& m) {
            auto st = sql("UPDATE incidents SET channel = ?, declared_in = ? WHERE number = ?");
            st->bind(1, m.to);
            st->bind(2, m.from);
            st->bind(3, n);
            expect_incident_row(st->exec(), n, "ChannelMoved");
          },
          [&](const change::TypeSet& t) {
            auto st = sql("UPDATE incidents SET security = ? WHERE number = ?");
            st->bind(1, t.security ? 1 : 0);
            st->bind(2, n);
            expect_incident_row(st->exec(), n, "TypeSet");
          },
          [&](const change::ReviewScheduled& r) {
            auto st = sql("UPDATE incidents SET review_at = ? WHERE number = ?");
            st->bind(1, to_unix_ms(r.at));
            st->bind(2, n);
            expect_incident_row(st->exec(), n, "ReviewScheduled");
          },
          [&](const change::RemindersSet& r) {
            auto st = sql("UPDATE incidents SET reminders_off = ? WHERE number = ?");
            st->bind(1, r.off ? 1 : 0);
            st->bind(2, n);
            expect_incident_row(st->exec(), n, "RemindersSet");
          },
          [&](const change::EntryEdited& e) {
            // An empty ref would match every entry that never had one (system entries).
            if (e.message_ref.empty()) return;
            for (const char* text :
                 {"UPDATE timeline SET text = ? WHERE incident = ? AND message_ref = ?",
                  "UPDATE review_replies SET text = ? WHERE incident = ? AND message_ref = ?",
                  "UPDATE actions SET text = ? WHERE incident = ? AND message_ref = ?"}) {
              auto st = sql(text);
              st->bind(1, e.text);
              st->bind(2, n);
              st->bind(3, e.message_ref);
              st->exec();
            }
          },
          [&](const change::EntryDeleted& e) {
            if (e.message_ref.empty()) return;
            for (const char* text :
                 {"UPDATE timeline SET deleted = 1 WHERE incident = ? AND message_ref = ?",
                  "UPDATE review_replies SET deleted = 1 WHERE incident = ? AND message_ref = ?"}) {
              auto st = sql(text);
              st->bind(1, n);
              st->bind(2, e.message_ref);
              st->exec();
            }
          },
          [&](const change::ReviewAdded& r) {
            const ReviewReply& reply = r.reply;
            auto st =
                sql("INSERT INTO review_replies (incident, at, author, text, "
                    "message_ref, deleted) VALUES (?, ?, ?, ?, ?, ?)");
            st->bind(1, n);
            st->bind(2, to_unix_ms(reply.at));
            st->bind(3, reply.author);
            st->bind(4, reply.text);
            st->bind(5, reply.message_ref);
            st->bind(6, reply.deleted ? 1 : 0);
            st->exec();
          },
          [&](const change::CaseOpened& o) { escalations::insert_case(sql, o.escalation); },
          [&](const change::CaseAnchored& a) { escalations::anchor_case(sql, a); },
          [&](const change::CaseClosed& cl) { escalations::close_case(sql, cl); },
          [&](const change::PrivateEvent& p) { escalations::record_private_event(sql, key, p); },
          [&](const change::SignInIssued& s) { web_rows::insert_sign_in(sql, n, s); },
      },
      c.body);
}

TimelineEntry timeline_entry(const sql::Statement& st) {
  TimelineEntry e;
  e.seq = st.getColumn(0).getInt64();
  e.at = from_unix_ms(st.getColumn(1).getInt64());
  e.source = source_of(st.getColumn(2).getString());
  e.author = st.getColumn(3).getString();
  e.text = st.getColumn(4).getString();
  e.message_ref = st.getColumn(5).getString();
  e.deleted = st.getColumn(6).getInt() != 0;
  e.hidden = st.getColumn(7).getInt() != 0;
  e.starred = st.getColumn(8).getInt() != 0;
  e.original_at = optional_time(st.getColumn(9));
  return e;
}

ReviewReply review_reply(const sql::Statement& st) {
  ReviewReply r;
  r.at = from_unix_ms(st.getColumn(0).getInt64());
  r.author = st.getColumn(1).getString();
  r.text = st.getColumn(2).getString();
  r.message_ref = st.getColumn(3).getString();
  r.deleted = st.getColumn(4).getInt() != 0;
  return r;
}

}  // namespace

// The entries a 📌, edit or delete names. `+seq` keeps the planner on timeline_by_message and
// sorts the few rows found: with a plain `ORDER BY seq` SQLite walked the primary key instead,
// to skip that sort, reading every entry of the incident (the soak fell behind on 📌s once its
// incidents held 8,000 entries each).
const char* const SqlStore::kEntriesByMessage =
    "SELECT seq, at, source, author, text, message_ref, deleted, hidden, starred, original_at "
    "FROM timeline WHERE incident = ? AND message_ref = ? ORDER BY +seq";

namespace {

// Call inside one read transaction, so the row and its children come from the same snapshot.
// Every query is bound first and sent together: on PostgreSQL one round trip instead of one
// per table.
std::optional<Incident> load_incident(sql::Connection& sql, std::int64_t number,
                                      const IncidentView& view) {
  // What `view` asks for beyond the header, roles and actions.
  const bool entries = view.whole || !view.message_ref.empty();
  const bool review = view.whole;
  auto header =
      sql("SELECT number, platform, channel, title, severity, status, opened_at, "
          "closed_at, resolution, facilitator, postmortem_ref, shared_at, "
          "published_at, published_by, reminders_off, review_at, review_started_at, "
          "peak_severity, private, security, declared_in FROM incidents WHERE number = ?");
  auto milestones = sql("SELECT name, at FROM milestones WHERE incident = ?");
  auto roles = sql("SELECT role, \"user\" FROM roles WHERE incident = ?");
  auto actions =
      sql("SELECT number, text, owner, due, done, created_at, author, message_ref, version "
          "FROM actions WHERE incident = ? ORDER BY number");
  auto notifications =
      sql("SELECT number, who, deadline, done_at, created_at, author FROM notifications "
          "WHERE incident = ? ORDER BY number");
  // The primary key (incident, seq) answers this without reading the entries.
  auto last_seq = sql("SELECT COALESCE(MAX(seq), 0) FROM timeline WHERE incident = ?");
  std::optional<sql::Use> timeline, replies, sections, edits, reminders;
  if (entries) {
    timeline.emplace(sql(view.whole ? "SELECT seq, at, source, author, text, message_ref, "
                                      "deleted, hidden, starred, original_at "
                                      "FROM timeline WHERE incident = ? ORDER BY seq"
                                    : SqlStore::kEntriesByMessage));
    replies.emplace(sql(view.whole ? "SELECT at, author, text, message_ref, deleted "
                                     "FROM review_replies WHERE incident = ? ORDER BY id"
                                   : "SELECT at, author, text, message_ref, deleted "
                                     "FROM review_replies WHERE incident = ? AND message_ref = ? "
                                     "ORDER BY id"));
  }
  if (review) {
    sections.emplace(
        sql("SELECT section, text, version, by_user, at FROM section_texts WHERE incident = ?"));
    edits.emplace(sql(
        "SELECT at, \"user\", what, old_version, new_version FROM review_edits WHERE incident = ? "
        "ORDER BY id"));
    reminders.emplace(sql(
        "SELECT kind, item, due, at FROM reminders WHERE incident = ? ORDER BY at, kind, item"));
  }

  std::vector<sql::Statement*> queries{&*header,  &*milestones,    &*roles,
                                       &*actions, &*notifications, &*last_seq};
  if (entries) queries.insert(queries.end(), {&**timeline, &**replies});
  if (review) queries.insert(queries.end(), {&**sections, &**edits, &**reminders});
  for (sql::Statement* query : queries) query->bind(1, number);
  if (entries && !view.whole) {
    (*timeline)->bind(2, view.message_ref);
    (*replies)->bind(2, view.message_ref);
  }
  sql.run_together(queries);

  Incident inc;
  if (!header->executeStep()) return std::nullopt;
  {
    const sql::Statement& st = *header;
    inc.number = st.getColumn(0).getInt64();
    inc.platform = st.getColumn(1).getString();
    inc.channel = st.getColumn(2).getString();
    inc.title = st.getColumn(3).getString();
    inc.severity = severity_of(st.getColumn(4).getString());
    inc.status = status_of(st.getColumn(5).getString());
    inc.opened_at = from_unix_ms(st.getColumn(6).getInt64());
    inc.closed_at = optional_time(st.getColumn(7));
    inc.resolution = st.getColumn(8).getString();
    inc.facilitator = st.getColumn(9).getString();
    inc.postmortem_ref = st.getColumn(10).getString();
    inc.shared_at = optional_time(st.getColumn(11));
    inc.published_at = optional_time(st.getColumn(12));
    inc.published_by = st.getColumn(13).getString();
    inc.reminders_off = st.getColumn(14).getInt() != 0;
    inc.review_at = optional_time(st.getColumn(15));
    inc.review_started_at = optional_time(st.getColumn(16));
    inc.peak_severity = severity_of(st.getColumn(17).getString());
    inc.is_private = st.getColumn(18).getInt() != 0;
    inc.is_security = st.getColumn(19).getInt() != 0;
    inc.declared_in = st.getColumn(20).getString();
  }
  while (milestones->executeStep()) {
    const auto name = milestone_from_string(milestones->getColumn(0).getString());
    if (!name) corrupt("milestone", milestones->getColumn(0).getString());
    inc.milestones[*name] = from_unix_ms(milestones->getColumn(1).getInt64());
  }
  while (roles->executeStep()) {
    inc.roles[role_of(roles->getColumn(0).getString())] = roles->getColumn(1).getString();
  }
  while (actions->executeStep()) {
    const sql::Statement& st = *actions;
    ActionItem a;
    a.number = st.getColumn(0).getInt();
    a.text = st.getColumn(1).getString();
    a.owner = st.getColumn(2).getString();
    if (!st.getColumn(3).isNull()) a.due = date_of(st.getColumn(3).getString());
    a.done = st.getColumn(4).getInt() != 0;
    a.created_at = from_unix_ms(st.getColumn(5).getInt64());
    a.author = st.getColumn(6).getString();
    a.message_ref = st.getColumn(7).getString();
    a.version = st.getColumn(8).getInt64();
    inc.actions.push_back(std::move(a));
  }
  while (notifications->executeStep()) {
    const sql::Statement& st = *notifications;
    Notification note;
    note.number = st.getColumn(0).getInt();
    note.who = st.getColumn(1).getString();
    note.by = from_unix_ms(st.getColumn(2).getInt64());
    note.done_at = optional_time(st.getColumn(3));
    note.created_at = from_unix_ms(st.getColumn(4).getInt64());
    note.author = st.getColumn(5).getString();
    inc.notifications.push_back(std::move(note));
  }
  last_seq->executeStep();
  inc.entries = last_seq->getColumn(0).getInt64();
  inc.complete = view.whole;
  if (!entries) return inc;
  while ((*timeline)->executeStep()) inc.timeline.push_back(timeline_entry(**timeline));
  while ((*replies)->executeStep()) inc.review.push_back(review_reply(**replies));
  if (!review) return inc;
  while ((*sections)->executeStep()) {
    const sql::Statement& st = **sections;
    inc.sections[st.getColumn(0).getString()] =
        SectionText{st.getColumn(1).getString(), st.getColumn(2).getInt64(),
                    st.getColumn(3).getString(), from_unix_ms(st.getColumn(4).getInt64())};
  }
  while ((*edits)->executeStep()) {
    const sql::Statement& st = **edits;
    inc.edits.push_back(ReviewEdit{from_unix_ms(st.getColumn(0).getInt64()),
                                   st.getColumn(1).getString(), st.getColumn(2).getString(),
                                   st.getColumn(3).getInt64(), st.getColumn(4).getInt64()});
  }
  while ((*reminders)->executeStep()) {
    const sql::Statement& st = **reminders;
    const auto kind = reminder_kind_from_string(st.getColumn(0).getString());
    if (!kind) continue;  // written by a newer bot: not one this one schedules
    inc.reminders.push_back(SentReminder{*kind, st.getColumn(1).getInt(),
                                         from_unix_ms(st.getColumn(2).getInt64()),
                                         from_unix_ms(st.getColumn(3).getInt64())});
  }
  return inc;
}

}  // namespace

SqlStore::SqlStore() = default;
SqlStore::~SqlStore() = default;

std::unique_lock<std::mutex> SqlStore::hold() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!batch_open_) reconnect_if_needed();
  return lock;
}

std::optional<std::vector<Reply>> SqlStore::find_processed(const std::string& key) {
  const auto lock = hold();
  auto st = (*sql_)("SELECT replies FROM processed_events WHERE key = ?");
  st->bind(1, key);
  if (!st->executeStep()) return std::nullopt;
  return replies_of(st->getColumn(0).getString());
}

std::optional<Incident> SqlStore::current_incident(const std::string& platform,
                                                   const std::string& channel,
                                                   const IncidentView& view) {
  const auto lock = hold();
  // One read transaction, so the incident and its children come from the same snapshot even
  // when another process writes meanwhile.
  sql::Scope snapshot(*sql_, sql::Scope::read);
  std::int64_t number = 0;
  {
    auto st = (*sql_)(
        "SELECT number FROM incidents WHERE platform = ?1 AND channel = ?2 "
        "AND (CAST(?3 AS BIGINT) = 0 OR number = ?3) ORDER BY status = 'open' DESC, number DESC "
        "LIMIT 1");
    st->bind(1, platform);
    st->bind(2, channel);
    st->bind(3, view.number);
    if (!st->executeStep()) return std::nullopt;
    number = st->getColumn(0).getInt64();
  }
  return load_incident(*sql_, number, view);
}

std::vector<FollowedIncident> SqlStore::followed_incidents(const std::string& platform,
                                                           TimePoint since) {
  const auto lock = hold();
  auto st = (*sql_)(
      "SELECT number, channel FROM incidents i WHERE platform = ?1 AND ((reminders_off = 0 AND ("
      "status = 'open' "
      "OR (postmortem_ref = '' AND facilitator = '' AND closed_at >= ?2) OR review_at >= ?2 "
      "OR review_started_at >= ?2 "
      "OR EXISTS (SELECT 1 FROM actions a WHERE a.incident = i.number AND a.done = 0 "
      "AND a.due >= ?3) "
      "OR EXISTS (SELECT 1 FROM notifications n WHERE n.incident = i.number "
      "AND n.done_at IS NULL AND n.deadline >= ?2))) "
      "OR (declared_in <> '' AND closed_at >= ?2)) ORDER BY number");
  st->bind(1, platform);
  st->bind(2, to_unix_ms(since));
  st->bind(3,
           format_date(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(since)}));
  std::vector<FollowedIncident> out;
  while (st->executeStep()) {
    out.push_back({st->getColumn(0).getInt64(), st->getColumn(1).getString()});
  }
  return out;
}

std::vector<FollowedIncident> SqlStore::with_overdue_actions(const std::string& platform,
                                                             Date date) {
  const auto lock = hold();
  auto st = (*sql_)(
      "SELECT number, channel FROM incidents i WHERE platform = ? AND reminders_off = 0 AND "
      "EXISTS (SELECT 1 FROM actions a WHERE a.incident = i.number AND a.done = 0 "
      "AND a.due < ?) ORDER BY number");
  st->bind(1, platform);
  st->bind(2, format_date(date));
  std::vector<FollowedIncident> out;
  while (st->executeStep()) {
    out.push_back({st->getColumn(0).getInt64(), st->getColumn(1).getString()});
  }
  return out;
}

std::int64_t SqlStore::next_incident_number() {
  const auto lock = hold();
  auto st = (*sql_)("SELECT COALESCE(MAX(number), 0) + 1 FROM incidents");
  st->executeStep();
  return st->getColumn(0).getInt64();
}

CommitResult SqlStore::commit(const UnitOfWork& work) {
  const auto lock = hold();
  CommitResult result = CommitResult::committed;
  write([&] { result = write_unit(work); });
  return result;
}

void SqlStore::write(const std::function<void()>& work) {
  try {
    work();
    last_write_error_.reset();
  } catch (const std::exception& e) {
    if (auto fault = database_fault(e)) last_write_error_ = std::move(fault);
    throw;
  }
}

CommitResult SqlStore::write_unit(const UnitOfWork& work) {
  // A transaction of its own, or a savepoint of the batch's; any exception rolls the unit back
  // (Scope's destructor). SQLite's write lock is taken when the transaction begins (IMMEDIATE),
  // so nothing here races another writer; on PostgreSQL, another writer's claim on the same key,
  // number or sequence waits at the unique index for its transaction, then refuses ours.
  const auto began = std::chrono::steady_clock::now();
  sql::Scope tx(*sql_, sql::Scope::write);
  bool fresh = true;
  if (!work.key.empty()) {
    // The key first, in one statement: a key recorded before (or meanwhile, by another writer)
    // inserts nothing.
    auto claim = (*sql_)(
        "INSERT INTO processed_events (key, processed_at, replies) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO NOTHING");
    claim->bind(1, work.key);
    claim->bind(2, now_ms());
    claim->bind(3, replies_json(work.replies));
    fresh = claim->exec() == 1;
  }
  if (fresh) {
    for (const auto& change : work.changes) {
      if (!std::holds_alternative<change::Opened>(change.body)) continue;
      auto taken = (*sql_)("SELECT 1 FROM incidents WHERE number >= ?");
      taken->bind(1, change.incident);
      if (taken->executeStep()) return CommitResult::conflict;  // rolled back
    }
    try {
      for (const auto& change : work.changes) apply_change(*sql_, work.key, change);
    } catch (const std::exception& e) {
      if (unique_violation(e)) return CommitResult::conflict;  // rolled back
      throw;
    }
  }
  // A duplicate with nothing attached writes nothing: let the transaction roll back.
  if (!fresh && work.outbox.empty() && work.cursors.empty()) return CommitResult::duplicate;
  outbox::enqueue(*sql_, work.outbox, replica_);
  outbox::store_cursors(*sql_, work.cursors);
  tx.commit();
  if (!tx.nested()) committed(began);
  return fresh ? CommitResult::committed : CommitResult::duplicate;
}

void SqlStore::begin_batch() {
  const auto lock = hold();
  if (batch_open_ || sql_->in_transaction()) {
    throw std::logic_error("a store batch is already open");
  }
  write([&] { sql_->exec(sql_->begin_write()); });
  batch_open_ = true;
  batch_began_ = std::chrono::steady_clock::now();
}

void SqlStore::end_batch() {
  const auto lock = hold();
  batch_open_ = false;
  write([&] {
    // A connection lost during the batch took its transaction with it, and a COMMIT outside a
    // transaction would succeed on PostgreSQL with a warning: none of the batch is kept.
    if (!sql_->in_transaction()) {
      throw std::runtime_error("the batch's transaction was lost before its commit");
    }
    try {
      sql_->exec("COMMIT");
    } catch (...) {
      // A COMMIT that failed may leave the transaction open: none of the batch is kept.
      if (sql_->in_transaction()) sql_->exec("ROLLBACK");
      throw;
    }
  });
  committed(batch_began_);
}

void SqlStore::abandon_batch() {
  const auto lock = hold();
  batch_open_ = false;
  if (sql_->in_transaction()) sql_->exec("ROLLBACK");
}

void SqlStore::fence(const std::string&, std::int64_t) {}

std::unique_ptr<Leadership> SqlStore::leadership(const std::string&) {
  return nullptr;
}

void SqlStore::committed(std::chrono::steady_clock::time_point began) {
  if (commit_observer_) commit_observer_(std::chrono::steady_clock::now() - began);
}

std::vector<IncidentSummary> SqlStore::list_incidents() {
  const auto lock = hold();
  auto st = (*sql_)(
      "SELECT i.number, i.platform, i.channel, i.title, i.severity, i.status, i.opened_at, "
      "i.closed_at, "
      "(SELECT COUNT(*) FROM timeline t WHERE t.incident = i.number AND t.deleted = 0), "
      "(SELECT COUNT(*) FROM actions a WHERE a.incident = i.number), "
      "(SELECT COUNT(*) FROM actions a WHERE a.incident = i.number AND a.done = 0), "
      "i.postmortem_ref != '' OR i.facilitator != '', i.published_at IS NOT NULL, "
      "(SELECT COUNT(*) FROM reminders r WHERE r.incident = i.number) "
      "FROM incidents i ORDER BY i.number");
  std::vector<IncidentSummary> out;
  while (st->executeStep()) {
    IncidentSummary s;
    s.number = st->getColumn(0).getInt64();
    s.platform = st->getColumn(1).getString();
    s.channel = st->getColumn(2).getString();
    s.title = st->getColumn(3).getString();
    s.severity = severity_of(st->getColumn(4).getString());
    s.status = status_of(st->getColumn(5).getString());
    s.opened_at = from_unix_ms(st->getColumn(6).getInt64());
    s.closed_at = optional_time(st->getColumn(7));
    s.timeline_entries = st->getColumn(8).getInt64();
    s.actions = st->getColumn(9).getInt64();
    s.open_actions = st->getColumn(10).getInt64();
    s.review_state = review_state(st->getColumn(11).getInt() != 0, st->getColumn(12).getInt() != 0);
    s.reminders = st->getColumn(13).getInt64();
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<Incident> SqlStore::incident(std::int64_t number) {
  const auto lock = hold();
  sql::Scope snapshot(*sql_, sql::Scope::read);  // one snapshot for the row and its children
  return load_incident(*sql_, number, IncidentView::all());
}

}  // namespace incident
