#include "ops/prom_text.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <stdexcept>

namespace incident::testing {

namespace {

bool name_start(char c, bool metric) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':');
}
bool name_char(char c, bool metric) {
  return name_start(c, metric) || (c >= '0' && c <= '9');
}

struct Cursor {
  const std::string& s;
  std::size_t i = 0;
  int line;
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("line " + std::to_string(line) + ": " + what + " in \"" + s + "\"");
  }
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i;
  }
  std::string name(bool metric) {
    const std::size_t start = i;
    if (!name_start(peek(), metric)) fail("expected a name");
    while (!done() && name_char(s[i], metric)) ++i;
    return s.substr(start, i - start);
  }
  std::string rest() {
    std::string r = s.substr(i);
    i = s.size();
    return r;
  }
};

// Go's strconv.ParseFloat forms that Prometheus accepts, without hex floats.
double parse_value(Cursor& c, const std::string& text) {
  if (text == "+Inf" || text == "Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  bool digits = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, digits = true;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, digits = true;
  }
  if (!digits) c.fail("bad value \"" + text + "\"");
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    bool exp = false;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, exp = true;
    if (!exp) c.fail("bad exponent in \"" + text + "\"");
  }
  if (i != text.size()) c.fail("bad value \"" + text + "\"");
  return std::strtod(text.c_str(), nullptr);
}

std::string unescape(Cursor& c, const std::string& text, bool quote) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i >= text.size()) c.fail("a lone backslash");
    if (text[i] == '\\')
      out += '\\';
    else if (text[i] == 'n')
      out += '\n';
    else if (quote && text[i] == '"')
      out += '"';
    else
      c.fail(std::string("bad escape \\") + text[i]);
  }
  return out;
}

// The family a sample belongs to: itself, or a histogram/summary whose series it is.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  if (types.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary") &&
          (s != "_bucket" || it->second == "histogram")) {
        return base;
      }
    }
  }
  return name;
}

}  // namespace

double Exposition::sum(const std::string& name,
                       const std::map<std::string, std::string>& labels) const {
  double total = 0;
  for (const auto& s : samples) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels) {
      auto it = s.labels.find(k);
      match = match && it != s.labels.end() && it->second == v;
    }
    if (match) total += s.value;
  }
  return total;
}

bool Exposition::has(const std::string& name) const {
  for (const auto& s : samples) {
    if (s.name == name) return true;
  }
  return false;
}

Exposition parse_exposition(const std::string& text) {
  Exposition out;
  if (!text.empty() && text.back() != '\n') throw std::runtime_error("no newline at the end");
  std::set<std::string> finished;  // families whose block has ended
  std::string current;             // the family of the lines being read
  std::set<std::string> series;    // name + labels seen
  // Per histogram series (labels without le): the last bucket value and whether +Inf was seen.
  std::map<std::string, std::pair<double, double>> buckets;  // key → (last cumulative, +Inf)
  std::map<std::string, double> counts;
  auto enter = [&](Cursor& c, const std::string& family) {
    if (family == current) return;
    if (finished.count(family)) c.fail("family " + family + " is not contiguous");
    if (!current.empty()) finished.insert(current);
    current = family;
  };

  int number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    Cursor c{line, 0, number};
    if (line.empty()) continue;  // "empty lines are ignored"
    if (line[0] == '#') {
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        const bool help = line[2] == 'H';
        c.i = 7;
        const std::string name = c.name(true);
        enter(c, name);
        if (help) {
          std::string doc;
          if (!c.done()) {
            c.expect(' ');
            doc = unescape(c, c.rest(), false);
          }
          if (out.help.count(name)) c.fail("a second HELP for " + name);
          out.help[name] = doc;
        } else {
          c.expect(' ');
          const std::string type = c.rest();
          static const std::set<std::string> known{"counter", "gauge", "histogram", "summary",
                                                   "untyped"};
          if (!known.count(type)) c.fail("unknown type " + type);
          if (out.types.count(name)) c.fail("a second TYPE for " + name);
          for (const auto& s : out.samples) {
            if (family_of(s.name, {{name, type}}) == name) c.fail("TYPE after samples of " + name);
          }
          out.types[name] = type;
        }
      }
      continue;  // any other comment
    }

    PromSample sample;
    sample.name = c.name(true);
    std::string key = sample.name + "{";
    std::string le;
    bool has_le = false;
    if (c.peek() == '{') {
      c.expect('{');
      while (c.peek() != '}') {
        const std::string label = c.name(false);
        c.expect('=');
        c.expect('"');
        std::string raw;
        while (true) {
          if (c.done()) c.fail("an unterminated label value");
          const char ch = c.s[c.i++];
          if (ch == '"') break;
          raw += ch;
          if (ch == '\\') {
            if (c.done()) c.fail("an unterminated label value");
            raw += c.s[c.i++];
          }
        }
        const std::string value = unescape(c, raw, true);
        if (!sample.labels.emplace(label, value).second) c.fail("label " + label + " twice");
        if (label == "le") {
          le = value;
          has_le = true;
        } else {
          key += label + "=" + value + ",";
        }
        if (c.peek() == ',')
          c.expect(',');
        else if (c.peek() != '}')
          c.fail("expected ',' or '}'");
      }
      c.expect('}');
    }
    key += "}";
    c.expect(' ');
    std::string rest = c.rest();
    std::string value_text = rest.substr(0, rest.find(' '));
    if (rest.find(' ') != std::string::npos) {
      const std::string ts = rest.substr(rest.find(' ') + 1);
      Cursor tc{ts, 0, number};
      std::size_t i = ts[0] == '-' ? 1 : 0;
      if (i >= ts.size()) tc.fail("bad timestamp");
      for (; i < ts.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(ts[i]))) tc.fail("bad timestamp");
      }
    }
    sample.value = parse_value(c, value_text);

    const std::string family = family_of(sample.name, out.types);
    enter(c, family);
    const std::string type = out.types.count(family) ? out.types.at(family) : "untyped";
    if (!series.insert(key + (has_le ? "le=" + le : "")).second) c.fail("a repeated series");
    if (type == "counter" && !(sample.value >= 0)) c.fail("a negative or NaN counter");
    if (type == "histogram") {
      if (sample.name == family + "_bucket") {
        if (!has_le) c.fail("a bucket without le");
        Cursor lc{le, 0, number};
        const double bound = parse_value(lc, le);
        auto& [last, inf] = buckets[family + key.substr(sample.name.size())];
        if (sample.value < last) c.fail("buckets that are not cumulative");
        last = sample.value;
        if (std::isinf(bound) && bound > 0) inf = sample.value + 1;  // +1: "seen"
      } else if (sample.name == family + "_count") {
        counts[family + key.substr(sample.name.size())] = sample.value;
      } else if (sample.name != family + "_sum") {
        c.fail("a sample of histogram " + family + " that is not _bucket, _sum or _count");
      }
    }
    out.samples.push_back(std::move(sample));
  }
  for (const auto& [key, b] : buckets) {
    if (b.second == 0) throw std::runtime_error("histogram series " + key + " has no +Inf bucket");
    auto it = counts.find(key);
    if (it == counts.end() || it->second != b.second - 1) {
      throw std::runtime_error("histogram series " + key + ": +Inf bucket differs from _count");
    }
  }
  return out;
}

}  // namespace incident::testing
