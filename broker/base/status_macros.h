// WHARF_RETURN_IF_ERROR / WHARF_ASSIGN_OR_RETURN: local equivalents of absl's
// newer status_macros.h (Debian's Abseil 20220623 has none).

#ifndef WHARF_BROKER_BASE_STATUS_MACROS_H_
#define WHARF_BROKER_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define WHARF_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status wharf_status_ = (expr);         \
    if (!wharf_status_.ok()) return wharf_status_; \
  } while (0)

#define WHARF_STATUS_CONCAT_INNER_(a, b) a##b
#define WHARF_STATUS_CONCAT_(a, b) WHARF_STATUS_CONCAT_INNER_(a, b)

// WHARF_ASSIGN_OR_RETURN(auto x, FunctionReturningStatusOr());
#define WHARF_ASSIGN_OR_RETURN(lhs, expr) \
  WHARF_ASSIGN_OR_RETURN_IMPL_(WHARF_STATUS_CONCAT_(wharf_statusor_, __LINE__), lhs, expr)

#define WHARF_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)  \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // WHARF_BROKER_BASE_STATUS_MACROS_H_
