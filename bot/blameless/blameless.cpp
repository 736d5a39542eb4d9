#include "bot/blameless/blameless.h"

#include <algorithm>

#include "bot/blameless/classifier.h"

namespace incident {

namespace {

using namespace blameless_detail;

struct Span {
  FindingKind kind;
  std::size_t begin;
  std::size_t end;
  std::string_view rule;
};

// The span a model-only finding points at: the window's token or bigram that weighs most
// towards the verdict, else the window's first word.
Hit model_hit(const ModelData& model, const std::vector<Feature>& features, const Tokens& tokens,
              std::size_t first_sentence, FindingKind kind, std::string_view rule) {
  double best = 0;
  Hit hit{kind, tokens.sentences[first_sentence].begin, tokens.sentences[first_sentence].begin,
          rule};
  for (const Feature& f : features) {
    if (f.first >= tokens.tokens.size() || f.last >= tokens.tokens.size()) continue;
    const double w = model_weight(model, f.hash);
    if (w > best) {
      best = w;
      hit.first = f.first;
      hit.last = f.last;
    }
  }
  return hit;
}

constexpr std::size_t kModelMinWords = 4;

std::size_t words_in(const Tokens& tokens, std::size_t first_sentence, std::size_t last_sentence) {
  std::size_t words = 0;
  for (std::size_t t = tokens.sentences[first_sentence].begin;
       t < tokens.sentences[last_sentence].end; ++t) {
    if (tokens.tokens[t].type == Token::Type::word) ++words;
  }
  return words;
}

// The learned classifier (classifier.h) on each sentence and each pair of adjacent
// sentences: a window the rules left unflagged for a kind, that the model scores above its
// threshold, gets one finding of that kind.
void model_hits(std::string_view text, Analysis& a) {
  const std::size_t count = a.tokens.sentences.size();
  struct Classifier {
    const ModelData& model;
    FindingKind kind;
    std::string_view rule;
    std::vector<bool> flagged;  // per sentence: a rule or an earlier window flagged it
  };
  Classifier classifiers[] = {
      {kBlameModel, FindingKind::blame, "blame_general", std::vector<bool>(count)},
      {kPersonnelModel, FindingKind::personnel, "personnel_matter", std::vector<bool>(count)}};
  for (Classifier& c : classifiers) {
    for (std::size_t n = 0; n < count; ++n) {
      for (std::size_t h = a.sentence_hits[n]; h < a.sentence_hits[n + 1]; ++h) {
        if (a.hits[h].kind == c.kind) c.flagged[n] = true;
      }
    }
  }
  std::vector<Hit> added;
  for (std::size_t n = 0; n < count; ++n) {
    for (std::size_t last = n; last < std::min(n + 2, count); ++last) {
      if (a.tokens.sentences[n].begin == a.tokens.sentences[last].end) continue;
      // A window of a few words ("all good here") gives the model too little to go on: its
      // verdict there is mostly the bias. The rules still judge it.
      if (words_in(a.tokens, n, last) < kModelMinWords) continue;
      std::vector<Feature> features;
      for (Classifier& c : classifiers) {
        if (c.model.size == 0 || c.flagged[n] || c.flagged[last]) continue;
        if (features.empty()) features = window_features(text, a, n, last);
        if (model_logit(c.model, features) <= c.model.threshold) continue;
        added.push_back(model_hit(c.model, features, a.tokens, n, c.kind, c.rule));
        c.flagged[n] = true;
        c.flagged[last] = true;
      }
    }
  }
  a.hits.insert(a.hits.end(), added.begin(), added.end());
}

std::vector<Span> find_spans(std::string_view text, const People& people, bool use_model) {
  Analysis a = analyse(text, people);
  if (use_model) model_hits(text, a);
  const Tokens& tokens = a.tokens;
  std::vector<Hit>& hits = a.hits;
  for (const Sentence& s : tokens.sentences) {
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
  return blameless_detail::check_blameless(text, people, prompts, true);
}

std::vector<Finding> blameless_detail::check_blameless(std::string_view text, const People& people,
                                                       const Prompts& prompts, bool use_model) {
  std::vector<Finding> findings;
  for (const Span& s : find_spans(text, people, use_model)) {
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
  const auto spans = find_spans(text, People{}, true);
  return std::any_of(spans.begin(), spans.end(),
                     [](const Span& s) { return s.kind == FindingKind::personnel; });
}

}  // namespace incident
