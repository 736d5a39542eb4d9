// Internals of the blameless check: a read-only view of one sentence's tokens with the grammar
// helpers the rules share (who is the subject of this verb?), and the two rule sets.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "bot/blameless/tokens.h"

namespace incident::blameless_detail {

// A rule's match: tokens [first, last] of the text, and the prompt key of its suggestion.
struct Hit {
  FindingKind kind;
  std::size_t first;
  std::size_t last;
  std::string_view rule;
};

// Who does the verb? `person` covers names, mentions, he/she/they/you, "someone" and person
// nouns ("the on-call engineer"); `first_person` is I / we; `system` a noun phrase about a thing
// ("the health check", "it"); `unknown` a capitalised word mid-sentence that is neither a known
// name nor a known system ("Kowalski", "Vitess"); `none` no subject (chat: "forgot to renew").
enum class Who { none, person, first_person, system, unknown };

struct Subject {
  Who who = Who::none;
  bool owned = false;  // a person's thing: "Bob's change", "her script"
  bool personal() const { return who == Who::person || who == Who::first_person; }
  bool third_person() const { return who == Who::person; }
};

using Hits = std::vector<Hit>;

inline void add_blame(Hits& hits, std::size_t first, std::size_t last, std::string_view rule) {
  hits.push_back({FindingKind::blame, first, last, rule});
}

class View {
 public:
  // `context_end`: the end of the following sentence, for rules whose evidence may come right
  // after ("Great job, Bob. Another outage.").
  View(const std::vector<Token>& tokens, Sentence s, std::size_t context_end)
      : tokens_(tokens), s_(s), context_end_(context_end) {}

  std::size_t begin() const { return s_.begin; }
  std::size_t end() const { return s_.end; }
  bool inside(std::size_t i) const { return i >= s_.begin && i < s_.end; }
  const Token& at(std::size_t i) const { return tokens_[i]; }

  // The normalized word at i ("" outside the sentence, for URLs and for mentions). Inline: every
  // rule asks it of every token.
  std::string_view word(std::size_t i) const {
    if (!inside(i)) return {};
    const Token& t = tokens_[i];
    if (t.type == Token::Type::url || t.type == Token::Type::mention) return {};
    return t.norm;
  }
  bool is(std::size_t i, std::string_view w) const { return word(i) == w; }
  bool any(std::size_t i, std::initializer_list<std::string_view> words) const {
    const std::string_view w = word(i);
    if (w.empty()) return false;
    for (std::string_view x : words) {
      if (x.size() == w.size() && x[0] == w[0] && x == w) return true;
    }
    return false;
  }
  // Matches space-separated words from i ("dropped the ball"); returns how many tokens, or 0.
  std::size_t phrase(std::size_t i, std::string_view words) const;
  bool punct(std::size_t i) const;  // a punctuation token, or outside the sentence
  // The first index from i on that is not one of `words`, skipping at most a few tokens: the
  // bound keeps every rule local, so a text of repeated words cannot make the check quadratic.
  std::size_t skip(std::size_t i, std::initializer_list<std::string_view> words) const;
  // The smallest j <= i such that the tokens [j, i) are all `words` (a few at most).
  std::size_t skip_back(std::size_t i, std::initializer_list<std::string_view> words) const;

  // A person in object or vocative position: a name, a mention, him/her/them/you/me, or a
  // person noun ("the intern").
  bool person_ref(std::size_t i) const;
  // The length in tokens of a person noun phrase starting at i ("him", "Bob Smith", "the new
  // contractor"), or 0.
  std::size_t person_np(std::size_t i) const;
  // A name-like word nobody introduced ("Tamsin", "Maren"): capitalised, no inner capital, not
  // a known system, person noun, month or weekday.
  bool name_like(std::size_t k) const;
  // his / her / my / … or a person's possessive ("Dana's", "@dana's", "someone's").
  bool person_owner(std::size_t i) const;
  // Any of `words` within `distance` tokens before i (inside the sentence).
  bool before(std::size_t i, std::size_t distance,
              std::initializer_list<std::string_view> words) const;
  bool negated(std::size_t i, std::size_t distance) const;  // not / no / never / n't before i
  // Any of `words` anywhere in the sentence, looking at most `limit` tokens either side of i.
  bool near(std::size_t i, std::size_t limit, std::initializer_list<std::string_view> words) const;
  // Like near(), but reaching into the following sentence too.
  bool near_next_sentence(std::size_t i, std::size_t limit,
                          std::initializer_list<std::string_view> words) const;

  // The subject of the verb at i: walks left over adverbs and auxiliaries; across "and"/"then"
  // it takes the previous clause's subject ("Bob restarted it and forgot to …").
  Subject subject_of(std::size_t i) const;
  // The subject that opens the clause containing i.
  Subject clause_subject(std::size_t i) const;

 private:
  Subject nominal_at(std::size_t j) const;  // classifies the word before a verb
  Subject first_nominal(std::size_t from, std::size_t to) const;
  std::size_t clause_start(std::size_t i) const;

  const std::vector<Token>& tokens_;
  Sentence s_;
  std::size_t context_end_;
};

bool is_past_verb(std::string_view w);  // broke, pushed, forgot… (heuristic: irregulars + -ed)
// Things people do while responding ("rolled back", "paged", "noticed"): "because Dana rolled
// back" is no blame.
bool is_response_verb(std::string_view w);

void blame_rules(const View& v, std::vector<Hit>& hits);
// The rules that hinge on who did a verb (blameless_agency.cpp); called by blame_rules for each
// token.
void agency_rules(const View& v, std::size_t i, std::vector<Hit>& hits);
// Causes and tone: "because Bob…", "Bob broke prod", sarcasm (blameless_causation.cpp).
void causation_rules(const View& v, std::size_t i, std::vector<Hit>& hits);
void personnel_rules(const View& v, std::vector<Hit>& hits);
// Blame as write-ups narrate it: mistakes without a judging word, the passive with a colleague
// as agent, "had been told not to", "on her watch" (narration.cpp); called for each token.
void narration_rules(const View& v, std::size_t i, std::vector<Hit>& hits);
// Leave, health, family, notice, contracts, 1:1 notes, attitude (private.cpp); for each token.
void private_rules(const View& v, std::size_t i, std::vector<Hit>& hits);

}  // namespace incident::blameless_detail
