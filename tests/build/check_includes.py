#!/usr/bin/env python3
"""Checks that every module names in CMake what it includes, and that workflow/ stays pure.

Reads each pipe_module(NAME SOURCES ... DEPS ...) under workflow/, actions/ and runner/ (plus the
target_sources and target_link_libraries calls that extend a module), finds which module owns each
header, and reports every quoted #include of another module's header that the including module
does not list in its DEPS, as `file:line:col: error: message`. A file under workflow/ may include
only headers under workflow/ and no library that does I/O beyond reading files.
Usage: check_includes.py [REPOSITORY_ROOT]; exits 1 when it reports anything.
"""
import os
import re
import sys

MODULE_ROOTS = ("workflow", "actions", "runner")
HEADER_SUFFIXES = (".hpp", ".h")
SOURCE_SUFFIXES = (".cpp",)
# workflow/ reads files and nothing else: no processes, sockets, dlopen, git or HTTP.
WORKFLOW_FORBIDDEN = ("git2.h", "dlfcn.h", "curl/", "archive.h", "archive_entry.h", "httplib.h",
                      "spawn.h", "sys/socket.h", "sys/wait.h", "unistd.h", "spdlog/")
INCLUDE = re.compile(r'^(\s*#\s*include\s*)([<"])([^>"]+)[>"]')
CALL = re.compile(r"\b(pipe_module|target_sources|target_link_libraries)\s*\(([^)]*)\)", re.S)
KEYWORDS = {"SOURCES", "DEPS", "PUBLIC", "PRIVATE", "INTERFACE"}


class Module:
    def __init__(self, name, cmake_file):
        self.name = name
        self.cmake_file = cmake_file
        self.sources = set()  # repository-relative paths
        self.deps = set()

    def source_dirs(self):
        dirs = {os.path.dirname(s) for s in self.sources}
        return dirs or {os.path.dirname(self.cmake_file)}


def strip_comments(text):
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def read_modules(root):
    modules = {}
    for top in MODULE_ROOTS:
        for folder, _, files in sorted(os.walk(os.path.join(root, top))):
            if "CMakeLists.txt" not in files:
                continue
            path = os.path.join(folder, "CMakeLists.txt")
            rel_folder = os.path.relpath(folder, root)
            with open(path, encoding="utf-8") as f:
                text = strip_comments(f.read())
            for call, args in CALL.findall(text):
                read_call(modules, call, args.split(), rel_folder, os.path.relpath(path, root))
    return modules


def read_call(modules, call, words, rel_folder, cmake_file):
    if not words:
        return
    name, rest = words[0], words[1:]
    if call == "pipe_module":
        modules[name] = Module(name, cmake_file)
    module = modules.get(name)
    if module is None:
        return
    section = "SOURCES" if call == "target_sources" else "DEPS" if call == "target_link_libraries" else None
    for word in rest:
        if word in KEYWORDS:
            section = word if word in ("SOURCES", "DEPS") else section
        elif section == "SOURCES" and word.endswith(SOURCE_SUFFIXES):
            module.sources.add(os.path.normpath(os.path.join(rel_folder, word)))
        elif section == "DEPS" and word.startswith("pipe_"):
            module.deps.add(word)


def header_owners(root, modules):
    """Maps each header to the modules that may own it: the one compiling its .cpp, else every
    module whose sources share its folder."""
    by_source = {s: m.name for m in modules.values() for s in m.sources}
    by_dir = {}
    for m in modules.values():
        for d in m.source_dirs():
            by_dir.setdefault(d, set()).add(m.name)
    owners = {}
    for d, names in by_dir.items():
        for entry in sorted(os.listdir(os.path.join(root, d))):
            if not entry.endswith(HEADER_SUFFIXES):
                continue
            header = os.path.join(d, entry)
            twin = os.path.splitext(header)[0] + ".cpp"
            owners[header] = {by_source[twin]} if twin in by_source else set(names)
    return owners


def includes(root, rel_path):
    with open(os.path.join(root, rel_path), encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            match = INCLUDE.match(line)
            if match:
                yield number, len(match.group(1)) + 1, match.group(2), match.group(3)


def resolve(root, rel_path, target):
    for candidate in (target, os.path.join(os.path.dirname(rel_path), target)):
        candidate = os.path.normpath(candidate)
        if os.path.isfile(os.path.join(root, candidate)):
            return candidate
    return None


def check_workflow_purity(root, rel_path, problems):
    for line, col, quote, target in includes(root, rel_path):
        if quote == "<":
            if any(target.startswith(bad) for bad in WORKFLOW_FORBIDDEN):
                problems.append(f"{rel_path}:{line}:{col}: error: workflow/ is pure, yet this includes <{target}>")
            continue
        found = resolve(root, rel_path, target)
        if found and not found.startswith("workflow" + os.sep):
            problems.append(f'{rel_path}:{line}:{col}: error: workflow/ is pure, yet this includes "{target}" from outside it')


def check_files(root, files, names, modules, owners, problems):
    """Checks the files owned by `names` (one module, or the modules sharing a header's folder)."""
    allowed = set(names).union(*(modules[n].deps for n in names))
    for rel_path in sorted(files):
        for line, col, quote, target in includes(root, rel_path):
            if quote != '"':
                continue
            wanted = owners.get(resolve(root, rel_path, target))
            if not wanted or wanted & allowed:
                continue
            module = " or ".join(sorted(names))
            cmake = ", ".join(sorted({modules[n].cmake_file for n in names}))
            problems.append(f'{rel_path}:{line}:{col}: error: "{target}" belongs to {" or ".join(sorted(wanted))}, '
                            f"which {module} does not declare in DEPS ({cmake})")


def check(root):
    modules = read_modules(root)
    owners = header_owners(root, modules)
    problems = []
    for module in sorted(modules.values(), key=lambda m: m.name):
        check_files(root, module.sources, {module.name}, modules, owners, problems)
    for header, names in sorted(owners.items()):
        check_files(root, {header}, names, modules, owners, problems)
    for folder, _, files in sorted(os.walk(os.path.join(root, "workflow"))):
        for entry in sorted(files):
            if entry.endswith(HEADER_SUFFIXES + SOURCE_SUFFIXES):
                check_workflow_purity(root, os.path.relpath(os.path.join(folder, entry), root), problems)
    return modules, sorted(set(problems))


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
    modules, problems = check(root)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"check_includes: {len(modules)} modules, every include declared")
    return 0


if __name__ == "__main__":
    sys.exit(main())
