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

// One JSON object per line, for log shippers: time (UTC), level, pid, message.
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
    line += R"(","pid":)" + std::to_string(::getpid()) + R"(,"message":")";
    for (char ch : std::string_view(msg.payload.data(), msg.payload.size())) {
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
    line += "\"}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
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
    logger->set_pattern("%Y-%m-%dT%H:%M:%S%z roster[%P] %l: %v");
  }
  bool persistent = !options.file.empty() || options.syslog;
  logger->set_level(persistent ? std::min(stderr_level, persistent_level) : stderr_level);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void reset_logging() {
  auto logger = std::make_shared<spdlog::logger>(
      "roster", std::make_shared<spdlog::sinks::ostream_sink_mt>(std::cerr));
  logger->set_level(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace roster
