#include "bot/blameless/blameless.h"

#include <algorithm>

#include "bot/blameless/classifier.h"
#include "bot/blameless/document.h"

namespace incident {

namespace {

using namespace blameless_detail;

struct Span {
  FindingKind kind;
  std::size_t begin;
  std::size_t end;
  std::string_view rule;
};

// The span a model-only finding points at: the whole sentence, so the reader sees the clause the
// model read, not one word of it (a pronoun or "again" alone is never the blame). Of a pair of
// sentences, the one the model scores higher on its own: the pair's verdict comes mostly from
// it, and a neutral neighbour must not carry the finding.
Hit model_hit(const ModelData& model, std::string_view text, const Analysis& a,
              std::size_t first_sentence, std::size_t last_sentence, FindingKind kind,
              std::string_view rule) {
  std::size_t n = first_sentence;
  if (last_sentence != first_sentence &&
      model_logit(model, window_features(text, a, last_sentence, last_sentence)) >
          model_logit(model, window_features(text, a, first_sentence, first_sentence))) {
    n = last_sentence;
  }
  const Tokens& tokens = a.tokens;
  const Sentence& s = tokens.sentences[n];
  std::size_t last = s.end - 1;
  while (last > s.begin && tokens.tokens[last].type == Token::Type::punct) --last;
  return {kind, s.begin, last, rule};
}

// How sure the model must be, above its trained threshold, to flag a window on its own. It was
// trained on chat messages; in a long write-up most sentences narrate what people did, and its
// scores there are less telling, so a document asks for more.
constexpr double kChatMargin = 1.5;
constexpr double kDocumentMargin = 4.0;
constexpr double kChatBareMargin = 2.0;
constexpr std::size_t kChatSentences = 3;  // a text of more sentences reads as a document

// Third parties are not colleagues, and a review does not blame them ("the attacker reused the
// token", "the bank's support rep closed the ticket"). For the model's leash, support staff,
// legal and the police count too: they are rarely the colleague a sentence blames.
bool outside_team(std::string_view w) {
  static constexpr std::string_view words[] = {
      "representative", "support", "actor", "actors", "fraud", "legal", "police", "enforcement"};
  return is_third_party(w) || std::find(std::begin(words), std::end(words), w) != std::end(words);
}

// Whether a window speaks of a colleague: a name or mention, a person noun or a personal
// pronoun (in a document "they" is more often a vendor or a bank than a teammate), and no
// third party in sight.
bool names_colleague(const Tokens& tokens, std::size_t first_sentence, std::size_t last_sentence,
                     bool document) {
  bool colleague = false;
  for (std::size_t t = tokens.sentences[first_sentence].begin;
       t < tokens.sentences[last_sentence].end; ++t) {
    const Token& tok = tokens.tokens[t];
    if (tok.person) colleague = true;
    if (tok.type != Token::Type::word) continue;
    if (outside_team(tok.norm)) return false;
    if (is_person_noun(tok.norm) || tok.norm == "his" || tok.norm == "her" || tok.norm == "your") {
      colleague = true;
    }
    const bool they = tok.norm.rfind("they", 0) == 0 || tok.norm == "them";
    if (pronoun_kind(tok.norm) == Pronoun::person && !(document && they)) colleague = true;
  }
  return colleague;
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
void model_hits(std::string_view text, const DocumentView& doc, Analysis& a) {
  const bool document = a.tokens.sentences.size() > kChatSentences;
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
      // Headings, table rows and template prompts are structure, not someone's account.
      if (doc.kind_at(a.tokens.tokens[a.tokens.sentences[n].begin].offset) != LineKind::prose ||
          doc.kind_at(a.tokens.tokens[a.tokens.sentences[last].begin].offset) != LineKind::prose) {
        continue;
      }
      const bool colleague = names_colleague(a.tokens, n, last, document);
      if (document && !colleague) continue;
      std::vector<Feature> features;
      for (Classifier& c : classifiers) {
        if (c.model.size == 0 || c.flagged[n] || c.flagged[last]) continue;
        // A personnel matter is always about someone ("the new guard rail will help a lot" is
        // not one).
        if (c.kind == FindingKind::personnel && !colleague) continue;
        if (features.empty()) features = window_features(text, a, n, last);
        // A chat message that names no colleague ("10/10 deploy, would break prod again") needs
        // more confidence than one that does.
        const double margin = document    ? kDocumentMargin
                              : colleague ? kChatMargin
                                          : kChatBareMargin;
        if (model_logit(c.model, features) <= c.model.threshold + margin) continue;
        added.push_back(model_hit(c.model, text, a, n, last, c.kind, c.rule));
        c.flagged[n] = true;
        c.flagged[last] = true;
      }
    }
  }
  a.hits.insert(a.hits.end(), added.begin(), added.end());
}

std::vector<Span> find_spans(std::string_view text, const People& people, bool use_model) {
  const DocumentView doc = read_document(text);
  Analysis a = analyse(doc.prose, people);
  if (use_model) model_hits(doc.prose, doc, a);
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
