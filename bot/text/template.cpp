#include "bot/text/template.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

namespace incident {

// A key holds one kind of value; setting it again with another kind replaces it, so lookups
// never have to decide between a text and a list of the same name.
TemplateData& TemplateData::set(const std::string& key, std::string value) {
  flags_.erase(key);
  lists_.erase(key);
  texts_[key] = std::move(value);
  return *this;
}

TemplateData& TemplateData::set(const std::string& key, bool value) {
  texts_.erase(key);
  lists_.erase(key);
  flags_[key] = value;
  return *this;
}

TemplateData& TemplateData::set(const std::string& key, std::vector<TemplateData> items) {
  texts_.erase(key);
  flags_.erase(key);
  lists_[key] = std::move(items);
  return *this;
}

TemplateData& TemplateData::add(const std::string& key, TemplateData item) {
  texts_.erase(key);
  flags_.erase(key);
  lists_[key].push_back(std::move(item));
  return *this;
}

const std::string* TemplateData::text(const std::string& key) const {
  auto it = texts_.find(key);
  return it == texts_.end() ? nullptr : &it->second;
}

const std::vector<TemplateData>* TemplateData::list(const std::string& key) const {
  auto it = lists_.find(key);
  return it == lists_.end() ? nullptr : &it->second;
}

bool TemplateData::has(const std::string& key) const {
  return texts_.count(key) != 0 || flags_.count(key) != 0 || lists_.count(key) != 0;
}

bool TemplateData::truthy(const std::string& key) const {
  if (auto it = flags_.find(key); it != flags_.end()) return it->second;
  if (auto it = texts_.find(key); it != texts_.end()) return !it->second.empty();
  if (auto it = lists_.find(key); it != lists_.end()) return !it->second.empty();
  return false;
}

std::string no_escape(std::string_view text) {
  return std::string(text);
}

namespace {

enum class Kind { kText, kValue, kVerbatim, kSection, kInverted };

// Views point into the template, which outlives the tree: both are local to one call.
struct Node {
  Kind kind = Kind::kText;
  std::string_view text;   // literal text, or the name for the other kinds
  std::size_t offset = 0;  // where the tag starts, for error messages
  std::vector<Node> children;
};

std::size_t line_of(std::string_view tmpl, std::size_t offset) {
  return 1 + static_cast<std::size_t>(std::count(tmpl.begin(), tmpl.begin() + offset, '\n'));
}

[[noreturn]] void fail(std::string_view tmpl, std::size_t offset, const std::string& what) {
  // The "line N: " prefix is relied on by prompts.cpp to map the line into the prompt file.
  throw TemplateError("line " + std::to_string(line_of(tmpl, offset)) + ": " + what);
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

class Parser {
 public:
  explicit Parser(std::string_view tmpl) : tmpl_(tmpl) {}

  Node parse() {
    stack_.emplace_back();  // the root; its kind is irrelevant
    std::size_t text_start = 0;
    while (true) {
      const std::size_t open = tmpl_.find("{{", text_start);
      if (open == std::string_view::npos) break;
      text_start = tag(open, text_start);
    }
    emit_text(text_start, tmpl_.size());
    if (stack_.size() > 1) {
      const Node& unclosed = stack_.back();
      fail(tmpl_, unclosed.offset,
           "section {{" + std::string(unclosed.kind == Kind::kSection ? "#" : "^") +
               std::string(unclosed.text) + "}} is never closed");
    }
    return std::move(stack_.front());
  }

 private:
  // Handles the tag starting at `open`; returns where the next literal text starts.
  std::size_t tag(std::size_t open, std::size_t text_start) {
    const bool triple = tmpl_.compare(open, 3, "{{{") == 0;
    const std::string_view closer = triple ? "}}}" : "}}";
    const std::size_t body_start = open + (triple ? 3 : 2);
    const std::size_t close = tmpl_.find(closer, body_start);
    if (close == std::string_view::npos) {
      fail(tmpl_, open,
           std::string("unclosed tag: '") + (triple ? "{{{" : "{{") + "' without '" +
               std::string(closer) + "'");
    }
    const std::size_t tag_end = close + closer.size();
    std::string_view body = tmpl_.substr(body_start, close - body_start);

    char sigil = triple ? '{' : '\0';
    if (!triple && !body.empty() &&
        std::string_view("#^/!&>=").find(body.front()) != std::string_view::npos) {
      sigil = body.front();
      body.remove_prefix(1);
    }
    if (sigil == '>' || sigil == '=') {
      fail(tmpl_, open,
           "unsupported tag {{" + std::string(1, sigil) +
               "...}}: partials and delimiter changes are not supported");
    }
    // A '{{' inside the tag means an earlier '{{' was never closed; report that one rather
    // than swallowing the text between them into a name.
    if (sigil != '!' && body.find("{{") != std::string_view::npos) {
      fail(tmpl_, open, "unclosed tag: '{{' without '}}'");
    }
    const std::string_view name = trim(body);
    if (sigil != '!') check_name(name, open);

    // Only block-like tags may be standalone; a value on its own line is output and keeps
    // its line.
    const bool block = sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!';
    std::size_t text_end = open;
    std::size_t next = tag_end;
    if (block) standalone(open, tag_end, text_end, next);
    emit_text(text_start, text_end);

    switch (sigil) {
      case '#':
      case '^': {
        Node section{sigil == '#' ? Kind::kSection : Kind::kInverted, name, open, {}};
        stack_.push_back(std::move(section));
        break;
      }
      case '/':
        close_section(name, open);
        break;
      case '!':
        break;
      case '{':
      case '&':
        append({Kind::kVerbatim, name, open, {}});
        break;
      default:
        append({Kind::kValue, name, open, {}});
        break;
    }
    return next;
  }

  // When only blanks surround the tag on its line(s), the whole line goes with the tag:
  // the literal text ends at the line start and resumes after the line's newline.
  void standalone(std::size_t open, std::size_t tag_end, std::size_t& text_end,
                  std::size_t& next) const {
    std::size_t line_start = open;
    while (line_start > 0 && is_blank(tmpl_[line_start - 1])) --line_start;
    if (line_start > 0 && tmpl_[line_start - 1] != '\n') return;

    std::size_t line_end = tag_end;
    while (line_end < tmpl_.size() && is_blank(tmpl_[line_end])) ++line_end;
    if (line_end < tmpl_.size() && tmpl_[line_end] == '\r' && line_end + 1 < tmpl_.size() &&
        tmpl_[line_end + 1] == '\n') {
      ++line_end;
    }
    if (line_end < tmpl_.size() && tmpl_[line_end] != '\n') return;

    text_end = line_start;
    next = std::min(line_end + 1, tmpl_.size());
  }

  void check_name(std::string_view name, std::size_t offset) const {
    if (name.empty()) fail(tmpl_, offset, "empty name in tag");
    for (char c : name) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '{' || c == '}') {
        fail(tmpl_, offset, "invalid name '" + std::string(name) + "' in tag");
      }
    }
  }

  void close_section(std::string_view name, std::size_t offset) {
    if (stack_.size() == 1) {
      fail(tmpl_, offset, "{{/" + std::string(name) + "}} closes no open section");
    }
    Node section = std::move(stack_.back());
    if (section.text != name) {
      fail(tmpl_, offset,
           "{{/" + std::string(name) + "}} does not match {{" +
               (section.kind == Kind::kSection ? "#" : "^") + std::string(section.text) +
               "}} opened at line " + std::to_string(line_of(tmpl_, section.offset)));
    }
    stack_.pop_back();
    append(std::move(section));
  }

  void emit_text(std::size_t from, std::size_t to) {
    if (to > from) append({Kind::kText, tmpl_.substr(from, to - from), from, {}});
  }

  void append(Node node) { stack_.back().children.push_back(std::move(node)); }

  std::string_view tmpl_;
  std::vector<Node> stack_;  // open sections, innermost last; front is the root
};

class Renderer {
 public:
  Renderer(const TemplateData& data, const Escaper& escape) : escape_(escape) {
    contexts_.push_back(&data);
  }

  void render(const std::vector<Node>& nodes) {
    for (const Node& node : nodes) {
      switch (node.kind) {
        case Kind::kText:
          out_.append(node.text);
          break;
        case Kind::kValue:
          out_ += escape_ ? escape_(value(node.text)) : value(node.text);
          break;
        case Kind::kVerbatim:
          out_ += value(node.text);
          break;
        case Kind::kSection:
          section(node);
          break;
        case Kind::kInverted: {
          const TemplateData* owner = find(node.text);
          if (owner == nullptr || !owner->truthy(key_)) render(node.children);
          break;
        }
      }
    }
  }

  std::string take() { return std::move(out_); }

 private:
  // Innermost context that defines the name, so list items shadow the enclosing data.
  const TemplateData* find(std::string_view name) {
    key_.assign(name);
    for (auto it = contexts_.rbegin(); it != contexts_.rend(); ++it) {
      if ((*it)->has(key_)) return *it;
    }
    return nullptr;
  }

  std::string value(std::string_view name) {
    const TemplateData* owner = find(name);
    if (owner == nullptr) return {};
    if (const std::string* text = owner->text(key_)) return *text;
    if (owner->list(key_) != nullptr) return {};
    return owner->truthy(key_) ? "true" : "false";
  }

  void section(const Node& node) {
    const TemplateData* owner = find(node.text);
    if (owner == nullptr) return;
    if (const std::vector<TemplateData>* items = owner->list(key_)) {
      for (const TemplateData& item : *items) {
        contexts_.push_back(&item);
        render(node.children);
        contexts_.pop_back();
      }
      return;
    }
    // A text or flag only gates the section; the context stays as it is.
    if (owner->truthy(key_)) render(node.children);
  }

  const Escaper& escape_;
  std::vector<const TemplateData*> contexts_;
  std::string key_;  // reused lookup key, to avoid an allocation per tag
  std::string out_;
};

}  // namespace

std::string render_template(std::string_view tmpl, const TemplateData& data,
                            const Escaper& escape) {
  const Node root = Parser(tmpl).parse();
  Renderer renderer(data, escape);
  renderer.render(root.children);
  return renderer.take();
}

void check_template(std::string_view tmpl) {
  Parser(tmpl).parse();
}

}  // namespace incident
