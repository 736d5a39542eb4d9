// The domain's decisions: one inbound event and the channel's current incident in, changes and
// replies out. Every text comes from prompts/; nothing here does I/O or reads a clock.
#include <algorithm>
#include <stdexcept>

#include "bot/draft/draft.h"
#include "bot/draft/review.h"
#include "bot/engine/decide.h"
#include "bot/model/command.h"
#include "bot/model/overloaded.h"
#include "bot/text/markup.h"

namespace incident {
namespace {

// How a user is mentioned in a reply: a mention span (bot/text/markup.h) that each platform renders
// its own way. Platform ids ("U123"), platform-formatted mentions (`<@U123|dana>`,
// `@dana:example.org`) and "@name" keep their form; a bare console login "dana" reads "@dana".
std::string mention(const std::string& user) {
  if (user.empty()) return "nobody";
  if (user.front() == '<' || user.front() == '@') return markup::mention(user);
  if (std::all_of(user.begin(), user.end(),
                  [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); })) {
    return markup::mention(user);
  }
  return markup::mention("@" + user);
}

constexpr std::size_t kStatusEntries = 5;

// The name of an incident's own channel: "inc-12-checkout-errors". Slack allows lowercase
// letters, digits, hyphens and underscores, 80 characters at most (conversations.create); a
// Matrix alias takes the same. Other characters separate words; mentions are left out.
std::string room_name(std::int64_t number, std::string_view title) {
  constexpr std::size_t kMax = 80;
  std::string name = "inc-" + std::to_string(number);
  bool gap = true;
  bool in_mention = false;
  for (const char c : title) {
    if (gap && (c == '<' || c == '@')) in_mention = true;
    if (c == ' ') in_mention = false;
    if (in_mention) continue;
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if ((lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9')) {
      if (gap && name.size() + 2 > kMax) break;
      if (gap) name += '-';
      name += lower;
      gap = false;
    } else {
      gap = true;
    }
    if (name.size() >= kMax) break;
  }
  return name;
}

// The platform users a title mentions (`start Checkout errors <@U1> @dana:example.org`), as
// user_key gives them: invited to the incident's own channel with its declarer.
std::vector<std::string> mentioned_users(std::string_view title) {
  std::vector<std::string> users;
  std::size_t at = 0;
  while (at < title.size()) {
    const std::size_t end = std::min(title.find(' ', at), title.size());
    std::string_view word = title.substr(at, end - at);
    while (!word.empty() && (word.back() == ',' || word.back() == '.')) word.remove_suffix(1);
    const bool slack = word.starts_with("<@") && word.ends_with(">");
    const bool matrix = word.size() > 1 && word.front() == '@' && word.find(':') != word.npos;
    if (slack || matrix) users.push_back(user_key(word));
    at = end + 1;
  }
  return users;
}

class Decider {
 public:
  Decider(Context& context, const InboundEvent& event, const Prompts& prompts,
          const Settings& settings)
      : event_(event),
        prompts_(prompts),
        settings_(settings),
        incident_(std::move(context.current)),
        next_number_(context.next_number),
        dm_(context.dm),
        display_names_(context.display_names),
        overdue_(std::move(context.overdue)),
        command_(std::move(context.command)) {}

  Decision run() {
    InboundBody body = event_.body;
    const std::string author = scrub(body);
    std::visit(overloaded{
                   [&](const in::CommandText&) { on_command(); },
                   [&](const in::Pin& p) { on_pin(p); },
                   [&](const in::Edited& e) { on_edited(e); },
                   [&](const in::Deleted& d) { on_deleted(d); },
                   [&](const in::ThreadReply& r) {
                     // A reply under a security case's post is for the asker (bot/dm/dm.h).
                     if (dm_.thread_case) {
                       out_ = decide_case_reply(dm_, event_, r, prompts_, settings_.dm,
                                                settings_.command_prefix, settings_.escape);
                     } else {
                       on_thread_reply(r);
                     }
                   },
                   [&](const in::DirectMessage& m) {
                     out_ = decide_dm(dm_, event_, m, prompts_, settings_.dm,
                                      settings_.command_prefix, settings_.escape);
                   },
                   [&](const in::Reminder& r) { on_reminder(r); },
                   [&](const in::RoomOpened& r) { on_room_opened(r); },
               },
               body);
    // A pin, edit or thread reply in a channel without an incident is ordinary chat: the bot
    // keeps nothing of it and says nothing about it.
    const bool spoken_to = std::holds_alternative<in::CommandText>(event_.body) || incident_;
    if (!secrets_.empty() && spoken_to) tell_to_rotate(author);
    if (cut_ && !out_.changes.empty()) {
      say(Audience::caller, "text_cut", base().set("limit", std::to_string(kTextLimit)));
    }
    return std::move(out_);
  }

 private:
  // --- credentials typed into a channel ------------------------------------------------------

  // Cuts every credential out of the text an incident could keep (a command, a pinned message,
  // an edit, a review reply) before anything is decided, so none is stored, echoed or exported;
  // a pinned message, edit or review reply longer than kTextLimit is cut there (a command that
  // long is refused by the parser instead). Returns who wrote the text. DMs and security-case
  // threads have their own handling (dm.h).
  std::string scrub(InboundBody& body) {
    auto shorten = [&](std::string& text) {
      std::string kept = cut_to_limit(text);
      if (kept.size() == text.size()) return;
      text = std::move(kept);
      cut_ = true;
    };
    auto cut = [&](std::string& text) {
      auto found = find_secrets(text);
      if (found.empty()) return;
      text = redact_secrets(text, found);
      secrets_.insert(secrets_.end(), found.begin(), found.end());
    };
    return std::visit(overloaded{
                          [&](in::CommandText&) {
                            // Cut before parsing (parse_event_command); only the notes are left.
                            if (command_) {
                              secrets_.insert(secrets_.end(), command_->secrets.begin(),
                                              command_->secrets.end());
                            }
                            return event_.user;
                          },
                          [&](in::Pin& p) {
                            shorten(p.target_text);
                            return cut(p.target_text), p.target_author;
                          },
                          [&](in::Edited& e) {
                            shorten(e.new_text);
                            return cut(e.new_text), event_.user;
                          },
                          [&](in::ThreadReply& r) {
                            if (!dm_.thread_case) {
                              shorten(r.text);
                              cut(r.text);
                            }
                            return event_.user;
                          },
                          [&](auto&) { return event_.user; },
                      },
                      body);
  }

  // The channel hears that a credential was left out; its author alone hears how to rotate it.
  void tell_to_rotate(const std::string& author) {
    say(Audience::caller, "secret.removed", base());
    if (author.empty()) return;
    Reply note;
    note.audience = Audience::direct;
    note.user = author;
    note.text = rotate_advice("secret.in_channel", secrets_, base(), prompts_, settings_.escape);
    out_.replies.push_back(std::move(note));
  }

  // --- helpers -----------------------------------------------------------------------------

  TemplateData base() const {
    TemplateData d;
    d.set("prefix", settings_.command_prefix).set("caller", mention(event_.user));
    if (incident_) {
      d.set("id", incident_->id()).set("title", incident_->title);
    }
    return d;
  }

  void say(Audience audience, const std::string& key, const TemplateData& data) {
    Reply r{audience, prompts_.render(key, data, settings_.escape), {}};
    if (audience == Audience::direct) r.user = event_.user;
    out_.replies.push_back(std::move(r));
  }

  void change(ChangeBody body) {
    apply_change(*incident_, body);
    out_.changes.push_back(Change{incident_->number, std::move(body)});
  }

  void add_entry(Source source, std::string text, TimePoint at) {
    TimelineEntry e;
    e.seq = incident_->entries + 1;
    e.at = at;
    e.source = source;
    e.author = event_.user;
    e.text = std::move(text);
    if (source != Source::system) e.message_ref = event_.message_ref;
    change(change::EntryAdded{std::move(e)});
  }

  // Stored entries are plain text (spans unwrapped), like every fact on the timeline.
  void add_system_entry(const std::string& key, const TemplateData& data) {
    add_entry(Source::system, markup::to_markdown(prompts_.render(key, data)), event_.at);
  }

  // Commands that change a live incident need an open one. After `close` the record of what
  // happened is settled: what is learned later goes into the review, while actions, the draft
  // and share still work (deploy/README.md, "Commands in detail", "After close").
  bool need_open() {
    if (incident_ && incident_->is_open()) return true;
    say(Audience::caller, incident_ ? "incident_closed" : "no_open_incident", base());
    return false;
  }
  // Post-mortem work (actions, draft, review) also applies to the latest closed incident.
  bool need_any() {
    if (incident_) return true;
    say(Audience::caller, "no_incident", base());
    return false;
  }
  // The whole record, for commands whose type reads every entry (kReadsWholeRecord).
  const Incident& whole() const {
    if (!incident_->complete) throw std::logic_error("decision needs the whole incident record");
    return *incident_;
  }

  // --- commands ----------------------------------------------------------------------------

  void on_command() {
    if (!command_) throw std::logic_error("a command event reached decide() unparsed");
    if (auto* err = std::get_if<ParseError>(&command_->result)) {
      TemplateData d = base();
      d.set("message", err->message).set("usage", err->usage);
      say(Audience::caller, "parse_error", d);
      return;
    }
    const Command& command = std::get<Command>(command_->result);
    // `draft INC-1`: the engine loaded that incident when it is this channel's (view_for).
    if (const std::int64_t named = named_incident(command);
        named != 0 && (!incident_ || incident_->number != named)) {
      say(Audience::caller, "incident_not_here", base().set("wanted", incident_id(named)));
      return;
    }
    std::visit(overloaded{
                   [&](const cmd::Start& s) { start(s); },
                   [&](const cmd::Log& l) { log(l); },
                   [&](const cmd::Action& a) { action(a); },
                   [&](const cmd::Done& d) { done(d); },
                   [&](const cmd::SetSeverity& s) { severity(s); },
                   [&](const cmd::AssignRole& r) { role(r); },
                   [&](const cmd::ShowStatus&) { status(); },
                   [&](const cmd::Close& c) { close(c); },
                   [&](const cmd::Postmortem&) { postmortem(); },
                   [&](const cmd::Draft&) { draft(); },
                   [&](const cmd::Share& s) { share(s); },
                   [&](const cmd::Publish& p) { publish(p); },
                   [&](const cmd::Web&) { web(); },
                   [&](const cmd::Remind& r) { remind(r); },
                   [&](const cmd::ReviewAt& r) { review_at(r); },
                   [&](const cmd::SetMilestone& m) { milestone(m); },
                   [&](const cmd::SetType& t) { set_type(t); },
                   [&](const cmd::Notify& n) { notify(n); },
                   [&](const cmd::Notified& n) { notified(n); },
                   [&](const cmd::Help&) { say(Audience::caller, "help", base()); },
                   [&](const cmd::Unknown& u) {
                     TemplateData d = base();
                     d.set("message", u.word.empty() ? std::string("missing a command")
                                                     : "unknown command \"" + u.word + "\"");
                     say(Audience::caller, "unknown_command", d);
                   },
               },
               command);
  }

  void start(const cmd::Start& s) {
    if (incident_ && incident_->is_open()) {
      say(Audience::caller, "already_open", base());
      return;
    }
    incident_ = Incident{};
    incident_->number = next_number_;
    const bool is_private = s.is_private || event_.private_channel;
    change(change::Opened{event_.platform, event_.channel, s.title, s.severity, event_.at,
                          is_private, s.is_security});
    change(change::RoleSet{Role::commander, event_.user});
    TemplateData d = base();
    d.set("severity", to_string(s.severity))
        .set("has_severity", s.severity != Severity::unset)
        .set("private", is_private)
        .set("security", s.is_security)
        .set("commander", mention(event_.user));
    const bool own = s.own_channel.value_or(settings_.own_channel);
    d.set("opening", own);
    add_system_entry("entry_started", d);
    say(Audience::channel, "started", d);
    if (!own) return;
    RoomRequest open{RoomRequest::Kind::open,
                     room_name(incident_->number, s.title),
                     topic(),
                     {event_.user},
                     is_private};
    for (auto& user : mentioned_users(s.title)) {
      if (std::find(open.invite.begin(), open.invite.end(), user) == open.invite.end()) {
        open.invite.push_back(std::move(user));
      }
    }
    room_request(std::move(open));
  }

  // The adapter opened the channel `start … new` asked for (or could not): the incident moves
  // there, and both channels hear where it is.
  void on_room_opened(const in::RoomOpened& r) {
    if (!incident_ || incident_->number != r.incident || incident_->has_own_channel()) return;
    TemplateData d = standing();
    d.set("name", r.name).set("link", r.link).set("error", r.error);
    if (r.room.empty()) {
      say(Audience::channel, "room_failed", d);
      return;
    }
    change(change::ChannelMoved{event_.channel, r.room});
    say(Audience::channel, "room_opened", d);
    say(Audience::channel, "room_welcome", d);
    out_.replies.back().channel = r.room;
  }

  // Where the incident stands: base() with its severity, status and commander.
  TemplateData standing() const {
    const auto commander = incident_->roles.find(Role::commander);
    TemplateData d = base();
    d.set("severity", to_string(incident_->severity))
        .set("has_severity", incident_->severity != Severity::unset)
        .set("status", to_string(incident_->status))
        .set("commander", mention(commander == incident_->roles.end() ? "" : commander->second));
    return d;
  }

  // The one-line summary an incident's own channel keeps as its topic.
  std::string topic() const { return prompts_.render("room_topic", standing(), settings_.escape); }

  // Something done to the incident's channel itself (an empty reply carries it).
  void room_request(RoomRequest request) {
    Reply reply{Audience::channel, {}, {}};
    reply.incident = incident_->number;
    reply.room = std::move(request);
    out_.replies.push_back(std::move(reply));
  }
  // After a change the topic shows (severity, commander, status): the channel's topic follows.
  void retopic() {
    if (incident_->has_own_channel()) room_request({RoomRequest::Kind::topic, {}, topic()});
  }

  void log(const cmd::Log& l) {
    if (!need_open()) return;
    const TimePoint at = l.at.value_or(event_.at);
    add_entry(Source::command, l.text, at);
    TemplateData d = base();
    d.set("time", format_utc(at)).set("text", l.text).set("backdated", l.at.has_value());
    say(Audience::channel, "logged", d);
  }

  void action(const cmd::Action& a) {
    if (!need_any()) return;
    ActionItem item;
    item.number = static_cast<int>(incident_->actions.size()) + 1;
    item.text = a.text;
    item.owner = a.owner;
    item.due = a.due;
    item.created_at = event_.at;
    item.author = event_.user;
    item.message_ref = event_.message_ref;
    change(change::ActionAdded{item});
    TemplateData d = base();
    d.set("number", std::to_string(item.number))
        .set("text", item.text)
        .set("owner", action_owner(item.owner, settings_.escape))
        .set("due", item.due ? format_date(*item.due) : std::string{});
    say(Audience::channel, "action_added", d);
  }

  void done(const cmd::Done& cmd) {
    if (!need_any()) return;
    TemplateData d = base();
    d.set("number", std::to_string(cmd.number))
        .set("count", std::to_string(incident_->actions.size()));
    auto it = std::find_if(incident_->actions.begin(), incident_->actions.end(),
                           [&](const ActionItem& a) { return a.number == cmd.number; });
    if (it == incident_->actions.end()) {
      say(Audience::caller, "action_not_found", d);
      return;
    }
    d.set("text", it->text);
    if (it->done) {
      say(Audience::caller, "action_already_done", d);
      return;
    }
    change(change::ActionDone{cmd.number});
    say(Audience::channel, "action_done", d);
  }

  void severity(const cmd::SetSeverity& s) {
    if (!need_open()) return;
    TemplateData d = base();
    d.set("from", to_string(incident_->severity)).set("to", to_string(s.severity));
    if (incident_->severity == s.severity) {
      say(Audience::caller, "severity_unchanged", d);
      return;
    }
    change(change::SeveritySet{s.severity});
    add_system_entry("entry_severity", d);
    say(Audience::channel, "severity_changed", d);
    retopic();
  }

  void role(const cmd::AssignRole& r) {
    if (!need_open()) return;
    auto current = incident_->roles.find(r.role);
    const bool had = current != incident_->roles.end();
    TemplateData d = base();
    d.set("role", to_string(r.role))
        .set("user", mention(r.user))
        .set("from", had ? mention(current->second) : std::string{})
        .set("had", had);
    if (had && current->second == r.user) {
      say(Audience::caller, "role_unchanged", d);
      return;
    }
    change(change::RoleSet{r.role, r.user});
    // A handover is part of the story; a role filled for the first time is not (the draft's
    // timeline would fill up with "comms role: none → …").
    if (had) add_system_entry("entry_role", d);
    say(Audience::channel, "role_assigned", d);
    if (r.role == Role::commander) retopic();
  }

  void status() {
    if (!need_any()) return;
    const Incident& inc = whole();
    TemplateData d = base();
    d.set("severity", to_string(inc.severity))
        .set("status", to_string(inc.status))
        .set("open", inc.is_open())
        .set("started", format_utc(inc.opened_at))
        .set("duration", format_duration(inc.opened_at, inc.closed_at.value_or(event_.at)));
    for (const auto& [role, user] : inc.roles) {
      d.add("roles", TemplateData{}.set("role", to_string(role)).set("user", mention(user)));
    }
    auto entries = inc.ordered_timeline();
    const std::size_t skip = entries.size() > kStatusEntries ? entries.size() - kStatusEntries : 0;
    for (std::size_t i = skip; i < entries.size(); ++i) {
      d.add("entries",
            TemplateData{}.set("time", format_utc(entries[i].at)).set("text", entries[i].text));
    }
    d.set("earlier", std::to_string(skip)).set("has_earlier", skip > 0);
    for (const auto& a : inc.actions) {
      if (a.done) continue;
      d.add("actions", TemplateData{}
                           .set("number", std::to_string(a.number))
                           .set("text", a.text)
                           .set("owner", action_owner(a.owner, settings_.escape))
                           .set("due", a.due ? format_date(*a.due) : std::string{}));
    }
    for (const auto& n : inc.notifications) {
      if (n.done_at) continue;
      d.add("notifications", TemplateData{}
                                 .set("number", std::to_string(n.number))
                                 .set("who", n.who)
                                 .set("by", format_utc(n.by)));
    }
    if (const auto next = next_reminder(inc, event_.at, settings_.remind)) {
      d.set("next_reminder",
            markup::to_markdown(prompts_.render("remind_kind_" + to_string(next->kind), {})))
          .set("next_reminder_at", format_utc(std::max(next->due, event_.at)));
    }
    d.set("reminders_off", inc.reminders_off);
    if (inc.review_at) d.set("review_at", format_utc(*inc.review_at));
    say(Audience::caller, "status", d);
  }

  // --- reminders -----------------------------------------------------------------------------

  // `remind off|on`: for the channel's current incident (open, or closed with its review and
  // actions still to come), said to everyone (they all get the reminders).
  void remind(const cmd::Remind& r) {
    if (!need_any()) return;
    TemplateData d = base();
    if (incident_->reminders_off != r.on) {
      say(Audience::caller, r.on ? "remind_already_on" : "remind_already_off", d);
      return;
    }
    change(change::RemindersSet{!r.on});
    if (r.on) {
      if (const auto next = next_reminder(*incident_, event_.at, settings_.remind)) {
        d.set("next_at", format_utc(std::max(next->due, event_.at)));
      }
    }
    say(Audience::channel, r.on ? "remind_on" : "remind_off", d);
  }

  // `milestone`: when the problem started, was detected, mitigated or resolved. Open or closed:
  // the times are often pieced together in the review.
  void milestone(const cmd::SetMilestone& m) {
    if (!need_any()) return;
    const TimePoint at = m.at.value_or(event_.at);
    change(change::MilestoneSet{m.milestone, at});
    TemplateData d = base();
    d.set("milestone", to_string(m.milestone)).set("when", format_utc(at));
    const auto began = incident_->milestones.find(Milestone::started);
    if (m.milestone != Milestone::started && began != incident_->milestones.end() &&
        began->second <= at) {
      d.set("since", format_duration(began->second, at));
    }
    say(Audience::channel, "milestone_set", d);
  }

  // A duty to notify someone by a deadline: the channel hears a day before it and at it
  // (bot/engine/remind.h), until `notified`. After close too: notifications often come later.
  void notify(const cmd::Notify& n) {
    if (!need_any()) return;
    Notification duty;
    duty.number = static_cast<int>(incident_->notifications.size()) + 1;
    duty.who = n.who;
    duty.by = n.by;
    duty.created_at = event_.at;
    duty.author = event_.user;
    change(change::NotificationAdded{duty});
    TemplateData d = base();
    d.set("number", std::to_string(duty.number))
        .set("who", duty.who)
        .set("by", format_utc(duty.by))
        .set("past", duty.by <= event_.at)
        .set("left", duty.by > event_.at ? format_duration(event_.at, duty.by) : std::string{});
    say(Audience::channel, "notify_added", d);
  }

  void notified(const cmd::Notified& n) {
    if (!need_any()) return;
    TemplateData d = base();
    d.set("number", std::to_string(n.number))
        .set("count", std::to_string(incident_->notifications.size()));
    const auto it = std::find_if(incident_->notifications.begin(), incident_->notifications.end(),
                                 [&](const Notification& duty) { return duty.number == n.number; });
    if (it == incident_->notifications.end()) {
      say(Audience::caller, "notify_not_found", d);
      return;
    }
    d.set("who", it->who).set("by", format_utc(it->by));
    if (it->done_at) {
      say(Audience::caller, "notify_already_done", d.set("done_at", format_utc(*it->done_at)));
      return;
    }
    change(change::NotificationDone{n.number, event_.at});
    d.set("late", event_.at > it->by);
    say(Audience::channel, "notify_done", d);
  }

  // `type security|standard`: whether the review asks a security incident's questions.
  void set_type(const cmd::SetType& t) {
    if (!need_any()) return;
    TemplateData d = base();
    d.set("security", t.security);
    if (incident_->is_security == t.security) {
      say(Audience::caller, "type_unchanged", d);
      return;
    }
    change(change::TypeSet{t.security});
    say(Audience::channel, "type_set", d);
  }

  // `review at`: the review meeting's time, for everyone; its homework comes the day before.
  void review_at(const cmd::ReviewAt& r) {
    if (!need_any()) return;
    change(change::ReviewScheduled{r.at});
    TemplateData d = base();
    d.set("when", format_utc(r.at))
        .set("homework_at", format_utc(r.at - settings_.remind.homework_before))
        .set("reminders", settings_.remind.enabled && !incident_->reminders_off);
    say(Audience::channel, "review_scheduled", d);
  }

  // The schedule says a reminder fell due (bot/engine/remind.h). Its reason may have gone since
  // it was scheduled (an update logged, a severity set, the incident closed): then it is dropped
  // without a word, and its key keeps it from being tried again.
  void on_reminder(const in::Reminder& r) {
    if (r.kind == ReminderKind::digest) {
      digest();
      return;
    }
    if (!incident_ || incident_->number != r.incident) return;
    const auto due = due_reminders(whole(), event_.at, settings_.remind);
    if (std::find(due.begin(), due.end(), DueReminder{r.kind, r.item, r.due}) == due.end()) {
      return;
    }
    change(change::Reminded{SentReminder{r.kind, r.item, r.due, event_.at}});
    TemplateData d = base();
    d.set("severity", to_string(incident_->severity))
        .set("quiet", format_duration(last_update(*incident_), event_.at))
        .set("open_for", format_duration(incident_->opened_at, event_.at));
    // Who is asked: the channel, or one person privately when the work is theirs.
    std::string person;
    if (r.kind == ReminderKind::no_review) {
      d.set("closed", format_utc(*incident_->closed_at));
      if (auto it = incident_->roles.find(Role::commander); it != incident_->roles.end()) {
        person = it->second;
      }
    } else if (r.kind == ReminderKind::unanswered) {
      person = incident_->facilitator;
      for (const ReviewQuestion q : unanswered_questions(*incident_)) {
        d.add("questions", TemplateData{}
                               .set("number", std::to_string(number_of(q)))
                               .set("question", prompts_.raw("review." + std::string(tag_of(q)))));
      }
    } else if (r.kind == ReminderKind::homework) {
      d.set("when", format_utc(*incident_->review_at))
          .set("homework",
               write_homework(whole(), event_.at, prompts_, settings_.escape, display_names_));
    } else if (r.kind == ReminderKind::notify_due) {
      const auto n = std::find_if(incident_->notifications.begin(), incident_->notifications.end(),
                                  [&](const Notification& duty) { return duty.number == r.item; });
      d.set("number", std::to_string(n->number))
          .set("who", n->who)
          .set("by", format_utc(n->by))
          .set("now", n->by <= event_.at)
          .set("left", n->by > event_.at ? format_duration(event_.at, n->by) : std::string{});
    } else if (r.kind == ReminderKind::action_due) {
      const auto a = std::find_if(incident_->actions.begin(), incident_->actions.end(),
                                  [&](const ActionItem& item) { return item.number == r.item; });
      d.set("number", std::to_string(a->number))
          .set("text", a->text)
          .set("due", format_date(*a->due))
          .set("owner", action_owner(a->owner, settings_.escape));
      if (is_platform_user(a->owner)) person = user_key(a->owner);
    }
    d.set("private", !person.empty());
    if (r.kind == ReminderKind::archive) {
      say(Audience::channel, "remind_archive", d);
      out_.replies.back().room = RoomRequest{RoomRequest::Kind::archive};
      return;
    }
    Reply reply{person.empty() ? Audience::channel : Audience::direct,
                prompts_.render("remind_" + to_string(r.kind), d, settings_.escape),
                {}};
    reply.user = person;
    out_.replies.push_back(std::move(reply));
  }

  // The weekly digest: overdue action items by incident, in the lessons channel. Only what the
  // items already say (text, owner, due date): no other names, no blame.
  void digest() {
    const std::string& follow_up = settings_.remind.follow_up_channel;
    if (!settings_.lessons_channel && follow_up.empty()) return;
    TemplateData d;
    d.set("prefix", settings_.command_prefix);
    int count = 0;
    for (const Incident& inc : overdue_) {
      TemplateData group;
      group.set("id", inc.id()).set("title", inc.title);
      for (const ActionItem& a : inc.actions) {
        if (!overdue(a, event_.at, settings_.remind)) continue;
        group.add("actions", TemplateData{}
                                 .set("number", std::to_string(a.number))
                                 .set("text", a.text)
                                 .set("owner", action_owner(a.owner, settings_.escape))
                                 .set("due", format_date(*a.due)));
        ++count;
      }
      if (group.truthy("actions")) d.add("incidents", group);
    }
    if (count == 0) return;  // done meanwhile: nothing to say
    d.set("count", std::to_string(count)).set("one", count == 1);
    say(Audience::lessons, "remind_digest", d);
    out_.replies.back().channel = follow_up;
  }

  // An owner the platform can message: a Slack mention (<@U123>) or a Matrix user id
  // (@name:server); anything else (a team's name, a console login) is told in the channel.
  static bool is_platform_user(const std::string& owner) {
    return owner.rfind("<@", 0) == 0 ||
           (owner.size() > 1 && owner.front() == '@' && owner.find(':') != std::string::npos);
  }

  void close(const cmd::Close& c) {
    if (!need_open()) return;
    change(change::Closed{event_.at, c.resolution});
    TemplateData d = base();
    d.set("resolution", c.resolution)
        .set("duration", format_duration(incident_->opened_at, event_.at));
    add_system_entry("entry_closed", d);
    say(Audience::channel, "closed", d);
    post_draft(Audience::thread);
    retopic();
  }

  // The draft, and when it left personnel matters out or kept actions that raise one, a private
  // note to the facilitator (whoever ran `postmortem`, else the incident commander) to handle
  // them separately.
  void post_draft(Audience audience) {
    const Document draft =
        write_draft(whole(), event_.at, prompts_, settings_.escape, display_names_);
    Reply reply;
    reply.audience = audience;
    reply.text = draft.text;
    out_.replies.push_back(std::move(reply));
    if (draft.left_out == 0 && draft.flagged_actions.empty()) return;
    std::string facilitator = incident_->facilitator;
    if (facilitator.empty()) {
      auto it = incident_->roles.find(Role::commander);
      if (it != incident_->roles.end()) facilitator = it->second;
    }
    if (facilitator.empty()) return;
    TemplateData d = base();
    d.set("count", std::to_string(draft.left_out))
        .set("left_out", draft.left_out > 0)
        .set("one", draft.left_out == 1);
    for (const int n : draft.flagged_actions) {
      d.add("actions", TemplateData{}.set("number", std::to_string(n)));
    }
    Reply note;
    note.audience = Audience::direct;
    note.text = prompts_.render("draft.personnel_note", d, settings_.escape);
    note.user = user_key(facilitator);
    out_.replies.push_back(std::move(note));
  }

  void postmortem() {
    if (!need_any()) return;
    if (!incident_->postmortem_ref.empty()) {  // one review thread per incident
      say(Audience::caller, "postmortem_exists",
          base().set("facilitator", mention(incident_->facilitator)));
      return;
    }
    change(change::FacilitatorSet{event_.user, event_.at});
    TemplateData d = base();
    d.set("facilitator", mention(event_.user));
    for (const ReviewQuestion q : questions_for(*incident_)) {
      d.add("questions", TemplateData{}
                             .set("number", std::to_string(number_of(q)))
                             .set("tag", std::string(tag_of(q)))
                             .set("question", prompts_.raw("review." + std::string(tag_of(q)))));
    }
    say(Audience::channel, "postmortem_root", d);
    out_.replies.back().anchor = Anchor::postmortem;
    out_.replies.back().incident = incident_->number;
  }

  void draft() {
    if (!need_any()) return;
    post_draft(Audience::channel);
  }

  // The lessons go to the whole organisation: never with a blame or personnel finding in them,
  // only after the caller has seen them (`share`, then `share confirm`), and once.
  void share(const cmd::Share& s) {
    if (!need_any()) return;
    TemplateData d = base();
    if (incident_->is_open()) {
      say(Audience::caller, "share_needs_closed", d);
      return;
    }
    if (!settings_.lessons_channel) {
      say(Audience::caller, "share_not_configured", d);
      return;
    }
    if (incident_->shared_at) {
      say(Audience::caller, "share_already", d.set("when", format_utc(*incident_->shared_at)));
      return;
    }
    Document lessons =
        write_lessons(whole(), event_.at, prompts_, settings_.escape, display_names_);
    if (!lessons.flags.empty()) {
      for (const auto& f : lessons.flags) {
        d.add("flags", TemplateData{}
                           .set("phrase", f.phrase)
                           .set("where", f.where)
                           .set("suggestion", f.suggestion)
                           .set("personnel", f.kind == FindingKind::personnel));
      }
      say(Audience::caller, "share_blocked", d);
      return;
    }
    if (!s.confirm) {
      out_.replies.push_back(Reply{Audience::caller, std::move(lessons.text), {}});
      say(Audience::caller, "share_confirm", d);
      return;
    }
    out_.replies.push_back(Reply{Audience::lessons, std::move(lessons.text), {}});
    change(change::LessonsShared{event_.at});
    say(Audience::caller, "share_posted", d);
  }

  // The finished post-mortem, for the incident's channel as a Markdown file: what `draft` shows,
  // as CommonMark. Only those who may rewrite it on the review page publish it (the commander,
  // the scribe, the facilitator), only once the incident is closed, and never while a rewritten
  // section or an action item raises a personnel matter. The lessons go along to the lessons
  // channel as `share confirm` would post them — once, and only without findings.
  void publish(const cmd::Publish& p) {
    if (!need_any()) return;
    TemplateData d = base();
    if (incident_->is_open()) {
      say(Audience::caller, "publish_needs_closed", d);
      return;
    }
    if (!incident_->leads_review(event_.user)) {
      say(Audience::caller, "publish_not_allowed", d);
      return;
    }
    const Document draft =
        write_final(whole(), event_.at, prompts_, settings_.escape, display_names_);
    bool blocked = false;
    for (const char* key : kEditableSections) {
      const auto it = incident_->sections.find(key);
      if (it == incident_->sections.end() || it->second.text.empty()) continue;
      for (const auto& f : check_blameless(it->second.text, People{}, prompts_)) {
        if (f.kind != FindingKind::personnel) continue;
        d.add("sections", TemplateData{}.set("section", section_title(key)));
        blocked = true;
        break;
      }
    }
    for (const int n : draft.flagged_actions) {
      d.add("actions", TemplateData{}.set("number", std::to_string(n)));
      blocked = true;
    }
    if (blocked) {
      say(Audience::caller, "publish_blocked", d);
      return;
    }
    // A private incident's lessons leave its channel only by `share confirm`, said on its own.
    const bool lessons =
        settings_.lessons_channel && !incident_->shared_at && !incident_->is_private;
    d.set("lessons", lessons)
        .set("private_lessons",
             settings_.lessons_channel && !incident_->shared_at && incident_->is_private)
        .set("again", incident_->published_at.has_value());
    if (incident_->published_at) d.set("when", format_utc(*incident_->published_at));
    if (!p.confirm) {
      say(Audience::caller, "publish_confirm", d);
      return;
    }
    Reply file;
    file.audience = Audience::channel;
    file.text = prompts_.render("publish_posted", d, settings_.escape);
    file.file = Attachment{incident_->id() + "-postmortem.md", "text/markdown",
                           markup::to_commonmark(draft.text)};
    out_.replies.push_back(std::move(file));
    change(change::Published{event_.at, event_.user});
    if (lessons) {
      Document digest =
          write_lessons(whole(), event_.at, prompts_, settings_.escape, display_names_);
      if (digest.flags.empty()) {
        out_.replies.push_back(Reply{Audience::lessons, std::move(digest.text), {}});
        change(change::LessonsShared{event_.at});
      } else {
        d.set("lessons", false).set("lessons_held", true);
      }
    }
    say(Audience::caller, "publish_done", d);
  }

  // The review page: a sign-in link for the caller, by direct message only (it is theirs), to
  // the engine to fill in (kSignInLinkSlot).
  void web() {
    if (!need_any()) return;
    TemplateData d = base();
    if (!settings_.web) {
      say(Audience::caller, "web_not_configured", d);
      return;
    }
    d.set("link", std::string(kSignInLinkSlot));
    say(Audience::direct, "web_link", d);
    say(Audience::caller, "web_sent", d);
    out_.sign_in = SignInRequest{incident_->number};
  }

  // --- platform events ---------------------------------------------------------------------

  void on_pin(const in::Pin& p) {
    // A pin in a channel with no incident is just a pin.
    if (!incident_ || p.target_ref.empty()) return;
    for (const auto& e : incident_->timeline) {
      if (e.message_ref == p.target_ref) return;  // once, however often it is pinned
    }
    TimelineEntry e;
    e.seq = incident_->entries + 1;
    e.at = p.target_at;
    e.source = Source::pin;
    e.author = p.target_author;
    e.text = p.target_text;
    e.message_ref = p.target_ref;
    change(change::EntryAdded{e});
    TemplateData d = base();
    d.set("time", format_utc(p.target_at));
    say(Audience::caller, "pinned", d);
  }

  void on_edited(const in::Edited& e) {
    if (!incident_ || e.target_ref.empty()) return;  // system entries have no ref
    for (const auto& entry : incident_->timeline) {
      if (entry.message_ref != e.target_ref || entry.deleted) continue;
      std::string text = e.new_text;
      if (entry.source == Source::command) {
        // A `log` message was edited: keep the fact, drop the command word and time.
        auto parsed = parse_command(e.new_text, event_.at);
        auto* cmd = std::get_if<Command>(&parsed);
        auto* log = cmd ? std::get_if<cmd::Log>(cmd) : nullptr;
        if (!log) return;
        text = log->text;
      }
      if (text != entry.text) change(change::EntryEdited{e.target_ref, text});
      return;
    }
    for (const auto& r : incident_->review) {
      if (r.message_ref == e.target_ref && !r.deleted && r.text != e.new_text) {
        change(change::EntryEdited{e.target_ref, e.new_text});
        return;
      }
    }
    // An edited `action` message rewords its item (owner and due date stay as recorded).
    for (const auto& a : incident_->actions) {
      if (a.message_ref != e.target_ref) continue;
      auto parsed = parse_command(e.new_text, event_.at);
      auto* cmd = std::get_if<Command>(&parsed);
      auto* edited = cmd ? std::get_if<cmd::Action>(cmd) : nullptr;
      if (edited && edited->text != a.text) change(change::EntryEdited{e.target_ref, edited->text});
      return;
    }
  }

  void on_deleted(const in::Deleted& d) {
    if (!incident_ || d.target_ref.empty()) return;
    const bool known =
        std::any_of(
            incident_->timeline.begin(), incident_->timeline.end(),
            [&](const TimelineEntry& e) { return e.message_ref == d.target_ref && !e.deleted; }) ||
        std::any_of(incident_->review.begin(), incident_->review.end(), [&](const ReviewReply& r) {
          return r.message_ref == d.target_ref && !r.deleted;
        });
    if (known) change(change::EntryDeleted{d.target_ref});
  }

  void on_thread_reply(const in::ThreadReply& r) {
    if (!incident_ || incident_->postmortem_ref.empty() ||
        incident_->postmortem_ref != r.root_ref) {
      return;
    }
    change(change::ReviewAdded{
        ReviewReply{event_.at, event_.user, r.text, event_.message_ref, false}});
  }

  const InboundEvent& event_;
  const Prompts& prompts_;
  const Settings& settings_;
  std::optional<Incident> incident_;  // working copy: changes apply as they are decided
  std::int64_t next_number_;
  const DmContext& dm_;
  const DisplayNames& display_names_;
  std::vector<Incident> overdue_;  // the digest's
  std::optional<ParsedCommand> command_;
  std::vector<SecretMatch> secrets_;  // cut out of this event's text (scrub)
  bool cut_ = false;                  // the text was cut at kTextLimit (scrub)
  Decision out_;
};

}  // namespace

Decision decide(Context context, const InboundEvent& event, const Prompts& prompts,
                const Settings& settings) {
  return Decider(context, event, prompts, settings).run();
}

std::optional<ParsedCommand> parse_event_command(const InboundEvent& event) {
  const auto* c = std::get_if<in::CommandText>(&event.body);
  if (!c) return std::nullopt;
  auto secrets = find_secrets(c->text);
  const std::string text = secrets.empty() ? c->text : redact_secrets(c->text, secrets);
  return ParsedCommand{parse_command(text, event.at), std::move(secrets)};
}

IncidentView view_for(const InboundEvent& event, const std::optional<ParsedCommand>& command) {
  if (command) {
    const auto* parsed = std::get_if<Command>(&command->result);
    if (!parsed) return IncidentView::header_only();
    IncidentView view =
        reads_whole_record(*parsed) ? IncidentView::all() : IncidentView::header_only();
    view.number = named_incident(*parsed);
    return view;
  }
  return std::visit(
      overloaded{
          [](const in::CommandText&) { return IncidentView::header_only(); },
          [](const in::Pin& p) { return IncidentView::header_only(p.target_ref); },
          [](const in::Edited& e) { return IncidentView::header_only(e.target_ref); },
          [](const in::Deleted& d) { return IncidentView::header_only(d.target_ref); },
          [](const in::ThreadReply&) { return IncidentView::header_only(); },
          [](const in::DirectMessage&) { return IncidentView::header_only(); },
          [](const in::RoomOpened& r) {
            IncidentView view = IncidentView::header_only();
            view.number = r.incident;
            return view;
          },
          [](const in::Reminder& r) {  // the whole record: when the timeline last moved
            IncidentView view = IncidentView::all();
            view.number = r.incident;
            return view;
          },
      },
      event.body);
}

}  // namespace incident
