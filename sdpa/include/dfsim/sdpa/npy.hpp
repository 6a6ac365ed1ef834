#pragma once
// NumPy's .npy files (format versions 1.0, 2.0 and 3.0), so that Q, K and V can come from a real
// model and outputs can go back to NumPy:
//
//   Matrix q = read_npy("inputs/q.npy");               // numpy.save("inputs/q.npy", q)
//   write_npy("out.npy", {.rows = n, .cols = d, .values = o});   // numpy.load("out.npy")
//
// Reads little-endian float64 ('<f8') or float32 ('<f4') arrays in C order, 2-D, or 1-D as an
// n x 1 column. Writes float64 2-D arrays (format 1.0). Every error is a std::runtime_error whose
// message names the file and what is wrong with it.
#include <cstddef>
#include <filesystem>
#include <vector>

namespace dfsim::sdpa {

// A rows x cols matrix of doubles, row-major (C order).
struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;  // rows * cols
};

// Throws std::runtime_error naming `file`: missing or unreadable file, bad magic string,
// unsupported version, malformed header, unsupported dtype (e.g. '<i8', or big-endian '>f8'),
// Fortran order, not 1-D or 2-D, or fewer data bytes than the shape needs.
Matrix read_npy(const std::filesystem::path& file);

// Writes `m` as a float64 C-order array of shape (rows, cols). Throws std::invalid_argument if
// values.size() != rows * cols, std::runtime_error naming `file` if it cannot be written.
void write_npy(const std::filesystem::path& file, const Matrix& m);

}  // namespace dfsim::sdpa
