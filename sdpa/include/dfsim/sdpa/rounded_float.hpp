#pragma once
// Half precision (IEEE 754 binary16, "fp16") and bfloat16 ("bf16") emulated in software, so
// that the attention graphs can compute in them on any machine (docs/sdpa.md, "Precision").
//
// A Rounded<Format> holds a value of the format (in a float, which represents every fp16 and
// bf16 value exactly, subnormals included). Every operation computes the exact result's
// double-precision rounding from the operands and rounds that to the format, to nearest with
// ties to even, overflowing to infinity past the format's largest finite value and
// underflowing gradually through its subnormals. For + - * / and sqrt this is the correctly
// rounded result of the format's own arithmetic: double has 53 >= 2p + 2 significand bits, so
// rounding twice equals rounding once (Figueroa, "When is double rounding innocuous?", 1995).
// exp is std::exp in double, rounded once more: correct except in the rare case where the
// double result lies within half a double ulp of a midpoint of the format.
//
//   using dfsim::sdpa::Half;
//   Half a = 1.0, b = 0x1p-11;       // 1 and half an ulp of 1
//   Half c = a + b;                   // a tie: rounds to even, c == 1
//   Half big = exp(Half(11.1));       // e^11.1 > 65504: +inf, as in fp16 hardware
#include <cmath>
#include <compare>
#include <limits>

namespace dfsim::sdpa {

// The formats: significand bits p (the leading bit included), the smallest normal exponent,
// the largest finite value.
struct Fp16Format {
  static constexpr int precision = 11;
  static constexpr int min_exponent = -14;
  static constexpr double max = 65504.0;  // (2 - 2^-10) 2^15
};
struct Bf16Format {
  static constexpr int precision = 8;
  static constexpr int min_exponent = -126;
  static constexpr double max = 0x1.FEp127;  // (2 - 2^-7) 2^127
};

// x rounded to the format: to nearest, ties to even (std::nearbyint in the default rounding
// mode), subnormals below 2^min_exponent, +-inf beyond max. NaN, inf and zeros pass through.
template <class Format>
double round_to_format(double x) noexcept {
  if (!std::isfinite(x) || x == 0) return x;
  int e = 0;
  (void)std::frexp(x, &e);  // |x| in [2^(e-1), 2^e)
  const int exponent = e - 1 < Format::min_exponent ? Format::min_exponent : e - 1;
  // The spacing of the format's values at x: dividing by it and multiplying back are exact
  // (powers of two, far from double's own range limits).
  const double ulp = std::ldexp(1.0, exponent - (Format::precision - 1));
  const double r = std::nearbyint(x / ulp) * ulp;
  return std::fabs(r) > Format::max ? std::copysign(HUGE_VAL, x) : r;
}

template <class Format>
class Rounded {
 public:
  Rounded() = default;
  // Implicit, as from double to float: literals and the double-precision inputs convert.
  Rounded(double x) noexcept : value_(static_cast<float>(round_to_format<Format>(x))) {}  // NOLINT
  explicit operator double() const noexcept { return value_; }
  explicit operator float() const noexcept { return value_; }

  friend Rounded operator+(Rounded a, Rounded b) noexcept { return double(a) + double(b); }
  friend Rounded operator-(Rounded a, Rounded b) noexcept { return double(a) - double(b); }
  friend Rounded operator*(Rounded a, Rounded b) noexcept { return double(a) * double(b); }
  friend Rounded operator/(Rounded a, Rounded b) noexcept { return double(a) / double(b); }
  friend Rounded operator-(Rounded a) noexcept { return -double(a); }
  Rounded& operator+=(Rounded b) noexcept { return *this = *this + b; }
  Rounded& operator*=(Rounded b) noexcept { return *this = *this * b; }
  friend bool operator==(Rounded a, Rounded b) noexcept { return a.value_ == b.value_; }
  friend std::partial_ordering operator<=>(Rounded a, Rounded b) noexcept {
    return a.value_ <=> b.value_;
  }
  // Found by argument-dependent lookup: exp(x) in a template works for float, double and these.
  friend Rounded exp(Rounded x) noexcept { return std::exp(double(x)); }
  friend Rounded sqrt(Rounded x) noexcept { return std::sqrt(double(x)); }
  friend bool isfinite(Rounded x) noexcept { return std::isfinite(x.value_); }

 private:
  float value_ = 0;
};

using Half = Rounded<Fp16Format>;
using BFloat16 = Rounded<Bf16Format>;

}  // namespace dfsim::sdpa

namespace std {
template <class Format>
class numeric_limits<dfsim::sdpa::Rounded<Format>> {
  using R = dfsim::sdpa::Rounded<Format>;

 public:
  static constexpr bool is_specialized = true;
  static constexpr bool has_infinity = true;
  static constexpr bool has_quiet_NaN = true;
  static constexpr int digits = Format::precision;
  static R infinity() noexcept { return R(HUGE_VAL); }
  static R quiet_NaN() noexcept { return R(std::numeric_limits<double>::quiet_NaN()); }
  static R max() noexcept { return R(Format::max); }
  static R lowest() noexcept { return R(-Format::max); }
  static R min() noexcept { return R(std::ldexp(1.0, Format::min_exponent)); }
  static R epsilon() noexcept { return R(std::ldexp(1.0, 1 - Format::precision)); }
};
}  // namespace std
