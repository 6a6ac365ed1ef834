#pragma once
// How many times a test repeats a run whose failure depends on how the threads interleave.
//
//   for (int repeat = 0; repeat < race_repeats(20); ++repeat) expect_agreement(g);
//
// A lost wake or an element missed between two reads shows only when the threads happen to
// interleave badly, so such tests repeat their run; the Release and AddressSanitizer suites
// repeat it in full. ThreadSanitizer looks for a different kind of fault, two accesses not
// ordered by happens-before, and reports it from any one run in which both execute, however
// the threads were timed; its runs are 5 to 15 times slower and its scheduling changes the
// interleavings anyway. Under it a quarter of the repeats (at least one) runs every
// assertion and every code path of the test, in a quarter of the time.
namespace dfsim::test {

constexpr int race_repeats(int repeats) {
#if defined(__SANITIZE_THREAD__)
  return repeats < 4 ? 1 : repeats / 4;
#else
  return repeats;
#endif
}

}  // namespace dfsim::test
