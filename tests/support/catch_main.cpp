// Catch2's main, compiled once: it is the slowest file to build and never changes.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
