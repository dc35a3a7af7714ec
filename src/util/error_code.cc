#include "roster/error_code.h"

#include <array>

namespace roster {
namespace {

struct CodeInfo {
  Code code;
  std::string_view name;
  CodeClass cls;
};

constexpr std::array kCodes = {
#define ROSTER_X(id, name, cls) CodeInfo{Code::k##id, name, CodeClass::cls},
    ROSTER_ERROR_CODES(ROSTER_X)
#undef ROSTER_X
};

constexpr std::array kCodeList = {
#define ROSTER_X(id, name, cls) Code::k##id,
    ROSTER_ERROR_CODES(ROSTER_X)
#undef ROSTER_X
};

}  // namespace

std::string_view code_name(Code code) { return kCodes[static_cast<size_t>(code)].name; }

CodeClass code_class(Code code) { return kCodes[static_cast<size_t>(code)].cls; }

std::span<const Code> all_codes() { return kCodeList; }

std::optional<Code> code_from_name(std::string_view name) {
  for (const CodeInfo& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

}  // namespace roster
