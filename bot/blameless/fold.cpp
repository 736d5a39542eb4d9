// Folding names for comparison, without ICU: lower case, and Latin letters without their
// diacritics, so that the precomposed (NFC) and decomposed (NFD) spellings of a name, and the
// spelling without accents, compare equal: "Zoë", "ZOË", "Zoe" + U+0308 and "Zoe" all fold to
// "zoe"; "Nguyễn" to "nguyen", "Jürgen" to "jurgen", "Łukasz" to "lukasz". The tables cover
// Latin-1, Latin Extended-A, the Latin Extended-B letters of Romanian and Vietnamese and the
// Vietnamese block of Latin Extended Additional (Unicode 15, charts U+0080, U+0100, U+0180,
// U+1E00); combining diacritical marks (U+0300–U+036F) are dropped; Greek and Cyrillic capitals
// are lowered. Other scripts are kept as they are: their names compare as written.
#include <string>
#include <string_view>

#include "bot/blameless/tokens.h"

namespace incident::blameless_detail {

namespace {

// U+00C0..U+00FF; "" keeps the code point (× and ÷).
constexpr std::string_view kLatin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};

// U+0100..U+017F, one base letter (or two) per code point.
constexpr std::string_view kLatinExtendedA[128] = {
    "a", "a", "a",  "a",  "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",   // 0100
    "d", "d", "e",  "e",  "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",   // 0110
    "g", "g", "g",  "g",  "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",   // 0120
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",   // 0130
    "l", "l", "l",  "n",  "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",   // 0140
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",   // 0150
    "s", "s", "t",  "t",  "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",   // 0160
    "u", "u", "u",  "u",  "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s"};  // 0170

void append_utf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// The base letter of a Vietnamese letter in U+1EA0..U+1EF9.
char vietnamese_base(char32_t c) {
  if (c <= 0x1EB7) return 'a';
  if (c <= 0x1EC7) return 'e';
  if (c <= 0x1ECB) return 'i';
  if (c <= 0x1EE3) return 'o';
  if (c <= 0x1EF1) return 'u';
  return 'y';
}

}  // namespace

bool is_upper_letter(char32_t c) {
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= 0xC0 && c <= 0xDE) return c != 0xD7;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c % 2 == 0;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c % 2 == 1;
  if (c == 0x178 || c == 0x1A0 || c == 0x1AF || c == 0x218 || c == 0x21A) return true;
  if (c >= 0x1EA0 && c <= 0x1EF9) return c % 2 == 0;
  return (c >= 0x391 && c <= 0x3A9) || (c >= 0x400 && c <= 0x42F);
}

void fold_code_point(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return;
  }
  if (c >= 0x300 && c <= 0x36F) return;  // a combining mark: "e" + U+0308 is "ë"
  std::string_view base;
  if (c >= 0xC0 && c <= 0xFF) {
    base = kLatin1[c - 0xC0];
  } else if (c >= 0x100 && c <= 0x17F) {
    base = kLatinExtendedA[c - 0x100];
  } else if (c == 0x1A0 || c == 0x1A1) {
    base = "o";
  } else if (c == 0x1AF || c == 0x1B0) {
    base = "u";
  } else if (c >= 0x218 && c <= 0x219) {
    base = "s";
  } else if (c >= 0x21A && c <= 0x21B) {
    base = "t";
  } else if (c >= 0x1EA0 && c <= 0x1EF9) {
    out += vietnamese_base(c);
    return;
  }
  if (!base.empty()) {
    out += base;
    return;
  }
  if ((c >= 0x391 && c <= 0x3A9) || (c >= 0x410 && c <= 0x42F)) {
    c += 0x20;
  } else if (c >= 0x400 && c <= 0x40F) {
    c += 0x50;
  }
  append_utf8(c, out);
}

}  // namespace incident::blameless_detail

namespace incident {

std::string fold_name(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t size = 1;
    const char32_t c = blameless_detail::decode_utf8(text, i, size);
    if (c == 0x2019 || c == 0x2018) {
      out += '\'';
    } else if (c == 0xFFFD && size == 1 && static_cast<unsigned char>(text[i]) >= 0x80) {
      out += text[i];  // an invalid byte stays as it is
    } else {
      blameless_detail::fold_code_point(c, out);
    }
    i += size;
  }
  return out;
}

}  // namespace incident
