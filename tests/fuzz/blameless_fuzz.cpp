// The blameless checker (bot/blameless/blameless.h) over any bytes, as `lint` reads a document:
// it never throws, and each finding points at the phrase it quotes, in text order.
#include "bot/blameless/blameless.h"
#include "fuzz/fuzz.h"
#include "prompts/embedded.h"

using incident::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const incident::Prompts prompts = incident::Prompts::load(incident::embedded_prompts());
  const std::string_view text = incident::fuzz::text_of(data, size);
  const incident::People people{{"Dana", "Erin Okafor"}};
  std::size_t last = 0;
  for (const auto& f : incident::check_blameless(text, people, prompts)) {
    check(f.offset + f.length <= text.size(), "a finding lies in the text");
    check(text.substr(f.offset, f.length) == f.phrase, "a finding quotes what it points at");
    check(f.offset >= last, "findings are in text order");
    last = f.offset;
  }
  (void)incident::is_personnel_matter(text);
  (void)incident::fold_name(text);
  return 0;
}
