// The incident command grammar (README.md lists the commands for users), platform-neutral: the
// same parser serves `/incident …` on Slack and `!incident …` on Matrix and the console. The
// caller strips the prefix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "bot/model/incident.h"
#include "bot/model/time.h"

namespace incident {

// Each command says how much of the incident deciding it reads (kReadsWholeRecord): the whole
// record (every timeline entry and review reply) or only its header, roles and actions. The
// engine loads what the parsed command's type says; a type without the constant does not compile.
namespace cmd {
struct Start {
  static constexpr bool kReadsWholeRecord = false;
  std::string title;
  Severity severity = Severity::unset;
  bool is_private = false;   // the word `private` among the last words, with the severity
  bool is_security = false;  // the word `security` there: a security incident's review
  // The word `new` there: the incident gets a channel of its own; `here`: it stays where
  // `start` was typed; neither: the configured default (Settings::own_channel).
  std::optional<bool> own_channel = std::nullopt;
};
struct Log {
  static constexpr bool kReadsWholeRecord = false;
  std::string text;
  std::optional<TimePoint> at;  // explicit back-dated time (already resolved to UTC)
};
struct Action {
  static constexpr bool kReadsWholeRecord = false;
  std::string text;
  std::string owner;  // empty when none given
  std::optional<Date> due;
};
struct Done {
  static constexpr bool kReadsWholeRecord = false;
  int number = 0;
};
struct SetSeverity {
  static constexpr bool kReadsWholeRecord = false;
  Severity severity = Severity::unset;
};
struct AssignRole {
  static constexpr bool kReadsWholeRecord = false;
  Role role = Role::commander;
  std::string user;
};
// `status`, `postmortem`, `draft`, `share` and `publish` act on the channel's current incident, or
// on an older one of the same channel when given its id (`draft INC-1`): 0 means the current one.
struct ShowStatus {
  static constexpr bool kReadsWholeRecord = true;
  std::int64_t incident = 0;
};
struct Close {
  static constexpr bool kReadsWholeRecord = true;
  std::string resolution;
};
struct Postmortem {
  static constexpr bool kReadsWholeRecord = false;
  std::int64_t incident = 0;
};
struct Draft {
  static constexpr bool kReadsWholeRecord = true;
  std::int64_t incident = 0;
};
// `share` shows the lessons to the caller first; `share confirm` posts them, once.
struct Share {
  static constexpr bool kReadsWholeRecord = true;
  std::int64_t incident = 0;
  bool confirm = false;
};
// `publish` tells the caller what publishing posts; `publish confirm` posts the final document to
// the incident's channel as a Markdown file, and the lessons to the lessons channel as `share`
// does (once). The review page's Publish button is `publish confirm` by the signed-in user.
// `remind off` stops the reminders of the channel's current incident; `remind on` starts them
// again.
struct Remind {
  static constexpr bool kReadsWholeRecord = true;
  bool on = true;
};
struct Publish {
  static constexpr bool kReadsWholeRecord = true;
  std::int64_t incident = 0;
  bool confirm = false;
};
// `review at <time>`: when the review meeting is (UTC); the day before, the channel gets the
// draft's "Before the review meeting" list.
struct ReviewAt {
  static constexpr bool kReadsWholeRecord = false;
  TimePoint at{};
};
// `milestone <name> [<time>]`: when the problem started, was detected, mitigated or resolved
// (back-dated as `log` is; none: the message's time). The draft shows them and the times
// between them.
struct SetMilestone {
  static constexpr bool kReadsWholeRecord = false;
  Milestone milestone = Milestone::detected;
  std::optional<TimePoint> at;
};
// `type security|standard`: a security incident's review asks more (bot/draft/review.h).
struct SetType {
  static constexpr bool kReadsWholeRecord = false;
  bool security = false;
};
// `notify <who> by <time>`: a duty to tell someone outside the team (a regulator, customers)
// by a deadline; the channel is reminded before it.
struct Notify {
  static constexpr bool kReadsWholeRecord = false;
  std::string who;
  TimePoint by{};
};
// `notified <n>`: that duty is done.
struct Notified {
  static constexpr bool kReadsWholeRecord = false;
  int number = 0;
};
// `web`: a one-time sign-in link to the incident's review page, by direct message.
struct Web {
  static constexpr bool kReadsWholeRecord = false;
  std::int64_t incident = 0;
};
struct Help {
  static constexpr bool kReadsWholeRecord = false;
};
// Not a command word: the reply lists the commands.
struct Unknown {
  static constexpr bool kReadsWholeRecord = false;
  std::string word;  // as typed, shortened to 40 bytes ("…" marks a cut); empty: no word at all
};
}  // namespace cmd

using Command =
    std::variant<cmd::Start, cmd::Log, cmd::Action, cmd::Done, cmd::SetSeverity, cmd::AssignRole,
                 cmd::ShowStatus, cmd::Close, cmd::Postmortem, cmd::Draft, cmd::Share, cmd::Publish,
                 cmd::Remind, cmd::ReviewAt, cmd::SetMilestone, cmd::SetType, cmd::Notify,
                 cmd::Notified, cmd::Web, cmd::Help, cmd::Unknown>;

// Whether deciding `command` reads every timeline entry and review reply (its type says).
inline bool reads_whole_record(const Command& command) {
  return std::visit([](const auto& c) { return std::decay_t<decltype(c)>::kReadsWholeRecord; },
                    command);
}

// Why the text is not a valid use of a known command: what is wrong, and its usage line.
struct ParseError {
  std::string message;
  std::string usage;
};

using ParseResult = std::variant<Command, ParseError>;

// What one command may store (deploy/README.md, "Limits"): a title is read in lists and channel
// topics; a fact, action or resolution is a line of the record, not a document. Counted in
// characters (Unicode code points). A longer pinned message or review reply is cut at kTextLimit.
inline constexpr std::size_t kTitleLimit = 200;
inline constexpr std::size_t kTextLimit = 4000;
std::size_t count_characters(std::string_view text);
// True when `text` shows nothing: only whitespace, zero-width characters and bidi controls.
bool is_blank(std::string_view text);
// `text` cut after kTextLimit characters (never inside a UTF-8 sequence), else unchanged.
std::string cut_to_limit(std::string_view text);

// Parses the text after the command prefix ("log 14:05 failover done").
// `now` is the platform time of the message; it resolves back-dated times:
//  - `HH:MM` is UTC on the day of `now`; when that is later than `now`, it means the day before,
//    as long as that is at most 12 hours back (`23:55` logged at 00:10 is 15 minutes ago).
//    Otherwise the time is in the future and rejected.
//  - ISO-8601 times are converted to UTC; more than a minute after `now` is rejected.
ParseResult parse_command(std::string_view text, TimePoint now);

// The incident a command names explicitly (`draft INC-1`), 0 when it means the current one.
std::int64_t named_incident(const Command& command);

// The usage line for each command word ("log [<time>] <fact>"), empty for an unknown word.
std::string usage_of(std::string_view command_word);

// Splits "!incident log x" into the text after the prefix ("log x") when `message` starts with
// `prefix` followed by whitespace or end; nullopt otherwise. Leading whitespace is ignored.
std::optional<std::string_view> strip_prefix(std::string_view message, std::string_view prefix);

}  // namespace incident
