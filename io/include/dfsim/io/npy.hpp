#pragma once
// NumPy's .npy files (format versions 1.0, 2.0 and 3.0), so that inputs (attention's Q, K and V,
// a graph file's source values) can come from NumPy and outputs go back to it:
//
//   Matrix q = read_npy("inputs/q.npy");               // numpy.save("inputs/q.npy", q)
//   write_npy("out.npy", {.rows = n, .cols = d, .values = o});   // numpy.load("out.npy")
//
// Reads little-endian float64 ('<f8') or float32 ('<f4') arrays in C order, 2-D, or 1-D as an
// n x 1 column. Writes float64 2-D arrays (format 1.0). Every error is a std::runtime_error whose
// message names the file and what is wrong with it.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dfsim::io {

// A rows x cols matrix of doubles, row-major (C order).
struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;  // rows * cols
};

// Throws std::runtime_error naming `file`: missing or unreadable file, not a regular file (a
// directory, a named pipe, a device such as /dev/zero: refused without reading or blocking), bad
// magic string, unsupported version, malformed header (brackets nested more than 64 deep
// included), a header over 1 MiB, unsupported dtype (e.g. '<i8', or big-endian '>f8'), Fortran
// order, not 1-D or 2-D, or fewer data bytes than the shape needs (checked against the file's
// size before anything is allocated). NaN and inf values are read as they are: see
// find_non_finite.
Matrix read_npy(const std::filesystem::path& file);

// The first NaN or infinity of a matrix, row-major, and how many it holds in all.
struct NonFinite {
  std::size_t row = 0;
  std::size_t col = 0;
  double value = 0;
  std::size_t count = 0;
};
std::optional<NonFinite> find_non_finite(const Matrix& m);
// "row 3, column 1 is NaN (counting from 0; the first of 2 NaN or infinite values)"
std::string to_string(const NonFinite& x);

// Writes `m` as a float64 C-order array of shape (rows, cols). Throws std::invalid_argument if
// values.size() != rows * cols, std::runtime_error naming `file` if it cannot be written.
void write_npy(const std::filesystem::path& file, const Matrix& m);

}  // namespace dfsim::io
