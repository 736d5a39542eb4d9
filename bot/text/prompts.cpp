#include "bot/text/prompts.h"

#include <cstddef>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

namespace incident {

namespace {

// A prompt with the file line its text starts on, so template errors can point into the file.
struct Block {
  std::string text;
  std::size_t first_line = 1;
  std::size_t key_line = 1;  // the `[key]` line, or 1 for a whole-file template
};

struct Origin {
  std::string file;
  std::size_t first_line = 1;
};

[[noreturn]] void fail(const std::string& file, std::size_t line, const std::string& what) {
  throw TemplateError(file + ":" + std::to_string(line) + ": " + what);
}

bool is_blank_line(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// `[key]` with key in [a-z0-9_.]+; trailing blanks are tolerated because editors leave them.
bool block_key(std::string_view line, std::string& key) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  if (line.size() < 3 || line.front() != '[' || line.back() != ']') return false;
  const std::string_view name = line.substr(1, line.size() - 2);
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
  }
  key.assign(name);
  return true;
}

std::string_view base_name(std::string_view name) {
  const std::size_t slash = name.find_last_of("/\\");
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

bool is_block_file(std::string_view name) {
  const std::string_view ext = ".txt";
  return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
}

void finish_block(std::vector<std::string_view>& lines, Block& block) {
  while (!lines.empty() && is_blank_line(lines.back())) lines.pop_back();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) block.text += '\n';
    block.text.append(lines[i]);
  }
  lines.clear();
}

std::map<std::string, Block> parse_blocks(const PromptFile& file) {
  std::map<std::string, Block> blocks;
  const std::string_view base = base_name(file.name);

  if (!is_block_file(base)) {
    // A whole-file template keeps its content byte for byte, trailing newline included.
    const std::size_t dot = base.rfind('.');
    const std::string key(dot == std::string_view::npos ? base : base.substr(0, dot));
    if (key.empty()) fail(file.name, 1, "cannot derive a prompt key from the file name");
    blocks[key] = Block{file.content, 1, 1};
    return blocks;
  }

  const std::string_view content = file.content;
  std::vector<std::string_view> lines;  // the current block's lines
  Block* current = nullptr;
  std::string key;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < content.size()) {
    std::size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF from Windows editors
    pos = end + 1;
    ++line_no;

    if (block_key(line, key)) {
      if (current != nullptr) finish_block(lines, *current);
      auto [it, inserted] = blocks.try_emplace(key, Block{{}, line_no + 1, line_no});
      if (!inserted) {
        fail(file.name, line_no,
             "duplicate key [" + key + "] (first defined at line " +
                 std::to_string(it->second.key_line) + ")");
      }
      current = &it->second;
    } else if (current != nullptr) {
      lines.push_back(line);
    } else if (!is_blank_line(line) && line.front() != '#') {
      // Text here would belong to no prompt; most likely a missing or misspelt [key] line.
      fail(file.name, line_no, "text before the first [key] line");
    }
  }
  if (current != nullptr) finish_block(lines, *current);
  return blocks;
}

// Template errors read "line N: what", N counted within the prompt; turn that into a line of
// the file so an operator can jump straight to it.
std::string locate(const TemplateError& error, const Origin& origin, const std::string& key) {
  std::string what = error.what();
  std::size_t line = origin.first_line;
  if (what.rfind("line ", 0) == 0) {
    const std::size_t colon = what.find(": ");
    if (colon != std::string::npos) {
      try {
        line = origin.first_line + std::stoul(what.substr(5, colon - 5)) - 1;
        what.erase(0, colon + 2);
      } catch (const std::exception&) {
        // Not the expected prefix; keep the message whole.
      }
    }
  }
  return origin.file + ":" + std::to_string(line) + ": prompt [" + key + "]: " + what;
}

}  // namespace

std::map<std::string, std::string> parse_prompt_file(const PromptFile& file) {
  std::map<std::string, std::string> texts;
  for (auto& [key, block] : parse_blocks(file)) texts.emplace(key, std::move(block.text));
  return texts;
}

Prompts Prompts::load(const std::vector<PromptFile>& defaults,
                      const std::vector<PromptFile>& overrides) {
  Prompts prompts;
  std::map<std::string, Origin> origins;

  for (const PromptFile& file : defaults) {
    for (auto& [key, block] : parse_blocks(file)) {
      if (auto it = origins.find(key); it != origins.end()) {
        fail(file.name, block.key_line,
             "prompt [" + key + "] is already defined in " + it->second.file);
      }
      origins[key] = Origin{file.name, block.first_line};
      prompts.texts_[key] = std::move(block.text);
    }
  }

  const std::map<std::string, Origin> known = origins;
  std::set<std::string> reported;
  for (const PromptFile& file : overrides) {
    for (auto& [key, block] : parse_blocks(file)) {
      // Unknown keys are kept too: a newer operator file may run against an older binary.
      if (known.count(key) == 0 && reported.insert(key).second) prompts.unknown_.push_back(key);
      origins[key] = Origin{file.name, block.first_line};
      prompts.texts_[key] = std::move(block.text);
    }
  }

  // Validated after overlaying, so each error names the file the text actually came from.
  for (const auto& [key, text] : prompts.texts_) {
    try {
      check_template(text);
    } catch (const TemplateError& error) {
      throw TemplateError(locate(error, origins.at(key), key));
    }
  }
  return prompts;
}

const std::string& Prompts::raw(const std::string& key) const {
  auto it = texts_.find(key);
  if (it == texts_.end()) throw std::out_of_range("unknown prompt: " + key);
  return it->second;
}

std::string Prompts::render(const std::string& key, const TemplateData& data,
                            const Escaper& escape) const {
  return render_template(raw(key), data, escape);
}

}  // namespace incident
