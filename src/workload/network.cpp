#include "workload/network.hpp"

#include <algorithm>
#include <cctype>

#include "config/document.hpp"
#include "workload/decoder.hpp"
#include "workload/scalesim_csv_loader.hpp"
#include "workload/yaml_network_loader.hpp"

namespace qarch::workload {

std::int64_t Network::macs() const {
  std::int64_t total = 0;
  for (const auto& layer : layers) total += layer.macs();
  return total;
}

const Layer* Network::find(const std::string& layer_name) const {
  const auto it = std::find_if(layers.begin(), layers.end(),
                               [&](const Layer& l) { return l.name == layer_name; });
  return it == layers.end() ? nullptr : &*it;
}

Network load_network(const std::string& path) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.size() >= 4 && lower.compare(lower.size() - 4, 4, ".csv") == 0) {
    return load_scalesim_csv(path);
  }
  const config::Document document = config::Document::load(path);
  if (is_decoder_file(document)) {
    const DecoderSpec spec = load_decoder(document);
    return decoder_network(spec, spec.sequence, 1);
  }
  return load_yaml_network(document);
}

}  // namespace qarch::workload
