// A small metrics registry rendered in the Prometheus text exposition format, version 0.0.4
// (prometheus.io/docs/instrumenting/exposition_formats). Counters, gauges and histograms with
// fixed buckets; every family declares its label names once, and series are picked by label
// values in that order. Label values must come from vocabularies fixed by code (platform,
// envelope type, API method, reason): never user text or ids, which would also grow the
// registry without bound.
//
// Not thread-safe: the bot updates and renders it on its one io_context thread. No Boost here,
// so any library can count cheaply.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace incident::ops {

using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void inc(double by = 1) { value_ += by > 0 ? by : 0; }  // counters only go up
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Gauge {
 public:
  void set(double v) { value_ = v; }
  void add(double by) { value_ += by; }
  double value() const { return value_; }

 private:
  double value_ = 0;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Per bucket (not cumulative), the last one for values above every bound.
  const std::vector<std::uint64_t>& counts() const { return counts_; }
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

// Latency buckets in seconds, 1 ms to 10 s.
std::vector<double> latency_buckets();

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Declares a family. Declaring it again with the same type and labels is a no-op; anything
  // else (another type, other labels, a bad name) is a programming error: std::logic_error.
  void declare_counter(const std::string& name, const std::string& help,
                       std::vector<std::string> labels = {});
  void declare_gauge(const std::string& name, const std::string& help,
                     std::vector<std::string> labels = {});
  void declare_histogram(const std::string& name, const std::string& help,
                         std::vector<double> bounds, std::vector<std::string> labels = {});
  // A gauge whose value is asked for at scrape time (e.g. a count from the database). A probe
  // that throws is left out of that scrape.
  void declare_gauge_probe(const std::string& name, const std::string& help,
                           std::function<double()> probe);

  // The series of a declared family; `values` in the order of its labels. The reference stays
  // valid as long as the registry. std::logic_error for an undeclared family or a wrong count.
  Counter& counter(const std::string& name, const LabelValues& values = {});
  Gauge& gauge(const std::string& name, const LabelValues& values = {});
  Histogram& histogram(const std::string& name, const LabelValues& values = {});

  // The exposition, text format 0.0.4: families sorted by name, series by label values.
  std::string render() const;
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Family;
  Family& family(const std::string& name, int type, std::size_t labels);
  Family& declare(const std::string& name, const std::string& help, int type,
                  std::vector<std::string> labels);

  std::map<std::string, std::unique_ptr<Family>> families_;
};

// Label-value and HELP escaping of the text format: `\` `"` and newline (HELP: `\` and newline).
std::string escape_label_value(const std::string& value);
std::string escape_help(const std::string& help);
// A sample value as the text format writes it: shortest round-trip, +Inf, -Inf, NaN.
std::string format_value(double v);

}  // namespace incident::ops
