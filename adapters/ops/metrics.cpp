#include "adapters/ops/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace incident::ops {

namespace {

enum Type { kCounter, kGauge, kHistogram, kProbe };

const char* type_name(int type) {
  switch (type) {
    case kCounter:
      return "counter";
    case kHistogram:
      return "histogram";
    default:
      return "gauge";
  }
}

// Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names: [a-zA-Z_][a-zA-Z0-9_]*, and not
// starting with "__", which is reserved (the data model page of prometheus.io).
bool valid_name(const std::string& name, bool label) {
  if (name.empty()) return false;
  if (label && name.rfind("__", 0) == 0) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':');
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void append_labels(std::string& out, const std::vector<std::string>& names,
                   const LabelValues& values, const std::string& le = {}) {
  if (names.empty() && le.empty()) return;
  out += '{';
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i] + "=\"" + escape_label_value(values[i]) + '"';
  }
  if (!le.empty()) out += std::string(names.empty() ? "" : ",") + "le=\"" + le + '"';
  out += '}';
}

}  // namespace

struct Metrics::Family {
  std::string help;
  int type = kCounter;
  std::vector<std::string> labels;
  std::vector<double> bounds;
  std::function<double()> probe;
  std::map<LabelValues, Counter> counters;
  std::map<LabelValues, Gauge> gauges;
  std::map<LabelValues, Histogram> histograms;
};

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double v) {
  // Buckets are upper bounds, inclusive (le): the first bound at or above v.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  ++counts_[static_cast<std::size_t>(it - bounds_.begin())];
  sum_ += v;
  ++count_;
}

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Family& Metrics::declare(const std::string& name, const std::string& help, int type,
                                  std::vector<std::string> labels) {
  if (!valid_name(name, false)) throw std::logic_error("metrics: bad metric name " + name);
  for (const auto& label : labels) {
    if (!valid_name(label, true) || label == "le") {
      throw std::logic_error("metrics: bad label name " + label + " on " + name);
    }
  }
  auto& slot = families_[name];
  if (slot) {
    if (slot->type != type || slot->labels != labels) {
      throw std::logic_error("metrics: " + name + " declared twice, differently");
    }
    return *slot;
  }
  slot = std::make_unique<Family>();
  slot->help = help;
  slot->type = type;
  slot->labels = std::move(labels);
  return *slot;
}

void Metrics::declare_counter(const std::string& name, const std::string& help,
                              std::vector<std::string> labels) {
  declare(name, help, kCounter, std::move(labels));
}

void Metrics::declare_gauge(const std::string& name, const std::string& help,
                            std::vector<std::string> labels) {
  declare(name, help, kGauge, std::move(labels));
}

void Metrics::declare_histogram(const std::string& name, const std::string& help,
                                std::vector<double> bounds, std::vector<std::string> labels) {
  if (bounds.empty() || !std::is_sorted(bounds.begin(), bounds.end()) ||
      std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end() ||
      !std::all_of(bounds.begin(), bounds.end(), [](double b) { return std::isfinite(b); })) {
    throw std::logic_error("metrics: " + name + " needs finite, increasing bucket bounds");
  }
  auto& f = declare(name, help, kHistogram, std::move(labels));
  if (f.bounds.empty()) f.bounds = std::move(bounds);
}

void Metrics::declare_gauge_probe(const std::string& name, const std::string& help,
                                  std::function<double()> probe) {
  declare(name, help, kProbe, {}).probe = std::move(probe);
}

Metrics::Family& Metrics::family(const std::string& name, int type, std::size_t labels) {
  auto it = families_.find(name);
  if (it == families_.end() || it->second->type != type) {
    throw std::logic_error("metrics: " + name + " is not declared as a " + type_name(type));
  }
  if (it->second->labels.size() != labels) {
    throw std::logic_error("metrics: " + name + " takes " +
                           std::to_string(it->second->labels.size()) + " label value(s)");
  }
  return *it->second;
}

Counter& Metrics::counter(const std::string& name, const LabelValues& values) {
  return family(name, kCounter, values.size()).counters[values];
}

Gauge& Metrics::gauge(const std::string& name, const LabelValues& values) {
  return family(name, kGauge, values.size()).gauges[values];
}

Histogram& Metrics::histogram(const std::string& name, const LabelValues& values) {
  auto& f = family(name, kHistogram, values.size());
  auto it = f.histograms.find(values);
  if (it == f.histograms.end()) it = f.histograms.emplace(values, Histogram(f.bounds)).first;
  return it->second;
}

std::string Metrics::render() const {
  std::string out;
  for (const auto& [name, f] : families_) {
    double probed = 0;
    if (f->type == kProbe) {
      try {
        probed = f->probe ? f->probe() : 0;
      } catch (const std::exception&) {
        continue;  // no sample is better than a wrong one
      }
    }
    out += "# HELP " + name + " " + escape_help(f->help) + "\n";
    out += "# TYPE " + name + " " + type_name(f->type) + "\n";
    // A family without labels always has its one series, so it shows from the first scrape.
    switch (f->type) {
      case kProbe:
        out += name + " " + format_value(probed) + "\n";
        break;
      case kCounter: {
        if (f->labels.empty() && f->counters.empty()) out += name + " 0\n";
        for (const auto& [values, c] : f->counters) {
          out += name;
          append_labels(out, f->labels, values);
          out += " " + format_value(c.value()) + "\n";
        }
        break;
      }
      case kGauge: {
        if (f->labels.empty() && f->gauges.empty()) out += name + " 0\n";
        for (const auto& [values, g] : f->gauges) {
          out += name;
          append_labels(out, f->labels, values);
          out += " " + format_value(g.value()) + "\n";
        }
        break;
      }
      case kHistogram: {
        std::map<LabelValues, Histogram> empty;
        if (f->labels.empty() && f->histograms.empty()) empty.emplace(LabelValues{}, f->bounds);
        for (const auto* series : {&f->histograms, &empty}) {
          for (const auto& [values, h] : *series) {
            std::uint64_t cumulative = 0;
            for (std::size_t i = 0; i <= h.bounds().size(); ++i) {
              cumulative += h.counts()[i];
              out += name + "_bucket";
              append_labels(out, f->labels, values,
                            i < h.bounds().size() ? format_value(h.bounds()[i]) : "+Inf");
              out += " " + std::to_string(cumulative) + "\n";
            }
            out += name + "_sum";
            append_labels(out, f->labels, values);
            out += " " + format_value(h.sum()) + "\n";
            out += name + "_count";
            append_labels(out, f->labels, values);
            out += " " + std::to_string(h.count()) + "\n";
          }
        }
        break;
      }
    }
  }
  return out;
}

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(const std::string& help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, result.ptr);
}

}  // namespace incident::ops
