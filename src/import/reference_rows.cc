// The reference-data templates: sources, sales channels and applications. Each
// checks one row against the directory as changed so far, then saves and
// audits it.

#include "import/reference_handler.h"

namespace roster {
namespace {

class SourceHandler : public ReferenceHandler {
 public:
  using ReferenceHandler::ReferenceHandler;
  const TemplateColumns& columns() const override { return source_columns(); }
  std::string identity_column() const override { return std::string(col::kExternalId); }

  Status handle(const RowView& row, const ParsedRow* /*parsed*/, RowIssues& issues,
                RowOutcome& outcome) override {
    SourceRow in;
    parse_source_row(row, in, issues, context_.validate);
    outcome.identity = in.external_id;
    if (!issues.ok() || !first_in_file(row, col::kExternalId, in.external_id,
                                       Code::kExternalIdDuplicateInFile, issues)) {
      return Status::ok();
    }
    const Source* existing = dir_.source_by_external_id(in.external_id);
    if (!resolve_action(row, in.action, existing != nullptr, col::kExternalId, in.external_id,
                        Code::kSourceExists, Code::kSourceNotFound, issues)) {
      return Status::ok();
    }
    Source after = existing ? *existing : Source{};
    after.external_id = in.external_id;
    after.name = in.name;
    after.type = in.type;
    after.enabled = in.enabled;
    bool creating = existing == nullptr;
    std::vector<FieldChange> changes;
    if (creating) changes.push_back({std::string(col::kExternalId), "", in.external_id});
    field(changes, creating, col::kName, existing ? existing->name : "", after.name);
    field(changes, creating, col::kType, existing ? existing->type : "", after.type);
    field(changes, creating, col::kEnabled, existing ? flag_text(existing->enabled) : "",
          flag_text(after.enabled));
    if (changes.empty()) {
      outcome.kind = RowOutcome::Kind::kUnchanged;
      return Status::ok();
    }
    Status st = dir_.save_source(after);
    if (st.is_ok()) st = audit("source", after.external_id, creating, changes);
    outcome.kind = creating ? RowOutcome::Kind::kCreated : RowOutcome::Kind::kUpdated;
    outcome.changes = std::move(changes);
    return st;
  }
};

class ChannelHandler : public ReferenceHandler {
 public:
  using ReferenceHandler::ReferenceHandler;
  const TemplateColumns& columns() const override { return channel_columns(); }
  std::string identity_column() const override { return std::string(col::kExternalId); }

  Status handle(const RowView& row, const ParsedRow* /*parsed*/, RowIssues& issues,
                RowOutcome& outcome) override {
    ChannelRow in;
    parse_channel_row(row, in, issues, context_.validate);
    outcome.identity = in.external_id;
    if (!issues.ok() || !first_in_file(row, col::kExternalId, in.external_id,
                                       Code::kExternalIdDuplicateInFile, issues)) {
      return Status::ok();
    }
    const SalesChannel* existing = dir_.channel_by_external_id(in.external_id);
    if (!resolve_action(row, in.action, existing != nullptr, col::kExternalId, in.external_id,
                        Code::kSalesChannelExists, Code::kSalesChannelNotFound, issues)) {
      return Status::ok();
    }
    SalesChannel after = existing ? *existing : SalesChannel{};
    after.external_id = in.external_id;
    after.name = in.name;
    bool creating = existing == nullptr;
    std::vector<FieldChange> changes;
    if (creating) changes.push_back({std::string(col::kExternalId), "", in.external_id});
    field(changes, creating, col::kName, existing ? existing->name : "", after.name);
    if (changes.empty()) {
      outcome.kind = RowOutcome::Kind::kUnchanged;
      return Status::ok();
    }
    Status st = dir_.save_channel(after);
    if (st.is_ok()) st = audit("sales-channel", after.external_id, creating, changes);
    outcome.kind = creating ? RowOutcome::Kind::kCreated : RowOutcome::Kind::kUpdated;
    outcome.changes = std::move(changes);
    return st;
  }
};

// The applications roster knows (backoffice, store-app, api): their names, and
// which of them the directory has.
class ApplicationHandler : public ReferenceHandler {
 public:
  using ReferenceHandler::ReferenceHandler;
  const TemplateColumns& columns() const override { return application_columns(); }
  std::string identity_column() const override { return std::string(col::kKey); }

  Status handle(const RowView& row, const ParsedRow* /*parsed*/, RowIssues& issues,
                RowOutcome& outcome) override {
    ApplicationRow in;
    parse_application_row(row, in, issues, context_.validate);
    outcome.identity = in.key;
    if (!issues.ok() ||
        !first_in_file(row, col::kKey, in.key, Code::kApplicationDuplicateInFile, issues)) {
      return Status::ok();
    }
    const Application* existing = dir_.application_by_key(in.key);
    if (!resolve_action(row, in.action, existing != nullptr, col::kKey, in.key,
                        Code::kApplicationExists, Code::kApplicationNotFound, issues)) {
      return Status::ok();
    }
    Application after = existing ? *existing : Application{};
    after.key = in.key;
    after.name = in.name;
    bool creating = existing == nullptr;
    std::vector<FieldChange> changes;
    if (creating) changes.push_back({std::string(col::kKey), "", in.key});
    field(changes, creating, col::kName, existing ? existing->name : "", after.name);
    if (changes.empty()) {
      outcome.kind = RowOutcome::Kind::kUnchanged;
      return Status::ok();
    }
    Status st = dir_.save_application(after);
    if (st.is_ok()) st = audit("application", after.key, creating, changes);
    outcome.kind = creating ? RowOutcome::Kind::kCreated : RowOutcome::Kind::kUpdated;
    outcome.changes = std::move(changes);
    return st;
  }
};

}  // namespace

std::unique_ptr<RowHandler> make_source_handler(Directory& dir, const Actor& actor,
                                                const JobContext& context) {
  return std::make_unique<SourceHandler>(dir, actor, context);
}

std::unique_ptr<RowHandler> make_channel_handler(Directory& dir, const Actor& actor,
                                                 const JobContext& context) {
  return std::make_unique<ChannelHandler>(dir, actor, context);
}

std::unique_ptr<RowHandler> make_application_handler(Directory& dir, const Actor& actor,
                                                     const JobContext& context) {
  return std::make_unique<ApplicationHandler>(dir, actor, context);
}

}  // namespace roster
