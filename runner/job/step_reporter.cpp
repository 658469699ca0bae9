#include "runner/job/step_reporter.hpp"

#include <type_traits>

namespace pipeline::runner::job {

namespace {

// An output event grows to about this size before it is posted, whatever the read size.
constexpr std::size_t k_max_batch = 256 * 1024;

engine::AnnotationLevel to_level(output::Level level) {
  switch (level) {
    case output::Level::debug:
      return engine::AnnotationLevel::debug;
    case output::Level::notice:
      return engine::AnnotationLevel::notice;
    case output::Level::warning:
      return engine::AnnotationLevel::warning;
    case output::Level::error:
      return engine::AnnotationLevel::error;
  }
  return engine::AnnotationLevel::error;
}

engine::Annotation to_annotation(const output::event::Annotation& a) {
  engine::Annotation out;
  out.level = to_level(a.level);
  out.message = a.message;
  out.file = a.file.value_or("");
  out.line = a.line.value_or(0);
  out.column = a.column.value_or(0);
  out.title = a.title.value_or("");
  return out;
}

}  // namespace

void post_annotation(engine::Reporter& reporter, const std::string& job, const std::string& step, engine::Annotation annotation) {
  engine::Event event;
  event.kind = engine::EventKind::annotation;
  event.job = job;
  event.step = step;
  event.annotation = std::move(annotation);
  reporter.post(std::move(event));
}

void post_job_finished(engine::Reporter& reporter, const std::string& job, engine::NodeResult result) {
  engine::Event event;
  event.kind = engine::EventKind::job_finished;
  event.job = job;
  event.result = result;
  reporter.post(std::move(event));
}

void post_failed_job(engine::Reporter& reporter, const std::string& job, const std::string& message) {
  engine::Annotation a;
  a.level = engine::AnnotationLevel::error;
  a.message = message;
  post_annotation(reporter, job, "", std::move(a));
  post_job_finished(reporter, job, engine::NodeResult::failure);
}

StepReporter::StepReporter(engine::Reporter& reporter, output::Masker& masker, std::string job, std::string step,
                       output::CommandSettings settings, DebugLines debug)
    : m_reporter(reporter),
      m_job(std::move(job)),
      m_step(std::move(step)),
      m_debug(debug),
      m_chain(
          masker, settings, [this](Stream stream, output::CommandEvent event) { handle(stream, event); },
          [this] { return m_reporter.spare_text(); }) {}

void StepReporter::write(Stream stream, std::string_view bytes) {
  m_chain.write(stream, bytes);
  flush_lines();
}

void StepReporter::finish() {
  m_chain.finish();
  flush_lines();
}

// Lines of one chunk travel as one event: per-event costs (queue, timestamps, prefixes) are
// paid per read, not per line. Any other event flushes first, so order is kept. `lines` is one
// line without its end or, from the fast path, whole lines each ending in '\n'.
void StepReporter::add_lines(Stream stream, std::string lines) {
  if (!m_lines.empty() && (stream != m_lines_stream || m_lines.size() > k_max_batch)) {
    flush_lines();
  }
  m_lines_stream = stream;
  const bool terminated = !lines.empty() && lines.back() == '\n';
  if (m_lines.empty()) {
    m_lines = std::move(lines);  // a read's block of lines is not copied again
  } else {
    m_lines += lines;
  }
  if (!terminated) {
    m_lines += '\n';
  }
}

// Every line keeps its '\n', so trailing empty lines survive (renderers drop only the last).
void StepReporter::flush_lines() {
  if (m_lines.empty()) {
    return;
  }
  post(engine::EventKind::output, std::move(m_lines), m_lines_stream);
  m_lines.clear();
}

void StepReporter::post(engine::EventKind kind, std::string text, Stream stream) {
  engine::Event event;
  event.kind = kind;
  event.job = m_job;
  event.step = m_step;
  event.text = std::move(text);
  event.stream = stream;
  m_reporter.post(std::move(event));
}

void StepReporter::handle(Stream stream, output::CommandEvent& command) {
  namespace ev = output::event;
  // Display texts arrive masked; values meant as data (outputs, env) arrive as written.
  std::visit(
      [&](auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ev::Output>) {
          add_lines(stream, std::move(e.text));
          return;
        }
        flush_lines();
        if constexpr (std::is_same_v<T, ev::Output>) {
        } else if constexpr (std::is_same_v<T, ev::Group>) {
          post(engine::EventKind::group_start, e.title);
        } else if constexpr (std::is_same_v<T, ev::EndGroup>) {
          post(engine::EventKind::group_end, "");
        } else if constexpr (std::is_same_v<T, ev::Annotation>) {
          engine::Event event;
          event.kind = engine::EventKind::annotation;
          event.job = m_job;
          event.step = m_step;
          event.annotation = to_annotation(e);
          m_reporter.post(std::move(event));
        } else if constexpr (std::is_same_v<T, ev::Debug>) {
          if (m_debug == DebugLines::show) {
            post(engine::EventKind::output, "##[debug]" + e.message, stream);
          }
        } else if constexpr (std::is_same_v<T, ev::SetOutput>) {
          set_env(m_commands.outputs, e.name, e.value);
        } else if constexpr (std::is_same_v<T, ev::SaveState>) {
          set_env(m_commands.state, e.name, e.value);
        } else if constexpr (std::is_same_v<T, ev::SetEnv>) {
          set_env(m_commands.env, e.name, e.value);
        } else if constexpr (std::is_same_v<T, ev::AddPath>) {
          m_commands.paths.push_back(e.path);
        } else if constexpr (std::is_same_v<T, ev::RunnerMessage>) {
          engine::Event event;
          event.kind = engine::EventKind::annotation;
          event.job = m_job;
          event.step = m_step;
          event.annotation.level = to_level(e.level);
          event.annotation.message = e.message;
          m_reporter.post(std::move(event));
          m_commands.failed = m_commands.failed || e.fails_step;
        }
      },
      command);
}

}  // namespace pipeline::runner::job
