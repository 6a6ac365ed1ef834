#pragma once
// SIGINT, SIGTERM and SIGHUP turned into a flag, so that a sweep stops between two writes of
// its folder (dfsim/experiments/result_folder.hpp) instead of in the middle of one.
#include <signal.h>

#include <iterator>
#include <string>

namespace dfsim::cli {

// While it lives, SIGINT, SIGTERM and SIGHUP only record that they came (a second one of the
// same signal takes its default action: the way to stop at once). Signals ignored when it was
// made stay ignored (nohup). One at a time.
class InterruptFlag {
 public:
  InterruptFlag();
  ~InterruptFlag();
  InterruptFlag(const InterruptFlag&) = delete;
  InterruptFlag& operator=(const InterruptFlag&) = delete;

  // The signal received, or 0.
  int signal() const;

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction previous_[std::size(kSignals)] = {};
};

// "SIGINT", "SIGTERM", "SIGHUP", or "signal N".
std::string signal_name(int sig);

}  // namespace dfsim::cli
