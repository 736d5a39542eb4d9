// The command grammar (bot/model/command.h), table-driven: each case is the text after the
// prefix, the platform time of the message, and the parse result rendered as one comparable
// string.
#include "bot/model/command.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace incident {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;

constexpr Date kDay{std::chrono::year{2026}, std::chrono::November, std::chrono::day{29}};

TimePoint on(Date d, int h, int m, int s = 0) {
  return sys_days{d} + std::chrono::hours{h} + std::chrono::minutes{m} + std::chrono::seconds{s};
}
Date ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}
// 2026-11-29 at the given UTC time.
TimePoint at(int h, int m, int s = 0) {
  return on(kDay, h, m, s);
}
const TimePoint kNow = at(10, 0);

// Own names rather than model.h's to_string, so these tests pin the parser alone.
std::string sev(Severity s) {
  return s == Severity::unset ? "unset" : "sev" + std::to_string(static_cast<int>(s));
}
std::string role(Role r) {
  switch (r) {
    case Role::commander:
      return "commander";
    case Role::comms:
      return "comms";
    case Role::scribe:
      return "scribe";
  }
  return "?";
}

struct Describe {
  std::string operator()(const cmd::Start& c) const {
    return "start|" + c.title + "|" + sev(c.severity) + (c.is_private ? "|private" : "") +
           (c.is_security ? "|security" : "") +
           (c.own_channel ? (*c.own_channel ? "|new" : "|here") : "");
  }
  std::string operator()(const cmd::Log& c) const {
    return "log|" + c.text + "|" + (c.at ? format_iso(*c.at) : "now");
  }
  std::string operator()(const cmd::Action& c) const {
    return "action|" + c.text + "|" + c.owner + "|" + (c.due ? format_date(*c.due) : "none");
  }
  std::string operator()(const cmd::Done& c) const { return "done|" + std::to_string(c.number); }
  std::string operator()(const cmd::SetSeverity& c) const { return "severity|" + sev(c.severity); }
  std::string operator()(const cmd::AssignRole& c) const {
    return "role|" + role(c.role) + "|" + c.user;
  }
  static std::string id(std::int64_t n) { return n == 0 ? "" : "|INC-" + std::to_string(n); }
  std::string operator()(const cmd::ShowStatus& c) const { return "status" + id(c.incident); }
  std::string operator()(const cmd::Close& c) const { return "close|" + c.resolution; }
  std::string operator()(const cmd::Postmortem& c) const { return "postmortem" + id(c.incident); }
  std::string operator()(const cmd::Draft& c) const { return "draft" + id(c.incident); }
  std::string operator()(const cmd::Share& c) const {
    return "share" + id(c.incident) + (c.confirm ? "|confirm" : "");
  }
  std::string operator()(const cmd::Publish& c) const {
    return "publish" + id(c.incident) + (c.confirm ? "|confirm" : "");
  }
  std::string operator()(const cmd::Web& c) const { return "web" + id(c.incident); }
  std::string operator()(const cmd::Remind& c) const { return c.on ? "remind on" : "remind off"; }
  std::string operator()(const cmd::ReviewAt& c) const { return "review at|" + format_utc(c.at); }
  std::string operator()(const cmd::SetMilestone& c) const {
    return "milestone|" + to_string(c.milestone) + "|" + (c.at ? format_iso(*c.at) : "now");
  }
  std::string operator()(const cmd::SetType& c) const {
    return c.security ? "type security" : "type standard";
  }
  std::string operator()(const cmd::Notify& c) const {
    return "notify|" + c.who + "|" + format_iso(c.by);
  }
  std::string operator()(const cmd::Notified& c) const {
    return "notified|" + std::to_string(c.number);
  }
  std::string operator()(const cmd::Help&) const { return "help"; }
  std::string operator()(const cmd::Unknown& c) const { return "unknown|" + c.word; }
};

std::string describe(const ParseResult& r) {
  if (const auto* e = std::get_if<ParseError>(&r)) return "error|" + e->message + "|" + e->usage;
  return std::visit(Describe{}, std::get<Command>(r));
}

struct Case {
  std::string input;
  TimePoint now;
  std::string expected;
};

const std::string kStartUsage = "start <title> [sev1..sev4] [private] [security] [new|here]";
const std::string kLogUsage = "log [<time>] <fact>";
const std::string kActionUsage = "action <text> [owner:<@user or team>] [due:YYYY-MM-DD]";
const std::string kMilestoneUsage =
    "milestone <started|detected|mitigated|contained|eradicated|recovered|resolved> [<time>]";
const std::string kTimeHint = " (use HH:MM in UTC, or ISO-8601 like 2026-11-29T14:05Z)";

std::string start_error(const std::string& m) {
  return "error|" + m + "|" + kStartUsage;
}
std::string log_error(const std::string& m) {
  return "error|" + m + "|" + kLogUsage;
}
std::string action_error(const std::string& m) {
  return "error|" + m + "|" + kActionUsage;
}
std::string invalid_time(const std::string& t) {
  return log_error("\"" + t + "\" is not a valid time" + kTimeHint);
}

std::vector<Case> grammar_cases() {
  std::vector<Case> cases = {
      // ---- start --------------------------------------------------------------------------
      {"start DB down", kNow, "start|DB down|unset"},
      {"start DB down sev1", kNow, "start|DB down|sev1"},
      {"start Key leak sev1 private", kNow, "start|Key leak|sev1|private"},
      {"start Key leak PRIVATE sev2", kNow, "start|Key leak|sev2|private"},
      {"start Key leak private", kNow, "start|Key leak|unset|private"},
      {"start Key leak security private sev1", kNow, "start|Key leak|sev1|private|security"},
      {"start Key leak sev1 private security new", kNow,
       "start|Key leak|sev1|private|security|new"},
      {"start DB down here", kNow, "start|DB down|unset|here"},
      {"notify the data protection authority by 2026-12-02 14:00", kNow,
       "notify|the data protection authority|2026-12-02T14:00:00.000Z"},
      {"notify customers in the EU by the account team by 2026-12-02T15:00+01:00", kNow,
       "notify|customers in the EU by the account team|2026-12-02T14:00:00.000Z"},
      {"notify the regulator", kNow,
       "error|say who must be notified, then `by` and the deadline|notify <who> by <YYYY-MM-DD "
       "HH:MM> (UTC)"},
      {"notify  by 2026-12-02 14:00", kNow,
       "error|say who must be notified|notify <who> by <YYYY-MM-DD HH:MM> (UTC)"},
      {"notify the regulator by friday", kNow,
       "error|\"friday\" is not a date and time (like 2026-12-10 14:00, UTC)|notify <who> by "
       "<YYYY-MM-DD HH:MM> (UTC)"},
      {"notified 2", kNow, "notified|2"},
      {"notified #2", kNow, "notified|2"},
      {"notified", kNow, "error|missing the notification number|notified <n>"},
      {"notified 1 2", kNow, "error|notified takes one notification number|notified <n>"},
      {"notified x", kNow,
       "error|\"x\" is not a notification number (use 1, 2, 3, …)|notified <n>"},
      {"start DB down new here", kNow, "start|DB down new|unset|here"},
      {"start new", kNow, "start|new|unset"},
      {"type security", kNow, "type security"},
      {"Type STANDARD", kNow, "type standard"},
      {"type", kNow, "error|say `security` or `standard`|type security|standard"},
      {"type secret", kNow,
       "error|\"secret\" is neither `security` nor `standard`|type security|standard"},
      {"start private", kNow, "start|private|unset"},
      {"start sev2", kNow,
       "error|missing the incident title|start <title> [sev1..sev4] [private] [security] "
       "[new|here]"},
      {"start DB down SEV2", kNow, "start|DB down|sev2"},
      {"start DB down sev-3", kNow, "start|DB down|sev3"},
      {"start DB down SEV-4", kNow, "start|DB down|sev4"},
      {"START Checkout latency Sev2", kNow, "start|Checkout latency|sev2"},
      {"start   Payments    double  charge   sev1  ", kNow,
       "start|Payments    double  charge|sev1"},
      {"start\tDB\tdown\tsev1", kNow, "start|DB\tdown|sev1"},
      {"start\nDB down\r\nsev2\n", kNow, "start|DB down|sev2"},
      {"start 🔥 checkout on fire 🔥 sev1", kNow, "start|🔥 checkout on fire 🔥|sev1"},
      {"start Ünïcödé café outage — Zürich", kNow, "start|Ünïcödé café outage — Zürich|unset"},
      {"start 支付服务 超时", kNow, "start|支付服务 超时|unset"},
      {"start sev1 in EU sev2", kNow, "start|sev1 in EU|sev2"},  // only the last token counts
      {"start Upgrade severity", kNow, "start|Upgrade severity|unset"},
      {"start DB down sev", kNow, "start|DB down sev|unset"},
      {"start DB down sev1x", kNow, "start|DB down sev1x|unset"},
      {"start sev1", kNow, start_error("missing the incident title")},
      {"start", kNow, start_error("missing the incident title")},
      {"start  \t ", kNow, start_error("missing the incident title")},
      {"start DB down sev5", kNow, start_error("\"sev5\" is not a severity (use sev1..sev4)")},
      {"start DB down SEV-0", kNow, start_error("\"SEV-0\" is not a severity (use sev1..sev4)")},
      // ---- log without a time -------------------------------------------------------------
      {"log failover done", kNow, "log|failover done|now"},
      {"LOG failover done", kNow, "log|failover done|now"},
      {"log    spaced   out   fact  ", kNow, "log|spaced   out   fact|now"},
      {"log 3 pods restarted", kNow, "log|3 pods restarted|now"},
      {"log 📌 cache flushed 🎉", kNow, "log|📌 cache flushed 🎉|now"},
      {"log ::: odd", kNow, "log|::: odd|now"},
      {"log 2026-11-29 release was tagged", kNow, "log|2026-11-29 release was tagged|now"},
      {"log", kNow, log_error("missing the fact to log")},
      {"log \t\n ", kNow, log_error("missing the fact to log")},
      // ---- log HH:MM: UTC today, or yesterday when at most 12 hours back -----------------
      {"log 09:30 failover done", kNow, "log|failover done|2026-11-29T09:30:00.000Z"},
      {"log 9:05 paged", kNow, "log|paged|2026-11-29T09:05:00.000Z"},
      {"log 10:00 right now", kNow, "log|right now|2026-11-29T10:00:00.000Z"},
      {"log 14:05 x", at(14, 5, 30), "log|x|2026-11-29T14:05:00.000Z"},
      {"log 14:05:20 x", at(14, 5, 30), "log|x|2026-11-29T14:05:20.000Z"},
      {"log 23:55 alert fired", at(0, 10), "log|alert fired|2026-11-28T23:55:00.000Z"},
      {"log 00:00 midnight", at(0, 0), "log|midnight|2026-11-29T00:00:00.000Z"},
      {"log 23:59 x", at(0, 0), "log|x|2026-11-28T23:59:00.000Z"},
      {"log 22:00 x", kNow, "log|x|2026-11-28T22:00:00.000Z"},  // exactly 12 hours back
      {"log 22:01 x", kNow, "log|x|2026-11-28T22:01:00.000Z"},
      {"log 23:55 x", on(ymd(2026, 12, 1), 0, 10), "log|x|2026-11-30T23:55:00.000Z"},
      {"log 23:50 x", on(ymd(2027, 1, 1), 0, 5), "log|x|2026-12-31T23:50:00.000Z"},
      {"log 23:50 x", on(ymd(2028, 3, 1), 0, 5), "log|x|2028-02-29T23:50:00.000Z"},
      {"log 00:15 x", at(0, 10),
       log_error("00:15 is later than now (it is 00:10 UTC); for 23h 55m ago, give the date: "
                 "2026-11-28T00:15Z")},
      {"log 14:05 x", kNow,
       log_error("14:05 is later than now (it is 10:00 UTC); for 19h 55m ago, give the date: "
                 "2026-11-28T14:05Z")},
      {"log 14:06 x", at(14, 5, 30),
       log_error("14:06 is later than now (it is 14:05 UTC); for 23h 59m ago, give the date: "
                 "2026-11-28T14:06Z")},
      {"log 10:01 x", kNow,
       log_error("10:01 is later than now (it is 10:00 UTC); for 23h 59m ago, give the date: "
                 "2026-11-28T10:01Z")},
      {"log 21:59 x", kNow,
       log_error("21:59 is later than now (it is 10:00 UTC); for 12h 01m ago, give the date: "
                 "2026-11-28T21:59Z")},
      {"log 09:30 UTC failover", kNow, "log|failover|2026-11-29T09:30:00.000Z"},
      {"log 09:30, failover done", kNow, "log|failover done|2026-11-29T09:30:00.000Z"},
      {"log 09:30: failover done", kNow, "log|failover done|2026-11-29T09:30:00.000Z"},
      {"log    09:30 \t  spaced   out  ", kNow, "log|spaced   out|2026-11-29T09:30:00.000Z"},
      {"log 09:30 ✅ rollback complete", kNow, "log|✅ rollback complete|2026-11-29T09:30:00.000Z"},
      {"log 09:30", kNow, log_error("missing the fact to log")},
      {"log 09:30 utc", kNow, log_error("missing the fact to log")},
      {"log 25:00 x", kNow, invalid_time("25:00")},
      {"log 24:00 x", kNow, invalid_time("24:00")},
      {"log 14:61 x", kNow, invalid_time("14:61")},
      {"log 14:5 x", kNow, invalid_time("14:5")},
      {"log 09:30:61 x", kNow, invalid_time("09:30:61")},
      {"log 10:30am x", kNow, invalid_time("10:30am")},
      // ---- log ISO-8601: converted to UTC, at most a minute ahead of now ------------------
      {"log 2026-11-29T09:30Z db back", kNow, "log|db back|2026-11-29T09:30:00.000Z"},
      {"log 2026-11-29T09:30 db back", kNow, "log|db back|2026-11-29T09:30:00.000Z"},
      {"log 2026-11-29T11:30+02:00 db back", kNow, "log|db back|2026-11-29T09:30:00.000Z"},
      {"log 2026-11-29T04:00-05:30 db back", kNow, "log|db back|2026-11-29T09:30:00.000Z"},
      {"log 2026-11-29T01:30+0200 x", kNow, "log|x|2026-11-28T23:30:00.000Z"},
      {"log 2026-11-29 09:30 db back", kNow, "log|db back|2026-11-29T09:30:00.000Z"},
      {"log 2026-11-29\t09:30:15.250\tx", kNow, "log|x|2026-11-29T09:30:15.250Z"},
      {"log 2026-11-29 11:30+02:00 x", kNow, "log|x|2026-11-29T09:30:00.000Z"},
      {"log 2026-11-29T09:30 UTC x", kNow, "log|x|2026-11-29T09:30:00.000Z"},
      {"log 2026-11-29T09:30Z UTC x", kNow, "log|UTC x|2026-11-29T09:30:00.000Z"},
      {"log 2025-01-01T00:00Z long ago", kNow, "log|long ago|2025-01-01T00:00:00.000Z"},
      {"log 2026-11-29T10:01 x", kNow, "log|x|2026-11-29T10:01:00.000Z"},  // 60 s ahead: skew
      {"log 2026-11-29T10:01:01 x", kNow,
       log_error("2026-11-29T10:01:01 is in the future (it is 2026-11-29 10:00 UTC now)")},
      {"log 2026-11-30T09:00Z x", kNow,
       log_error("2026-11-30T09:00Z is in the future (it is 2026-11-29 10:00 UTC now)")},
      {"log 2026-11-29T12:30+02:00 x", kNow,
       log_error("2026-11-29T12:30+02:00 is in the future (it is 2026-11-29 10:00 UTC now)")},
      {"log 2026-11-29 10:05 x", kNow,
       log_error("2026-11-29 10:05 is in the future (it is 2026-11-29 10:00 UTC now)")},
      {"log 2026-02-30T10:00 x", kNow, invalid_time("2026-02-30T10:00")},
      {"log 2026-02-30 10:00 x", kNow, invalid_time("2026-02-30 10:00")},
      {"log 2026-11-29T25:00Z x", kNow, invalid_time("2026-11-29T25:00Z")},
      {"log 2026-11-29T x", kNow, invalid_time("2026-11-29T")},
      {"log 2026-11-29T09:30Zgarbage x", kNow, invalid_time("2026-11-29T09:30Zgarbage")},
      {"log 2026-11-29T09:30Z", kNow, log_error("missing the fact to log")},
      {"log 2026-11-29 09:30", kNow, log_error("missing the fact to log")},
      // ---- action -------------------------------------------------------------------------
      {"action add a failover runbook", kNow, "action|add a failover runbook||none"},
      {"action add runbook owner:@dana due:2026-12-15", kNow,
       "action|add runbook|@dana|2026-12-15"},
      {"action add runbook due:2026-12-15 owner:@dana", kNow,
       "action|add runbook|@dana|2026-12-15"},
      {"action add runbook owner: @dana due: 2026-12-15", kNow,
       "action|add runbook|@dana|2026-12-15"},
      {"action add runbook OWNER:@dana Due:2026-12-15", kNow,
       "action|add runbook|@dana|2026-12-15"},
      {"action add runbook owner:<@U123|dana smith> due:2026-12-15", kNow,
       "action|add runbook|<@U123|dana smith>|2026-12-15"},
      {"action add runbook owner: <@U123|dana smith>", kNow,
       "action|add runbook|<@U123|dana smith>|none"},
      {"action owner:@dana add runbook", kNow, "action|add runbook|@dana|none"},
      {"action fix alert owner:@dana before the freeze", kNow,
       "action|fix alert before the freeze|@dana|none"},
      {"action add runbook owner:platform-team", kNow, "action|add runbook|platform-team|none"},
      {"action add runbook due:2028-02-29", kNow, "action|add runbook||2028-02-29"},
      {"action review ownership: rotation", kNow, "action|review ownership: rotation||none"},
      {"action read the overdue: list", kNow, "action|read the overdue: list||none"},
      {"action\tadd\trunbook\towner:@dana", kNow, "action|add\trunbook|@dana|none"},
      {"action 📝 write the review 🙏 owner:@dana", kNow, "action|📝 write the review 🙏|@dana|none"},
      {"action add runbook due:2026-02-30", kNow,
       action_error("due date \"2026-02-30\" is not a real date (use YYYY-MM-DD)")},
      {"action add runbook due:2027-02-29", kNow,
       action_error("due date \"2027-02-29\" is not a real date (use YYYY-MM-DD)")},
      {"action add runbook due:next-week", kNow,
       action_error("due date \"next-week\" is not a real date (use YYYY-MM-DD)")},
      {"action x owner:@a owner:@b", kNow, action_error("owner: is given twice; give one owner")},
      {"action x due:2026-12-01 due:2026-12-02", kNow,
       action_error("due: is given twice; give one due date")},
      {"action owner:@dana due:2026-12-15", kNow, action_error("missing the action text")},
      {"action", kNow, action_error("missing the action text")},
      {"action add runbook owner:", kNow, action_error("owner: needs a @user or team after it")},
      {"action add runbook due:", kNow, action_error("due: needs a date after it (YYYY-MM-DD)")},
      {"action add runbook owner:<@U123|dana", kNow,
       action_error("the owner mention \"owner:<@U123|dana\" has no closing >")},
      // ---- done ---------------------------------------------------------------------------
      {"done 3", kNow, "done|3"},
      {"done #2", kNow, "done|2"},
      {"DONE   12  ", kNow, "done|12"},
      {"done 123456789", kNow, "done|123456789"},
      {"done", kNow, "error|missing the action item number|done <n>"},
      {"done 0", kNow, "error|\"0\" is not an action item number (use 1, 2, 3, …)|done <n>"},
      {"done -1", kNow, "error|\"-1\" is not an action item number (use 1, 2, 3, …)|done <n>"},
      {"done abc", kNow, "error|\"abc\" is not an action item number (use 1, 2, 3, …)|done <n>"},
      {"done 2.5", kNow, "error|\"2.5\" is not an action item number (use 1, 2, 3, …)|done <n>"},
      {"done 99999999999", kNow,
       "error|\"99999999999\" is not an action item number (use 1, 2, 3, …)|done <n>"},
      {"done 3 4", kNow, "error|done takes one action item number|done <n>"},
      // ---- severity -----------------------------------------------------------------------
      {"severity sev2", kNow, "severity|sev2"},
      {"severity SEV-1", kNow, "severity|sev1"},
      {"Severity Sev4", kNow, "severity|sev4"},
      {"severity", kNow, "error|missing the severity (sev1..sev4)|severity sev1..sev4"},
      {"severity sev5", kNow,
       "error|\"sev5\" is not a severity (use sev1..sev4)|severity sev1..sev4"},
      {"severity high", kNow,
       "error|\"high\" is not a severity (use sev1..sev4)|severity sev1..sev4"},
      {"severity sev1 sev2", kNow,
       "error|severity takes one value (sev1..sev4)|severity sev1..sev4"},
      // ---- role ---------------------------------------------------------------------------
      {"role commander @dana", kNow, "role|commander|@dana"},
      {"role COMMS <@U123>", kNow, "role|comms|<@U123>"},
      {"role scribe <@U123|dana smith>", kNow, "role|scribe|<@U123|dana smith>"},
      {"role scribe @dana:example.org", kNow, "role|scribe|@dana:example.org"},
      {"role\tcomms\t\t@erin ", kNow, "role|comms|@erin"},
      {"role", kNow,
       "error|missing the role (commander, comms or scribe)|role commander|comms|scribe <@user>"},
      {"role boss @dana", kNow,
       "error|\"boss\" is not a role (use commander, comms or scribe)|role commander|comms|scribe "
       "<@user>"},
      {"role Commander", kNow,
       "error|missing the @user to make commander|role commander|comms|scribe <@user>"},
      {"role commander @dana @erin", kNow,
       "error|role takes one @user; unexpected \"@erin\" after \"@dana\"|role "
       "commander|comms|scribe <@user>"},
      {"role commander <@U123|dana", kNow,
       "error|the mention \"<@U123|dana\" has no closing >|role commander|comms|scribe <@user>"},
      // ---- commands without arguments, close, help ----------------------------------------
      {"status", kNow, "status"},
      {"STATUS", kNow, "status"},
      {"status please", kNow, "error|\"please\" is not an incident id (INC-<n>)|status [INC-<n>]"},
      {"postmortem", kNow, "postmortem"},
      {"postmortem now", kNow,
       "error|\"now\" is not an incident id (INC-<n>)|postmortem [INC-<n>]"},
      {"draft", kNow, "draft"},
      // ---- an older incident of the channel, by id --------------------------------------
      {"draft INC-1", kNow, "draft|INC-1"},
      {"draft inc-12", kNow, "draft|INC-12"},
      {"status 3", kNow, "status|INC-3"},
      {"postmortem INC-2", kNow, "postmortem|INC-2"},
      {"draft INC-0", kNow, "error|\"INC-0\" is not an incident id (INC-<n>)|draft [INC-<n>]"},
      {"draft INC-1 INC-2", kNow,
       "error|\"INC-2\" is not an incident id (INC-<n>)|draft [INC-<n>]"},
      {"web", kNow, "web"},
      {"WEB inc-3", kNow, "web|INC-3"},
      {"web now", kNow, "error|\"now\" is not an incident id (INC-<n>)|web [INC-<n>]"},
      {"share", kNow, "share"},
      {"share confirm", kNow, "share|confirm"},
      {"share INC-4 CONFIRM", kNow, "share|INC-4|confirm"},
      {"share everything", kNow,
       "error|\"everything\" is neither an incident id (INC-<n>) nor `confirm`|share [INC-<n>] "
       "[confirm]"},
      {"publish", kNow, "publish"},
      {"Publish INC-7 confirm", kNow, "publish|INC-7|confirm"},
      {"publish it", kNow,
       "error|\"it\" is neither an incident id (INC-<n>) nor `confirm`|publish [INC-<n>] "
       "[confirm]"},
      {"review at 2026-12-02 15:00", kNow, "review at|2026-12-02 15:00 UTC"},
      {"Review AT 2026-12-02T16:00+01:00", kNow, "review at|2026-12-02 15:00 UTC"},
      {"review at 2020-01-01 10:00", kNow,
       "error|\"2020-01-01 10:00\" is already past|review at <YYYY-MM-DD HH:MM> (UTC)"},
      {"review at noon", kNow,
       "error|\"noon\" is not a date and time (like 2026-12-02 15:00, UTC)|review at "
       "<YYYY-MM-DD HH:MM> (UTC)"},
      {"review", kNow,
       "error|say when the review meeting is: `at` and a date and time|review at <YYYY-MM-DD "
       "HH:MM> (UTC)"},
      {"milestone detected", kNow, "milestone|detected|now"},
      {"Milestone STARTED 09:42", kNow, "milestone|started|2026-11-29T09:42:00.000Z"},
      {"milestone mitigated 2026-11-29 09:55 UTC", kNow,
       "milestone|mitigated|2026-11-29T09:55:00.000Z"},
      {"milestone resolved 2026-11-29T10:30+01:00", kNow,
       "milestone|resolved|2026-11-29T09:30:00.000Z"},
      {"milestone", kNow,
       "error|say which milestone: started, detected, mitigated, contained, eradicated, recovered "
       "or resolved|" +
           kMilestoneUsage},
      {"milestone fixed", kNow,
       "error|\"fixed\" is not a milestone: started, detected, mitigated, contained, eradicated, "
       "recovered or resolved|" +
           kMilestoneUsage},
      {"milestone detected 11:00", kNow,
       "error|11:00 is later than now (it is 10:00 UTC); for 23h 00m ago, give the date: "
       "2026-11-28T11:00Z|" +
           kMilestoneUsage},
      {"milestone detected soon", kNow,
       "error|\"soon\" is not a time (use HH:MM in UTC, or ISO-8601 like "
       "2026-11-29T14:05Z)|" +
           kMilestoneUsage},
      {"remind off", kNow, "remind off"},
      {"Remind ON", kNow, "remind on"},
      {"remind", kNow, "error|say `on` or `off`|remind on|off"},
      {"remind later", kNow, "error|\"later\" is neither `on` nor `off`|remind on|off"},
      {"help", kNow, "help"},
      {"help log", kNow, "help"},
      {"close", kNow, "close|"},
      {"close rolled back the deploy", kNow, "close|rolled back the deploy"},
      {"close   🎉 fixed\n by rollback  ", kNow, "close|🎉 fixed\n by rollback"},
      // ---- empty, invisible and oversized values ----------------------------------------
      {"log impact:", kNow, log_error("missing what users saw after impact:")},
      {"log IMPACT: \u200b ", kNow, log_error("missing what users saw after impact:")},
      {"start \u200b\u200b\u2060 sev2", kNow,
       "error|missing the incident title|start <title> [sev1..sev4] [private] [security] "
       "[new|here]"},
      {"action \u200b\u202e", kNow, "error|missing the action text|" + kActionUsage},
      {"log " + std::string(4001, 'x'), kNow,
       log_error("the fact to log is 4001 characters; the limit is 4000 (summarise it, and link "
                 "to the full text)")},
      {"log " + std::string(4000, 'x'), kNow, "log|" + std::string(4000, 'x') + "|now"},
      {"close \u200b", kNow, "close|"},
      {"action renew the cert due:2026-11-28", kNow,
       "error|due date 2026-11-28 has already passed (today is 2026-11-29 UTC)|" + kActionUsage},
      // ---- no command, unknown command ----------------------------------------------------
      {"", kNow, "unknown|"},
      {"   \t\n ", kNow, "unknown|"},
      {"deploy now", kNow, "unknown|deploy"},
      {"stärt DB down", kNow, "unknown|stärt"},
      {"🔥", kNow, "unknown|🔥"},
      {"!incident start x", kNow, "unknown|!incident"},
  };

  // Text at the limits survives whole (characters, not bytes: 4,000 emoji are 16,000 bytes);
  // one character more is refused with the count. Error messages quote only the first 40
  // bytes, cut on a UTF-8 boundary.
  const std::string long_text(100 * 1024, 'x');
  std::string long_emoji;
  for (int i = 0; i < 30000; ++i) long_emoji += "🔥";
  std::string limit_emoji;
  for (int i = 0; i < 4000; ++i) limit_emoji += "🔥";
  const std::string title(200, 't');
  cases.push_back({"start " + title + " sev2", kNow, "start|" + title + "|sev2"});
  cases.push_back(
      {"start " + title + "t sev2", kNow,
       "error|the incident title is 201 characters; the limit is 200 (summarise it, "
       "and link to the full text)|start <title> [sev1..sev4] [private] [security] [new|here]"});
  cases.push_back(
      {"log 09:30 " + limit_emoji, kNow, "log|" + limit_emoji + "|2026-11-29T09:30:00.000Z"});
  cases.push_back(
      {"action " + limit_emoji + " owner:@dana", kNow, "action|" + limit_emoji + "|@dana|none"});
  cases.push_back({"close " + limit_emoji, kNow, "close|" + limit_emoji});
  cases.push_back({"close " + long_emoji, kNow,
                   "error|the resolution is 30000 characters; the limit is 4000 (summarise it, "
                   "and link to the full text)|close [<resolution>]"});
  cases.push_back({long_text, kNow, "unknown|" + std::string(40, 'x') + "…"});
  cases.push_back({long_emoji, kNow, "unknown|" + long_emoji.substr(0, 40) + "…"});
  // 1 + 4n bytes: byte 40 is inside an emoji, so the quote stops before it.
  cases.push_back({"a" + long_emoji, kNow, "unknown|a" + long_emoji.substr(0, 36) + "…"});
  return cases;
}

TEST(CommandGrammarTest, Table) {
  const std::vector<Case> cases = grammar_cases();
  ASSERT_GE(cases.size(), 80u);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::string shown = c.input.size() > 80 ? c.input.substr(0, 60) + "…(long)" : c.input;
    SCOPED_TRACE("case " + std::to_string(i) + ": \"" + shown + "\" at " + format_iso(c.now));
    EXPECT_EQ(describe(parse_command(c.input, c.now)), c.expected);
  }
}

TEST(CommandGrammarTest, UsageLinesMatchTheProductTable) {
  EXPECT_EQ(usage_of("start"), kStartUsage);
  EXPECT_EQ(usage_of("log"), kLogUsage);
  EXPECT_EQ(usage_of("action"), kActionUsage);
  EXPECT_EQ(usage_of("done"), "done <n>");
  EXPECT_EQ(usage_of("severity"), "severity sev1..sev4");
  EXPECT_EQ(usage_of("role"), "role commander|comms|scribe <@user>");
  EXPECT_EQ(usage_of("status"), "status [INC-<n>]");
  EXPECT_EQ(usage_of("close"), "close [<resolution>]");
  EXPECT_EQ(usage_of("postmortem"), "postmortem [INC-<n>]");
  EXPECT_EQ(usage_of("draft"), "draft [INC-<n>]");
  EXPECT_EQ(usage_of("share"), "share [INC-<n>] [confirm]");
  EXPECT_EQ(usage_of("help"), "help");
  EXPECT_EQ(usage_of("LOG"), kLogUsage);
  EXPECT_EQ(usage_of("deploy"), "");
  EXPECT_EQ(usage_of(""), "");
}

struct PrefixCase {
  std::string message;
  std::string prefix;
  std::optional<std::string> rest;
};

TEST(StripPrefixTest, Table) {
  const std::vector<PrefixCase> cases = {
      {"!incident log x", "!incident", "log x"},
      {"  !incident   log x  ", "!incident", "log x"},
      {"!incident\tlog\tx", "!incident", "log\tx"},
      {"!INCIDENT start DB down", "!incident", "start DB down"},
      {"!Incident 🔥 start", "!incident", "🔥 start"},
      {"!incident", "!incident", ""},
      {"!incident   ", "!incident", ""},
      {"!incidentlog x", "!incident", std::nullopt},
      {"!incidents", "!incident", std::nullopt},
      {"please !incident log x", "!incident", std::nullopt},
      {"!inc", "!incident", std::nullopt},
      {"", "!incident", std::nullopt},
      {"!bot log x", "!bot", "log x"},
  };
  for (const PrefixCase& c : cases) {
    SCOPED_TRACE("\"" + c.message + "\" with prefix \"" + c.prefix + "\"");
    const auto rest = strip_prefix(c.message, c.prefix);
    ASSERT_EQ(rest.has_value(), c.rest.has_value());
    if (rest) {
      EXPECT_EQ(std::string(*rest), *c.rest);
    }
  }
}

TEST(StripPrefixTest, ReturnsAViewIntoTheMessage) {
  const std::string message = "!incident log x";
  const auto rest = strip_prefix(message, "!incident");
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(rest->data(), message.data() + 10);
}

}  // namespace
}  // namespace incident
