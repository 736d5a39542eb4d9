#include "adapters/cli/lint.h"

#include <filesystem>
#include <fstream>
#include <istream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <ostream>

#include "bot/blameless/blameless.h"

namespace incident {

namespace {

constexpr int kNoFindings = 0;
constexpr int kFindings = 1;
constexpr int kIoError = 2;

// One finding per output line: a phrase that spans a line break is shown on one line.
std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  return out;
}

// Moves `pos` from byte `from` of the text to byte `to`.
void advance(std::string_view text, std::size_t from, std::size_t to, TextPosition& pos) {
  const std::size_t end = to < text.size() ? to : text.size();
  for (std::size_t i = from; i < end; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {  // not a UTF-8 continuation byte: a new character
      ++pos.column;
    }
  }
}

}  // namespace

TextPosition position_of(std::string_view text, std::size_t offset) {
  TextPosition pos;
  advance(text, 0, offset, pos);
  return pos;
}

std::size_t lint_text(std::string_view text, const LintOptions& options, const Prompts& prompts,
                      std::ostream& out) {
  const auto findings = check_blameless(text, People{options.people}, prompts);
  // Findings come in text order, so one forward walk converts every offset.
  TextPosition pos;
  std::size_t at = 0;
  for (const Finding& f : findings) {
    advance(text, at, f.offset, pos);
    at = f.offset;
    if (options.json) {
      const nlohmann::json line = {{"line", pos.line},
                                   {"column", pos.column},
                                   {"kind", to_string(f.kind)},
                                   {"text", f.phrase},
                                   {"suggestion", f.suggestion}};
      // Invalid UTF-8 in the input is replaced rather than aborting the whole report.
      out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      out << pos.line << ":" << pos.column << " " << to_string(f.kind) << " \""
          << one_line(f.phrase) << "\" -> " << one_line(f.suggestion) << "\n";
    }
  }
  return findings.size();
}

int run_lint(const LintOptions& options, const Prompts& prompts, std::istream& in,
             std::ostream& out, std::ostream& err) {
  std::string text;
  if (options.file == "-") {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
      err << "lint: error reading stdin\n";
      return kIoError;
    }
  } else {
    std::error_code ec;
    std::ifstream file(options.file, std::ios::binary);
    if (!file || std::filesystem::is_directory(options.file, ec)) {
      err << "lint: cannot read " << options.file << "\n";
      return kIoError;
    }
    text.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    if (file.bad()) {
      err << "lint: error reading " << options.file << "\n";
      return kIoError;
    }
  }
  return lint_text(text, options, prompts, out) == 0 ? kNoFindings : kFindings;
}

}  // namespace incident
