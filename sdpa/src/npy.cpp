// NumPy .npy files: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// A file is the magic string "\x93NUMPY", a major and a minor version byte, the header length
// (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0), a header that is a Python dict literal
// such as {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }, and the raw data.
#include "dfsim/sdpa/npy.hpp"

#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dfsim::sdpa {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": " + what);
}

// The three entries of the header dict that matter; the parser rejects anything else it
// cannot read, and ignores unknown keys whose values it can read.
struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<std::vector<std::uint64_t>> shape;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::filesystem::path& file)
      : text_(text), file_(file) {}

  Header parse() {
    Header h;
    expect('{');
    for (;;) {
      skip_space();
      if (peek() == '}') break;
      std::string key = string_literal();
      expect(':');
      skip_space();
      if (key == "descr") {
        if (peek() != '\'' && peek() != '"')
          fail(file_,
               "unsupported dtype: a structured array (descr is not a string); "
               "only float64 '<f8' and float32 '<f4' arrays can be read");
        h.descr = string_literal();
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
      } else if (key == "shape") {
        h.shape = tuple();
      } else {
        skip_value();
      }
      skip_space();
      if (peek() == ',') ++pos_;
    }
    if (!h.descr || !h.fortran_order || !h.shape)
      fail(file_, "malformed header: it must give 'descr', 'fortran_order' and 'shape' (header: " +
                      std::string(text_) + ")");
    return h;
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  [[noreturn]] void malformed(const std::string& what) const {
    fail(file_, "malformed header (" + what + " at character " + std::to_string(pos_) +
                    "): " + std::string(text_));
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) malformed(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string_literal() {
    skip_space();
    char quote = peek();
    if (quote != '\'' && quote != '"') malformed("expected a quoted string");
    std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) malformed("unterminated string");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    malformed("expected True or False");
  }
  std::uint64_t integer() {
    skip_space();
    std::uint64_t v = 0;
    std::size_t start = pos_;
    while (peek() >= '0' && peek() <= '9') {
      auto digit = static_cast<std::uint64_t>(peek() - '0');
      if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
        malformed("dimension too large");
      v = v * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) malformed("expected a non-negative integer");
    if (peek() == 'L') ++pos_;  // written by Python 2
    return v;
  }
  std::vector<std::uint64_t> tuple() {
    expect('(');
    std::vector<std::uint64_t> dims;
    for (;;) {
      skip_space();
      if (peek() == ')') break;
      dims.push_back(integer());
      skip_space();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        malformed("expected ',' or ')' in the shape");
      }
    }
    ++pos_;
    return dims;
  }
  // Any value the header might hold for a key we do not use: a string, a bool, a tuple or a
  // list of them, a number.
  void skip_value() {
    skip_space();
    char c = peek();
    if (c == '\'' || c == '"') {
      string_literal();
    } else if (c == '(' || c == '[' || c == '{') {
      char close = c == '(' ? ')' : c == '[' ? ']' : '}';
      ++pos_;
      for (;;) {
        skip_space();
        if (peek() == close) break;
        if (peek() == '\0') malformed("unterminated value");
        skip_value();
        skip_space();
        if (peek() == ',' || peek() == ':') ++pos_;
      }
      ++pos_;
    } else {
      std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
             text_[pos_] != ')' && text_[pos_] != ']' && text_[pos_] != ':')
        ++pos_;
      if (pos_ == start) malformed("expected a value");
    }
  }

  std::string_view text_;
  const std::filesystem::path& file_;
  std::size_t pos_ = 0;
};

template <typename T>
T load_little_endian(const char* p) {
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
  Bits bits = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    bits |= static_cast<Bits>(static_cast<unsigned char>(p[i])) << (8 * i);
  return std::bit_cast<T>(bits);
}

std::uint32_t header_length(const std::string& bytes, std::size_t at, std::size_t size) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < size; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    s += std::to_string(shape[i]);
    if (i + 1 < shape.size() || shape.size() == 1) s += ",";
    if (i + 1 < shape.size()) s += " ";
  }
  return s + ")";
}

}  // namespace

Matrix read_npy(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) fail(file, "no such file");
    fail(file, std::string("cannot open: ") + std::strerror(errno));
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail(file, "read error");

  if (bytes.size() < kMagicSize + 2 || bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0)
    fail(file, "not a NumPy .npy file (bad magic string: it must start with \"\\x93NUMPY\")");
  int major = static_cast<unsigned char>(bytes[kMagicSize]);
  int minor = static_cast<unsigned char>(bytes[kMagicSize + 1]);
  if (major < 1 || major > 3 || minor != 0)
    fail(file, "unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(minor) + " (1.0, 2.0 and 3.0 can be read)");
  std::size_t length_size = major == 1 ? 2 : 4;
  std::size_t header_start = kMagicSize + 2 + length_size;
  if (bytes.size() < header_start) fail(file, "truncated: the file ends inside its preamble");
  std::size_t length = header_length(bytes, kMagicSize + 2, length_size);
  if (bytes.size() < header_start + length)
    fail(file, "truncated: the header is " + std::to_string(length) +
                   " bytes, the file ends after " + std::to_string(bytes.size() - header_start));
  std::string_view header_text(bytes.data() + header_start, length);
  Header h = HeaderParser(header_text, file).parse();

  const std::string& descr = *h.descr;
  std::size_t item_size = 0;
  bool little =
      descr.size() == 3 &&
      (descr[0] == '<' || (descr[0] == '=' && std::endian::native == std::endian::little));
  if (descr.size() == 3 && descr[0] == '>' && (descr.substr(1) == "f8" || descr.substr(1) == "f4"))
    fail(file, "big-endian dtype '" + descr +
                   "' is not supported: save it little-endian, e.g. a.astype('<" + descr.substr(1) +
                   "')");
  if (little && descr.substr(1) == "f8") item_size = 8;
  if (little && descr.substr(1) == "f4") item_size = 4;
  if (item_size == 0)
    fail(file, "unsupported dtype '" + descr +
                   "': only float64 ('<f8') and float32 ('<f4') can be read; convert with "
                   "a.astype(numpy.float64)");
  if (*h.fortran_order)
    fail(file, "Fortran-order array: only C order can be read; save numpy.ascontiguousarray(a)");
  const auto& shape = *h.shape;
  if (shape.size() != 1 && shape.size() != 2)
    fail(file, "wrong dimensions: shape " + shape_text(shape) + " is " +
                   std::to_string(shape.size()) +
                   "-D; a 2-D (rows, cols) or 1-D (rows,) array is needed");

  Matrix m;
  m.rows = shape[0];
  m.cols = shape.size() == 2 ? shape[1] : 1;
  std::size_t available = bytes.size() - header_start - length;
  if (m.cols != 0 && m.rows > available / item_size / m.cols)
    fail(file, "truncated: shape " + shape_text(shape) + " of '" + descr + "' needs " +
                   std::to_string(m.rows) + " x " + std::to_string(m.cols) + " x " +
                   std::to_string(item_size) + " bytes of data, the file has " +
                   std::to_string(available));
  std::size_t count = m.rows * m.cols;
  m.values.resize(count);
  const char* data = bytes.data() + header_start + length;
  for (std::size_t i = 0; i < count; ++i)
    m.values[i] = item_size == 8 ? load_little_endian<double>(data + 8 * i)
                                 : static_cast<double>(load_little_endian<float>(data + 4 * i));
  return m;
}

void write_npy(const std::filesystem::path& file, const Matrix& m) {
  if (m.values.size() != m.rows * m.cols)
    throw std::invalid_argument(
        "write_npy(" + file.string() + "): " + std::to_string(m.values.size()) + " values for a " +
        std::to_string(m.rows) + " x " + std::to_string(m.cols) + " matrix");
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" +
                       std::to_string(m.rows) + ", " + std::to_string(m.cols) + "), }";
  // Pad with spaces and end with '\n' so that the data starts on a 64-byte boundary.
  std::size_t preamble = kMagicSize + 2 + 2;
  std::size_t total = preamble + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::string bytes(kMagic, kMagicSize);
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>((header.size() >> 8) & 0xff);
  bytes += header;
  bytes.reserve(bytes.size() + 8 * m.values.size());
  for (double v : m.values) {
    auto bits = std::bit_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i) bytes += static_cast<char>((bits >> (8 * i)) & 0xff);
  }

  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) fail(file, std::string("cannot create: ") + std::strerror(errno));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail(file, std::string("cannot write: ") + std::strerror(errno));
}

}  // namespace dfsim::sdpa
