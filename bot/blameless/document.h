// Internals of the blameless check: reads a text as a document before the rules see it. A
// post-mortem is Markdown more often than not, and its structure is not prose: front matter,
// fenced code, `code spans`, link targets and HTML tags are blanked (replaced by spaces, so every
// offset still points at the same byte of the original), and each line gets a kind, so that the
// learned classifier leaves headings, table rows and template prompts ("What went wrong?",
// "Time to detection:") alone — they carry the words of blame without blaming anyone.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace incident::blameless_detail {

enum class LineKind : unsigned char {
  prose,    // sentences, list items
  heading,  // "# …", a setext heading, a line of only **bold**
  table,    // a table row: its cells are read one by one, an owner column is no blame
  label,    // a template prompt or question on a line of its own in a longer document
  code,     // front matter, fenced code: blanked
};

struct DocumentView {
  std::string prose;                     // the text, same length, non-prose bytes as spaces
  std::vector<std::size_t> line_starts;  // byte offset of each line
  std::vector<LineKind> kinds;           // the kind of each line
  LineKind kind_at(std::size_t offset) const;
};

DocumentView read_document(std::string_view text);

}  // namespace incident::blameless_detail
