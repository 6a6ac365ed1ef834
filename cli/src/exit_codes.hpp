#pragma once
// What dfsim's exit status means; scripts can rely on these.
namespace dfsim::cli {
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // a context failed (e.g. a wrong value) or I/O failed
inline constexpr int kExitUsage = 2;     // bad flags or values: nothing was simulated
inline constexpr int kExitDeadlock = 3;  // the simulated hardware deadlocked
inline constexpr int kExitOverflow = 4;  // results contain inf/NaN (sdpa without a running max)
}  // namespace dfsim::cli
