#pragma once
// Where a command's words go: stdout carries data (results, --json), stderr carries what people
// read (progress, warnings, --verbose steps). Colour only on a TTY and never with NO_COLOR.
#include <cstdio>
#include <string>
#include <string_view>

namespace stratus::ui {

struct OutputOptions {
  bool json = false;     // --json: stdout holds one JSON document; human chatter stays on stderr
  bool verbose = false;  // --verbose: print each step with its timing
  bool color = false;    // already decided from --no-color, NO_COLOR and isatty
};

class Output {
 public:
  explicit Output(OutputOptions options, std::FILE* data = stdout, std::FILE* human = stderr)
      : m_options(options), m_data(data), m_human(human) {}

  const OutputOptions& options() const { return m_options; }
  bool json() const { return m_options.json; }
  bool color() const { return m_options.color; }
  // True when stderr is a terminal (progress bars redraw in place only then).
  bool interactive() const;

  void data(std::string_view text);     // stdout, as is
  void info(std::string_view text);     // stderr line
  void warning(std::string_view text);  // "stratus: warning: ..." on stderr
  void verbose(std::string_view text);  // stderr line, only with --verbose
  std::FILE* human_stream() const { return m_human; }

  // Colour helpers: the text wrapped in an ANSI style when colour is on.
  std::string bold(std::string_view s) const;
  std::string dim(std::string_view s) const;
  std::string green(std::string_view s) const;
  std::string yellow(std::string_view s) const;

 private:
  std::string style(const char* code, std::string_view s) const;

  OutputOptions m_options;
  std::FILE* m_data;
  std::FILE* m_human;
};

// Whether colour should be used on `stream`: not when no_color_flag, not when NO_COLOR is set
// (to anything), not when the stream is not a terminal.
bool should_color(bool no_color_flag, std::FILE* stream);

}  // namespace stratus::ui
