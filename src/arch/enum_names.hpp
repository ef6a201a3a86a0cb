#pragma once
// One name table per closed set of the architecture (dataflow, cost style, mapper objective,
// weight residency): the YAML spelling of each value is written once, here, and to_string(), the
// loader's "expected one of ..." list and parsing all read it.

#include "arch/arch_spec.hpp"
#include "config/name_table.hpp"

namespace qarch::arch {

using config::NameTable;
using config::name_in;
using config::names_in;
using config::spelled_in;
using config::value_in;

// Each dataflow's implementation is registered under its value in mapping/dataflows.cpp.
inline constexpr NameTable<Dataflow, 5> kDataflowNames{{{Dataflow::WeightStationary, "ws"},
                                                        {Dataflow::OutputStationary, "os"},
                                                        {Dataflow::InputStationary, "is"},
                                                        {Dataflow::RowStationary, "rs"},
                                                        {Dataflow::AdderTree, "adder_tree"}}};
inline constexpr NameTable<CostStyle, 2> kCostStyleNames{
    {{CostStyle::Absolute, "absolute"}, {CostStyle::EyerissNormalized, "eyeriss_normalized"}}};
inline constexpr NameTable<MapperObjective, 3> kMapperObjectiveNames{
    {{MapperObjective::Cycles, "cycles"}, {MapperObjective::Energy, "energy"}, {MapperObjective::Edp, "edp"}}};
inline constexpr NameTable<WeightResidency, 3> kWeightResidencyNames{{{WeightResidency::Auto, "auto"},
                                                                      {WeightResidency::Resident, "true"},
                                                                      {WeightResidency::Streamed, "false"}}};

inline constexpr NameTable<PrecisionScaling, 4> kPrecisionScalingNames{{{PrecisionScaling::BitParallel, "bit_parallel"},
                                                                       {PrecisionScaling::BitSerial, "bit_serial"},
                                                                       {PrecisionScaling::Fusion, "fusion"},
                                                                       {PrecisionScaling::Subword, "subword"}}};
inline constexpr NameTable<SerialOperand, 3> kSerialOperandNames{{{SerialOperand::Activations, "activations"},
                                                                 {SerialOperand::Weights, "weights"},
                                                                 {SerialOperand::Both, "both"}}};

inline constexpr NameTable<Tensor, 3> kTensorNames{
    {{Tensor::Weight, "weight"}, {Tensor::Input, "input"}, {Tensor::Output, "output"}}};

}  // namespace qarch::arch
