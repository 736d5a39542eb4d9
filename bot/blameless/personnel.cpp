// Personnel rules: HR, performance, discipline and firing. These never belong in an incident
// review, yet the same words run systems: "the HR portal was down", "the alert fired", "the pod
// was terminated", "the replica was demoted", "pip install failed", "2 hr outage". Each rule
// asks for a person as the object or subject before it fires.
#include <string_view>

#include "bot/blameless/rules.h"

namespace incident::blameless_detail {

namespace {

void add(Hits& hits, std::size_t first, std::size_t last) {
  hits.push_back({FindingKind::personnel, first, last, "personnel_matter"});
}

// Like add(), unless software follows: "the performance review tool", "written warning banner",
// "the disciplinary field in the HR app" (but "the disciplinary process" is the real thing).
void add_unless_tool(const View& v, Hits& hits, std::size_t first, std::size_t last) {
  for (std::size_t k = last + 1; k <= last + 2; ++k) {  // "the disciplinary record table"
    if (v.any(k, {"tool",    "tools",  "portal",   "app",      "application", "system",
                  "module",  "table",  "column",   "field",    "form",        "template",
                  "screen",  "page",   "api",      "database", "db",          "service",
                  "banner",  "dialog", "popup",    "prompt",   "label",       "text",
                  "feature", "flag",   "endpoint", "schema",   "ui"}) ||
        (k == last + 1 && is_system_noun(v.word(k)) &&
         !v.any(k, {"process", "processes", "policy", "rules", "rule", "job", "jobs", "change"}))) {
      return;
    }
  }
  add(hits, first, last);
}

// Nouns after "HR" / "PIP" that make it a piece of software: "the HR portal", "pip install".
bool is_tool_noun(const View& v, std::size_t i) {
  return is_system_noun(v.word(i)) ||
         v.any(i,
               {"workday",   "bamboohr",     "data",         "records",      "export",   "import",
                "module",    "microservice", "connector",    "saas",         "suite",    "stack",
                "outage",    "vendor",       "software",     "tenant",       "install",  "installs",
                "installed", "installing",   "uninstall",    "freeze",       "wheel",    "resolver",
                "lockfile",  "download",     "requirements", "dependencies", "packages", "3",
                "show",      "list",         "mirror",       "index",        "cache",    "proxy",
                "upgrade",   "payroll",      "benefits",     "onboarding",   "intranet", "wiki",
                "timesheet", "timesheets",   "banner",       "dialog",       "popup",    "prompt",
                "label",     "text",         "field",        "form",         "template", "emails"});
}

bool passive_aux_before(const View& v, std::size_t i) {
  return v.before(i, 2,
                  {"be", "been", "get", "gets", "got", "getting", "being", "was", "were", "is",
                   "are", "'re", "you're", "he's", "she's", "they're"});
}

bool person_subject(const View& v, std::size_t i) {
  return v.subject_of(i).personal() ||
         v.before(i, 2, {"you're", "he's", "she's", "they're", "i'm", "we're"});
}

void hr(const View& v, std::size_t i, Hits& hits) {
  std::size_t last = i;
  if (v.phrase(i, "human resources")) {
    last = i + 1;
  } else if (!v.any(i, {"hr", "h.r"})) {
    return;
  }
  // "2 hr outage", "an hr ago": hours.
  if (i > v.begin() && (v.at(i - 1).type == Token::Type::number ||
                        v.any(i - 1, {"an", "per", "half", "few", "couple", "every", "each", "one",
                                      "two", "three", "several", "many"}))) {
    // "an HR case", "an HR complaint" are the department, in capitals.
    if (!(v.at(i).all_caps && v.is(i - 1, "an") &&
          v.any(i + 1, {"case", "complaint", "ticket", "matter", "issue", "report", "investigation",
                        "rep", "partner"}))) {
      return;
    }
  }
  std::size_t next = last + 1;
  if (is_tool_noun(v, next)) return;  // "the HR portal was down"
  if (v.at(last).possessive && !v.punct(next) && !is_function_word(v.word(next))) return;
  // "the HR team can't log in": HR people as users of a broken system.
  if (v.any(next,
            {"team", "department", "dept", "folks", "people", "users", "staff", "colleagues"}) &&
      v.near(i, 12, {"down",    "outage",   "error",   "errors",   "500",    "502",    "503",
                     "timeout", "timeouts", "slow",    "latency",  "login",  "log",    "portal",
                     "access",  "page",     "loading", "reported", "seeing", "broken", "can't",
                     "cannot",  "couldn't", "unable",  "emails",   "vpn"})) {
    return;
  }
  // HR as the people who handle personnel matters: "go to HR", "HR should know". "HR asked
  // for a status update" is a stakeholder like any other.
  const bool context =
      v.any(i - 1, {"to",        "with",  "involve", "involving", "in",      "cc",    "ping",
                    "notify",    "tell",  "told",    "report",    "contact", "email", "escalate",
                    "ask",       "from",  "by",      "get",       "looping", "loop",  "inform",
                    "informing", "alert", "call",    "for",       "asked",   "asking"}) ||
      v.any(next, {"should",        "will",      "needs",    "need",   "must",
                   "would",         "can",       "could",    "is",     "has",
                   "about",         "complaint", "case",     "issue",  "matter",
                   "investigation", "involved",  "ticket",   "report", "rep",
                   "partner",       "bp",        "business", "aware",  "want",
                   "wants",         "know",      "knows",    "hear",   "'ll",
                   "might",         "looks",     "looking",  "look",   "reviews",
                   "reviewing"}) ||
      v.near(i, 3, {"legal"}) ||
      // "…with his manager and HR.": HR as one more place the matter is taken.
      (v.punct(next) && v.any(i - 1, {"and", "or"}) &&
       v.near(i, 8, {"manager", "boss", "lead", "flagged", "escalated", "raised", "reported"}));
  if (context) add(hits, i, last);
}

void performance(const View& v, std::size_t i, Hits& hits) {
  static constexpr std::string_view phrases[] = {"performance review",
                                                 "performance reviews",
                                                 "perf review",
                                                 "perf reviews",
                                                 "performance evaluation",
                                                 "performance improvement plan",
                                                 "performance plan",
                                                 "performance management",
                                                 "performance conversation",
                                                 "perf eval",
                                                 "annual review",
                                                 "performance appraisal",
                                                 "out of a job",
                                                 "job on the line",
                                                 "personnel file",
                                                 "on thin ice",
                                                 "new job",
                                                 "another job",
                                                 "grounds for",
                                                 "fireable",
                                                 "sackable",
                                                 "formal complaint",
                                                 "culture fit",
                                                 "good fit",
                                                 "poor fit",
                                                 "bad fit",
                                                 "cut out for",
                                                 "right fit",
                                                 "recommend termination",
                                                 "recommending termination",
                                                 "pursue termination",
                                                 "final straw",
                                                 "performance rating",
                                                 "performance issues",
                                                 "performance problems",
                                                 "strike one",
                                                 "strike two",
                                                 "strike three",
                                                 "second strike",
                                                 "third strike",
                                                 "final strike",
                                                 "last strike",
                                                 "two strikes",
                                                 "three strikes",
                                                 "people ops",
                                                 "people operations",
                                                 "people partner",
                                                 "employee relations",
                                                 "hrbp",
                                                 "shown the door",
                                                 "show him the door",
                                                 "show her the door",
                                                 "show them the door",
                                                 "days are numbered",
                                                 "lose their job",
                                                 "lose his job",
                                                 "lose her job",
                                                 "lose your job",
                                                 "punishment",
                                                 "punitive",
                                                 "punish",
                                                 "punished",
                                                 "punishing",
                                                 "retrained",
                                                 "retraining",
                                                 "calibration",
                                                 "promotion",
                                                 "promo",
                                                 "last chance",
                                                 "last straw",
                                                 "managing him out",
                                                 "managing her out",
                                                 "managing them out",
                                                 "manage him out",
                                                 "manage her out",
                                                 "manage them out",
                                                 "managed out",
                                                 "final chance",
                                                 "second chance"};
  const std::string_view w0 = v.word(i);
  for (std::string_view p : phrases) {
    if (w0.empty() || p[0] != w0[0]) continue;
    if (const std::size_t n = v.phrase(i, p); n > 0) {
      // "the performance review of the caching layer", "the performance review board approved
      // the new SLOs" review systems.
      if (v.any(i + n, {"of", "for", "on"}) && v.person_np(i + n + 1) == 0) return;
      const bool about_systems =
          v.near(i, 8,
                 {"slo", "slos", "latency", "throughput", "benchmark", "benchmarks", "p99",
                  "service", "services", "cache", "query", "queries", "endpoint"});
      const bool about_people = v.near(i, 8, {"his", "her", "their", "him", "he", "she", "your"});
      if (about_systems && !about_people) return;
      // Words that are personnel matters only when said of a person: "until she's retrained",
      // "in her calibration"; not "the model was retrained", "the sensor calibration".
      if ((p == "retrained" || p == "retraining" || p == "calibration" || p == "punish" ||
           p == "punished" || p == "punishing" || p == "promotion" || p == "promo" ||
           p == "last chance" || p == "final chance" || p == "second chance") &&
          !v.near(i, 6,
                  {"his", "her", "their", "him", "he", "she", "they", "them", "your", "you", "he's",
                   "she's", "they're", "you're", "someone", "whoever"}) &&
          v.person_np(i + 1) == 0 && v.person_np(i + 2) == 0 && v.person_np(i + 3) == 0 &&
          !(i > v.begin() && v.person_owner(i - 1) && !v.any(i - 1, {"my", "our"}))) {
        return;
      }
      if (p == "grounds for" && !v.any(i + 2, {"termination", "dismissal", "firing", "discipline",
                                               "disciplinary", "a", "an"})) {
        return;
      }
      // People Operations as a team doing incident work ("hands comms to the People
      // Operations lead") is no personnel matter; taking a person to them is.
      if ((p == "people ops" || p == "people operations" || p == "people partner") &&
          (v.any(i + n, {"lead", "leads", "manager", "director", "head", "team", "coordinator"}) ||
           !v.near(i, 8,
                   {"him", "her", "them", "his", "their", "he", "she", "about", "escalate",
                    "escalated", "complaint", "report", "reported", "conduct", "behaviour",
                    "behavior", "attitude"}))) {
        return;
      }
      add_unless_tool(v, hits, i, i + n - 1);
      return;
    }
  }
  // "his performance", "her bonus", "Dana's promotion": a person's standing at work.
  // "her year-end review", "his next review": a time word may sit between owner and noun.
  if (i > v.begin() + 1 && v.any(i, {"review", "appraisal", "evaluation", "rating"}) &&
      v.any(i - 1, {"annual", "yearly", "year-end", "end-of-year", "mid-year", "quarterly", "next",
                    "upcoming", "probation", "probationary"}) &&
      v.person_owner(i - 2) && !v.any(i - 2, {"my", "our"})) {
    add(hits, i - 2, i);
    return;
  }
  if (i > v.begin() && v.person_owner(i - 1) && !v.any(i - 1, {"my", "our"}) &&
      v.any(i, {"performance", "promotion", "promo",        "bonus",  "raise",    "salary",
                "engagement",  "pay",       "compensation", "comp",   "rating",   "appraisal",
                "career",      "1:1",       "one-on-one",   "review", "record",   "conduct",
                "behavior",    "behaviour", "attitude",     "future", "contract", "employment"})) {
    if (v.any(i, {"contract", "engagement"}) &&
        !v.near(
            i, 5,
            {"renewed", "renew", "terminate", "terminated", "end", "revisit", "revisited", "review",
             "reconsider", "over", "ended", "extended", "cancel", "cancelled", "canceled"})) {
      return;  // "her contract" alone may be a vendor's
    }
    // "revisit the contractor's engagement" is a decision about a person; "the engagement ended
    // in May" is a fact.
    if (v.is(i, "engagement") &&
        !v.near(i, 5, {"revisit", "revisited", "reconsider", "terminate", "end", "review"})) {
      return;
    }
    // "her review caught it" is a code review; "in his review", "annual review" is not.
    if (v.is(i, "review") &&
        !v.before(
            i, 2,
            {"annual", "yearly", "mid-year", "perf", "year-end", "end-of-year", "quarterly", "next",
             "upcoming", "probation", "probationary", "six-month", "6-month", "performance"}) &&
        !(v.any(i - 2, {"in", "at", "during", "into", "for"}) &&
          !v.before(i - 2, 2, {"wait", "waiting", "awaiting", "need", "needs", "ready"}))) {
      return;
    }
    // "Anil's performance file" is HR's; "Omar's performance dashboard" is about a system.
    if (v.any(i + 1,
              {"dashboard",  "dashboards", "graph",  "graphs",  "chart",   "charts",   "metrics",
               "test",       "tests",      "data",   "numbers", "profile", "counters", "budget",
               "regression", "issue",      "issues", "tuning",  "fix",     "patch"})) {
      return;
    }
    add(hits, i - 1, i);
    return;
  }
  if (v.any(i, {"lose", "lost", "losing"}) && v.person_owner(i + 1) &&
      v.any(i + 2, {"job", "jobs"})) {
    add(hits, i, i + 2);
  } else if (v.is(i, "file") && v.any(i - 2, {"in", "into", "on", "for", "to"}) &&
             v.person_owner(i - 1) && !v.any(i - 1, {"my", "our"})) {
    add(hits, i - 1, i);  // "put a note in his file"
  }
}

void discipline(const View& v, std::size_t i, Hits& hits) {
  const std::string_view w = v.word(i);
  // "Paulina loses send permissions until the role split ships, as a consequence of the rename"
  if (v.any(i, {"loses", "lose", "lost", "losing"}) && i > v.begin() &&
      (v.at(i - 1).person || v.name_like(i - 1) || v.any(i - 1, {"he", "she"}))) {
    for (std::size_t k = i + 1; k < i + 4 && v.inside(k); ++k) {
      if (v.any(k, {"access", "permissions", "rights", "privileges"}) &&
          v.near(i, 16, {"until", "consequence", "result", "punishment"})) {
        add(hits, i - 1, k);
        return;
      }
    }
  }
  // "Suspend Priya's production change approvals until…", "revoke his deploy rights"
  if (v.any(i, {"suspend", "revoke", "pull", "remove", "withdraw", "suspending", "revoking"}) &&
      v.person_owner(i + 1) && !v.any(i + 1, {"my", "our", "its", "their"})) {
    for (std::size_t k = i + 2; k < i + 6 && v.inside(k) && !v.punct(k); ++k) {
      if (v.any(k, {"access", "approvals", "privileges", "rights", "permissions", "credentials",
                    "badge", "keys"})) {
        add(hits, i, k);
        return;
      }
    }
  }
  // "the engineer's production access be suspended", "her admin rights were revoked"
  if (v.any(i, {"suspended", "revoked", "removed", "pulled", "withdrawn", "paused", "frozen"}) &&
      v.before(i, 3, {"be", "been", "was", "were", "is", "are", "get", "got"})) {
    for (std::size_t k = i; k > v.begin() && i - k < 10;) {
      --k;
      if (v.any(k, {"access", "privileges", "rights", "permissions", "credentials", "badge"})) {
        for (std::size_t m = k; m > v.begin() && k - m < 4;) {
          --m;
          if (v.person_owner(m) && !v.any(m, {"my", "our"})) {
            add(hits, m, i);
            return;
          }
        }
        break;
      }
    }
  }
  if (v.any(i,
            {"disciplinary", "reprimand", "reprimanded", "reprimanding", "probation", "misconduct",
             "insubordination", "personnel", "demotion", "layoff", "layoffs", "dismissal",
             "underperforming", "underperformer", "underperformance", "underperformed"})) {
    // "a probation period for new alert rules": a trial for a thing.
    if ((w == "probation" || w == "probationary") &&
        v.near(i, 5, {"rule",     "rules", "alert",   "alerts",  "check",    "checks",  "feature",
                      "features", "flag",  "flags",   "service", "services", "monitor", "monitors",
                      "patch",    "build", "release", "canary",  "ring",     "change",  "version",
                      "deploy",   "host",  "server",  "cron",    "node",     "job",     "box"})) {
      return;
    }
    // "Disciplinary questions are out of scope for a post-mortem": the rule itself, stated.
    if (v.near(i, 8, {"scope"}) && v.near(i, 8, {"out", "outside"})) return;
    // "the demotion of the primary" is a database failover.
    if (w == "demotion" && !(i > v.begin() && v.person_owner(i - 1))) return;
    // "informing personnel", "all personnel were evacuated": staff, not a personnel matter;
    // "a personnel matter", "his personnel file" are.
    if (w == "personnel" &&
        !v.any(i + 1, {"file", "files", "matter", "matters", "issue", "issues", "action", "actions",
                       "record", "records", "decision", "decisions", "complaint", "case", "problem",
                       "review", "folder"})) {
      return;
    }
    add_unless_tool(v, hits, i, i);  // not "the disciplinary field in the HR app"
    return;
  }
  if (v.any(i, {"terminate", "end", "cancel"}) && v.person_owner(i + 1) &&
      v.any(i + 2, {"contract", "employment"})) {
    add(hits, i, i + 2);  // "terminate his contract"
    return;
  }
  if (v.any(i, {"discipline", "disciplined", "demote", "demoted", "suspend", "suspended",
                "terminate", "terminated", "dismiss", "dismissed", "warned", "terminating",
                "disciplining", "demoting", "suspending", "dismissing"})) {
    if (w == "warned") {
      // "she's been warned twice": a record of warnings; "we were warned by the vendor" is not,
      // nor "he was warned about the quota" (a notice about a thing).
      if (v.any(i + 1, {"about", "of"}) && v.any(i + 2, {"the", "a", "an", "its", "our"})) return;
      if (passive_aux_before(v, i) && v.subject_of(i).who == Who::person) add(hits, i, i);
      return;
    }
    if (const std::size_t np = v.person_np(i + 1); np > 0 && !v.is(i + 1, "me")) {
      // "suspended the admin account", "terminated the contractor's sessions": accounts.
      if (v.any(i + 1 + np,
                {"account", "accounts", "user", "users", "session", "sessions", "credentials",
                 "token", "tokens", "laptop", "access", "login", "logins", "key", "keys"}) ||
          v.at(i + np).possessive) {
        return;
      }
      add(hits, i, i + np);  // "discipline him", "terminate Bob"
    } else if (passive_aux_before(v, i) && v.subject_of(i).who == Who::person) {
      add(hits, i, i);  // "he should be disciplined"; "the pod was terminated" is a thing
    } else if (w == "discipline" && v.before(i, 2, {"face", "facing", "consider", "for"})) {
      add(hits, i, i);
    }
    return;
  }
  if (v.is(i, "termination") && v.is(i + 1, "of") && v.person_ref(i + 2)) add(hits, i, i + 2);
  if (v.is(i, "accountable") && v.before(i, 3, {"hold", "held", "holding", "holds"})) {
    std::size_t k = i;
    while (k > v.begin() && !v.any(k, {"hold", "held", "holding", "holds"})) --k;
    add(hits, k, i);
  }
  if (v.any(i, {"consequences", "consequence", "repercussions"}) &&
      ((v.is(i + 1, "for") && v.person_np(i + 2) > 0 && !v.any(i + 2, {"me", "us"})) ||
       v.before(i, 2, {"face", "facing"}))) {
    add(hits, i, v.is(i + 1, "for") && v.person_np(i + 2) > 0 ? i + 1 + v.person_np(i + 2) : i);
  }
  // "a strike against Hugo", "a mark against her"
  if (v.any(i, {"strike", "strikes", "mark", "marks", "black"}) && v.is(i + 1, "against") &&
      v.person_np(i + 2) > 0 && !v.any(i + 2, {"me", "us"})) {
    add(hits, i, i + 1 + v.person_np(i + 2));
  }
  // "if this happens again, he's out", "one more and she's gone"
  if (v.any(i, {"he's", "she's", "they're", "you're"}) &&
      v.any(i + 1, {"out", "gone", "done", "finished", "toast", "history"}) && v.punct(i + 2) &&
      v.near(i, 12, {"again", "if", "strike", "more", "next", "another"})) {
    add(hits, i, i + 1);
  }
}

void warning(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"warning", "warnings"}) || i == v.begin()) return;
  // "a warning from the linter", "warnings in the build log" come from tools.
  if (v.any(i + 1, {"from", "in", "during"})) {
    const std::size_t k = v.skip(i + 2, {"the", "a", "an", "our", "this", "its"});
    if (is_system_noun(v.word(k)) ||
        v.any(k, {"linter", "compiler", "ide", "console", "terminal", "browser", "scanner"})) {
      return;
    }
  }
  // "Diego has had multiple warnings": a person's record of warnings.
  for (std::size_t k = i; k > v.begin() && i - k < 4;) {
    --k;
    if (v.any(k, {"had", "has", "got", "gotten", "received", "given", "gets", "getting"})) {
      if (v.subject_of(k).who == Who::person) {
        add(hits, k, i);
        return;
      }
      break;
    }
  }
  if (v.any(i - 1, {"written", "verbal", "formal"})) {
    add_unless_tool(v, hits, i - 1, i);
  } else if (v.is(i - 1, "final") &&
             v.near(i, 6, {"his", "her", "him", "them", "you", "your", "their", "he", "she"})) {
    add(hits, i - 1, i);
  } else if (v.is(i - 1, "a") && v.person_ref(i - 2) &&
             v.before(i, 4, {"give", "gave", "giving", "issue", "issued", "get", "got"})) {
    add(hits, i - 2, i);
  }
}

void firing(const View& v, std::size_t i, Hits& hits) {
  const std::string_view w = v.word(i);
  if (v.is(i, "can") && v.any(i + 1, {"him", "her", "them"}) && v.punct(i + 2)) {
    add(hits, i, i + 1);  // "they should can him"
    return;
  }
  if (v.any(i, {"fire", "firing", "fired", "fires", "sack", "sacked", "sacking", "canned"})) {
    const std::size_t np = v.person_np(i + 1);
    if (np > 0 && !v.is(i + 1, "me") && !v.any(i + 1 + np, {"a", "an"})) {
      add(hits, i, i + np);  // "fire him", "fire whoever did this", "sack the intern"
      return;
    }
    if (v.phrase(i, "firing offense") || v.phrase(i, "firing offence")) {
      add(hits, i, i + 1);
      return;
    }
    if (v.any(i, {"fired", "sacked", "canned"}) && passive_aux_before(v, i) &&
        person_subject(v, i)) {
      add(hits, i, i);  // "he'll get fired"; "the alert was fired" is a thing
      return;
    }
    if (w == "fired" && v.any(i + 1, {"for", "over"}) && v.any(i + 2, {"this", "that", "it"}) &&
        person_subject(v, i)) {
      add(hits, i, i + 2);
    }
    return;
  }
  if (v.phrase(i, "the sack") && v.before(i, 2, {"get", "got", "gets", "given"})) {
    add(hits, i, i + 1);
  } else if (v.any(i, {"let", "letting"}) && v.person_np(i + 1) > 0 &&
             v.is(i + 1 + v.person_np(i + 1), "go") && !v.is(i + 1, "me") && !v.is(i + 1, "us")) {
    add(hits, i, i + 1 + v.person_np(i + 1));  // "let him go", "let the contractor go"
  } else if (v.is(i, "let") && v.is(i + 1, "go") && !v.is(i + 2, "of") &&
             passive_aux_before(v, i) && person_subject(v, i)) {
    add(hits, i, i + 1);  // "she was let go"
  } else if (v.is(i, "laid") && v.is(i + 1, "off") && person_subject(v, i)) {
    add(hits, i, i + 1);
  }
}

// "get her suspended", "have him fired": making it happen to a person.
void have_done(const View& v, std::size_t i, Hits& hits) {
  if (!v.any(i, {"get", "got", "have", "had", "see", "getting"})) return;
  const std::size_t np = v.person_np(i + 1);
  if (np == 0 || v.any(i + 1, {"me", "us", "everyone", "everybody"})) return;
  const std::size_t k = i + 1 + np;
  if (v.any(k, {"fired", "suspended", "demoted", "terminated", "disciplined", "sacked", "canned",
                "reprimanded", "dismissed", "reassigned", "transferred", "retrained", "benched",
                "replaced", "removed", "moved"}) ||
      (v.is(k, "written") && v.is(k + 1, "up"))) {
    add(hits, i, v.is(k, "written") ? k + 1 : k);
  }
}

void write_up(const View& v, std::size_t i, Hits& hits) {
  if (v.any(i, {"write", "writing", "wrote"}) && v.person_ref(i + 1) && v.is(i + 2, "up") &&
      !v.is(i + 1, "me")) {
    add(hits, i, i + 2);  // "write her up"; "the write-up" is the post-mortem itself
  } else if (v.any(i, {"write", "writing"}) && v.is(i + 1, "up") && v.inside(i + 2) &&
             (v.at(i + 2).person || v.any(i + 2, {"him", "her", "them"}) ||
              (v.person_np(i + 2) > 0 && !v.any(i + 2, {"me", "us", "everyone"}) &&
               !v.any(i + 2, {"the", "a", "an", "our", "this"})))) {
    add(hits, i, i + 2);  // "write up Jake"; "write up the timeline" is the review itself
  } else if (v.is(i, "written") && v.is(i + 1, "up") && passive_aux_before(v, i) &&
             v.subject_of(i).who == Who::person) {
    add(hits, i, i + 1);
  }
}

void manager(const View& v, std::size_t i, Hits& hits) {
  // "talk to his manager", "Dana's boss should hear about this". My / our manager is the
  // writer's own chain, usually about approvals.
  // "his line manager", "her direct manager": one modifier may sit between.
  const std::size_t o =
      i > v.begin() + 1 && v.any(i - 1, {"line", "direct", "new", "team", "reporting"}) ? i - 1 : i;
  if (v.any(i, {"manager", "boss", "supervisor", "skip-level", "mgr"}) && o > v.begin() &&
      v.person_owner(o - 1) && !v.any(o - 1, {"my", "our"}) &&
      v.near(
          i, 7,
          {"talk",         "talking",  "tell",    "telling",  "escalate", "escalating", "escalated",
           "inform",       "informed", "loop",    "looping",  "cc",       "report",     "reporting",
           "hear",         "know",     "involve", "involved", "flag",     "raise",      "raising",
           "conversation", "word",     "chat",    "speak",    "aware",    "mention",    "1",
           "flagged",      "raised",   "going",   "go",       "went",     "emailed",    "pinged",
           "contacted",    "contact",  "message", "messaged", "bring",    "brought",    "bringing",
           "notify",       "notified", "email",   "ping",     "told",     "discuss",    "sit",
           "offline"})) {
    add(hits, o - 1, i);
    return;
  }
  if (v.is(i, "report") && v.person_ref(i + 1) && !v.any(i + 1, {"me", "us"}) &&
      !is_person_noun(v.word(i + 1))) {
    add(hits, i, i + 1);  // "report him"; "report the bug" is about a thing
    return;
  }
  // "a complaint against him", "file a complaint with HR"; not "a complaint with the vendor".
  if (v.any(i, {"complaint", "complaints"}) &&
      ((v.any(i + 1, {"against", "about"}) && v.person_np(i + 2) > 0) ||
       (v.before(i, 3, {"file", "filed", "filing", "lodge", "lodged"}) &&
        v.near(i, 6, {"hr", "him", "her", "them", "against"})))) {
    add(hits, i, i);
  }
}

// "get him off the on-call rotation", "take Bob off the project", "revoke her access".
void removal(const View& v, std::size_t i, Hits& hits) {
  if (v.any(i, {"get", "take", "kick", "pull", "boot", "remove", "ban", "bar", "move", "transfer",
                "rotate", "drop"}) &&
      v.person_np(i + 1) > 0 && !v.any(i + 1, {"me", "us", "everyone"})) {
    const std::size_t k = i + 1 + v.person_np(i + 1);
    if (v.any(k, {"off", "from", "out"}) && v.near(k, 4,
                                                   {"rotation", "on-call", "oncall", "pager",
                                                    "team", "project", "prod", "production"})) {
      add(hits, i, k);
    }
  } else if (v.any(i, {"revoke", "revoking", "revoked", "pull", "pulling", "remove", "removing",
                       "suspend", "strip", "yank", "take", "taking"}) &&
             v.person_owner(i + 1) && !v.any(i + 1, {"my", "our"})) {
    // "revoke her on-call privileges", "pull his prod access"
    for (std::size_t k = i + 2; k < i + 5 && v.inside(k); ++k) {
      if (v.any(k, {"access", "permissions", "rights", "privileges", "privilege", "keys", "badge",
                    "credentials", "sudo", "pager"})) {
        add(hits, i, k);
        return;
      }
      if (v.punct(k)) return;
    }
  }
}

// "whether Sunil stays on the on-call rotation", "should she remain on the team"
void stays_on(const View& v, std::size_t i, Hits& hits) {
  // "whether Tara is ready for on-call", "he isn't fit for the role"
  if (v.any(i, {"ready", "fit", "suited", "qualified"}) && v.is(i + 1, "for") &&
      v.near(i + 1, 3,
             {"on-call", "oncall", "role", "promotion", "job", "position", "rotation",
              "responsibility", "team"}) &&
      v.near(i, 6, {"whether", "if", "not", "isn't", "isnt", "aren't", "wasn't", "never"})) {
    const Subject s = v.subject_of(i);
    const bool named = i > v.begin() + 1 && v.at(i - 2).capitalised && !v.at(i - 2).all_caps &&
                       !v.at(i - 2).sentence_start && !is_system_noun(v.word(i - 2)) &&
                       !is_determiner(v.word(i - 3));
    if (s.who == Who::person || named) {
      add(hits, i, i + 1);
      return;
    }
  }
  if (!(v.any(i, {"stays", "stay", "remains", "remain", "belongs", "belong"}) ||
        (v.is(i, "be") && v.before(i, 2, {"shouldn't", "shouldnt", "not", "never"}))) ||
      !v.any(i + 1, {"on", "in"})) {
    return;
  }
  if (!v.near(i + 1, 4, {"rotation", "on-call", "oncall", "team", "pager", "project"})) return;
  if (v.subject_of(i).who != Who::person ||
      !v.near(i, 6, {"whether", "should", "shouldn't", "shouldnt", "if", "can", "deserves"})) {
    return;
  }
  add(hits, i, i + 1);
}

// "replace him", "get rid of that contractor", "she should resign", "put him on notice".
void removal_phrases(const View& v, std::size_t i, Hits& hits) {
  const std::string_view w = v.word(i);
  std::size_t np = 0;
  if (v.any(i, {"replace", "replacing", "ditch"}) && (np = v.person_np(i + 1)) > 0 &&
      !v.any(i + 1, {"me", "us"}) &&
      // "terminated the stuck instances and let the autoscaler replace them": things.
      !(v.is(i + 1, "them") &&
        v.near(i, 8,
               {"instances", "instance", "nodes", "pods", "hosts", "servers", "autoscaler", "disks",
                "containers", "vms", "replicas", "workers", "certs", "keys"}))) {
    add(hits, i, i + np);
  } else if (v.phrase(i, "get rid of") && (np = v.person_np(i + 3)) > 0) {
    add(hits, i, i + 2 + np);
  } else if (v.any(i, {"resign", "resigns", "quit"}) || (w == "step" && v.is(i + 1, "down"))) {
    if (v.subject_of(i).who == Who::person) add(hits, i, w == "step" ? i + 1 : i);
  } else if (v.phrase(i, "on notice") && i > v.begin() && v.person_ref(i - 1)) {
    add(hits, i - 1, i + 1);
  } else if ((v.phrase(i, "deal with") || v.phrase(i, "count against") ||
              v.phrase(i, "held against") || v.phrase(i, "hold against")) &&
             v.any(i + 2, {"him", "her", "them"})) {
    add(hits, i, i + 2);
  } else if (v.any(i, {"taken", "removed", "kicked", "pulled", "booted"}) &&
             v.any(i + 1, {"off", "from", "out"}) &&
             v.near(i + 1, 3, {"rotation", "on-call", "oncall", "pager", "team", "project"}) &&
             v.subject_of(i).who == Who::person) {
    add(hits, i, i + 1);
  }
}

// "the third time he's done this": keeping a tally on a person is a performance matter.
void pattern(const View& v, std::size_t i, Hits& hits) {
  if (v.any(i, {"second", "third", "fourth", "fifth", "nth", "2nd", "3rd", "4th", "5th",
                "umpteenth", "hundredth", "millionth", "tenth"}) &&
      v.any(i + 1, {"time", "incident", "outage"})) {
    for (std::size_t k = i + 2; k < i + 6 && v.inside(k); ++k) {
      if (v.punct(k)) break;
      const Token& t = v.at(k);
      const bool name_like = t.capitalised && !t.all_caps && !t.sentence_start &&
                             !is_system_noun(t.norm) && !is_function_word(t.norm);
      if (v.person_ref(k) || pronoun_kind(v.word(k)) == Pronoun::person || name_like) {
        add(hits, i, k);
        return;
      }
    }
    return;
  }
  if (v.any(i, {"keeps", "keep", "kept"}) && v.any(i + 1, {"doing", "breaking", "making"}) &&
      v.subject_of(i).who == Who::person) {
    add(hits, i, i + 2 < v.end() ? i + 2 : i + 1);
  } else if (v.phrase(i, "pattern of") &&
             v.any(i + 2, {"behavior", "behaviour", "mistakes", "carelessness", "negligence"})) {
    add(hits, i, i + 2);
  } else if (v.phrase(i, "attitude problem")) {
    add(hits, i, i + 1);
  }
}

// "put him on a PIP", "pip him"; not "pip install", "via pip", "the PIP package".
void pip(const View& v, std::size_t i, Hits& hits) {
  if (!v.is(i, "pip") || is_tool_noun(v, i + 1)) return;
  const bool caps = v.at(i).all_caps;
  if (!caps &&
      v.before(i, 1, {"via", "with", "using", "run", "ran", "python", "python3", "conda", "the"})) {
    return;
  }
  if (caps || v.before(i, 2, {"on", "a", "put", "his", "her", "their", "formal"}) ||
      v.person_ref(i + 1)) {
    add(hits, i, v.person_ref(i + 1) ? i + 1 : i);
  }
}

}  // namespace

void personnel_rules(const View& v, std::vector<Hit>& hits) {
  for (std::size_t i = v.begin(); i < v.end(); ++i) {
    if (v.at(i).type == Token::Type::punct || v.at(i).type == Token::Type::url) continue;
    hr(v, i, hits);
    performance(v, i, hits);
    discipline(v, i, hits);
    warning(v, i, hits);
    firing(v, i, hits);
    write_up(v, i, hits);
    have_done(v, i, hits);
    manager(v, i, hits);
    pattern(v, i, hits);
    removal(v, i, hits);
    removal_phrases(v, i, hits);
    stays_on(v, i, hits);
    pip(v, i, hits);
  }
  // "1:1" is three tokens, number first: private_rules looks at every token.
  for (std::size_t i = v.begin(); i < v.end(); ++i) {
    if (v.at(i).type == Token::Type::url) continue;
    private_rules(v, i, hits);
  }
}

}  // namespace incident::blameless_detail
