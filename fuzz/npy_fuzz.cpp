// libFuzzer target for the .npy reader; scripts/fuzz.sh builds and runs it (docs/testing.md).
//
// Each input goes to an in-memory file read through its /proc/self/fd path, so read_npy takes
// the same stat, open and read steps as on a user's file. The only exception read_npy may throw
// is std::runtime_error: any other (std::bad_alloc from a size taken on trust, say) escapes and
// libFuzzer reports it as a crash, as it does a sanitizer's report or an abort below.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include "dfsim/sdpa/npy.hpp"

namespace {

using dfsim::sdpa::Matrix;

struct MemoryFile {
  int fd;
  std::string path;
};

MemoryFile memory_file(const char* name) {
  int fd = ::memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) std::abort();
  return {fd, "/proc/self/fd/" + std::to_string(fd)};
}

void check(bool promise) {
  if (!promise) std::abort();
}

// What read_npy promises of a matrix it returns, and that writing it back loses no bit.
void check_matrix(const Matrix& m) {
  check(m.values.size() == m.rows * m.cols);
  if (auto bad = dfsim::sdpa::find_non_finite(m)) {
    check(bad->row < m.rows && bad->col < m.cols && bad->count >= 1);
    check(!dfsim::sdpa::to_string(*bad).empty());
  }
  static const MemoryFile copy = memory_file("npy_fuzz_copy");
  dfsim::sdpa::write_npy(copy.path, m);
  Matrix back = dfsim::sdpa::read_npy(copy.path);
  check(back.rows == m.rows && back.cols == m.cols);
  check(m.values.empty() ||
        std::memcmp(back.values.data(), m.values.data(), m.values.size() * sizeof(double)) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const MemoryFile input = memory_file("npy_fuzz_input");
  check(::ftruncate(input.fd, 0) == 0);
  check(::pwrite(input.fd, data, size, 0) == static_cast<ssize_t>(size));
  Matrix m;
  try {
    m = dfsim::sdpa::read_npy(input.path);
  } catch (const std::runtime_error& e) {
    // Every message names the file and fits on one line.
    std::string_view what = e.what();
    check(what.rfind(input.path + ": ", 0) == 0);
    check(what.find('\n') == std::string_view::npos);
    return 0;
  }
  check_matrix(m);
  return 0;
}
