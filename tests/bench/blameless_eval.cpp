// blameless_eval: measures the blameless checker on labelled sets of sentences and fails (exit
// 1) when any set misses the targets: blame recall >= 0.90, personnel recall >= 0.95, and at most
// 5% of neutral sentences flagged.
//
//   blameless_eval FILE... [--verbose]
//   blameless_eval --docs DIR [--verbose] [--bars]
//
// --rules-only leaves the learned classifier out (to see what each part contributes).
//
// With --docs it scores whole documents instead (bench/blameless_docs.h): every *.md that
// DIR/labels.tsv labels, checked as `incident-bot lint FILE` checks it, and prints false
// blame/personnel findings per 1,000 units, blame and personnel precision and recall, and the
// person findings on units that name nobody. It only measures (exit 0) unless --bars is given;
// then it fails when a bar of issue 20 is missed (tests/data/blameless/README.md).
//
// FILE is a labelled set (tests/bench/labelled_set.h); each file it includes is a set of its own.
// That is how the held-out batches (written after the rules, measured before any tuning on
// them) stay separate files yet run with the tuning set under ctest. Each set is reported on its
// own, then all sets together. A sentence is predicted blame
// when it has any blame finding and personnel when it has any personnel finding; person
// findings alone predict nothing.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "bench/blameless_docs.h"
#include "bench/labelled_set.h"
#include "bot/blameless/blameless.h"
#include "bot/blameless/classifier.h"
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

Result evaluate(const Set& set, const incident::Prompts& prompts, bool verbose, bool use_model) {
  Result r;
  r.sentences = set.sentences.size();
  for (const auto& e : set.sentences) {
    bool any_blame = false;
    bool any_personnel = false;
    incident::People people;
    people.names = e.names;
    const auto findings =
        incident::blameless_detail::check_blameless(e.text, people, prompts, use_model);
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

// Issue 20's bars for real documents.
constexpr double kDocsFalsePerThousand = 5.0;
constexpr double kDocsBlamePrecision = 0.80;
constexpr double kDocsBlameRecall = 0.70;

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

// Scores the checker on labelled documents: 0 when every bar holds, 1 when one is missed, 2 on
// an unreadable folder.
int evaluate_docs(const std::string& dir, const incident::Prompts& prompts, bool verbose,
                  bool use_model) {
  std::vector<incident::docs::Document> docs;
  if (!incident::docs::read_documents(dir, docs)) return 2;
  std::map<std::string, std::size_t> labels;
  std::size_t units = 0;
  // Findings: blame findings on blame/borderline units are right; on any other unit, and
  // blame/personnel findings on lines no unit covers, they are false flags. Recall counts units.
  std::size_t blame_findings = 0, blame_right = 0, personnel_findings = 0, personnel_right = 0;
  std::size_t false_flags = 0, wrong_person = 0;
  std::map<std::string, std::size_t> wrong_person_words;
  std::size_t blame_units = 0, blame_caught = 0, strict_units = 0, strict_caught = 0;
  std::size_t personnel_units = 0, personnel_caught = 0;
  for (auto& d : docs) {
    incident::docs::locate(d);
    const auto findings =
        incident::blameless_detail::check_blameless(d.text, incident::People{}, prompts, use_model);
    std::map<const incident::docs::Unit*, std::vector<const incident::Finding*>> by_unit;
    for (const auto& f : findings) {
      const auto* u = incident::docs::unit_at(d, f.offset);
      by_unit[u].push_back(&f);
      const std::string label = u ? u->label : "unlabelled";
      const std::size_t line =
          1 + std::count(d.text.begin(), d.text.begin() + long(f.offset), '\n');
      const auto where = d.name + ":" + std::to_string(line);
      if (f.kind == FindingKind::person) {
        if (u == nullptr || !u->names_person) {
          ++wrong_person;
          ++wrong_person_words[f.phrase];
          if (verbose) std::cout << "WRONG PERSON " << where << " \"" << f.phrase << "\"\n";
        }
        continue;
      }
      const bool blame = f.kind == FindingKind::blame;
      const bool right = blame ? (label == "blame" || label == "borderline") : label == "personnel";
      (blame ? blame_findings : personnel_findings) += 1;
      (blame ? blame_right : personnel_right) += right;
      // A blame finding on a personnel unit (or the reverse) is not noise: the unit is flagged.
      const bool flagged_unit = label == "blame" || label == "borderline" || label == "personnel";
      if (!flagged_unit) ++false_flags;
      if (verbose && !right) {
        std::cout << "FALSE " << where << " [" << label << "] " << incident::to_string(f.kind)
                  << " \"" << one_line(f.phrase) << "\"\n";
      }
    }
    for (const auto& u : d.units) {
      ++units;
      ++labels[u.label];
      const auto it = by_unit.find(&u);
      bool any_blame = false, any_personnel = false;
      if (it != by_unit.end()) {
        for (const auto* f : it->second) {
          any_blame = any_blame || f->kind == FindingKind::blame;
          any_personnel = any_personnel || f->kind == FindingKind::personnel;
        }
      }
      if (u.label == "blame" || u.label == "borderline") {
        ++blame_units;
        blame_caught += any_blame;
        if (u.label == "blame") {
          ++strict_units;
          strict_caught += any_blame;
        }
        if (verbose && !any_blame) {
          std::cout << "MISS " << d.name << ":" << u.first_line << " [" << u.label << "] " << u.text
                    << "\n";
        }
      }
      if (u.label == "personnel") {
        ++personnel_units;
        personnel_caught += any_personnel;
        if (verbose && !any_personnel) {
          std::cout << "MISS " << d.name << ":" << u.first_line << " [personnel] " << u.text
                    << "\n";
        }
      }
    }
  }
  auto ratio = [](std::size_t a, std::size_t b) { return b == 0 ? 1.0 : double(a) / double(b); };
  const double per_thousand = units == 0 ? 0.0 : 1000.0 * double(false_flags) / double(units);
  const double blame_p = ratio(blame_right, blame_findings);
  const double blame_r = ratio(blame_caught, blame_units);
  std::printf("== documents in %s (%zu)\n", dir.c_str(), docs.size());
  std::printf("units: %zu (blame %zu, borderline %zu, personnel %zu, neutral %zu, skipped %zu)\n",
              units, labels["blame"], labels["borderline"], labels["personnel"], labels["neutral"],
              labels["skipped"]);
  std::printf("false blame/personnel findings: %zu = %.1f per 1,000 units (bar <= %.0f)\n",
              false_flags, per_thousand, kDocsFalsePerThousand);
  std::printf(
      "blame:     precision %.2f (%zu of %zu findings)  recall %.2f (%zu of %zu blame+borderline "
      "units; blame only %zu of %zu)  (bars >= %.2f / >= %.2f)\n",
      blame_p, blame_right, blame_findings, blame_r, blame_caught, blame_units, strict_caught,
      strict_units, kDocsBlamePrecision, kDocsBlameRecall);
  std::printf("personnel: precision %.2f (%zu of %zu findings)  recall %.2f (%zu of %zu units)\n",
              ratio(personnel_right, personnel_findings), personnel_right, personnel_findings,
              ratio(personnel_caught, personnel_units), personnel_caught, personnel_units);
  std::printf("person findings on units that name nobody: %zu", wrong_person);
  const char* sep = ": ";
  for (const auto& [word, n] : wrong_person_words) {
    std::printf("%s\"%s\" x%zu", sep, one_line(word).c_str(), n);
    sep = ", ";
  }
  std::printf("\n");
  const bool ok = per_thousand <= kDocsFalsePerThousand && blame_p >= kDocsBlamePrecision &&
                  blame_r >= kDocsBlameRecall;
  std::printf("%s\n", ok ? "PASS (bars of issue 20)" : "below a bar of issue 20");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  bool verbose = false;
  bool bars = false;
  bool use_model = true;  // --rules-only: the rules without the learned classifier
  std::vector<std::string> files;
  std::vector<std::string> doc_dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--verbose") {
      verbose = true;
    } else if (arg == "--rules-only") {
      use_model = false;
    } else if (arg == "--bars") {
      bars = true;
    } else if (arg == "--docs" && i + 1 < argc) {
      doc_dirs.push_back(argv[++i]);
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty() == doc_dirs.empty()) {
    std::cerr << "usage: blameless_eval FILE... [--verbose]\n"
                 "       blameless_eval --docs DIR [--verbose] [--bars]\n";
    return 2;
  }
  if (!doc_dirs.empty()) {
    const auto prompts = incident::Prompts::load(incident::embedded_prompts());
    int status = 0;
    for (const auto& dir : doc_dirs)
      status = std::max(status, evaluate_docs(dir, prompts, verbose, use_model));
    return status == 2 ? 2 : (bars ? status : 0);
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
    const Result r = evaluate(set, prompts, verbose, use_model);
    report(incident::labelled::base_name(set.path), r);
    ok = ok && r.ok();
    total.add(r);
  }
  if (sets.size() > 1) report("all sets", total);
  std::printf("%s\n", ok ? "PASS (every set)" : "FAIL: a set is below target");
  return ok ? 0 : 1;
}
