// The terminal's guard: a failed stream is never written again, and the run hears of it once.
#include <catch2/catch.hpp>

#include <csignal>
#include <sstream>

#include "runner/engine/interruption.hpp"
#include "runner/engine/output_guard.hpp"

using namespace pipeline::runner::engine;

namespace {

/// Counts what reaches it and writes each event's text to the stream, as a terminal sink does.
class CountingSink final : public EventSink {
public:
  explicit CountingSink(std::ostream& out, int& handled) : m_out(out), m_handled(handled) {}
  void handle(const Event& event) override {
    ++m_handled;
    m_out << event.text << '\n';
  }

private:
  std::ostream& m_out;
  int& m_handled;
};

Event notice(const std::string& text) {
  Event event;
  event.text = text;
  return event;
}

}  // namespace

TEST_CASE("OutputGuard stops writing once its stream fails and says so once", "[engine][signals]") {
  std::ostringstream out;
  int handled = 0;
  int closed = 0;
  OutputGuard guard(std::make_unique<CountingSink>(out, handled), out, [&closed] { ++closed; });
  guard.handle(notice("one"));
  guard.flush();
  CHECK(handled == 1);
  CHECK_FALSE(guard.closed());
  out.setstate(std::ios::badbit);  // what a write to a closed pipe leaves behind
  guard.handle(notice("two"));
  CHECK(guard.closed());
  guard.handle(notice("three"));
  guard.flush();
  guard.finish();
  CHECK(handled == 2);
  CHECK(closed == 1);
  CHECK(out.str() == "one\n");
}

TEST_CASE("the first interruption names the exit code; later ones only cancel", "[engine][signals]") {
  Interruption interruption;
  CHECK(interruption.exit_code() == 130);
  CHECK(interruption.interrupt(SIGHUP));
  CHECK_FALSE(interruption.interrupt(SIGINT));
  CHECK(interruption.cancel().cancelled());
  CHECK_FALSE(interruption.hard().cancelled());
  CHECK(interruption.exit_code() == 129);
}
