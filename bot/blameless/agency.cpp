// Blame rules that hinge on who did something. "failed to", "forgot", "should have caught",
// "broke" are blame with a person as subject and plain description with a system as subject
// ("the health check failed to detect the stale replica"). Causation and sarcasm are in
// blameless_causation.cpp.
//
// We / I count as persons for lapse verbs (forgot, failed to, should have, broke): "we forgot to
// renew the cert" still frames a missing step as a lapse of memory, and the suggestion points at
// the step. Descriptive omissions ("we didn't test the failover path", "I ignored the alert, it
// was noisy") are how a blameless narrative states what happened, so they count only for
// others (he / she / they / you / names).
#include <string_view>

#include "bot/blameless/rules.h"

namespace incident::blameless_detail {

namespace {

// Things a person "should have" done that a system cannot be said to know or notice.
bool is_mental_verb(std::string_view w) {
  static constexpr std::string_view verbs[] = {
      "known",  "realized",  "realised",   "noticed",      "thought",        "asked",   "listened",
      "waited", "paid",      "understood", "remembered",   "cared",          "looked",  "read",
      "seen",   "escalated", "told",       "communicated", "double-checked", "spotted", "followed"};
  for (std::string_view v : verbs) {
    if (w == v) return true;
  }
  return false;
}

// A verb's base form after "didn't" that describes diligence: "he didn't check".
bool is_diligence_verb(std::string_view w) {
  static constexpr std::string_view verbs[] = {
      "check",        "test",        "verify",    "review",      "read",         "look",
      "follow",       "ask",         "confirm",   "validate",    "notice",       "listen",
      "wait",         "escalate",    "tell",      "communicate", "care",         "think",
      "double-check", "doublecheck", "pay",       "bother",      "checked",      "tested",
      "verified",     "reviewed",    "looked",    "followed",    "asked",        "confirmed",
      "validated",    "bothered",    "noticed",   "escalated",   "told",         "listened",
      "waited",       "cared",       "thought",   "checks",      "tests",        "verifies",
      "reviews",      "reads",       "looks",     "follows",     "asks",         "confirms",
      "validates",    "listens",     "waits",     "escalates",   "tells",        "bothers",
      "cares",        "thinks",      "do",        "respond",     "answer",       "acknowledge",
      "ack",          "reply",       "responded", "answered",    "acknowledged", "replied",
      "understand"};
  for (std::string_view v : verbs) {
    if (w == v) return true;
  }
  return false;
}

void should_have(const View& v, std::size_t i, Hits& hits) {
  const std::string_view w = v.word(i);
  std::size_t k = 0;  // the participle
  if (v.any(i, {"should've", "shouldve", "shoulda", "should'a", "shouldn't've", "shouldntve"})) {
    k = i + 1;
  } else if (v.any(i, {"should", "shouldn't", "shouldnt", "ought"})) {
    std::size_t j = i + 1;
    if (w == "ought" && !v.is(j++, "to")) return;
    j = v.skip(j, {"not", "never", "really", "just", "definitely", "probably", "totally",
                   "obviously", "clearly", "already", "at", "least"});
    if (!v.any(j, {"have", "'ve", "of", "ve"})) return;
    k = j + 1;
  } else {
    return;
  }
  k = v.skip(k, {"just", "really", "probably", "definitely", "simply", "totally", "actually",
                 "already", "at", "least", "never", "not", "maybe", "double"});  // "double checked"
  const std::string_view verb = v.word(k);
  if (verb.empty() || v.punct(k)) return;
  const Subject s = v.subject_of(i);
  if (verb == "known" && v.is(k + 1, "better")) {
    add_blame(hits, i, k + 1, "blame_should_have");
    return;
  }
  if (verb == "been") {
    // "should have been more careful" judges a person; "should have been caught by CI" is a
    // passive about the process, and reads fine.
    if (v.any(k + 1, {"more", "careful", "paying", "aware", "watching", "vigilant", "thorough",
                      "obvious", "checking", "testing", "monitoring", "looking"}) &&
        (s.personal() || s.who == Who::none)) {
      add_blame(hits, i, k + 1, "blame_should_have");
    }
    return;
  }
  // "we should have had an alert" names a gap in the system, the wording we want.
  if (v.any(k, {"had", "have", "got", "gotten", "been"}) || !is_past_verb(verb)) return;
  if (s.who == Who::system) return;
  if (s.who == Who::unknown && !is_mental_verb(verb)) return;
  // "I should have checked the target first; I've added a confirmation prompt": one person owning
  // a slip and its fix (README, "First-person accounts"). Without the fix it is still pointed at.
  if (s.who == Who::first_person && v.before(i, 2, {"i"}) &&
      v.near_next_sentence(
          i, 20,
          {"adding", "added", "i've", "i'm", "i'll", "fixed", "wrote", "opened", "filed", "put"})) {
    return;
  }
  add_blame(hits, i, k, "blame_should_have");
}

void forgot(const View& v, std::size_t i, Hits& hits) {
  const std::string_view w = v.word(i);
  if (!v.any(i, {"forgot", "forgotten", "forgets", "forgetting", "forget", "forgor"})) return;
  // "don't forget to", "so we don't forget": reminders. "forget" alone is flagged only as a
  // habit ("he always forgets to").
  if (v.negated(i, 2)) return;
  if (w == "forget" && !v.before(i, 2, {"always", "keeps", "constantly", "often", "usually"})) {
    return;
  }
  if (w == "forgetting" && !v.before(i, 2,
                                     {"keeps", "kept", "keep", "for", "was", "were", "by", "always",
                                      "after", "been", "is", "are"})) {
    return;
  }
  // Only the perfect is a lapse ("he had forgotten"); "the step was forgotten" and "the
  // forgotten cron job" already describe the thing.
  if (w == "forgotten" && !v.before(i, 3,
                                    {"have", "has", "had", "'ve", "i've", "we've", "they've",
                                     "you've", "he'd", "she'd", "i'd"})) {
    return;
  }
  if (v.any(i + 1, {"where", "what", "how", "which", "who", "whether", "if", "why", "when",
                    "password", "name", "nothing"})) {
    return;  // "I forgot where the runbook is" is a question, not a lapse
  }
  // "Erin forgot her laptop charger" is about her day, not the incident.
  if (is_person_possessive(v.word(i + 1)) &&
      v.near(i + 2, 1,
             {"laptop", "charger", "phone", "badge", "keys", "headphones", "wallet", "glasses",
              "password", "lunch", "headset", "yubikey"})) {
    return;
  }
  const Subject s = v.subject_of(i);
  if (s.who == Who::system) return;  // "the cache forgot entries after eviction"
  // "I forgot to update the runbook after we moved the queue": one person owning a slip plainly
  // is what a blameless review asks for (tests/data/blameless/README.md, "First-person
  // accounts"). "We forgot to renew the cert" is still pointed at: the missing safeguard is the
  // subject to write about.
  if (s.who == Who::first_person && v.before(i, 3, {"i", "i've", "i'd"})) return;
  // "forgot to paste the graph, here it is": a chat self-correction, fixed as it is said.
  if ((s.who == Who::none || s.who == Who::first_person) && v.is(i + 1, "to") &&
      v.any(i + 2, {"add", "paste", "attach", "include", "link", "mention", "tag", "post", "share",
                    "put", "say", "cc"}) &&
      v.near_next_sentence(
          i, 12,
          {"here", "now", "below", "above", "oops", "sorry", "done", "edited", "added", "fixed"})) {
    return;
  }
  add_blame(hits, i, v.any(i + 1, {"to", "about"}) ? i + 1 : i, "blame_forgot");
}

void failed_to(const View& v, std::size_t i, Hits& hits) {
  if (v.any(i, {"failed", "fails", "failing", "fail"}) && v.is(i + 1, "to")) {
    const Subject s = v.subject_of(i);
    // "Thiago failed to follow the runbook": a verb only people do settles an unknown subject.
    const bool person_verb = v.any(
        i + 2, {"follow",       "notice",  "escalate", "communicate", "read",       "review",
                "realize",      "realise", "ask",      "tell",        "inform",     "acknowledge",
                "ack",          "answer",  "mention",  "document",    "coordinate", "test",
                "double-check", "verify",  "update",   "renew",       "rotate",     "respond"});
    // "the operator failed to verify the target": an operator who verifies is a person.
    std::size_t h = i;
    for (int n = 0; n < 4 && h > v.begin() && is_skippable(v.word(h - 1)); ++n) --h;
    const bool human_role = h > v.begin() && v.any(h - 1, {"operator", "user", "owner", "lead"});
    // "we failed to reach the vendor" describes; "we failed to renew the cert" is a lapse.
    if (s.who == Who::person ||
        ((s.who == Who::first_person || s.who == Who::unknown || human_role) && person_verb)) {
      add_blame(hits, i, i + 1, "blame_failed_to");
    }
    return;
  }
  if (v.is(i, "failure") && v.is(i + 1, "to") && i > v.begin() && v.person_owner(i - 1)) {
    add_blame(hits, i - 1, i + 1, "blame_failed_to");
    return;
  }
  if (v.any(i, {"neglected", "neglects", "neglecting"})) {
    const Subject s = v.subject_of(i);
    if (s.who != Who::system && s.who != Who::unknown) {
      add_blame(hits, i, v.is(i + 1, "to") ? i + 1 : i, "blame_failed_to");
    }
    return;
  }
  // "Bob was supposed to renew it": a missed duty hung on a person.
  if (v.is(i, "supposed") && v.is(i + 1, "to") && v.any(i - 1, {"was", "were"}) &&
      v.subject_of(i).third_person()) {
    add_blame(hits, i - 1, i + 1, "blame_failed_to");
  }
}

void omission(const View& v, std::size_t i, Hits& hits) {
  std::size_t n = 0;
  bool habit = false;  // "he doesn't test his code", "Greg never tests"
  if (v.any(i, {"didn't", "didnt", "never"})) {
    n = 1;
  } else if (v.any(i, {"doesn't", "doesnt", "don't", "dont"})) {
    n = 1;
    habit = true;
  } else if (v.any(i, {"did", "does"}) && v.is(i + 1, "not")) {
    n = 2;
    habit = v.is(i, "does");
  } else if (v.any(i, {"wasn't", "wasnt", "weren't", "werent"}) ||
             (v.any(i, {"was", "were"}) && v.is(v.skip(i + 1, {"clearly", "obviously", "simply",
                                                               "just", "apparently", "really"}),
                                                "not"))) {
    // "Oscar wasn't watching the dashboards", "the SREs were clearly not watching"
    std::size_t k =
        v.any(i, {"was", "were"})
            ? v.skip(i + 1, {"clearly", "obviously", "simply", "just", "apparently", "really"}) + 1
            : i + 1;
    for (int n = 0; n < 4 && is_skippable(v.word(k)) && !is_negation(v.word(k)); ++n) ++k;
    if (v.any(k, {"watching", "thinking", "paying", "looking", "checking", "monitoring",
                  "listening", "following", "reading", "testing"}) &&
        v.subject_of(i).who == Who::person) {
      add_blame(hits, i, k, "blame_omission");
    }
    return;
  } else if (v.any(i, {"can't", "cant", "cannot", "couldn't", "couldnt"}) &&
             v.any(i + 1, {"follow", "read", "test", "check", "listen", "think"}) &&
             v.subject_of(i).who == Who::person) {
    add_blame(hits, i, i + 1, "blame_omission");  // "Alice can't follow simple instructions"
    return;
  } else if (v.any(i, {"couldn't", "couldnt", "can't", "cant"}) && v.phrase(i + 1, "be bothered")) {
    add_blame(hits, i, i + 2, "blame_omission");
    return;
  } else if (v.any(i, {"ignored", "overlooked", "missed", "disregarded", "skipped"}) &&
             v.subject_of(i).third_person()) {
    add_blame(hits, i, i, "blame_omission");
    return;
  } else if (v.any(i, {"skip", "skips", "ignore", "ignores", "forget", "forgets", "break", "breaks",
                       "skipped", "ignored", "forgot", "broke"}) &&
             v.is(i - 1, "who") && i >= v.begin() + 2 &&
             (v.at(i - 2).person || is_person_noun(v.word(i - 2)))) {
    add_blame(hits, i - 2, i, "blame_omission");  // "the same people who skip the checklist"
    return;
  } else if (v.is(i, "bothered") &&
             (v.is(i + 1, "to") || (v.word(i + 1).size() > 4 &&
                                    v.word(i + 1).substr(v.word(i + 1).size() - 3) == "ing")) &&
             (v.subject_of(i).third_person() || v.clause_subject(i).third_person() ||
              v.before(i, 3, {"nobody", "noone", "no-one"}) ||
              (v.is(i - 1, "one") && v.is(i - 2, "no")))) {
    add_blame(hits, i, i + 1, "blame_omission");  // "if someone had bothered to read the docs"
    return;
  } else {
    return;
  }
  std::size_t k = i + n;
  for (int n = 0; n < 4 && v.inside(k) &&
                  ((v.word(k).size() > 4 && v.word(k).substr(v.word(k).size() - 2) == "ly") ||
                   v.any(k, {"ever", "actually", "really", "just"}));
       ++n) {
    ++k;  // "did not properly test"
  }
  // "why didn't bob check": the subject follows the auxiliary in a question.
  bool question = false;
  if (v.is(i - 1, "why") && v.person_np(k) > 0) {
    question = true;
    k += v.person_np(k);
  }
  const std::string_view verb = v.word(k);
  const Subject s = question ? Subject{Who::person, false} : v.subject_of(i);
  const std::size_t first = question ? i - 1 : i;
  // "didn't bother to check" is a verdict whoever it is about (chat often drops the subject).
  if ((verb == "bother" || verb == "bothered") && s.who != Who::system) {
    add_blame(hits, first, k, "blame_omission");
    return;
  }
  // "why didn't you roll back?": a question that asks a person to account for not acting.
  if (question && !v.punct(k) && !v.any(k, {"we", "i"})) {
    add_blame(hits, first, k, "blame_omission");
    return;
  }
  // "the dev who wrote the retry logic clearly didn't understand backoff": the relative clause's
  // object is not the subject.
  Subject subject = s;
  if (subject.who != Who::person && v.near(i, 8, {"who", "whoever"})) subject = v.clause_subject(i);
  // "as always the mobile guys didn't bump the API version": a habit held against people.
  if (subject.third_person() && !is_negation(verb) && !v.punct(k) &&
      (v.phrase(v.begin(), "as always") || v.phrase(v.begin(), "as usual") ||
       v.near(i, 10, {"typical", "again", "usual"}))) {
    add_blame(hits, first, k, "blame_omission");
    return;
  }
  // "Viktor doesn't read his emails": an unknown capitalised name doing a diligence verb.
  if (subject.who == Who::unknown && (is_diligence_verb(verb) || verb == "understand") &&
      i > v.begin() && v.at(i - 1).capitalised && !v.at(i - 1).all_caps) {
    subject = Subject{Who::person, false};
  }
  if (!subject.third_person()) return;
  if (verb == "understand" && !v.is(i, "never")) {
    add_blame(hits, first, k, "blame_omission");  // "clearly didn't understand backoff"
    return;
  }
  if (verb == "even") {
    add_blame(hits, first, k + 1, "blame_omission");
    return;
  }
  // "didn't do their job", "didn't do her due diligence"
  if (verb == "do" && v.person_owner(k + 1) &&
      (v.any(k + 2, {"job", "jobs", "homework", "part"}) || v.phrase(k + 2, "due diligence"))) {
    add_blame(hits, first, v.is(k + 2, "due") ? k + 3 : k + 2, "blame_omission");
    return;
  }
  // "did not perform the required pre-flight checks", "didn't run the tests"
  if (v.any(k, {"perform", "run", "complete", "execute", "carry", "take", "make", "wait", "use"}) &&
      !v.is(i, "never")) {
    for (std::size_t m = k + 1; m < k + 6 && v.inside(m) && !v.punct(m); ++m) {
      if (v.any(m, {"check",     "checks",   "test",      "tests",      "review",      "backup",
                    "backups",   "canary",   "checklist", "validation", "procedure",   "pre-flight",
                    "preflight", "runbook",  "steps",     "dry-run",    "precautions", "approval",
                    "sign-off",  "decision", "call",      "action",     "ownership"})) {
        add_blame(hits, first, m, "blame_omission");
        return;
      }
    }
  }
  const bool never = v.is(i, "never");
  if ((!is_diligence_verb(verb) &&
       !v.any(k, {"watch", "monitor", "plan", "document", "coordinate", "update", "inform", "warn",
                  "announce", "double-check"})) ||
      verb == "do") {
    return;
  }
  const bool past = is_past_verb(verb) && verb != "read";
  const bool third_s = verb.back() == 's' && verb != "does";
  // "they never read the notice", "devs never test": with never, any form is a lapse or a habit.
  if (never ? (past || third_s || verb == "read" || v.any(i - 1, {"they", "you", "u"}))
            : (!past && !third_s && (!habit || !question))) {
    add_blame(hits, first, k, "blame_omission");
  }
}

// "@chris not following the deploy process", "next time Hannah will actually read the runbook".
void not_doing(const View& v, std::size_t i, Hits& hits) {
  if (v.any(i, {"not", "never"}) && i > v.begin() &&
      (v.at(i - 1).person || pronoun_kind(v.word(i - 1)) == Pronoun::person ||
       is_person_noun(v.word(i - 1))) &&
      v.any(i + 1, {"following", "checking", "testing", "reading", "reviewing", "looking", "asking",
                    "waiting", "listening", "paying", "escalating", "bothering", "communicating",
                    "verifying", "telling"})) {
    add_blame(hits, i - 1, i + 1, "blame_omission");
    return;
  }
  if (v.is(i, "actually") && v.any(i + 1, {"read", "check", "test", "look", "follow", "listen",
                                           "review", "verify", "ask", "pay"})) {
    const std::size_t k = v.skip_back(i, {"will", "would", "might", "could", "should", "can"});
    const Subject s = v.subject_of(k);
    if (s.who == Who::person || s.who == Who::unknown) add_blame(hits, i, i + 1, "blame_omission");
  }
}

// "if John had followed the runbook", "if only emma had looked": hindsight on a person.
// Who did the act a trailing phrase ("without telling…", "instead of following…") qualifies:
// the subject of the nearest past verb before it ("At 17:50 UTC Thiago merged it … without"),
// where the clause's own start is hidden behind a time or an adverb.
Subject actor_before(const View& v, std::size_t i) {
  for (std::size_t k = i; k > v.begin() && i - k < 14;) {
    --k;
    if (v.punct(k) && !v.is(k, ":")) break;
    if (is_past_verb(v.word(k)) && !v.any(k, {"was", "were", "had", "been", "is", "got"})) {
      Subject s = v.subject_of(k);
      if (s.who == Who::unknown && !v.name_like(k - 1)) s.who = Who::none;
      return s;
    }
  }
  return {};
}

void counterfactual(const View& v, std::size_t i, Hits& hits) {
  // Inverted: "avoidable had Yusuf done his job".
  if (v.is(i, "had") &&
      (i == v.begin() || (!v.at(i - 1).person && pronoun_kind(v.word(i - 1)) == Pronoun::none &&
                          !is_person_noun(v.word(i - 1))))) {
    std::size_t np = v.person_np(i + 1);
    // "Had Rosalind not ignored the first page, we would have…"
    if (np == 0 && v.name_like(i + 1)) np = 1;
    const std::size_t k =
        v.skip(i + 1 + np, {"simply", "just", "only", "actually", "even", "not", "never"});
    if (np > 0 && v.at(i + 1).type != Token::Type::punct && is_past_verb(v.word(k)) &&
        !v.any(k, {"been", "had"}) && !v.any(i + 1, {"we", "i", "me", "us"})) {
      add_blame(hits, i, k, "blame_should_have");
    }
    return;
  }
  if (!v.is(i, "if")) return;
  std::size_t j = i + 1;
  for (int n = 0; n < 2 && v.any(j, {"only", "just"}); ++n) ++j;
  std::size_t np = v.person_np(j) > 0                           ? v.person_np(j)
                   : pronoun_kind(v.word(j)) == Pronoun::person ? 1
                                                                : 0;
  // "if Tariq had read the alert": a capitalised unknown word acting like a person.
  if (np == 0 && v.inside(j) && v.at(j).capitalised && !v.at(j).all_caps &&
      !is_system_noun(v.word(j)) && !is_function_word(v.word(j))) {
    np = 1;
  }
  // "if you'd checked the logs", "if he'd read the runbook"
  if (v.any(j, {"you'd", "he'd", "she'd", "they'd", "someone'd"}) && is_past_verb(v.word(j + 1)) &&
      !v.any(j + 1, {"been", "had", "known", "gone"})) {
    add_blame(hits, i, j + 1, "blame_should_have");
    return;
  }
  if (np == 0) return;
  std::size_t k = j + np;
  // "if Marco just follows the checklist", "if they would only read the runbook"
  {
    std::size_t m = v.any(k, {"would", "could", "had"}) ? k + 1 : k;
    if (v.any(m, {"just", "only", "simply", "actually", "bothered"})) {
      m = v.skip(m + 1, {"to", "bothered", "just"});
      if (is_diligence_verb(v.word(m)) && !v.any(m, {"do", "thought", "think", "thinks"})) {
        add_blame(hits, i, m, "blame_should_have");
        return;
      }
    }
  }
  const bool negated = v.any(k, {"hadn't", "hadnt"}) || (v.is(k, "had") && v.is(k + 1, "not"));
  if (!v.any(k, {"had", "hadn't", "hadnt"})) return;
  k += v.is(k + 1, "not") ? 2 : 1;
  k = v.skip(k, {"just", "only", "actually", "even", "bothered", "to"});
  const std::string_view verb = v.word(k);
  // "if the on-call had been paying attention"
  if (verb == "been" && !negated &&
      v.any(k + 1, {"paying", "careful", "more", "watching", "awake", "checking", "looking",
                    "around", "thorough"})) {
    add_blame(hits, i, k + 1, "blame_should_have");
    return;
  }
  if (!is_past_verb(verb) || verb == "been") return;
  // "if Dana hadn't caught it" is gratitude, not blame.
  if (negated && is_response_verb(verb)) return;
  add_blame(hits, i, k, "blame_should_have");
}

// "why would anyone push on a Friday", "I can't believe he deleted it".
void incredulity(const View& v, std::size_t i, Hits& hits) {
  if (v.is(i, "why") && v.is(i + 1, "would") && v.person_np(i + 2) > 0 && !v.is(i + 2, "me")) {
    add_blame(hits, i, i + 1 + v.person_np(i + 2), "blame_who");
  } else if (const std::size_t n = v.phrase(i, "can't believe") + v.phrase(i, "cant believe") +
                                   v.phrase(i, "cannot believe") + v.phrase(i, "hard to believe");
             n > 0) {
    const std::size_t j = v.is(i + n, "that") ? i + n + 1 : i + n;
    if (v.person_np(j) > 0 || pronoun_kind(v.word(j)) == Pronoun::person || v.phrase(j, "no one")) {
      add_blame(hits, i, j, "blame_sarcasm");
    }
  }
}

void without(const View& v, std::size_t i, Hits& hits) {
  // "was gaming instead of watching the pager"
  if (v.phrase(i, "instead of") &&
      v.any(i + 2, {"watching", "checking", "monitoring", "following", "testing", "reading",
                    "reviewing", "listening", "answering", "responding", "escalating", "paying",
                    "working", "helping", "fixing"})) {
    const Subject s = v.clause_subject(i);
    if (s.who == Who::person) add_blame(hits, i, i + 2, "blame_omission");
    return;
  }
  // "we cut over in peak traffic instead of the agreed window", "rolled it out everywhere at
  // once rather than one region first": a practice the team had, skipped. Said of us too, like
  // a skipped review: the suggestion asks what let it happen.
  if (const bool instead =
          v.phrase(i, "instead of") > 0 && v.any(i + 2 + (v.is(i + 2, "the") ? 1 : 0),
                                                 {"agreed", "planned", "usual", "documented",
                                                  "approved", "scheduled", "normal", "standard"});
      instead ||
      (v.phrase(i, "instead of") > 0 &&
       v.any(i + 2, {"following", "using", "going", "waiting", "doing"}) &&
       v.near(i + 3, 8,
              {"rollout", "checklist", "process", "review", "agreed", "runbook", "staged", "phased",
               "canary", "window", "pull", "pr", "ticket"})) ||
      (v.phrase(i, "rather than") > 0 && v.near(i + 2, 5, {"first"})) ||
      // "ran the rollout four hours early, outside the window agreed in the change ticket"
      (v.phrase(i, "outside the") > 0 &&
       v.any(i + 2, {"window", "agreed", "approved", "change", "maintenance"}) &&
       v.near(i + 2, 5, {"agreed", "approved", "window", "freeze"}))) {
    const Subject s = v.clause_subject(i);
    // "Declan ran the rollout four hours early, outside the window": the sentence's first act.
    bool named = false;
    for (std::size_t k = v.begin(); k < i; ++k) {
      if (is_past_verb(v.word(k))) {
        const Subject first = v.subject_of(k);
        named = first.who == Who::person ||
                (first.who == Who::unknown && k > v.begin() && v.name_like(k - 1));
        break;
      }
    }
    if (s.personal() || actor_before(v, i).personal() || named) {
      add_blame(hits, i, i + 1, "blame_omission");
    }
    return;
  }
  if (!v.is(i, "without")) return;
  std::size_t last = i + 1;
  if (v.is(i + 1, "even")) ++last;  // "without even looking"
  // "without anyone checking the TTL settings"
  if (v.any(last, {"anyone", "anybody", "someone", "somebody"}) &&
      v.any(last + 1, {"checking", "reviewing", "testing", "looking", "verifying", "noticing"})) {
    ++last;
  }
  // "without the second reviewer our process asks for", "without the two-person check"
  const bool required = v.is(last, "the") && v.any(last + 1, {"second", "two-person", "required",
                                                              "usual", "agreed", "mandatory"});
  if (v.any(last, {"a", "any"}) || required) {
    if (!v.any(last + 1, {"review",     "second",   "test",     "tests",   "reviewer",  "check",
                          "backup",     "canary",   "approval", "plan",    "rollback",  "lock",
                          "ticket",     "dry-run",  "heads-up", "warning", "runbook",   "load",
                          "two-person", "required", "usual",    "agreed",  "mandatory", "peer"})) {
      return;
    }
    ++last;
    // Safeguards other than a review or a test are named as missing in neutral prose too
    // ("without a canary, the bad build went everywhere"): only a person doing it counts.
    if (!v.any(last, {"review", "second", "test", "tests", "reviewer", "check", "load",
                      "two-person", "required", "usual", "agreed", "mandatory", "peer"})) {
      const Subject s = v.clause_subject(i);
      if (s.personal() || (s.who == Who::unknown && v.at(v.begin()).capitalised)) {
        add_blame(hits, i, last, "blame_omission");
      }
      return;
    }
  } else if (!v.any(last,
                    {"checking",   "testing",    "reviewing",  "asking",        "reading",
                     "looking",    "telling",    "review",     "approval",      "double-checking",
                     "verifying",  "thinking",   "bothering",  "waiting",       "warning",
                     "looping",    "informing",  "consulting", "notifying",     "coordinating",
                     "announcing", "validating", "confirming", "understanding", "knowing",
                     "running"})) {
    return;
  }
  const Subject s = v.clause_subject(i);
  // "Gabe yanked the flag without checking": a capitalised unknown word opening the clause.
  const bool named = s.who == Who::unknown && v.at(v.begin()).capitalised &&
                     !v.at(v.begin()).all_caps && !is_system_noun(v.word(v.begin()));
  const Subject actor = actor_before(v, i);
  if (s.personal() || s.who == Who::none || named || actor.personal() ||
      (actor.who == Who::unknown)) {
    add_blame(hits, i, last, "blame_omission");
  }
}

}  // namespace

void agency_rules(const View& v, std::size_t i, std::vector<Hit>& hits) {
  should_have(v, i, hits);
  forgot(v, i, hits);
  failed_to(v, i, hits);
  omission(v, i, hits);
  counterfactual(v, i, hits);
  not_doing(v, i, hits);
  incredulity(v, i, hits);
  without(v, i, hits);
  causation_rules(v, i, hits);
}

}  // namespace incident::blameless_detail
