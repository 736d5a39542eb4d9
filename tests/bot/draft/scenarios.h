// Realistic incidents driven through the Engine and a MemoryStore, the way an adapter would:
// commands, a 📌, a role hand-over, the post-mortem thread (anchored like a platform would) and
// the final `draft`. Shared by the golden-file and draft tests.
#pragma once

#include <chrono>
#include <string>

#include "bot/engine/engine.h"
#include "support/memory_store.h"

namespace incident::testing {

inline TimePoint utc(int y, unsigned mo, unsigned d, int hh, int mm) {
  using namespace std::chrono;
  return time_point_cast<Millis>(sys_days{year{y} / month{mo} / day{d}} + hours{hh} + minutes{mm});
}

class Script {
 public:
  Script(Engine& engine, std::string platform, std::string channel)
      : engine_(engine), platform_(std::move(platform)), channel_(std::move(channel)) {}

  Outcome command(const std::string& user, const std::string& text, TimePoint at) {
    return send(user, in::CommandText{text}, at);
  }
  // `postmortem`, with the root reported back as posted, so thread replies reach the review.
  Outcome postmortem(const std::string& user, TimePoint at) {
    Outcome out = command(user, "postmortem", at);
    for (const auto& r : out.replies) {
      if (r.anchor == Anchor::postmortem) {
        root_ = platform_ + "-root-" + std::to_string(serial_);
        engine_.anchor_posted(platform_, r, root_);
      }
    }
    return out;
  }
  Outcome thread(const std::string& user, const std::string& text, TimePoint at) {
    return send(user, in::ThreadReply{root_, text}, at);
  }
  Outcome edit(const std::string& user, const std::string& target_ref, const std::string& text,
               TimePoint at) {
    return send(user, in::Edited{target_ref, text}, at);
  }
  Outcome pin(const std::string& author, const std::string& text, TimePoint said,
              const std::string& pinner, TimePoint at) {
    return send(pinner, in::Pin{"msg-" + std::to_string(serial_), author, text, said}, at);
  }

 private:
  Outcome send(const std::string& user, InboundBody body, TimePoint at) {
    InboundEvent e;
    ++serial_;
    e.key = platform_ + ":ev" + std::to_string(++keys_);  // unique across scripts on one store
    e.platform = platform_;
    e.channel = channel_;
    e.user = user;
    e.at = at;
    e.message_ref = platform_ + "-msg-" + std::to_string(serial_);
    e.body = std::move(body);
    return engine_.handle(e);
  }

  Engine& engine_;
  std::string platform_;
  std::string channel_;
  std::string root_;
  int serial_ = 0;
  static inline int keys_ = 0;
};

// Each returns the Outcome of the final `draft` command.

// Slack, sev2 → sev1: a commander hand-over, a 📌, a back-dated fact, blame and a personnel
// remark in the review thread, and a facilitator who is not the commander.
inline Outcome checkout_incident(Engine& engine) {
  engine.set_display_name("U01DANA", "Dana Scully");
  engine.set_display_name("U02ERIN", "Erin Hale");
  engine.set_display_name("U03SAM", "Sam Okafor");
  engine.set_display_name("U04LEE", "Lee Park");
  Script s(engine, "slack", "C0CHECKOUT");
  auto t = [](int hh, int mm) { return utc(2026, 11, 29, hh, mm); };
  s.command("U01DANA", "start Checkout errors after release 42 sev2", t(9, 58));
  s.command("U01DANA", "role comms <@U02ERIN|erin>", t(10, 2));
  s.command("U01DANA", "log impact: 8% of checkouts failed with HTTP 502", t(10, 3));
  s.command("U03SAM", "log 09:52 first 502 alerts fired in #payments", t(10, 5));
  s.pin("U04LEE", "Sam is rolling back release 42 now", t(10, 7), "U01DANA", t(10, 9));
  s.command("U01DANA", "severity sev1", t(10, 15));
  s.command("U02ERIN", "log status page updated; <@U01DANA> approved the wording", t(10, 20));
  s.command("U03SAM", "log rollback finished, error rate back to normal", t(10, 40));
  s.command("U01DANA", "role commander <@U03SAM>", t(10, 45));
  s.command("U03SAM", "log This was human error by Dana: the config flag was flipped by hand",
            t(10, 50));
  s.command("U03SAM", "action add a canary stage for config changes owner:<@U04LEE> due:2026-12-15",
            t(11, 5));
  s.command("U03SAM", "action alert on replica lag owner:payments-team", t(11, 6));
  s.command("U03SAM", "action write the rollback runbook", t(11, 7));
  s.command("U03SAM", "close rolled back release 42", t(11, 10));
  s.postmortem("U02ERIN", t(11, 30));
  s.thread("U04LEE",
           "1. The first 502 alerts fired at 09:52; we knew it was the release at 10:05 when Sam "
           "matched the deploy time.",
           t(11, 40));
  s.thread("U02ERIN", "2) The rollback script worked first time and took 20 minutes.", t(11, 41));
  s.thread("U03SAM", "hard: the dashboards did not show which release each pod ran", t(11, 42));
  s.thread("U04LEE", "4. The config flag could be flipped by hand in production without review",
           t(11, 43));
  s.thread("U01DANA", "factor: release 42 shipped without a canary stage", t(11, 44));
  s.thread("U03SAM", "factor: replica lag was not alerted on", t(11, 45));
  s.thread("U04LEE", "4. It was Dana's fault, she was careless with the flag", t(11, 46));
  s.thread("U02ERIN", "Dana should get a performance review after this.", t(11, 47));
  s.thread("U01DANA", "learn: config is code: it needs the same review and rollout as code",
           t(11, 48));
  s.thread("U04LEE", "Thanks everyone for staying calm", t(11, 49));
  return s.command("U02ERIN", "draft", t(12, 0));
}

// Matrix, sev1 across midnight: a scribe, a Markdown pill, a 65-minute gap, no review yet.
inline Outcome failover_incident(Engine& engine) {
  engine.set_display_name("@dana:example.org", "Dana");
  engine.set_display_name("@sam:example.org", "Sam Okafor");
  Script s(engine, "matrix", "!ops:example.org");
  s.command("@sam:example.org", "start Primary database failover stuck sev1",
            utc(2026, 11, 28, 23, 40));
  s.command("@sam:example.org", "role scribe @dana:example.org", utc(2026, 11, 28, 23, 42));
  s.command("@sam:example.org", "log impact: writes to orders failed for all EU customers",
            utc(2026, 11, 28, 23, 45));
  s.command("@dana:example.org",
            "log [Sam](https://matrix.to/#/@sam:example.org) paged the database on-call",
            utc(2026, 11, 28, 23, 50));
  s.command("@sam:example.org", "log manual promotion of the replica succeeded",
            utc(2026, 11, 29, 0, 55));
  s.command("@dana:example.org", "log writes recovering, confirmed by @sam:example.org",
            utc(2026, 11, 29, 1, 0));
  s.command("@sam:example.org",
            "action automate replica promotion owner:@dana:example.org due:2026-12-20",
            utc(2026, 11, 29, 1, 10));
  s.command("@sam:example.org", "close promoted the replica by hand", utc(2026, 11, 29, 1, 20));
  return s.command("@sam:example.org", "draft", utc(2026, 11, 29, 9, 0));
}

// The console, with hostile text everywhere: a broadcast, HTML, entities, a right-to-left
// override and a zero-width space.
inline Outcome certificate_incident(Engine& engine) {
  Script s(engine, "console", "console");
  auto t = [](int hh, int mm) { return utc(2026, 11, 29, hh, mm); };
  s.command("dana", "start <!channel> TLS certificate expired on api.example.com sev3", t(14, 0));
  s.command("dana", "log impact: mobile clients saw <script>alert(1)</script> & TLS errors",
            t(14, 2));
  s.command("lee", "log renewed the cert by hand; &lt;b&gt;not bold&lt;/b&gt;", t(14, 5));
  s.command("dana",
            "log lee says \"deploy \xE2\x80\xAEgnp.exe\" was unrelated; @\xE2\x80\x8Bhere check",
            t(14, 10));
  s.command("dana", "action automate renewal with ACME owner:@lee due:2026-12-01", t(14, 20));
  s.command("dana", "close renewed the certificate", t(14, 25));
  s.postmortem("dana", t(14, 30));
  s.thread("lee", "factor: the renewal reminder went to a mailbox nobody reads", t(14, 35));
  s.thread("dana", "6. Expiry dates belong on a dashboard, @here <https://evil.example|click>",
           t(14, 36));
  return s.command("dana", "draft", t(14, 40));
}

}  // namespace incident::testing
