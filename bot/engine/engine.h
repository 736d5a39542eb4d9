// The application service: one inbound event in, replies out, effects durable in between.
// Adapters call `handle` and acknowledge the platform only after it returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bot/dm/question_memory.h"
#include "bot/engine/decide.h"
#include "bot/model/store.h"

namespace incident {

class Engine {
 public:
  // Uniformly random 64-bit values from a cryptographic source (the domain has no randomness of
  // its own): case codes must be unguessable. Without one, `report` is a broken invariant.
  using RandomSource = std::function<std::uint64_t()>;

  Engine(Store& store, const Prompts& prompts, Settings settings = {}, RandomSource random = {})
      : store_(store),
        prompts_(prompts),
        settings_(std::move(settings)),
        random_(std::move(random)) {}

  // Makes the sign-in link `web` asks for (the review page, adapters/web): a fresh random token
  // in a link, and only the token's hash to store. nullopt when none can be made.
  struct IssuedSignIn {
    std::string link;
    std::string token_hash;
    TimePoint expires{};
  };
  using SignInIssuer =
      std::function<std::optional<IssuedSignIn>(const InboundEvent& event, std::int64_t incident)>;
  void set_sign_in_issuer(SignInIssuer issuer) { sign_in_issuer_ = std::move(issuer); }

  // What an adapter stores with an event's effects, in the same transaction: the requests its
  // replies cause (`work.outbox`) and its transport position (`work.cursors`). Called with the
  // replies the event gets — the stored ones for a redelivery.
  using Attach = std::function<void(const std::vector<Reply>& replies, UnitOfWork& work)>;

  // Idempotent: the same event key gives the same replies and changes nothing the second time.
  // Durable on return, together with what `attach` adds.
  Outcome handle(const InboundEvent& event, const Attach& attach = {});

  // Group commit: events handled while the returned batch is open are decided over what the
  // earlier ones did and made durable together by its commit() (Store::begin_batch). An event
  // whose `handle` threw is not in it. Acknowledge the events only after commit() returned;
  // if it throws, none of them is durable. Never hold it across an await.
  StoreBatch batch() { return StoreBatch(store_); }

  // The adapter posted an anchored reply of `handle` and the platform gave it `message_ref`.
  // Recorded under its own idempotency key, so reporting it twice is harmless.
  void anchor_posted(const std::string& platform, const Reply& reply,
                     const std::string& message_ref);

  // The message ref of the post-mortem thread root of the channel's current incident, empty
  // when there is none: for adapters without native threads (the console) to address a reply.
  std::string postmortem_ref(const std::string& platform, const std::string& channel);

  // An adapter learnt a user's display name (Slack users.info, a Matrix member event). Kept in
  // memory only: adapters report names again after a restart.
  void set_display_name(const std::string& user, const std::string& name) {
    display_names_[user] = name;
  }

  // Deletes security cases closed more than DmSettings::retention before `now` and scrubs the
  // recorded replies of older DMs (Store::purge_private), and drops outbox requests finished
  // more than kRequestsKept ago. Adapters call it at start and then periodically; returns the
  // number of cases deleted.
  int purge(TimePoint now);

  // The reminders of `platform`'s open incidents that fell due by `now` and were not handled
  // yet, as events for `handle` (bot/engine/remind.h): each keyed by its occurrence, so handing
  // the same one over twice, from two ticks or across a restart, posts it once. Adapters call it
  // periodically (platform::remind_periodically).
  std::vector<InboundEvent> due_reminders(const std::string& platform, TimePoint now);

  // A replay only reaches back to the last stored transport position (seconds), so a week of
  // finished requests is ample to keep a replayed event from sending twice.
  static constexpr std::chrono::days kRequestsKept{7};

 private:
  static constexpr int kDecideRounds = 5;

  DmContext dm_context(const InboundEvent& event);
  // The incidents of `platform` with an action item overdue at `now`, whole (the digest).
  std::vector<Incident> overdue_incidents(const std::string& platform, TimePoint now);
  // Fills kSignInLinkSlot: the link in the replies that go out, a note in the `recorded` ones
  // (the link is never stored), and the token's hash among the changes.
  void issue_sign_in(const InboundEvent& event, Decision& decision, std::vector<Reply>& recorded);

  Store& store_;
  const Prompts& prompts_;
  Settings settings_;
  std::map<std::string, std::string> display_names_;
  RandomSource random_;
  SignInIssuer sign_in_issuer_;
  QuestionMemory questions_;
};

}  // namespace incident
