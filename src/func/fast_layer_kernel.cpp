#include "func/fast_layer_kernel.hpp"

#include <cmath>
#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "func/simd_int_gemm.hpp"
#include "numerics/codec.hpp"
#include "numerics/quire.hpp"

namespace qarch::func {

namespace {

using numerics::Format;
using numerics::FormatKind;

// Every code's value times 2^shift, as Mac's integer path computes it; false unless all are
// integers of magnitude <= limit.
bool units_table(const Format& f, int shift, double limit, std::vector<std::int32_t>& out, double& max_abs) {
  if (f.bits() > 16) return false;
  out.assign(static_cast<std::size_t>(f.code_count()), 0);
  max_abs = 0;
  for (std::uint64_t c = 0; c < f.code_count(); ++c) {
    const double u = std::ldexp(numerics::decode(f, static_cast<std::uint32_t>(c)), shift);
    if (!std::isfinite(u) || u != std::trunc(u) || std::fabs(u) > limit) return false;
    out[c] = static_cast<std::int32_t>(u);
    max_abs = std::fmax(max_abs, std::fabs(u));
  }
  return true;
}

// Every code's value as a float (the decode is exact: DotKernel and Mac checked), or the code's
// bits for fp32.
bool float_table(const Format& f, std::vector<float>& out, bool& fp32_bits) {
  fp32_bits = f.is_fp32();
  return fp32_bits || float_values(f, out);
}

std::size_t round_up(std::size_t x, std::size_t multiple) { return (x + multiple - 1) / multiple * multiple; }

}  // namespace

FastLayerKernel::FastLayerKernel(const GemmLayout& layout, const arch::LayerFormats& formats,
                                 const DotKernel& kernel, const mapping::AccumulationOrder& order,
                                 bool order_free, const std::vector<double>& bias_values)
    : groups_(layout.groups), m_(layout.m), k_(layout.k), n_(layout.n) {
  if (m_ < 1 || n_ < 1 || k_ < 1) return;
  lanes_are_rows_ = m_ >= n_;
  ld_ = round_up(static_cast<std::size_t>(lanes_are_rows_ ? m_ : n_), lane_chain_padding());
  lane_ld_ = round_up(static_cast<std::size_t>(m_), lane_chain_padding());
  const LaneOrder lane_order(order, order_free, k_);
  if (choose_integer(formats, kernel, order_free, bias_values)) {
    if (kind_ == Kind::IntChains) {
      const Format& acc = formats.accumulator;
      const auto lo = static_cast<std::int32_t>(std::ldexp(numerics::lowest_value(acc), fraction_bits_));
      const auto hi = static_cast<std::int32_t>(std::ldexp(numerics::max_value(acc), fraction_bits_));
      const bool wrap = kernel.mac().make_accumulator().overflow_mode() == numerics::Overflow::Wrap;
      int_chains_ = std::make_unique<IntLaneChains>(lane_order, lo, hi, wrap);
    }
  } else if (choose_mitchell(formats, kernel, lane_order, bias_values)) {
  } else if (choose_quire(formats, kernel, order_free, bias_values)) {
  } else if (choose_float(formats, kernel, lane_order.sequential, bias_values)) {
    fp32_chains_ = std::make_unique<Fp32LaneChains>(lane_order);
    takes_float_lanes_ = lanes_are_rows_;
  }
}

bool FastLayerKernel::choose_integer(const arch::LayerFormats& formats, const DotKernel& kernel,
                                     bool order_free, const std::vector<double>& bias_values) {
  const Format& acc = formats.accumulator;
  // Mac's integer path: the product is weight units x activation units, exactly.
  if (!acc.is_integer_like() || std::string(kernel.mac().fast_path_name()) != "integer") return false;
  fraction_bits_ = acc.fraction_bits();
  const int fa = formats.activation.fraction_bits();
  double max_w = 0, max_a = 0;
  if (!units_table(formats.weight, fraction_bits_ - fa, 0x1p15, weight_units_, max_w) ||
      !units_table(formats.activation, fa, 0x1p15, activation_units_, max_a)) {
    return false;
  }
  const double lowest = std::ldexp(numerics::lowest_value(acc), fraction_bits_);
  const double highest = std::ldexp(numerics::max_value(acc), fraction_bits_);
  const double product = max_w * max_a;
  const double k = static_cast<double>(k_);
  // Every sum stays in [lo, hi] after each add, so one add of a product fits int32.
  const double range = std::fmax(std::fabs(lowest), std::fabs(highest));
  const double modulus = highest - lowest + 1;
  const bool gemm = order_free && max_w < 0x1p15 && max_a < 0x1p15 && k * product < 0x1p31;
  const bool chains = range + product < 0x1p31 && std::exp2(std::round(std::log2(modulus))) == modulus;
  if (!gemm && !chains) return false;
  if (!bias_starts(kernel, bias_values, 0x1p31)) return false;  // a wide accumulator's bias beyond int32
  start_units_.assign(start_units64_.begin(), start_units64_.end());
  kind_ = gemm ? Kind::IntGemm : Kind::IntChains;
  if (kind_ == Kind::IntGemm) k_padded_ = round_up(static_cast<std::size_t>(k_), int16_gemm_row_padding());
  // Rows in lanes when there are enough rows to fill half a 512-bit vector (convolutions), if
  // the caller's zero count on units is its count on codes.
  lane_gemm_ = kind_ == Kind::IntGemm && m_ >= 8;
  for (std::uint64_t c = 0; c < formats.activation.code_count() && lane_gemm_; ++c) {
    lane_gemm_ = (activation_units_[c] == 0) == (numerics::decode(formats.activation, static_cast<std::uint32_t>(c)) == 0.0);
  }
  k_pairs_ = (static_cast<std::size_t>(k_) + 1) / 2;
  const FormatKind a = formats.activation.kind();
  units_are_values_ = a == FormatKind::Int || a == FormatKind::UInt;
  for (std::uint64_t c = 0; c < formats.activation.code_count() && units_are_values_; ++c) {
    units_are_values_ = activation_units_[c] == numerics::decode(formats.activation, static_cast<std::uint32_t>(c));
  }
  return true;
}

bool FastLayerKernel::bias_starts(const DotKernel& kernel, const std::vector<double>& bias_values, double limit) {
  numerics::Accumulator first = kernel.mac().make_accumulator();
  start_units64_.resize(bias_values.size());
  bias_overflows_by_group_.assign(static_cast<std::size_t>(groups_), 0);
  for (std::size_t c = 0; c < bias_values.size(); ++c) {  // the bias is a chain's first add
    first.reset();
    if (bias_values[c] != 0.0) first.add(bias_values[c]);
    const double units = std::ldexp(first.value(), fraction_bits_);
    if (std::fabs(units) >= limit) return false;
    start_units64_[c] = static_cast<std::int64_t>(units);
    bias_overflows_by_group_[c / static_cast<std::size_t>(n_)] += first.overflow_count();
  }
  return true;
}

bool FastLayerKernel::choose_mitchell(const arch::LayerFormats& formats, const DotKernel& kernel,
                                      const LaneOrder& order, const std::vector<double>& bias_values) {
  const numerics::Mac& mac = kernel.mac();
  if (std::string(mac.fast_path_name()) != "mitchell_integer") return false;
  const Format& acc = formats.accumulator;
  fraction_bits_ = acc.fraction_bits();
  const double lowest = std::ldexp(numerics::lowest_value(acc), fraction_bits_);
  const double highest = std::ldexp(numerics::max_value(acc), fraction_bits_);
  const double modulus = highest - lowest + 1;
  const auto pack = [](const std::vector<numerics::Mac::MitchellOperand>& in, std::vector<std::int64_t>& out, int& max_k) {
    out.clear();
    for (const numerics::Mac::MitchellOperand& o : in) {
      out.push_back(pack_mitchell_operand(o.fraction, o.k, o.nonzero != 0, o.negative != 0));
      max_k = std::max(max_k, o.k);
    }
  };
  int max_weight_k = 0, max_activation_k = 0;
  pack(mac.mitchell_weights(), weight_mitchell_table_, max_weight_k);
  pack(mac.mitchell_activations(), activation_mitchell_, max_activation_k);
  // A product is below 2^(k + k' + 2) before the shift; every add of one to a sum in [lo, hi]
  // stays inside int64.
  const double product = std::ldexp(1.0, max_weight_k + max_activation_k + 2 + mac.mitchell_shift());
  const double range = std::fmax(std::fabs(lowest), std::fabs(highest));
  if (range + product >= 0x1p62 || std::exp2(std::round(std::log2(modulus))) != modulus) return false;
  if (!bias_starts(kernel, bias_values, 0x1p62)) return false;
  const bool wrap = mac.make_accumulator().overflow_mode() == numerics::Overflow::Wrap;
  int64_chains_ = std::make_unique<Int64LaneChains>(order, static_cast<std::int64_t>(lowest),
                                                    static_cast<std::int64_t>(highest), wrap, mac.mitchell_shift(),
                                                    Int64Product::Mitchell);
  kind_ = Kind::MitchellChains;
  return true;
}

bool FastLayerKernel::choose_float(const arch::LayerFormats& formats, const DotKernel& kernel,
                                   bool sequential, const std::vector<double>& bias_values) {
  if (!formats.accumulator.is_fp32() || formats.multiplier.kind() != numerics::MultiplierKind::Exact) return false;
  // Mac's float32 path: every product is a float, so a multiply-add rounds once whether or not
  // it is fused. DotKernel's fused path (fp32 operands) needs a fused one.
  const bool exact_products = std::string(kernel.mac().fast_path_name()) == "float32";
  if (!exact_products && !(kernel.fused() && lane_chains_fused())) return false;
  if (!float_table(formats.weight, weight_floats_, weight_fp32_bits_) ||
      !float_table(formats.activation, activation_floats_, activation_fp32_bits_)) {
    return false;
  }
  start_floats_.clear();
  for (const double b : bias_values) {
    // A sequential chain starts at the bias: the fused path loads it as is, Mac's accumulator
    // adds it to +0 unless it is zero (so -0 starts at +0). Folded orders add the folds'
    // sums to the bias itself (DotKernel::add).
    const bool zero_start = sequential && exact_products && b == 0.0;
    start_floats_.push_back(zero_start ? 0.0f : static_cast<float>(b));
  }
  kind_ = Kind::Fp32Chains;
  return true;
}

bool FastLayerKernel::choose_quire(const arch::LayerFormats& formats, const DotKernel& kernel, bool order_free,
                                   const std::vector<double>& bias_values) {
  const Format& acc = formats.accumulator;
  if (acc.kind() != FormatKind::Quire || !order_free) return false;
  std::vector<std::int64_t> products = kernel.mac().quire_product_units();
  quire_rounding_ = QuireRounding::build(kernel.mac().make_accumulator());
  if (products.empty() || !quire_rounding_) return false;
  const numerics::Quire quire(acc.posit_bits(), acc.posit_es());
  const int activation_bits = formats.activation.bits();
  // NaR operands: an activation whose product is NaR with every weight (a posit's NaR), a
  // weight whose product is NaR with every activation, and any other weight with a NaR product.
  const auto weights = static_cast<std::size_t>(formats.weight.code_count());
  const auto activations = static_cast<std::size_t>(formats.activation.code_count());
  const auto nar = [&](std::size_t w, std::size_t a) { return products[w << activation_bits | a] == numerics::Mac::kQuireNaR; };
  nar_weight_.assign(weights, 1);
  nar_activation_.assign(activations, 1);
  for (std::size_t w = 0; w < weights; ++w) {
    for (std::size_t a = 0; a < activations; ++a) {
      if (nar(w, a)) continue;
      nar_weight_[w] = 0;
      nar_activation_[a] = 0;
    }
  }
  for (std::size_t w = 0; w < weights; ++w) {
    for (std::size_t a = 0; a < activations; ++a) {
      if (nar(w, a) && !nar_activation_[a]) nar_weight_[w] = 1;
    }
  }
  double max_product = 0;
  for (const std::int64_t p : products) {
    if (p != numerics::Mac::kQuireNaR) max_product = std::fmax(max_product, std::fabs(static_cast<double>(p)));
  }
  double max_bias = 0;
  bias_lsbs_.clear();
  for (const double b : bias_values) {
    const double u = std::ldexp(b, quire.fraction_bits());
    if (u != std::trunc(u) || std::fabs(u) >= 0x1p52) return false;
    bias_lsbs_.push_back(static_cast<std::int64_t>(u));
    max_bias = std::fmax(max_bias, std::fabs(u));
  }
  // Every partial sum stays inside the quire's width (so the scalar path counts no overflow)
  // and int64; a final sum beyond QuireRounding's range goes to the scalar path.
  const double bound = max_bias + static_cast<double>(k_) * max_product;
  if (bound >= std::ldexp(1.0, std::min(quire.width_bits() - 1, 62))) return false;
  // The quire adds products of values that, scaled by 2^(F/2) (F the quire's fraction bits),
  // are integers A: the exact product is A A' in quire lsbs, and PLAM's (Mitchell's product on
  // the values) is Mitchell's integer formula on A and A' (the MAC's table only bounds them and
  // finds the NaR codes). The bound above keeps every sum far from int64's ends: plain adds.
  const numerics::MultiplierKind style = kernel.mac().style().kind();
  const bool plam = style == numerics::MultiplierKind::Plam;
  if ((!plam && style != numerics::MultiplierKind::Exact) || quire.fraction_bits() % 2 != 0) return false;
  const auto scaled = [&](const Format& f, std::vector<std::int64_t>& out) {
    out.clear();
    for (std::uint64_t c = 0; c < f.code_count(); ++c) {
      const double v = numerics::decode(f, static_cast<std::uint32_t>(c));
      const double a = std::isnan(v) ? 0.0 : std::ldexp(std::fabs(v), quire.fraction_bits() / 2);  // NaR: nar_* sets
      if (a != std::trunc(a) || a >= 0x1p31) return false;
      const auto magnitude = static_cast<std::int64_t>(a);
      if (!plam) {
        out.push_back(std::signbit(v) ? -magnitude : magnitude);
        continue;
      }
      const int k = magnitude == 0 ? 0 : 63 - __builtin_clzll(static_cast<std::uint64_t>(magnitude));
      const std::int64_t fraction = magnitude == 0 ? 0 : magnitude - (std::int64_t{1} << k);
      out.push_back(pack_mitchell_operand(fraction, k, magnitude != 0, std::signbit(v)));
    }
    return true;
  };
  if (!scaled(formats.weight, weight_mitchell_table_) || !scaled(formats.activation, activation_mitchell_)) return false;
  const LaneOrder any_order(mapping::AccumulationOrder{}, true, k_);  // a quire's sum is order-free
  int64_chains_ = std::make_unique<Int64LaneChains>(any_order, std::numeric_limits<std::int64_t>::min(),
                                                    std::numeric_limits<std::int64_t>::max(), false, 0,
                                                    plam ? Int64Product::Mitchell : Int64Product::Multiply);
  kind_ = Kind::QuireLanes;
  return true;
}

const char* FastLayerKernel::path_name() const {
  switch (kind_) {
    case Kind::IntGemm: return "simd_int_gemm";
    case Kind::IntChains: return "simd_int_chains";
    case Kind::MitchellChains: return "simd_mitchell_chains";
    case Kind::Fp32Chains: return "simd_fp32_chains";
    case Kind::QuireLanes: return "simd_quire_lanes";
    case Kind::None: break;
  }
  return nullptr;
}

void FastLayerKernel::set_weights(const std::vector<std::uint32_t>& codes) {
  const auto k = static_cast<std::size_t>(k_);
  const auto n = static_cast<std::size_t>(n_);
  const std::size_t channels = static_cast<std::size_t>(groups_) * n;
  const auto store = [&](auto& out, const auto& value) {
    if (lanes_are_rows_) {  // per channel, k values (the broadcast operand)
      out.resize(channels * k);
      for (std::size_t i = 0; i < channels * k; ++i) out[i] = value(codes[i]);
      return;
    }
    out.assign(static_cast<std::size_t>(groups_) * k * ld_, 0);  // per group: k x ld_ lanes
    for (std::size_t c = 0; c < channels; ++c) {
      const std::size_t g = c / n, lane = c % n;
      for (std::size_t j = 0; j < k; ++j) out[(g * k + j) * ld_ + lane] = value(codes[c * k + j]);
    }
  };
  switch (kind_) {
    case Kind::IntGemm:
      if (lane_gemm_) {  // W[c][2p] in the low half, W[c][2p + 1] (or 0) in the high half
        weight_pairs_.assign(channels * k_pairs_, 0);
        for (std::size_t c = 0; c < channels; ++c) {
          for (std::size_t j = 0; j < k; ++j) {
            const auto unit = static_cast<std::uint16_t>(weight_units_[codes[c * k + j] & (weight_units_.size() - 1)]);
            std::int32_t& pair = weight_pairs_[c * k_pairs_ + j / 2];
            pair = static_cast<std::int32_t>(static_cast<std::uint32_t>(pair) | static_cast<std::uint32_t>(unit) << (16 * (j % 2)));
          }
        }
        return;
      }
      weight_rows16_.assign(channels * k_padded_, 0);
      for (std::size_t c = 0; c < channels; ++c) {
        for (std::size_t j = 0; j < k; ++j) {
          weight_rows16_[c * k_padded_ + j] = static_cast<std::int16_t>(weight_units_[codes[c * k + j] & (weight_units_.size() - 1)]);
        }
      }
      return;
    case Kind::IntChains:
      store(weight_int_, [&](std::uint32_t code) { return weight_units_[code & (weight_units_.size() - 1)]; });
      return;
    case Kind::MitchellChains:
      store(weight_mitchell_, [&](std::uint32_t code) { return weight_mitchell_table_[code & (weight_mitchell_table_.size() - 1)]; });
      return;
    case Kind::Fp32Chains:
      store(weight_float_, [&](std::uint32_t code) {
        return weight_fp32_bits_ ? bits_to_float(code) : weight_floats_[code & (weight_floats_.size() - 1)];
      });
      return;
    case Kind::QuireLanes:
      store(weight_mitchell_, [&](std::uint32_t code) { return weight_mitchell_table_[code & (weight_mitchell_table_.size() - 1)]; });
      nar_channel_.assign(channels, 0);
      for (std::size_t i = 0; i < channels * k; ++i) nar_channel_[i / k] |= nar_weight_[codes[i] & (nar_weight_.size() - 1)];
      return;
    case Kind::None: return;
  }
}

template <typename T, typename Activation, typename Run, typename Read>
void FastLayerKernel::run_chains(std::int64_t grp, const std::uint32_t* rows, const std::vector<T>& weights,
                                 const std::vector<T>& starts, LaneBuffers<T>& buf, Activation activation,
                                 Run run, Read read, double* values) {
  const auto k = static_cast<std::size_t>(k_);
  const auto m = static_cast<std::size_t>(m_);
  const auto n = static_cast<std::size_t>(n_);
  const std::size_t first_channel = static_cast<std::size_t>(grp) * n;
  buf.start.resize(ld_, T{0});  // lanes past m (or n) stay zero: they add zeros and are dropped
  buf.out.resize(ld_);
  if (lanes_are_rows_) {  // lane r: row r of A; the channel's weight broadcast per k
    if (buf.x.size() != k * ld_) buf.x.assign(k * ld_, T{0});
    for (std::size_t r = 0; r < m; ++r) {
      for (std::size_t j = 0; j < k; ++j) buf.x[j * ld_ + r] = activation(rows[r * k + j]);
    }
    for (std::size_t c = 0; c < n; ++c) {
      std::fill(buf.start.begin(), buf.start.begin() + static_cast<std::ptrdiff_t>(m), starts[first_channel + c]);
      run(buf.x.data(), m, weights.data() + (first_channel + c) * k, buf.start.data(), buf.out.data());
      for (std::size_t r = 0; r < m; ++r) values[c * m + r] = read(buf.out[r]);
    }
    return;
  }
  // lane c: channel c of the group (weights transposed once); the row's activation broadcast.
  for (std::size_t c = 0; c < n; ++c) buf.start[c] = starts[first_channel + c];
  buf.s.resize(k);
  const T* x = weights.data() + static_cast<std::size_t>(grp) * k * ld_;
  for (std::size_t r = 0; r < m; ++r) {
    for (std::size_t j = 0; j < k; ++j) buf.s[j] = activation(rows[r * k + j]);
    run(x, n, buf.s.data(), buf.start.data(), buf.out.data());
    for (std::size_t c = 0; c < n; ++c) values[c * m + r] = read(buf.out[c]);
  }
}

void FastLayerKernel::run_group(std::int64_t grp, const std::uint32_t* rows, double* values,
                                std::uint64_t& overflows) {
  const auto k = static_cast<std::size_t>(k_);
  const auto m = static_cast<std::size_t>(m_);
  const auto n = static_cast<std::size_t>(n_);
  const double unit = std::ldexp(1.0, -fraction_bits_);  // exact: sums are integers below 2^53
  switch (kind_) {
    case Kind::IntGemm: {
      const std::uint32_t mask = static_cast<std::uint32_t>(activation_units_.size() - 1);
      if (rows16_.size() != m * k_padded_) rows16_.assign(m * k_padded_, 0);  // padding stays 0
      for (std::size_t r = 0; r < m; ++r) {
        for (std::size_t j = 0; j < k; ++j) {
          rows16_[r * k_padded_ + j] = static_cast<std::int16_t>(activation_units_[rows[r * k + j] & mask]);
        }
      }
      gemm_out_.resize(m * n);
      const std::size_t first_channel = static_cast<std::size_t>(grp) * n;
      int16_gemm(rows16_.data(), m, weight_rows16_.data() + first_channel * k_padded_, n, k_padded_, gemm_out_.data());
      for (std::size_t c = 0; c < n; ++c) {
        const std::int64_t start = start_units_[first_channel + c];
        for (std::size_t r = 0; r < m; ++r) {
          values[c * m + r] = static_cast<double>(start + gemm_out_[r * n + c]) * unit;
        }
      }
      return;
    }
    case Kind::IntChains: {
      overflows += bias_overflows_by_group_[static_cast<std::size_t>(grp)] * m;
      const std::uint32_t mask = static_cast<std::uint32_t>(activation_units_.size() - 1);
      run_chains(
          grp, rows, weight_int_, start_units_, int_lanes_,
          [&](std::uint32_t code) { return activation_units_[code & mask]; },
          [&](const std::int32_t* x, std::size_t lanes, const std::int32_t* s, const std::int32_t* start, std::int32_t* out) {
            int_chains_->run(x, ld_, lanes, s, start, out, overflows);
          },
          [&](std::int32_t units) { return static_cast<double>(units) * unit; }, values);
      return;
    }
    case Kind::QuireLanes: {
      const std::uint32_t mask = static_cast<std::uint32_t>(activation_mitchell_.size() - 1);
      char nar = 0;
      for (std::size_t i = 0; i < m * k; ++i) nar |= nar_activation_[rows[i] & mask];
      run_chains(
          grp, rows, weight_mitchell_, bias_lsbs_, mitchell_lanes_,
          [&](std::uint32_t code) { return activation_mitchell_[code & mask]; },
          [&](const std::int64_t* x, std::size_t lanes, const std::int64_t* s, const std::int64_t* start, std::int64_t* out) {
            int64_chains_->run(x, ld_, lanes, s, start, out, overflows);  // counts nothing (bound)
          },
          [&](std::int64_t total) {
            const bool exact = total >= -QuireRounding::limit() && total <= QuireRounding::limit();
            return exact ? quire_rounding_->value(total) : std::numeric_limits<double>::quiet_NaN();
          },
          values);
      const std::size_t first_channel = static_cast<std::size_t>(grp) * n;
      for (std::size_t c = 0; c < n; ++c) {  // NaR: the caller recomputes these on the scalar chain
        if (nar == 0 && nar_channel_[first_channel + c] == 0) continue;
        std::fill(values + c * m, values + (c + 1) * m, std::numeric_limits<double>::quiet_NaN());
      }
      return;
    }
    case Kind::MitchellChains: {
      overflows += bias_overflows_by_group_[static_cast<std::size_t>(grp)] * m;
      const std::uint32_t mask = static_cast<std::uint32_t>(activation_mitchell_.size() - 1);
      run_chains(
          grp, rows, weight_mitchell_, start_units64_, mitchell_lanes_,
          [&](std::uint32_t code) { return activation_mitchell_[code & mask]; },
          [&](const std::int64_t* x, std::size_t lanes, const std::int64_t* s, const std::int64_t* start, std::int64_t* out) {
            int64_chains_->run(x, ld_, lanes, s, start, out, overflows);
          },
          [&](std::int64_t units) { return static_cast<double>(units) * unit; }, values);
      return;
    }
    case Kind::Fp32Chains: {
      const std::uint32_t mask = static_cast<std::uint32_t>(activation_floats_.size() - 1);
      run_chains(
          grp, rows, weight_float_, start_floats_, float_lanes_,
          [&](std::uint32_t code) { return activation_fp32_bits_ ? bits_to_float(code) : activation_floats_[code & mask]; },
          [&](const float* x, std::size_t lanes, const float* s, const float* start, float* out) {
            fp32_chains_->run(x, ld_, lanes, s, start, out);
          },
          [](float v) { return static_cast<double>(v); }, values);
      return;
    }
    case Kind::None: return;
  }
}

void FastLayerKernel::units_of(const std::uint32_t* codes, std::size_t count, std::int16_t* units) const {
  const std::uint32_t mask = static_cast<std::uint32_t>(activation_units_.size() - 1);
  for (std::size_t i = 0; i < count; ++i) units[i] = static_cast<std::int16_t>(activation_units_[codes[i] & mask]);
}

void FastLayerKernel::run_lanes(std::int64_t grp, const std::int16_t* lanes, double* values) {
  const auto m = static_cast<std::size_t>(m_);
  const auto n = static_cast<std::size_t>(n_);
  const std::size_t first_channel = static_cast<std::size_t>(grp) * n;
  const double unit = std::ldexp(1.0, -fraction_bits_);  // exact: sums are integers below 2^53
  lane_pairs_.resize(k_pairs_ * 2 * lane_ld_);
  lane_sums_.resize(n * lane_ld_);
  interleave_pairs(lanes, lane_ld_, static_cast<std::size_t>(k_), lane_pairs_.data());
  int16_lane_gemm(lane_pairs_.data(), lane_ld_, m, weight_pairs_.data() + first_channel * k_pairs_, n, k_pairs_,
                  lane_sums_.data());
  for (std::size_t c = 0; c < n; ++c) {
    const std::int64_t start = start_units_[first_channel + c];
    const std::int32_t* sums = lane_sums_.data() + c * lane_ld_;
    for (std::size_t r = 0; r < m; ++r) values[c * m + r] = static_cast<double>(start + sums[r]) * unit;
  }
}

void FastLayerKernel::floats_of(const std::uint32_t* codes, std::size_t count, float* values) const {
  if (activation_fp32_bits_) {
    std::memcpy(values, codes, count * sizeof(float));
    return;
  }
  const std::uint32_t mask = static_cast<std::uint32_t>(activation_floats_.size() - 1);
  for (std::size_t i = 0; i < count; ++i) values[i] = activation_floats_[codes[i] & mask];
}

void FastLayerKernel::run_float_lanes(std::int64_t grp, const float* lanes, double* values) {
  const auto m = static_cast<std::size_t>(m_);
  const auto n = static_cast<std::size_t>(n_);
  const std::size_t first_channel = static_cast<std::size_t>(grp) * n;
  lane_float_sums_.resize(n * lane_ld_);
  fp32_chains_->run_channels(lanes, lane_ld_, m, weight_float_.data() + first_channel * static_cast<std::size_t>(k_),
                             static_cast<std::size_t>(k_), n, start_floats_.data() + first_channel,
                             lane_float_sums_.data());
  for (std::size_t c = 0; c < n; ++c) {
    const float* sums = lane_float_sums_.data() + c * lane_ld_;
    for (std::size_t r = 0; r < m; ++r) values[c * m + r] = static_cast<double>(sums[r]);
  }
}

}  // namespace qarch::func
