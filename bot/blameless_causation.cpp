// Blame rules about causes and tone: "because Bob pushed…", "Dana's change broke it", "Ben is
// the reason", "that's on him"-style responsibility, and sarcasm ("great job, Bob, another
// outage"). A person as the cause is blame; a change, a release or a config as the cause is the
// wording we want.
#include <string_view>

#include "bot/blameless_rules.h"

namespace incident::blameless_detail {

namespace {

using Hits = std::vector<Hit>;

void add(Hits& hits, std::size_t first, std::size_t last, std::string_view rule) {
  hits.push_back({FindingKind::blame, first, last, rule});
}

bool third_person(const Subject& s) {
  return s.who == Who::person;
}

void causation(const View& v, std::size_t i, Hits& hits) {
  std::size_t j = 0;  // first token after the connector
  bool needs_verb = false;
  if (v.any(i, {"because", "cause", "'cause", "cuz", "coz", "bc", "since"})) {
    if (v.is(i + 1, "of")) {
      j = i + 2;
    } else {
      j = i + 1;
      needs_verb = true;
    }
  } else if (v.phrase(i, "due to") || v.phrase(i, "caused by") || v.phrase(i, "courtesy of") ||
             v.phrase(i, "introduced by") || v.phrase(i, "triggered by") ||
             v.phrase(i, "result of") || v.phrase(i, "owing to")) {
    j = i + 2;
  } else if (v.any(i, {"mess", "outage", "incident", "screwup", "disaster", "fiasco", "breakage",
                       "outages", "incidents"}) &&
             v.any(i + 1, {"from", "by"}) && v.person_np(i + 2) > 0) {
    add(hits, i, i + 1 + v.person_np(i + 2), "blame_causation");  // "another mess from ops"
    return;
  } else if (v.phrase(i, "thanks to") && !v.before(i, 1, {"no"})) {
    // Gratitude ("thanks to Dana, we recovered fast") unless the sentence is about damage.
    if (!v.near(i, 12,
                {"broke", "broken", "breaking", "down", "outage", "again", "another", "lost",
                 "paged", "3am", "mess"}) ||
        v.near(i, 12, {"recovered", "quick", "quickly", "fast", "fixed", "saved", "rollback"})) {
      return;
    }
    j = i + 2;
  } else {
    return;
  }
  if (v.person_owner(j)) {
    if (needs_verb) return;  // "because his pager was silenced" describes, not accuses
    if (v.any(j + 1, {"quick", "fast", "quick-thinking", "help", "hard", "great", "good", "careful",
                      "thorough", "heads-up", "fix", "rollback", "work", "effort"})) {
      return;
    }
    add(hits, i, j + 1, "blame_causation");
    return;
  }
  std::size_t np = v.person_np(j);
  if (np == 0 && needs_verb && pronoun_kind(v.word(j)) == Pronoun::person) np = 1;
  // "because Kowalski didn't run the tests": an unknown capitalised word acting like a person.
  const Token& t = v.at(v.inside(j) ? j : i);
  if (np == 0 && needs_verb && v.inside(j) && t.capitalised && !t.all_caps &&
      !is_system_noun(t.norm) && !is_function_word(t.norm) &&
      (is_negation(v.word(j + 1)) || v.is(j + 1, "forgot"))) {
    np = 1;
  }
  if (np == 0 || v.any(j, {"me", "us", "i", "we"})) return;
  const std::size_t after = j + np;
  if (!needs_verb) {
    add(hits, i, after - 1, "blame_causation");
    return;
  }
  const std::size_t k =
      v.skip(after, {"just", "accidentally", "apparently", "probably", "already", "then"});
  const std::string_view verb = v.word(k);
  if (is_negation(verb) || verb == "forgot" || (is_past_verb(verb) && !is_response_verb(verb))) {
    add(hits, i, k, "blame_causation");
  }
}

// "Bob broke prod", "I took down the db", "Dana's change caused it".
void person_broke(const View& v, std::size_t i, Hits& hits) {
  std::size_t last = i;
  if (v.any(i, {"took", "brought", "taken", "knocked"})) {
    // "took down prod", "took the whole site down", "knocked over the db"; not "took over comms".
    const bool knocked = v.is(i, "knocked");
    std::size_t k = i + 1;
    while (k < i + 6 && v.inside(k) && !v.punct(k) && !is_clause_word(v.word(k)) &&
           !v.is(k, "down") && !(knocked && v.any(k, {"out", "over"}))) {
      ++k;
    }
    if (!v.is(k, "down") && !(knocked && v.any(k, {"out", "over"}))) return;
    last = k;
  } else if (v.is(i, "made") && v.any(i + 1, {"it", "things", "everything", "this"}) &&
             v.is(i + 2, "worse")) {
    last = i + 2;  // "Priya's runbook edits made it worse"
  } else if (v.is(i, "broken")) {
    if (!v.before(i, 2, {"has", "have", "'ve", "had"})) return;
  } else if (v.is(i, "breaking")) {
    if (v.any(i + 1, {"change", "changes", "news"})) return;
  } else if (v.is(i, "introduced")) {
    // "Dana's PR introduced the regression"; "I introduced a new alert" is no damage.
    if (!v.near(i + 2, 2,
                {"regression", "bug", "bugs", "outage", "issue", "error", "errors", "leak",
                 "deadlock", "problem"})) {
      return;
    }
  } else if (!v.any(i, {"broke", "breaks", "caused", "causes", "borked", "nuked", "hosed",
                        "trashed", "wrecked", "corrupted", "tanked"})) {
    return;
  }
  if (v.is(i, "caused") && v.is(i + 1, "by")) return;  // passive: see causation()
  if (v.before(i, 1, {"was", "were", "is", "got", "be", "been"}) && !v.is(i, "breaking")) return;
  if (v.any(i - 1, {"that", "which"})) {
    // "our new hire pushed a config that nuked the cache": who pushed it?
    for (std::size_t k = i - 1; k > v.begin() && i - k < 6;) {
      --k;
      if (v.any(k, {"pushed", "deployed", "merged", "ran", "shipped", "applied", "wrote", "made",
                    "committed", "released", "introduced"})) {
        if (v.subject_of(k).personal()) add(hits, k, last, "blame_causation");
        return;
      }
    }
    return;
  }
  const Subject s = v.subject_of(i);
  const bool chat_start = s.who == Who::none && (i == v.begin() || v.at(i).sentence_start);
  if (s.personal() || s.owned || chat_start) add(hits, i, last, "blame_causation");
}

// "the guy on call just sat on the page for 30 min"
void sat_on(const View& v, std::size_t i, Hits& hits) {
  const bool sat = v.any(i, {"sat", "sitting", "sits"}) && v.is(i + 1, "on");
  const bool slept = v.any(i, {"slept", "sleeping", "sleeps"}) && v.is(i + 1, "through");
  if ((sat || slept) &&
      v.any(i + 3, {"page", "alert", "alerts", "ticket", "pr", "issue", "escalation", "review",
                    "pages", "alarm", "alarms", "incident"}) &&
      v.subject_of(i).who == Who::person) {
    add(hits, i, i + 3, "blame_omission");  // "the on-call guy slept through the pages"
  }
}

void again(const View& v, std::size_t i, Hits& hits) {
  const std::size_t n = v.phrase(i, "did it again") + v.phrase(i, "strikes again") +
                        v.phrase(i, "at it again") + v.phrase(i, "struck again");
  if (n > 0 && v.subject_of(i).who == Who::person) {
    add(hits, i, i + n - 1, "blame_causation");
    return;
  }
  // "of course it was Greg (again)": a name as the explanation.
  std::size_t k = 0;
  if (v.phrase(i, "it was")) k = i + 2;
  if (v.any(i, {"it's", "its"})) k = i + 1;
  if (k == 0 || !v.inside(k) || !v.at(k).person) return;
  const std::size_t last = k + v.at(k).person_span - 1;
  if (v.is(last + 1, "again") || v.before(i, 2, {"course", "obviously", "naturally", "typical"})) {
    add(hits, i, v.is(last + 1, "again") ? last + 1 : last, "blame_causation");
  }
}

// "Ben is the reason checkout was down", "the root cause is @dana".
void person_as_cause(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"reason", "cause", "culprit", "problem"}) ||
      (!v.is(i - 1, "the") && !v.is(i - 1, "root"))) {
    return;
  }
  std::size_t k = v.is(i - 1, "root") ? i - 2 : i - 1;  // at "the"
  if (v.any(k - 1, {"is", "was", "'s"}) && k >= v.begin() + 2 && v.at(k - 2).person) {
    add(hits, k - 2, i, "blame_causation");
    return;
  }
  std::size_t j = i + 1;
  if (v.any(j, {"is", "was", ":"})) ++j;
  if (v.inside(j) && v.at(j).person && !v.at(j).possessive) add(hits, i, j, "blame_causation");
}

void wrong_action(const View& v, std::size_t i, Hits& hits) {
  const bool ongoing = v.any(i, {"pushing", "deploying", "merging", "shipping", "running",
                                 "applying", "committing", "releasing"});
  if (!ongoing &&
      !v.any(i, {"pushed",    "deployed",   "merged", "shipped",    "applied",  "ran",
                 "committed", "released",   "rolled", "restarted",  "deleted",  "dropped",
                 "edited",    "changed",    "typed",  "used",       "picked",   "selected",
                 "approved",  "configured", "set",    "copied",     "pasted",   "updated",
                 "upgraded",  "modified",   "killed", "terminated", "rebooted", "targeted",
                 "touched",   "wrote"})) {
    return;
  }
  // "ran rm -rf on the wrong directory", "deployed the wrong branch"
  std::size_t j = i + 1;
  while (j < i + 7 && v.inside(j) && !is_clause_word(v.word(j)) &&
         !v.any(j, {"wrong", "bad", "broken", "buggy", "untested", "faulty", "unreviewed",
                    "incorrect"})) {
    ++j;
  }
  if (!v.any(j, {"wrong", "bad", "broken", "buggy", "untested", "faulty", "unreviewed",
                 "incorrect"})) {
    return;
  }
  const Subject s = v.subject_of(i);
  const bool chat_start = s.who == Who::none && v.at(i).sentence_start;
  // "you need to stop pushing untested code": a habit someone is told to stop.
  const bool habit = ongoing && (v.before(i, 2, {"stop", "keep", "keeps", "kept", "quit"}) ||
                                 v.clause_subject(i).personal());
  if (s.personal() || chat_start || habit) add(hits, i, j, "blame_wrong_action");
}

void responsible(const View& v, std::size_t i, Hits& hits) {
  if (v.phrase(i, "responsibility for") &&
      v.near(i, 5, {"this", "mess", "outage", "incident", "breakage"}) &&
      v.any(i - 1, {"take", "takes", "took", "own", "accept"}) &&
      v.subject_of(i - 1).who == Who::person) {
    add(hits, i, i + 1, "blame_causation");  // "Heidi should take responsibility for this mess"
    return;
  }
  if (!v.is(i, "responsible") || !v.is(i + 1, "for")) return;
  if (!v.near(i, 4, {"this", "that", "outage", "incident", "mess", "breaking", "downtime"})) return;
  if (!v.before(i, 3, {"is", "was", "are", "were", "'s", "he's", "she's", "you're", "they're"})) {
    return;
  }
  if (third_person(v.subject_of(i)) || v.before(i, 3, {"he's", "she's", "you're", "they're"})) {
    add(hits, i, i + 1, "blame_causation");
  }
}

void how_could(const View& v, std::size_t i, Hits& hits) {
  // "what was Lisa thinking", "we should stop letting Chris deploy"
  if (v.is(i, "what") && v.any(i + 1, {"was", "were", "is", "are"}) && v.person_np(i + 2) > 0 &&
      v.is(i + 2 + v.person_np(i + 2), "thinking")) {
    add(hits, i, i + 2 + v.person_np(i + 2), "blame_who");
    return;
  }
  if (v.is(i, "letting") && v.before(i, 2, {"stop", "quit", "stopped"}) && v.person_np(i + 1) > 0 &&
      !v.any(i + 1, {"me", "us", "everyone", "everybody"})) {
    add(hits, i, i + v.person_np(i + 1), "blame_on_person");
    return;
  }
  // "how did the reviewer not see this?"
  if (v.any(i, {"how", "why"}) && v.any(i + 1, {"did", "could", "does"})) {
    const std::size_t np = v.person_np(i + 2);
    if (np > 0 && !v.any(i + 2, {"we", "i"}) && v.any(i + 2 + np, {"not", "never"})) {
      add(hits, i, i + 2 + np, "blame_who");
      return;
    }
  }
  if (v.is(i, "why") && v.any(i + 1, {"did", "does", "has"}) &&
      (v.any(i + 2, {"nobody", "noone"}) || v.phrase(i + 2, "no one"))) {
    add(hits, i, v.is(i + 2, "no") ? i + 3 : i + 2, "blame_who");
    return;
  }
  if (!v.is(i, "how")) return;
  if (v.any(i + 1, {"could", "can"}) &&
      (v.person_ref(i + 2) || v.any(i + 2, {"he", "she", "they", "anyone"}))) {
    add(hits, i, i + 2, "blame_who");
  } else if (v.any(i + 1, {"did", "does", "could", "has"}) &&
             (v.any(i + 2, {"nobody", "noone"}) || v.phrase(i + 2, "no one"))) {
    add(hits, i, v.is(i + 2, "no") ? i + 3 : i + 2, "blame_who");
  } else if (v.phrase(i + 1, "hard is it")) {
    add(hits, i, i + 3, "blame_sarcasm");
  }
}

// "Typical Dave", "classic @bob": a person's name as the explanation.
void typical(const View& v, std::size_t i, Hits& hits) {
  if (v.any(i, {"typical", "classic"}) && v.person_np(i + 1) > 0 && !v.any(i + 1, {"me", "us"})) {
    add(hits, i, i + v.person_np(i + 1), "blame_sarcasm");
  } else if (v.phrase(i, "proud of") &&
             v.any(i + 2, {"himself", "herself", "themselves", "yourself", "yourselves"})) {
    add(hits, i, i + 2, "blame_sarcasm");  // "hope Greg is proud of himself"
  } else if (v.phrase(i, "way to") &&
             v.any(i + 2, {"break", "crash", "nuke", "ruin", "wreck", "kill", "take", "tank",
                           "destroy", "screw", "mess", "brick"})) {
    add(hits, i, i + 2, "blame_sarcasm");  // "way to break everything, Carlos"
  } else if (v.phrase(i, "how many times") &&
             v.near(i, 8, {"tell", "remind", "ask", "say", "explain"})) {
    add(hits, i, i + 2, "blame_sarcasm");
  } else if (v.person_owner(i) && v.is(i + 1, "doing") && v.punct(i + 2)) {
    add(hits, i, i + 1, "blame_causation");  // "this is Eve's doing"
  } else if (v.any(i, {"genius", "geniuses", "einstein", "rocket"}) &&
             v.any(i - 1, {"some", "real", "absolute", "our", "resident", "a"}) &&
             !v.any(i + 1, {"move", "idea"})) {
    add(hits, i - 1, i, "blame_sarcasm");  // "some genius deployed on a Friday night"
  }
}

// "that's what happens when interns get prod access": a person as the explanation.
void what_happens(const View& v, std::size_t i, Hits& hits) {
  if (!v.phrase(i, "what happens when") && !v.phrase(i, "what you get when") &&
      !v.phrase(i, "what we get for") && !v.phrase(i, "what you get for")) {
    return;
  }
  // "…when interns get prod access", "…for letting Judy near prod"
  for (std::size_t j = i + 3; j < i + 6 && v.inside(j); ++j) {
    if (v.person_np(j) > 0 && !v.any(j, {"me", "us"})) {
      add(hits, i, j, "blame_sarcasm");
      return;
    }
  }
}

// "great job, Bob, another outage", "thanks a lot Dana for breaking prod".
void sarcasm(const View& v, std::size_t i, Hits& hits) {
  static constexpr std::string_view openers[] = {"great job",
                                                 "good job",
                                                 "nice job",
                                                 "great work",
                                                 "nice work",
                                                 "good work",
                                                 "well done",
                                                 "nice one",
                                                 "nice going",
                                                 "way to go",
                                                 "good going",
                                                 "smooth move",
                                                 "nice move",
                                                 "genius move",
                                                 "real smart",
                                                 "slow clap",
                                                 "thanks a lot",
                                                 "thanks a bunch",
                                                 "thanks a ton",
                                                 "thanks so much",
                                                 "thanks again",
                                                 "thank you so much",
                                                 "bravo",
                                                 "kudos",
                                                 "congrats",
                                                 "congratulations",
                                                 "brilliant",
                                                 "thanks",
                                                 "thank you",
                                                 "thx",
                                                 "ty"};
  std::size_t n = 0;
  for (std::string_view o : openers) {
    if ((n = v.phrase(i, o)) > 0) break;
  }
  if (n == 0) return;
  if (v.phrase(i + n, "for nothing")) {
    add(hits, i, i + n + 1, "blame_sarcasm");
    return;
  }
  // "thanks (Bob) for breaking prod"
  for (std::size_t k = i + n; k < i + n + 5 && v.inside(k); ++k) {
    if (v.is(k, "for")) {
      if (v.any(k + 1, {"breaking", "nuking", "taking", "killing", "deleting", "dropping", "wiping",
                        "crashing", "ruining", "waking", "bricking", "borking"})) {
        add(hits, i, k + 1, "blame_sarcasm");
      }
      return;
    }
  }
  if (v.any(i, {"thanks", "thank", "thx", "ty"}) && n <= 2) return;  // plain thanks
  std::size_t person = 0;
  for (std::size_t k = i + n; k < i + n + 4 && v.inside(k); ++k) {
    if (v.person_ref(k) || v.any(k, {"everyone", "team", "guys", "folks", "all"})) person = k;
  }
  if (person == 0) return;
  // Praise names what went right; sarcasm names the damage ("another outage", "the db is gone").
  const bool strong = v.near_next_sentence(
      i, 15,
      {"another", "again", "broke", "breaking", "broken", "nuked", "wiped", "ruined", "wrecked",
       "3am", "weekend", "woke", "second", "third", "fourth", "fifth", "nth", "toast", "hosed"});
  const bool weak = v.near_next_sentence(i, 15,
                                         {"down", "gone", "dead", "lost", "deleted", "dropped",
                                          "outage", "crashed", "crash", "took", "taking"});
  const bool praise = v.near_next_sentence(
      i, 15,
      {"fixed", "fix", "back", "resolved", "restored", "recovered", "mitigated", "up", "quick",
       "fast", "catch", "caught", "rollback", "revert", "reverted", "saved", "found"});
  const bool damage = strong || (weak && !praise);
  if (damage) add(hits, i, person, "blame_sarcasm");
}
}  // namespace

void causation_rules(const View& v, std::size_t i, std::vector<Hit>& hits) {
  causation(v, i, hits);
  person_broke(v, i, hits);
  again(v, i, hits);
  sat_on(v, i, hits);
  wrong_action(v, i, hits);
  person_as_cause(v, i, hits);
  responsible(v, i, hits);
  how_could(v, i, hits);
  sarcasm(v, i, hits);
  typical(v, i, hits);
  what_happens(v, i, hits);
}

}  // namespace incident::blameless_detail
