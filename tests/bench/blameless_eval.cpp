// blameless_eval: measures the blameless checker on a labelled set of sentences and fails (exit
// 1) when it misses the targets: blame recall >= 0.90, personnel recall >= 0.95, and at most 5%
// of neutral sentences flagged.
//
//   blameless_eval FILE [--verbose]
//
// FILE is tab-separated, one sentence a line: `label<TAB>text[<TAB>name,name…]` with label
// blame, neutral or personnel and optional known participant names; blank lines and lines
// starting with `#` are skipped. A sentence is predicted blame when it has any blame finding and
// personnel when it has any personnel finding; person findings alone predict nothing.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
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

bool read_examples(const std::string& path, std::vector<Example>& out) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "blameless_eval: cannot read " << path << "\n";
    return false;
  }
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto cols = split(line, '\t');
    const std::string& label = cols[0];
    if (cols.size() < 2 || (label != "blame" && label != "neutral" && label != "personnel")) {
      std::cerr << path << ":" << line_no << ": expected blame|neutral|personnel<TAB>text\n";
      return false;
    }
    Example e{label, cols[1], {}, line_no};
    if (cols.size() > 2 && !cols[2].empty()) e.people.names = split(cols[2], ',');
    out.push_back(std::move(e));
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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: blameless_eval FILE [--verbose]\n";
    return 2;
  }
  const bool verbose = argc > 2 && std::string(argv[2]) == "--verbose";
  std::vector<Example> examples;
  if (!read_examples(argv[1], examples)) return 2;
  const auto prompts = incident::Prompts::load(incident::embedded_prompts());

  Counts blame;
  Counts personnel;
  std::size_t neutral = 0;
  std::size_t neutral_flagged = 0;
  for (const Example& e : examples) {
    bool any_blame = false;
    bool any_personnel = false;
    const auto findings = incident::check_blameless(e.text, e.people, prompts);
    for (const auto& f : findings) {
      any_blame = any_blame || f.kind == FindingKind::blame;
      any_personnel = any_personnel || f.kind == FindingKind::personnel;
    }
    blame.labelled += e.label == "blame";
    blame.predicted += any_blame;
    blame.hit += any_blame && e.label == "blame";
    personnel.labelled += e.label == "personnel";
    personnel.predicted += any_personnel;
    personnel.hit += any_personnel && e.label == "personnel";
    const bool flagged = any_blame || any_personnel;
    if (e.label == "neutral") {
      ++neutral;
      neutral_flagged += flagged;
    }
    const bool wrong = (e.label == "neutral" && flagged) || (e.label == "blame" && !any_blame) ||
                       (e.label == "personnel" && !any_personnel);
    if (verbose && wrong) {
      std::cout << "MISS line " << e.line << " [" << e.label << "] " << e.text << "\n";
      for (const auto& f : findings) {
        std::cout << "    " << incident::to_string(f.kind) << " \"" << f.phrase << "\"\n";
      }
    }
  }

  const double fp_rate = neutral == 0 ? 0.0 : double(neutral_flagged) / double(neutral);
  std::printf("sentences: %zu (blame %zu, personnel %zu, neutral %zu)\n", examples.size(),
              blame.labelled, personnel.labelled, neutral);
  std::printf("blame:     precision %.3f  recall %.3f  (target recall >= %.2f)\n",
              blame.precision(), blame.recall(), kBlameRecall);
  std::printf("personnel: precision %.3f  recall %.3f  (target recall >= %.2f)\n",
              personnel.precision(), personnel.recall(), kPersonnelRecall);
  std::printf("neutral:   false-positive rate %.3f (%zu of %zu flagged; target <= %.2f)\n", fp_rate,
              neutral_flagged, neutral, kNeutralFalsePositives);

  const bool ok = blame.recall() >= kBlameRecall && personnel.recall() >= kPersonnelRecall &&
                  fp_rate <= kNeutralFalsePositives;
  std::printf("%s\n", ok ? "PASS" : "FAIL: below target");
  return ok ? 0 : 1;
}
