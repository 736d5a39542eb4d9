// Blame rules about words and idioms: "human error", "Dana's fault", "careless", "dropped the
// ball", "who broke…", "his mistake". The rules that hinge on who did a verb ("forgot
// to", "failed to", "should have checked") are in blameless_agency.cpp.
#include <string_view>

#include "bot/blameless/rules.h"

namespace incident::blameless_detail {

namespace {

// "error rate", "mistake log": the noun is part of a system compound, not a person's error.
bool is_error_compound(const View& v, std::size_t i) {
  return v.any(
      i, {"budget",   "budgets",    "rate",     "rates",     "log",       "logs",      "message",
          "messages", "count",      "counts",   "handling",  "handler",   "page",      "pages",
          "code",     "codes",      "path",     "paths",     "metric",    "metrics",   "spike",
          "spikes",   "percentage", "ratio",    "threshold", "tracking",  "reporting", "class",
          "type",     "types",      "response", "responses", "dashboard", "alert",     "alerts",
          "level",    "levels",     "span",     "trace",     "traces",    "state",     "bar",
          "string",   "detection",  "check"});
}

void human_error(const View& v, std::size_t i, Hits& hits) {
  if (v.any(i, {"pebkac", "pebcak", "id10t", "fat-fingered", "fat-finger", "fatfingered",
                "fat-fingering", "fatfinger"})) {
    // "i fat-fingered the replica count, fixed now": one's own slip, owned (see the README's
    // first-person accounts).
    if (v.subject_of(i).who == Who::first_person) return;
    add_blame(hits, i, i, "blame_human_error");
    return;
  }
  if (v.is(i, "fat") && v.any(i + 1, {"fingered", "finger", "fingering", "fingers"})) {
    add_blame(hits, i, i + 1, "blame_human_error");
    return;
  }
  const bool person_noun = is_person_noun(v.word(i)) && !v.at(i).possessive;
  if ((!v.any(i, {"human", "operator", "user", "pilot", "people"}) && !person_noun) ||
      !v.any(i + 1, {"error", "errors", "mistake", "mistakes", "failure", "fault"})) {
    return;
  }
  if (v.negated(i, 4)) return;  // "not human error", "no such thing as human error"
  // "Human error was ruled out: the change was applied by automation"
  if (v.near(i, 6, {"ruled", "excluded"})) return;
  if (!v.any(i, {"human", "pilot"}) && !person_noun) {
    // "user error rate", "the operator errors in the controller log" are about software.
    if (is_error_compound(v, i + 2)) return;
    if (i > v.begin() && (is_determiner(v.word(i - 1)) || is_system_noun(v.word(i - 1)))) return;
  }
  if (person_noun && is_error_compound(v, i + 2)) return;
  add_blame(hits, i, i + 1, "blame_human_error");
}

void fault(const View& v, std::size_t i, Hits& hits) {
  // "my bad, i restarted the wrong service, doing the right one now": a slip owned and fixed
  // as it is told is the account a blameless review wants.
  if (v.phrase(i, "my bad") &&
      (v.near_next_sentence(
           i, 16,
           {"now", "fixing", "reverting", "rolling", "redoing", "fixed", "reverted", "correcting",
            "corrected", "switched", "undid", "undone", "here", "attached", "below"}) ||
       v.near(i, 16, {"link", "graph", "screenshot", "dashboard"}))) {
    return;  // "my bad, forgot the dashboard link — here: …"
  }
  if (v.phrase(i, "my bad") && (v.punct(i + 2) || pronoun_kind(v.word(i + 2)) != Pronoun::none ||
                                v.any(i + 2, {"sorry", "lol", "folks", "all", "everyone"}))) {
    add_blame(hits, i, i + 1, "blame_fault");
    return;
  }
  if (!v.any(i, {"fault", "faults"}) || i == v.begin()) return;
  std::size_t owner = i - 1;
  if (v.is(owner, "own") && owner > v.begin()) --owner;  // "his own fault"
  const Token& o = v.at(owner);
  const bool nobody = v.is(owner, "nobody") || (v.is(owner, "one") && v.is(owner - 1, "no"));
  // "the disk's fault", "DNS's fault" put it on a thing; a person's possessive is blame.
  const bool owner_person = v.person_owner(owner) || v.is(owner, "whose") ||
                            (o.possessive && !is_system_noun(o.norm) && !o.all_caps &&
                             pronoun_kind(o.norm) != Pronoun::thing);
  if (owner_person && !nobody && !v.negated(owner, 3)) {
    add_blame(hits, owner, i, "blame_fault");
    return;
  }
  if (v.is(i - 1, "at") && !v.negated(i - 1, 4)) {
    const Subject s = v.subject_of(i - 1);  // "who is at fault", "Bob was at fault"
    if (s.personal()) add_blame(hits, i - 1, i, "blame_fault");
    return;
  }
  if (v.is(i + 1, "of") && (v.person_ref(i + 2) || v.person_ref(i + 3))) {
    add_blame(hits, i, v.person_ref(i + 2) ? i + 2 : i + 3, "blame_fault");
  }
}

// "that's on him", "this one's on you": an outcome hung on a person.
void on_person(const View& v, std::size_t i, Hits& hits) {
  if (!v.is(i, "on") || i == v.begin()) return;
  if (v.any(i + 1, {"me", "us"})) return;  // "that one's on me": owning it
  std::size_t np = v.person_np(i + 1);
  // Departments as the ones at fault: "this is squarely on product", "it's on management".
  if (np == 0 &&
      v.any(i + 1, {"product", "management", "leadership", "marketing", "sales", "engineering",
                    "security", "support", "legal", "finance"}) &&
      (v.punct(i + 2) || v.any(i + 2, {"for", "again", "tbh", "honestly"}))) {
    np = 1;
  }
  if (np == 0) return;
  // "I'd put this one on the QA folks", "pin it on ops"
  if (v.skip_back(i, {"this", "that", "it", "one", "the", "outage", "incident", "failure", "mess",
                      "blame"}) < i &&
      v.any(v.skip_back(i, {"this", "that", "it", "one", "the", "outage", "incident", "failure",
                            "mess", "blame"}) -
                1,
            {"put", "pin", "pinned", "putting", "lay", "laid", "place", "placed"})) {
    add_blame(hits, i, i + np, "blame_on_person");
    return;
  }
  const bool opener =
      v.any(i - 1,
            {"that's", "it's", "one's", "thats", "its", "all", "entirely", "totally", "squarely",
             "fully", "100%", "falls", "fell", "rests", "solely", "firmly", "mostly", "clearly"}) ||
      (v.any(i - 1, {"is", "was"}) &&
       v.any(i - 2, {"that", "this", "it", "one", "outage", "incident", "failure", "mess",
                     "breakage", "downtime", "issue", "problem", "blame", "fault", "one's"}));
  const std::size_t after = i + 1 + np;
  const bool ends = v.punct(after) || v.any(after, {"for", "lol", "tbh", "though", "honestly",
                                                    "again", "not", "entirely", "sorry", "then"});
  if (opener && ends) add_blame(hits, i - 1, after - 1, "blame_on_person");
}

// Words that judge a person whatever the sentence says around them.
bool is_strong_trait(std::string_view w) {
  static constexpr std::string_view words[] = {
      "careless",      "carelessly",    "carelessness",   "sloppy",        "sloppily",
      "sloppiness",    "negligent",     "negligently",    "negligence",    "incompetent",
      "incompetence",  "incompetently", "reckless",       "recklessly",    "recklessness",
      "irresponsible", "irresponsibly", "laziness",       "clueless",      "idiot",
      "idiots",        "idiotic",       "moron",          "morons",        "moronic",
      "stupidity",     "dumbass",       "boneheaded",     "bonehead",      "amateurish",
      "inattentive",   "inattention",   "thoughtless",    "thoughtlessly", "half-assed",
      "halfassed",     "forgetful",     "cowboy",         "cowboys",       "noob",
      "n00b",          "noobs",         "unprofessional", "screwup",       "screw-up",
      "screwups",      "fuckup",        "fuck-up",        "f-up",          "cockup",
      "cock-up",       "messup",        "mess-up",        "blunder",       "blunders",
      "asshat",        "lazily",        "ashamed",        "shameful",      "inexperience",
      "inexperienced", "amateur",       "amateurs",       "amateur-hour",  "slacker",
      "slackers",      "slacking",      "sloppier",       "sloppiest",     "lazier",
      "shoddy",        "shoddily",      "slapdash",       "half-baked",    "lackadaisical",
      "cavalier"};
  for (std::string_view t : words) {
    if (w == t) return true;
  }
  return false;
}

// Things people make, which carry their author with them: "a careless change", "sloppy
// rollout", "the migration was sloppy" judge whoever did the work.
bool is_work_product(std::string_view w) {
  static constexpr std::string_view words[] = {
      "change",     "changes",     "config",  "configs",  "configuration", "deploy",   "deploys",
      "deployment", "deployments", "release", "releases", "rollout",       "rollouts", "rollback",
      "migration",  "migrations",  "script",  "scripts",  "code",          "commit",   "commits",
      "pr",         "patch",       "fix",     "hotfix",   "update",        "upgrade",  "query",
      "queries",    "test",        "tests",   "runbook",  "playbook",      "build",    "review",
      "handling",   "work",        "job",     "merge",    "push",          "cutover",  "failover"};
  for (std::string_view t : words) {
    if (w == t) return true;
  }
  return false;
}

// A trait word said of a mechanism: "the reckless default of unlimited retries", "the retry
// logic is sloppy", "the service was careless about releasing file handles".
bool trait_of_system(const View& v, std::size_t i) {
  // "the sloppy handling of timeouts in the client library": the work belongs to a component.
  for (std::size_t k = i + 2; k < i + 8 && v.inside(k) && !v.punct(k); ++k) {
    if (v.any(k, {"in", "inside", "within"})) {
      const std::size_t h = v.skip(k + 1, {"the", "a", "an", "our", "this", "its"});
      if (is_system_noun(v.word(h)) && !is_work_product(v.word(h)) &&
          (is_system_noun(v.word(h + 1)) || v.punct(h + 1) || is_clause_word(v.word(h + 1)) ||
           is_function_word(v.word(h + 1)) || is_past_verb(v.word(h + 1)))) {
        return true;
      }
      break;
    }
  }
  const std::string_view next = v.word(i + 1);
  if (!v.punct(i + 1) && !is_work_product(next) &&
      (is_system_noun(next) ||
       v.any(i + 1,
             {"default",   "defaults", "logic",          "algorithm", "heuristic",  "heuristics",
              "parsing",   "matching", "eviction",       "caching",   "validation", "regex",
              "behaviour", "behavior", "implementation", "rounding",  "formatting", "locking",
              "retries",   "retry",    "buffering",      "batching",  "sampling"}))) {
    return true;
  }
  const std::size_t j = v.skip_back(i, {"so", "very", "really", "pretty", "too", "quite", "just",
                                        "totally", "completely", "extremely", "rather"});
  if (j <= v.begin() || !v.any(j - 1, {"is", "was", "are", "were", "been", "be", "seems", "looks",
                                       "seemed", "looked", "remains"})) {
    return false;
  }
  // The noun before the copula, past adverbs: "the old client is", "the service was".
  std::size_t h = j - 1;
  for (int n = 0; n < 4 && h > v.begin() &&
                  (is_skippable(v.word(h - 1)) || v.any(h - 1, {"has", "have", "had", "still"}));
       ++n) {
    --h;
  }
  if (h <= v.begin()) return false;
  // The head of the subject noun phrase: its last word before a preposition ("the process for
  // emergency changes" is a process) or before the copula.
  std::size_t head_at = h - 1;
  for (std::size_t k = h - 1; k > v.begin() && h - k < 6;) {
    --k;
    if (v.punct(k) || is_clause_word(v.word(k))) break;
    if (v.any(k, {"for", "of", "in", "on", "behind", "around"}) && k > v.begin()) head_at = k - 1;
  }
  const std::string_view head = v.word(head_at);
  if (pronoun_kind(head) != Pronoun::none || is_work_product(head) || v.at(head_at).person ||
      is_person_noun(head)) {
    return false;
  }
  const Subject s = v.subject_of(j - 1);
  const Subject c = v.clause_subject(j - 1);
  // "the architect's design" is someone's work; "our dashboards" are ours, a thing to fix.
  bool owned_by_other = false;
  for (std::size_t k = head_at; k > v.begin() && head_at - k < 4;) {
    --k;
    if (v.person_owner(k) && !v.any(k, {"our", "my"})) owned_by_other = true;
  }
  return s.who == Who::system && c.who == Who::system && !owned_by_other;
}

void traits(const View& v, std::size_t i, Hits& hits) {
  const std::string_view w = v.word(i);
  // "the scheduler's careless handling of leap seconds": a component's, not a colleague's.
  if (i > v.begin() && v.at(i - 1).possessive) {
    std::string_view owner = v.word(i - 1);
    if (owner.size() > 2 && owner.substr(owner.size() - 2) == "'s") owner.remove_suffix(2);
    if (is_system_noun(owner) || is_third_party(owner)) return;
  }
  // "The ops crew's neglect of the disk alerts"
  if (v.any(i, {"neglect", "negligence"}) && i > v.begin() && v.person_owner(i - 1) &&
      !v.any(i - 1, {"my", "our", "its"})) {
    add_blame(hits, i - 1, i, "blame_trait");
    return;
  }
  if (is_strong_trait(w)) {
    if (!v.negated(i, 3) && !trait_of_system(v, i)) add_blame(hits, i, i, "blame_trait");
    return;
  }
  // "she has no idea what she's doing", "not a clue what they're doing"
  if (v.any(i, {"idea", "clue"}) && v.before(i, 2, {"no", "zero", "not"}) && v.is(i + 1, "what") &&
      v.near(i + 2, 3, {"doing"})) {
    add_blame(hits, i, i + 1, "blame_trait");
    return;
  }
  if (v.any(i, {"know", "knows", "knew"}) && v.negated(i, 2) && v.is(i + 1, "what") &&
      v.near(i + 2, 2, {"doing"})) {
    add_blame(hits, i, i + 3, "blame_trait");  // "doesn't know what he's doing"
    return;
  }
  if (v.phrase(i, "lack of") &&
      (v.any(i + 2, {"attention", "care", "diligence", "competence", "professionalism", "effort",
                     "focus"}) ||
       (v.any(i + 2, {"experience", "ownership", "rigor", "rigour", "judgment", "judgement",
                      "skill", "skills", "knowledge", "testing", "checking", "reviewing",
                      "planning", "communication", "preparation", "follow-through"}) &&
        ((i > v.begin() && v.person_owner(i - 1) && !v.any(i - 1, {"our"})) ||
         (v.any(i + 3, {"from", "by", "on"}) && v.person_np(i + 4) > 0))))) {
    add_blame(hits, i > v.begin() && v.person_owner(i - 1) ? i - 1 : i, i + 2, "blame_trait");
    return;
  }
  // "needs to learn to read the logs", "too busy to look at the alerts".
  if ((w == "learn" && v.any(i + 1, {"to", "how"}) &&
       v.before(i, 2, {"needs", "need", "should", "has", "have", "gotta", "must", "to"})) ||
      (w == "too" && v.any(i + 1, {"busy", "lazy", "distracted", "tired", "careless", "sloppy"}) &&
       v.is(i + 2, "to"))) {
    const Subject s = v.subject_of(i);
    if (s.who == Who::person) add_blame(hits, i, i + 2, "blame_trait");
    return;
  }
  if (!v.any(i, {"lazy",     "stupid",    "dumb",   "useless",    "clumsy",
                 "careful",  "attention", "shame",  "trusted",    "liability",
                 "hopeless", "incapable", "menace", "clown",      "clowns",
                 "joke",     "rookie",    "dense",  "unreliable", "untrustworthy"})) {
    return;
  }
  if (w == "lazy" &&
      v.any(i + 1, {"load",       "loading", "loaded",         "loader",         "eval",
                    "evaluation", "init",    "initialization", "initialisation", "initialized",
                    "import",     "imports", "fetch",          "migration",      "val",
                    "static",     "seq",     "sequence",       "iterator",       "mode",
                    "binding",    "column"})) {
    return;
  }
  if (w == "careful") {
    // "wasn't careful", "be more careful": an exhortation or a judgement of a person.
    const bool judged = v.negated(i, 2) || v.is(i - 1, "more");
    const Subject s = v.clause_subject(i);
    if (judged && s.who != Who::system && s.who != Who::unknown) {
      add_blame(hits, v.is(i - 1, "more") ? i - 1 : i, i, "blame_trait");
    }
    return;
  }
  if (w == "trusted" && v.is(i - 1, "be") && v.negated(i - 1, 2)) {
    const Subject s = v.subject_of(i);
    if (s.who == Who::person || s.who == Who::unknown) add_blame(hits, i - 1, i, "blame_trait");
    return;
  }
  if (w == "shame" && v.is(i + 1, "on") && v.person_ref(i + 2)) {
    add_blame(hits, i, i + 2, "blame_trait");
    return;
  }
  if (w == "attention") {
    // "not paying attention", "didn't pay attention"
    if (v.any(i - 1, {"paying", "pay", "paid"}) && v.negated(i - 1, 2)) {
      add_blame(hits, i - 1, i, "blame_trait");
    }
    return;
  }
  if (w != "liability" && (v.any(i + 1, {"mistake", "mistakes", "move", "error", "errors",
                                         "decision", "thing", "call", "idea"}) ||
                           v.person_ref(i + 1) || is_person_noun(v.word(i + 1)))) {
    add_blame(hits, i, i, "blame_trait");
    return;
  }
  // "he is so stupid", "you're useless": a copula with a person subject.
  const std::size_t j = v.skip_back(i, {"so", "very", "really", "pretty", "such", "a", "an",
                                        "totally", "completely", "just", "being", "too"});
  if (j > v.begin() && v.any(j - 1, {"is", "was", "are", "were", "be", "been", "you're", "he's",
                                     "she's", "they're", "'re", "ur", "im", "i'm"})) {
    const Subject s = v.subject_of(j);
    const bool contracted = v.any(j - 1, {"you're", "he's", "she's", "they're", "ur", "im", "i'm"});
    if (contracted || s.personal()) add_blame(hits, i, i, "blame_trait");
  }
}

void idioms(const View& v, std::size_t i, Hits& hits) {
  static constexpr std::string_view always[] = {"dropped the ball",
                                                "drop the ball",
                                                "dropping the ball",
                                                "drops the ball",
                                                "asleep at the wheel",
                                                "rubber-stamped",
                                                "rubber stamped",
                                                "rubberstamped",
                                                "rubber-stamping",
                                                "rubber stamping",
                                                "blew it",
                                                "yolo'd",
                                                "yoloed",
                                                "yolo-deployed",
                                                "yolo",
                                                "winged it",
                                                "fell asleep",
                                                "should know better",
                                                "knows better",
                                                "knew better",
                                                "ought to know better",
                                                "not a team player",
                                                "had one job",
                                                "did it anyway",
                                                "told you so",
                                                "did this anyway",
                                                "head examined",
                                                "no business touching",
                                                "no business deploying",
                                                "no business being",
                                                "no business running",
                                                "why we can't have nice things",
                                                "why we cant have nice things",
                                                "cut corners",
                                                "cutting corners",
                                                "cuts corners",
                                                "screwed the pooch",
                                                "screw the pooch",
                                                "screws the pooch",
                                                "phoned it in",
                                                "phoning it in",
                                                "jumped the gun",
                                                "went rogue",
                                                "going rogue",
                                                "asleep on the job",
                                                "asleep at the switch",
                                                "out of his depth",
                                                "out of her depth",
                                                "out of their depth",
                                                "in over his head",
                                                "in over her head",
                                                "in over their heads",
                                                "took his eye off the ball",
                                                "took her eye off the ball",
                                                "took their eye off the ball",
                                                "took your eye off the ball",
                                                "fell down on the job",
                                                "not up to the job",
                                                "not up to the task",
                                                "cowboy deploy",
                                                "cowboy coding",
                                                "shot from the hip",
                                                "half-assed it",
                                                "took shortcuts",
                                                "took a shortcut",
                                                "cut a corner",
                                                "taking shortcuts",
                                                "amateur hour",
                                                "skill issue",
                                                "layer 8",
                                                "layer-8",
                                                "between the chair and the keyboard",
                                                "wasn't paying attention",
                                                "weren't paying attention",
                                                "should have known better",
                                                "should be embarrassed",
                                                "should be ashamed",
                                                "explain themselves",
                                                "explain himself",
                                                "explain herself",
                                                "explain yourself",
                                                "explain yourselves",
                                                "answer for this",
                                                "answer for that",
                                                "self-inflicted",
                                                "a certain someone",
                                                "certain people",
                                                "certain individuals",
                                                "own goal",
                                                "should've known better",
                                                "left the rest of us to",
                                                "left us to clean up",
                                                "leaving us to clean up",
                                                "clearly had no idea",
                                                "obviously had no idea"};
  const std::string_view w0 = v.word(i);
  if (w0.empty()) return;
  for (std::string_view p : always) {
    if (p[0] != w0[0]) continue;  // most tokens start no phrase: skip without a call
    if (const std::size_t n = v.phrase(i, p); n > 0) {
      // "the load balancer dropped the ball on sticky sessions": a thing, not a colleague.
      if (p.find("ball") != std::string_view::npos && v.subject_of(i).who == Who::system) return;
      // "don't drop the ball" is a reminder, not an accusation.
      if (!v.negated(i, 2) || v.is(i - 1, "not")) add_blame(hits, i, i + n - 1, "blame_idiom");
      return;
    }
  }
  // Verb idioms: blame when a person (or nobody named, in chat) did them; "the migration messed
  // up the indexes" and "the config is messed up" are about things.
  if (!v.any(i, {"messed", "screwed", "fucked", "effed", "f'd", "cocked", "mucked", "botched",
                 "bungled", "goofed", "fumbled", "borked", "mess", "screw", "messes", "screws"})) {
    return;
  }
  std::size_t last = i;
  if (v.is(i + 1, "up")) {
    last = i + 1;
  } else if (v.any(i + 1, {"it", "this", "that", "things", "everything"}) && v.is(i + 2, "up")) {
    last = i + 2;
  } else if (v.any(i, {"screwed", "fucked"}) && v.any(i + 1, {"us", "everyone", "everybody"})) {
    last = i + 1;  // "the ops team screwed us again"
  } else if (!v.any(i, {"botched", "bungled", "goofed", "fumbled", "borked"})) {
    return;
  }
  if (v.any(i, {"mess", "screw", "messes", "screws"}) && v.negated(i, 2)) return;
  std::size_t j = i;
  for (int n = 0;
       n < 4 && j > v.begin() && is_skippable(v.word(j - 1)) && !is_negation(v.word(j - 1)); ++n) {
    --j;
  }
  if (j > v.begin() && v.any(j - 1, {"is", "was", "are", "were", "'s", "got", "get", "gets",
                                     "looks", "look", "seems", "be", "been", "being", "it's"})) {
    return;  // adjective or passive: "the state got messed up"
  }
  const Subject s = v.subject_of(i);
  if (s.personal() || s.owned || s.who == Who::none) add_blame(hits, i, last, "blame_idiom");
}

void blame_word(const View& v, std::size_t i, Hits& hits) {
  std::size_t n = 1;
  if (!v.any(i, {"blame", "blamed", "blaming", "blames", "scapegoat", "scapegoated", "scapegoating",
                 "finger-pointing", "fingerpointing", "witch-hunt", "witchhunt"})) {
    n = v.phrase(i, "finger pointing") + v.phrase(i, "pointing fingers") +
        v.phrase(i, "point fingers") + v.phrase(i, "pointing the finger") +
        v.phrase(i, "witch hunt");
    if (n == 0) return;
  }
  if (v.before(i, 1, {"git", "svn", "hg", "annotate"})) return;  // `git blame` is a tool
  // "Blame is the wrong lens for this one": blame named to be set aside.
  if (v.phrase(i + 1, "is the wrong") > 0 || v.phrase(i + 1, "isn't the") > 0 ||
      v.phrase(i + 1, "is not the") > 0 || v.phrase(i + 1, "is not useful") > 0) {
    return;
  }
  if (v.any(i + 1, {"view", "output", "annotation", "annotations", "shows", "says", "log"})) return;
  if (v.negated(i, 5) ||
      v.before(i, 2, {"avoid", "avoiding", "without", "not", "no", "stop", "quit", "instead"})) {
    // "not to point fingers, but it was Erin's change": the disclaimer announces blame.
    for (std::size_t k = i + n; k < i + n + 5 && v.inside(k); ++k) {
      if (v.is(k, "but")) add_blame(hits, i, i + n - 1, "blame_word");
    }
    return;
  }
  if (n == 1 && v.any(i, {"blame", "blamed", "blaming", "blames"})) {
    // "The cache layer was blamed at first, but its hit rate never moved": suspicion of a thing.
    if (v.any(i - 1, {"was", "were", "is", "are", "got", "been"}) &&
        (v.subject_of(i).who == Who::system || is_system_noun(v.word(i - 2)) ||
         is_system_noun(v.word(i - 3)))) {
      return;
    }
    std::size_t o = v.skip(i + 1, {"it", "this", "that", "all", "everything"});
    if (v.is(o, "on")) ++o;  // "blame it on the network"
    if (v.inside(o) && !v.punct(o) && !v.is(o, "for")) {
      if (v.person_ref(o) || v.person_owner(o)) {
        add_blame(hits, i, o, "blame_word");
      } else if (is_determiner(v.word(o))) {
        if (is_person_noun(v.word(o + 1)) || is_person_noun(v.word(o + 2)))
          add_blame(hits, i, i, "blame_word");
      } else if (!is_system_noun(v.word(o)) && !v.at(o).all_caps && !v.at(o).capitalised) {
        add_blame(hits, i, i, "blame_word");
      }
      return;  // "blame the cache", "always blame DNS" point at a thing
    }
    // "The feature flag service was blamed at first": suspicion of a thing.
    // "who is to blame" vs "the cache is to blame", "the firewall blamed?"
    const Subject s = v.subject_of(v.is(i - 1, "to") ? i - 1 : i);
    if (s.who == Who::system || s.who == Who::unknown) return;
  }
  add_blame(hits, i, i + n - 1, "blame_word");
}

// "who broke prod?", "whose fault is it", "whoever pushed this": hunting for a culprit.
void who(const View& v, std::size_t i, Hits& hits) {
  if (v.is(i, "whose")) {
    if (v.any(i + 1, {"fault", "mistake", "idea", "screwup", "screw-up", "typo", "bright"})) {
      add_blame(hits, i, i + 1, "blame_who");
    } else if (v.any(i + 1, {"change", "commit", "pr", "deploy", "push", "code"}) &&
               v.near(i, 6, {"broke", "caused", "broken", "down", "outage"})) {
      add_blame(hits, i, i + 1, "blame_who");
    }
    return;
  }
  // "make sure the guilty party understands": a culprit by another name.
  if (v.is(i, "guilty") && v.any(i + 1, {"party", "parties", "one", "ones", "person"})) {
    add_blame(hits, i, i + 1, "blame_who");
    return;
  }
  if (v.any(i, {"culprit", "culprits"})) {
    // "the culprit is @jamie" names a person; "the culprit was a bad config" names a thing.
    const std::size_t k =
        v.skip(i + 1, {"is", "was", "'s", "here", "clearly", "obviously", "probably"});
    if (v.person_ref(k) || v.person_owner(k))
      add_blame(hits, i, k, "blame_who");
    else if (i >= v.begin() + 3 && v.is(i - 1, "the") && v.any(i - 2, {"is", "was", "'s"}) &&
             v.person_ref(i - 3)) {
      add_blame(hits, i - 3, i, "blame_who");
    }
    return;
  }
  if (!v.any(i, {"who", "who's", "whos", "whoever"})) return;
  const std::size_t k =
      v.skip(i + 1, {"the", "hell", "tf", "fuck", "f", "frick", "bloody", "exactly", "actually",
                     "just", "even", "on", "earth", "heck", "here"});
  // "who keeps turning off the disk alerts?", "who keeps breaking staging"
  if (v.any(k, {"keeps", "kept"}) && v.word(k + 1).size() > 4 &&
      v.word(k + 1).substr(v.word(k + 1).size() - 3) == "ing" &&
      !v.any(k + 1, {"asking", "helping", "fixing", "checking", "watching", "looking"})) {
    add_blame(hits, i, k + 1, "blame_who");
    return;
  }
  // "who the hell merged to main", "who on earth approved this": the outrage is the blame.
  const bool outraged =
      v.is(i, "who") &&
      (v.phrase(i + 1, "the hell") || v.is(i + 1, "tf") || v.phrase(i + 1, "on earth") ||
       v.phrase(i + 1, "the heck") || v.phrase(i + 1, "the fuck") || v.is(i + 1, "tf"));
  if (outraged && v.inside(k) && !v.punct(k) &&
      !v.any(k, {"is", "are", "knows", "owns", "can", "has", "was", "wrote", "do", "does"})) {
    add_blame(hits, i, k, "blame_who");
    return;
  }
  // "who pushed this without testing?", "who merged straight to main on a friday"
  if (v.any(k, {"pushed", "merged", "deployed", "shipped", "approved", "applied", "ran", "changed",
                "touched", "disabled", "deleted", "removed", "turned", "released", "committed"}) &&
      v.near(k, 8,
             {"without", "friday", "straight", "untested", "unreviewed", "blindly", "yolo",
              "anyway", "again"})) {
    add_blame(hits, i, k, "blame_who");
    return;
  }
  if (v.any(k, {"broke", "breaks", "caused", "messed", "screwed", "fucked", "botched", "nuked",
                "forgot", "borked", "dropped", "killed"})) {
    add_blame(hits, i, k, "blame_who");
    return;
  }
  if (v.any(k, {"did", "pushed", "merged", "deployed", "ran", "touched", "changed", "wrote",
                "approved", "let", "shipped", "deleted", "dropped", "applied"})) {
    // "who pushed this", "who pushed the bad config"; "who deployed the fix" is a question.
    for (std::size_t m = k + 1; m < k + 4 && v.inside(m) && !v.punct(m); ++m) {
      if (v.any(m, {"this", "that", "it", "bad", "broken", "wrong", "buggy"})) {
        add_blame(hits, i, m, "blame_who");
        return;
      }
    }
  }
  if (v.is(k, "thought") && v.near(k, 6, {"good", "great", "smart", "wise", "brilliant"}) &&
      v.near(k, 7, {"idea"})) {
    add_blame(hits, i, k, "blame_who");  // "who thought it was a good idea to run this on prod"
    return;
  }
  if (v.any(k, {"is", "was", "'s"}) || v.any(i, {"who's", "whos"})) {
    const std::size_t r = v.any(i, {"who's", "whos"}) && !v.any(k, {"is", "was"}) ? k : k + 1;
    if (v.is(r, "responsible") &&
        v.near(r, 4,
               {"this", "that", "outage", "incident", "mess", "breaking", "it", "downtime"})) {
      add_blame(hits, i, r, "blame_who");
    } else if (v.phrase(r, "to blame") || v.phrase(r, "at fault")) {
      add_blame(hits, i, r + 1, "blame_who");
    }
  }
}

// "your bad deploy", "Sven's sloppy rollout plan": a person's work judged.
void bad_work(const View& v, std::size_t i, Hits& hits) {
  if (!v.person_owner(i) || v.any(i, {"my", "our"})) return;
  if (v.any(i + 1, {"bad",      "broken", "buggy",         "botched",  "terrible", "awful",
                    "crappy",   "shitty", "half-baked",    "untested", "rushed",   "hasty",
                    "shoddy",   "dodgy",  "poor",          "janky",    "hacky",    "lousy",
                    "mistyped", "faulty", "misconfigured", "sloppy",   "wrong"}) &&
      !v.punct(i + 2) && !is_function_word(v.word(i + 2))) {
    add_blame(hits, i, i + 2, "blame_mistake");
    return;
  }
  // "Nikolai's rollback was botched"
  if (is_work_product(v.word(i + 1)) && v.any(i + 2, {"was", "is", "were", "got"}) &&
      v.any(v.skip(i + 3, {"completely", "totally", "badly", "really"}),
            {"botched", "rushed", "sloppy", "half-baked", "shoddy", "untested", "careless"})) {
    add_blame(hits, i, v.skip(i + 3, {"completely", "totally", "badly", "really"}),
              "blame_mistake");
  }
}

// "a bad call", "poor judgment", "did a poor job": a verdict on a decision or work someone did.
void bad_call(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"bad", "poor", "wrong", "terrible", "questionable", "dumb", "stupid", "awful"}) ||
      !v.any(i + 1, {"call", "decision", "judgment", "judgement", "choice", "job"})) {
    return;
  }
  const std::size_t k = v.skip_back(i, {"a", "an", "the", "really", "very", "pretty"});
  const bool owner = k > v.begin() && v.person_owner(k - 1);
  const bool made =
      k > v.begin() && v.any(k - 1, {"made", "make", "showed", "used", "did", "does", "do"});
  const Subject s = made ? v.subject_of(k - 1) : Subject{};
  if (owner || (made && (s.personal() || s.who == Who::none))) {
    add_blame(hits, owner ? k - 1 : (made ? k - 1 : i), i + 1, "blame_mistake");
  }
}

void mistake(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"mistake",    "mistakes", "error",   "errors",      "oversight",
                 "oversights", "typo",     "typos",   "slip",        "slip-up",
                 "slipup",     "lapse",    "misstep", "misjudgment", "misjudgement",
                 "fumble",     "goof",     "screwup", "screw-up",    "fuckup"})) {
    return;
  }
  if (is_error_compound(v, i + 1)) return;
  std::size_t j = i;  // skip adjectives back to a possessive: "his own silly mistake"
  for (int n = 0; n < 2 && j > v.begin() &&
                  (v.any(j - 1, {"own", "big", "huge", "small", "little", "simple", "silly",
                                 "stupid", "dumb", "honest", "rookie", "classic", "obvious",
                                 "costly", "bad", "careless", "one"}) ||
                   // "Emre's copy-paste error"
                   (v.word(j - 1).find('-') != std::string_view::npos && !v.at(j - 1).person));
       ++n) {
    --j;
  }
  if (j > v.begin() && v.person_owner(j - 1)) {
    // "My mistake: I approved the PR without noticing the config change": owning it.
    if (v.is(j - 1, "my")) return;
    // "the processor's status page acknowledged it as their error": a third party's own word.
    if (v.is(j - 1, "their")) {
      for (std::size_t k = v.begin(); k < j; ++k) {
        if (is_third_party(v.word(k))) return;
      }
    }
    // "my mistake in the timeline above: the page was at 03:12": correcting a record.
    if (v.any(j - 1, {"my", "our"}) && v.is(i + 1, "in") &&
        v.near(i, 5,
               {"timeline", "above", "message", "notes", "doc", "summary", "post", "update",
                "earlier", "comment"})) {
      return;
    }
    if (!v.negated(j - 1, 2)) add_blame(hits, j - 1, i, "blame_mistake");
    return;
  }
  if (v.any(i - 1, {"rookie", "honest", "silly", "stupid", "dumb", "newbie", "beginner", "amateur",
                    "noob", "careless", "beginner's", "n00b"}) ||
      (v.is(i - 1, "classic") && v.any(i, {"mistake", "mistakes"}))) {
    add_blame(hits, i - 1, i, "blame_mistake");
    return;
  }
  // "made a mistake", "made an honest mistake": who made it?
  for (std::size_t k = 1; k <= 4 && i >= v.begin() + k; ++k) {
    if (v.any(i - k, {"made", "make", "makes", "making"})) {
      if (!v.is(i - k, "made")) break;  // "everyone makes mistakes" is a platitude, not blame
      const Subject s = v.subject_of(i - k);
      if (s.who != Who::system) add_blame(hits, i - k, i, "blame_mistake");
      return;
    }
    if (v.punct(i - k)) break;
  }
  // "the kind of mistake Ivan always makes"
  for (std::size_t k = i + 1; k < i + 3 && v.inside(k); ++k) {
    if (v.at(k).person || pronoun_kind(v.word(k)) == Pronoun::person) {
      const std::size_t m =
          v.skip(k + 1, {"always", "keeps", "constantly", "usually", "often", "just"});
      if (v.any(m, {"makes", "made", "make", "making"})) add_blame(hits, i, m, "blame_mistake");
      break;
    }
  }
  for (std::size_t k = i + 1; k < i + 6 && v.inside(k); ++k) {
    if (v.is(k, "by") && v.person_np(k + 1) > 0 && !v.any(k + 1, {"me", "us"})) {
      add_blame(hits, i, k + v.person_np(k + 1), "blame_mistake");
      return;
    }
    if (is_clause_word(v.word(k)) && !v.is(k, "so")) break;
  }
  if (false) {
  } else if (v.is(i + 1, "on") && v.person_owner(i + 2) && v.is(i + 3, "part")) {
    add_blame(hits, i, i + 3, "blame_mistake");
  }
}

}  // namespace

void blame_rules(const View& v, std::vector<Hit>& hits) {
  for (std::size_t i = v.begin(); i < v.end(); ++i) {
    if (v.at(i).type == Token::Type::punct || v.at(i).type == Token::Type::url) continue;
    human_error(v, i, hits);
    fault(v, i, hits);
    on_person(v, i, hits);
    traits(v, i, hits);
    idioms(v, i, hits);
    blame_word(v, i, hits);
    who(v, i, hits);
    mistake(v, i, hits);
    bad_call(v, i, hits);
    bad_work(v, i, hits);
    agency_rules(v, i, hits);
    narration_rules(v, i, hits);
  }
}

}  // namespace incident::blameless_detail
