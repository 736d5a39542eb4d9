#include "adapters/console/console.h"

#include <istream>
#include <ostream>
#include <spdlog/spdlog.h>

#include "bot/command.h"

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
    case Audience::direct: out << "[dm] "; break;
    case Audience::lessons: out << "[lessons channel] "; break;
    case Audience::thread: out << "[thread]\n"; break;
    case Audience::channel:
    case Audience::caller: break;
  }
  out << reply.text;
  if (reply.text.empty() || reply.text.back() != '\n') out << '\n';
}

}  // namespace

Console::Console(Engine& engine, ConsoleOptions options)
    : engine_(engine), options_(std::move(options)) {
  if (!options_.clock) {
    options_.clock = [] {
      return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
    };
  }
}

void Console::handle_line(const std::string& raw, std::ostream& out) {
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
    event.channel = kConsoleChannel;
    event.body = in::CommandText{std::string(*rest)};
  } else if (line == "dm" || line.rfind("dm ", 0) == 0) {
    event.channel = kConsoleDmChannel;
    event.body = in::DirectMessage{trim(line.substr(2))};
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
    for (const auto& reply : outcome.replies) print(out, reply);
  } catch (const std::exception& e) {
    // Storage failed: nothing was recorded, so say so rather than pretend.
    spdlog::error("console: could not apply the message: {}", e.what());
    out << "Sorry, that was not recorded: " << e.what() << "\n";
  }
  out.flush();
}

int Console::run(std::istream& in, std::ostream& out) {
  if (options_.interactive) {
    out << "incident-bot console — you are @" << options_.user << " in #" << kConsoleChannel
        << ". Type " << options_.prefix << " help, dm <text> to talk to the bot privately, "
        << "quit to leave.\n";
  }
  std::string line;
  while (true) {
    if (options_.interactive) out << "> " << std::flush;
    if (!std::getline(in, line)) break;
    if (options_.interactive && (trim(line) == "quit" || trim(line) == "exit")) break;
    handle_line(line, out);
  }
  return 0;
}

}  // namespace incident
