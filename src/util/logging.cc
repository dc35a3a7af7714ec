#include "util/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>
#include <unistd.h>

#include <ctime>
#include <iostream>
#include <stdexcept>

namespace roster {
namespace {

// log_event's fields ride in the payload after the message, each as
// kField key kValue type value, type 'n' (a number) or 's' (a text); the
// formatters below take them apart. Neither byte is ever in a message.
constexpr char kField = '\x1f';
constexpr char kValue = '\x1e';

struct Field {
  std::string_view key, value;
  bool number;
};

// The message, and its fields if log_event wrote it.
std::string_view split_payload(std::string_view payload, std::vector<Field>& fields) {
  size_t at = payload.find(kField);
  std::string_view message = payload.substr(0, at);
  while (at != std::string_view::npos) {
    size_t next = payload.find(kField, at + 1);
    std::string_view item =
        payload.substr(at + 1, next == std::string_view::npos ? next : next - at - 1);
    size_t sep = item.find(kValue);
    if (sep != std::string_view::npos && sep + 1 < item.size()) {
      fields.push_back({item.substr(0, sep), item.substr(sep + 2), item[sep + 1] == 'n'});
    }
    at = next;
  }
  return message;
}

void append_json_string(std::string& line, std::string_view text) {
  line += '"';
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      line += '\\';
      line += ch;
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      line += esc;
    } else {
      line += ch;
    }
  }
  line += '"';
}

// One JSON object per line, for log shippers: time (UTC), level, pid,
// message, and the event's fields as keys of their own.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::time_t t = std::chrono::system_clock::to_time_t(msg.time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string line = R"({"time":")";
    line += when;
    line += R"(","level":")";
    auto level = spdlog::level::to_string_view(msg.level);
    line.append(level.data(), level.size());
    line += R"(","pid":)" + std::to_string(::getpid()) + R"(,"message":)";
    std::vector<Field> fields;
    append_json_string(line, split_payload({msg.payload.data(), msg.payload.size()}, fields));
    for (const Field& f : fields) {
      line += ',';
      append_json_string(line, f.key);
      line += ':';
      if (f.number) {
        line += f.value;
      } else {
        append_json_string(line, f.value);
      }
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// The text log: spdlog's pattern, with an event's fields as key=value after
// the message (a text with a space or a quote in quotes).
class TextFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::vector<Field> fields;
    std::string text(split_payload({msg.payload.data(), msg.payload.size()}, fields));
    for (const Field& f : fields) {
      bool quote =
          !f.number && (f.value.empty() || f.value.find_first_of(" \"=") != std::string_view::npos);
      text +=
          fmt::format(" {}={}", f.key, quote ? fmt::format("{:?}", f.value) : std::string(f.value));
    }
    spdlog::details::log_msg copy = msg;
    copy.payload = text;
    pattern_.format(copy, dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextFormatter>();
  }

 private:
  spdlog::pattern_formatter pattern_{"%Y-%m-%dT%H:%M:%S%z roster[%P] %l: %v"};
};

spdlog::level::level_enum parse_level(const std::string& name) {
  auto level = spdlog::level::from_str(name);
  if (level == spdlog::level::off && name != "off") {
    throw std::invalid_argument("--log-level must be trace, debug, info, warn, error or off");
  }
  return level;
}

}  // namespace

void setup_logging(const LogOptions& options, std::ostream& err) {
  auto stderr_level = parse_level(options.level);
  if (options.quiet && !options.level_given) stderr_level = spdlog::level::err;
  auto persistent_level = std::min(stderr_level, spdlog::level::info);

  std::vector<spdlog::sink_ptr> sinks;
  auto console = std::make_shared<spdlog::sinks::ostream_sink_mt>(err);
  console->set_level(stderr_level);
  sinks.push_back(console);
  if (!options.file.empty()) {
    auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        options.file, options.max_size_bytes, options.max_files);
    file->set_level(persistent_level);
    sinks.push_back(file);
  }
  if (options.syslog) {
    auto sys = std::make_shared<spdlog::sinks::syslog_sink_mt>("roster", LOG_PID, LOG_USER, false);
    sys->set_level(persistent_level);
    sinks.push_back(sys);
  }
  auto logger = std::make_shared<spdlog::logger>("roster", sinks.begin(), sinks.end());
  if (options.json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(std::make_unique<TextFormatter>());
  }
  bool persistent = !options.file.empty() || options.syslog;
  logger->set_level(persistent ? std::min(stderr_level, persistent_level) : stderr_level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void log_event(spdlog::level::level_enum level, std::string_view message,
               std::initializer_list<LogField> fields) {
  if (!spdlog::default_logger_raw()->should_log(level)) return;
  std::string payload(message);
  for (const LogField& f : fields) {
    const auto* text = std::get_if<std::string_view>(&f.value);
    if (text && text->empty()) continue;
    payload += kField;
    payload += f.key;
    payload += kValue;
    if (const int64_t* n = std::get_if<int64_t>(&f.value)) {
      payload += 'n' + std::to_string(*n);
    } else {
      payload += 's';
      for (char c : std::get<std::string_view>(f.value)) {
        payload += c == kField || c == kValue ? '?' : c;
      }
    }
  }
  spdlog::default_logger_raw()->log(level, std::string_view(payload));
}

void reset_logging() {
  auto logger = std::make_shared<spdlog::logger>(
      "roster", std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cerr));
  logger->set_level(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace roster
