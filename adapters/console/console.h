// The console adapter: a local incident channel in the terminal. Each input line is a message
// from the local user; lines that start with the command prefix are commands, `dm <text>` is a
// private message to the bot, `thread <text>` a reply in the post-mortem thread, and
// `security <text>` the security team answering a reported question in its case thread.
// Replies go to the output stream and nothing else does, so a script can pipe a whole incident
// through it.
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/engine/engine.h"
#include "bot/model/time.h"

namespace incident {

inline constexpr const char* kConsoleChannel = "console";

struct ConsoleOptions {
  std::string user = "operator";  // the local user's id
  std::string prefix = "!incident";
  std::string session;       // unique per run: keys are "console:<session>:<line>"
  bool interactive = false;  // a terminal: show a prompt and hints
  std::function<TimePoint()> clock;
};

class Console {
 public:
  Console(Engine& engine, ConsoleOptions options);
  // Reads until end of input or `quit`; returns the process exit status.
  int run(std::istream& in, std::ostream& out);
  // For a console on an event loop (with the review page beside it): `chunk` is input as it was
  // read; the complete lines in it are handled as one batch, a partial one waits for the rest.
  // Returns false once `quit` was read. start() prints the greeting and purges, as run() does.
  void start(std::ostream& out);
  bool feed(std::string_view chunk, std::ostream& out);
  // Handles lines read together in one store batch, and prints their replies once it is
  // durable; public for tests.
  void handle_lines(const std::vector<std::string>& lines, std::ostream& out);
  void handle_line(const std::string& line, std::ostream& out) { handle_lines({line}, out); }
  // A command from the review page on a user's behalf (web::Submit): durable, then what the
  // channel sees of it printed; nullopt when it could not be stored.
  std::optional<Outcome> submit(const InboundEvent& event, std::ostream& out);

  // Lines already read when one is handled join its batch, up to this many.
  static constexpr std::size_t kBatchMax = 256;

 private:
  bool quits(const std::string& line) const;  // `quit` or `exit` at a terminal
  void greet(std::ostream& out);              // the greeting at a terminal, and a purge
  // One line inside the open batch.
  void handle_one(const std::string& line, std::ostream& out);
  // Prints an event's replies; anchored ones are "posted" under refs made from `key`, and
  // what they ask of a channel itself is done here (`open`: the terminal moves to the new one).
  void show(const std::string& key, const std::vector<Reply>& replies, std::ostream& out);
  void do_room(const Reply& reply, std::ostream& out);
  Engine& engine_;
  ConsoleOptions options_;
  // Posts the reminders that fell due (Engine::due_reminders): the console looks whenever a
  // line comes in.
  void remind_if_due(std::ostream& out);
  void purge_if_due(TimePoint now);

  long line_number_ = 0;
  // The channel the terminal is in: kConsoleChannel, or an incident's own (`start … new`).
  std::string channel_ = kConsoleChannel;
  std::string pending_;  // feed(): the start of a line not yet ended
  // The security cases posted in this session: case code -> the ref their thread answers go to.
  std::map<std::string, std::string> case_refs_;
  std::string latest_case_ref_;
  TimePoint last_purge_{};
};

// Each console user has a DM channel of their own ("console-dm:<user>"), as on a platform: one
// user's DM never lands in another user's security case.
inline constexpr const char* kConsoleDmChannel = "console-dm";
std::string console_dm_channel(const std::string& user);
// The console stands in for the security channel, so `report` can be tried without a workspace;
// `security` lines speak as this responder.
inline constexpr const char* kConsoleSecurityChannel = "console-security";
inline constexpr const char* kConsoleSecurityUser = "security-team";

}  // namespace incident
