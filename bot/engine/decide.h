// The domain's decisions: one inbound event and what is known of its channel in, a Decision out.
// Pure: no I/O, no clock, no randomness of its own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot/dm/dm.h"
#include "bot/dm/secrets.h"
#include "bot/engine/remind.h"
#include "bot/model/command.h"
#include "bot/model/decision.h"
#include "bot/model/event.h"
#include "bot/model/incident.h"
#include "bot/model/store.h"
#include "bot/text/markup.h"
#include "bot/text/prompts.h"

namespace incident {

struct Settings {
  std::string command_prefix = "!incident";  // shown in help and hints
  bool lessons_channel = false;              // whether `share` has somewhere to post
  bool web = false;                          // whether `web` can give a review page link
  // How user values enter replies: as literal spans of bot Markdown (bot/text/markup.h), which each
  // adapter renders for its platform, so no user text can turn into markup, links or pings.
  Escaper escape = markup::literal;
  DmSettings dm;          // "is this safe?" DMs and escalations (bot/dm/dm.h)
  RemindSettings remind;  // nudges for open incidents (bot/engine/remind.h)
  // Whether `start` opens a channel of the incident's own when it says neither `new` nor `here`.
  bool own_channel = false;
};

// A command event's text, read once: credentials cut out, then parsed.
struct ParsedCommand {
  ParseResult result;
  std::vector<SecretMatch> secrets;  // cut out of the text before parsing (for the rotate notes)
};

// What the domain knows when it decides: the channel's current incident (open, else the latest
// closed one) and the number a new incident would get.
struct Context {
  std::optional<Incident> current;
  std::int64_t next_number = 1;
  // Platform user id -> display name ("U123" -> "Dana Scully"), as far as the adapter reported
  // them (Engine::set_display_name). The draft replaces these names, and their first names, by
  // roles; unknown ids still become roles wherever they appear as mentions.
  std::map<std::string, std::string> display_names;
  DmContext dm;  // for DMs and replies in a security case's thread only
  // The event's command, parsed once (parse_event_command): the engine loaded `current` as its
  // type asks, and decide() acts on the same parse. Set for in::CommandText events.
  std::optional<ParsedCommand> command;
  // For the weekly digest (in::Reminder of kind digest) only: the incidents with overdue action
  // items, whole.
  std::vector<Incident> overdue = {};
};

// Pure: the same context and event always give the same decision.
Decision decide(Context context, const InboundEvent& event, const Prompts& prompts,
                const Settings& settings);

// The command an event carries (an in::CommandText), with every credential cut out of its text
// before parsing, so no part of the command can keep one; nullopt for other events.
std::optional<ParsedCommand> parse_event_command(const InboundEvent& event);

// How much of the current incident decide() needs for `event`: for a command, what its type says
// (cmd::*::kReadsWholeRecord) and the older incident it names; otherwise the header plus the
// entries a 📌, edit or delete refers to.
IncidentView view_for(const InboundEvent& event, const std::optional<ParsedCommand>& command);

}  // namespace incident
