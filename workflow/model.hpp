#pragma once
// The typed model of a workflow and of an action manifest. Plain structs; every piece keeps
// where it came from so later passes (validation, planning, running) can point at the source.
//
// Values that GitHub evaluates late (env, with, matrix, outputs, runs-on, ...) stay `Node`s:
// a YAML value independent of yaml-cpp, typed as GitHub types it, with its location.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "workflow/diagnostic.hpp"

namespace pipeline::workflow {

/// A value together with where it was written.
template <class T>
struct Located {
  T value{};
  SourceLocation where;
};

struct NodeEntry;

/// A YAML value after anchors, aliases and merge keys are resolved.
struct Node {
  enum class Kind { null, boolean, number, string, sequence, mapping };
  Kind kind = Kind::null;
  std::string scalar;              // the scalar's text as written (boolean/number/string)
  std::vector<Node> items;         // sequence elements
  std::vector<NodeEntry> entries;  // mapping entries, in source order
  SourceLocation where;

  [[nodiscard]] bool is_null() const { return kind == Kind::null; }
  [[nodiscard]] bool is_scalar() const {
    return kind == Kind::boolean || kind == Kind::number || kind == Kind::string;
  }
  [[nodiscard]] bool is_mapping() const { return kind == Kind::mapping; }
  [[nodiscard]] bool is_sequence() const { return kind == Kind::sequence; }
  /// The entry with this exact key, or nullptr.
  [[nodiscard]] const Node* find(std::string_view key) const;
  /// Where the key of the entry `key` is written; unknown (line 0) when there is none.
  [[nodiscard]] SourceLocation key_location(std::string_view key) const;
};

/// One `key: value` of a mapping.
struct NodeEntry {
  std::string key;
  SourceLocation key_where;
  Node value;
};

/// `branches`, `tags`, `paths` (and their `-ignore`), `types` of one trigger.
/// An absent filter is nullopt; `branches: []` is an empty vector (matches nothing).
struct EventFilters {
  std::optional<std::vector<Located<std::string>>> branches, branches_ignore;
  std::optional<std::vector<Located<std::string>>> tags, tags_ignore;
  std::optional<std::vector<Located<std::string>>> paths, paths_ignore;
  std::optional<std::vector<Located<std::string>>> types;
  std::optional<std::vector<Located<std::string>>> workflows;  // workflow_run
  std::optional<std::vector<Located<std::string>>> names, versions;  // image_version
};

/// An input of `workflow_dispatch` or `workflow_call`.
struct InputSpec {
  std::string name;
  std::string description;
  std::string type = "string";  // string | boolean | number | choice | environment
  bool required = false;
  std::optional<Node> default_value;
  std::vector<std::string> options;  // choice
  SourceLocation where;
};

/// A secret declared by `workflow_call`.
struct SecretSpec {
  std::string name;
  std::string description;
  bool required = false;
  SourceLocation where;
};

/// An output declared by `workflow_call` (or by an action).
struct OutputSpec {
  std::string name;
  std::string description;
  std::optional<Node> value;
  SourceLocation where;
};

/// One event under `on:`.
struct Trigger {
  Located<std::string> event;
  EventFilters filters;
  std::vector<InputSpec> inputs;          // workflow_dispatch, workflow_call
  std::vector<SecretSpec> secrets;        // workflow_call
  std::vector<OutputSpec> outputs;        // workflow_call
  std::vector<Located<std::string>> crons;  // schedule
  std::vector<Located<std::string>> timezones;  // schedule: each entry's `timezone`, where one is given
};

/// `defaults.run`.
struct RunDefaults {
  std::optional<Located<std::string>> shell;
  std::optional<Located<std::string>> working_directory;
};

/// `concurrency` as a string (group) or a map.
struct Concurrency {
  Node group;
  std::optional<Node> cancel_in_progress;
  SourceLocation where;
};

/// `container:` of a job, or one entry of `services:`.
struct Container {
  Node image;  // a string, possibly an expression; null when `container` itself is an expression
  std::optional<Node> credentials;  // {username, password}
  std::optional<Node> env;          // mapping
  std::vector<Located<std::string>> ports;
  std::vector<Located<std::string>> volumes;
  std::optional<Located<std::string>> options;
  std::optional<Node> entrypoint;  // services only: a string or a list of strings
  std::optional<Node> command;     // services only: a string or a list of strings
  Node raw;  // the whole value as written (string form or expression form)
  SourceLocation where;
};

/// `strategy:`.
struct Strategy {
  Node matrix;  // mapping (with include/exclude) or an expression string
  std::optional<Node> fail_fast;
  std::optional<Node> max_parallel;
  SourceLocation where;
};

/// One entry of `steps:` (of a job or of a composite action).
struct Step {
  std::size_t index = 0;  // position in its steps list, 0-based
  std::optional<Located<std::string>> id;
  std::optional<Located<std::string>> name;
  std::optional<Located<std::string>> if_condition;
  std::optional<Located<std::string>> uses;
  std::optional<Located<std::string>> run;
  std::optional<Located<std::string>> shell;
  std::optional<Located<std::string>> working_directory;
  std::optional<Node> with;  // mapping
  std::optional<Node> env;   // mapping
  std::optional<Node> continue_on_error;
  std::optional<Node> timeout_minutes;
  bool background = false;                   // `background: true`, or a member of a `parallel` group
  std::vector<Located<std::string>> wait;    // `wait:` ids of earlier background steps
  std::vector<std::size_t> wait_indices;     // the closing wait of a `parallel` group: its members
  std::optional<SourceLocation> wait_all;    // where `wait-all` is written
  std::optional<Located<std::string>> cancel;
  std::optional<SourceLocation> parallel;    // where the `parallel` group this step came from starts
  SourceLocation where;

  /// Whether the step only waits for or cancels background steps instead of running anything.
  [[nodiscard]] bool is_control() const { return !wait.empty() || !wait_indices.empty() || wait_all || cancel; }
};

/// One entry of `jobs:`.
struct Job {
  Located<std::string> id;
  std::optional<Located<std::string>> name;
  std::vector<Located<std::string>> needs;
  std::optional<Located<std::string>> if_condition;
  std::optional<Node> runs_on;  // string, sequence, or {group, labels}
  std::optional<Node> environment;
  std::optional<Node> outputs;  // mapping
  std::optional<Node> env;      // mapping
  RunDefaults defaults;
  std::optional<Node> timeout_minutes;
  std::optional<Node> cancel_timeout_minutes;  // how long cancelling may take (GitHub's default: 5)
  std::optional<Node> continue_on_error;
  std::optional<Node> snapshot;  // image name, or {image-name, if, version}: GitHub images only
  std::optional<Strategy> strategy;
  std::optional<Container> container;
  std::vector<std::pair<std::string, Container>> services;
  std::optional<Node> services_expression;  // `services: ${{ ... }}`: evaluated when the job starts
  std::vector<Step> steps;
  std::optional<Concurrency> concurrency;
  std::optional<Node> permissions;
  SourceLocation permissions_key;  // where `permissions:` is written, for errors about it
  // Reusable-workflow call.
  std::optional<Located<std::string>> uses;
  std::optional<Node> with;
  std::optional<Node> secrets;  // mapping; see secrets_inherit
  bool secrets_inherit = false;
  SourceLocation where;
};

/// A parsed workflow file.
struct Workflow {
  std::string path;    // as given to the loader
  std::string source;  // the file's text, for diagnostics
  std::optional<Located<std::string>> name;
  std::optional<Located<std::string>> run_name;
  std::optional<Located<std::string>> description;
  std::vector<Trigger> on;
  std::optional<Node> env;
  RunDefaults defaults;
  std::optional<Concurrency> concurrency;
  std::optional<Node> permissions;
  SourceLocation permissions_key;  // where `permissions:` is written, for errors about it
  std::vector<Job> jobs;  // in source order

  [[nodiscard]] const Job* find_job(std::string_view id) const;
  [[nodiscard]] const Trigger* find_trigger(std::string_view event) const;
  /// `name:` or, as GitHub shows it, the file's path.
  [[nodiscard]] std::string display_name() const;
};

/// An input of an action.
struct ActionInput {
  std::string name;
  std::string description;
  bool required = false;
  std::optional<Node> default_value;
  std::optional<std::string> deprecation_message;
  SourceLocation where;
};

/// `runs:` of an action.
struct ActionRuns {
  Located<std::string> using_;  // composite | node12 | node16 | node20 | node24 | docker
  // JavaScript
  std::optional<Located<std::string>> main, pre, post, pre_if, post_if;
  // Composite
  std::vector<Step> steps;
  // Docker
  std::optional<Located<std::string>> image, entrypoint, pre_entrypoint, post_entrypoint;
  std::optional<Node> args;  // sequence
  std::optional<Node> env;   // mapping
};

/// A parsed `action.yml` / `action.yaml`.
struct ActionManifest {
  std::string path;
  std::string source;
  std::string name;
  std::string description;
  std::string author;
  std::vector<ActionInput> inputs;
  std::vector<OutputSpec> outputs;
  ActionRuns runs;
  std::optional<Node> branding;
};

}  // namespace pipeline::workflow
