#include "bot/blameless.h"

#include <algorithm>

#include "bot/blameless_rules.h"

namespace incident {

namespace {

using namespace blameless_detail;

struct Span {
  FindingKind kind;
  std::size_t begin;
  std::size_t end;
  std::string_view rule;
};

std::vector<Span> find_spans(std::string_view text, const People& people) {
  Tokens tokens = tokenize(text);
  mark_people(tokens, people);
  std::vector<Hit> hits;
  for (std::size_t n = 0; n < tokens.sentences.size(); ++n) {
    const Sentence& s = tokens.sentences[n];
    const std::size_t context_end =
        n + 1 < tokens.sentences.size() ? tokens.sentences[n + 1].end : s.end;
    const View view(tokens.tokens, s, context_end);
    blame_rules(view, hits);
    personnel_rules(view, hits);
    for (std::size_t i = s.begin; i < s.end; ++i) {
      if (const std::size_t n = tokens.tokens[i].person_span; n > 0) {
        hits.push_back({FindingKind::person, i, i + n - 1, "person_role"});
      }
    }
  }

  std::vector<Span> spans;
  spans.reserve(hits.size());
  for (const Hit& h : hits) {
    const Token& first = tokens.tokens[h.first];
    const Token& last = tokens.tokens[h.last];
    // A person's phrase stops before the possessive: "Dana" in "Dana's", so that replacing it
    // with a role reads "a responder's".
    const std::size_t end =
        last.offset + (h.kind == FindingKind::person ? last.stem_length : last.length);
    spans.push_back({h.kind, first.offset, end, h.rule});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.end > b.end;
  });

  // Two rules on overlapping words of the same kind make one finding (the first rule's
  // suggestion); different kinds may overlap ("Dana's fault" is blame, "Dana" a person).
  std::vector<Span> merged;
  for (const Span& s : spans) {
    auto same = std::find_if(merged.rbegin(), merged.rend(),
                             [&](const Span& m) { return m.kind == s.kind; });
    if (same != merged.rend() && s.begin < same->end) {
      same->end = std::max(same->end, s.end);
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

}  // namespace

std::string to_string(FindingKind k) {
  switch (k) {
    case FindingKind::blame:
      return "blame";
    case FindingKind::person:
      return "person";
    case FindingKind::personnel:
      return "personnel";
  }
  return "blame";
}

std::vector<Finding> check_blameless(std::string_view text, const People& people,
                                     const Prompts& prompts) {
  std::vector<Finding> findings;
  for (const Span& s : find_spans(text, people)) {
    Finding f{
        s.kind, s.begin, s.end - s.begin, std::string(text.substr(s.begin, s.end - s.begin)), {}};
    const std::string key(s.rule);
    if (prompts.contains(key)) {
      TemplateData data;
      data.set("phrase", f.phrase);
      f.suggestion = prompts.render(key, data);
    }
    findings.push_back(std::move(f));
  }
  return findings;
}

bool is_personnel_matter(std::string_view text) {
  const auto spans = find_spans(text, People{});
  return std::any_of(spans.begin(), spans.end(),
                     [](const Span& s) { return s.kind == FindingKind::personnel; });
}

}  // namespace incident
