#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace roster {

// Every code of SPEC §6, plus the codes the reference-data templates add in the
// same style. The name is what reports and summaries print.
#define ROSTER_ERROR_CODES(X)                                                 \
  /* file level: the file is refused, exit 3 */                               \
  X(FileUnreadable, "FILE_UNREADABLE", kFile)                                 \
  X(FileEmpty, "FILE_EMPTY", kFile)                                           \
  X(HeaderMissingColumn, "HEADER_MISSING_COLUMN", kFile)                      \
  X(HeaderDuplicateColumn, "HEADER_DUPLICATE_COLUMN", kFile)                  \
  X(FileNotText, "FILE_NOT_TEXT", kFile)                                      \
  X(LineTooLong, "LINE_TOO_LONG", kFile)                                      \
  X(FeedEmpty, "FEED_EMPTY", kFile)                                           \
  /* run level: who runs it may not, exit 4 */                                \
  X(ActorNotBound, "ACTOR_NOT_BOUND", kRun)                                   \
  /* row level, every template */                                             \
  X(RowMalformed, "ROW_MALFORMED", kRow)                                      \
  X(TextInvalid, "TEXT_INVALID", kRow)                                        \
  X(FlagInvalid, "FLAG_INVALID", kRow)                                        \
  X(ActionInvalid, "ACTION_INVALID", kRow)                                    \
  /* users */                                                                 \
  X(UsernameRequired, "USERNAME_REQUIRED", kRow)                              \
  X(UsernameInvalid, "USERNAME_INVALID", kRow)                                \
  X(UsernameDuplicateInFile, "USERNAME_DUPLICATE_IN_FILE", kRow)              \
  X(UserExists, "USER_EXISTS", kRow)                                          \
  X(UserNotFound, "USER_NOT_FOUND", kRow)                                     \
  X(UserOtherFeed, "USER_OTHER_FEED", kRow)                                   \
  X(EmailRequired, "EMAIL_REQUIRED", kRow)                                    \
  X(EmailInvalid, "EMAIL_INVALID", kRow)                                      \
  X(EmailTaken, "EMAIL_TAKEN", kRow)                                          \
  X(TimezoneRequired, "TIMEZONE_REQUIRED", kRow)                              \
  X(TimezoneUnknown, "TIMEZONE_UNKNOWN", kRow)                                \
  X(RoleRequired, "ROLE_REQUIRED", kRow)                                      \
  X(RoleUnknown, "ROLE_UNKNOWN", kRow)                                        \
  X(RoleNotAssignable, "ROLE_NOT_ASSIGNABLE", kRow)                           \
  X(TargetOutranksActor, "TARGET_OUTRANKS_ACTOR", kRow)                       \
  X(SelfModification, "SELF_MODIFICATION", kRow)                              \
  X(SourceUnknown, "SOURCE_UNKNOWN", kRow)                                    \
  X(SourceNotInRole, "SOURCE_NOT_IN_ROLE", kRow)                              \
  X(SourceNotGrantable, "SOURCE_NOT_GRANTABLE", kRow)                         \
  X(AllSourcesNotInRole, "ALL_SOURCES_NOT_IN_ROLE", kRow)                     \
  X(AllSourcesNotGrantable, "ALL_SOURCES_NOT_GRANTABLE", kRow)                \
  X(SalesChannelUnknown, "SALES_CHANNEL_UNKNOWN", kRow)                       \
  X(SalesChannelNotInRole, "SALES_CHANNEL_NOT_IN_ROLE", kRow)                 \
  X(SalesChannelNotGrantable, "SALES_CHANNEL_NOT_GRANTABLE", kRow)            \
  X(AllSalesChannelsNotInRole, "ALL_SALES_CHANNELS_NOT_IN_ROLE", kRow)        \
  X(AllSalesChannelsNotGrantable, "ALL_SALES_CHANNELS_NOT_GRANTABLE", kRow)   \
  X(DateInvalid, "DATE_INVALID", kRow)                                        \
  X(DateRangeInvalid, "DATE_RANGE_INVALID", kRow)                             \
  /* roles */                                                                 \
  X(RoleNameRequired, "ROLE_NAME_REQUIRED", kRow)                             \
  X(RoleNameInvalid, "ROLE_NAME_INVALID", kRow)                               \
  X(RoleKeyInvalid, "ROLE_KEY_INVALID", kRow)                                 \
  X(RoleKeyTaken, "ROLE_KEY_TAKEN", kRow)                                     \
  X(RoleExists, "ROLE_EXISTS", kRow)                                          \
  X(RoleNotFound, "ROLE_NOT_FOUND", kRow)                                     \
  X(RoleDuplicateInFile, "ROLE_DUPLICATE_IN_FILE", kRow)                      \
  X(HierarchyRequired, "HIERARCHY_REQUIRED", kRow)                            \
  X(HierarchyInvalid, "HIERARCHY_INVALID", kRow)                              \
  X(PermissionUnknown, "PERMISSION_UNKNOWN", kRow)                            \
  X(PermissionNotGrantable, "PERMISSION_NOT_GRANTABLE", kRow)                 \
  X(RoleScopeInUse, "ROLE_SCOPE_IN_USE", kRow)                                \
  /* applications */                                                          \
  X(ApplicationUnknown, "APPLICATION_UNKNOWN", kRow)                          \
  X(ApplicationExists, "APPLICATION_EXISTS", kRow)                            \
  X(ApplicationNotFound, "APPLICATION_NOT_FOUND", kRow)                       \
  X(ApplicationDuplicateInFile, "APPLICATION_DUPLICATE_IN_FILE", kRow)        \
  X(RoleWrongApplication, "ROLE_WRONG_APPLICATION", kRow)                     \
  X(EmailRequiredForBackOffice, "EMAIL_REQUIRED_FOR_BACK_OFFICE", kRow)       \
  /* sources and sales channels */                                            \
  X(ExternalIdRequired, "EXTERNAL_ID_REQUIRED", kRow)                         \
  X(ExternalIdInvalid, "EXTERNAL_ID_INVALID", kRow)                           \
  X(ExternalIdDuplicateInFile, "EXTERNAL_ID_DUPLICATE_IN_FILE", kRow)         \
  X(SourceExists, "SOURCE_EXISTS", kRow)                                      \
  X(SourceNotFound, "SOURCE_NOT_FOUND", kRow)                                 \
  X(SourceTypeInvalid, "SOURCE_TYPE_INVALID", kRow)                           \
  X(SalesChannelExists, "SALES_CHANNEL_EXISTS", kRow)                         \
  X(SalesChannelNotFound, "SALES_CHANNEL_NOT_FOUND", kRow)                    \
  X(NameRequired, "NAME_REQUIRED", kRow)                                      \
  /* warnings: the row is applied */                                          \
  X(SourcesIgnoredWithAll, "SOURCES_IGNORED_WITH_ALL", kWarning)              \
  X(SalesChannelsIgnoredWithAll, "SALES_CHANNELS_IGNORED_WITH_ALL", kWarning) \
  X(SourceDuplicate, "SOURCE_DUPLICATE", kWarning)                            \
  X(SalesChannelDuplicate, "SALES_CHANNEL_DUPLICATE", kWarning)               \
  X(PermissionDuplicate, "PERMISSION_DUPLICATE", kWarning)                    \
  X(NoSources, "NO_SOURCES", kWarning)                                        \
  X(ColumnUnknown, "COLUMN_UNKNOWN", kWarning)                                \
  /* warnings of a --sync run, in its summary */                              \
  X(SyncSkipped, "SYNC_SKIPPED", kWarning)                                    \
  X(SyncNotAllowed, "SYNC_NOT_ALLOWED", kWarning)

enum class CodeClass { kFile, kRun, kRow, kWarning };

enum class Code {
#define ROSTER_X(id, name, cls) k##id,
  ROSTER_ERROR_CODES(ROSTER_X)
#undef ROSTER_X
};

// The SPEC name of `code`, e.g. "ROLE_UNKNOWN".
std::string_view code_name(Code code);

// Whether `code` refuses a file, rejects a row, or only warns.
CodeClass code_class(Code code);

// Every code, in declaration order.
std::span<const Code> all_codes();

// The code whose name is `name`, or nullopt.
std::optional<Code> code_from_name(std::string_view name);

// What a code means and what the operator does about it, one sentence or two
// each: `roster explain CODE` prints them, docs/template.md repeats them.
struct CodeHelp {
  std::string_view meaning;
  std::string_view fix;
};
CodeHelp code_help(Code code);

// Process exit codes of SPEC §7.
enum class ExitCode : int {
  kOk = 0,
  kRowsRejected = 1,
  kUsage = 2,
  kFileRefused = 3,
  kActor = 4,
  kDatabase = 5,
  kGuard = 6,
};

}  // namespace roster
