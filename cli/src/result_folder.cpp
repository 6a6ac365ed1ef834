#include "result_folder.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace dfsim::cli {

namespace fs = std::filesystem;

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

std::string system_error(const std::string& what, const fs::path& file) {
  return fmt::format("cannot {} {}: {}", what, file.string(), std::strerror(errno));
}

// The pid the lock file names, "" if it names none (its owner may not have written it yet).
std::string lock_owner(int fd) {
  char text[32] = {};
  ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
  if (got <= 0) return "";
  std::string pid(text, static_cast<std::size_t>(got));
  pid = pid.substr(0, pid.find_first_not_of("0123456789"));
  return pid;
}

std::string in_use_message(const fs::path& dir, const std::string& pid) {
  if (pid.empty())
    return fmt::format(
        "{} is in use by another sweep: wait for it to end, or give another folder with --out",
        dir.string());
  return fmt::format(
      "{} is in use by another sweep (pid {}): wait for it to end (or stop it with kill -TERM {}), "
      "or give another folder with --out",
      dir.string(), pid, pid);
}

}  // namespace

FolderLock::FolderLock(const fs::path& dir) {
  fs::create_directories(dir);
  fs::path file = dir / kFileName;
  // O_CLOEXEC: a child (the plot script) must not keep the lock after this process ends.
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(system_error("open", file));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string pid = lock_owner(fd_);
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK) throw FolderInUse(in_use_message(dir, pid));
    errno = err;
    throw std::runtime_error(system_error("lock", file));
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    std::string message = system_error("write", file);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(message);
  }
}

FolderLock::~FolderLock() {
  if (fd_ < 0) return;
  // Emptied while still held, so that a later message never names a finished sweep's pid.
  [[maybe_unused]] int ignored = ::ftruncate(fd_, 0);
  ::close(fd_);
}

void write_atomically(const fs::path& file, const std::string& text) {
  static std::atomic<unsigned> counter{0};
  fs::path tmp = file;
  tmp += fmt::format(".{}-{}.tmp", ::getpid(), counter.fetch_add(1));
  std::error_code ignored;
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    out << text;
    out.close();
    if (!out) {
      fs::remove(tmp, ignored);
      throw std::runtime_error("cannot write " + tmp.string());
    }
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ignored);
    throw std::runtime_error(
        fmt::format("cannot rename {} to {}: {}", tmp.string(), file.string(), ec.message()));
  }
}

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
