// What each code means and what to do about it: `roster explain CODE`, and
// the codes section of docs/template.md and the man page, which a test keeps
// equal to this table.

#include "roster/error_code.h"

namespace roster {

CodeHelp code_help(Code code) {
  switch (code) {
    case Code::kFileUnreadable:
      return {"The file could not be opened or read (missing, a directory, no permission).",
              "Check the path and that the account running roster may read the file."};
    case Code::kFileEmpty:
      return {"The file has no bytes, so not even a header.",
              "Start from `roster template users` (or the template of the kind you import)."};
    case Code::kHeaderMissingColumn:
      return {"Line 1 lacks a column the template requires.",
              "Add the named columns (any order, any case). A file saved with `;` or TAB "
              "separators needs --delimiter; a missing Timezone or Action column is allowed "
              "with --default-timezone or --upsert."};
    case Code::kHeaderDuplicateColumn:
      return {"Line 1 names the same column twice, so roster cannot tell which cell counts.",
              "Delete one of the two columns."};
    case Code::kFileNotText:
      return {"The file holds NUL bytes: it is a spreadsheet, a UTF-16 file or another binary.",
              "Save it as \"CSV UTF-8\", or give --encoding for a Windows-1252 or ISO-8859-1 "
              "file."};
    case Code::kLineTooLong:
      return {"A line is longer than 16 MiB; no template row is that long.",
              "Check that this is the file you meant; an unclosed quote cannot cause it, since "
              "a quoted cell never spans lines."};
    case Code::kFeedEmpty:
      return {
          "A --sync run got a snapshot with a header and no rows, which would disable "
          "every user of the feed.",
          "Fix the HR export; nothing was applied. Run without --sync to apply rows only."};
    case Code::kActorNotBound:
      return {
          "The directory is bound (SPEC §14) and the login running roster (os:NAME, "
          "pg:NAME) is not bound to the user named by --as, or to any user when --as is "
          "left out.",
          "Run as the account bound to that user (`roster logins list`), or have an "
          "administrator bind this login: roster logins bind USERNAME LOGIN --as ADMIN."};
    case Code::kRowMalformed:
      return {
          "The line is not a well-formed CSV row: an unclosed quote, or more or fewer "
          "cells than the header.",
          "Quote cells that hold commas (\"EAST-001,EAST-002\") and keep one cell per "
          "column."};
    case Code::kTextInvalid:
      return {
          "The cell holds a control character, invalid UTF-8, or starts with = + - @ "
          "(a spreadsheet formula).",
          "Remove the character or the leading sign; save as \"CSV UTF-8\" or give "
          "--encoding."};
    case Code::kFlagInvalid:
      return {"A yes/no cell (Enabled, Access all ...) is not 1 or 0.", "Write 1 or 0."};
    case Code::kActionInvalid:
      return {"Action is neither Create nor Update.",
              "Write Create or Update, or run with --upsert to let roster choose (then Action "
              "may be blank or absent)."};
    case Code::kUsernameRequired:
      return {"The Username cell is blank.", "Every row needs a username."};
    case Code::kUsernameInvalid:
      return {
          "The username is longer than 64 characters or has a character other than "
          "letters, digits and . _ - @.",
          "Use 1 to 64 of those characters, no spaces."};
    case Code::kUsernameDuplicateInFile:
      return {"An earlier row of the same file has this username; the first row is applied.",
              "Merge the rows into one."};
    case Code::kUserExists:
      return {"Action is Create but the user already exists.",
              "Write Update, or run with --upsert."};
    case Code::kUserNotFound:
      return {"Action is Update but no user has this username.",
              "Write Create, check the spelling, or run with --upsert."};
    case Code::kUserOtherFeed:
      return {"The user is managed by another feed, and only that feed's runs change it.",
              "Run without --feed, or release the user: roster feeds release FEED --user U "
              "--as ACTOR."};
    case Code::kEmailRequired:
      return {"The E-mail cell is blank.", "Give the user's e-mail address."};
    case Code::kEmailInvalid:
      return {
          "The e-mail address is not of the form name@example.com or is longer than 254 "
          "characters.",
          "Correct the address."};
    case Code::kEmailTaken:
      return {"Another user already has this e-mail address (compared without case).",
              "Give each user an address of its own, or change the other user first."};
    case Code::kTimezoneRequired:
      return {"The Timezone cell is blank.",
              "Write an IANA name such as Europe/Paris, or run with --default-timezone."};
    case Code::kTimezoneUnknown:
      return {"The time zone is not in the system's tz database.",
              "Write an IANA name such as America/New_York (`timedatectl list-timezones` "
              "lists them)."};
    case Code::kRoleRequired:
      return {"The Role cell is blank and the user has no role of another application.",
              "Name a role, by name or key (`roster roles export` lists them)."};
    case Code::kRoleUnknown:
      return {"No role of the directory has this name or key.",
              "Use a name or key from `roster roles export`, or create the role first with "
              "`roster roles import`."};
    case Code::kRoleNotAssignable:
      return {
          "The role ranks at or above the actor's own (a smaller hierarchy number), or "
          "belongs to an application the actor holds no role in.",
          "Choose a role ranked below yours, or ask someone who ranks higher."};
    case Code::kTargetOutranksActor:
      return {"The user already holds a role the actor may not manage.",
              "Leave the row out, or ask someone who ranks above that user."};
    case Code::kSelfModification:
      return {
          "The row changes the actor's own user or own role; nobody changes their own "
          "access.",
          "Ask another administrator."};
    case Code::kSourceUnknown:
      return {"No source has this external ID.",
              "Check the spelling against `roster sources export`, or add the source with "
              "`roster sources import`."};
    case Code::kSourceNotInRole:
      return {"The source is outside the scope of the user's role.",
              "Choose sources the role covers, or widen the role."};
    case Code::kSourceNotGrantable:
      return {"The actor does not have this source, and grants only sources it has.",
              "Leave the source out, or ask someone who has it."};
    case Code::kAllSourcesNotInRole:
      return {"Access all sources is 1 but the role covers a list of sources.",
              "Write 0 and list the sources, or choose a role with all sources."};
    case Code::kAllSourcesNotGrantable:
      return {"Access all sources is 1 but the actor does not have all sources.",
              "Write 0 and list sources you have."};
    case Code::kSalesChannelUnknown:
      return {"No sales channel has this external ID.",
              "Check the spelling against `roster sales-channels export`."};
    case Code::kSalesChannelNotInRole:
      return {"The sales channel is outside the scope of the user's role.",
              "Choose channels the role covers, or widen the role."};
    case Code::kSalesChannelNotGrantable:
      return {"The actor does not have this sales channel, and grants only channels it has.",
              "Leave the channel out, or ask someone who has it."};
    case Code::kAllSalesChannelsNotInRole:
      return {"Access all sales channels is 1 but the role covers a list of channels.",
              "Write 0 and list the channels, or choose a role with all channels."};
    case Code::kAllSalesChannelsNotGrantable:
      return {"Access all sales channels is 1 but the actor does not have all channels.",
              "Write 0 and list channels you have."};
    case Code::kDateInvalid:
      return {
          "A Start date or End date cell is neither empty nor a calendar date written "
          "YYYY-MM-DD.",
          "Write the date as 2026-12-24 (a spreadsheet may have turned it into 12/24/2026: "
          "format the column as text), or leave the cell empty for none."};
    case Code::kDateRangeInvalid:
      return {
          "The End date is not after the Start date. The End date is the first day "
          "without access, so a one-day contract starting 2026-12-24 ends 2026-12-25.",
          "Correct one of the two dates."};
    case Code::kRoleNameRequired:
      return {"The role's Name cell is blank.", "Every role needs a name."};
    case Code::kRoleNameInvalid:
      return {"The role name is longer than 100 characters or holds a comma.",
              "Shorten it and drop the comma."};
    case Code::kRoleKeyInvalid:
      return {
          "The role key has a character other than letters, digits and . _ - or is "
          "longer than 64.",
          "Use those characters, or leave Key empty."};
    case Code::kRoleKeyTaken:
      return {"Another role already has this key or name.", "Choose a key of its own."};
    case Code::kRoleExists:
      return {"Action is Create but the role exists.", "Write Update, or run with --upsert."};
    case Code::kRoleNotFound:
      return {"Action is Update but no role has this name.",
              "Write Create, or check the spelling."};
    case Code::kRoleDuplicateInFile:
      return {"An earlier row of the same file has this role.", "Merge the rows into one."};
    case Code::kHierarchyRequired:
      return {"The Hierarchy cell is blank.",
              "Write a whole number from 0 to 1000000; smaller ranks higher."};
    case Code::kHierarchyInvalid:
      return {"The hierarchy is not a whole number from 0 to 1000000.",
              "Write a whole number; smaller ranks higher."};
    case Code::kPermissionUnknown:
      return {"The permission key is not in the catalog.",
              "Use keys from templates/permissions.csv, or * for the whole catalog."};
    case Code::kPermissionNotGrantable:
      return {"The actor does not hold this permission, and grants only its own.",
              "Leave it out, or ask someone who holds it."};
    case Code::kRoleScopeInUse:
      return {
          "The change would narrow the role so that a user holding it falls outside its "
          "sources or channels.",
          "Change that user first (the message names one), then the role."};
    case Code::kApplicationUnknown:
      return {"The application is not in this directory, or not one roster knows.",
              "Write backoffice, store-app or api; `roster applications import` adds the "
              "store app and the API."};
    case Code::kApplicationExists:
      return {"Action is Create but the application exists.",
              "Write Update, or run with --upsert."};
    case Code::kApplicationNotFound:
      return {"Action is Update but the application is not in the directory.", "Write Create."};
    case Code::kApplicationDuplicateInFile:
      return {"An earlier row of the same file has this application.", "Merge the rows into one."};
    case Code::kRoleWrongApplication:
      return {"The role belongs to another application than the column it is in.",
              "Put back-office roles under Role, store-app roles under Store app role and "
              "API roles under API role."};
    case Code::kEmailRequiredForBackOffice:
      return {
          "A user with a back-office role needs an e-mail; only store-app or API users "
          "may have none.",
          "Give the e-mail address, or leave Role blank."};
    case Code::kExternalIdRequired:
      return {"The External ID cell is blank.", "Every source and sales channel needs one."};
    case Code::kExternalIdInvalid:
      return {
          "The external ID is longer than 64 characters or has a space, a comma or "
          "another character than letters, digits and . _ - : /.",
          "Use those characters only."};
    case Code::kExternalIdDuplicateInFile:
      return {"An earlier row of the same file has this external ID.", "Merge the rows into one."};
    case Code::kSourceExists:
      return {"Action is Create but the source exists.", "Write Update, or run with --upsert."};
    case Code::kSourceNotFound:
      return {"Action is Update but no source has this external ID.",
              "Write Create, or check the spelling."};
    case Code::kSourceTypeInvalid:
      return {"Type is not a source type.", "Write store, warehouse or other."};
    case Code::kSalesChannelExists:
      return {"Action is Create but the sales channel exists.",
              "Write Update, or run with --upsert."};
    case Code::kSalesChannelNotFound:
      return {"Action is Update but no sales channel has this external ID.",
              "Write Create, or check the spelling."};
    case Code::kNameRequired:
      return {"The Name cell is blank.", "Give a name."};
    case Code::kSourcesIgnoredWithAll:
      return {"Sources is filled in but Access all sources is 1, so the list is ignored.",
              "Clear Sources, or write 0 to keep the list."};
    case Code::kSalesChannelsIgnoredWithAll:
      return {
          "Sales channels is filled in but Access all sales channels is 1, so the list is "
          "ignored.",
          "Clear Sales channels, or write 0 to keep the list."};
    case Code::kSourceDuplicate:
      return {"A source is listed twice in one cell; it is stored once.",
              "Nothing to do; remove the repeat to silence the warning."};
    case Code::kSalesChannelDuplicate:
      return {"A sales channel is listed twice in one cell; it is stored once.",
              "Nothing to do; remove the repeat to silence the warning."};
    case Code::kPermissionDuplicate:
      return {"A permission is listed twice in one cell; it is stored once.",
              "Nothing to do; remove the repeat to silence the warning."};
    case Code::kNoSources:
      return {"Sources is blank and Access all sources is 0: the user has no source.",
              "List the user's sources, unless no source is what you mean."};
    case Code::kColumnUnknown:
      return {
          "A header column is not part of the template and is ignored (exports add Line "
          "and Errors to rejected-rows files).",
          "Nothing to do; delete the column or check its spelling if it should count."};
    case Code::kSyncSkipped:
      return {
          "A --sync run did not disable anyone missing from the feed, because some row "
          "could not be read with certainty (malformed, unreadable username) or "
          "--max-errors stopped the run.",
          "Fix the named line and run the snapshot again."};
    case Code::kSyncNotAllowed:
      return {
          "Users of the feed missing from the snapshot were left enabled because the "
          "actor may not change them (they rank at or above it).",
          "Run the feed as an actor ranked above them, or disable them by hand."};
  }
  return {"", ""};
}

}  // namespace roster
