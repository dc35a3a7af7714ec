#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "roster/error_code.h"

namespace roster {

// The outcome of a run-level operation: ok, or a failure that stops the run.
// Each failure kind maps to one exit code of SPEC §7. Bad rows are not Statuses;
// they are RowErrors (row.h).
class [[nodiscard]] Status {
 public:
  Status() = default;  // ok

  static Status ok() { return Status(); }
  static Status usage(std::string message) {
    return Status(ExitCode::kUsage, std::nullopt, std::move(message));
  }
  static Status file(Code code, std::string message) {
    return Status(ExitCode::kFileRefused, code, std::move(message));
  }
  static Status actor(std::string message) {
    return Status(ExitCode::kActor, std::nullopt, std::move(message));
  }
  static Status database(std::string message) {
    return Status(ExitCode::kDatabase, std::nullopt, std::move(message));
  }
  static Status guard(std::string message) {
    return Status(ExitCode::kGuard, std::nullopt, std::move(message));
  }

  bool is_ok() const { return exit_ == ExitCode::kOk; }
  ExitCode exit_code() const { return exit_; }
  // The file-level code (FILE_EMPTY, ...) when the status refuses a file.
  std::optional<Code> code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(ExitCode exit, std::optional<Code> code, std::string message)
      : exit_(exit), code_(code), message_(std::move(message)) {}

  ExitCode exit_ = ExitCode::kOk;
  std::optional<Code> code_;
  std::string message_;
};

// A value, or the Status that explains why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  // The failure; only valid when !is_ok().
  const Status& status() const { return std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace roster
