#pragma once
// What dfsim's exit status means; scripts can rely on these.
namespace dfsim::cli {
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // a context failed (e.g. a wrong value) or I/O failed
inline constexpr int kExitUsage = 2;     // bad flags or values: nothing was simulated
inline constexpr int kExitDeadlock = 3;  // the simulated hardware deadlocked
inline constexpr int kExitOverflow = 4;  // results contain inf/NaN (sdpa without a running max)
inline constexpr int kExitBusy = 5;      // sdpa-sweep: another sweep holds --out; nothing written
// sdpa-sweep stopped by a signal after its files were made whole: 128 + the signal's number,
// as a shell reports a process the signal killed (130 SIGINT, 143 SIGTERM, 129 SIGHUP).
inline constexpr int kExitSignalBase = 128;
}  // namespace dfsim::cli
