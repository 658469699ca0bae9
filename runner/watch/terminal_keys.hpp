#pragma once
// `q` on a terminal while watching: standard input in non-canonical mode without echo for as
// long as this lives, restored when it ends and around a stop (Ctrl-Z).
#include <termios.h>

namespace pipeline::runner::watch {

/// Keys the user presses while watching.
class KeyInput {
public:
  virtual ~KeyInput() = default;
  /// Readable when keys are waiting; -1 when there is no input to read.
  [[nodiscard]] virtual int fd() const = 0;
  /// Reads the keys waiting; true when one of them asks to quit.
  [[nodiscard]] virtual bool quit_pressed() = 0;
};

/// Standard input when it is the foreground process's terminal; otherwise no input at all.
/// One at a time per process (the stop and continue handlers are process-wide).
class TerminalKeys final : public KeyInput {
public:
  explicit TerminalKeys(int fd);
  ~TerminalKeys() override;
  TerminalKeys(const TerminalKeys&) = delete;
  TerminalKeys& operator=(const TerminalKeys&) = delete;

  [[nodiscard]] int fd() const override { return m_fd; }
  [[nodiscard]] bool quit_pressed() override;

private:
  int m_fd = -1;
};

}  // namespace pipeline::runner::watch
