// The sentence view the rules share: word access and a light subject finder. No part-of-speech
// tagger: a verb's subject is the nearest word to its left once adverbs and auxiliaries are
// skipped, which is what chat and post-mortem prose overwhelmingly look like ("the health check
// failed to", "bob just forgot to").
#include <algorithm>

#include "bot/blameless/rules.h"

namespace incident::blameless_detail {

namespace {

constexpr std::size_t kSubjectReach = 10;  // tokens a subject may sit before its verb
constexpr std::size_t kClauseReach = 40;   // tokens back to the start of a clause
constexpr std::size_t kMaxSkip = 4;        // filler words a rule steps over

bool is_conjunction(std::string_view w) {
  return w == "and" || w == "but" || w == "then" || w == "or" || w == "n" || w == "&";
}

// Leading chat noise before a clause's subject: "lol", "ok so", "honestly".
// Words between a subject and its verb that carry no subject themselves: copulas, modals and
// catenative verbs ("he was", "@kenji should be", "she keeps forgetting", "is going to").
bool is_verb_link(std::string_view w) {
  static constexpr std::string_view words[] = {
      "is", "was", "were", "are", "be", "been", "being", "am", "get", "got", "gets", "getting",
      "should", "shall", "can", "to", "keeps", "kept", "keep", "tends", "tend", "seems", "seem",
      "seemed", "appears", "appeared", "started", "stopped", "tried", "tries", "managed", "decided",
      "going", "gonna", "gotta", "needs", "need", "wanted", "wants", "supposedly", "deserves",
      "deserve", "deserved", "ought", "shouldn't", "shouldnt", "mustn't", "wouldn't", "won't",
      "can't", "cannot", "couldn't",
      // floating quantifiers: "Sam and Priya both forgot"
      "both", "all", "each"};
  return std::find(std::begin(words), std::end(words), w) != std::end(words);
}

bool is_filler(std::string_view w) {
  return w == "lol" || w == "ok" || w == "okay" || w == "so" || w == "well" || w == "yeah" ||
         w == "yes" || w == "ugh" || w == "um" || w == "uh" || w == "hmm" || w == "oh" ||
         w == "wow" || w == "fyi" || w == "fwiw" || w == "tbh" || w == "imo" || w == "btw" ||
         w == "sorry" || w == "looks" || w == "seems" || w == "like" || w == "think" ||
         w == "guess" || w == "apparently" || w == "sadly" || is_clause_word(w) || is_skippable(w);
}

}  // namespace

bool is_past_verb(std::string_view w) {
  static constexpr std::string_view irregular[] = {
      "broke",       "ran",     "did",        "made",      "took",      "put",        "set",
      "left",        "wrote",   "forgot",     "got",       "went",      "shut",       "cut",
      "hit",         "let",     "brought",    "sent",      "spun",      "threw",      "tore",
      "gave",        "blew",    "kept",       "read",      "saw",       "knew",       "thought",
      "built",       "rebuilt", "undid",      "overrode",  "overwrote", "rewrote",    "began",
      "chose",       "drove",   "fed",        "forgotten", "broken",    "done",       "known",
      "caught",      "seen",    "taken",      "told",      "given",     "written",    "gone",
      "paid",        "found",   "understood", "heard",     "held",      "meant",      "sent",
      "spent",       "lost",    "run",        "been",      "had",       "overridden", "rewritten",
      "overwritten", "driven",  "shot",       "sat",       "stood",     "bypassed",   "mistook",
      "mistaken"};
  if (std::find(std::begin(irregular), std::end(irregular), w) != std::end(irregular)) {
    return true;
  }
  return w.size() > 3 && w.substr(w.size() - 2) == "ed" && w != "need" && w != "seed" &&
         w != "feed" && w != "speed" && w != "bed" && w != "red";
}

// Positive or neutral things people do in an incident: "because Dana rolled back" is no blame.
bool is_response_verb(std::string_view w) {
  static constexpr std::string_view verbs[] = {
      "rolled",    "reverted",  "fixed",     "caught",       "noticed", "spotted", "paged",
      "escalated", "restarted", "mitigated", "resolved",     "jumped",  "acted",   "responded",
      "flagged",   "alerted",   "found",     "saw",          "helped",  "stepped", "kept",
      "handled",   "called",    "declared",  "investigated", "reacted", "was",     "were",
      "is",        "had",       "has",       "got",          "joined",  "asked",   "knew",
      "moved",     "started",   "stayed",    "came",         "woke",    "left",    "checked",
      "confirmed", "added",     "wrote"};
  for (std::string_view v : verbs) {
    if (w == v) return true;
  }
  return false;
}

std::size_t View::phrase(std::size_t i, std::string_view words) const {
  // Every rule asks this of every token, so it compares in place rather than splitting.
  for (std::size_t n = 0;; ++n) {
    const std::string_view w = word(i + n);
    if (w.empty() || w[0] != words[0] || words.compare(0, w.size(), w) != 0) return 0;
    if (words.size() == w.size()) return n + 1;
    if (words[w.size()] != ' ') return 0;
    words.remove_prefix(w.size() + 1);
  }
}

std::size_t View::skip(std::size_t i, std::initializer_list<std::string_view> words) const {
  for (std::size_t n = 0; n < kMaxSkip && any(i, words); ++n) ++i;
  return i;
}

std::size_t View::skip_back(std::size_t i, std::initializer_list<std::string_view> words) const {
  for (std::size_t n = 0; n < kMaxSkip && i > s_.begin && any(i - 1, words); ++n) --i;
  return i;
}

bool View::punct(std::size_t i) const {
  return !inside(i) || tokens_[i].type == Token::Type::punct;
}

bool View::name_like(std::size_t k) const {
  if (!inside(k)) return false;
  const Token& t = tokens_[k];
  if (t.type != Token::Type::word || !t.capitalised || t.all_caps || t.inner_capital) return false;
  return !is_system_noun(t.norm) && !is_function_word(t.norm) && !is_person_noun(t.norm) &&
         pronoun_kind(t.norm) == Pronoun::none &&
         !any(k, {"monday",   "tuesday",   "wednesday", "thursday",  "friday",  "saturday",
                  "sunday",   "january",   "february",  "march",     "april",   "may",
                  "june",     "july",      "august",    "september", "october", "november",
                  "december", "terraform", "jenkins"});
}

bool View::person_ref(std::size_t i) const {
  if (!inside(i)) return false;
  const Token& t = tokens_[i];
  if (t.person) return true;
  const std::string_view w = word(i);
  if (w == "him" || w == "her" || w == "them" || w == "you" || w == "me" || w == "u" ||
      w == "whoever" || w == "someone" || w == "somebody" || w == "everyone" || w == "everybody" ||
      w == "anyone" || w == "anybody") {
    return true;
  }
  if (is_person_noun(w) && i > s_.begin && (is_determiner(word(i - 1)) || word(i - 1) == "new")) {
    return true;
  }
  return false;
}

std::size_t View::person_np(std::size_t i) const {
  if (!inside(i)) return 0;
  const Token& t = tokens_[i];
  if (t.person_span > 0) return t.person_span;
  if (person_ref(i)) return 1;
  // Bare plurals and teams: "ops", "devs", "interns", "ppl".
  if (is_person_noun(word(i)) && word(i) != "person" && word(i) != "human") return 1;
  if (!is_determiner(word(i)) && !is_person_possessive(word(i))) return 0;
  // "the contractor", "the new guy", "our junior dev", "the SRE team"
  for (std::size_t k = i + 1; k < i + 4 && inside(k); ++k) {
    if (is_person_noun(word(k))) {
      for (std::size_t n = 0; n < kMaxSkip && inside(k + 1) && is_person_noun(word(k + 1)); ++n) {
        ++k;
      }
      return k - i + 1;
    }
    if (punct(k) || is_function_word(word(k))) break;
  }
  return 0;
}

bool View::person_owner(std::size_t i) const {
  if (!inside(i)) return false;
  const Token& t = tokens_[i];
  const std::string_view w = word(i);
  if (is_person_possessive(w)) return true;
  if (!t.possessive) return false;
  // "Kowalski's": a capitalised possessive that is no known system is most likely a person.
  return t.person || is_person_noun(w) || pronoun_kind(w) == Pronoun::person ||
         (t.capitalised && !t.all_caps && !is_system_noun(w));
}

bool View::before(std::size_t i, std::size_t distance,
                  std::initializer_list<std::string_view> words) const {
  for (std::size_t k = 1; k <= distance && i >= s_.begin + k; ++k) {
    if (any(i - k, words)) return true;
  }
  return false;
}

bool View::negated(std::size_t i, std::size_t distance) const {
  for (std::size_t k = 1; k <= distance && i >= s_.begin + k; ++k) {
    const std::size_t j = i - k;
    if (punct(j)) return false;
    if (is_negation(word(j))) return true;
  }
  return false;
}

bool View::near(std::size_t i, std::size_t limit,
                std::initializer_list<std::string_view> words) const {
  const std::size_t from = i > s_.begin + limit ? i - limit : s_.begin;
  const std::size_t to = std::min(s_.end, i + limit + 1);
  for (std::size_t k = from; k < to; ++k) {
    if (any(k, words)) return true;
  }
  return false;
}

bool View::near_next_sentence(std::size_t i, std::size_t limit,
                              std::initializer_list<std::string_view> words) const {
  if (near(i, limit, words)) return true;
  const std::size_t to = std::min(context_end_, s_.end + limit);
  for (std::size_t k = s_.end; k < to; ++k) {
    const Token& t = tokens_[k];
    if (t.type != Token::Type::url && t.type != Token::Type::mention &&
        std::find(words.begin(), words.end(), std::string_view(t.norm)) != words.end()) {
      return true;
    }
  }
  return false;
}

Subject View::nominal_at(std::size_t j) const {
  const Token& t = tokens_[j];
  if (t.person) return {Who::person, false};
  if (t.type == Token::Type::number) return {Who::system, false};
  const std::string_view w = t.norm;
  switch (pronoun_kind(w)) {
    case Pronoun::person:
      return {Who::person, false};
    case Pronoun::first_person:
      return {Who::first_person, false};
    case Pronoun::thing:
      return {Who::system, false};
    case Pronoun::none:
      break;
  }
  if (is_person_noun(w)) return {Who::person, false};
  // "the developer responsible", "the engineer involved": a person with a post-modifier.
  if ((w == "responsible" || w == "involved" || w == "concerned" || w == "assigned" ||
       w == "in-question") &&
      j > s_.begin && (is_person_noun(word(j - 1)) || tokens_[j - 1].person)) {
    return {Who::person, false};
  }
  // "the engineer on call": the head noun is before "on call".
  if (w == "call" && j >= s_.begin + 2 && word(j - 1) == "on" && word(j - 2) != "call") {
    return nominal_at(j - 2);
  }
  if (is_function_word(w) || is_past_verb(w)) return {};
  // "the root cause is that Viktor doesn't…": a capitalised word after the conjunction "that"
  // is a name more often than a thing.
  if (t.capitalised && !t.all_caps && !t.sentence_start && !is_system_noun(w) && j > s_.begin &&
      word(j - 1) == "that") {
    return {Who::unknown, false};
  }
  // A noun: whose is it? "Bob's change", "her script" are things a person owns.
  bool owned = false;
  bool determined = false;
  for (std::size_t k = j; k > s_.begin && j - k < 4;) {
    --k;
    if (punct(k)) break;
    if (person_owner(k)) owned = true;
    if (is_determiner(word(k)) || is_function_word(word(k))) {
      determined = true;
      // "the engineer responsible for the change", "Karen from the platform team": the noun
      // phrase modifies a person before it.
      std::size_t p = is_determiner(word(k)) ? k : k + 1;
      if (p > s_.begin + 1 && (word(p - 1) == "for" || word(p - 1) == "of" ||
                               word(p - 1) == "from" || word(p - 1) == "in")) {
        std::size_t h = p - 2;
        if (h > s_.begin && (word(h) == "responsible" || word(h) == "charge")) --h;
        if (h > s_.begin && word(h) == "in") --h;
        if (tokens_[h].person || is_person_noun(word(h))) return {Who::person, false};
      }
      break;
    }
  }
  // A bare word that is no known system ("Kowalski", "thiago", "replication"): can't tell.
  if (!determined && !owned && !t.all_caps && !is_system_noun(w)) {
    return {Who::unknown, false};
  }
  return {Who::system, owned};
}

Subject View::subject_of(std::size_t i) const {
  std::size_t steps = 0;
  for (std::size_t j = i; j > s_.begin && steps < kSubjectReach; ++steps) {
    --j;
    const Token& t = tokens_[j];
    if (t.type == Token::Type::punct) return {};  // a clause boundary: , ; : ( ) -
    if (t.type == Token::Type::url) return {};
    if (t.person) return {Who::person, false};
    const std::string_view w = t.norm;
    if (is_conjunction(w)) {
      // "…, and then forgot": the previous clause's subject, past the conjunctions and comma.
      std::size_t k = j;
      for (std::size_t n = 0;
           n < kMaxSkip && k > s_.begin && (word(k - 1) == "," || is_conjunction(word(k - 1)));
           ++n) {
        --k;
      }
      return clause_subject(k);
    }
    if (pronoun_kind(w) == Pronoun::none && (is_skippable(w) || is_verb_link(w))) continue;
    return nominal_at(j);
  }
  return {};
}

std::size_t View::clause_start(std::size_t i) const {
  std::size_t k = i;
  std::size_t steps = 0;
  while (k > s_.begin && steps++ < kClauseReach) {
    const std::size_t j = k - 1;
    const std::string_view w = word(j);
    const bool boundary =
        (punct(j) && w != "'") || (is_clause_word(w) && !is_conjunction(w) && w != "also");
    if (boundary) break;
    k = j;
  }
  return k;
}

Subject View::clause_subject(std::size_t i) const {
  return first_nominal(clause_start(i), i);
}

Subject View::first_nominal(std::size_t from, std::size_t to) const {
  for (std::size_t k = from; k < to && k < from + 6; ++k) {
    const Token& t = tokens_[k];
    if (t.type == Token::Type::punct || t.type == Token::Type::url) continue;
    if (t.person && !t.possessive) return {Who::person, false};  // "Bob's script" is a thing
    const std::string_view w = t.norm;
    if (pronoun_kind(w) != Pronoun::none) return nominal_at(k);
    if (is_filler(w)) continue;
    if (is_person_noun(w)) return {Who::person, false};
    if (is_determiner(w) || is_person_possessive(w) || person_owner(k)) {
      // A noun phrase: "the on-call engineer", "bob's deploy", "the health check".
      bool owned = is_person_possessive(w) || person_owner(k);
      for (std::size_t m = k + 1; m < to && m < k + 5; ++m) {
        const std::string_view n = word(m);
        if (punct(m) || is_function_word(n) || is_skippable(n) || is_past_verb(n)) break;
        if (tokens_[m].possessive && (tokens_[m].person || is_person_noun(n))) {
          owned = true;  // "the engineer's script": the script is the subject
        } else if (is_person_noun(n)) {
          return {Who::person, false};
        }
      }
      return {Who::system, owned};
    }
    if (is_past_verb(w) || is_function_word(w)) return {};
    return nominal_at(k);
  }
  return {};
}

}  // namespace incident::blameless_detail
