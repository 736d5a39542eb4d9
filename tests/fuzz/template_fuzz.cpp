// The template renderer (bot/text/template.h) over any template text, as an operator's prompt
// override could be: it renders or refuses with TemplateError, never anything else, and a
// template check_template accepts renders.
#include "bot/text/markup.h"
#include "bot/text/template.h"
#include "fuzz/fuzz.h"

using incident::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = incident::fuzz::text_of(data, size);
  incident::TemplateData d;
  d.set("id", "INC-1").set("title", "<!channel> *x*").set("open", true).set("empty", "");
  d.add("items", incident::TemplateData{}.set("text", "one"));
  d.add("items", incident::TemplateData{}.set("text", "two"));
  bool valid = true;
  try {
    incident::check_template(text);
  } catch (const incident::TemplateError&) {
    valid = false;
  }
  try {
    const std::string out = incident::render_template(text, d, incident::markup::literal);
    check(valid, "what renders also passes the check");
  } catch (const incident::TemplateError&) {
    check(!valid, "a template the check accepts renders");
  }
  return 0;
}
