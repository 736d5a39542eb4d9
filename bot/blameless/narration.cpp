// Blame as real write-ups phrase it: no judging word, but the marks of a mistake pinned on a
// colleague ("Lena deleted the volume thinking it was staging", "deployed the wrong branch by
// accident"), a passive with the colleague as agent ("the bucket was made public by Ravi"),
// "had been told not to", "on their watch", a person's patch named as the cause, questions
// aimed at a person ("why was Bob running DELETEs on the primary in the first place?").
//
// First-person accounts are not flagged by these rules: "I ran the migration against the wrong
// cluster" is the ownership a blameless review asks for (tests/data/blameless/README.md,
// "First-person accounts"). Third parties (attackers, vendors, banks, customers, researchers) are
// not colleagues either.
#include <algorithm>
#include <string_view>

#include "bot/blameless/rules.h"

namespace incident::blameless_detail {

namespace {

// A colleague as the subject of the clause holding i: a name, a mention, he/she, a person noun
// ("the engineer", "secondary on-call"), or a capitalised unknown word ("Chiara"). Not I/we,
// not a system, not a third party.
bool colleague_subject(const View& v, std::size_t i) {
  const Subject s = v.clause_subject(i);
  if (s.who != Who::person && s.who != Who::unknown) return false;
  if (s.who == Who::unknown) {
    // "Nightly Billing DB Snapshot accidentally skipped": a title in title case names a system.
    std::size_t words = 0;
    std::size_t capitals = 0;
    for (std::size_t k = v.begin(); k < v.end(); ++k) {
      if (v.at(k).type != Token::Type::word) continue;
      ++words;
      capitals += v.at(k).capitalised;
    }
    if (capitals >= 3 && 2 * capitals >= words) return false;
  }
  bool seen_capital = false;
  for (std::size_t k = v.begin(); k < i; ++k) {
    // A third party as subject; once past the verb, one is only its object ("granted the
    // partner admin rights").
    if (is_past_verb(v.word(k))) break;
    if (is_third_party(v.word(k))) return false;
    // An unknown subject must look like a name ("Chiara"), not like "IaC".
    const Token& t = v.at(k);
    if (s.who == Who::unknown && !seen_capital && t.type == Token::Type::word && t.capitalised) {
      seen_capital = true;
      if (t.inner_capital) return false;
    }
  }
  return true;
}

// The verb a trailing marker belongs to: the nearest past or present-tense verb before it.
std::size_t verb_before(const View& v, std::size_t i) {
  for (std::size_t k = i; k > v.begin() && i - k < 8;) {
    --k;
    if (v.punct(k)) break;
    const std::string_view w = v.word(k);
    if (is_past_verb(w) && !is_response_verb(w)) return k;
    if (w.size() > 3 && w.back() == 's' && !is_function_word(w) && !is_person_noun(w) &&
        k > v.begin() &&
        (v.at(k - 1).person ||
         (!is_system_noun(w) && (is_person_noun(v.word(k - 1)) || is_skippable(v.word(k - 1)))))) {
      return k;  // "Oluwaseun deploys the wrong branch"
    }
  }
  return i;
}

// Like verb_before, but any past verb, responses included: "Mai restarted the primary instead of
// the replica" is a slip even though restarting is what responders do.
std::size_t act_before(const View& v, std::size_t i) {
  for (std::size_t k = i; k > v.begin() && i - k < 8;) {
    --k;
    if (v.punct(k)) break;
    if (is_past_verb(v.word(k)) && !v.any(k, {"was", "were", "had", "is"})) return k;
  }
  return verb_before(v, i);
}

// "accidentally", "by mistake", "thinking it was", "the wrong host", "from memory", "with no
// review": a colleague's act narrated with the marks of a mistake or of a skipped safeguard.
// One's own act told so, and a system's, are not flagged.
void narrated_mistake(const View& v, std::size_t i, Hits& hits) {
  std::size_t last = i;
  bool before_verb = false;
  if (v.any(i, {"accidentally", "accidently", "mistakenly", "unintentionally", "inadvertently",
                "erroneously", "unknowingly"}) ||
      // "Dagny wrongly marks the zone as degraded"; not "balances were displayed incorrectly".
      (v.any(i, {"wrongly", "incorrectly", "wrongfully"}) && v.inside(i + 1) &&
       (is_past_verb(v.word(i + 1)) ||
        (v.word(i + 1).size() > 3 && v.word(i + 1).back() == 's')))) {
    before_verb = true;
  } else if (v.any(i, {"misread", "misjudged", "mistyped", "misconfigured", "misremembered",
                       "misinterpreted", "misclicked", "misjudges", "misreads"})) {
    // "Ana-Maria misread the graph and declared it resolved": a colleague's slip, told plainly.
    const Subject s = v.subject_of(i);
    const bool named = s.who == Who::unknown && v.name_like(i - 1);
    if ((s.who == Who::person || named) && colleague_subject(v, i)) {
      add_blame(hits, i, std::min(i + 2, v.end() - 1), "blame_narrated");
    }
    return;
  } else if (const std::size_t n = v.phrase(i, "by accident") + v.phrase(i, "by mistake") +
                                   v.phrase(i, "thinking it was") + v.phrase(i, "thinking that") +
                                   v.phrase(i, "thinking it") + v.phrase(i, "believing it was") +
                                   v.phrase(i, "believing it is") + v.phrase(i, "believing that") +
                                   v.phrase(i, "assuming it is") + v.phrase(i, "believing this") +
                                   v.phrase(i, "thinking the") + v.phrase(i, "thinking this") +
                                   v.phrase(i, "assuming it was") + v.phrase(i, "assuming the") +
                                   v.phrase(i, "believing the") + v.phrase(i, "thinking he") +
                                   v.phrase(i, "thinking she") + v.phrase(i, "thinking they");
             n > 0) {
    last = i + n - 1;
  } else if (const std::size_t n = v.phrase(i, "from memory") + v.phrase(i, "took to be"); n > 0) {
    last = i + n - 1;  // "did it from memory, no ticket", "deleted what he took to be unused"
  } else if (v.is(i, "with") && v.is(i + 1, "no") &&
             v.any(i + 2, {"review", "reviewer", "ticket", "approval", "sign-off", "test", "tests",
                           "canary", "heads-up", "warning", "backup", "rollback"})) {
    last = i + 2;  // "bumped the batch size to 5000 with no review"
  } else if (v.phrase(i, "the wrong") > 0 && v.inside(i + 2) && !v.punct(i + 2) &&
             (is_past_verb(v.word(i - 1)) || (i > v.begin() && verb_before(v, i) == i - 1)) &&
             !v.any(i - 1, {"had", "got", "was", "were", "used", "showed", "gave", "received",
                            "been", "found", "saw", "sent"})) {
    last = i + 2;  // "deleted the wrong volume", "restarted the wrong service"
  } else if (v.phrase(i, "the wrong") > 0 && v.inside(i + 2) && !v.punct(i + 2) &&
             v.any(i - 1, {"against", "on", "into", "to", "in"})) {
    last = i + 2;  // "ran it against the wrong cluster"
  } else if (v.phrase(i, "instead of") > 0 && act_before(v, i) != i &&
             v.subject_of(act_before(v, i)).who == Who::person &&
             !v.before(act_before(v, i), 2, {"is", "was", "were", "are", "been", "be", "being"}) &&
             !v.near_next_sentence(i, 16,
                                   {"saved", "faster", "quicker", "safer", "better", "worked",
                                    "correctly", "right", "intended", "planned", "agreed"})) {
    last = i + 1;  // "merged his branch into release instead of develop"
  } else {
    return;
  }
  // The subject of the clause, or of the verb itself ("At 09:12 Tamsin deleted …").
  // "Rafael pasted the token into the job, thinking the repository was private": a trailing
  // participle after a comma belongs to the verb before the comma.
  const bool after_comma = !before_verb && i > v.begin() + 1 && v.is(i - 1, ",");
  const std::size_t verb = before_verb ? i + 1 : verb_before(v, i);
  // The main clause before the comma says who: its subject, not the participle's (none).
  bool colleague = colleague_subject(v, after_comma ? i - 2 : i);
  if (!colleague && after_comma) {
    // "At 13:02 UTC Benedikt changed the prefetch count…, thinking he was editing staging": the
    // main clause's first act, behind its time.
    for (std::size_t k = i - 1; k > v.begin() && i - k < 25;) {
      --k;
      if (is_past_verb(v.word(k)) && !is_response_verb(v.word(k)) &&
          !v.any(k - 1, {"was", "were", "been"})) {
        const Subject s = v.subject_of(k);
        if (s.who == Who::person || (s.who == Who::unknown && v.name_like(k - 1))) colleague = true;
        if (s.who != Who::none) break;
      }
    }
  }
  if (!colleague && verb != i && verb > v.begin()) {
    const Subject s = v.subject_of(verb);
    colleague = s.who == Who::person || (s.who == Who::unknown && v.name_like(verb - 1));
    for (std::size_t k = v.begin(); k < verb && colleague; ++k)
      colleague = !is_third_party(v.word(k));
  }
  if (!colleague) return;
  if (v.near_next_sentence(i, 20, {"identical", "indistinguishable", "ambiguous"})) return;
  if (before_verb) {
    const std::size_t verb = v.inside(i + 1) && !v.punct(i + 1) ? i + 1 : i;
    add_blame(hits, i, verb, "blame_narrated");
    return;
  }
  add_blame(hits, verb_before(v, i), last, "blame_narrated");
}

// "… and never turned back on", "… and never reviewed": what was done stayed undone or unchecked.
bool left_undone(const View& v, std::size_t i) {
  for (std::size_t k = i; k < v.end() && k < i + 16; ++k) {
    if (v.is(k, "never") &&
        v.any(k + 1, {"reviewed", "turned", "re-enabled", "tested", "checked", "switched", "put",
                      "restored", "unmuted", "looked", "revisited", "read"})) {
      return true;
    }
  }
  return false;
}

// "the bucket was made public by Ravi", "the flag was switched on for every tenant by Hana, not
// for the pilot accounts": a colleague as the agent of a damaging act in the passive.
void passive_agent(const View& v, std::size_t i, Hits& hits) {
  if (!v.is(i, "by")) return;
  std::size_t np = v.person_np(i + 1);
  if (np == 0 && v.name_like(i + 1)) np = 1;  // "by Maren"
  if (np == 0 || v.any(i + 1, {"me", "us", "someone", "somebody", "anyone", "everyone"})) return;
  for (std::size_t k = i + 1; k < i + 1 + np; ++k) {
    if (is_third_party(v.word(k))) return;
  }
  static constexpr std::string_view always[] = {
      "deleted",   "dropped",   "wiped",         "truncated",      "overwritten", "exposed",
      "leaked",    "disabled",  "misconfigured", "broken",         "destroyed",   "purged",
      "corrupted", "killed",    "removed",       "erased",         "hard-coded",  "hardcoded",
      "detached",  "unmounted", "deprovisioned", "decommissioned", "overridden"};
  static constexpr std::string_view with_consequence[] = {
      "made",      "committed", "pushed",   "set",       "switched",     "turned",
      "flipped",   "changed",   "merged",   "deployed",  "shipped",      "run",
      "ran",       "applied",   "enabled",  "granted",   "emailed",      "sent",
      "posted",    "shared",    "copied",   "pasted",    "reconfigured", "force-reconfigured",
      "restarted", "rebooted",  "uploaded", "published", "edited",       "modified",
      "muted",     "silenced",  "snoozed",  "thrown",    "written",      "rushed"};
  for (std::size_t k = i; k > v.begin() && i - k < 8;) {
    --k;
    if (v.punct(k)) return;
    const std::string_view w = v.word(k);
    const bool damaging = std::find(std::begin(always), std::end(always), w) != std::end(always);
    const bool maybe = std::find(std::begin(with_consequence), std::end(with_consequence), w) !=
                       std::end(with_consequence);
    // "the replica was promoted by Zoë without anyone checking the lag": any act, when the
    // sentence carries the marks of a mistake.
    const bool other = !damaging && !maybe && is_past_verb(w) && !is_response_verb(w) &&
                       v.any(k - 1, {"was", "were", "been"});
    if (!damaging && !maybe && !other) continue;
    if (!v.before(k, 3, {"was", "were", "been", "is", "are", "being", "got", "get"})) return;
    if (other &&
        !v.near(i, 14,
                {"without", "wrong", "instead", "accidentally", "mistakenly", "faulty", "broken",
                 "bad", "untested"}) &&
        !(v.is(k, "commented") && v.is(k + 1, "out"))) {
      return;
    }
    if (maybe &&
        !v.near(i, 14,
                {"so", "causing", "wrong", "public", "without", "instead", "anyway", "every", "not",
                 "accidentally", "mistakenly", "everyone", "whole", "entire"}) &&
        !left_undone(v, i)) {
      return;
    }
    add_blame(hits, k, i + np, "blame_passive");
    return;
  }
}

// "he had been told twice not to deploy on Fridays", "I told you so", "has been reminded to
// pass the flag": one person pointing out that another was warned.
void told(const View& v, std::size_t i, Hits& hits) {
  if (v.phrase(i, "told you so") > 0 || v.phrase(i, "told ya") > 0) {
    add_blame(hits, i, i + 2, "blame_told");
    return;
  }
  if (v.any(i, {"told", "warned", "reminded", "asked"}) &&
      v.any(i - 1, {"been", "was", "were", "be", "being"})) {
    // "he was warned about the maintenance window": a notice about a thing.
    if (v.any(i + 1, {"about", "of", "by"})) return;
    const bool warned = v.any(i, {"warned", "reminded"});
    const std::size_t end = std::min(v.end(), i + 5);
    bool not_to = false;
    for (std::size_t k = i + 1; k < end; ++k) {
      if (v.is(k, "not") && v.is(k + 1, "to")) not_to = true;
      if (v.any(k, {"twice", "repeatedly", "again", "multiple", "several", "already", "before"})) {
        not_to = true;
      }
    }
    // "had been told to move his admin rights and never did"
    for (std::size_t k = i + 1; k < v.end() && k < i + 25; ++k) {
      if (v.phrase(k, "never did") > 0 || v.phrase(k, "didn't") > 0 || v.phrase(k, "anyway") > 0 ||
          v.phrase(k, "went ahead") > 0 || v.phrase(k, "did it regardless") > 0) {
        not_to = true;
      }
    }
    // "Despite being told the freeze was on, Ngozi went ahead": the one told comes after.
    bool named_after = false;
    if (v.before(i, 3, {"despite"})) {
      for (std::size_t k = i + 1; k < v.end() && k < i + 25; ++k) {
        if (v.is(k, ",") && (v.at(k + 1).person || v.name_like(k + 1))) named_after = true;
      }
    }
    const bool someone =
        colleague_subject(v, i) || v.subject_of(i).who == Who::person || named_after;
    if ((warned || not_to) && someone) {
      add_blame(hits, i - 1, i, "blame_told");
    }
    return;
  }
  // "I raised this exact risk in the design review and was told it was fine", "I told the leads in
  // July that renewal had no owner, and nothing came of it": a warning on record, pinned on
  // whoever did not act on it.
  if (v.any(i, {"i", "we"}) &&
      v.any(i + 1, {"told", "warned", "raised", "flagged", "mentioned", "said"})) {
    for (std::size_t k = i + 2; k < v.end() && k < i + 32; ++k) {
      if (v.phrase(k, "was told it was fine") > 0 || v.phrase(k, "nothing came of it") > 0 ||
          v.phrase(k, "nobody listened") > 0 || v.phrase(k, "no one listened") > 0 ||
          v.phrase(k, "was ignored") > 0 || v.phrase(k, "got ignored") > 0 ||
          v.phrase(k, "was brushed off") > 0 || v.phrase(k, "were told it was fine") > 0) {
        add_blame(hits, i, i + 1, "blame_told");
        return;
      }
    }
  }
  // "As I told Bea on Monday, her cron change was always going to collide with the backups"
  if (v.is(i, "as") && v.any(i + 1, {"i", "we"}) &&
      v.any(i + 2, {"told", "warned", "said", "predicted"}) &&
      (v.person_ref(i + 3) || v.name_like(i + 3) || v.is(i + 3, ","))) {
    add_blame(hits, i, i + 2, "blame_told");
    return;
  }
  // "I kept telling Kaveh the cron expression was wrong", "we kept warning them"
  if (v.any(i, {"kept", "keep", "keeps"}) &&
      v.any(i + 1, {"telling", "warning", "reminding", "asking"}) &&
      (v.person_ref(i + 2) || v.name_like(i + 2)) && !v.any(i + 2, {"me", "us"})) {
    add_blame(hits, i, i + 2, "blame_told");
    return;
  }
  // "I told them not to", "we told him twice"
  if (v.is(i, "told") && v.person_ref(i + 1) && !v.any(i + 1, {"me", "us"}) &&
      (v.phrase(i + 2, "not to") > 0 || v.any(i + 2, {"twice", "repeatedly", "so"}))) {
    add_blame(hits, i, i + 2, "blame_told");
  }
}

// "on Aigerim's watch", "on the database team's watch", "during Ricardo's night shift" (when
// the sentence is about something that went wrong then).
void on_watch(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"on", "during", "under"})) return;
  if (!v.person_owner(i + 1) || v.any(i + 1, {"my", "our"})) {
    // "on the database team's watch": a determiner first.
    if (!(is_determiner(v.word(i + 1)) && v.inside(i + 2) &&
          (v.person_owner(i + 2) || (v.inside(i + 3) && v.person_owner(i + 3))))) {
      return;
    }
  }
  for (std::size_t k = i + 2; k < i + 6 && v.inside(k); ++k) {
    if (v.is(k, "watch")) {
      add_blame(hits, i, k, "blame_watch");
      return;
    }
    if (v.any(k, {"shift", "rotation"}) &&
        v.near(i, 10,
               {"happened", "occurred", "broke", "began", "started", "expired", "sat",
                "unacknowledged", "ignored", "missed", "went"})) {
      add_blame(hits, i, k, "blame_watch");
      return;
    }
  }
}

// "…, is what left two near-identical lists in the dropdown": named as what did it.
bool is_what_after(const View& v, std::size_t i) {
  for (std::size_t k = i; k < v.end() && k < i + 30; ++k) {
    if (v.any(k, {"is", "was"}) && v.is(k + 1, "what") && is_past_verb(v.word(k + 2))) return true;
  }
  return false;
}

// "Fatima's hotfix disabled rate limiting, which is what let the spike through", "the root
// cause was Emeka's one-line patch": a colleague's change named as the cause.
void owned_change_as_cause(const View& v, std::size_t i, Hits& hits) {
  // "the hotfix Fatima pushed on Tuesday disabled rate limiting": the change, then its author.
  if (v.any(i, {"fix", "hotfix", "quick-fix", "patch", "change", "commit", "pr", "script", "query",
                "tweak", "migration", "hack", "band-aid", "bandaid", "workaround", "kludge"}) &&
      i > v.begin() && is_determiner(v.word(i - 1)) && v.inside(i + 2) && v.at(i + 1).person &&
      !v.at(i + 1).possessive && is_past_verb(v.word(i + 1 + v.at(i + 1).person_span)) &&
      v.near(i, 30,
             {"root", "caused", "causing", "broke", "introduced", "disabled", "deleted", "dropped",
              "let", "culprit", "responsible", "exhausted", "overloaded", "crashed", "trigger"}) &&
      !v.near(i, 12, {"fixed", "resolved", "mitigated", "restored", "recovered"})) {
    add_blame(hits, i - 1, i + v.at(i + 1).person_span + 1, "blame_causation");
    return;
  }
  if (!v.person_owner(i) || v.any(i, {"my", "our", "their", "its"})) return;
  std::size_t k = i + 1;
  for (; k < i + 4 && v.inside(k); ++k) {
    if (v.any(k, {"fix",    "hotfix",   "quick-fix", "patch",      "change", "commit",   "pr",
                  "script", "query",    "tweak",     "push",       "merge",  "rollout",  "deploy",
                  "hack",   "band-aid", "bandaid",   "workaround", "kludge", "shortcut", "decision",
                  "edit",   "cutover",  "mis-click", "misclick",   "typo"})) {
      break;
    }
    if (v.punct(k)) return;
  }
  if (!v.inside(k) || k == i + 4) return;
  // "the outage started with her own zone push"
  const bool started_with = v.before(i, 2, {"with"}) && v.near(i, 6, {"started", "began"});
  if ((!started_with &&
       !v.near(i, 40,
               {"root", "caused", "causing", "broke", "introduced", "responsible", "culprit",
                "behind", "let", "disabled", "deleted", "dropped", "exhausted", "overloaded",
                "crashed", "trigger", "reason", "set", "turned"}) &&
       !is_what_after(v, i)) ||
      v.near(i, 12, {"fixed", "resolved", "mitigated", "restored", "recovered"})) {
    return;
  }
  add_blame(hits, i, k, "blame_causation");
}

// "the developer who triggered the outage", "…, resulting in the outage": a person as the
// trigger of the incident.
void triggered_incident(const View& v, std::size_t i, Hits& hits) {
  // "the incident started when Thiago merged his branch", "was triggered when Valentina ran the
  // cleanup script": a colleague's act as the moment it began.
  if (v.any(i, {"triggered", "started", "began"}) && v.is(i + 1, "when") &&
      v.near(i, 6, {"incident", "outage", "problem", "issue", "breakage", "it"})) {
    std::size_t np = v.person_np(i + 2);
    if (np == 0 && v.name_like(i + 2)) np = 1;
    if (np > 0 && !v.any(i + 2, {"me", "us", "we", "i", "someone"}) &&
        !is_third_party(v.word(i + 2 + np - 1))) {
      const std::size_t k = v.skip(i + 2 + np, {"just", "accidentally", "then", "also"});
      const std::string_view verb = v.word(k);
      if ((is_past_verb(verb) && !is_response_verb(verb)) || is_negation(verb)) {
        add_blame(hits, i, k, "blame_causation");
        return;
      }
    }
  }
  const bool trigger = v.any(i, {"triggered", "caused", "started"});
  const bool leading = v.phrase(i, "leading to") > 0 || v.phrase(i, "resulting in") > 0;
  if (!trigger && !leading) return;
  const std::size_t obj = i + (leading ? 2 : 1) + (v.is(i + (leading ? 2 : 1), "the") ? 1 : 0);
  if (!v.any(obj, {"incident", "outage", "breakage", "incidents", "outages"})) return;
  if (trigger) {
    // "the developer who triggered it", "Bob, who caused the outage"
    const bool relative = v.any(i - 1, {"that", "who"}) && v.person_np(i - 2) == 1;
    const bool person_np_before =
        i >= v.begin() + 2 && v.any(i - 1, {"that", "who"}) && is_person_noun(v.word(i - 2));
    const Subject s = v.subject_of(i);
    if (!relative && !person_np_before && s.who != Who::person) return;
    add_blame(hits, i - (relative || person_np_before ? 2 : 0), obj, "blame_causation");
    return;
  }
  if (v.before(i, 1, {","}) || v.punct(i - 1)) {
    const Subject s = v.clause_subject(i - 1);
    if (s.who == Who::person) add_blame(hits, i, obj, "blame_causation");
  }
}

// "Why was Bogdan running DELETEs on the primary in the first place?", "why didn't she check
// first?": a question aimed at a person, not at the system.
void accusing_why(const View& v, std::size_t i, Hits& hits) {
  // "Who approved a pinned certificate with no expiry alert in the first place?"
  if (v.is(i, "who") && i == v.begin() && is_past_verb(v.word(i + 1)) &&
      !is_response_verb(v.word(i + 1))) {
    for (std::size_t k = i; k < v.end(); ++k) {
      if (v.phrase(k, "in the first place") > 0) {
        add_blame(hits, i, i + 1, "blame_who");
        return;
      }
    }
    return;
  }
  if (!v.is(i, "why")) return;
  if (i != v.begin()) {
    // "Is anyone going to ask why Grzegorz deleted the alert rule in the first place?"
    std::size_t np = v.person_np(i + 1);
    if (np == 0 && v.name_like(i + 1)) np = 1;
    if (np == 0 || v.any(i + 1, {"we", "i", "us", "me", "it", "this", "that", "they"})) return;
    const std::string_view verb = v.word(i + 1 + np);
    if (!is_past_verb(verb) || is_response_verb(verb)) return;
    for (std::size_t k = i; k < v.end(); ++k) {
      if (v.phrase(k, "in the first place") > 0) {
        add_blame(hits, i, i + np, "blame_who");
        return;
      }
    }
    return;
  }
  const std::string_view aux = v.word(i + 1);
  if (!v.any(i + 1, {"did", "was", "were", "would", "is", "does", "has", "had", "didn't", "wasn't",
                     "hasn't", "hadn't", "didnt", "wasnt", "would've", "wouldn't"})) {
    return;
  }
  std::size_t np = v.person_np(i + 2);
  // "Why does the payments team still have no alert…": a team, asked.
  for (std::size_t k = i + 2; np == 0 && k < i + 6 && v.inside(k) && !v.punct(k); ++k) {
    if (is_team_word(v.word(k)) && is_determiner(v.word(i + 2))) np = k - i - 1;
  }
  // "why was Milo running …": a capitalised unknown word doing something is someone.
  const Token& who = v.at(v.inside(i + 2) ? i + 2 : i);
  if (np == 0 && v.inside(i + 2) && who.type == Token::Type::word && who.capitalised &&
      !who.all_caps && !who.inner_capital && !is_system_noun(who.norm) &&
      v.word(i + 3).size() > 4 && v.word(i + 3).substr(v.word(i + 3).size() - 3) == "ing") {
    np = 1;
  }
  if (np == 0 || v.any(i + 2, {"we", "i", "us", "me", "it", "this", "that"})) return;
  if (!v.at(i + 2).person && !is_person_noun(v.word(i + 2 + np - 1)) &&
      !is_team_word(v.word(i + 2 + np - 1)) && pronoun_kind(v.word(i + 2)) != Pronoun::person &&
      !who.capitalised) {
    return;
  }
  std::size_t questions = 0;  // "why was Hamid running TRUNCATE on prod at 2am??"
  for (std::size_t k = i; k < v.end(); ++k) questions += v.at(k).norm == "?";
  // "Why did Rui deploy at 17:50 on a Friday with half the team already offline?"
  const bool bad_moment = v.near(i, 20, {"friday", "weekend", "midnight", "offline", "freeze"});
  bool skipped_first = false;  // "…flip the delegation before anyone had compared the zones?"
  for (std::size_t k = i; k < v.end(); ++k) {
    if (v.is(k, "before") &&
        v.any(k + 1, {"anyone", "anybody", "checking", "testing", "reading", "comparing", "asking",
                      "telling", "reviewing", "looking"})) {
      skipped_first = true;
    }
  }
  // "…still have no alert after the last incident?"
  const bool still = v.near(i, 12, {"still"}) && v.near(i, 30, {"last", "previous", "again"});
  const bool accusing = is_negation(aux) || questions > 1 || skipped_first || still || bad_moment ||
                        v.near(i, 30, {"even", "again", "ever", "anyway"}) ||
                        v.phrase(v.end() > 4 ? v.end() - 4 : v.begin(), "in the first place") > 0;
  bool first_place = false;
  for (std::size_t k = i; k < v.end(); ++k) {
    if (v.phrase(k, "in the first place") > 0) first_place = true;
  }
  if (!accusing && !first_place) return;
  add_blame(hits, i, i + 1 + np, "blame_who");
}

// "wasted twenty minutes on the CDN", "merged it against our own deploy-window rule", "too
// casual about dependency updates": a colleague's conduct judged without the usual words.
void judged_conduct(const View& v, std::size_t i, Hits& hits) {
  if (v.any(i, {"wasted", "squandered", "ignored", "disregarded", "brushed", "ignores",
                "disregards"})) {
    if (v.subject_of(i).who != Who::person || !colleague_subject(v, i)) return;
    add_blame(hits, i, std::min(i + 2, v.end() - 1), "blame_narrated");
    return;
  }
  // "Keanu ignoring the rollback criteria", "make sure Femi stops ignoring alerts", "Rafael,
  // ignoring the change freeze, deploys…"
  if (v.any(i, {"ignoring", "disregarding"}) && i > v.begin()) {
    std::size_t k = i - 1;
    if (v.is(k, ",") && k > v.begin()) --k;
    if (v.any(k, {"stops", "stop", "keeps", "keep", "kept", "started", "starts"}) &&
        k > v.begin()) {
      --k;
    }
    const Token& who = v.at(k);
    if ((who.person || v.name_like(k) || is_person_noun(v.word(k))) && !is_third_party(v.word(k))) {
      add_blame(hits, k, std::min(i + 1, v.end() - 1), "blame_narrated");
    }
    return;
  }
  // "why Kwame thought it was fine to hotfix prod over SSH", "she thought it was a good idea"
  if (v.is(i, "thought") && (v.phrase(i + 1, "it was") > 0 || v.phrase(i + 1, "it'd be") > 0) &&
      (v.any(i + 3, {"fine", "ok", "okay", "safe", "acceptable", "smart"}) ||
       v.phrase(i + 3, "a good idea") > 0)) {
    const bool named = i > v.begin() && (v.at(i - 1).person || v.name_like(i - 1) ||
                                         v.any(i - 1, {"you", "he", "she", "u"}));
    if (named || (v.subject_of(i).who == Who::person && colleague_subject(v, i))) {
      add_blame(hits, i, i + 3, "blame_who");
      return;
    }
  }
  // "How did Agnieszka manage to miss a test that had been red for two days?"
  if (v.is(i, "how") && v.any(i + 1, {"did", "does", "could"})) {
    std::size_t np = v.person_np(i + 2);
    if (np == 0 && v.name_like(i + 2)) np = 1;
    if (np > 0 && !v.any(i + 2, {"we", "i", "us", "me", "it", "this", "that", "they"}) &&
        v.any(i + 2 + np, {"manage", "miss", "forget", "ignore", "skip", "break"})) {
      add_blame(hits, i, i + 2 + np, "blame_who");
      return;
    }
  }
  // "Benedikt has a habit of making config edits straight on the cluster", "our frontend group
  // has a habit of merging on red builds"
  if (v.phrase(i, "habit of") > 0 && v.before(i, 3, {"has", "had", "have"}) &&
      (colleague_subject(v, i) || (i > v.begin() + 2 && v.name_like(i - 3)) ||
       (i > v.begin() + 2 && is_team_word(v.word(i - 3))))) {
    add_blame(hits, i, i + 1, "blame_trait");
    return;
  }
  // "disabled the paging rule to silence the noise and never turned it back on"
  if (v.phrase(i, "never turned it back on") + v.phrase(i, "never re-enabled") +
          v.phrase(i, "never switched it back on") + v.phrase(i, "never put it back") +
          v.phrase(i, "never committed it") + v.phrase(i, "never checked it in") +
          v.phrase(i, "never pushed it") + v.phrase(i, "never told anyone") >
      0) {
    const Subject s = v.subject_of(i);
    if (s.who == Who::person || (s.who == Who::unknown && colleague_subject(v, i))) {
      add_blame(hits, i, i + 3, "blame_narrated");
      return;
    }
  }
  // "Connor hard-coded the database password": a secret put where it leaks.
  if (v.any(i, {"hard-coded", "hardcoded", "committed", "pasted", "posted"}) &&
      v.near(i + 1, 4,
             {"password", "passwords", "secret", "secrets", "token", "tokens", "key", "credentials",
              "api"}) &&
      !v.before(i, 2, {"was", "were", "is", "been"})) {
    const Subject s = v.subject_of(i);
    if ((s.who == Who::person || (s.who == Who::unknown && v.name_like(i - 1))) &&
        colleague_subject(v, i)) {
      add_blame(hits, i, std::min(i + 3, v.end() - 1), "blame_narrated");
      return;
    }
  }
  // "Hiroshi never documents anything": a habit pinned on a person.
  if (v.is(i, "never") && v.inside(i + 1) && i > v.begin() &&
      (v.at(i - 1).person || (colleague_subject(v, i) && v.subject_of(i).who == Who::person))) {
    const std::string_view w = v.word(i + 1);
    if (w.size() > 4 && w.back() == 's' && !is_function_word(w) && !is_system_noun(w) &&
        v.any(i + 2, {"anything", "tests", "checks", "reads", "documents", "anyone", "the", "a",
                      "his", "her", "their"})) {
      add_blame(hits, i, i + 1, "blame_trait");
      return;
    }
  }
  if (v.is(i, "against") && v.any(i + 1, {"our", "the", "their", "his", "her", "team's"})) {
    for (std::size_t k = i + 2; k < i + 6 && v.inside(k) && !v.punct(k); ++k) {
      if (v.any(k, {"rule", "rules", "policy", "process", "guidance", "advice", "runbook",
                    "instructions", "agreement", "freeze"})) {
        // "Dorian merged the PR at 15:50, against our own rule": the sentence's subject.
        if (!colleague_subject(v, i) && !colleague_subject(v, v.begin() + 1)) return;
        add_blame(hits, i, k, "blame_narrated");
        return;
      }
    }
    return;
  }
  if (v.is(i, "too") &&
      v.any(i + 1, {"casual", "careless", "relaxed", "lax", "cavalier", "sloppy", "hasty", "quick",
                    "lazy"}) &&
      v.any(i + 2, {"about", "with", "when", "in"})) {
    if (!colleague_subject(v, i)) return;
    add_blame(hits, i, i + 1, "blame_trait");
  }
}

// Conduct told without a judging word: a habit beside the act ("as he usually does"), asleep
// at the moment, a self-approved change, pages unanswered, changes nobody reviewed, "nobody
// forced X to", mock credit and mock questions ("what could possibly go wrong").
void narrated_conduct(const View& v, std::size_t i, Hits& hits) {
  // "…, as he usually does with anything labelled config": a habit told beside the act.
  if (v.is(i, "as") && v.any(i + 1, {"he", "she"}) &&
      v.any(i + 2, {"usually", "always", "often", "typically"}) &&
      v.any(i + 3, {"does", "did", "do"}) && i > v.begin() + 2 && v.is(i - 1, ",")) {
    // The pronoun is the main clause's subject: a colleague unless a third party acts there.
    for (std::size_t k = v.begin(); k < i; ++k) {
      if (is_third_party(v.word(k))) return;
    }
    add_blame(hits, i, i + 3, "blame_trait");
    return;
  }
  // "sleeping right through it", "slept through the page": a responder asleep at the moment.
  if (v.any(i, {"slept", "sleeping"}) && v.skip(i + 1, {"right", "straight"}) < v.end() &&
      v.is(v.skip(i + 1, {"right", "straight"}), "through")) {
    for (std::size_t k = v.begin(); k < v.end(); ++k) {
      if (v.at(k).person || v.name_like(k) || is_person_noun(v.word(k))) {
        if (v.subject_of(i).who == Who::first_person) return;
        add_blame(hits, i, v.skip(i + 1, {"right", "straight"}), "blame_narrated");
        return;
      }
    }
  }
  // "joaquín what did you do": the question that accuses.
  if ((v.phrase(i, "what did you do") > 0 || v.phrase(i, "what have you done") > 0) &&
      (v.punct(i + 4) || !v.inside(i + 4))) {
    add_blame(hits, i, i + 3, "blame_who");
    return;
  }
  // "Anneliese approved her own PR at 11pm": a check made by the one it was to check.
  if (v.any(i, {"approved", "reviewed", "merged", "signed"}) &&
      v.any(i + 1, {"his", "her", "their"}) && v.is(i + 2, "own")) {
    const Subject s = v.subject_of(i);
    if (s.who == Who::person || (s.who == Who::unknown && v.name_like(i - 1))) {
      add_blame(hits, i, i + 2, "blame_narrated");
      return;
    }
  }
  // "Oluwaseun was paged eleven times over 25 minutes before acknowledging"
  if (v.is(i, "paged") && v.is(i - 1, "was") &&
      v.near(i, 10, {"times", "repeatedly", "twice", "minutes"})) {
    for (std::size_t k = i + 1; k < v.end() && k < i + 12; ++k) {
      if (v.is(k, "before") && v.any(k + 1, {"acknowledging", "responding", "answering", "anyone",
                                             "he", "she", "replying"})) {
        if (v.subject_of(i - 1).who == Who::person || v.name_like(i - 2)) {
          add_blame(hits, i - 1, k + 1, "blame_narrated");
          return;
        }
      }
    }
  }
  // "deployed from his laptop with local changes nobody reviewed"
  if ((v.is(i, "nobody") || v.phrase(i, "no one") > 0) &&
      v.any(i + (v.is(i, "nobody") ? 1 : 2), {"reviewed", "checked", "tested", "approved"})) {
    const std::size_t act = act_before(v, i);
    if (act != i) {
      const Subject s = v.subject_of(act);
      if (s.who == Who::person || (s.who == Who::unknown && v.name_like(act - 1))) {
        add_blame(hits, act, i + 1, "blame_omission");
        return;
      }
    }
  }
  // "acknowledged the page and went back to sleep"
  if ((v.phrase(i, "went back to sleep") > 0 || v.phrase(i, "goes back to sleep") > 0) &&
      v.near(i, 12, {"page", "pager", "alert", "it", "email", "report", "ticket", "call"})) {
    const Subject s = v.subject_of(i);
    if (s.who == Who::person || (s.who == Who::unknown && colleague_subject(v, i))) {
      add_blame(hits, i, i + 3, "blame_narrated");
      return;
    }
  }
  // "Nobody forced Olumide to restart every node at once"
  if ((v.is(i, "nobody") || v.phrase(i, "no one") > 0) &&
      v.any(i + (v.is(i, "nobody") ? 1 : 2), {"forced", "made", "told", "asked"})) {
    const std::size_t k = i + (v.is(i, "nobody") ? 2 : 3);
    if ((v.person_ref(k) || v.name_like(k)) && !v.any(k, {"me", "us"})) {
      add_blame(hits, i, k, "blame_trait");
      return;
    }
  }
  // "a truly inspired bit of timing from Priya": credit that is not.
  if (v.any(i, {"inspired", "impeccable", "stellar", "brilliant", "perfect", "superb"}) &&
      v.near(i, 4, {"timing"})) {
    for (std::size_t k = i + 1; k < v.end() && k < i + 8; ++k) {
      if (v.any(k, {"from", "by"}) && (v.at(k + 1).person || v.name_like(k + 1))) {
        add_blame(hits, i, k + 1, "blame_sarcasm");
        return;
      }
    }
  }
  // "Tom's runbook literally says 'import and go', what could possibly go wrong"
  if (v.phrase(i, "what could possibly go wrong") > 0) {
    for (std::size_t k = v.begin(); k < i; ++k) {
      if (v.person_owner(k) && !v.any(k, {"my", "our", "its", "their"})) {
        add_blame(hits, k, i + 4, "blame_sarcasm");
        return;
      }
    }
  }
  // "exists precisely so people like Joaquín don't ship on a Friday night"
  if (v.phrase(i, "people like") > 0 && (v.at(i + 2).person || v.name_like(i + 2)) &&
      v.near(i + 2, 4, {"don't", "dont", "won't", "can't", "cannot", "not"})) {
    add_blame(hits, i, i + 2, "blame_sarcasm");
    return;
  }
}

// "The reviewer assumed the flag was off in staging, rather than on": a colleague's wrong belief
// told as the cause. (What made it plausible is the
// finding: the docs, the name of the trigger, the review tool.)
void mistaken_belief(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"thought", "assumed", "believed", "expected", "misunderstood", "misread"})) return;
  const Who who = v.clause_subject(i).who;
  if ((who != Who::person && !(who == Who::unknown && v.name_like(i - 1))) ||
      !colleague_subject(v, i)) {
    return;
  }
  // "Chloé believed the cache was disposable and flushed it, but it held the only copy": the
  // belief, the act on it, and what it turned out to be.
  bool acted = false;
  for (std::size_t k = i + 1; k < v.end() && k < i + 40; ++k) {
    if (v.is(k, "and") && is_past_verb(v.word(k + 1)) && !is_response_verb(v.word(k + 1))) {
      acted = true;
    }
    if (acted && (v.phrase(k, "but it") > 0 || v.phrase(k, "turned out") > 0)) {
      add_blame(hits, i, i, "blame_narrated");
      return;
    }
  }
  for (std::size_t k = i + 1; k < v.end() && k < i + 40; ++k) {
    if (v.phrase(k, "rather than") > 0 || v.phrase(k, "instead of") > 0 ||
        v.phrase(k, "when in fact") > 0 || v.phrase(k, "when actually") > 0 ||
        v.any(k, {"wrongly", "incorrectly", "mistakenly", "falsely", "wrong"})) {
      add_blame(hits, i, i, "blame_narrated");
      return;
    }
  }
}

// "silences the alert without investigating", "merged it without testing": a colleague skipping
// the step, told as the cause.
void without_step(const View& v, std::size_t i, Hits& hits) {
  if (!v.is(i, "without")) return;
  // "without so much as reading past the title"
  const std::size_t k =
      v.skip(i + 1, {"even", "really", "properly", "first", "any", "so", "much", "as"});
  if (!v.any(k, {"investigating", "checking",   "testing",      "looking",      "reading",
                 "asking",        "telling",    "reviewing",    "verifying",    "confirming",
                 "acknowledging", "escalating", "glancing",     "thinking",     "warning",
                 "notifying",     "opening",    "running",      "comparing",    "waiting",
                 "consulting",    "measuring",  "load-testing", "benchmarking", "rehearsing"})) {
    return;
  }
  if (!colleague_subject(v, i)) return;
  add_blame(hits, i, k, "blame_narrated");
}

// "…gave the customer admin rights, which is how the data got out": a colleague's act, then
// its damage.
void which_is_how(const View& v, std::size_t i, Hits& hits) {
  const std::size_t n = v.phrase(i, "which is how") + v.phrase(i, "which is what") +
                        v.phrase(i, "that is how") + v.phrase(i, "that's how") +
                        v.phrase(i, "that is what") + v.phrase(i, "that's what");
  if (n == 0 || i == v.begin()) return;
  if (!v.near(i + n, 8,
              {"let", "got", "leaked", "broke", "took", "caused", "lost", "deleted", "exposed",
               "out", "down"})) {
    return;
  }
  if (!colleague_subject(v, i - 1)) return;
  add_blame(hits, i, i + n - 1, "blame_causation");
}

// "Radek left the debug flag on in the release build", "left the bucket public": a colleague's
// setting left in place, told as what did the damage.
void left_on(const View& v, std::size_t i, Hits& hits) {
  if (!v.is(i, "left") || !v.any(i + 1, {"the", "a", "an", "his", "her", "their", "it"})) return;
  for (std::size_t k = i + 2; k < i + 6 && v.inside(k) && !v.punct(k); ++k) {
    if (v.any(k, {"call", "channel", "bridge", "room", "meeting", "company", "team", "building",
                  "office", "war", "rest"})) {
      return;  // "left the call", "left the company"
    }
    if (v.any(k, {"on", "enabled", "open", "running", "unlocked", "exposed", "public", "disabled",
                  "off", "unpatched", "behind"})) {
      if (v.is(k, "on") && !v.punct(k + 1) &&
          !v.any(k + 1, {"in", "for", "after", "overnight", "all", "and", "when", "during"})) {
        return;  // "left a note on the ticket"
      }
      // "…were exposed because Hiroshi left his debug endpoint open": the act as the cause.
      const Subject s = v.subject_of(i);
      const bool because = v.before(i, 3, {"because", "since"}) &&
                           (s.who == Who::person || (s.who == Who::unknown && v.name_like(i - 1)));
      if (!because && (!colleague_subject(v, i) || s.who != Who::person)) return;
      add_blame(hits, i, k, "blame_narrated");
      return;
    }
  }
}

// "Eitan re-runs the purge job, deleting the freshly restored rows": a colleague's act, then the
// damage it did, told as a participle.
void damaging_participle(const View& v, std::size_t i, Hits& hits) {
  if (i <= v.begin() + 2 || !v.is(i - 1, ",") ||
      !v.any(i, {"deleting", "wiping", "dropping", "overwriting", "truncating", "erasing",
                 "purging", "destroying", "clobbering", "corrupting"})) {
    return;
  }
  if (!v.near(i, 6,
              {"restored", "production", "prod", "customer", "customers", "live", "only", "primary",
               "reviewed", "backup", "backups"})) {
    return;
  }
  // The act before the comma, and who did it.
  const std::size_t act = act_before(v, i - 1);
  if (act == i - 1) return;
  const Subject s = v.subject_of(act);
  if (s.who != Who::person && !(s.who == Who::unknown && v.name_like(act - 1))) return;
  if (!colleague_subject(v, act)) return;
  add_blame(hits, act, i, "blame_narrated");
}

// "Shout-out to Kenji, whose cutover set off the outage, …": praise that names the trigger.
void whose_trigger(const View& v, std::size_t i, Hits& hits) {
  if (!v.is(i, "whose") || i == v.begin()) return;
  std::size_t k = i + 1;
  while (k < i + 4 && v.inside(k) &&
         !v.any(k, {"change", "cutover", "deploy", "push", "migration", "commit", "patch", "fix",
                    "script", "release", "rollout", "config"})) {
    ++k;
  }
  if (k == i + 4 || !v.inside(k)) return;
  if (v.phrase(k + 1, "set off") > 0 ||
      v.any(k + 1, {"caused", "triggered", "started", "broke", "began"})) {
    if (!(v.at(i - 1).person || v.name_like(i - 1) || v.is(i - 1, ","))) return;
    add_blame(hits, i, k + 1, "blame_causation");
  }
}

}  // namespace

void narration_rules(const View& v, std::size_t i, std::vector<Hit>& hits) {
  narrated_mistake(v, i, hits);
  passive_agent(v, i, hits);
  told(v, i, hits);
  on_watch(v, i, hits);
  owned_change_as_cause(v, i, hits);
  triggered_incident(v, i, hits);
  accusing_why(v, i, hits);
  judged_conduct(v, i, hits);
  narrated_conduct(v, i, hits);
  mistaken_belief(v, i, hits);
  without_step(v, i, hits);
  which_is_how(v, i, hits);
  left_on(v, i, hits);
  damaging_participle(v, i, hits);
  whose_trigger(v, i, hits);
}

}  // namespace incident::blameless_detail
