#pragma once

namespace incident {

// The usual visitor helper: std::visit(overloaded{[](A){}, [](B){}}, v). A variant alternative
// without a matching lambda fails to compile, which is the point.
template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace incident
