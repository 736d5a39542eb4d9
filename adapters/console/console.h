// The console adapter: a local incident channel in the terminal. Each input line is a message
// from the local user; lines that start with the command prefix are commands, `dm <text>` is a
// private message to the bot. Replies go to the output stream and nothing else does, so a script
// can pipe a whole incident through it.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

#include "bot/engine.h"
#include "bot/time.h"

namespace incident {

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
  // Handles one line; public for tests.
  void handle_line(const std::string& line, std::ostream& out);

 private:
  Engine& engine_;
  ConsoleOptions options_;
  long line_number_ = 0;
};

inline constexpr const char* kConsoleChannel = "console";
inline constexpr const char* kConsoleDmChannel = "console-dm";

}  // namespace incident
