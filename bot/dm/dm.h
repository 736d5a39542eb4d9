// "Is this safe?": direct messages to the bot, and the anonymous line to the security team.
//
// Rules of the DM conversation (README "Is this safe?" and deploy/README.md "The line to the
// security team" tell users the same):
// - `report [as me] [<text>]` escalates <text>, else the question asked in the last
//   DmSettings::question_kept; with several kept, the bot lists them by topic and `report 2`,
//   `report 1 3` or `report all` says which go (as one case). `close [<code>]` closes a case.
//   `help` explains.
// - While the asker has open cases, every other DM goes to the security team: to the case whose
//   code it starts with, else to the one open case; with several open and no code, the bot asks
//   which. With none open, a DM is a question for the advisor.
// - In the security channel, a reply in a case's thread goes to the asker's DM; `close` there
//   closes the case.
// - Credentials are cut out of every text before it is kept, relayed or stored.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "bot/dm/advisor.h"
#include "bot/dm/secrets.h"
#include "bot/model/decision.h"
#include "bot/model/escalation.h"
#include "bot/model/event.h"
#include "bot/text/prompts.h"
#include "bot/text/template.h"

namespace incident {

struct DmSettings {
  bool security_channel = false;  // whether `report` has somewhere to post
  int escalation_limit = 3;       // cases per DM channel per window
  Millis escalation_window = std::chrono::hours{24};
  std::chrono::days retention{30};  // how long a closed case is kept
  // How long a question waits in memory (never in storage) for a `report`.
  Millis question_kept = std::chrono::minutes{30};
  // How long the recorded replies of a case-less DM are kept: past any platform's redelivery
  // (Slack retries within minutes), then scrubbed, since guidance hints at what was asked.
  Millis private_replies_kept = std::chrono::hours{24};
};

// What the DM flow knows when it decides; the engine fills it for DMs and for replies in a
// security case's thread only.
struct DmContext {
  std::vector<OpenIncident> open_incidents;  // on the event's platform
  std::vector<Escalation> open_cases;        // the sender's, by DM channel
  int recent_escalations = 0;                // the sender's cases within the rate window
  std::vector<Question> questions;           // the sender's recent ones still kept, oldest first
  std::string new_case_code;                 // from the engine's injected randomness
  std::optional<Escalation> thread_case;     // for a ThreadReply under a case's post
};

// Rotation advice for the credentials `found` in someone's message: the prompt `key` (for a DM,
// `advisor.secret_found`; for a channel, `secret.in_channel`) with one line per kind found.
std::string rotate_advice(const std::string& key, const std::vector<SecretMatch>& found,
                          const TemplateData& base, const Prompts& prompts, const Escaper& escape);

// A DM to the bot: advice, `report`, `close`, or words for an open case.
// `prefix` is the command prefix shown in hints; `escape` how user values enter replies.
Decision decide_dm(const DmContext& context, const InboundEvent& event,
                   const in::DirectMessage& message, const Prompts& prompts,
                   const DmSettings& settings, const std::string& prefix, const Escaper& escape);
// A reply in the thread of `context.thread_case`'s post in the security channel.
Decision decide_case_reply(const DmContext& context, const InboundEvent& event,
                           const in::ThreadReply& reply, const Prompts& prompts,
                           const DmSettings& settings, const std::string& prefix,
                           const Escaper& escape);

}  // namespace incident
