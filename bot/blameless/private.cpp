// Personnel matters of private life and employment: leave and health ("on parental leave",
// "off sick", "recovering from surgery"), family, notice and contracts ("handed in his notice",
// "her contract won't be renewed", "converted from a contractor to an employee"), notes for a
// 1:1 or a review, attitude, a final warning. None of it belongs in an incident review, and
// none of it needs a judging word to be private.
#include <string_view>

#include "bot/blameless/rules.h"

namespace incident::blameless_detail {

namespace {

void add(Hits& hits, std::size_t first, std::size_t last) {
  hits.push_back({FindingKind::personnel, first, last, "personnel_matter"});
}

bool person_in_sentence(const View& v) {
  for (std::size_t k = v.begin(); k < v.end(); ++k) {
    if (v.at(k).person || pronoun_kind(v.word(k)) == Pronoun::person ||
        v.any(k, {"his", "her", "their"})) {
      return true;
    }
  }
  return false;
}

void leave(const View& v, std::size_t i, Hits& hits) {
  // "medical leave", "parental leave", "on stress leave"; not "leave the cluster drained".
  if (v.is(i + 1, "leave") &&
      v.any(i, {"medical", "sick", "parental", "paternity", "maternity", "bereavement", "stress",
                "compassionate", "family", "disability", "adoption", "caregiver", "unpaid",
                "garden", "health"})) {
    add(hits, i, i + 1);
    return;
  }
  if (v.phrase(i, "mental health") > 0 && v.near(i, 6, {"his", "her", "their", "leave", "day"})) {
    add(hits, i, i + 1);
    return;
  }
  if (const std::size_t n =
          v.phrase(i, "off sick") + v.phrase(i, "out sick") + v.phrase(i, "called in sick") +
          v.phrase(i, "signed off") + v.phrase(i, "death in the family") +
          v.phrase(i, "had a baby") + v.phrase(i, "going through a divorce") +
          v.phrase(i, "in the hospital") + v.phrase(i, "in hospital") +
          v.phrase(i, "recovering from surgery") + v.phrase(i, "recovering from an operation") +
          v.phrase(i, "handed in his notice") + v.phrase(i, "handed in her notice") +
          v.phrase(i, "handed in their notice") + v.phrase(i, "final warning") +
          v.phrase(i, "written warning") + v.phrase(i, "out the door");
      n > 0) {
    if (v.phrase(i, "signed off") > 0 && !v.is(i + 2, "sick")) return;  // "signed off on the plan"
    if (v.phrase(i, "out the door") > 0 && !person_in_sentence(v)) return;
    // "the final warning email from the CA", "the written warning banner": tools.
    if ((v.phrase(i, "final warning") > 0 || v.phrase(i, "written warning") > 0) &&
        (v.any(i + 2, {"email", "emails", "banner", "message", "page", "popup", "dialog", "from",
                       "notice", "threshold", "level", "alert"}) ||
         !person_in_sentence(v))) {
      return;
    }
    add(hits, i, i + n - 1);
    return;
  }
  // "struggling with her health", "his health has been"
  if (v.is(i + 1, "health") && v.any(i, {"his", "her", "their"}) &&
      !v.any(i + 2, {"check", "checks", "endpoint", "score", "status"})) {
    add(hits, i, i + 1);
  }
}

// "notes for my 1:1 with Greta", "1:1 agenda for Tobias", "add to Laila's review:".
void one_on_one(const View& v, std::size_t i, Hits& hits) {
  const bool one_one = (v.at(i).norm == "1" && v.is(i + 1, ":") && v.at(i + 2).norm == "1") ||
                       v.any(i, {"one-on-one", "1-1", "1on1", "one-to-one"});
  if (one_one) {
    const std::size_t last = v.is(i + 1, ":") ? i + 2 : i;
    if (v.near(i, 6, {"notes", "note", "agenda", "discuss", "raise", "bring", "mention"}) ||
        (v.near(i, 4, {"with"}) && person_in_sentence(v))) {
      add(hits, i, last);
    }
    return;
  }
  // "Laila's review", "his review" as a performance review: with something to add to it.
  if (v.person_owner(i) && !v.any(i, {"my", "our", "their", "its"}) &&
      v.any(i + 1, {"review", "appraisal", "evaluation"}) &&
      v.near(i, 4, {"add", "note", "put", "mention", "write", "include", "in", "for"}) &&
      !v.near(i, 4, {"code", "pr", "design", "security", "doc", "the"})) {
    add(hits, i, i + 1);
  }
}

// "her contract won't be renewed", "not renewing the contractor", "moved from contractor to
// staff, converted to a full-time employee".
void employment(const View& v, std::size_t i, Hits& hits) {
  if (v.any(i, {"contract", "contracts"}) &&
      v.near(i, 5,
             {"renew", "renewed", "renewing", "extend", "extended", "extending", "end", "ended",
              "terminate", "terminated", "cut"}) &&
      (v.near(i, 5, {"not", "won't", "wont", "isn't", "never", "no", "being", "to"}) ||
       person_in_sentence(v)) &&
      !v.near(i, 6,
              {"vendor", "vendors", "support", "licence", "license", "lease", "sla", "provider",
               "supplier", "api", "data", "smart"})) {
    add(hits, i, i);
    return;
  }
  if (v.any(i, {"converted", "convert", "converting", "reclassified"}) &&
      v.near(i, 8, {"employee", "contractor", "full-time", "part-time", "w-2", "1099", "fte"}) &&
      !v.near(i, 8, {"table", "column", "record", "field", "data"})) {
    add(hits, i, i);
  }
}

// "Freya's attitude towards the SRE team", "a word with Ludmila about her attitude".
void attitude(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"attitude", "demeanour", "demeanor", "tone", "behaviour", "behavior"})) return;
  if (i > v.begin() && v.person_owner(i - 1) && !v.any(i - 1, {"my", "our", "its"})) {
    if (v.is(i, "tone") && !v.near(i, 6, {"problem", "issue", "with", "towards", "toward"})) {
      return;
    }
    if ((v.any(i, {"behaviour", "behavior"})) &&
        v.near(i, 3, {"cache", "system", "service", "api", "client", "server", "default"})) {
      return;
    }
    add(hits, i - 1, i);
  }
}

// "Emma won't get the promotion this cycle", "deny him the bonus".
void rewards(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"promotion", "promo", "raise", "bonus", "bonuses", "pay"})) return;
  if (v.is(i, "raise") && !v.before(i, 2, {"a", "the", "his", "her", "their"})) return;
  if (v.is(i, "pay") && !v.before(i, 2, {"his", "her", "their"})) return;
  if (!v.before(i, 4, {"get",     "getting",  "got",      "deny", "denied", "denying",
                       "lose",    "lost",     "losing",   "miss", "missed", "block",
                       "blocked", "withhold", "withheld", "cut",  "dock",   "docked",
                       "affect",  "affects",  "hurt",     "cost"})) {
    return;
  }
  if (!person_in_sentence(v)) return;
  add(hits, i, i);
}

}  // namespace

void private_rules(const View& v, std::size_t i, std::vector<Hit>& hits) {
  leave(v, i, hits);
  one_on_one(v, i, hits);
  employment(v, i, hits);
  attitude(v, i, hits);
  rewards(v, i, hits);
}

}  // namespace incident::blameless_detail
