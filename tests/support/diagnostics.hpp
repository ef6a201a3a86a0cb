#pragma once
// Runs code that must reject its input and returns the messages of the config::InputError it
// throws (one per problem); records a test failure when nothing is thrown.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/diagnostic.hpp"

namespace qarch::testing {

template <typename Body>
std::vector<std::string> diagnostics_of(Body body) {
  try {
    body();
  } catch (const config::InputError& e) {
    std::vector<std::string> texts;
    for (const auto& d : e.diagnostics()) texts.push_back(d.to_string());
    return texts;
  }
  ADD_FAILURE() << "expected a config::InputError";
  return {};
}

}  // namespace qarch::testing
