// The blameless language check: "focus on the what, not the who". It finds three kinds of
// phrase in free text (a timeline fact, a review reply, a whole post-mortem):
//   blame      fault put on a person ("human error", "Dana's fault", "forgot to", sarcasm…),
//              with a rewording about the system, process or tool (prompts/blameless.txt);
//   person     a participant named (known names, common first names, @mentions, Slack <@U…>,
//              Matrix ids and matrix.to links), with the role wording to use instead;
//   personnel  HR, performance and discipline matters, which never belong in the draft.
//
// Words like "failed to", "error", "fault" or "forgot" are only blame when their subject is a
// person: the checker tokenizes each sentence and decides the subject (a name, a mention, a
// personal pronoun, "someone", "the on-call engineer"…) versus a system noun phrase ("the health
// check", "the job"). We / I count as people for lapse verbs ("we forgot to renew the cert",
// "we should have caught this", "I broke the build"): they still frame a gap as a lapse, and the
// suggestion points at the missing step instead. Plain description in the first person ("we
// didn't have an alert for expiry", "I missed the page, my phone was silent") is not flagged.
//
// Beside the rules, a small learned classifier (classifier.h) scores each sentence and each
// pair of adjacent sentences; a window the rules leave unflagged that it scores above its
// threshold gets one blame or personnel finding at its most telling word or bigram, with the
// general suggestion (`blame_general`, `personnel_matter`).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bot/text/prompts.h"

namespace incident {

enum class FindingKind { blame, person, personnel };

struct Finding {
  FindingKind kind;
  std::size_t offset;      // byte offset of the flagged phrase in the checked text
  std::size_t length;      // byte length of the phrase
  std::string phrase;      // the flagged text as it appears
  std::string suggestion;  // a neutral rewording about the system/process/tool (from prompts),
                           // or for `person`: the role/neutral wording to use
};

// Known participant names / display names / first names; matched as whole words, folded
// (fold_name: any case, with or without diacritics).
struct People {
  std::vector<std::string> names;
};

std::string to_string(FindingKind k);  // "blame", "person", "personnel"

// The form in which names are compared: lower case, Latin letters without diacritics, composed
// and decomposed spellings alike ("Zoë", "ZOË", "Zoe" + U+0308, "Zoe" -> "zoe"; "Jürgen" ->
// "jurgen"; "Nguyễn" -> "nguyen"). ’ becomes '. Other scripts keep their letters (lower-cased
// for Greek and Cyrillic).
std::string fold_name(std::string_view text);

// Checks one text (a sentence, a paragraph or a whole document). Pure, no I/O. Findings are in
// text order (by offset); overlapping findings of the same kind are merged into one. Suggestions
// come from prompts/blameless.txt (keys `blame_*`, `person_role`, `personnel_matter`), rendered
// with {{phrase}} set to the flagged text; a key the prompts lack gives an empty suggestion
// rather than an exception.
std::vector<Finding> check_blameless(std::string_view text, const People& people,
                                     const Prompts& prompts);

// Convenience: true when the text has any personnel finding (the draft leaves such text out).
bool is_personnel_matter(std::string_view text);

}  // namespace incident
