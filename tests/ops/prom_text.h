// A strict reader of the Prometheus text exposition format 0.0.4
// (prometheus.io/docs/instrumenting/exposition_formats), for tests: every line must be a valid
// comment, HELP, TYPE or sample line, families must be contiguous, TYPE must come before a
// family's samples, histograms must have cumulative buckets ending in +Inf equal to _count.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace incident::testing {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family → counter, gauge, histogram, …
  std::map<std::string, std::string> help;   // family → unescaped docstring
  std::vector<PromSample> samples;

  // The sum of the samples called `name` whose labels include all of `labels`.
  double sum(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  // Whether any sample is called `name`.
  bool has(const std::string& name) const;
};

// Throws std::runtime_error("line N: …") at the first violation.
Exposition parse_exposition(const std::string& text);

}  // namespace incident::testing
