#!/usr/bin/env python3
"""check_includes.py on small made-up trees: each planted slip is reported with its exact text."""
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_includes.py")

TREE = {
    "workflow/base/CMakeLists.txt": "pipe_module(pipe_base)\n",
    "workflow/base/result.hpp": "#pragma once\n",
    "workflow/CMakeLists.txt": "pipe_module(pipe_workflow\n  SOURCES model.cpp  # the model\n  DEPS pipe_base)\n",
    "workflow/model.hpp": '#pragma once\n#include "workflow/base/result.hpp"\n',
    "workflow/model.cpp": '#include "workflow/model.hpp"\n#include <string>\n',
    "runner/system/CMakeLists.txt": "pipe_module(pipe_system SOURCES lock.cpp DEPS pipe_base)\n",
    "runner/system/lock.hpp": "#pragma once\n",
    "runner/system/lock.cpp": '#include "runner/system/lock.hpp"\n',
    "runner/run/CMakeLists.txt": "pipe_module(pipe_run SOURCES run.cpp DEPS pipe_workflow)\n"
                                 "target_link_libraries(pipe_run PUBLIC pipe_base)\n",
    "runner/run/run.cpp": '#include "workflow/model.hpp"\n#include "workflow/base/result.hpp"\n',
}


def run(plants):
    with tempfile.TemporaryDirectory() as root:
        for path, text in {**TREE, **plants}.items():
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "w", encoding="utf-8") as f:
                f.write(text)
        done = subprocess.run([sys.executable, CHECK, root], capture_output=True, text=True, check=False)
        return done.returncode, done.stdout


def expect(name, plants, code, output):
    got_code, got_output = run(plants)
    if (got_code, got_output) != (code, output):
        print(f"{name}: expected exit {code} and\n{output}got exit {got_code} and\n{got_output}")
        return False
    return True


def main():
    ok = expect("clean tree", {}, 0, "check_includes: 4 modules, every include declared\n")
    ok &= expect("undeclared module", {
        "runner/run/run.cpp": '#include "workflow/model.hpp"\n  #include "runner/system/lock.hpp"\n',
    }, 1, 'runner/run/run.cpp:2:12: error: "runner/system/lock.hpp" belongs to pipe_system, which pipe_run '
          "does not declare in DEPS (runner/run/CMakeLists.txt)\n")
    ok &= expect("undeclared module in a header", {
        "workflow/model.hpp": '#pragma once\n#include "runner/system/lock.hpp"\n',
    }, 1, 'workflow/model.hpp:2:10: error: "runner/system/lock.hpp" belongs to pipe_system, which pipe_workflow '
          "does not declare in DEPS (workflow/CMakeLists.txt)\n"
          'workflow/model.hpp:2:10: error: workflow/ is pure, yet this includes "runner/system/lock.hpp" from outside it\n')
    ok &= expect("workflow/ reaching for I/O", {
        "workflow/model.cpp": '#include "workflow/model.hpp"\n#include <git2.h>\n',
    }, 1, "workflow/model.cpp:2:10: error: workflow/ is pure, yet this includes <git2.h>\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
