// Labelled sentence sets, as blameless_eval and blameless_train read them. Tab-separated, one
// sentence a line: `label<TAB>text[<TAB>name,name…]`, label blame, neutral or personnel, the
// optional names being known participants. Blank lines and lines starting with `#` are skipped,
// except `#include NAME`, which adds NAME (relative to the including file's directory) as a set
// of its own: that is how held-out batches stay separate files yet run with the tuning set.
#pragma once

#include <cstddef>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace incident::labelled {

struct Sentence {
  std::string label;  // "blame", "neutral" or "personnel"
  std::string text;
  std::vector<std::string> names;
  std::size_t line = 0;
};

struct Set {
  std::string path;
  std::vector<Sentence> sentences;
};

inline std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (true) {
    const std::size_t at = s.find(sep, pos);
    parts.push_back(s.substr(pos, at == std::string::npos ? std::string::npos : at - pos));
    if (at == std::string::npos) return parts;
    pos = at + 1;
  }
}

inline std::string base_name(const std::string& path) {
  return path.substr(path.find_last_of('/') + 1);
}

// Appends `path` and then what it includes to `sets`. False, having said why on stderr, on an
// unreadable file, a malformed line or includes nested too deeply (a cycle).
inline bool read_sets(const std::string& path, std::vector<Set>& sets, int depth = 0) {
  if (depth > 8) {
    std::cerr << path << ": includes nested too deeply\n";
    return false;
  }
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return false;
  }
  const std::size_t index = sets.size();
  sets.push_back({path, {}});
  std::vector<std::string> includes;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("#include ", 0) == 0) {
      const std::size_t slash = path.find_last_of('/');
      includes.push_back((slash == std::string::npos ? "" : path.substr(0, slash + 1)) +
                         line.substr(9));
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    auto cols = split(line, '\t');
    if (cols.size() < 2 || (cols[0] != "blame" && cols[0] != "neutral" && cols[0] != "personnel")) {
      std::cerr << path << ":" << line_no << ": expected blame|neutral|personnel<TAB>text\n";
      return false;
    }
    Sentence s{std::move(cols[0]), std::move(cols[1]), {}, line_no};
    if (cols.size() > 2 && !cols[2].empty()) s.names = split(cols[2], ',');
    sets[index].sentences.push_back(std::move(s));
  }
  for (const std::string& include : includes) {
    if (!read_sets(include, sets, depth + 1)) return false;
  }
  return true;
}

}  // namespace incident::labelled
