#include "core/stats/report.hpp"

#include <fmt/format.h>

#include "core/output/render.hpp"

namespace daoctl::stats {

std::optional<ReportKind> parse_report(std::string_view name) {
  if (name == "activity") return ReportKind::Activity;
  if (name == "events") return ReportKind::Events;
  if (name == "audit") return ReportKind::Audit;
  if (name == "awards") return ReportKind::Awards;
  return std::nullopt;
}

const char* to_string(ReportKind kind) noexcept {
  switch (kind) {
    case ReportKind::Activity: return "activity";
    case ReportKind::Events: return "events";
    case ReportKind::Audit: return "audit";
    case ReportKind::Awards: return "awards";
  }
  return "activity";
}

std::vector<ReportColumn> report_columns(ReportKind kind, GroupBy group_by) {
  switch (kind) {
    case ReportKind::Activity: {
      std::vector<ReportColumn> columns = {{"period", "period", CellType::Text},
                                           {"period_start", "period_start (UTC)", CellType::Timestamp}};
      if (group_by == GroupBy::Department) {
        columns.push_back({"department_id", "department_id", CellType::Text});
        columns.push_back({"department", "department", CellType::Text});
      }
      if (group_by == GroupBy::User) columns.push_back({"user_id", "user_id", CellType::Text});
      for (const char* counter : {"active_users", "logins", "posts", "comments", "reactions", "views"})
        columns.push_back({counter, counter, CellType::Integer});
      return columns;
    }
    case ReportKind::Events:
      return {{"event_id", "event_id", CellType::Text},   {"title", "title", CellType::Text},
              {"starts_at", "starts_at (UTC)", CellType::Timestamp}, {"invited", "invited", CellType::Integer},
              {"going", "going", CellType::Integer},      {"maybe", "maybe", CellType::Integer},
              {"declined", "declined", CellType::Integer}, {"pending", "pending", CellType::Integer}};
    case ReportKind::Audit:
      return {{"id", "id", CellType::Text},
              {"at", "at (UTC)", CellType::Timestamp},
              {"actor", "actor", CellType::Text},
              {"action", "action", CellType::Text},
              {"object_type", "object_type", CellType::Text},
              {"object_id", "object_id", CellType::Text},
              {"ip", "ip", CellType::Text},
              {"details", "details", CellType::Json}};
    case ReportKind::Awards:
      return {{"period", "period", CellType::Text},
              {"period_start", "period_start (UTC)", CellType::Timestamp},
              {"badge_id", "badge_id", CellType::Text},
              {"badge_name", "badge_name", CellType::Text},
              {"awarded", "awarded", CellType::Integer}};
  }
  return {};
}

std::string cell_text(const json& row, const ReportColumn& column) {
  auto it = row.find(column.key);
  if (it == row.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

namespace {

std::string scope_json(const ReportScope& scope) {
  json head = {{"report", to_string(scope.kind)},
               {"time_zone", "UTC"},
               {"from", format_rfc3339(scope.range.from)},
               {"to", format_rfc3339(scope.range.to)},
               {"generated_at", scope.generated_at}};
  if (scope.kind == ReportKind::Activity) {
    head["granularity"] = to_string(scope.granularity);
    head["group_by"] = to_string(scope.group_by);
  }
  if (scope.kind == ReportKind::Awards) head["granularity"] = to_string(scope.granularity);
  auto text = head.dump();
  text.pop_back();  // reopened to append "rows"
  return text;
}

class CsvWriter : public ReportWriter {
 public:
  CsvWriter(std::ostream& out, bool excel_bom) : out_(out), excel_bom_(excel_bom) {}
  void begin(const ReportScope&, const std::vector<ReportColumn>& columns) override {
    columns_ = columns;
    if (excel_bom_) out_ << "\xEF\xBB\xBF";
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i) out_ << ',';
      out_ << output::csv_field(columns_[i].header);
    }
    out_ << "\r\n";
  }
  void row(const json& item) override {
    line_.clear();
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i) line_ += ',';
      const auto& c = columns_[i];
      auto it = item.find(c.key);
      if (c.type == CellType::Integer && it != item.end() && it->is_number_integer())
        line_ += it->dump();
      else
        output::append_csv_field(line_, cell_text(item, c));
    }
    line_ += "\r\n";
    out_ << line_;
  }
  bool takes_cells() const override { return true; }
  void row_cells(const std::vector<CellView>& cells) override {
    line_.clear();
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) line_ += ',';
      if (cells[i].bare) line_ += cells[i].text;
      else output::append_csv_field(line_, cells[i].text);
    }
    line_ += "\r\n";
    out_ << line_;
  }
  void end() override { out_.flush(); }

 private:
  std::ostream& out_;
  bool excel_bom_;
  std::vector<ReportColumn> columns_;
  std::string line_;
};

class JsonWriter : public ReportWriter {
 public:
  explicit JsonWriter(std::ostream& out) : out_(out) {}
  void begin(const ReportScope& scope, const std::vector<ReportColumn>&) override {
    out_ << scope_json(scope) << ",\"rows\":[";
    first_ = true;
  }
  void row(const json& item) override {
    out_ << (first_ ? "\n" : ",\n") << item.dump();
    first_ = false;
  }
  void end() override {
    out_ << (first_ ? "]}\n" : "\n]}\n");
    out_.flush();
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

class NdjsonWriter : public ReportWriter {
 public:
  explicit NdjsonWriter(std::ostream& out) : out_(out) {}
  void begin(const ReportScope&, const std::vector<ReportColumn>&) override {}
  void row(const json& item) override { out_ << item.dump() << '\n'; }
  void end() override { out_.flush(); }

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_csv_writer(std::ostream& out, bool excel_bom) {
  return std::make_unique<CsvWriter>(out, excel_bom);
}
std::unique_ptr<ReportWriter> make_json_writer(std::ostream& out) { return std::make_unique<JsonWriter>(out); }
std::unique_ptr<ReportWriter> make_ndjson_writer(std::ostream& out) { return std::make_unique<NdjsonWriter>(out); }

std::string prometheus_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string prometheus_sample(std::string_view name, const std::vector<std::pair<std::string, std::string>>& labels,
                              std::int64_t value) {
  std::string line(name);
  if (!labels.empty()) {
    line += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i) line += ',';
      line += labels[i].first;
      line += "=\"";
      line += prometheus_label_value(labels[i].second);
      line += '"';
    }
    line += '}';
  }
  line += ' ';
  line += std::to_string(value);
  line += '\n';
  return line;
}

std::vector<PrometheusFamily> prometheus_families(ReportKind kind) {
  switch (kind) {
    case ReportKind::Activity:
      return {{"daoffice_activity_active_users", "Distinct users active in the period (DAU/WAU/MAU)."},
              {"daoffice_activity_logins", "Logins in the period."},
              {"daoffice_activity_posts", "Posts published in the period."},
              {"daoffice_activity_comments", "Comments written in the period."},
              {"daoffice_activity_reactions", "Reactions given in the period."},
              {"daoffice_activity_views", "Content views in the period."}};
    case ReportKind::Events:
      return {{"daoffice_event_invited", "Invitations sent for the event."},
              {"daoffice_event_going", "Invitees who answered going."},
              {"daoffice_event_maybe", "Invitees who answered maybe."},
              {"daoffice_event_declined", "Invitees who declined."},
              {"daoffice_event_pending", "Invitees who have not answered."}};
    case ReportKind::Audit:
      return {{"daoffice_audit_actions", "Administrative actions in the range, by action."}};
    case ReportKind::Awards:
      return {{"daoffice_badges_awarded", "Badges awarded in the period, by badge."}};
  }
  return {};
}

namespace {
std::int64_t int_member(const json& row, const char* key) {
  auto it = row.find(key);
  return it != row.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}
}  // namespace

std::vector<std::string> prometheus_row_samples(const ReportScope& scope, const json& row) {
  std::vector<std::string> samples;
  auto families = prometheus_families(scope.kind);
  std::vector<std::pair<std::string, std::string>> labels;
  switch (scope.kind) {
    case ReportKind::Activity: {
      labels = {{"granularity", to_string(scope.granularity)}, {"period", cell_text(row, {"period", "", {}})}};
      if (scope.group_by == GroupBy::Department) {
        labels.push_back({"department_id", cell_text(row, {"department_id", "", {}})});
        labels.push_back({"department", cell_text(row, {"department", "", {}})});
      }
      if (scope.group_by == GroupBy::User) labels.push_back({"user_id", cell_text(row, {"user_id", "", {}})});
      const char* keys[] = {"active_users", "logins", "posts", "comments", "reactions", "views"};
      for (std::size_t i = 0; i < families.size(); ++i)
        samples.push_back(prometheus_sample(families[i].name, labels, int_member(row, keys[i])));
      return samples;
    }
    case ReportKind::Events: {
      labels = {{"event_id", cell_text(row, {"event_id", "", {}})},
                {"title", cell_text(row, {"title", "", {}})},
                {"starts_at", cell_text(row, {"starts_at", "", {}})}};
      const char* keys[] = {"invited", "going", "maybe", "declined", "pending"};
      for (std::size_t i = 0; i < families.size(); ++i)
        samples.push_back(prometheus_sample(families[i].name, labels, int_member(row, keys[i])));
      return samples;
    }
    case ReportKind::Audit: samples.push_back(cell_text(row, {"action", "", {}})); return samples;
    case ReportKind::Awards:
      labels = {{"granularity", to_string(scope.granularity)},
                {"period", cell_text(row, {"period", "", {}})},
                {"badge_id", cell_text(row, {"badge_id", "", {}})},
                {"badge_name", cell_text(row, {"badge_name", "", {}})}};
      samples.push_back(prometheus_sample(families[0].name, labels, int_member(row, "awarded")));
      return samples;
  }
  return samples;
}

}  // namespace daoctl::stats
