// blameless_eval: measures the blameless checker on labelled sets of sentences and fails (exit
// 1) when any set misses the targets: blame recall >= 0.90, personnel recall >= 0.95, and at most
// 5% of neutral sentences flagged.
//
//   blameless_eval FILE... [--verbose]
//
// FILE is tab-separated, one sentence a line: `label<TAB>text[<TAB>name,name…]` with label
// blame, neutral or personnel and optional known participant names; blank lines and lines
// starting with `#` are skipped, except `#include NAME`, which adds NAME (relative to FILE's
// directory) as a set of its own. That is how the held-out batches (written after the rules,
// measured before any tuning on them) stay separate files yet run with the tuning set under
// ctest. Each set is reported on its own, then all sets together. A sentence is predicted blame
// when it has any blame finding and personnel when it has any personnel finding; person
// findings alone predict nothing.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "bot/blameless.h"
#include "prompts/embedded.h"

namespace {

using incident::FindingKind;

constexpr double kBlameRecall = 0.90;
constexpr double kPersonnelRecall = 0.95;
constexpr double kNeutralFalsePositives = 0.05;

struct Example {
  std::string label;
  std::string text;
  incident::People people;
  std::size_t line = 0;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (true) {
    const std::size_t at = s.find(sep, pos);
    parts.push_back(s.substr(pos, at == std::string::npos ? std::string::npos : at - pos));
    if (at == std::string::npos) return parts;
    pos = at + 1;
  }
}

struct Set {
  std::string path;
  std::vector<Example> examples;
};

// Reads `path` into sets (itself first, then what it includes); false on an unreadable file, a
// malformed line or an include cycle.
bool read_set(const std::string& path, std::vector<Set>& sets, int depth = 0) {
  if (depth > 8) {
    std::cerr << "blameless_eval: includes nested too deeply at " << path << "\n";
    return false;
  }
  std::ifstream in(path);
  if (!in) {
    std::cerr << "blameless_eval: cannot read " << path << "\n";
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
      const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
      includes.push_back(dir + line.substr(9));
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const auto cols = split(line, '\t');
    const std::string& label = cols[0];
    if (cols.size() < 2 || (label != "blame" && label != "neutral" && label != "personnel")) {
      std::cerr << path << ":" << line_no << ": expected blame|neutral|personnel<TAB>text\n";
      return false;
    }
    Example e{label, cols[1], {}, line_no};
    if (cols.size() > 2 && !cols[2].empty()) e.people.names = split(cols[2], ',');
    sets[index].examples.push_back(std::move(e));
  }
  for (const std::string& include : includes) {
    if (!read_set(include, sets, depth + 1)) return false;
  }
  return true;
}

struct Counts {
  std::size_t labelled = 0;   // sentences with this label
  std::size_t predicted = 0;  // sentences predicted with this label
  std::size_t hit = 0;        // both
  double precision() const { return predicted == 0 ? 1.0 : double(hit) / double(predicted); }
  double recall() const { return labelled == 0 ? 1.0 : double(hit) / double(labelled); }
};

struct Result {
  Counts blame;
  Counts personnel;
  std::size_t neutral = 0;
  std::size_t neutral_flagged = 0;
  std::size_t sentences = 0;
  double fp_rate() const { return neutral == 0 ? 0.0 : double(neutral_flagged) / double(neutral); }
  bool ok() const {
    return blame.recall() >= kBlameRecall && personnel.recall() >= kPersonnelRecall &&
           fp_rate() <= kNeutralFalsePositives;
  }
  void add(const Result& r) {
    for (auto [to, from] : {std::pair{&blame, &r.blame}, std::pair{&personnel, &r.personnel}}) {
      to->labelled += from->labelled;
      to->predicted += from->predicted;
      to->hit += from->hit;
    }
    neutral += r.neutral;
    neutral_flagged += r.neutral_flagged;
    sentences += r.sentences;
  }
};

Result evaluate(const Set& set, const incident::Prompts& prompts, bool verbose) {
  Result r;
  r.sentences = set.examples.size();
  for (const Example& e : set.examples) {
    bool any_blame = false;
    bool any_personnel = false;
    const auto findings = incident::check_blameless(e.text, e.people, prompts);
    for (const auto& f : findings) {
      any_blame = any_blame || f.kind == FindingKind::blame;
      any_personnel = any_personnel || f.kind == FindingKind::personnel;
    }
    r.blame.labelled += e.label == "blame";
    r.blame.predicted += any_blame;
    r.blame.hit += any_blame && e.label == "blame";
    r.personnel.labelled += e.label == "personnel";
    r.personnel.predicted += any_personnel;
    r.personnel.hit += any_personnel && e.label == "personnel";
    const bool flagged = any_blame || any_personnel;
    if (e.label == "neutral") {
      ++r.neutral;
      r.neutral_flagged += flagged;
    }
    const bool wrong = (e.label == "neutral" && flagged) || (e.label == "blame" && !any_blame) ||
                       (e.label == "personnel" && !any_personnel);
    if (verbose && wrong) {
      std::cout << "MISS " << set.path << ":" << e.line << " [" << e.label << "] " << e.text
                << "\n";
      for (const auto& f : findings) {
        std::cout << "    " << incident::to_string(f.kind) << " \"" << f.phrase << "\"\n";
      }
    }
  }
  return r;
}

void report(const std::string& title, const Result& r) {
  std::printf("== %s\n", title.c_str());
  std::printf("sentences: %zu (blame %zu, personnel %zu, neutral %zu)\n", r.sentences,
              r.blame.labelled, r.personnel.labelled, r.neutral);
  std::printf("blame:     precision %.3f  recall %.3f  (target recall >= %.2f)\n",
              r.blame.precision(), r.blame.recall(), kBlameRecall);
  std::printf("personnel: precision %.3f  recall %.3f  (target recall >= %.2f)\n",
              r.personnel.precision(), r.personnel.recall(), kPersonnelRecall);
  std::printf("neutral:   false-positive rate %.3f (%zu of %zu flagged; target <= %.2f)\n",
              r.fp_rate(), r.neutral_flagged, r.neutral, kNeutralFalsePositives);
  std::printf("%s\n", r.ok() ? "PASS" : "FAIL: below target");
}

}  // namespace

int main(int argc, char** argv) {
  bool verbose = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--verbose") {
      verbose = true;
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::cerr << "usage: blameless_eval FILE... [--verbose]\n";
    return 2;
  }
  std::vector<Set> sets;
  for (const std::string& file : files) {
    if (!read_set(file, sets)) return 2;
  }
  const auto prompts = incident::Prompts::load(incident::embedded_prompts());

  Result total;
  bool ok = true;
  for (const Set& set : sets) {
    if (set.examples.empty()) continue;
    const Result r = evaluate(set, prompts, verbose);
    report(set.path.substr(set.path.find_last_of('/') + 1), r);
    ok = ok && r.ok();
    total.add(r);
  }
  if (sets.size() > 1) report("all sets", total);
  std::printf("%s\n", ok ? "PASS (every set)" : "FAIL: a set is below target");
  return ok ? 0 : 1;
}
