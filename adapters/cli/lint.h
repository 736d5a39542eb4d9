// `incident-bot lint`: the blameless check on its own, for a post-mortem written anywhere (a docs
// repository's CI, say). It needs no database and no configuration: suggestions come from the
// prompts compiled into the binary.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "bot/text/prompts.h"

namespace incident {

struct LintOptions {
  std::string file = "-";           // a path, or "-" for stdin
  std::vector<std::string> people;  // known participant names (--people)
  bool json = false;                // --format json
};

// A 1-based line and column of a byte offset. Columns count characters (UTF-8 code points), so
// an editor puts the cursor on the phrase whatever came before it on the line.
struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};
TextPosition position_of(std::string_view text, std::size_t offset);

// Writes one line per finding to `out`: `LINE:COL KIND "phrase" -> suggestion`, or with json a
// JSON object {"line","column","kind","text","suggestion"} per line. Returns the finding count.
std::size_t lint_text(std::string_view text, const LintOptions& options, const Prompts& prompts,
                      std::ostream& out);

// The whole command: reads the file (or `in` for "-"), lints it, and returns the exit status:
// 0 no findings, 1 findings, 2 an I/O error (reported on `err`).
int run_lint(const LintOptions& options, const Prompts& prompts, std::istream& in,
             std::ostream& out, std::ostream& err);

}  // namespace incident
