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

// A named colleague (or a name-like word: "Olumide", "Teodor") or he/she in the sentence:
// private-life words ("surgery", "pregnant") are about someone only when someone is there;
// "they" is as often a team or a vendor.
bool individual_in_sentence(const View& v) {
  for (std::size_t k = v.begin(); k < v.end(); ++k) {
    // A capital that only opens the sentence ("Reduce burnout by…") is no name; one that acts
    // is ("Olumide had a family emergency").
    const bool name =
        v.name_like(k) && (!v.at(k).sentence_start || k != v.begin() || v.at(k).possessive ||
                           v.any(k + 1, {"is", "was", "has", "had", "will", "would", "told", "said",
                                         "asked", "mentioned", "handed", "flew", "went", "took"}));
    if (v.at(k).person || name ||
        v.any(k, {"he", "she", "him", "his", "her", "hers", "he's", "she's"})) {
      return true;
    }
  }
  return false;
}

void leave(const View& v, std::size_t i, Hits& hits) {
  // "medical leave", "parental leave", "on stress leave"; not "leave the cluster drained", nor
  // "parental leave requests are processed by the HR system" (the software that handles it).
  if (v.is(i + 1, "leave") &&
      !v.any(i + 2,
             {"requests", "request", "balance", "balances", "policy",   "policies", "form",
              "forms",    "system",  "portal",  "app",      "accrual",  "calendar", "tracker",
              "data",     "records", "page",    "flow",     "workflow", "module"}) &&
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
    if (v.near(i, 6,
               {"notes", "note", "agenda", "discuss", "raise", "bring", "mention", "prep", "points",
                "topics"}) ||
        ((v.near(i, 6, {"with"}) ||
          v.before(i, 2, {"next", "weekly", "upcoming", "our", "my", "last"})) &&
         person_in_sentence(v))) {
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
              "ends", "ending", "expires", "terminate", "terminated", "cut"}) &&
      (v.near(i, 5, {"not", "won't", "wont", "isn't", "never", "no", "being", "to"}) ||
       person_in_sentence(v) || individual_in_sentence(v)) &&
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
  if (!v.any(i, {"attitude", "demeanour", "demeanor", "tone", "behaviour", "behavior", "morale"})) {
    return;
  }
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
  if (!v.any(i, {"promotion", "promo", "raise", "bonus", "bonuses", "pay", "title"})) return;
  // "didn't get the senior title this cycle"
  if (v.is(i, "title") && !v.before(i, 2, {"senior", "staff", "principal", "lead", "manager"})) {
    return;
  }
  if (v.is(i, "raise") && !v.before(i, 2, {"a", "the", "his", "her", "their"})) return;
  if (v.is(i, "pay") && !v.before(i, 2, {"his", "her", "their"})) return;
  if (!v.before(i, 4, {"get",     "getting",  "got",      "deny",    "denied",   "denying",
                       "lose",    "lost",     "losing",   "miss",    "missed",   "block",
                       "blocked", "withhold", "withheld", "cut",     "dock",     "docked",
                       "affect",  "affects",  "hurt",     "cost",    "receive",  "receiving",
                       "forfeit", "asked",    "asking",   "request", "requested"})) {
    return;
  }
  if (!person_in_sentence(v)) return;
  add(hits, i, i);
}

// Health, family and life outside work: "Hana is pregnant", "his diagnosis", "recovering from
// knee surgery", "dealing with burnout and panic attacks", "a family emergency", "has been
// drinking a lot", "her visa situation", "handed in her resignation", "an exit interview with
// Keanu". Private whatever words surround them, once a colleague is named.
void private_life(const View& v, std::size_t i, Hits& hits) {
  std::size_t n =
      v.phrase(i, "panic attack") + v.phrase(i, "panic attacks") + v.phrase(i, "burned out") +
      v.phrase(i, "burnt out") + v.phrase(i, "family emergency") + v.phrase(i, "family matter") +
      v.phrase(i, "family reasons") + v.phrase(i, "personal reasons") +
      v.phrase(i, "personal matter") + v.phrase(i, "exit interview") + v.phrase(i, "part ways") +
      v.phrase(i, "parting ways") + v.phrase(i, "drinking a lot") +
      v.phrase(i, "drinking problem") + v.phrase(i, "been drinking") + v.phrase(i, "360 feedback") +
      v.phrase(i, "360 review") + v.phrase(i, "work permit") + v.phrase(i, "notice period") +
      v.phrase(i, "not a team player") + v.phrase(i, "health reasons") +
      v.phrase(i, "medical reasons") + v.phrase(i, "reduced hours") +
      v.phrase(i, "medical appointment") + v.phrase(i, "doctor's appointment") +
      v.phrase(i, "admitted to hospital") + v.phrase(i, "admitted to the hospital") +
      v.phrase(i, "to the hospital") + v.phrase(i, "at the hospital") + v.phrase(i, "into labour") +
      v.phrase(i, "into labor") + v.phrase(i, "his wife") + v.phrase(i, "her husband") +
      v.phrase(i, "his husband") + v.phrase(i, "her wife") + v.phrase(i, "leaving the company") +
      v.phrase(i, "left the company") + v.phrase(i, "leave the company") +
      v.phrase(i, "his last day") + v.phrase(i, "her last day") + v.phrase(i, "improvement plan") +
      v.phrase(i, "moved down from") + v.phrase(i, "manager notes") +
      v.phrase(i, "manager's notes") + v.phrase(i, "opportunities outside") +
      v.phrase(i, "other opportunities") + v.phrase(i, "for termination") +
      v.phrase(i, "performance concerns") + v.phrase(i, "performance concern") +
      v.phrase(i, "given notice") + v.phrase(i, "given his notice") +
      v.phrase(i, "given her notice") + v.phrase(i, "served notice") +
      v.phrase(i, "development plan") + v.phrase(i, "sick parent") + v.phrase(i, "sick child") +
      v.phrase(i, "caring for") + v.phrase(i, "childcare") + v.phrase(i, "child care") +
      v.phrase(i, "daycare") + v.phrase(i, "no longer be with") +
      v.phrase(i, "no longer with the company") + v.phrase(i, "junior role") +
      v.phrase(i, "part-time hours") + v.phrase(i, "going part-time") +
      v.phrase(i, "moving to part-time") + v.phrase(i, "hearing loss") +
      v.phrase(i, "reasonable adjustment") + v.phrase(i, "her partner") +
      v.phrase(i, "his partner") + v.phrase(i, "main carer") + v.phrase(i, "primary carer") +
      v.phrase(i, "carer for") + v.phrase(i, "young son") + v.phrase(i, "young daughter") +
      v.phrase(i, "his son") + v.phrase(i, "her son") + v.phrase(i, "his daughter") +
      v.phrase(i, "her daughter") + v.phrase(i, "his kids") + v.phrase(i, "her kids") +
      v.phrase(i, "his children") + v.phrase(i, "her children") + v.phrase(i, "his wellbeing") +
      v.phrase(i, "her wellbeing") + v.phrase(i, "time off to rest") +
      v.phrase(i, "interviewing elsewhere") + v.phrase(i, "interviewing at") +
      v.phrase(i, "hand in his notice") + v.phrase(i, "hand in her notice") +
      v.phrase(i, "his wedding") + v.phrase(i, "her wedding") +
      v.phrase(i, "looking for another job") + v.phrase(i, "in confidence") +
      v.phrase(i, "moved back down") + v.phrase(i, "moved down to") +
      v.phrase(i, "calibration panel") + v.phrase(i, "down-levelled") + v.phrase(i, "down-leveled");
  if (n == 0 &&
      v.any(i, {"pregnant",     "pregnancy",    "illness",      "surgery",    "burnout",
                "chemo",        "chemotherapy", "miscarriage",  "funeral",    "hospitalised",
                "hospitalized", "therapist",    "rehab",        "bereaved",   "resigned",
                "resignation",  "resigning",    "divorce",      "custody",    "ivf",
                "fertility",    "honeymoon",    "demoted",      "demotion",   "disability",
                "anxiety",      "depression",   "downlevelled", "downleveled"})) {
    // "resigned to waiting for the vendor", "he sounded resigned" are a mood, not a resignation.
    if (v.is(i, "resigned") &&
        (v.is(i + 1, "to") ||
         v.before(i, 2,
                  {"sounded", "seemed", "looked", "felt", "sounds", "seems", "looks", "feels"}))) {
      return;
    }
    n = 1;
  }
  // "his diagnosis", "diagnosed with"; not "thanks for the fast diagnosis".
  if (n == 0 && ((v.is(i, "diagnosis") && i > v.begin() && v.person_owner(i - 1) &&
                  !v.any(i - 1, {"our", "its", "their"})) ||
                 (v.is(i, "diagnosed") && v.is(i + 1, "with")))) {
    n = 1;
  }
  // "she is expecting and will reduce her hours", "she's had a hard few months at home"
  if (n == 0 && v.is(i, "expecting") && v.before(i, 2, {"is", "she's", "she"}) &&
      (v.punct(i + 1) || v.any(i + 1, {"and", "a", "twins", "again"}))) {
    n = 1;
  }
  if (n == 0 && v.phrase(i, "at home") > 0 &&
      v.near(i, 6,
             {"hard", "difficult", "tough", "rough", "going", "issues", "situation", "problems",
              "trouble"})) {
    n = 2;
  }
  // "moved out of the team lead role", "removed from her on-call lead position"
  if (n == 0 && v.any(i, {"role", "position", "title"}) &&
      v.near(i, 7, {"moved", "removed", "stripped", "demoted", "stepped", "stepping", "taken"}) &&
      v.near(i, 7, {"out", "from", "off"}) && v.before(i, 4, {"lead", "manager", "senior"})) {
    n = 1;
  }
  // "his visa situation", "her visa renewal"; not "Visa transactions were declined".
  if (n == 0 && v.is(i, "visa") && !v.at(i).capitalised &&
      (v.before(i, 1, {"his", "her", "their"}) ||
       v.any(i + 1, {"situation", "status", "renewal", "application", "issue", "issues"}))) {
    n = 1;
  }
  if (n == 0 || !individual_in_sentence(v)) return;
  // "the resignation flow in the HR app": software about the matter.
  if (v.any(i + n, {"flow", "form", "forms", "page", "app", "portal", "workflow", "tool",
                    "template", "field", "button", "screen", "module"})) {
    return;
  }
  add(hits, i, i + n - 1);
}

// "Someone should speak to Marisol about the way she talks to people", "about how he handles
// pages": a person's conduct, to be taken up with them, not in the review.
void conduct_talk(const View& v, std::size_t i, Hits& hits) {
  std::size_t n = v.phrase(i, "the way") + v.phrase(i, "how");
  if (n == 0 || !v.any(i + n, {"he", "she"})) return;
  if (!v.any(i + n + 1, {"talks", "speaks", "treats", "behaves", "acts", "handles", "responds",
                         "reacts", "communicates", "deals", "talked", "spoke", "treated", "behaved",
                         "acted", "handled", "responded", "reacted"})) {
    return;
  }
  if (!v.before(i, 3, {"about", "on", "regarding"}) ||
      !v.near(i, 12,
              {"speak", "talk", "word", "chat", "raise", "discuss", "conversation", "feedback",
               "coach", "coaching"})) {
    return;
  }
  add(hits, i, i + n + 1);
}

// "no longer being considered for the senior role", "will not be offered another engagement",
// "reassigned to the docs team as a consequence of the outage": a career consequence.
void career(const View& v, std::size_t i, Hits& hits) {
  if (v.phrase(i, "being considered for") > 0 && v.before(i, 2, {"longer", "not", "no"})) {
    add(hits, i, i + 2);
    return;
  }
  if (v.phrase(i, "be offered") > 0 && v.before(i, 2, {"not", "won't", "never"}) &&
      v.near(i + 2, 3, {"engagement", "contract", "role", "position", "extension", "job"})) {
    add(hits, i, i + 1);
    return;
  }
  if (v.any(i, {"reassigned", "transferred", "moved"}) &&
      v.near(i, 12, {"consequence", "punishment", "result"}) && individual_in_sentence(v) &&
      v.before(i, 3, {"been", "be", "was", "is", "being", "get", "got"})) {
    add(hits, i, i);
  }
}

}  // namespace

void private_rules(const View& v, std::size_t i, std::vector<Hit>& hits) {
  leave(v, i, hits);
  one_on_one(v, i, hits);
  employment(v, i, hits);
  attitude(v, i, hits);
  rewards(v, i, hits);
  private_life(v, i, hits);
  conduct_talk(v, i, hits);
  career(v, i, hits);
}

}  // namespace incident::blameless_detail
