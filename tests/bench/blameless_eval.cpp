// blameless_eval: measures the blameless checker on labelled sets of sentences and fails (exit
// 1) when any set misses the targets: blame recall >= 0.90, personnel recall >= 0.95, and at most
// 5% of neutral sentences flagged.
//
//   blameless_eval FILE... [--verbose]
//
// FILE is a labelled set (tests/bench/labelled_set.h); each file it includes is a set of its own.
// That is how the held-out batches (written after the rules, measured before any tuning on
// them) stay separate files yet run with the tuning set under ctest. Each set is reported on its
// own, then all sets together. A sentence is predicted blame
// when it has any blame finding and personnel when it has any personnel finding; person
// findings alone predict nothing.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "bench/labelled_set.h"
#include "bot/blameless/blameless.h"
#include "prompts/embedded.h"

namespace {

using incident::FindingKind;
using incident::labelled::Set;

constexpr double kBlameRecall = 0.90;
constexpr double kPersonnelRecall = 0.95;
constexpr double kNeutralFalsePositives = 0.05;

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
  r.sentences = set.sentences.size();
  for (const auto& e : set.sentences) {
    bool any_blame = false;
    bool any_personnel = false;
    incident::People people;
    people.names = e.names;
    const auto findings = incident::check_blameless(e.text, people, prompts);
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
    if (!incident::labelled::read_sets(file, sets)) return 2;
  }
  const auto prompts = incident::Prompts::load(incident::embedded_prompts());

  Result total;
  bool ok = true;
  for (const Set& set : sets) {
    if (set.sentences.empty()) continue;
    const Result r = evaluate(set, prompts, verbose);
    report(incident::labelled::base_name(set.path), r);
    ok = ok && r.ok();
    total.add(r);
  }
  if (sets.size() > 1) report("all sets", total);
  std::printf("%s\n", ok ? "PASS (every set)" : "FAIL: a set is below target");
  return ok ? 0 : 1;
}
