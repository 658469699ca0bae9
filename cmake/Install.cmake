include(GNUInstallDirs)
install(TARGETS pipe RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_BINARY_DIR}/docs/pipe.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)  # built by docs/
install(FILES ${PROJECT_SOURCE_DIR}/docs/completion/pipe.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME pipe)
