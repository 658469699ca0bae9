// `pipe completion bash|zsh|fish`: the scripts name every subcommand and option `--help` shows,
// each shell parses its script, and completing through the scripts offers subcommands, options,
// choices, workflow files and the repository's job ids.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "support/files.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using pipeline::test::read_file;
using pipeline::test::run_process;
using pipeline::test::TempDir;
using pipeline::test::write_file;

namespace {

/// What `pipe <path> --help` shows: its subcommands and option names.
struct HelpTable {
  std::vector<std::string> subcommands;
  std::vector<std::string> options;
};

/// The first words of the lines in `section` ("Options:") of a CLI11 help text.
std::vector<std::string> section_words(const std::string& help, const std::string& section) {
  std::vector<std::string> words;
  const auto start = help.find("\n" + section + "\n");
  if (start == std::string::npos) {
    return words;
  }
  std::istringstream lines(help.substr(start + section.size() + 2));
  std::string line;
  while (std::getline(lines, line) && !line.empty()) {
    std::istringstream first(line);
    std::string word;
    if (line.rfind("  ", 0) == 0 && line[2] != ' ' && first >> word) {
      words.push_back(word);
    }
  }
  return words;
}

/// Every command path's help table, from `pipe --help` down.
void read_help(const std::vector<std::string>& path, std::map<std::string, HelpTable>& out) {
  std::vector<std::string> argv{PIPE_EXE};
  argv.insert(argv.end(), path.begin(), path.end());
  argv.emplace_back("--help");
  const auto help = run_process(argv).out;
  std::string key;
  for (const auto& word : path) {
    key += (key.empty() ? "" : " ") + word;
  }
  HelpTable table;
  table.subcommands = section_words(help, "Subcommands:");
  for (const auto& names : section_words(help, "Options:")) {
    std::istringstream split(names);
    for (std::string name; std::getline(split, name, ',');) {
      table.options.push_back(name);
    }
  }
  out[key] = table;
  for (const auto& sub : table.subcommands) {
    auto deeper = path;
    deeper.push_back(sub);
    read_help(deeper, out);
  }
}

std::string script(const std::string& shell) {
  const auto result = run_process({PIPE_EXE, "completion", shell});
  REQUIRE(result.exit_code == 0);
  return result.out;
}

/// Whether `word` occurs in `text` on its own (not inside a longer name).
bool mentions_word(const std::string& text, const std::string& word) {
  auto part_of_name = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_'; };
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool starts = at == 0 || !part_of_name(text[at - 1]);
    const bool ends = at + word.size() == text.size() || !part_of_name(text[at + word.size()]);
    if (starts && ends) {
      return true;
    }
  }
  return false;
}

bool have(const char* program) { return fs::exists(program); }

/// A repository with two workflows for the dynamic completions.
struct CompletionRepo {
  TempDir dir{"completion"};
  CompletionRepo() {
    write_file(dir.path / ".github/workflows/ci.yml",
               "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n"
               "  test:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n");
    write_file(dir.path / ".github/workflows/deploy.yaml",
               "on: workflow_dispatch\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n");
  }
};

/// What the bash script offers for the command line `words` (the last one is completed).
std::string bash_complete(const fs::path& script_file, const std::vector<std::string>& words, const fs::path& cwd) {
  std::string array;
  for (const auto& word : words) {
    array += " '" + word + "'";
  }
  const std::string program = "source '" + script_file.string() + "'; COMP_WORDS=('" PIPE_EXE "'" + array +
                              "); COMP_CWORD=" + std::to_string(words.size()) +
                              "; _pipe; (( ${#COMPREPLY[@]} )) && printf '%s\\n' \"${COMPREPLY[@]}\"; true";
  const auto result = run_process({"/bin/bash", "--norc", "-c", program}, cwd.string());
  INFO(result.err);
  CHECK(result.exit_code == 0);
  return result.out;
}

}  // namespace

TEST_CASE("the completion scripts name every subcommand and option of every command", "[cli][completion]") {
  std::map<std::string, HelpTable> tables;
  read_help({}, tables);
  REQUIRE(tables.size() >= 20);
  REQUIRE(tables[""].subcommands.size() >= 14);
  CHECK(std::find(tables["run"].options.begin(), tables["run"].options.end(), "--watch") != tables["run"].options.end());
  for (const char* shell : {"bash", "zsh", "fish"}) {
    const auto text = script(shell);
    const bool fish = std::string(shell) == "fish";
    for (const auto& [path, table] : tables) {
      for (const auto& sub : table.subcommands) {
        INFO(shell << ": pipe " << path << " " << sub);
        CHECK(mentions_word(text, sub));
      }
      for (const auto& option : table.options) {
        INFO(shell << ": pipe " << path << " " << option);
        if (fish) {
          const bool is_long = option.rfind("--", 0) == 0;
          CHECK(text.find((is_long ? "-l '" + option.substr(2) : "-s '" + option.substr(1)) + "'") != std::string::npos);
        } else {
          CHECK(mentions_word(text, option));
        }
      }
    }
  }
}

TEST_CASE("the bash tables list each command's own subcommands and options", "[cli][completion]") {
  std::map<std::string, HelpTable> tables;
  read_help({}, tables);
  const auto text = script("bash");
  for (const auto& [path, table] : tables) {
    INFO("pipe " << path);
    const std::string prefix = "\n    '" + path + "') echo '";
    const auto row = text.find(prefix, text.find("_pipe_options() {"));
    REQUIRE(row != std::string::npos);
    const auto start = row + prefix.size();
    const std::string words = " " + text.substr(start, text.find('\'', start) - start) + " ";
    for (const auto& option : table.options) {
      CHECK(words.find(" " + option + " ") != std::string::npos);
    }
  }
}

TEST_CASE("bash, zsh and fish accept their scripts", "[cli][completion]") {
  TempDir dir("completion-syntax");
  for (const auto& [shell, program, check] :
       std::vector<std::tuple<std::string, std::string, std::string>>{{"bash", "/bin/bash", "-n"},
                                                                      {"zsh", "/usr/bin/zsh", "-n"},
                                                                      {"fish", "/usr/bin/fish", "--no-execute"}}) {
    if (!have(program.c_str())) {
      WARN("skipped: " << program << " is not installed, so its script is not checked");
      continue;
    }
    const auto file = dir.path / ("pipe." + shell);
    write_file(file, script(shell));
    const auto result = run_process({program, check, file.string()});
    INFO(shell << ": " << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
  }
}

TEST_CASE("bash completes subcommands, options, choices, workflow files and job ids", "[cli][completion]") {
  CompletionRepo repo;
  const auto file = repo.dir.path / "pipe.bash";
  write_file(file, script("bash"));
  const auto& cwd = repo.dir.path;
  CHECK(bash_complete(file, {"ru"}, cwd) == "run\nrunner\n");
  CHECK(bash_complete(file, {"cache", ""}, cwd) == "list\nrm\nprune\n");
  CHECK(bash_complete(file, {"run", "--wa"}, cwd) == "--watch\n");
  CHECK(bash_complete(file, {"hook", "run", "--st"}, cwd) == "--stage\n");
  CHECK(bash_complete(file, {"run", "--backend", "d"}, cwd) == "docker\n");
  CHECK(bash_complete(file, {"completion", ""}, cwd) == "bash\nzsh\nfish\n");
  CHECK(bash_complete(file, {"run", "-j", ""}, cwd) == "build\ndeploy\ntest\n");
  CHECK(bash_complete(file, {"run", "-w", "--job", "t"}, cwd) == "test\n");
  CHECK(bash_complete(file, {"run", "--job", "=", "b"}, cwd) == "build\n");  // --job=b, split at '='
  CHECK(bash_complete(file, {"run", ""}, cwd) == ".github/workflows/ci.yml\n.github/workflows/deploy.yaml\n");
  CHECK(bash_complete(file, {"--log-level", "debug", "run", "-e", "push", "--wat"}, cwd) == "--watch\n");
  // -C names the repository the job ids come from.
  TempDir elsewhere("completion-elsewhere");
  CHECK(bash_complete(file, {"run", "-C", repo.dir.path.string(), "-j", "de"}, elsewhere.path) == "deploy\n");
  CHECK(bash_complete(file, {"run", "-j", ""}, elsewhere.path).empty());
}

TEST_CASE("fish completes through its script", "[cli][completion]") {
  if (!have("/usr/bin/fish")) {
    WARN("skipped: fish is not installed");
    return;
  }
  CompletionRepo repo;
  const auto file = repo.dir.path / "pipe.fish";
  write_file(file, script("fish"));
  const std::string bin = fs::path(PIPE_EXE).parent_path().string();
  auto complete = [&](const std::string& line) {
    const auto result = run_process(
        {"/usr/bin/fish", "--no-config", "-c",
         "set -x PATH '" + bin + "' $PATH; source '" + file.string() + "'; complete -C '" + line + "' | cut -f1"},
        repo.dir.path.string());
    INFO(result.err);
    return result.out;
  };
  CHECK(complete("pipe cache ") == "list\nprune\nrm\n");
  CHECK(complete("pipe run -j ") == "build\ndeploy\ntest\n");
  CHECK(complete("pipe run --backend ") == "auto\ndocker\nhost\npodman\n");
  CHECK(complete("pipe run --wat") == "--watch\n");
  CHECK(complete("pipe hook run --stage ") == "pre-commit\npre-push\n");
}

TEST_CASE("zsh walks the command line like bash", "[cli][completion]") {
  if (!have("/usr/bin/zsh")) {
    WARN("skipped: zsh is not installed");
    return;
  }
  CompletionRepo repo;
  const auto file = repo.dir.path / "_pipe";
  write_file(file, script("zsh"));
  // compsys's functions print what they are given, so the walk is checked without a terminal.
  const std::string stubs =
      "compdef() { : }; compset() { : }; _files() { print -r -- \"_files $*\" };"
      "compadd() { if [[ $1 == -a ]]; then print -rl -- ${(P)2}; else print -rl -- \"$@\"; fi };"
      "_describe() { print -rl -- ${(P)4} };";
  auto complete = [&](const std::string& words, int current) {
    const auto result = run_process({"/usr/bin/zsh", "-f", "-c",
                                     stubs + "source '" + file.string() + "'; words=('" PIPE_EXE "' " + words +
                                         "); CURRENT=" + std::to_string(current) + "; _pipe"},
                                    repo.dir.path.string());
    INFO(result.err);
    CHECK(result.err.empty());
    return result.out;
  };
  CHECK_THAT(complete("cache ''", 3), Catch::Contains("list:List the entries"));
  CHECK(complete("run -j ''", 4) == "build\ndeploy\ntest\n");
  CHECK(complete("run --backend ''", 4) == "auto\nhost\ndocker\npodman\n");
  CHECK_THAT(complete("run --wat", 3), Catch::Contains("--watch:Run again when files change"));
  CHECK(complete("run --event-path ''", 4) == "_files \n");
  CHECK(complete("run ''", 3) == ".github/workflows/ci.yml\n.github/workflows/deploy.yaml\n");
}

TEST_CASE("__complete lists job ids and workflow files, and stays quiet without any", "[cli][completion]") {
  CompletionRepo repo;
  auto jobs = run_process({PIPE_EXE, "__complete", "jobs", "-C", repo.dir.path.string()});
  CHECK(jobs.exit_code == 0);
  CHECK(jobs.out == "build\ndeploy\ntest\n");
  write_file(repo.dir.path / ".github/workflows/broken.yml", "on: push\njobs: [\n");
  jobs = run_process({PIPE_EXE, "__complete", "jobs", "-C", repo.dir.path.string()});
  CHECK(jobs.out == "build\ndeploy\ntest\n");
  CHECK(jobs.err.empty());
  TempDir empty("completion-empty");
  const auto none = run_process({PIPE_EXE, "__complete", "workflows", "-C", empty.path.string()});
  CHECK(none.exit_code == 0);
  CHECK(none.out.empty());
  CHECK(none.err.empty());
  // Hidden: people see `completion`, not the scripts' helper.
  const auto help = run_process({PIPE_EXE, "--help"});
  CHECK_THAT(help.out, Catch::Contains("completion"));
  CHECK(help.out.find("__complete") == std::string::npos);
}
