// Every text the bot posts comes from prompts/, editable without recompiling. The binary carries
// the defaults; an operator's prompts_dir overrides them key by key.
//
// File format (prompts/*.txt): blocks that start with a line `[key]`; the text runs to the next
// such line, with trailing blank lines dropped. Lines starting with `#` before the first block
// are comments. A whole-file template (prompts/*.tmpl) is one prompt keyed by its file name
// without extension ("draft.tmpl" -> "draft").
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bot/text/template.h"

namespace incident {

struct PromptFile {
  std::string name;  // file name, e.g. "replies.txt" or "draft.md"
  std::string content;
};

class Prompts {
 public:
  Prompts() = default;
  // Builds from the defaults, then overlays `overrides` key by key. Throws TemplateError naming
  // the file and key when a block or template does not parse.
  static Prompts load(const std::vector<PromptFile>& defaults,
                      const std::vector<PromptFile>& overrides = {});

  // Keys in `overrides` that the defaults do not have (likely typos), for a warning.
  std::vector<std::string> unknown_keys() const { return unknown_; }

  bool contains(const std::string& key) const { return texts_.count(key) != 0; }
  const std::string& raw(const std::string& key) const;  // throws std::out_of_range naming it
  std::string render(const std::string& key, const TemplateData& data,
                     const Escaper& escape = no_escape) const;

 private:
  std::map<std::string, std::string> texts_;
  std::vector<std::string> unknown_;
};

// Parses one prompt file into key -> text.
std::map<std::string, std::string> parse_prompt_file(const PromptFile& file);

}  // namespace incident
