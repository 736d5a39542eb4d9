// blameless_train: trains the blameless checker's learned sentence classifier
// (bot/blameless/classifier.h) on labelled sets, measures it honestly, and writes its weights as
// C++.
//
//   blameless_train TRAIN.tsv... [--out bot/blameless/classifier_data.cpp] [--lobo] [--test
//   FILE]...
//                   [--verbose] [--top N] [--no-rule-features] [--lambda X] [--eta X]
//                   [--epochs N] [--prune X] [--fp X] [--min-count N]
//
// The files are labelled sets (tests/bench/labelled_set.h), as blameless_eval reads them. Two
// logistic regressions (blame vs neutral; personnel vs everything else), L2-regularised and
// trained by AdaGrad over a fixed-seed shuffle, so the output is the same on every run. The
// thresholds are chosen by 5-fold cross-validation on the training sentences: the lowest pair
// that keeps neutral sentences flagged by rules OR model at or below --fp (0.03), maximising the
// model's recall. A sentence is scored like check_blameless does: the highest logit over each
// sentence of the line and each pair of adjacent sentences.
//
//   --lobo       leave one batch out: for each heldout*.tsv set, train on every other set and
//                measure on it (rules alone, model alone, rules OR model).
//   --test FILE  train on TRAIN, measure on FILE's sets (never trained on).
//   --out FILE   train on TRAIN and write the weights (the committed model).
//   --rules-from FILE  take the rules' verdicts from FILE (lines `PATH:LINE<TAB>blame 0|1<TAB>
//                personnel 0|1`, matched on the file's base name and line) instead of the
//                current rules: to measure the model beside an older version of the rules, one
//                that was never tuned on the held-out batches.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bench/labelled_set.h"
#include "bot/blameless/classifier.h"

namespace {

using namespace incident::blameless_detail;
using incident::FindingKind;
using incident::labelled::base_name;
using incident::labelled::split;

enum Label { kNeutral = 0, kBlame = 1, kPersonnel = 2 };

struct Example {
  Label label = kNeutral;
  std::string text;
  std::size_t line = 0;
  bool rule_blame = false;
  bool rule_personnel = false;
  std::vector<std::uint32_t> line_features;                 // the whole line: what we train on
  std::vector<std::vector<std::uint32_t>> window_features;  // what check_blameless scores
};

struct Set {
  std::string path;
  std::vector<Example> examples;
};

struct Options {
  bool rule_features = true;
  double lambda = 1e-3;
  double eta = 0.2;
  int epochs = 25;
  double prune = 0.2;
  double fp = 0.03;
  int min_count = 1;  // features in fewer training sentences are left out
  bool verbose = false;
};

std::unordered_map<std::uint32_t, std::string> g_names;  // feature hash -> name

// Rule verdicts read with --rules-from, by "base-name:line".
std::map<std::string, std::pair<bool, bool>> g_rules_from;

bool read_rules_from(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "blameless_train: cannot read " << path << "\n";
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    const auto cols = split(line, '\t');
    if (cols.size() < 3) continue;
    g_rules_from[base_name(cols[0])] = {cols[1] == "1", cols[2] == "1"};
  }
  return true;
}

std::vector<std::uint32_t> features_of(std::string_view text, const Analysis& a, std::size_t first,
                                       std::size_t last, const Options& opt) {
  std::vector<std::string> names;
  const auto fs = window_features(text, a, first, last, &names);
  std::vector<std::uint32_t> out;
  for (std::size_t k = 0; k < fs.size(); ++k) {
    if (!opt.rule_features && names[k].rfind("r:", 0) == 0) continue;
    g_names.emplace(fs[k].hash, names[k]);
    out.push_back(fs[k].hash);
  }
  return out;
}

void prepare(Example& e, const incident::People& people, const Options& opt) {
  const Analysis a = analyse(e.text, people);
  for (const Hit& h : a.hits) {
    e.rule_blame = e.rule_blame || h.kind == FindingKind::blame;
    e.rule_personnel = e.rule_personnel || h.kind == FindingKind::personnel;
  }
  const std::size_t n = a.tokens.sentences.size();
  if (n == 0) return;
  e.line_features = features_of(e.text, a, 0, n - 1, opt);
  for (std::size_t s = 0; s < n; ++s) {
    for (std::size_t last = s; last < std::min(s + 2, n); ++last) {
      e.window_features.push_back(features_of(e.text, a, s, last, opt));
    }
  }
}

// Reads `path` and what it includes, each file a set, with the rules' verdicts and the features.
bool read_set(const std::string& path, std::vector<Set>& sets, const Options& opt) {
  std::vector<incident::labelled::Set> files;
  if (!incident::labelled::read_sets(path, files)) return false;
  for (const auto& file : files) {
    Set& set = sets.emplace_back(Set{file.path, {}});
    for (const auto& sentence : file.sentences) {
      Example e;
      e.label = sentence.label == "blame"       ? kBlame
                : sentence.label == "personnel" ? kPersonnel
                                                : kNeutral;
      e.text = sentence.text;
      e.line = sentence.line;
      incident::People people;
      people.names = sentence.names;
      prepare(e, people, opt);
      if (!g_rules_from.empty()) {
        const auto it = g_rules_from.find(base_name(file.path) + ":" + std::to_string(e.line));
        if (it == g_rules_from.end()) {
          std::cerr << file.path << ":" << e.line << ": not in --rules-from\n";
          return false;
        }
        e.rule_blame = it->second.first;
        e.rule_personnel = it->second.second;
      }
      set.examples.push_back(std::move(e));
    }
  }
  return true;
}

// ---- training

struct Model {
  std::vector<ModelWeight> weights;  // sorted by hash
  double bias = 0;
  double threshold = 0;
  ModelData data() const { return {weights.data(), weights.size(), bias, threshold}; }
};

// Whether an example takes part in a classifier's training, and as which class.
bool target(FindingKind kind, const Example& e, bool& positive) {
  if (kind == FindingKind::blame) {
    if (e.label == kPersonnel) return false;  // often blames too: neither class
    positive = e.label == kBlame;
  } else {
    positive = e.label == kPersonnel;
  }
  return true;
}

Model train(const std::vector<const Example*>& xs, FindingKind kind, const Options& opt) {
  std::unordered_map<std::uint32_t, int> counts;
  for (const Example* e : xs) {
    for (const std::uint32_t h : e->line_features) ++counts[h];
  }
  std::unordered_map<std::uint32_t, std::size_t> index;
  std::vector<std::uint32_t> hashes;
  std::vector<std::vector<std::size_t>> rows;
  std::vector<double> ys;
  for (const Example* e : xs) {
    bool positive = false;
    if (!target(kind, *e, positive)) continue;
    std::vector<std::size_t> row;
    for (const std::uint32_t h : e->line_features) {
      if (counts[h] < opt.min_count) continue;
      auto [it, added] = index.emplace(h, hashes.size());
      if (added) hashes.push_back(h);
      row.push_back(it->second);
    }
    rows.push_back(std::move(row));
    ys.push_back(positive ? 1.0 : 0.0);
  }
  std::vector<double> w(hashes.size(), 0.0);
  std::vector<double> g2(hashes.size(), 1e-8);
  double bias = 0;
  double bias_g2 = 1e-8;
  std::mt19937_64 rng(20240611);
  std::vector<std::size_t> order(rows.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (int epoch = 0; epoch < opt.epochs; ++epoch) {
    for (std::size_t i = order.size(); i > 1; --i) {
      std::swap(order[i - 1], order[rng() % i]);  // Fisher-Yates, the same on every platform
    }
    for (const std::size_t r : order) {
      double z = bias;
      for (const std::size_t j : rows[r]) z += w[j];
      const double g = 1.0 / (1.0 + std::exp(-z)) - ys[r];
      bias_g2 += g * g;
      bias -= opt.eta * g / std::sqrt(bias_g2);
      for (const std::size_t j : rows[r]) {
        const double grad = g + opt.lambda * w[j];
        g2[j] += grad * grad;
        w[j] -= opt.eta * grad / std::sqrt(g2[j]);
      }
    }
  }
  Model m;
  m.bias = static_cast<float>(bias);
  for (std::size_t j = 0; j < w.size(); ++j) {
    if (std::fabs(w[j]) >= opt.prune) m.weights.push_back({hashes[j], static_cast<float>(w[j])});
  }
  std::sort(m.weights.begin(), m.weights.end(),
            [](const ModelWeight& a, const ModelWeight& b) { return a.hash < b.hash; });
  return m;
}

double score(const Model& m, const Example& e) {
  const ModelData d = m.data();
  double best = -1e9;
  for (const auto& window : e.window_features) {
    double z = d.bias;
    for (const std::uint32_t h : window) z += model_weight(d, h);
    best = std::max(best, z);
  }
  return best;
}

struct Pair {
  Model blame;
  Model personnel;
};

// Thresholds by k-fold cross-validation on xs: out-of-fold scores, then the pair that maximises
// the model's recall with neutral sentences flagged (rules OR model) at most opt.fp.
void choose_thresholds(const std::vector<const Example*>& xs, Pair& pair, const Options& opt) {
  constexpr std::size_t kFolds = 5;
  std::vector<std::size_t> order(xs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(7);
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  std::vector<std::size_t> fold(xs.size());
  for (std::size_t k = 0; k < order.size(); ++k) fold[order[k]] = k % kFolds;
  std::vector<double> sb(xs.size());
  std::vector<double> sp(xs.size());
  for (std::size_t f = 0; f < kFolds; ++f) {
    std::vector<const Example*> in;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (fold[i] != f) in.push_back(xs[i]);
    }
    const Model b = train(in, FindingKind::blame, opt);
    const Model p = train(in, FindingKind::personnel, opt);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (fold[i] != f) continue;
      sb[i] = score(b, *xs[i]);
      sp[i] = score(p, *xs[i]);
    }
  }
  // Candidates: the scores of neutral sentences the rules pass, highest first.
  std::vector<double> cb{1e9};
  std::vector<double> cp{1e9};
  std::size_t neutral = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (xs[i]->label != kNeutral) continue;
    ++neutral;
    if (xs[i]->rule_blame || xs[i]->rule_personnel) continue;
    cb.push_back(sb[i]);
    cp.push_back(sp[i]);
  }
  std::sort(cb.begin(), cb.end(), std::greater<>());
  std::sort(cp.begin(), cp.end(), std::greater<>());
  const std::size_t budget = static_cast<std::size_t>(opt.fp * double(neutral));
  cb.resize(std::min(cb.size(), budget + 2));
  cp.resize(std::min(cp.size(), budget + 2));
  double best = -1;
  for (const double tb : cb) {
    for (const double tp : cp) {
      std::size_t fp = 0;
      std::size_t hits = 0;
      for (std::size_t i = 0; i < xs.size(); ++i) {
        const Example& e = *xs[i];
        if (e.label == kNeutral) {
          fp += e.rule_blame || e.rule_personnel || sb[i] > tb || sp[i] > tp;
        } else if (e.label == kBlame) {
          hits += sb[i] > tb;
        } else {
          hits += sp[i] > tp;
        }
      }
      if (fp > budget || double(hits) <= best) continue;
      best = double(hits);
      pair.blame.threshold = tb;
      pair.personnel.threshold = tp;
    }
  }
}

Pair fit(const std::vector<const Example*>& xs, const Options& opt) {
  Pair pair{train(xs, FindingKind::blame, opt), train(xs, FindingKind::personnel, opt)};
  choose_thresholds(xs, pair, opt);
  return pair;
}

// ---- measuring

struct Rates {
  std::size_t blame = 0, blame_hit = 0, personnel = 0, personnel_hit = 0, neutral = 0,
              neutral_flagged = 0;
  void add(bool label_blame, bool label_personnel, bool b, bool p) {
    if (label_blame) {
      ++blame;
      blame_hit += b;
    } else if (label_personnel) {
      ++personnel;
      personnel_hit += p;
    } else {
      ++neutral;
      neutral_flagged += b || p;
    }
  }
  std::string row() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.3f | %.3f | %.3f (%zu)",
                  blame ? double(blame_hit) / double(blame) : 1.0,
                  personnel ? double(personnel_hit) / double(personnel) : 1.0,
                  neutral ? double(neutral_flagged) / double(neutral) : 0.0, neutral_flagged);
    return buf;
  }
};

struct Measure {
  Rates rules, model, hybrid;
};

Measure measure(const Set& set, const Pair& pair, bool verbose) {
  Measure m;
  for (const Example& e : set.examples) {
    const bool mb = score(pair.blame, e) > pair.blame.threshold;
    const bool mp = score(pair.personnel, e) > pair.personnel.threshold;
    const bool lb = e.label == kBlame;
    const bool lp = e.label == kPersonnel;
    m.rules.add(lb, lp, e.rule_blame, e.rule_personnel);
    m.model.add(lb, lp, mb, mp);
    m.hybrid.add(lb, lp, e.rule_blame || mb, e.rule_personnel || mp);
    const bool hb = e.rule_blame || mb;
    const bool hp = e.rule_personnel || mp;
    const bool wrong = (e.label == kNeutral && (hb || hp)) || (lb && !hb) || (lp && !hp);
    if (verbose && wrong) {
      std::printf(
          "MISS %s:%zu [%s] rules %d%d model %d%d (%.2f %.2f) %s\n", set.path.c_str(), e.line,
          lb   ? "blame"
          : lp ? "personnel"
               : "neutral",
          e.rule_blame, e.rule_personnel, mb, mp, score(pair.blame, e) - pair.blame.threshold,
          score(pair.personnel, e) - pair.personnel.threshold, e.text.c_str());
    }
  }
  return m;
}

void print_header() {
  std::printf(
      "| set | sentences (b/p/n) | rules: blame R / personnel R / neutral FP | model alone | "
      "rules OR model |\n|---|---|---|---|---|\n");
}

void print_row(const std::string& name, const Measure& m) {
  std::printf("| %s | %zu (%zu / %zu / %zu) | %s | %s | %s |\n", name.c_str(),
              m.rules.blame + m.rules.personnel + m.rules.neutral, m.rules.blame, m.rules.personnel,
              m.rules.neutral, m.rules.row().c_str(), m.model.row().c_str(),
              m.hybrid.row().c_str());
}

void add_rates(Rates& to, const Rates& from) {
  to.blame += from.blame;
  to.blame_hit += from.blame_hit;
  to.personnel += from.personnel;
  to.personnel_hit += from.personnel_hit;
  to.neutral += from.neutral;
  to.neutral_flagged += from.neutral_flagged;
}

void write_model(std::FILE* out, const char* name, const Model& m) {
  std::fprintf(out, "constexpr ModelWeight k%sWeights[] = {\n", name);
  for (const ModelWeight& w : m.weights) {
    std::string n = g_names.count(w.hash) ? g_names[w.hash] : "?";
    for (char& c : n) {
      if (c == '\\' || c == '\n') c = ' ';
    }
    std::fprintf(out, "    {0x%08xu, %.9gf},  // %s\n", static_cast<unsigned>(w.hash),
                 static_cast<double>(w.weight), n.c_str());
  }
  std::fprintf(out, "};\n\n");
}

bool write_data(const std::string& path, const Pair& pair, const std::vector<std::string>& args,
                std::size_t sentences) {
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr) {
    std::cerr << "blameless_train: cannot write " << path << "\n";
    return false;
  }
  std::fprintf(
      out,
      "// Generated by tests/bench/blameless_train.cpp: the blameless checker's learned\n"
      "// classifier (bot/blameless/classifier.h), trained on %zu labelled sentences. Do not\n"
      "// edit; retrain with:\n//   blameless_train",
      sentences);
  for (const std::string& a : args) std::fprintf(out, " %s", a.c_str());
  std::fprintf(out,
               "\n// clang-format off\n#include \"bot/blameless/classifier.h\"\n\n"
               "#include <iterator>\n\nnamespace incident::blameless_detail {\n\nnamespace {\n\n");
  write_model(out, "Blame", pair.blame);
  write_model(out, "Personnel", pair.personnel);
  std::fprintf(out, "}  // namespace\n\n");
  std::fprintf(
      out, "const ModelData kBlameModel{kBlameWeights, std::size(kBlameWeights), %.9g, %.9g};\n",
      pair.blame.bias, pair.blame.threshold);
  std::fprintf(out,
               "const ModelData kPersonnelModel{kPersonnelWeights, std::size(kPersonnelWeights), "
               "%.9g, %.9g};\n",
               pair.personnel.bias, pair.personnel.threshold);
  std::fprintf(out, "\n}  // namespace incident::blameless_detail\n");
  std::fclose(out);
  return true;
}

void print_top(const Model& m, const char* name, std::size_t n) {
  std::vector<ModelWeight> ws = m.weights;
  std::sort(ws.begin(), ws.end(),
            [](const ModelWeight& a, const ModelWeight& b) { return a.weight > b.weight; });
  std::printf("%s: %zu weights, bias %.3f, threshold %.3f\n", name, ws.size(), m.bias, m.threshold);
  for (std::size_t k = 0; k < std::min(n, ws.size()); ++k) {
    std::printf("  %+.3f %s\n", static_cast<double>(ws[k].weight), g_names[ws[k].hash].c_str());
  }
  for (std::size_t k = ws.size() > n ? ws.size() - n : 0; k < ws.size(); ++k) {
    std::printf("  %+.3f %s\n", static_cast<double>(ws[k].weight), g_names[ws[k].hash].c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  std::vector<std::string> train_files;
  std::vector<std::string> test_files;
  std::vector<std::string> model_args;  // recorded in the generated file
  std::string out_path;
  bool lobo = false;
  std::size_t top = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "blameless_train: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--out") {
      out_path = value();
    } else if (arg == "--lobo") {
      lobo = true;
    } else if (arg == "--test") {
      test_files.push_back(value());
    } else if (arg == "--rules-from") {
      if (!read_rules_from(value())) return 2;
    } else if (arg == "--verbose") {
      opt.verbose = true;
    } else if (arg == "--top") {
      top = std::stoul(value());
    } else if (arg == "--no-rule-features") {
      opt.rule_features = false;
      model_args.push_back(arg);
    } else if (arg == "--min-count") {
      const std::string v = value();
      model_args.push_back(arg + " " + v);
      opt.min_count = std::stoi(v);
    } else if (arg == "--lambda" || arg == "--eta" || arg == "--prune" || arg == "--fp" ||
               arg == "--epochs") {
      const std::string v = value();
      model_args.push_back(arg + " " + v);
      double& field = arg == "--lambda"  ? opt.lambda
                      : arg == "--eta"   ? opt.eta
                      : arg == "--prune" ? opt.prune
                                         : opt.fp;
      if (arg == "--epochs") {
        opt.epochs = std::stoi(v);
      } else {
        field = std::stod(v);
      }
    } else if (!arg.empty() && arg[0] == '-') {
      std::cerr << "blameless_train: unknown option " << arg << "\n";
      return 2;
    } else {
      train_files.push_back(arg);
    }
  }
  if (train_files.empty()) {
    std::cerr << "usage: blameless_train TRAIN.tsv... [--out FILE] [--lobo] [--test FILE]...\n";
    return 2;
  }
  std::vector<Set> sets;
  for (const std::string& f : train_files) {
    if (!read_set(f, sets, opt)) return 2;
  }
  std::vector<const Example*> all;
  for (const Set& s : sets) {
    for (const Example& e : s.examples) all.push_back(&e);
  }

  if (lobo) {
    std::printf("leave one batch out (train on every other set, measure on this one)\n");
    print_header();
    Measure total;
    for (std::size_t k = 0; k < sets.size(); ++k) {
      if (base_name(sets[k].path).rfind("heldout", 0) != 0) continue;
      std::vector<const Example*> rest;
      for (std::size_t j = 0; j < sets.size(); ++j) {
        if (j == k) continue;
        for (const Example& e : sets[j].examples) rest.push_back(&e);
      }
      const Pair pair = fit(rest, opt);
      const Measure m = measure(sets[k], pair, opt.verbose);
      print_row(base_name(sets[k].path), m);
      add_rates(total.rules, m.rules);
      add_rates(total.model, m.model);
      add_rates(total.hybrid, m.hybrid);
    }
    print_row("all held-out", total);
  }

  if (!test_files.empty() || !out_path.empty() || top > 0) {
    const Pair pair = fit(all, opt);
    if (top > 0) {
      print_top(pair.blame, "blame", top);
      print_top(pair.personnel, "personnel", top);
    }
    if (!test_files.empty()) {
      std::vector<Set> tests;
      for (const std::string& f : test_files) {
        if (!read_set(f, tests, opt)) return 2;
      }
      std::printf("trained on %zu sentences; thresholds %.3f / %.3f\n", all.size(),
                  pair.blame.threshold, pair.personnel.threshold);
      print_header();
      for (const Set& s : tests) print_row(base_name(s.path), measure(s, pair, opt.verbose));
    }
    if (!out_path.empty()) {
      std::vector<std::string> args = model_args;
      for (const std::string& f : train_files) args.push_back(base_name(f));
      if (!write_data(out_path, pair, args, all.size())) return 2;
      std::printf("wrote %s: %zu + %zu weights, thresholds %.3f / %.3f\n", out_path.c_str(),
                  pair.blame.weights.size(), pair.personnel.weights.size(), pair.blame.threshold,
                  pair.personnel.threshold);
    }
  }
  return 0;
}
