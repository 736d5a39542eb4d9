#include "storage/pg_leadership.h"

#include <utility>

#include "storage/pg.h"

namespace incident {
namespace {

// The advisory lock's first key: this application's space, so other users of the database do
// not collide with it (the second key is the role's hash; two-key locks never meet one-key ones).
constexpr std::int64_t kLockSpace = 0x1B07;

// Milliseconds since the epoch by the database's clock, which every replica shares.
constexpr const char* kNow = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

}  // namespace

PgLeadership::PgLeadership(std::string url, std::string role, std::string replica)
    : url_(std::move(url)), role_(std::move(role)), replica_(std::move(replica)) {}

PgLeadership::~PgLeadership() = default;  // closing the session frees the lock

std::optional<std::int64_t> PgLeadership::lead() {
  try {
    if (!session_) session_ = std::make_unique<pg::Connection>(url_);
    if (!epoch_) return take();
    // Still held: the session is alive (it holds the lock) and the role still names our epoch.
    const auto seen = session_->exec((std::string("UPDATE leaders SET seen_at = ") + kNow +
                                      " WHERE name = $1 AND epoch = $2 AND holder = $3")
                                         .c_str(),
                                     {pg::param(role_), pg::param(*epoch_), pg::param(replica_)});
    if (seen.affected() == 1) return epoch_;
    lose();
    return std::nullopt;
  } catch (const pg::Error&) {
    // A session lost has lost the lock with it; the next call connects again as a candidate.
    lose();
    return std::nullopt;
  }
}

std::optional<std::int64_t> PgLeadership::take() {
  const auto got = session_->exec("SELECT pg_try_advisory_lock($1::int, hashtext($2))",
                                  {pg::param(kLockSpace), pg::param(role_)});
  if (got.text(0, 0) == "t") {
    const auto row = session_->exec(
        (std::string("INSERT INTO leaders (name, epoch, holder, seen_at) VALUES ($1, 1, $2, ") +
         kNow +
         ") ON CONFLICT (name) DO UPDATE SET epoch = leaders.epoch + 1, "
         "holder = excluded.holder, seen_at = excluded.seen_at RETURNING epoch")
            .c_str(),
        {pg::param(role_), pg::param(replica_)});
    epoch_ = row.int64(0, 0);
    return epoch_;
  }
  // Another session holds the lock. Gone quiet (paused: its session keeps the lock while it
  // sleeps), it is ended, and the lock is free at a later try.
  session_->exec((std::string("SELECT pg_terminate_backend(l.pid) FROM pg_locks l, leaders h "
                              "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 "
                              "AND l.classid = $1::int::oid AND l.objid = hashtext($2)::oid "
                              "AND h.name = $2 AND h.seen_at < ") +
                  kNow + " - $3")
                     .c_str(),
                 {pg::param(kLockSpace), pg::param(role_),
                  pg::param(std::chrono::milliseconds(kQuiet).count())});
  return std::nullopt;
}

void PgLeadership::step_down() {
  if (epoch_ && session_) {
    try {
      session_->exec("SELECT pg_advisory_unlock($1::int, hashtext($2))",
                     {pg::param(kLockSpace), pg::param(role_)});
    } catch (const pg::Error&) {  // the session is gone, and the lock with it
      session_.reset();
    }
  }
  epoch_.reset();
}

void PgLeadership::lose() {
  // The lock may still be this session's (the role was taken after a pause): close it, so that
  // no lock outlives the role.
  session_.reset();
  epoch_.reset();
}

}  // namespace incident
