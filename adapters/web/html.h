// HTML for the review page, escaped by default: every value goes through escape() (or attr()),
// and our own markup is written as string literals in pages.cpp, the one place that builds it.
#pragma once

#include <string>
#include <string_view>

namespace incident::web {

// `&`, `<`, `>`, `"` and `'` as character references: safe in element content and in quoted
// attribute values. Invalid UTF-8 is replaced by U+FFFD, so a browser cannot read past a tag.
std::string escape(std::string_view text);

// Decodes an application/x-www-form-urlencoded body's `name` field ("" when absent).
std::string form_field(std::string_view body, std::string_view name);

// The value of cookie `name` in a Cookie header ("" when absent).
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace incident::web
