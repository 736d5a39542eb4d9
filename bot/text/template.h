// A small logic-less template renderer (a Mustache subset) for prompts and draft templates:
//   {{name}}            a value, passed through the escaper of the target format
//   {{{name}}}          a value, verbatim (for text that is already rendered)
//   {{#name}}…{{/name}} a list (repeated per item, items see their own keys first), or a
//                       section shown when the value is true / non-empty
//   {{^name}}…{{/name}} shown when the value is false, empty or missing
//   {{! comment }}
// A standalone section tag on its own line takes its line ending with it, so templates can
// keep one tag per line without leaving blank lines behind.
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace incident {

class TemplateData {
 public:
  TemplateData& set(const std::string& key, std::string value);
  TemplateData& set(const std::string& key, bool value);
  TemplateData& set(const std::string& key, std::vector<TemplateData> items);
  TemplateData& add(const std::string& key, TemplateData item);  // appends to a list

  // Lookups used by the renderer; nullptr / false when absent.
  const std::string* text(const std::string& key) const;
  const std::vector<TemplateData>* list(const std::string& key) const;
  bool has(const std::string& key) const;
  bool truthy(const std::string& key) const;

 private:
  std::map<std::string, std::string> texts_;
  std::map<std::string, bool> flags_;
  std::map<std::string, std::vector<TemplateData>> lists_;
};

using Escaper = std::function<std::string(std::string_view)>;
std::string no_escape(std::string_view text);

struct TemplateError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws TemplateError on an unclosed or mismatched section. Unknown names render empty.
std::string render_template(std::string_view tmpl, const TemplateData& data,
                            const Escaper& escape = no_escape);

// Throws TemplateError when the template does not parse; used to validate operator edits.
void check_template(std::string_view tmpl);

}  // namespace incident
