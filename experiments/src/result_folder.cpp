// A results folder (result_folder.hpp): its lock, atomic writes, a sweep's two files.
#include "dfsim/experiments/result_folder.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "dfsim/engine/version.hpp"

namespace dfsim::experiments {

namespace fs = std::filesystem;

namespace {

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

nlohmann::ordered_json sweep_document_head(nlohmann::ordered_json config) {
  return {{"config", std::move(config)}, {"dfsim_version", std::string(dfsim::version())}};
}

SweepFolder::SweepFolder(fs::path dir, nlohmann::ordered_json config,
                         const std::vector<Row>& finished)
    : dir_(std::move(dir)), doc_(sweep_document_head(std::move(config))) {
  doc_["status"] = "running";
  doc_["results"] = nlohmann::ordered_json::array();
  for (const Row& row : finished) doc_["results"].push_back(to_json(row));
  finished_.assign(finished.size(), true);
  write_csv();
  write_json();
}

std::size_t SweepFolder::add_row(const Row& row) {
  doc_["results"].push_back(to_json(row));
  finished_.push_back(false);
  write_json();
  return doc_["results"].size() - 1;
}

void SweepFolder::update_row(std::size_t index, const Row& row) {
  doc_["results"][index] = to_json(row);
  write_json();
}

// The CSV first: a reader that sees a row final in results.json finds it in results.csv too.
void SweepFolder::finish_row(std::size_t index, const Row& row) {
  doc_["results"][index] = to_json(row);
  finished_[index] = true;
  write_csv();
  write_json();
}

void SweepFolder::reorder(const std::vector<std::size_t>& order) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::vector<bool> finished;
  for (std::size_t i : order) {
    rows.push_back(std::move(doc_["results"][i]));
    finished.push_back(finished_[i]);
  }
  doc_["results"] = std::move(rows);
  finished_ = std::move(finished);
  write_csv();
  write_json();
}

// Rebuilt from the rows: every finished row's line, in the rows' order.
void SweepFolder::write_csv() {
  std::string csv = csv_header();
  for (std::size_t i = 0; i < finished_.size(); ++i)
    if (finished_[i]) csv += csv_line(row_from_json(doc_["results"][i]));
  write_atomically(dir_ / "results.csv", csv);
}

void SweepFolder::finish(const std::string& status, double wall_seconds,
                         const std::optional<std::string>& signal) {
  doc_["status"] = status;
  if (signal) doc_["signal"] = *signal;
  doc_["wall_seconds"] = wall_seconds;
  write_json();
}

void SweepFolder::write_json() { write_atomically(dir_ / "results.json", doc_.dump(2) + "\n"); }

}  // namespace dfsim::experiments
