// Blame rules about causes and tone: "because Bob pushed…", "Dana's change broke it", "Ben is
// the reason", "that's on him"-style responsibility, and sarcasm ("great job, Bob, another
// outage"). A person as the cause is blame; a change, a release or a config as the cause is the
// wording we want.
#include <string_view>

#include "bot/blameless/rules.h"

namespace incident::blameless_detail {

namespace {

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
    // "Deployment was triggered by Priya at 09:00 as part of the normal weekly release": a
    // routine act, named as such.
    if (v.near(i, 16,
               {"normal", "routine", "scheduled", "planned", "usual", "regular", "weekly", "daily",
                "nightly"}) &&
        !v.near(i, 16, {"wrong", "mistake", "accidentally", "without"})) {
      return;
    }
  } else if (const std::size_t n = v.phrase(i, "traces back to") + v.phrase(i, "traced back to") +
                                   v.phrase(i, "comes down to") + v.phrase(i, "came down to") +
                                   v.phrase(i, "boils down to") + v.phrase(i, "goes back to") +
                                   v.phrase(i, "went back to") + v.phrase(i, "stems from") +
                                   v.phrase(i, "stemmed from") + v.phrase(i, "blame lies with") +
                                   v.phrase(i, "lies with");
             n > 0) {
    // "the outage traces back to Sunil skipping the soak", "it all comes down to ops"
    j = i + n;
  } else if ((v.any(i, {"mess", "outage", "incident", "screwup", "disaster", "fiasco", "breakage",
                        "outages", "incidents", "masterpiece", "gem", "beauty", "classic"}) ||
              (v.before(i, 3, {"another"}) && !v.punct(i) &&
               !v.any(i, {"fix", "save", "catch", "win", "improvement", "contribution", "update",
                          "writeup", "write-up", "summary", "idea", "question", "one"}))) &&
             v.any(i + 1, {"from", "by"}) && v.person_np(i + 2) > 0 &&
             !v.any(i + 2, {"me", "us"})) {
    add_blame(hits, i, i + 1 + v.person_np(i + 2), "blame_causation");  // "another mess from ops"
    return;
  } else if (v.phrase(i, "thanks to") && !v.before(i, 1, {"no"})) {
    // "Thanks to Kalani for writing the script that replayed the lost events": gratitude for a
    // deed, unless the deed is the damage ("thanks to Bob for breaking prod").
    if (const std::size_t np = v.person_np(i + 2);
        np > 0 && v.is(i + 2 + np, "for") &&
        !v.any(i + 3 + np,
               {"breaking", "nuking",   "taking",    "killing",    "deleting", "dropping",
                "wiping",   "crashing", "ruining",   "bricking",   "borking",  "tanking",
                "wrecking", "trashing", "hosing",    "corrupting", "knocking", "nothing",
                "pushing",  "merging",  "deploying", "forgetting", "ignoring"})) {
      return;
    }
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
    // "due to their release process": "their" is as often a team, a project or a vendor, and
    // their process is no blame; their act is ("due to their mistake", "their push").
    if (v.any(j, {"their", "its"}) &&
        !v.any(j + 1, {"mistake", "mistakes", "error", "errors", "negligence", "carelessness",
                       "change", "push", "commit", "deploy", "oversight", "screwup", "laziness",
                       "incompetence", "fault", "typo", "sloppiness", "failure"})) {
      return;
    }
    if (v.any(j + 1, {"quick", "fast", "quick-thinking", "help", "hard", "great", "good", "careful",
                      "thorough", "heads-up", "fix", "rollback", "work", "effort"})) {
      return;
    }
    add_blame(hits, i, j + 1, "blame_causation");
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
    add_blame(hits, i, after - 1, "blame_causation");
    return;
  }
  const std::size_t k =
      v.skip(after, {"just", "accidentally", "apparently", "probably", "already", "then"});
  const std::string_view verb = v.word(k);
  // "because they went to an unmonitored mailbox": "they" are as often warnings, pages or
  // vendors, and going, arriving, being are no act of a colleague.
  if (v.any(j, {"they", "them"}) &&
      v.any(k, {"went", "came", "arrived", "landed", "ended", "fell", "sat", "stayed", "were",
                "had", "got", "looked", "seemed", "showed", "hit", "reached", "expired"})) {
    return;
  }
  if (is_negation(verb) || verb == "forgot" || (is_past_verb(verb) && !is_response_verb(verb))) {
    add_blame(hits, i, k, "blame_causation");
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
        if (v.subject_of(k).personal()) add_blame(hits, k, last, "blame_causation");
        return;
      }
      // "A customer misconfigured their webhook, which caused…": "their" is as often a customer
      // or a vendor as a colleague.
      if (v.person_owner(k) && !v.any(k, {"my", "our", "their", "its"})) {
        // "it was Maria's commit that took the site down"
        add_blame(hits, k, last, "blame_causation");
        return;
      }
    }
    return;
  }
  const Subject s = v.subject_of(i);
  const bool chat_start = s.who == Who::none && (i == v.begin() || v.at(i).sentence_start);
  if (s.personal() || s.owned || chat_start) add_blame(hits, i, last, "blame_causation");
}

// "the guy on call just sat on the page for 30 min"
void sat_on(const View& v, std::size_t i, Hits& hits) {
  const bool sat = v.any(i, {"sat", "sitting", "sits"}) && v.is(i + 1, "on");
  const bool slept = v.any(i, {"slept", "sleeping", "sleeps"}) && v.is(i + 1, "through");
  auto thing = [&](std::size_t k) {
    return v.any(
        k, {"page", "alert", "alerts", "ticket", "pr", "issue", "escalation", "review", "pages",
            "alarm", "alarms", "incident", "warning", "warnings", "report", "finding", "findings"});
  };
  // "sat on the scanner's warning"
  if ((sat || slept) && (thing(i + 3) || (v.at(i + 3).possessive && thing(i + 4))) &&
      v.subject_of(i).who == Who::person) {
    add_blame(hits, i, i + 3, "blame_omission");  // "the on-call guy slept through the pages"
  }
}

void again(const View& v, std::size_t i, Hits& hits) {
  const std::size_t n = v.phrase(i, "did it again") + v.phrase(i, "strikes again") +
                        v.phrase(i, "at it again") + v.phrase(i, "struck again");
  if (n > 0 && v.subject_of(i).who == Who::person) {
    add_blame(hits, i, i + n - 1, "blame_causation");
    return;
  }
  // "of course it was Greg (again)": a name as the explanation.
  std::size_t k = 0;
  if (v.phrase(i, "it was")) k = i + 2;
  if (v.any(i, {"it's", "its"})) k = i + 1;
  if (k == 0 || !v.inside(k) || !v.at(k).person) return;
  const std::size_t last = k + v.at(k).person_span - 1;
  if (v.is(last + 1, "again") || v.before(i, 2, {"course", "obviously", "naturally", "typical"})) {
    add_blame(hits, i, v.is(last + 1, "again") ? last + 1 : last, "blame_causation");
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
    add_blame(hits, k - 2, i, "blame_causation");
    return;
  }
  std::size_t j = i + 1;
  if (v.any(j, {"is", "was", ":"})) ++j;
  if (v.inside(j) && v.at(j).person && !v.at(j).possessive) {
    add_blame(hits, i, j, "blame_causation");
  }
}

// "…; both terminals looked identical": the sentence already says what made the slip easy.
bool explained(const View& v, std::size_t i) {
  return v.near_next_sentence(i, 20,
                              {"identical", "indistinguishable", "same-looking", "lookalike",
                               "look-alike", "ambiguous", "confusingly"});
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
  // "The vendor confirmed that one of their engineers pushed a faulty config": not a colleague.
  for (std::size_t k = v.begin(); k < i; ++k) {
    if (is_third_party(v.word(k))) return;
  }
  // "you need to stop pushing untested code": a habit someone is told to stop.
  const bool habit = ongoing && (v.before(i, 2, {"stop", "keep", "keeps", "kept", "quit"}) ||
                                 v.clause_subject(i).personal());
  // "I ran the migration against the wrong cluster" is the plain first-person account a
  // blameless review asks for; the same act pinned on someone else is not.
  const bool owned = s.who == Who::first_person;
  if ((s.third_person() || chat_start || habit) && !owned && !explained(v, i)) {
    add_blame(hits, i, j, "blame_wrong_action");
  }
}

void responsible(const View& v, std::size_t i, Hits& hits) {
  if (v.phrase(i, "responsibility for") &&
      v.near(i, 5, {"this", "mess", "outage", "incident", "breakage"}) &&
      v.any(i - 1, {"take", "takes", "took", "own", "accept"}) &&
      v.subject_of(i - 1).who == Who::person) {
    // "Heidi should take responsibility for this mess"
    add_blame(hits, i, i + 1, "blame_causation");
    return;
  }
  if (!v.is(i, "responsible") || !v.is(i + 1, "for")) return;
  if (!v.near(i, 4, {"this", "that", "outage", "incident", "mess", "breaking", "downtime"})) return;
  if (!v.before(i, 3, {"is", "was", "are", "were", "'s", "he's", "she's", "you're", "they're"})) {
    return;
  }
  if (v.subject_of(i).third_person() || v.before(i, 3, {"he's", "she's", "you're", "they're"})) {
    add_blame(hits, i, i + 1, "blame_causation");
  }
}

void how_could(const View& v, std::size_t i, Hits& hits) {
  // "what was Lisa thinking", "we should stop letting Chris deploy"
  if (v.is(i, "what") && v.any(i + 1, {"was", "were", "is", "are"})) {
    std::size_t np = v.person_np(i + 2);
    if (np == 0 && v.any(i + 2, {"he", "she", "they", "you"})) np = 1;
    if (np > 0 && v.is(i + 2 + np, "thinking")) {
      add_blame(hits, i, i + 2 + np, "blame_who");
      return;
    }
  }
  if (v.is(i, "letting") && v.before(i, 2, {"stop", "quit", "stopped"}) && v.person_np(i + 1) > 0 &&
      !v.any(i + 1, {"me", "us", "everyone", "everybody"})) {
    add_blame(hits, i, i + v.person_np(i + 1), "blame_on_person");
    return;
  }
  // "how did the reviewer not see this?"
  if (v.any(i, {"how", "why"}) && v.any(i + 1, {"did", "could", "does", "do", "can", "would"})) {
    const std::size_t np = v.person_np(i + 2);
    if (np > 0 && !v.any(i + 2, {"we", "i"}) && v.any(i + 2 + np, {"not", "never"})) {
      add_blame(hits, i, i + 2 + np, "blame_who");
      return;
    }
  }
  // "did anyone even look at the diff?", "does nobody bother to test?"
  if (v.any(i, {"did", "does", "do", "has", "have"}) &&
      (i == v.begin() || v.punct(i - 1) || v.any(i - 1, {"so", "seriously", "like", "why"}))) {
    std::size_t np = v.person_np(i + 1);
    if (np == 0 && pronoun_kind(v.word(i + 1)) == Pronoun::person) np = 1;
    if (np == 0 && v.phrase(i + 1, "no one") > 0) np = 2;
    const std::size_t k = i + 1 + np;
    if (np > 0 && !v.any(i + 1, {"we", "i", "me", "us"}) &&
        v.any(k, {"even", "bother", "ever", "actually"}) &&
        (v.is(k, "even") || v.is(k, "bother") || v.is(k + 1, "bother") ||
         (v.is(k, "actually") && v.any(k + 1, {"test", "read", "check", "review", "look"})))) {
      add_blame(hits, i, k, "blame_who");
      return;
    }
  }
  if (v.is(i, "why") && v.any(i + 1, {"did", "does", "has"}) &&
      (v.any(i + 2, {"nobody", "noone"}) || v.phrase(i + 2, "no one"))) {
    add_blame(hits, i, v.is(i + 2, "no") ? i + 3 : i + 2, "blame_who");
    return;
  }
  if (!v.is(i, "how")) return;
  if (v.any(i + 1, {"could", "can"}) &&
      (v.person_ref(i + 2) || v.any(i + 2, {"he", "she", "they", "anyone"}))) {
    add_blame(hits, i, i + 2, "blame_who");
  } else if (v.any(i + 1, {"did", "does", "could", "has"}) &&
             (v.any(i + 2, {"nobody", "noone"}) || v.phrase(i + 2, "no one"))) {
    add_blame(hits, i, v.is(i + 2, "no") ? i + 3 : i + 2, "blame_who");
  } else if (v.phrase(i + 1, "hard is it")) {
    add_blame(hits, i, i + 3, "blame_sarcasm");
  }
}

// "Typical Dave", "classic @bob": a person's name as the explanation.
void typical(const View& v, std::size_t i, Hits& hits) {
  const std::size_t of = v.any(i, {"typical", "classic"}) && v.is(i + 1, "of") ? 1 : 0;
  if (v.any(i, {"typical", "classic"}) && v.person_np(i + 1 + of) > 0 &&
      !v.any(i + 1 + of, {"me", "us"})) {
    add_blame(hits, i, i + of + v.person_np(i + 1 + of), "blame_sarcasm");
  } else if (v.phrase(i, "proud of") &&
             v.any(i + 2, {"himself", "herself", "themselves", "yourself", "yourselves"})) {
    add_blame(hits, i, i + 2, "blame_sarcasm");  // "hope Greg is proud of himself"
  } else if (v.phrase(i, "way to") &&
             v.any(i + 2, {"break", "crash", "nuke", "ruin", "wreck", "kill", "take", "tank",
                           "destroy", "screw", "mess", "brick"})) {
    add_blame(hits, i, i + 2, "blame_sarcasm");  // "way to break everything, Carlos"
  } else if (v.phrase(i, "how many times") &&
             v.near(i, 8, {"tell", "remind", "ask", "say", "explain"})) {
    add_blame(hits, i, i + 2, "blame_sarcasm");
  } else if (v.person_owner(i) && v.is(i + 1, "doing") && v.punct(i + 2)) {
    add_blame(hits, i, i + 1, "blame_causation");  // "this is Eve's doing"
  } else if (v.any(i, {"genius", "geniuses", "einstein", "rocket"}) &&
             v.any(i - 1, {"some", "real", "absolute", "our", "resident", "a"}) &&
             !v.any(i + 1, {"move", "idea"})) {
    add_blame(hits, i - 1, i, "blame_sarcasm");  // "some genius deployed on a Friday night"
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
      add_blame(hits, i, j, "blame_sarcasm");
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
                                                 "hats off to",
                                                 "gotta hand it to",
                                                 "have to hand it to",
                                                 "hand it to",
                                                 "props to",
                                                 "shoutout to",
                                                 "shout out to",
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
  const std::string_view w0 = v.word(i);
  for (std::string_view o : openers) {
    if (w0.empty() || o[0] != w0[0]) continue;
    if ((n = v.phrase(i, o)) > 0) break;
  }
  // "superb work by the release team", "stellar effort, ops"
  if (n == 0 &&
      v.any(i, {"superb", "stellar", "amazing", "excellent", "outstanding", "impressive",
                "fantastic", "awesome", "terrific", "wonderful", "fine", "solid", "top-notch",
                "incredible", "splendid", "exceptional"}) &&
      v.any(i + 1, {"job", "work", "effort", "stuff", "move", "call", "thinking", "planning",
                    "testing", "engineering", "teamwork"})) {
    n = 2;
  }
  if (n == 0) return;
  if (v.phrase(i + n, "for nothing")) {
    add_blame(hits, i, i + n + 1, "blame_sarcasm");
    return;
  }
  // "thanks (Bob) for breaking prod"
  for (std::size_t k = i + n; k < i + n + 5 && v.inside(k); ++k) {
    if (v.is(k, "for")) {
      if (v.any(k + 1, {"breaking", "nuking", "taking", "killing", "deleting", "dropping", "wiping",
                        "crashing", "ruining", "waking", "bricking", "borking"})) {
        add_blame(hits, i, k + 1, "blame_sarcasm");
        return;
      }
      // "thanks, Omar, for the 3am wake-up call", "thanks for the outage"
      for (std::size_t m = k + 1; m < k + 5 && v.inside(m) && !v.punct(m); ++m) {
        if (v.any(m, {"3am", "wake-up", "wakeup", "outage", "outages", "downtime", "mess",
                      "headache", "headaches", "pages", "weekend", "fire", "incident",
                      "all-nighter", "2am", "4am", "migraine"})) {
          add_blame(hits, i, m, "blame_sarcasm");
          return;
        }
      }
      return;
    }
  }
  // "great job breaking prod, again", "nice work, Sam, taking down checkout"
  for (std::size_t k = i + n; k < i + n + 4 && v.inside(k); ++k) {
    if (v.any(k, {"breaking", "nuking", "taking", "killing", "deleting", "dropping", "wiping",
                  "crashing", "ruining", "bricking", "borking", "tanking", "wrecking", "trashing",
                  "hosing", "corrupting", "knocking"})) {
      add_blame(hits, i, k, "blame_sarcasm");
      return;
    }
  }
  if (v.any(i, {"thanks", "thank", "thx", "ty"}) && n <= 2) return;  // plain thanks
  std::size_t person = 0;
  for (std::size_t k = i + n; k < i + n + 4 && v.inside(k); ++k) {
    if (v.person_ref(k) || v.any(k, {"everyone", "team", "guys", "folks", "all"}) ||
        (v.person_np(k) > 0 && !v.any(k, {"me", "us"})) ||
        pronoun_kind(v.word(k)) == Pronoun::person) {
      person = k;
    }
  }
  if (person == 0) {
    // No one named, but an opener on its own followed by damage reads the same: "well done,
    // another outage".
    if (i == v.begin() && n >= 2 &&
        v.near_next_sentence(i, 10,
                             {"another", "again", "broke", "broken", "nuked", "wiped", "ruined",
                              "wrecked", "toast", "hosed"}) &&
        !v.near_next_sentence(
            i, 10,
            {"fixed", "fix", "resolved", "restored", "recovered", "mitigated", "quick", "fast",
             "catch", "caught", "rollback", "reverted", "saved", "found"})) {
      add_blame(hits, i, i + n - 1, "blame_sarcasm");
    }
    return;
  }
  // Praise names what went right; sarcasm names the damage ("another outage", "the db is gone").
  const bool strong = v.near_next_sentence(
      i, 15,
      {"another", "again",   "broke",   "breaking", "broken",    "nuked",      "wiped",  "ruined",
       "wrecked", "3am",     "weekend", "woke",     "second",    "third",      "fourth", "fifth",
       "nth",     "toast",   "hosed",   "hammered", "melted",    "overloaded", "ddosed", "flooded",
       "tanked",  "trashed", "managed", "outages",  "incidents", "delete",     "deleted"});
  const bool weak = v.near_next_sentence(i, 15,
                                         {"down", "gone", "dead", "lost", "deleted", "dropped",
                                          "outage", "crashed", "crash", "took", "taking"});
  const bool praise = v.near_next_sentence(
      i, 15,
      {"fixed", "fix", "back", "resolved", "restored", "recovered", "mitigated", "up", "quick",
       "fast", "catch", "caught", "rollback", "revert", "reverted", "saved", "found"});
  // "great job everyone, another clean failover": "another" in praise of a routine that worked.
  const bool routine = v.near_next_sentence(
      i, 15, {"clean", "smooth", "successful", "flawless", "seamless", "textbook", "drill"});
  const bool damage = (strong && !routine) || (weak && !praise);
  if (damage) add_blame(hits, i, person, "blame_sarcasm");
}
// "Ivan let the cert expire", "ops let the disk fill up": a lapse hung on whoever let it.
void let_lapse(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"let", "lets", "letting"})) return;
  for (std::size_t k = i + 1; k < i + 6 && v.inside(k) && !v.punct(k); ++k) {
    const bool lapse =
        v.any(k, {"expire", "lapse", "slip", "rot", "overflow", "die", "drift", "languish"}) ||
        (v.any(k, {"fill", "pile", "back", "stack"}) && v.is(k + 1, "up")) ||
        (v.any(k, {"run", "time"}) && v.is(k + 1, "out")) ||
        (v.is(k, "go") &&
         v.any(k + 1, {"stale", "unnoticed", "unanswered", "unpatched", "unmonitored", "unchecked",
                       "unreviewed", "untested", "red", "down"}));
    if (!lapse) continue;
    // "we let the cache expire by design": a choice, not a lapse.
    if (v.near(k, 12,
               {"design", "purpose", "intentionally", "deliberately", "intended", "expected",
                "planned", "configured", "policy", "naturally"})) {
      return;
    }
    const Subject s = v.subject_of(i);
    const bool named_start = s.who == Who::unknown && i > v.begin() && v.at(i - 1).capitalised;
    if (s.personal() || named_start || (s.who == Who::none && v.at(i).sentence_start)) {
      add_blame(hits, i, k, "blame_failed_to");
    }
    return;
  }
}

// What a person did, judged by the verb or its object: "the intern deleted the production
// database", "Kyle bypassed the review", "she rushed the deploy", "they merged it anyway", "the
// backend team shipped garbage", "the SRE team owns this failure".
void person_bad_action(const View& v, std::size_t i, Hits& hits) {
  std::size_t last = 0;
  const bool destroyed = v.any(i, {"deleted", "dropped", "wiped", "truncated", "overwrote",
                                   "clobbered", "corrupted", "killed", "erased", "purged"});
  if (destroyed) {
    // Only damage to what mattered: "deleted the stale DNS record" is a step in a timeline.
    // Told as why it went wrong, any damage counts: "took an hour because the new hire had
    // deleted the previous image tag".
    bool vital = v.before(i, 8, {"because"});
    if (vital) last = i;
    for (std::size_t k = i + 1; k < i + 6 && v.inside(k) && !v.punct(k); ++k) {
      if (is_clause_word(v.word(k)) ||
          v.any(k, {"old", "stale", "unused", "orphaned", "temporary", "tmp", "temp", "extra",
                    "duplicate", "duplicated", "leftover", "expired", "obsolete", "dangling",
                    "stuck", "broken", "bad", "test"})) {
        break;
      }
      if (v.any(k, {"prod", "production", "live", "customer", "customers", "entire", "whole",
                    "primary", "master", "reviewed", "restored"})) {
        vital = true;
      }
      if (vital && v.any(k, {"database",   "databases", "db",       "dbs",     "table",
                             "tables",     "bucket",    "data",     "cluster", "index",
                             "backups",    "backup",    "volume",   "volumes", "site",
                             "everything", "namespace", "keyspace", "schema",  "records",
                             "accounts",   "branch",    "topic",    "commits", "rows"})) {
        last = k;
        break;
      }
    }
  } else if (v.any(i, {"bypassed", "circumvented", "overrode", "overrides", "bypasses",
                       "sidestepped", "overridden", "bypassing", "circumventing", "skipped",
                       "ignored", "disregarded"})) {
    // Safeguards only: "bypassed the review"; "bypassed the cache to restore service" is a fix.
    for (std::size_t k = i + 1; k < i + 5 && v.inside(k) && !v.punct(k); ++k) {
      if (v.any(k,
                {"review",     "reviews",   "approval",   "approvals", "process",   "safeguard",
                 "safeguards", "guardrail", "guardrails", "gate",      "gates",     "freeze",
                 "policy",     "ci",        "tests",      "canary",    "checklist", "protections",
                 "protection", "warning",   "warnings",   "runbook",   "procedure", "sign-off",
                 "signoff",    "checks",    "check"})) {
        last = k;
        break;
      }
    }
  } else if (v.any(i, {"disabling", "turning", "switching", "muting", "silencing"}) &&
             v.is(i - 1, "by") && v.near(i, 12, {"green"})) {
    // "really nailed it by disabling the health checks so the dashboard would go green"
    for (std::size_t k = v.begin(); k < i; ++k) {
      if (v.at(k).person || v.name_like(k)) {
        add_blame(hits, i - 1, i, "blame_sarcasm");
        return;
      }
    }
  } else if (v.any(i, {"disabled", "turned", "switched", "commented", "muted", "silenced"})) {
    // "turned off the smoke test to get her build green, and it stayed off": a safeguard put out
    // of the way to pass, told as the cause.
    for (std::size_t k = i + 1; k < v.end() && k < i + 16; ++k) {
      if ((v.any(k, {"get", "make", "getting", "making"}) && v.near(k, 5, {"green", "pass"})) ||
          v.phrase(k, "stayed off") > 0 || v.phrase(k, "stayed disabled") > 0) {
        last = k;
        break;
      }
    }
  } else if (v.is(i, "rushed") &&
             !v.any(i + 1, {"to", "in", "into", "back", "over", "out", "off"})) {
    last = i;
  } else if (v.any(i, {"winged", "yolo'd", "yoloed", "half-assed", "cowboyed"})) {
    last = i;  // "Ken just winged the failover"
  } else if (v.any(i, {"merged", "pushed", "deployed", "shipped", "applied", "ran", "released",
                       "went", "did", "proceeded", "continued", "committed"})) {
    const std::size_t k =
        v.skip(i + 1, {"it", "this", "that", "ahead", "out", "through", "the", "change", "fix"});
    if (v.any(k, {"anyway", "anyways", "regardless"})) last = k;  // "merged it anyway"
  } else if (v.any(i, {"shipped", "pushed", "wrote", "deployed", "merged", "delivered", "built",
                       "released", "committed", "produced"})) {
    last = 0;
  }
  if (last == 0 && v.any(i, {"shipped", "pushed", "wrote", "deployed", "merged", "delivered",
                             "built", "released", "committed", "produced", "writes", "ships"})) {
    const std::size_t k =
        v.skip(i + 1, {"out", "some", "total", "absolute", "complete", "pure", "utter", "more"});
    if (v.any(k, {"garbage", "junk", "crap", "trash", "rubbish", "nonsense", "spaghetti", "shit",
                  "slop", "bs", "half-baked"})) {
      last = k;
    }
  }
  if (last == 0 && v.any(i, {"owns", "own", "owned"})) {
    const std::size_t k = v.skip(i + 1, {"this", "the", "that", "entire", "whole", "full"});
    if (k > i + 1 && v.any(k, {"failure", "outage", "mess", "incident", "screwup", "screw-up",
                               "disaster", "fiasco", "breakage", "blame", "mistake"})) {
      last = k;
    }
  }
  if (last == 0) return;
  const Subject s = v.subject_of(i);
  if (s.who == Who::person || (destroyed && s.personal()) ||
      (s.who == Who::unknown && i > v.begin() && v.at(i - 1).capitalised)) {
    add_blame(hits, i, last, "blame_causation");
  }
}

// "the data engineer dropped the partition by mistake": an accident pinned on a person.
void by_mistake(const View& v, std::size_t i, Hits& hits) {
  const std::size_t n = v.phrase(i, "by mistake") + v.phrase(i, "by accident") +
                        v.phrase(i, "in error") + v.phrase(i, "by oversight");
  if (n == 0) return;
  for (std::size_t k = i; k > v.begin() && i - k < 8;) {
    --k;
    if (v.punct(k)) return;
    if (is_past_verb(v.word(k))) {
      // "The bank's operations team reversed our batch by mistake": a third party's slip.
      for (std::size_t m = v.begin(); m < k; ++m) {
        if (is_third_party(v.word(m))) return;
      }
      if (v.subject_of(k).who == Who::person) add_blame(hits, k, i + n - 1, "blame_mistake");
      return;
    }
  }
}

// "…deployed to prod instead of staging, typical", "…again, as usual": a verdict tacked on.
void tacked_verdict(const View& v, std::size_t i, Hits& hits) {
  std::size_t last = i;
  if (v.any(i, {"typical", "classic", "predictable", "figures", "naturally", "unbelievable",
                "ridiculous", "unreal", "embarrassing", "pathetic", "smh", "sigh", "seriously",
                "wtf", "shocking", "unacceptable", "inexcusable", "lol"})) {
  } else if (v.phrase(i, "as usual") || v.phrase(i, "as always") || v.phrase(i, "of course")) {
    last = i + 1;
  } else {
    return;
  }
  if (i == v.begin() || !v.is(i - 1, ",") || !v.punct(last + 1)) return;
  for (std::size_t k = i > v.begin() + 24 ? i - 24 : v.begin(); k + 1 < i; ++k) {
    if ((v.person_np(k) > 0 && !v.any(k, {"me", "us", "we", "i"})) ||
        pronoun_kind(v.word(k)) == Pronoun::person) {
      const Subject s = v.subject_of(k + v.person_np(k) + 1);
      (void)s;
      add_blame(hits, i, last, "blame_sarcasm");
      return;
    }
  }
}

// "reading the runbook is optional for some people"
void optional_for(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"optional", "beneath", "above"}) || !v.any(i + 1, {"for", "some"})) return;
  const std::size_t k = v.is(i + 1, "for") ? i + 2 : i + 1;
  const std::size_t np = v.person_np(v.is(k, "some") ? k + 1 : k);
  if (np > 0 || v.phrase(k, "some people") || v.phrase(k, "certain people")) {
    add_blame(hits, i, k + (np > 0 ? np : 1), "blame_sarcasm");
  }
}

// "it was on Kevin to renew it and he didn't.": an elliptical refusal pinned on a person.
void elliptical_omission(const View& v, std::size_t i, Hits& hits) {
  std::size_t last = i;
  if (v.any(i, {"didn't", "didnt", "wouldn't", "wouldnt", "couldn't", "couldnt", "never"})) {
    if (v.is(i, "never") && v.any(i + 1, {"did", "does"})) last = i + 1;
  } else {
    return;
  }
  if (!v.punct(last + 1) && !v.any(last + 1, {"lol", "again", "either", "though", "tbh"})) return;
  if (i == v.begin()) return;
  const Token& t = v.at(i - 1);
  if ((t.person && !t.possessive) || pronoun_kind(v.word(i - 1)) == Pronoun::person ||
      is_person_noun(v.word(i - 1))) {
    if (v.any(i - 1, {"nobody", "everyone", "everybody", "anyone", "anybody"})) return;
    add_blame(hits, i - 1, last, "blame_omission");
  }
}

// "broken by Dana", "the config was botched by the new guy": a passive that ends on a person.
void passive_by_person(const View& v, std::size_t i, Hits& hits) {
  std::size_t k = i + 1;
  if (v.any(i, {"messed", "screwed", "fucked"}) && v.is(i + 1, "up")) {
    k = i + 2;
  } else if (!v.any(i, {"broken", "botched", "bungled", "nuked", "wrecked", "trashed", "hosed",
                        "borked", "fumbled", "mangled", "clobbered", "fat-fingered"})) {
    return;
  }
  if (!v.is(k, "by") || v.person_np(k + 1) == 0 || v.any(k + 1, {"me", "us"})) return;
  add_blame(hits, i, k + v.person_np(k + 1), "blame_causation");
}

// Words in scare quotes, said of what someone did: ops "tested" this, the "senior" engineer.
void scare_quotes(const View& v, std::size_t i, Hits& hits) {
  if (!v.at(i).quoted ||
      !v.any(i, {"tested",   "reviewed",  "checked",      "verified",      "fixed",
                 "careful",  "senior",    "expert",       "experts",       "experienced",
                 "approved", "test",      "review",       "testing",       "reviewing",
                 "qa",       "qa'd",      "validated",    "monitored",     "monitoring",
                 "engineer", "engineers", "professional", "professionals", "on-call",
                 "oncall",   "help",      "helped",       "improved",      "improvement",
                 "fix",      "careful",   "thorough",     "temporarily",   "temporary",
                 "quick",    "small",     "tiny",         "harmless",      "safe",
                 "minor",    "trivial",   "simple",       "quickly",       "briefly"})) {
    return;
  }
  for (std::size_t k = i > v.begin() + 8 ? i - 8 : v.begin(); k < i + 8 && v.inside(k); ++k) {
    if (k == i) continue;
    const Token& t = v.at(k);
    if ((t.person && !t.broadcast) || pronoun_kind(v.word(k)) == Pronoun::person ||
        is_person_noun(v.word(k)) ||
        v.any(i, {"senior", "expert", "experts", "engineer", "engineers", "professional",
                  "professionals"})) {
      add_blame(hits, i, i, "blame_sarcasm");
      return;
    }
  }
}

// "great, Kim deleted the backups too", "perfect, the new guy dropped the table": a cheer
// opening a sentence about damage someone did.
void sarcastic_cheer(const View& v, std::size_t i, Hits& hits) {
  if (i != v.begin()) return;
  std::size_t k = i;
  if (v.any(k, {"oh", "just", "well"})) ++k;
  if (!v.any(k, {"great", "perfect", "wonderful", "fantastic", "awesome", "lovely", "brilliant",
                 "super", "terrific", "marvelous", "marvellous", "splendid", "excellent"}) ||
      !v.is(k + 1, ",")) {
    return;
  }
  for (std::size_t m = k + 2; m < k + 8 && v.inside(m) && !v.punct(m); ++m) {
    if (!is_past_verb(v.word(m)) || is_response_verb(v.word(m))) continue;
    const Subject s = v.subject_of(m);
    if (s.who == Who::person &&
        v.near(m, 8, {"too",       "again", "also",  "another", "deleted", "dropped",
                      "wiped",     "broke", "nuked", "lost",    "killed",  "corrupted",
                      "overwrote", "down",  "nuke",  "break",   "delete",  "drop",
                      "wipe",      "kill",  "lose",  "corrupt", "wrong",   "outage"})) {
      add_blame(hits, i, m, "blame_sarcasm");
    }
    return;
  }
}

// "…rotate the keys on a Friday, genius", "nice deploy, hero": a mock title at the end.
void mock_title(const View& v, std::size_t i, Hits& hits) {
  std::size_t first = i;
  if (v.any(i, {"idea", "move", "call", "plan", "thinking"}) && i > v.begin() &&
      v.any(i - 1, {"brilliant", "great", "genius", "smart", "clever", "wonderful", "fantastic",
                    "excellent", "stellar", "superb"}) &&
      // A decision someone made, or damage: "decided to run VACUUM at noon, brilliant idea";
      // not praise for a suggestion ("Dana suggested a canary, great idea").
      v.near(i, 20,
             {"decided", "chose", "thought", "figured", "broke", "deleted", "dropped", "outage",
              "down", "again", "friday", "noon", "peak", "prod", "production"}) &&
      !v.near(i, 20, {"suggested", "proposed", "recommended", "added", "fixed"})) {
    first = i - 1;  // "…at noon, brilliant idea"
  } else if (!v.any(i, {"genius", "einstein", "sherlock", "hero", "champ", "rockstar", "ace",
                        "smartass", "wizard", "mastermind"})) {
    return;
  }
  // "Sure, brilliant idea from Noor to test the firewall rules in production"
  if (first < i && v.is(i + 1, "from") &&
      (v.person_np(i + 2) > 0 || v.name_like(i + 2) || v.at(i + 2).person)) {
    add_blame(hits, first, i + 2, "blame_sarcasm");
    return;
  }
  if (first == v.begin() || !v.is(first - 1, ",") || !v.punct(i + 1)) return;
  for (std::size_t k = i > v.begin() + 24 ? i - 24 : v.begin(); k < i; ++k) {
    if (v.person_np(k) > 0 || pronoun_kind(v.word(k)) == Pronoun::person) {
      add_blame(hits, first, i, "blame_sarcasm");
      return;
    }
  }
}

// "why is it always Carla's migrations that break things", "it's always ops"
void always_them(const View& v, std::size_t i, Hits& hits) {
  if (!v.is(i, "always") || i == v.begin()) return;
  if (!v.any(i - 1, {"it's", "its", "it", "that's"})) return;
  const std::size_t k = i + 1;
  const std::size_t np = v.person_np(k);
  if ((np > 0 && !v.any(k, {"me", "us", "we"})) ||
      (v.person_owner(k) && !v.any(k, {"my", "our"}))) {
    add_blame(hits, i - 1, np > 0 ? k + np - 1 : k + 1, "blame_causation");
  }
}

// "love that nobody checked the disk", "gotta love how ops never reads the alerts"
void love_that(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"love", "loving", "loved", "adore"}) || !v.any(i + 1, {"that", "how", "it"})) {
    return;
  }
  const std::size_t from = v.is(i + 1, "it") && v.is(i + 2, "when") ? i + 3 : i + 2;
  if (v.is(i + 1, "it") && from == i + 2) return;
  bool person = false;
  for (std::size_t k = from; k < from + 8 && v.inside(k) && !v.punct(k); ++k) {
    if (v.person_np(k) > 0 || pronoun_kind(v.word(k)) == Pronoun::person) person = true;
    if (person && (is_negation(v.word(k)) ||
                   v.any(k, {"broke", "breaks", "forgot", "forgets", "ignored", "ignores",
                             "skipped", "skips", "again", "always", "nuked", "deleted"}))) {
      add_blame(hits, i, k, "blame_sarcasm");
      return;
    }
  }
}

// "can ppl PLEASE stop force pushing to main", "devs need to stop ignoring alerts"
void stop_doing(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"stop", "quit"})) return;
  std::size_t k = v.skip(i + 1, {"force", "just", "blindly", "constantly", "randomly"});
  const std::string_view g = v.word(k);
  if (g.size() < 5 || g.substr(g.size() - 3) != "ing" ||
      !v.any(k, {"pushing",    "force-pushing", "merging",   "deploying",  "shipping", "breaking",
                 "ignoring",   "skipping",      "bypassing", "deleting",   "touching", "yoloing",
                 "forgetting", "running",       "disabling", "silencing",  "muting",   "committing",
                 "hotfixing",  "editing",       "changing",  "overriding", "approving"})) {
    return;
  }
  // Who is told to stop? "can ppl please stop", "you need to stop", "devs, stop"; not "we".
  const std::size_t b =
      v.skip_back(i, {"please", "pls", "plz", "just", "to", "need", "needs", "gotta", "must",
                      "should", "will", "can", "could", "really", "seriously"});
  bool person = false;
  for (std::size_t m = b > v.begin() + 3 ? b - 3 : v.begin(); m < i; ++m) {
    if (v.at(m).person ||
        v.any(m, {"you", "u", "ppl", "people", "everyone", "folks", "devs", "y'all", "yall", "guys",
                  "ops", "engineers", "team"}) ||
        (is_person_noun(v.word(m)) && !v.any(m, {"someone", "nobody"}))) {
      person = true;
    }
    if (v.any(m, {"we", "i", "let's", "lets", "us"})) return;
  }
  if (person) add_blame(hits, i, k, "blame_wrong_action");
}

// "is anyone on the infra team capable of reading a graph?"
void capable(const View& v, std::size_t i, Hits& hits) {
  if (!(v.phrase(i, "capable of") || v.phrase(i, "competent enough") ||
        (v.phrase(i, "know how to") && v.near(i, 8, {"even", "anyone", "anybody"})))) {
    return;
  }
  const std::size_t start = v.begin();
  if (!v.any(start, {"is", "are", "does", "do", "can", "was", "were"})) return;
  for (std::size_t k = start + 1; k < i; ++k) {
    if (v.person_np(k) > 0 || v.any(k, {"anyone", "anybody"})) {
      add_blame(hits, start, i + 1, "blame_who");
      return;
    }
  }
}

// "the person on call was totally checked out", "the on-call was asleep": a state held against
// a person.
void absent_state(const View& v, std::size_t i, Hits& hits) {
  std::size_t last = i;
  if (v.phrase(i, "checked out") || v.phrase(i, "zoned out") || v.phrase(i, "spaced out")) {
    last = i + 1;
  } else if (!v.any(i, {"asleep", "awol", "mia", "distracted", "clueless", "oblivious"})) {
    return;
  }
  const std::size_t j = v.skip_back(i, {"totally", "completely", "just", "clearly", "obviously",
                                        "apparently", "basically", "fully", "so", "really"});
  if (j <= v.begin() ||
      !v.any(j - 1, {"was", "were", "is", "are", "been", "he's", "she's", "they're", "you're"})) {
    return;
  }
  if (v.subject_of(j).who == Who::person || v.clause_subject(j).who == Who::person ||
      v.any(j - 1, {"he's", "she's", "they're", "you're"})) {
    add_blame(hits, i, last, "blame_trait");
  }
}

// "our so-called senior engineer", "the self-proclaimed expert"
void so_called(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"so-called", "self-proclaimed", "self-appointed", "wannabe"})) return;
  for (std::size_t k = i + 1; k < i + 3 && v.inside(k); ++k) {
    if (is_person_noun(v.word(k)) ||
        v.any(k, {"expert", "experts", "senior", "seniors", "professional", "professionals", "guru",
                  "gurus", "rockstar", "ninja"})) {
      add_blame(hits, i, k, "blame_sarcasm");
      return;
    }
  }
}

// "Amir keeps skipping code review", "ops kept ignoring the disk alerts"
void keeps_lapsing(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"keeps", "kept", "keep", "keeping"})) return;
  const std::size_t k = v.skip(i + 1, {"on", "just", "constantly"});
  // "keeps treating alerts as background noise"
  const bool dismissive = v.is(k, "treating") && v.near(k, 6, {"noise", "optional", "suggestions"});
  if (!dismissive &&
      !v.any(k, {"skipping",   "ignoring",   "forgetting", "bypassing", "missing",    "breaking",
                 "pushing",    "merging",    "overriding", "disabling", "silencing",  "muting",
                 "deleting",   "screwing",   "messing",    "snoozing",  "dismissing", "acking",
                 "postponing", "forgetting", "dropping"})) {
    return;
  }
  const Subject s = v.subject_of(i);
  if (s.who == Who::person || (s.who == Who::unknown && i > v.begin() && v.at(i - 1).capitalised) ||
      (i > v.begin() && is_team_word(v.word(i - 1)))) {
    add_blame(hits, i, k, "blame_omission");
  }
}

// "poor judgment on the part of the engineer", "a lapse on the part of ops"
void on_the_part_of(const View& v, std::size_t i, Hits& hits) {
  if (!v.phrase(i, "on the part of")) return;
  const std::size_t np = v.person_np(i + 4);
  if (np == 0 || v.any(i + 4, {"me", "us", "our"})) return;
  if (v.near(i, 6,
             {"judgment", "judgement", "negligence", "error", "errors", "mistake", "lapse",
              "oversight", "carelessness", "failure", "poor", "bad", "lack", "sloppiness",
              "incompetence", "inattention", "misjudgment", "fault"})) {
    add_blame(hits, i, i + 3 + np, "blame_mistake");
  }
}

// "oh look, Pavel deployed on a Friday again", "surprise surprise, ops broke staging"
void mock_surprise(const View& v, std::size_t i, Hits& hits) {
  if (i != v.begin()) return;
  const std::size_t n = v.phrase(i, "oh look") + v.phrase(i, "look who") +
                        v.phrase(i, "surprise surprise") + v.phrase(i, "what a surprise") +
                        v.phrase(i, "color me shocked") + v.phrase(i, "colour me shocked") +
                        v.phrase(i, "shocker") + v.phrase(i, "who would have guessed") +
                        v.phrase(i, "who could have guessed") + v.phrase(i, "big surprise");
  if (n == 0) return;
  for (std::size_t k = i + n; k < i + n + 6 && v.inside(k); ++k) {
    if (v.person_np(k) > 0 && !v.any(k, {"me", "us", "we", "i"})) {
      for (std::size_t m = k + 1; m < k + 5 && v.inside(m); ++m) {
        if (is_past_verb(v.word(m)) || v.any(m, {"is", "are", "broke", "again"})) {
          add_blame(hits, i, m, "blame_sarcasm");
          return;
        }
      }
      return;
    }
  }
}

// "Seriously Pete?? again??", "not again, Jordan", "Sam. Really?": a name with exasperation and
// nothing else is a reproach.
void exasperation(const View& v, std::size_t i, Hits& hits) {
  if (i != v.begin() || v.end() - v.begin() > 6) return;
  std::size_t person = 0;
  bool exasperated = false;
  for (std::size_t k = v.begin(); k < v.end(); ++k) {
    const Token& t = v.at(k);
    if (t.type == Token::Type::punct) continue;
    if (t.person && !t.broadcast) {
      person = k + 1;
      continue;
    }
    if (v.any(k, {"seriously", "srsly", "again", "smh", "wtf", "ugh", "jeez", "facepalm", "really",
                  "omg", "unbelievable", "ffs", "sigh", "cmon", "c'mon", "dude"})) {
      exasperated = true;
      continue;
    }
    // Nothing else but interjections: a sentence with a verb or a question word says more.
    if (!v.any(k, {"not", "oh",  "my",   "god",  "come", "on",  "man",  "bro", "mate", "lol",
                   "x2",  "yet", "once", "more", "what", "the", "hell", "why", "of",   "course"})) {
      return;
    }
  }
  if (person == 0) return;
  if (!exasperated) {
    // "Seriously Pete?? again??": the exasperation may come right after.
    exasperated = v.near_next_sentence(
        v.end() - 1, 3, {"again", "seriously", "really", "smh", "wtf", "ugh", "unbelievable"});
  }
  if (exasperated) add_blame(hits, v.begin(), v.end() - 1, "blame_sarcasm");
}

}  // namespace

void causation_rules(const View& v, std::size_t i, std::vector<Hit>& hits) {
  let_lapse(v, i, hits);
  person_bad_action(v, i, hits);
  by_mistake(v, i, hits);
  tacked_verdict(v, i, hits);
  optional_for(v, i, hits);
  elliptical_omission(v, i, hits);
  passive_by_person(v, i, hits);
  scare_quotes(v, i, hits);
  exasperation(v, i, hits);
  sarcastic_cheer(v, i, hits);
  love_that(v, i, hits);
  mock_title(v, i, hits);
  mock_surprise(v, i, hits);
  always_them(v, i, hits);
  stop_doing(v, i, hits);
  capable(v, i, hits);
  absent_state(v, i, hits);
  so_called(v, i, hits);
  keeps_lapsing(v, i, hits);
  on_the_part_of(v, i, hits);
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
