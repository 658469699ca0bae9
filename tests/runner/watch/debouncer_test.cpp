#include <catch2/catch.hpp>

#include "runner/watch/debouncer.hpp"

using pipeline::runner::watch::Debouncer;
using std::chrono::milliseconds;

namespace {
const Debouncer::Clock::time_point t0{};
}

TEST_CASE("the debouncer holds changes until the tree is quiet", "[watch]") {
  Debouncer d(milliseconds(250), milliseconds(2000));
  CHECK_FALSE(d.due());
  d.add({"src/a.c"}, t0);
  CHECK_FALSE(d.ready(t0 + milliseconds(249)));
  d.add({"src/b.c", "src/a.c"}, t0 + milliseconds(200));  // an editor's second write
  CHECK(*d.due() == t0 + milliseconds(450));
  CHECK_FALSE(d.ready(t0 + milliseconds(449)));
  CHECK(d.ready(t0 + milliseconds(450)));
  const auto batch = d.take();
  CHECK(batch.paths == std::vector<std::string>{"src/a.c", "src/b.c"});
  CHECK_FALSE(batch.unknown);
  CHECK_FALSE(d.due());
}

TEST_CASE("a tree that never rests still gets its batch after the longest wait", "[watch]") {
  Debouncer d(milliseconds(250), milliseconds(2000));
  for (int i = 0; i <= 40; ++i) {
    d.add({"log" + std::to_string(i)}, t0 + milliseconds(100 * i));
    if (i < 20) {
      CHECK_FALSE(d.ready(t0 + milliseconds(100 * i)));
    }
  }
  CHECK(*d.due() == t0 + milliseconds(2000));
  CHECK(d.take().paths.size() == 41);
}

TEST_CASE("nothing to add is no change; lost events make the batch unknown", "[watch]") {
  Debouncer d;
  d.add({}, t0);
  CHECK_FALSE(d.due());
  d.add_unknown(t0);
  REQUIRE(d.due());
  const auto batch = d.take();
  CHECK(batch.unknown);
  CHECK(batch.paths.empty());
}
