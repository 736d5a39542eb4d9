// Internals of the blameless check: a small tokenizer for chat and post-mortem text, and the
// word lists the rules consult. Not part of the domain's interface (see blameless.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bot/blameless/blameless.h"

namespace incident::blameless_detail {

struct Token {
  enum class Type : unsigned char { word, number, mention, url, punct };
  Type type = Type::word;
  std::size_t offset = 0;       // bytes into the checked text
  std::size_t length = 0;       // bytes, possessive suffix included
  std::size_t stem_length = 0;  // bytes without a possessive "'s" / "’s" / trailing "'"
  std::string norm;             // folded (fold_name: lower case, no diacritics), ’ as ',
                                // possessive suffix removed
  bool capitalised = false;     // starts with a capital letter ("Bob", "Émile", "Łukasz")
  bool all_caps = false;        // two or more letters, all capitals ("HR", "PIP", "DNS")
  bool inner_capital = false;   // a capital after the first letter ("IaC", "GitHub")
  bool sentence_start = false;  // the first word-like token of its sentence
  bool possessive = false;      // "Dana's", "@dana's", "engineers'"
  bool broadcast = false;       // @here / @channel / <!channel>: addresses no one in particular
  bool quoted = false;          // a single word in scare quotes: ops "tested" it
  std::size_t person_span =
      0;                // > 0: a person's name or mention starts here, over this many tokens
  bool person = false;  // part of a person's name or mention
};

struct Sentence {
  std::size_t begin = 0;  // token indices [begin, end)
  std::size_t end = 0;
};

struct Tokens {
  std::vector<Token> tokens;
  std::vector<Sentence> sentences;
};

// One UTF-8 code point at i and its size in bytes; an invalid or truncated sequence is U+FFFD of
// one byte, so any input is walked byte-safely.
char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t& size);
// fold.cpp: an upper-case letter (Latin, Greek, Cyrillic); a code point's folded form appended
// to `out` (see fold_name).
bool is_upper_letter(char32_t c);
void fold_code_point(char32_t c, std::string& out);

// Splits `text` into tokens and sentences. Sentences end at . ! ? (outside numbers, versions and
// common abbreviations), at blank lines and before a line that starts a list item, a heading, a
// quote or a table row: post-mortems are often hard-wrapped, so a single newline alone does not
// end a sentence. Never reads outside `text`, whatever its bytes (invalid UTF-8 included).
Tokens tokenize(std::string_view text);

// Marks person_span on mentions, on known participant names (multi-word names too) and on common
// first names (those that are also English words only when capitalised mid-sentence).
void mark_people(Tokens& tokens, const People& people);

// Word lists. Each takes a normalized word (Token::norm).
bool is_first_name(std::string_view w);
// The judging word a word misspells by one letter ("carless" -> "careless"), or "".
std::string_view corrected_blame_word(std::string_view w);
bool is_ambiguous_name(std::string_view w);  // a first name that is also a word: "will", "rose"
bool is_person_noun(std::string_view w);     // engineer, dev, intern, on-call, someone…
bool is_system_noun(std::string_view w);     // check, job, service, deploy, alert, cache…
// Attackers, vendors, banks, customers, researchers, reporters ("customer's" too): people
// outside the team, narrated, never blamed as colleagues.
bool is_third_party(std::string_view w);
// A group of colleagues as a subject: team, squad, group, crew, folks, devs ("the billing squad
// keeps treating alerts as noise" judges a team's conduct).
bool is_team_word(std::string_view w);
bool is_function_word(std::string_view w);  // determiners, prepositions, auxiliaries, copulas
bool is_skippable(std::string_view w);      // adverbs and auxiliaries between subject and verb
bool is_determiner(std::string_view w);     // the, a, this, our…
bool is_clause_word(std::string_view w);    // because, when, but, so… (start a new clause)
bool is_negation(std::string_view w);       // not, no, never, didn't, nobody…

// Personal pronouns as subjects. first_person: I / we (self-blame and collective language).
enum class Pronoun { none, person, first_person, thing };
Pronoun pronoun_kind(std::string_view w);
// his / her / their / your / my / our / hers / yours / theirs.
bool is_person_possessive(std::string_view w);

}  // namespace incident::blameless_detail
