#include "bot/blameless/classifier.h"

#include <algorithm>

namespace incident::blameless_detail {

namespace {

// Code points that read as tone in chat: emoji and pictographs, dingbats, misc symbols.
bool is_emoji(char32_t c) {
  return (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0x2600 && c <= 0x27BF);
}

// One UTF-8 code point at i (invalid bytes count as one byte, value 0).
char32_t code_point(std::string_view s, std::size_t i, std::size_t& size) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size = 1;
  if (b0 < 0x80) return b0;
  std::size_t n = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  char32_t c = b0 & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3F);
  }
  size = n;
  return c;
}

class Builder {
 public:
  explicit Builder(std::vector<std::string>* names) : names_(names) {}

  void add(std::string_view name) {
    features_.push_back({feature_hash(name)});
    if (names_ != nullptr) names_->emplace_back(name);
  }
  void add2(std::string_view prefix, std::string_view name) {
    scratch_.assign(prefix);
    scratch_ += name;
    add(scratch_);
  }

  std::vector<Feature> finish() {
    // Deduplicate by hash, keeping the first occurrence (text order) of each.
    std::vector<std::size_t> order(features_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return features_[a].hash < features_[b].hash;
    });
    std::vector<Feature> out;
    std::vector<std::string> out_names;
    out.reserve(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
      if (k > 0 && features_[order[k]].hash == features_[order[k - 1]].hash) continue;
      out.push_back(features_[order[k]]);
      if (names_ != nullptr) out_names.push_back(std::move((*names_)[order[k]]));
    }
    if (names_ != nullptr) *names_ = std::move(out_names);
    return out;
  }

 private:
  std::vector<std::string>* names_;
  std::vector<Feature> features_;
  std::string scratch_;
};

}  // namespace

std::uint32_t feature_hash(std::string_view name) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

Analysis analyse(std::string_view text, const People& people) {
  Analysis a{tokenize(text), {}, {}};
  mark_people(a.tokens, people);
  const auto& sentences = a.tokens.sentences;
  a.sentence_hits.reserve(sentences.size() + 1);
  for (std::size_t n = 0; n < sentences.size(); ++n) {
    a.sentence_hits.push_back(a.hits.size());
    const Sentence& s = sentences[n];
    const std::size_t context_end = n + 1 < sentences.size() ? sentences[n + 1].end : s.end;
    const View view(a.tokens.tokens, s, context_end);
    blame_rules(view, a.hits);
    personnel_rules(view, a.hits);
  }
  a.sentence_hits.push_back(a.hits.size());
  return a;
}

std::vector<Feature> window_features(std::string_view text, const Analysis& a,
                                     std::size_t first_sentence, std::size_t last_sentence,
                                     std::vector<std::string>* names) {
  if (names != nullptr) names->clear();
  Builder out(names);
  const auto& tokens = a.tokens.tokens;
  const auto& sentences = a.tokens.sentences;
  const std::size_t begin = sentences[first_sentence].begin;
  const std::size_t end = sentences[last_sentence].end;

  // Word features over a stream of abstracted tokens, with <s> at each sentence start.
  std::string prev = "<s>";
  bool in_sentence = false;  // a token of the current sentence was added
  std::string elt;
  for (std::size_t i = begin; i < end; ++i) {
    const Token& t = tokens[i];
    if (t.sentence_start && i != begin) {
      out.add2("b:", prev + " </s>");
      prev = "<s>";
      in_sentence = false;
    }
    std::size_t last = i;
    if (t.type == Token::Type::url) {
      elt = "<url>";
    } else if (t.type == Token::Type::mention || t.person) {
      while (last + 1 < end && tokens[last + 1].person && tokens[last + 1].person_span == 0) {
        ++last;
      }
      elt = tokens[last].possessive ? "<p>'s" : "<p>";
      out.add("c:<p>");
    } else if (t.type == Token::Type::number) {
      elt = "<num>";
    } else if (t.type == Token::Type::punct) {
      if (t.norm != "," && t.norm != ":" && t.norm != ";" && t.norm != "(" && t.norm != ")") {
        continue;
      }
      elt = t.norm;
    } else {
      const std::string_view w = t.norm;
      const bool cap = t.capitalised && !t.sentence_start && !t.all_caps && !t.quoted &&
                       !is_system_noun(w) && !is_function_word(w) && !is_person_noun(w);
      if (is_person_noun(w)) out.add("c:<role>");
      switch (pronoun_kind(w)) {
        case Pronoun::person:
          out.add("c:<pron>");
          break;
        case Pronoun::first_person:
          out.add("c:<we>");
          break;
        default:
          break;
      }
      if (t.possessive || is_person_possessive(w)) out.add("c:<poss>");
      if (is_negation(w)) out.add("c:<neg>");
      if (t.quoted) out.add("c:<quoted>");
      if (cap) out.add("c:<cap>");
      elt = cap ? std::string("<cap>") : std::string(w);
      if (t.possessive) elt += "'s";
    }
    out.add2("w:", elt);
    out.add2("b:", prev + " " + elt);
    prev = elt;
    in_sentence = true;
    i = last;
  }
  if (in_sentence) out.add2("b:", prev + " </s>");

  // Cues in the raw text: from the window's first token to the next sentence's first token.
  if (begin < end) {
    const std::size_t from = tokens[begin].offset;
    const std::size_t to =
        last_sentence + 1 < sentences.size() && sentences[last_sentence + 1].begin < tokens.size()
            ? tokens[sentences[last_sentence + 1].begin].offset
            : text.size();
    const std::string_view raw = text.substr(from, to > from ? to - from : 0);
    char last_char = 0;
    for (std::size_t i = 0; i < raw.size();) {
      std::size_t size = 1;
      const char32_t c = code_point(raw, i, size);
      if (c == '?') out.add(last_char == '?' ? "q:??" : "q:?");
      if (c == '!') out.add(last_char == '?' || last_char == '!' ? "q:!!" : "q:!");
      if (c == '"') out.add("q:\"");
      if (c == 0x2026 || (c == '.' && last_char == '.')) out.add("q:...");
      if (c == '/' && i + 1 < raw.size() && (raw[i + 1] == 's' || raw[i + 1] == 'S') &&
          (i + 2 == raw.size() || raw[i + 2] == ' ' || raw[i + 2] == '\n')) {
        out.add("q:/s");
      }
      if (is_emoji(c)) {
        out.add("q:emoji");
        char hex[16];
        std::size_t n = 0;
        for (int shift = 20; shift >= 0; shift -= 4) {
          hex[n++] = "0123456789abcdef"[(c >> shift) & 0xF];
        }
        out.add2("q:u+", std::string_view(hex, n));
      }
      if (c != ' ') last_char = c < 0x80 ? static_cast<char>(c) : 0;
      i += size;
    }
  }

  // The rule hits of these sentences.
  for (std::size_t h = a.sentence_hits[first_sentence]; h < a.sentence_hits[last_sentence + 1];
       ++h) {
    const Hit& hit = a.hits[h];
    out.add2("r:", hit.rule);
    out.add(hit.kind == FindingKind::personnel ? "r:<personnel>" : "r:<blame>");
  }
  return out.finish();
}

double model_weight(const ModelData& model, std::uint32_t hash) {
  const ModelWeight* end = model.weights + model.size;
  const ModelWeight* it = std::lower_bound(
      model.weights, end, hash, [](const ModelWeight& w, std::uint32_t h) { return w.hash < h; });
  return it != end && it->hash == hash ? it->weight : 0.0;
}

double model_logit(const ModelData& model, const std::vector<Feature>& features) {
  double z = model.bias;
  for (const Feature& f : features) z += model_weight(model, f.hash);
  return z;
}

}  // namespace incident::blameless_detail
