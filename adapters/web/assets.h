// The review page's stylesheet and script, compiled into the binary (adapters/web/embed.cmake):
// production never reads the disk for them, and no page loads anything from elsewhere.
#pragma once

#include <string_view>
#include <vector>

namespace incident::web {

struct Asset {
  std::string_view file;  // "style.css"
  std::string_view name;  // "style.3f2a9c0d1e2b.css": served at /assets/<name>
  std::string_view content_type;
  std::string_view content;
};

const std::vector<Asset>& assets();

}  // namespace incident::web
