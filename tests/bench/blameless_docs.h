// The documents mode of blameless_eval: scores the checker, exactly as `incident-bot lint` runs it
// (the whole file, no known names), on a folder of Markdown documents against hand labels of
// every unit. DIR/labels.tsv has a header line and one unit a line:
//
//   doc<TAB>unit<TAB>first_line<TAB>last_line<TAB>label<TAB>names_person<TAB>text
//
// label: blame, borderline, personnel, neutral or skipped (front matter, code, markup-only);
// names_person: yes or no. A unit is a heading, list item, table row or sentence; the sentences
// of one paragraph share its lines, so a finding is put on the unit whose text starts last at or
// before the finding (tests/data/blameless/README.md describes the scoring).
#pragma once

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bench/labelled_set.h"

namespace incident::docs {

struct Unit {
  std::string doc;
  int unit = 0;
  std::size_t first_line = 0;
  std::size_t last_line = 0;
  std::string label;  // blame, borderline, personnel, neutral, skipped
  bool names_person = false;
  std::string text;
  // Filled in by locate(): bytes of the document the unit may own, and where its text starts.
  std::size_t region_begin = 0;
  std::size_t region_end = 0;
  std::size_t start = 0;
};

struct Document {
  std::string name;
  std::string text;
  std::vector<Unit> units;
};

inline bool valid_label(const std::string& l) {
  return l == "blame" || l == "borderline" || l == "personnel" || l == "neutral" || l == "skipped";
}

// Reads DIR/labels.tsv and every document it names. False, having said why, on an unreadable
// file or a malformed row.
inline bool read_documents(const std::string& dir, std::vector<Document>& docs) {
  const std::string path = dir + "/labels.tsv";
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return false;
  }
  std::map<std::string, std::size_t> index;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line_no == 1) continue;  // the header
    auto cols = labelled::split(line, '\t');
    if (cols.size() < 7 || !valid_label(cols[4])) {
      std::cerr << path << ":" << line_no
                << ": expected doc, unit, first_line, last_line, label, names_person, text\n";
      return false;
    }
    Unit u;
    u.doc = cols[0];
    u.unit = std::atoi(cols[1].c_str());
    u.first_line = std::strtoul(cols[2].c_str(), nullptr, 10);
    u.last_line = std::strtoul(cols[3].c_str(), nullptr, 10);
    u.label = cols[4];
    u.names_person = cols[5] == "yes";
    u.text = cols[6];
    auto [it, added] = index.emplace(u.doc, docs.size());
    if (added) {
      std::ifstream file(dir + "/" + u.doc, std::ios::binary);
      if (!file) {
        std::cerr << "cannot read " << dir << "/" << u.doc << "\n";
        return false;
      }
      std::ostringstream body;
      body << file.rdbuf();
      docs.push_back({u.doc, body.str(), {}});
    }
    docs[it->second].units.push_back(std::move(u));
  }
  return true;
}

// The text without whitespace, with each kept byte's offset in the original.
inline std::string squeeze(std::string_view text, std::size_t base,
                           std::vector<std::size_t>* offsets) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    out.push_back(c);
    if (offsets) offsets->push_back(base + i);
  }
  return out;
}

// Sets each unit's region (its lines) and start (where its text begins within them, found by
// its first non-space characters; the region's start when it cannot be found, as for skipped
// rows, whose text is a description).
inline void locate(Document& d) {
  std::vector<std::size_t> line_start{0};
  for (std::size_t i = 0; i < d.text.size(); ++i) {
    if (d.text[i] == '\n') line_start.push_back(i + 1);
  }
  line_start.push_back(d.text.size() + 1);
  const std::size_t lines = line_start.size() - 1;
  std::size_t cursor = 0;
  std::size_t cursor_region = static_cast<std::size_t>(-1);
  for (Unit& u : d.units) {
    const std::size_t first = std::clamp<std::size_t>(u.first_line, 1, lines);
    const std::size_t last = std::clamp<std::size_t>(u.last_line, first, lines);
    u.region_begin = line_start[first - 1];
    u.region_end = std::min(line_start[last] - 1, d.text.size());
    u.start = u.region_begin;
    if (cursor_region != u.region_begin) cursor = u.region_begin;
    cursor_region = u.region_begin;
    std::vector<std::size_t> offsets;
    const std::string hay =
        squeeze(std::string_view(d.text).substr(cursor, u.region_end - cursor), cursor, &offsets);
    std::string needle = squeeze(u.text, 0, nullptr).substr(0, 24);
    if (needle.empty()) continue;
    const std::size_t at = hay.find(needle);
    if (at == std::string::npos) continue;
    u.start = offsets[at];
    cursor = u.start + 1;
  }
}

// The unit a finding at byte `offset` belongs to, or nullptr (a line no unit covers).
inline const Unit* unit_at(const Document& d, std::size_t offset) {
  const Unit* best = nullptr;
  const Unit* first = nullptr;
  for (const Unit& u : d.units) {
    if (offset < u.region_begin || offset > u.region_end) continue;
    if (first == nullptr) first = &u;
    if (u.start <= offset && (best == nullptr || u.start >= best->start)) best = &u;
  }
  return best != nullptr ? best : first;
}

}  // namespace incident::docs
