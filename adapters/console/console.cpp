#include "adapters/console/console.h"

#include <spdlog/spdlog.h>
#include <istream>
#include <ostream>
#include <sstream>

#include "bot/model/command.h"
#include "bot/model/escalation.h"
#include "bot/text/markup.h"

namespace incident {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

void print(std::ostream& out, const Reply& reply) {
  switch (reply.audience) {
    case Audience::direct:
      out << "[dm] ";
      break;
    case Audience::lessons:
      out << (reply.channel.empty() ? "[lessons channel] " : "[" + reply.channel + "] ");
      break;
    case Audience::security:
      out << "[security channel] ";
      break;
    case Audience::thread:
      out << "[thread]\n";
      break;
    case Audience::channel:
      if (!reply.channel.empty()) out << "[#" << reply.channel << "] ";
      break;
    case Audience::caller:
      break;
  }
  if (reply.text.empty()) return;  // it carried a request for the channel itself
  // Replies are bot Markdown with literal and mention spans; the terminal shows plain Markdown.
  const std::string text = markup::to_markdown(reply.text);
  out << text;
  if (text.empty() || text.back() != '\n') out << '\n';
  if (reply.file) {  // a document (`publish`): the terminal shows the file itself
    out << "[file " << reply.file->name << ", " << reply.file->content.size() << " bytes]\n"
        << reply.file->content;
    if (reply.file->content.empty() || reply.file->content.back() != '\n') out << '\n';
    out << "[end of " << reply.file->name << "]\n";
  }
}

std::size_t private_length(const InboundBody& body) {
  if (const auto* dm = std::get_if<in::DirectMessage>(&body)) return dm->text.size();
  if (const auto* reply = std::get_if<in::ThreadReply>(&body)) return reply->text.size();
  return 0;
}

}  // namespace

std::string console_dm_channel(const std::string& user) {
  return std::string(kConsoleDmChannel) + ":" + user;
}

Console::Console(Engine& engine, ConsoleOptions options)
    : engine_(engine), options_(std::move(options)) {
  if (!options_.clock) {
    options_.clock = [] {
      return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
    };
  }
}

void Console::handle_lines(const std::vector<std::string>& lines, std::ostream& out) {
  purge_if_due(options_.clock());  // before the batch: the purge is a transaction of its own
  remind_if_due(out);              // what fell due before these lines were typed comes first
  std::ostringstream replies;
  try {
    auto batch = engine_.batch();
    for (const auto& line : lines) handle_one(line, replies);
    batch.commit();
  } catch (const std::exception& e) {
    // Nothing of these lines is durable: say so rather than pretend.
    spdlog::error("console: could not store {} line(s): {}", lines.size(), e.what());
    out << "Sorry, " << (lines.size() == 1 ? "that was" : "those lines were")
        << " not recorded: " << e.what() << "\n";
    out.flush();
    return;
  }
  out << replies.str();
  out.flush();
}

void Console::handle_one(const std::string& raw, std::ostream& out) {
  const std::string line = trim(raw);
  ++line_number_;
  if (line.empty()) return;

  InboundEvent event;
  event.key = "console:" + options_.session + ":" + std::to_string(line_number_);
  event.platform = "console";
  event.user = options_.user;
  event.at = options_.clock();
  event.message_ref = event.key;

  if (auto rest = strip_prefix(line, options_.prefix)) {
    event.channel = channel_;
    event.body = in::CommandText{std::string(*rest)};
  } else if (line == "dm" || line.rfind("dm ", 0) == 0) {
    event.channel = console_dm_channel(options_.user);
    event.body = in::DirectMessage{trim(line.substr(2))};
  } else if (line == "thread" || line.rfind("thread ", 0) == 0) {
    // The terminal has no threads: `thread <text>` answers in the post-mortem thread of the
    // channel's current incident.
    const std::string root = engine_.postmortem_ref("console", channel_);
    if (root.empty()) {
      out << "(no post-mortem thread yet: run " << options_.prefix << " postmortem first)\n";
      return;
    }
    event.channel = channel_;
    event.body = in::ThreadReply{root, trim(line.substr(6))};
    // The review takes replies silently, as a platform thread would; at a terminal, say so.
    if (options_.interactive) {
      out << "(added to the post-mortem review; " << options_.prefix << " draft shows it)\n";
    }
  } else if (line == "security" || line.rfind("security ", 0) == 0) {
    // The security team's side: `security [SEC-…] <text>` replies in that case's thread, or in
    // the latest case posted in this session, as a responder who is not the asker.
    std::string text = trim(line.substr(8));
    std::string root = latest_case_ref_;
    if (auto code = leading_case_code(text); code && case_refs_.count(*code)) {
      root = case_refs_.at(*code);
      text = trim(text.substr(kCaseCodeLength));
    }
    if (root.empty()) {
      out << "(no security case in this session yet: dm report <what happened> opens one)\n";
      return;
    }
    event.channel = kConsoleSecurityChannel;
    event.user = kConsoleSecurityUser;
    event.body = in::ThreadReply{root, text};
  } else {
    // Ordinary chat in the channel: the bot listens only for commands.
    if (options_.interactive) {
      out << "(not a command: commands start with " << options_.prefix << "; try "
          << options_.prefix << " help)\n";
    }
    return;
  }

  try {
    Outcome outcome = engine_.handle(event);
    show(event.key, outcome.replies, out);
    // Private messages are logged by size and topic only, never by their words.
    if (!outcome.topic.empty()) {
      spdlog::info("console: private message ({} characters): {}", private_length(event.body),
                   outcome.topic);
    }
  } catch (const std::exception& e) {
    // Storage failed: nothing was recorded, so say so rather than pretend.
    spdlog::error("console: could not apply the message: {}", e.what());
    out << "Sorry, that was not recorded: " << e.what() << "\n";
  }
}

void Console::show(const std::string& key, const std::vector<Reply>& replies, std::ostream& out) {
  for (std::size_t i = 0; i < replies.size(); ++i) {
    const Reply& reply = replies[i];
    print(out, reply);
    if (reply.room) do_room(reply, out);
    // A printed line is "posted": anchored replies get a ref so later `thread` lines find it.
    if (reply.anchor != Anchor::none) {
      const std::string ref = key + ":" + std::to_string(i);
      engine_.anchor_posted("console", reply, ref);
      if (reply.anchor == Anchor::security_case) {
        case_refs_[reply.case_code] = ref;
        latest_case_ref_ = ref;
      }
    }
  }
}

void Console::do_room(const Reply& reply, std::ostream& out) {
  const RoomRequest& room = *reply.room;
  switch (room.kind) {
    case RoomRequest::Kind::open: {
      // The terminal's channels are names: opening one always works, and the terminal moves
      // there, as the declarer would on a platform.
      InboundEvent opened;
      opened.key = "console:room:" + incident_id(reply.incident);
      opened.platform = "console";
      opened.channel = channel_;
      opened.user = options_.user;
      opened.at = options_.clock();
      opened.body = in::RoomOpened{reply.incident, room.name, room.name, {}, {}};
      const Outcome outcome = engine_.handle(opened);
      show(opened.key, outcome.replies, out);
      channel_ = room.name;
      out << "(you are now in #" << channel_ << ")\n";
      break;
    }
    case RoomRequest::Kind::topic:
      out << "[topic of #" << channel_ << "] " << markup::to_markdown(room.topic) << "\n";
      break;
    case RoomRequest::Kind::archive:
      out << "[#" << channel_ << " archived]\n";
      if (channel_ != kConsoleChannel) {
        channel_ = kConsoleChannel;
        out << "(you are back in #" << channel_ << ")\n";
      }
      break;
  }
}

std::optional<Outcome> Console::submit(const InboundEvent& event, std::ostream& out) {
  Outcome outcome;
  try {
    auto batch = engine_.batch();
    outcome = engine_.handle(event);
    batch.commit();
  } catch (const std::exception& e) {
    spdlog::error("console: could not record {}: {}", event.key, e.what());
    return std::nullopt;
  }
  if (!outcome.duplicate) show(event.key, replies_for_others(outcome.replies), out);
  out.flush();
  return outcome;
}

void Console::remind_if_due(std::ostream& out) {
  try {
    for (const InboundEvent& event : engine_.due_reminders("console", options_.clock())) {
      submit(event, out);
    }
  } catch (const std::exception& e) {
    spdlog::error("console: could not look for due reminders: {}", e.what());
  }
}

bool Console::quits(const std::string& line) const {
  return options_.interactive && (trim(line) == "quit" || trim(line) == "exit");
}

void Console::greet(std::ostream& out) {
  if (options_.interactive) {
    out << "incident-bot console — you are @" << options_.user << " in #" << channel_ << ". Type "
        << options_.prefix << " help, dm <text> to talk to the bot privately, "
        << "thread <text> to answer in the post-mortem thread, "
        << "security <text> to answer a reported question as the security team, "
        << "quit to leave.\n";
  }
  purge_if_due(options_.clock());
}

void Console::start(std::ostream& out) {
  greet(out);
  if (options_.interactive) out << "> " << std::flush;
}

bool Console::feed(std::string_view chunk, std::ostream& out) {
  pending_.append(chunk);
  std::vector<std::string> lines;
  bool quit = false;
  std::size_t start = 0;
  for (std::size_t nl = pending_.find('\n'); nl != std::string::npos;
       nl = pending_.find('\n', start)) {
    std::string line = pending_.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start = nl + 1;
    if ((quit = quits(line))) break;
    lines.push_back(std::move(line));
    if (lines.size() == kBatchMax) {
      handle_lines(lines, out);
      lines.clear();
    }
  }
  pending_.erase(0, start);
  if (!lines.empty()) handle_lines(lines, out);
  if (!quit && options_.interactive) out << "> " << std::flush;
  return !quit;
}

int Console::run(std::istream& in, std::ostream& out) {
  greet(out);
  std::string line;
  while (true) {
    if (options_.interactive) out << "> " << std::flush;
    if (!std::getline(in, line)) break;
    if (quits(line)) break;
    // Lines already read in (piped, pasted) join the batch; nothing waits for more.
    std::vector<std::string> lines{line};
    bool quit = false;
    while (lines.size() < kBatchMax && in.rdbuf()->in_avail() > 0 && std::getline(in, line)) {
      if ((quit = quits(line))) break;
      lines.push_back(line);
    }
    handle_lines(lines, out);
    if (quit) break;
  }
  return 0;
}

void Console::purge_if_due(TimePoint now) {
  // Closed security cases and old DM replies go when their time is up: at start, then hourly
  // for a console left running.
  if (last_purge_ != TimePoint{} && now - last_purge_ < std::chrono::hours{1}) return;
  last_purge_ = now;
  try {
    if (const int cases = engine_.purge(now)) {
      spdlog::info("console: deleted {} closed security case(s) past retention", cases);
    }
  } catch (const std::exception& e) {
    spdlog::error("console: could not purge expired security cases: {}", e.what());
  }
}

}  // namespace incident
