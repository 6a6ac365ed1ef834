#pragma once
// A folder of results that one process writes at a time (dfsim sdpa-sweep --out): its lock,
// files replaced whole, and SIGINT/SIGTERM/SIGHUP turned into a flag so that the writer stops
// between two writes instead of in the middle of one.
#include <signal.h>

#include <filesystem>
#include <iterator>
#include <stdexcept>
#include <string>

namespace dfsim::cli {

// Another process holds the folder's lock; what() is the message for people.
class FolderInUse : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An exclusive flock(2) on DIR/.dfsim.lock, held while the object lives and released by the
// kernel if the process dies, so a crashed writer never leaves a stale lock. The file holds the
// owner's pid, for the message a second writer gets. Creates DIR if needed.
class FolderLock {
 public:
  // Throws FolderInUse if another process holds the lock, std::runtime_error on I/O errors.
  explicit FolderLock(const std::filesystem::path& dir);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  static constexpr const char* kFileName = ".dfsim.lock";

 private:
  int fd_ = -1;
};

// Writes `text` to FILE.<pid>-<counter>.tmp, then renames it onto `file`: a reader sees the old
// content or the new one, never a part, and no two writers share a temporary file. Throws
// std::runtime_error naming the file; the temporary file is removed on failure.
void write_atomically(const std::filesystem::path& file, const std::string& text);

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
