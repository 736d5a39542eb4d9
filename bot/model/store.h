// The one durable port: everything the engine and the adapters persist goes through it — an
// event's effects, its idempotency key and replies, the requests an adapter must make afterwards
// (the outbox) and transport positions (cursors) — one transaction per unit of work. storage/
// implements it (storage/store.h opens the configured one); tests also use an in-memory fake,
// and tests/storage/store_contract_test.cpp holds both to the same cases.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bot/model/change.h"
#include "bot/model/event.h"
#include "bot/model/incident.h"

namespace incident {

// How much of an incident a caller needs. Header, roles and actions come always; the timeline
// and review replies either whole or only those carrying `message_ref` (none when it is empty),
// so the common event (a `log`, a thread reply) costs the same on the thousandth entry as on
// the first.
// `number`, when not 0, asks for that incident of the channel instead of the current one (an
// older incident named by its id: `draft INC-1`).
struct IncidentView {
  bool whole = true;
  std::string message_ref;
  std::int64_t number = 0;

  static IncidentView all(std::int64_t number = 0) { return {true, {}, number}; }
  // The header, roles and actions, and of the timeline and review only `message_ref`'s entries.
  static IncidentView header_only(std::string message_ref = {}) {
    return {false, std::move(message_ref), 0};
  }
};

// A request an adapter must make after a commit (a message to send, a room to join), stored with
// its platform idempotency id (e.g. a Matrix txnId) BEFORE its first attempt, so a retry — after
// a timeout, a crash or a restart — is the same request and the platform acts once.
struct OutboxItem {
  std::int64_t id = 0;   // enqueue order; set when read back
  std::string platform;  // "matrix"
  std::string key;       // unique: enqueueing a key again changes nothing
  std::string channel;   // e.g. the room; may be empty when the platform resolves it later
  std::string kind;      // platform-defined, e.g. "send", "join"
  std::string txn_id;    // fixed at the first enqueue, reused for every attempt
  std::string payload;   // platform-defined (JSON)
  // Where several replicas share the store: true, the replica that enqueues it makes it while
  // that replica lives (Slack: the one that took an event posts its replies); false, whichever
  // replica works the platform's outbox does (Matrix: the one elected syncer).
  bool owned = false;
  bool operator==(const OutboxItem&) const = default;
};

// Named transport positions (e.g. "matrix.next_batch") and their values.
using Cursors = std::vector<std::pair<std::string, std::string>>;

// One unit of work, committed in one transaction: all of it or none.
struct UnitOfWork {
  std::string key;  // the event's idempotency key; empty for a unit without an event
  std::vector<Change> changes;
  std::vector<Reply> replies;      // recorded under `key`, returned to a redelivery
  std::vector<OutboxItem> outbox;  // enqueued when their key is new
  Cursors cursors;                 // stored even when `key` is a duplicate: the event was
                                   // consumed before, and the position must move past it
};

enum class CommitResult {
  committed,  // durable on return
  duplicate,  // `key` was recorded before: changes and replies left alone (outbox and cursors
              // still stored)
  conflict,   // another writer took the incident number a change::Opened claims: nothing
              // written; read again and decide again
};

// An incident the reminders look at: enough to load it.
struct FollowedIncident {
  std::int64_t number = 0;
  std::string channel;
};

class Store {
 public:
  virtual ~Store() = default;

  // The replies recorded for an idempotency key, when it was processed before.
  virtual std::optional<std::vector<Reply>> find_processed(const std::string& key) = 0;

  // The channel's open incident, else its most recently closed one (or the incident
  // `view.number` when it is this channel's), as much as `view` asks for (Incident::complete
  // says which).
  virtual std::optional<Incident> current_incident(const std::string& platform,
                                                   const std::string& channel,
                                                   const IncidentView& view) = 0;

  // The number the next incident will get (INC-<n>): one more than the largest so far. A read,
  // not a reservation: `commit` checks it again inside its transaction (CommitResult::conflict).
  virtual std::int64_t next_incident_number() = 0;

  // Writes `work` in one transaction, durable on return — or, inside a batch, applied at once
  // in the batch's transaction and durable when the batch is.
  virtual CommitResult commit(const UnitOfWork& work) = 0;

  // Group commit (use StoreBatch): between begin_batch() and end_batch(), every commit() is
  // applied in one transaction that later reads and commits see, each unit isolated (a unit
  // that throws or conflicts takes back only itself), and nothing is durable until end_batch()
  // returns — one fsync, one network round trip for the lot. end_batch() throws when the batch
  // could not be made durable: then none of it was. abandon_batch() takes the whole batch back.
  // Not nested, and never held across an await: everything else on the store would join it.
  virtual void begin_batch() = 0;
  virtual void end_batch() = 0;
  virtual void abandon_batch() = 0;
  // Inside an open batch: lets it commit only as the holder of `role` under `epoch`
  // (Leadership). Throws FencedOut when another replica holds the role now, and keeps the role's
  // epoch from changing until the batch ends. Nothing to check where one process has the store.
  virtual void fence(const std::string& role, std::int64_t epoch) = 0;

  // Every open incident on every platform, by number: the DM advisor points change-safety
  // questions at them.
  virtual std::vector<OpenIncident> open_incidents() = 0;

  // The incidents of `platform` reminders may be due for (bot/engine/remind.h), by number:
  // every open one with reminders on, and the closed ones with reminders on that have no review
  // yet and closed after `since`, a review meeting after `since`, or an open action item due on
  // or after `since`'s date.
  virtual std::vector<FollowedIncident> followed_incidents(const std::string& platform,
                                                           TimePoint since) = 0;
  // The incidents of `platform` with reminders on and an open action item due before `date`
  // (the weekly digest of overdue actions), by number.
  virtual std::vector<FollowedIncident> with_overdue_actions(const std::string& platform,
                                                             Date date) = 0;

  // "Is this safe?" cases. Nothing here takes or returns who asked: a case knows only the DM
  // channel its answers go to.
  virtual std::vector<Escalation> open_cases(const std::string& platform,
                                             const std::string& dm_channel) = 0;
  virtual std::optional<Escalation> case_by_ref(const std::string& platform,
                                                const std::string& security_ref) = 0;
  // Cases opened from `dm_channel` at or after `since`, closed ones included (the rate limit).
  virtual int cases_since(const std::string& platform, const std::string& dm_channel,
                          TimePoint since) = 0;
  // Deletes the cases closed before `closed_before`, scrubbing the recorded replies of their
  // events, and scrubs those of case-less private events (change::PrivateEvent) from before
  // `private_before`. Scrubbed keys stay recorded, so a redelivery still changes nothing.
  // Returns the number of cases deleted.
  virtual int purge_private(TimePoint closed_before, TimePoint private_before) = 0;

  // A transport position stored by `commit`; nullopt when never set.
  virtual std::optional<std::string> cursor(const std::string& name) = 0;

  // The outbox: pending requests of `platform`, oldest first. Where several replicas share the
  // store, not those another live replica owns (OutboxItem::owned): an owned request passes to
  // the replica that reads it here once its owner has gone.
  virtual std::vector<OutboxItem> pending_requests(const std::string& platform,
                                                   std::size_t limit = 100) = 0;
  // The request is finished: done (`result` is e.g. the posted event's id) or failed for good.
  // Its payload is cleared, as it may hold private text (DM guidance).
  virtual void finish_request(std::int64_t id, bool done, const std::string& result = {}) = 0;
  // A done request's result by key; nullopt while pending, when failed, or for an unknown key.
  virtual std::optional<std::string> request_result(const std::string& key) = 0;
  // Deletes finished requests last touched before `before`; returns how many. Keys are kept long
  // enough that a replayed event re-enqueues nothing.
  virtual int prune_requests(TimePoint before) = 0;
};

// A batch fenced off (Store::fence): its replica no longer holds the role.
class FencedOut : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A role only one replica at a time may hold among those sharing a store: Matrix's /sync for an
// account. Its holder works under an epoch that grows with every change of holder, and fences
// its writes with it (Store::fence), so one paused, replaced and resumed writes nothing. One per
// role per process, called from one thread.
class Leadership {
 public:
  virtual ~Leadership() = default;
  // Takes the role when it is free (or its holder has gone quiet), or keeps it: the epoch while
  // this replica holds it, nullopt while another does or the store cannot be reached (a holder
  // that cannot show it still holds the role has lost it). Call every kCheck.
  virtual std::optional<std::int64_t> lead() = 0;
  // Gives the role up, once the work it guards has stopped.
  virtual void step_down() = 0;
  static constexpr std::chrono::seconds kCheck{2};
  // How long a holder may go unseen before another replica replaces it: well above kCheck, and
  // above the 5 s a store call may take. A holder's requests that another must not overlap (a
  // /sync long-poll) end within half of it.
  static constexpr std::chrono::seconds kQuiet{10};
};

// An open batch (Store::begin_batch); abandoned unless commit() was called and returned.
class StoreBatch {
 public:
  explicit StoreBatch(Store& store) : store_(store) { store_.begin_batch(); }
  ~StoreBatch() {
    if (!open_) return;
    try {
      store_.abandon_batch();
    } catch (...) {  // the store reports its own trouble on the next call
    }
  }
  StoreBatch(const StoreBatch&) = delete;
  StoreBatch& operator=(const StoreBatch&) = delete;

  // Every unit committed since the batch began is durable on return; throws when none is.
  void commit() {
    open_ = false;
    store_.end_batch();
  }

 private:
  Store& store_;
  bool open_ = true;
};

}  // namespace incident
