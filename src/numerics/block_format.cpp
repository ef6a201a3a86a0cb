#include "numerics/block_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "numerics/codec.hpp"
#include "numerics/format.hpp"

namespace qarch::numerics {

namespace {

struct MxElement {
  const char* name;
  int bits;
  MiniFloat mini;  // exponent 0 for int8
};

constexpr MxElement kMxElements[] = {
    {"e4m3", 8, {4, 3, 7, 448.0}},  {"e5m2", 8, {5, 2, 15, 57344.0}}, {"e3m2", 6, {3, 2, 3, 28.0}},
    {"e2m3", 6, {2, 3, 1, 7.5}},    {"e2m1", 4, {2, 1, 1, 6.0}},      {"int8", 8, {0, 6, 0, 127.0 / 64.0}}};

const MxElement* mx_element(std::string_view name) {
  for (const MxElement& e : kMxElements)
    if (name == e.name) return &e;
  return nullptr;
}

std::optional<int> number_after(std::string_view text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
  const std::string_view digits = text.substr(prefix.size());
  int value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
  return value;
}

int floor_log2(double v) {  // v > 0, exact
  int e = 0;
  std::frexp(v, &e);
  return e - 1;
}

// The non-negative values of `m` in code order, none above max_norm (no NaN or infinity codes).
std::vector<double> grid_of(const MiniFloat& m) {
  std::vector<double> grid;
  const int codes = 1 << (m.exponent_bits + m.mantissa_bits);
  for (int c = 0; c < codes; ++c) {
    const int field = c >> m.mantissa_bits, mant = c & ((1 << m.mantissa_bits) - 1);
    const double v = field == 0 ? std::ldexp(mant, 1 - m.bias - m.mantissa_bits)
                                : std::ldexp((1 << m.mantissa_bits) + mant, field - m.bias - m.mantissa_bits);
    if (v > m.max_norm) break;
    grid.push_back(v);
  }
  return grid;
}

// The grid index nearest to num / den (num >= 0, den > 0), saturating at the top. Every
// comparison is of num with a grid value or midpoint times den: products of few-bit values and
// den, exact in double, so the quotient is never rounded.
std::size_t nearest(const std::vector<double>& grid, double num, double den, TieRule tie) {
  if (num >= grid.back() * den) return grid.size() - 1;
  std::size_t lo = 0, hi = grid.size() - 1;  // grid[lo] * den <= num < grid[hi] * den
  while (hi - lo > 1) {
    const std::size_t mid = (lo + hi) / 2;
    (grid[mid] * den <= num ? lo : hi) = mid;
  }
  if (grid[lo] * den == num) return lo;
  const double midpoint = (grid[lo] + grid[hi]) / 2 * den;
  if (num < midpoint) return lo;
  if (num > midpoint) return hi;
  return tie == TieRule::Away ? hi : (lo % 2 == 0 ? lo : hi);
}

// The integer nearest to num / den (num >= 0, den > 0, few-bit results), exactly.
std::int64_t nearest_integer(double num, double den, TieRule tie) {
  auto k = static_cast<std::int64_t>(std::floor(num / den));
  while (static_cast<double>(k + 1) * den <= num) ++k;
  while (k > 0 && static_cast<double>(k) * den > num) --k;
  const double twice = 2 * num, mid = static_cast<double>(2 * k + 1) * den;
  if (twice < mid) return k;
  if (twice > mid) return k + 1;
  return tie == TieRule::Away ? k + 1 : (k % 2 == 0 ? k : k + 1);
}

const std::vector<double>& grid(const MiniFloat& m) {
  static const std::vector<double> grids[] = {grid_of(kMxElements[0].mini), grid_of(kMxElements[1].mini),
                                              grid_of(kMxElements[2].mini), grid_of(kMxElements[3].mini),
                                              grid_of(kMxElements[4].mini)};
  for (std::size_t i = 0; i < 5; ++i)
    if (kMxElements[i].mini.exponent_bits == m.exponent_bits && kMxElements[i].mini.mantissa_bits == m.mantissa_bits)
      return grids[i];
  static const std::vector<double> empty;
  return empty;
}

const MiniFloat kE4m3 = kMxElements[0].mini;
const MiniFloat kE2m1 = kMxElements[4].mini;

float amax_of(const float* x, std::size_t n, bool& nonfinite) {
  float amax = 0;
  nonfinite = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) {
      nonfinite = true;  // the finite values still set the scale
      continue;
    }
    amax = std::max(amax, std::fabs(x[i]));
  }
  return amax;
}

}  // namespace

std::optional<ScaleRule> parse_scale_rule(std::string_view text) {
  if (text == "floor") return ScaleRule::Floor;
  if (text == "ceil") return ScaleRule::Ceil;
  if (text == "rceil") return ScaleRule::Rceil;
  return std::nullopt;
}

std::string to_string(ScaleRule rule) {
  return rule == ScaleRule::Floor ? "floor" : rule == ScaleRule::Ceil ? "ceil" : "rceil";
}

std::optional<TieRule> parse_tie_rule(std::string_view text) {
  if (text == "nearest_even") return TieRule::Even;
  if (text == "nearest_away") return TieRule::Away;
  return std::nullopt;
}

std::string to_string(TieRule rule) { return rule == TieRule::Even ? "nearest_even" : "nearest_away"; }

int MiniFloat::emax() const { return floor_log2(max_norm); }

std::optional<BlockFormat> BlockFormat::parse(std::string_view text) {
  BlockFormat f;
  if (text == "nvfp4") {
    f.kind = BlockKind::Nvfp4;
    f.element = "e2m1";
    f.element_bits = 4;
    f.block = 16;
    return f;
  }
  if (text.substr(0, 2) == "mx") {
    std::string_view rest = text.substr(2);
    if (const auto b = rest.rfind("_b"); b != std::string_view::npos) {
      const auto size = number_after(rest.substr(b), "_b");
      if (!size || *size < 1 || *size > 4096) return std::nullopt;
      f.block = *size;
      rest = rest.substr(0, b);
    }
    if (rest == "fp4") rest = "fp4_e2m1";
    std::string_view element;
    if (rest == "int8") {
      element = "int8";
    } else if (rest.substr(0, 2) == "fp" && rest.size() > 4 && rest[3] == '_') {
      element = rest.substr(4);
    } else {
      return std::nullopt;
    }
    const MxElement* e = mx_element(element);
    if (e == nullptr || (element != "int8" && rest.substr(2, 1) != std::to_string(e->bits))) return std::nullopt;
    f.kind = BlockKind::Mx;
    f.element = e->name;
    f.element_bits = e->bits;
    return f;
  }
  if (text.substr(0, 3) == "int") {  // int<bits>_g<G>[_fp16]
    std::string_view rest = text.substr(3);
    if (rest.size() > 5 && rest.substr(rest.size() - 5) == "_fp16") {
      f.fp16_scale = true;
      rest = rest.substr(0, rest.size() - 5);
    }
    const auto g = rest.find("_g");
    if (g == std::string_view::npos) return std::nullopt;
    const auto bits = number_after(rest.substr(0, g), "");
    const auto group = number_after(rest.substr(g), "_g");
    if (!bits || !group || *bits < 2 || *bits > 8 || *group < 1 || *group > 4096) return std::nullopt;
    f.kind = BlockKind::GroupInt;
    f.element_bits = *bits;
    f.element = "int" + std::to_string(*bits);
    f.block = *group;
    return f;
  }
  return std::nullopt;
}

std::string BlockFormat::to_string() const {
  switch (kind) {
    case BlockKind::Nvfp4: return "nvfp4";
    case BlockKind::GroupInt:
      return element + "_g" + std::to_string(block) + (fp16_scale ? "_fp16" : "");
    case BlockKind::Mx: {
      std::string s = element == "int8" ? "mxint8" : "mxfp" + std::to_string(element_bits) + "_" + element;
      if (block != 32) s += "_b" + std::to_string(block);
      return s;
    }
  }
  return "?";
}

int BlockFormat::scale_bits() const {
  if (kind == BlockKind::GroupInt) return fp16_scale ? 16 : 32;
  return 8;
}

MiniFloat BlockFormat::minifloat() const {
  const MxElement* e = mx_element(element);
  return e != nullptr ? e->mini : MiniFloat{};
}

double BlockFormat::max_value() const {
  switch (kind) {
    case BlockKind::Mx: return std::ldexp(minifloat().max_norm, 127);
    case BlockKind::Nvfp4: return 6.0 * 448.0 * static_cast<double>(std::numeric_limits<float>::max()) / 2688.0;
    case BlockKind::GroupInt: return static_cast<double>(std::numeric_limits<float>::max());
  }
  return 0;
}

std::vector<std::string> block_format_names() {
  return {"mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1", "mxint8",
          "nvfp4",      "int4_g32",   "int4_g128",  "int4_g128_fp16", "int8_g128", "int8_g128_fp16"};
}

QuantizedBlock quantize_mx(const BlockFormat& f, const float* x, std::size_t n, ScaleRule rule, TieRule tie) {
  QuantizedBlock q;
  const MiniFloat m = f.minifloat();
  const bool integer = f.element == "int8";
  bool nonfinite = false;
  const float amax = amax_of(x, n, nonfinite);
  q.codes.assign(n, 0);
  if (nonfinite) {
    q.nan = true;
    q.scale_code = 255;
    q.values.assign(n, std::numeric_limits<double>::quiet_NaN());
    return q;
  }
  int e = -127;
  if (amax > 0) {
    switch (rule) {
      case ScaleRule::Floor: e = std::max(floor_log2(amax) - m.emax(), -127); break;
      case ScaleRule::Ceil: {
        e = floor_log2(amax) - floor_log2(m.max_norm) - 1;  // too small by construction
        while (static_cast<double>(amax) > std::ldexp(m.max_norm, e)) ++e;
        e = std::clamp(e, -127, 127);
        break;
      }
      case ScaleRule::Rceil: {
        const float inverse = 1.0f / static_cast<float>(m.max_norm);
        const float ratio = amax * inverse;
        int code = 0;
        if (ratio > 0) {
          int ex = 0;
          const double mant = std::frexp(static_cast<double>(ratio), &ex);
          code = std::clamp((mant == 0.5 ? ex - 1 : ex) + 127, 0, 254);
        }
        e = code - 127;
        break;
      }
    }
  }
  q.scale_exp = e;
  q.scale_code = e + 127;
  const double unit = std::ldexp(1.0, e);
  q.values.resize(n);
  const int sign_bit = integer ? 0 : 1 << (m.exponent_bits + m.mantissa_bits);
  for (std::size_t i = 0; i < n; ++i) {
    const double num = std::fabs(static_cast<double>(x[i]));
    const bool negative = std::signbit(x[i]);
    if (integer) {
      if (num > std::ldexp(127.0, e - 6)) ++q.saturated;
      const std::int64_t k = std::min<std::int64_t>(nearest_integer(num, std::ldexp(1.0, e - 6), tie), 127);
      q.codes[i] = static_cast<std::uint32_t>((negative ? -k : k) & 0xff);
      q.values[i] = (negative && k > 0 ? -1.0 : 1.0) * std::ldexp(static_cast<double>(k), e - 6);
      continue;
    }
    const std::vector<double>& g = grid(m);
    if (num > g.back() * unit) ++q.saturated;  // exact: few-bit value x 2^e
    const std::size_t code = nearest(g, num, unit, tie);
    q.codes[i] = static_cast<std::uint32_t>(code) | (negative ? static_cast<std::uint32_t>(sign_bit) : 0u);
    q.values[i] = (negative ? -1.0 : 1.0) * g[code] * unit;
  }
  return q;
}

float nvfp4_tensor_scale(float tensor_amax) {
  if (!std::isfinite(tensor_amax)) return std::numeric_limits<float>::quiet_NaN();
  const float s = tensor_amax / 2688.0f;  // 448 x 6
  return s == 0 ? 1.0f : s;
}

QuantizedBlock quantize_nvfp4(const float* x, std::size_t n, float tensor_scale) {
  QuantizedBlock q;
  bool nonfinite = false;
  const float amax = amax_of(x, n, nonfinite);
  if (nonfinite || !std::isfinite(tensor_scale)) {  // E4M3's NaN scale: every value NaN
    q.nan = true;
    q.scale_code = 0x7f;
    q.codes.assign(n, 0);
    q.values.assign(n, std::numeric_limits<double>::quiet_NaN());
    return q;
  }
  const double st = tensor_scale;
  const std::vector<double>& e4m3 = grid(kE4m3);
  const std::vector<double>& e2m1 = grid(kE2m1);
  std::size_t sb_code = 0;
  if (amax == 0) {
    sb_code = nearest(e4m3, 1.0, 1.0, TieRule::Even);
  } else if (static_cast<double>(amax) < std::ldexp(6.0 * st, -9)) {  // below the smallest scale
    sb_code = 1;
  } else {
    sb_code = nearest(e4m3, amax, 6.0 * st, TieRule::Even);
  }
  q.scale_code = static_cast<int>(sb_code);
  q.scale = e4m3[sb_code];
  q.tensor_scale = st;
  const double unit = q.scale * st;  // exact: 4 x 24 significant bits
  q.codes.resize(n);
  q.values.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const bool negative = std::signbit(x[i]);
    if (std::fabs(static_cast<double>(x[i])) > 6.0 * unit) ++q.saturated;
    const std::size_t code = nearest(e2m1, std::fabs(static_cast<double>(x[i])), unit, TieRule::Even);
    q.codes[i] = static_cast<std::uint32_t>(code) | (negative ? 8u : 0u);
    q.values[i] = (negative ? -1.0 : 1.0) * e2m1[code] * unit;
  }
  return q;
}

QuantizedBlock quantize_group(const BlockFormat& f, const float* x, std::size_t n) {
  QuantizedBlock q;
  bool nonfinite = false;
  const float amax = amax_of(x, n, nonfinite);
  const std::int64_t qmax = (std::int64_t{1} << (f.element_bits - 1)) - 1;
  float s = amax / static_cast<float>(qmax);  // fp32, rounded once
  if (f.fp16_scale) {
    static const Format fp16 = Format::parse("fp16");
    s = static_cast<float>(decode(fp16, quantize(fp16, static_cast<double>(s))));
  }
  q.scale = s;
  q.codes.resize(n);
  q.values.resize(n);
  const std::uint32_t mask = (1u << f.element_bits) - 1;
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t k = 0;
    const bool negative = std::signbit(x[i]);
    if (s > 0 && std::isfinite(x[i])) {
      const std::int64_t limit = qmax + (negative ? 1 : 0);
      const double magnitude = std::fabs(static_cast<double>(x[i]));
      if (magnitude > static_cast<double>(limit) * s) ++q.saturated;
      k = std::min(nearest_integer(magnitude, s, TieRule::Even), limit);
    }
    const std::int64_t signed_k = negative ? -k : k;
    q.codes[i] = static_cast<std::uint32_t>(signed_k) & mask;
    q.values[i] = static_cast<double>(signed_k) * s;
  }
  if (nonfinite) {
    q.nan = true;
    q.values.assign(n, std::numeric_limits<double>::quiet_NaN());
  }
  return q;
}

float tensor_amax(const float* x, std::size_t n) {
  float amax = 0;
  for (std::size_t i = 0; i < n; ++i)
    amax = std::isfinite(x[i]) ? std::max(amax, std::fabs(x[i])) : std::numeric_limits<float>::quiet_NaN();
  return amax;
}

void quantize_into_blocks(const BlockFormat& f, const float* x, std::size_t n, ScaleRule rule, TieRule tie,
                          float nvfp4_scale, std::vector<QuantizedBlock>& out) {
  const auto block = static_cast<std::size_t>(f.block);
  for (std::size_t b = 0; b < n; b += block) {
    const std::size_t count = std::min(block, n - b);  // zero padding changes no scale
    out.push_back(f.kind == BlockKind::Mx      ? quantize_mx(f, x + b, count, rule, tie)
                  : f.kind == BlockKind::Nvfp4 ? quantize_nvfp4(x + b, count, nvfp4_scale)
                                               : quantize_group(f, x + b, count));
  }
}

std::vector<QuantizedBlock> quantize_into_blocks(const BlockFormat& f, const std::vector<float>& values,
                                                 ScaleRule rule, TieRule tie) {
  // A NaN or infinity anywhere makes NVFP4's tensor scale NaN.
  const float st = f.kind == BlockKind::Nvfp4 ? nvfp4_tensor_scale(tensor_amax(values.data(), values.size())) : 1.0f;
  std::vector<QuantizedBlock> blocks;
  quantize_into_blocks(f, values.data(), values.size(), rule, tie, st, blocks);
  return blocks;
}

std::vector<double> quantize_blocks(const BlockFormat& f, const std::vector<float>& values, ScaleRule rule,
                                    TieRule tie) {
  std::vector<double> out;
  out.reserve(values.size());
  for (const QuantizedBlock& q : quantize_into_blocks(f, values, rule, tie))
    out.insert(out.end(), q.values.begin(), q.values.end());
  return out;
}

}  // namespace qarch::numerics
