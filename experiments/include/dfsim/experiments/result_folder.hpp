#pragma once
// A folder of results that one process writes at a time (a sweep's --out): its lock, files
// replaced whole, and the sweep's results.json and results.csv kept current row by row.
//
//   FolderLock lock("results/sweep");          // FolderInUse if another sweep holds it
//   SweepFolder folder("results/sweep", to_json(plan));
//   std::size_t i = folder.add_row(row);       // results.json shows it at once
//   folder.update_row(i, row);                 // after each run
//   folder.finish_row(i, row);                 // and its CSV line when all runs ended
//   folder.finish("complete", wall_seconds);
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dfsim/experiments/row.hpp"

namespace dfsim::experiments {

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

// A sweep's document before its rows: {config, dfsim_version} (dfsim::version(): which
// simulator measured the rows). results.json and SweepRun::document() start from it.
nlohmann::ordered_json sweep_document_head(nlohmann::ordered_json config);

// results.json ({config, dfsim_version, status, results: [rows], wall_seconds, signal}) and results.csv
// (csv_header, then a line per finished row), each replaced whole after every change, so a
// reader, or a sweep killed at any instant, never sees half a file or half a line.
class SweepFolder {
 public:
  // Writes both files at once: status "running", and the `finished` rows (those an earlier
  // run of the same sweep left: sweep_run.hpp resumes it).
  SweepFolder(std::filesystem::path dir, nlohmann::ordered_json config,
              const std::vector<Row>& finished = {});
  std::size_t add_row(const Row& row);
  void update_row(std::size_t index, const Row& row);
  // The row's final state, and its CSV line.
  void finish_row(std::size_t index, const Row& row);
  // Puts the rows in a new order: row i is the one at index order[i] (a permutation).
  void reorder(const std::vector<std::size_t>& order);
  // `status`: "complete", "complete with problems", "interrupted"; `signal`: its name.
  void finish(const std::string& status, double wall_seconds,
              const std::optional<std::string>& signal = std::nullopt);
  const nlohmann::ordered_json& document() const { return doc_; }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  void write_json();
  void write_csv();
  std::filesystem::path dir_;
  nlohmann::ordered_json doc_;
  std::vector<bool> finished_;  // by row: in results.csv
};

}  // namespace dfsim::experiments
