# cmake -DPIPE=<pipe binary> -DSHELL_NAME=bash|zsh|fish -DOUTPUT=<file> -P GenerateCompletion.cmake
# Writes `pipe completion SHELL_NAME` to OUTPUT: the scripts come from the built command table.
# In a sanitizer build a leak report would fail the build here; the tests are where leaks are caught.
set(ENV{ASAN_OPTIONS} "detect_leaks=0")
execute_process(COMMAND ${PIPE} completion ${SHELL_NAME} OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "`pipe completion ${SHELL_NAME}` failed: ${_result}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
