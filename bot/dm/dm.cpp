// The DM conversation and the security case thread: pure decisions, every text from
// prompts/advisor.txt. DM text reaches a reply only when escalated or relayed, and only with
// credentials removed.
#include "bot/dm/dm.h"

#include <algorithm>
#include <stdexcept>
#include <variant>

#include "bot/dm/secrets.h"
#include "bot/model/overloaded.h"
#include "bot/text/markup.h"

namespace incident {
namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "report.", "close!" and "Report:" are the commands too.
std::string command_word(std::string_view s) {
  std::string w = lower(trim(s));
  while (!w.empty() && std::string_view(".!?:,;").find(w.back()) != std::string_view::npos) {
    w.pop_back();
  }
  return w;
}

// --- the DM commands -------------------------------------------------------------------------

// Which remembered questions `report` sends: "2", "1 3", "1, 2 and 3", "all", "both".
struct Pick {
  std::vector<int> numbers;  // 1-based, oldest first as listed
  bool all = false;
};

std::optional<Pick> parse_pick(const std::string& words) {
  Pick pick;
  std::string token;
  const auto take = [&]() {
    if (token.empty() || token == "and") return true;
    if (token == "all" || token == "both") {
      pick.all = true;
    } else if (token.size() <= 2 && std::all_of(token.begin(), token.end(),
                                                [](char c) { return c >= '0' && c <= '9'; })) {
      pick.numbers.push_back(std::stoi(token));
    } else {
      return false;
    }
    token.clear();
    return true;
  };
  for (const char c : words + " ") {
    if (c == ' ' || c == ',' || c == '&' || c == '+') {
      if (!take()) return std::nullopt;
    } else {
      token += c;
    }
  }
  if (!pick.all && pick.numbers.empty()) return std::nullopt;
  return pick;
}

struct Report {
  bool as_me = false;
  std::string text;          // empty: remembered questions
  std::optional<Pick> pick;  // which of them; none: the only one, else the asker chooses
};
struct Close {
  std::string code;  // empty: the one open case
};
struct Help {};
using DmCommand = std::variant<std::monostate, Report, Close, Help>;

bool starts_with_as_me(const std::string& low) {
  return low == "as me" || low.rfind("as me ", 0) == 0 || low.rfind("as me:", 0) == 0;
}

DmCommand parse_dm_command(const std::string& text) {
  const std::size_t space = std::min(text.find_first_of(" \t\n"), text.size());
  const std::string first = command_word(text.substr(0, space));
  std::string rest = trim(std::string_view(text).substr(space));
  if (first == "help" || text == "?") return rest.empty() ? DmCommand{Help{}} : DmCommand{};
  if (first == "close") {
    if (rest.empty()) return Close{};
    // "close SEC-7F3K2Q9M." counts; "close call with a scammer today…" is a question.
    if (auto code = leading_case_code(rest); code && command_word(rest).size() == kCaseCodeLength)
      return Close{*code};
    return {};
  }
  if (first != "report") return {};
  Report r;
  if (starts_with_as_me(lower(rest))) {
    r.as_me = true;
    rest = trim(std::string_view(rest).substr(5));
  }
  if (!rest.empty() && rest.front() == ':') rest = trim(std::string_view(rest).substr(1));
  // "report it as me", "report 2 as me": the name goes along with remembered questions only.
  std::string choice = command_word(rest);
  bool as_me_after = false;
  if (choice.size() >= 6 && choice.ends_with(" as me")) {
    choice = trim(std::string_view(choice).substr(0, choice.size() - 6));
    as_me_after = true;
  } else if (choice == "as me") {
    choice.clear();
    as_me_after = true;
  }
  for (std::string_view bare : {"", "it", "this", "that", "please", "it please", "this please"}) {
    if (choice == bare) {
      r.as_me = r.as_me || as_me_after;
      return r;
    }
  }
  if (auto pick = parse_pick(choice)) {
    r.as_me = r.as_me || as_me_after;
    r.pick = std::move(pick);
    return r;
  }
  r.text = rest;
  return r;
}

std::string codes_of(const std::vector<Escalation>& cases) {
  std::string out;
  for (const auto& c : cases) out += (out.empty() ? "" : ", ") + c.code;
  return out;
}

// A user as decide.cpp mentions them: platform ids and formatted mentions as they are, a bare
// console login as "@dana".
std::string mention_of(const std::string& user) {
  if (user.empty()) return user;
  const bool platform_id = std::all_of(user.begin(), user.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
  if (user.front() == '<' || user.front() == '@' || platform_id) return markup::mention(user);
  return markup::mention("@" + user);
}

// How an incident's channel reads in a DM: Matrix room ids and "#names" as they are, platform
// ids as "#C123".
std::string channel_label(const std::string& channel) {
  if (channel.empty() || channel.front() == '!' || channel.front() == '#') return channel;
  return "#" + channel;
}

// `close`, or `close <this case's code>`, in a case's thread.
bool is_close_of(const std::string& text, const std::string& code) {
  const std::string word = command_word(text);
  return word == "close" || word == "close " + lower(code);
}

class DmDecider {
 public:
  DmDecider(const DmContext& context, const InboundEvent& event, const Prompts& prompts,
            const DmSettings& settings, const std::string& prefix, const Escaper& escape)
      : context_(context),
        event_(event),
        prompts_(prompts),
        settings_(settings),
        prefix_(prefix),
        escape_(escape) {}

  Decision on_message(const in::DirectMessage& message) {
    const std::string text = trim(message.text);
    secrets_ = find_secrets(text);
    // Everything below sees the text with credentials cut out, so none can be kept or relayed.
    const std::string clean = redact_secrets(text, secrets_);
    std::visit(overloaded{
                   [&](const Report& r) { report(r); },
                   [&](const Close& c) { close(c); },
                   [&](const Help&) { help(); },
                   [&](std::monostate) { open_case_or_advise(clean); },
               },
               parse_dm_command(clean));
    return finish();
  }

  Decision on_case_reply(const in::ThreadReply& reply) {
    const Escalation& c = *context_.thread_case;
    case_code_ = c.code;
    out_.topic = "case_reply";
    const std::string text = redact_secrets(trim(reply.text));
    if (text.empty()) return finish();
    TemplateData d = base();
    d.set("code", c.code).set("text", text);
    if (!c.open) {
      out_.replies.push_back(
          {.audience = Audience::caller, .text = render("security.case_closed", d)});
    } else if (is_close_of(text, c.code)) {
      out_.topic = "case_close";
      out_.changes.push_back({0, change::CaseClosed{c.code, event_.at}});
      to_security("security.closed", d, c.security_ref);
      to_asker("dm.closed_by_security", d, c.dm_channel);
    } else {
      to_asker("dm.security_wrote", d, c.dm_channel);
    }
    return finish();
  }

 private:
  TemplateData base() const {
    TemplateData d;
    d.set("prefix", prefix_)
        .set("minutes",
             std::to_string(
                 std::chrono::duration_cast<std::chrono::minutes>(settings_.question_kept).count()))
        .set("limit", std::to_string(settings_.escalation_limit));
    return d;
  }
  std::string render(const std::string& key, const TemplateData& data) const {
    return prompts_.render(key, data, escape_);
  }

  // Replies to the asker go to the DM channel, never addressed by user id: the recorded replies
  // of a case's events then cannot tie the asker to it.
  void to_asker_text(std::string text, const std::string& dm_channel) {
    out_.replies.push_back(
        {.audience = Audience::direct, .text = std::move(text), .channel = dm_channel});
  }
  void to_asker(const std::string& key, const TemplateData& data, const std::string& dm_channel) {
    to_asker_text(render(key, data), dm_channel);
  }
  void to_security(const std::string& key, const TemplateData& data,
                   const std::string& thread_ref) {
    out_.replies.push_back(
        {.audience = Audience::security, .text = render(key, data), .thread_ref = thread_ref});
  }

  std::string secret_guidance() const {
    return rotate_advice("advisor.secret_found", secrets_, base(), prompts_, escape_);
  }
  void warn_about_secrets() {
    if (!secrets_.empty()) to_asker_text(secret_guidance(), event_.channel);
  }

  // --- commands ------------------------------------------------------------------------------

  void help() {
    out_.topic = "help";
    to_asker("dm.help", base(), event_.channel);
  }

  void report(const Report& r) {
    out_.topic = "report";
    warn_about_secrets();
    TemplateData d = base();
    if (!settings_.security_channel) {
      to_asker("dm.report_unavailable", d, event_.channel);
      return;
    }
    if (context_.recent_escalations >= settings_.escalation_limit) {
      d.set("codes", codes_of(context_.open_cases));
      to_asker("dm.report_rate_limited", d, event_.channel);
      return;
    }
    std::vector<Question> chosen;
    if (!r.text.empty()) {
      chosen.push_back(
          {r.text, secrets_.empty() ? classify(r.text) : Topic::secret_exposed, event_.at});
    } else if (context_.questions.empty()) {
      to_asker("dm.report_no_question", d, event_.channel);
      return;
    } else if (r.pick) {
      chosen = picked(*r.pick);
    } else if (context_.questions.size() == 1) {
      chosen = context_.questions;
    }
    if (chosen.empty()) {
      which_question(r);
      return;
    }
    Question question = joined(chosen);
    if (context_.new_case_code.empty()) {
      throw std::logic_error("the engine has no random source, so it cannot make a case code");
    }
    Escalation e;
    e.code = context_.new_case_code;
    e.platform = event_.platform;
    e.topic = question.topic;
    e.text = question.text;
    e.dm_channel = event_.channel;
    e.created_at = event_.at;
    out_.changes.push_back({0, change::CaseOpened{e}});
    case_code_ = e.code;
    if (r.text.empty()) {
      std::vector<TimePoint> asked;
      for (const auto& q : chosen) asked.push_back(q.at);
      out_.question = QuestionUpdate::forget(std::move(asked));
    }

    d.set("code", e.code)
        .set("topic", render("topic." + to_string(e.topic), base()))
        .set("text", e.text)
        .set("as_me", r.as_me);
    // The asker's identity enters the post only on request, and nothing else of theirs does.
    if (r.as_me) d.set("reporter", mention_of(event_.user));
    out_.replies.push_back({.audience = Audience::security,
                            .text = render("security.case", d),
                            .anchor = Anchor::security_case,
                            .case_code = e.code});
    to_asker("dm.report_sent", d, event_.channel);
  }

  // The remembered questions `pick` names, oldest first; none when a number is not listed.
  std::vector<Question> picked(const Pick& pick) const {
    const auto& all = context_.questions;
    if (pick.all) return all;
    std::vector<bool> take(all.size(), false);
    for (const int n : pick.numbers) {
      if (n < 1 || std::size_t(n) > all.size()) return {};
      take[std::size_t(n - 1)] = true;
    }
    std::vector<Question> out;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (take[i]) out.push_back(all[i]);
    }
    return out;
  }

  // Several questions go as one case, in the order asked: an exposed credential heads it,
  // else the first with a topic of its own.
  static Question joined(const std::vector<Question>& chosen) {
    Question out = chosen.front();
    for (std::size_t i = 1; i < chosen.size(); ++i) out.text += "\n\n" + chosen[i].text;
    for (const auto& q : chosen) {
      if (q.topic == Topic::secret_exposed) out.topic = q.topic;
    }
    if (out.topic == Topic::general) {
      for (const auto& q : chosen) {
        if (q.topic != Topic::general) {
          out.topic = q.topic;
          break;
        }
      }
    }
    return out;
  }

  // Lists the remembered questions by topic and age only: the reply is recorded until scrubbed,
  // and the asker's words never reach storage.
  void which_question(const Report& r) {
    TemplateData d = base();
    const auto& all = context_.questions;
    d.set("count", std::to_string(all.size())).set("as_me", r.as_me);
    if (r.pick && !r.pick->all) {
      for (const int n : r.pick->numbers) {
        if (n < 1 || std::size_t(n) > all.size()) d.set("unknown", std::to_string(n));
      }
    }
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto ago = std::chrono::duration_cast<std::chrono::minutes>(event_.at - all[i].at);
      TemplateData row;
      row.set("n", std::to_string(i + 1))
          .set("topic", render("topic." + to_string(all[i].topic), base()))
          .set("just_now", ago.count() < 1)
          .set("one_minute", ago.count() == 1)
          .set("minutes_ago", std::to_string(ago.count()));
      d.add("questions", std::move(row));
    }
    to_asker("dm.report_which", d, event_.channel);
  }

  void close(const Close& c) {
    out_.topic = "close";
    TemplateData d = base();
    d.set("codes", codes_of(context_.open_cases));
    const Escalation* target = nullptr;
    if (!c.code.empty()) {
      target = find_open(c.code);
      if (!target) {
        d.set("code", c.code);
        to_asker("dm.case_not_found", d, event_.channel);
        return;
      }
    } else if (context_.open_cases.empty()) {
      to_asker("dm.nothing_to_close", d, event_.channel);
      return;
    } else if (context_.open_cases.size() > 1) {
      which_case();
      return;
    } else {
      target = &context_.open_cases.front();
    }
    case_code_ = target->code;
    out_.changes.push_back({0, change::CaseClosed{target->code, event_.at}});
    d.set("code", target->code);
    to_security("security.closed_by_asker", d, target->security_ref);
    to_asker("dm.closed", d, event_.channel);
  }

  // --- conversation --------------------------------------------------------------------------

  void open_case_or_advise(const std::string& clean) {
    if (context_.open_cases.empty()) {
      advise(clean);
      return;
    }
    // Credential guidance comes first, whatever the case handling says next: a password or code
    // typed somewhere must be changed now, not after the asker picks a case.
    credential_first(clean);
    if (auto code = leading_case_code(clean)) {
      const Escalation* target = find_open(*code);
      if (!target) {
        TemplateData d = base();
        d.set("code", *code).set("codes", codes_of(context_.open_cases));
        to_asker("dm.case_not_found", d, event_.channel);
        return;
      }
      std::string rest = trim(std::string_view(clean).substr(kCaseCodeLength));
      if (!rest.empty() && (rest.front() == ':' || rest.front() == '-'))
        rest = trim(rest.substr(1));
      relay(*target, rest);
    } else if (context_.open_cases.size() == 1) {
      relay(context_.open_cases.front(), clean);
    } else {
      which_case();
    }
  }

  void relay(const Escalation& c, const std::string& words) {
    out_.topic = "relay";
    case_code_ = c.code;
    TemplateData d = base();
    d.set("code", c.code).set("text", words);
    if (words.empty()) {
      to_asker("dm.relay_empty", d, event_.channel);
      return;
    }
    to_security("security.asker_wrote", d, c.security_ref);
    to_asker("dm.relayed", d, event_.channel);
  }

  void credential_first(const std::string& clean) {
    if (!secrets_.empty()) {
      warn_about_secrets();
      return;
    }
    const Topic topic = classify(clean);
    if (topic == Topic::password_entered || topic == Topic::secret_exposed) {
      to_asker_text(advice(topic, clean), event_.channel);
    }
  }

  void which_case() {
    TemplateData d = base();
    d.set("codes", codes_of(context_.open_cases)).set("example", context_.open_cases.front().code);
    to_asker("dm.which_case", d, event_.channel);
  }

  void advise(const std::string& clean) {
    if (clean.empty()) {
      help();
      return;
    }
    const Topic topic = secrets_.empty() ? classify(clean) : Topic::secret_exposed;
    out_.topic = to_string(topic);
    // A pasted credential needs rotating before anything else, so its guidance replaces the
    // topic's rather than burying it.
    std::string text = secrets_.empty() ? advice(topic, clean) : secret_guidance();
    TemplateData footer = base();
    footer.set("can_report", settings_.security_channel);
    text = trim(text) + "\n\n" + trim(render("advisor.footer", footer));
    to_asker_text(std::move(text), event_.channel);
    out_.question = QuestionUpdate::remember(Question{clean, topic, event_.at});
  }

  std::string advice(Topic topic, const std::string& clean) const {
    TemplateData d = base();
    if (topic == Topic::change_safety) {
      // Only an incident the asker took part in is shown by title and channel: another may be
      // in a private channel, and its title alone can say too much ("key leak by …").
      const std::string asker = user_key(event_.user);
      // A private one is not even mentioned to anyone outside it.
      std::vector<OpenIncident> visible;
      bool any = false;
      for (const auto& inc : context_.open_incidents) {
        const bool member =
            std::find(inc.members.begin(), inc.members.end(), asker) != inc.members.end();
        if (member) {
          visible.push_back(inc);
        } else if (!inc.is_private) {
          d.add("others", TemplateData{}.set("commander", mention_of(inc.commander)));
        }
        any = any || member || !inc.is_private;
      }
      const auto incidents = relevant_incidents(clean, std::move(visible));
      for (const auto& inc : incidents) {
        d.add("incidents", TemplateData{}
                               .set("id", incident_id(inc.number))
                               .set("title", inc.title)
                               .set("channel", channel_label(inc.channel))
                               .set("commander", mention_of(inc.commander)));
      }
      d.set("has_incidents", any);
      d.set("related", incidents.size() > 1 && relates_to(clean, incidents.front()));
    }
    return render("advisor." + to_string(topic), d);
  }

  const Escalation* find_open(const std::string& code) const {
    for (const auto& c : context_.open_cases) {
      if (c.code == code) return &c;
    }
    return nullptr;
  }

  // Every DM-flow event is private: its recorded replies are scrubbed with its case, or after
  // a day when it has none (change::PrivateEvent).
  Decision finish() {
    out_.changes.push_back({0, change::PrivateEvent{case_code_, event_.at}});
    return std::move(out_);
  }

  const DmContext& context_;
  const InboundEvent& event_;
  const Prompts& prompts_;
  const DmSettings& settings_;
  const std::string& prefix_;
  const Escaper& escape_;
  std::vector<SecretMatch> secrets_;
  std::string case_code_;  // the case this event belongs to, once known
  Decision out_;
};

}  // namespace

std::string rotate_advice(const std::string& key, const std::vector<SecretMatch>& found,
                          const TemplateData& base, const Prompts& prompts, const Escaper& escape) {
  TemplateData d = base;
  std::vector<SecretKind> kinds;  // once per kind
  for (const auto& s : found) {
    if (std::find(kinds.begin(), kinds.end(), s.kind) != kinds.end()) continue;
    kinds.push_back(s.kind);
    d.add("kinds",
          TemplateData{}.set("how", prompts.render("secret." + to_string(s.kind), base, escape)));
  }
  return prompts.render(key, d, escape);
}

Decision decide_dm(const DmContext& context, const InboundEvent& event,
                   const in::DirectMessage& message, const Prompts& prompts,
                   const DmSettings& settings, const std::string& prefix, const Escaper& escape) {
  return DmDecider(context, event, prompts, settings, prefix, escape).on_message(message);
}

Decision decide_case_reply(const DmContext& context, const InboundEvent& event,
                           const in::ThreadReply& reply, const Prompts& prompts,
                           const DmSettings& settings, const std::string& prefix,
                           const Escaper& escape) {
  return DmDecider(context, event, prompts, settings, prefix, escape).on_case_reply(reply);
}

}  // namespace incident
