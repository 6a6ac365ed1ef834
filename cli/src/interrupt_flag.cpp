// SIGINT, SIGTERM and SIGHUP as a flag (interrupt_flag.hpp).
#include "interrupt_flag.hpp"

#include <fmt/core.h>

#include <atomic>
#include <stdexcept>

namespace dfsim::cli {

namespace {

// Lock-free, hence safe to store from a signal handler and to read from the engine's threads.
std::atomic<int> received_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<bool> flag_installed{false};

// The first signal is the one the exit status reports.
void record_signal(int sig) {
  int none = 0;
  received_signal.compare_exchange_strong(none, sig, std::memory_order_relaxed);
}

}  // namespace

InterruptFlag::InterruptFlag() {
  if (flag_installed.exchange(true)) throw std::logic_error("InterruptFlag: one at a time");
  received_signal.store(0);
  struct sigaction action = {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: reads, writes and waitpid go on as if nothing came.
  action.sa_flags = SA_RESTART | SA_RESETHAND;
  for (std::size_t i = 0; i < std::size(kSignals); ++i) {
    ::sigaction(kSignals[i], nullptr, &previous_[i]);
    if (previous_[i].sa_handler != SIG_IGN) ::sigaction(kSignals[i], &action, nullptr);
  }
}

InterruptFlag::~InterruptFlag() {
  for (std::size_t i = 0; i < std::size(kSignals); ++i)
    ::sigaction(kSignals[i], &previous_[i], nullptr);
  flag_installed.store(false);
}

int InterruptFlag::signal() const { return received_signal.load(std::memory_order_relaxed); }

std::string signal_name(int sig) {
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
  }
  return fmt::format("signal {}", sig);
}

}  // namespace dfsim::cli
