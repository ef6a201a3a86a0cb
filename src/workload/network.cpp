#include "workload/network.hpp"

#include <algorithm>
#include <cctype>

#include "config/document.hpp"
#include "config/suggest.hpp"
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

namespace {

// `layers.NAME.rest` -> `layers.INDEX.rest`, the index of the layer named NAME in `document`.
void index_layers_by_name(const config::Document& document, std::vector<config::Override>& overrides) {
  const std::string prefix = "layers.";
  const config::Value layers = document.root().get("layers");
  for (config::Override& o : overrides) {
    if (o.path.rfind(prefix, 0) != 0) continue;
    const std::size_t end = o.path.find('.', prefix.size());
    const std::string name = o.path.substr(prefix.size(), end == std::string::npos ? end : end - prefix.size());
    if (name.empty() || config::is_index(name)) continue;
    std::vector<std::string> names;
    std::size_t index = std::string::npos;
    for (std::size_t i = 0; layers.is_sequence() && i < layers.size(); ++i) {
      names.push_back(layers.at(i).get("name").scalar());
      if (names.back() == name && index == std::string::npos) index = i;
    }
    if (index == std::string::npos) {
      throw config::InputError(config::Diagnostic{config::Location{o.text}, "workload." + o.path,
                                                  "no layer named '" + name + "' in " + document.file() +
                                                      config::did_you_mean(name, names)});
    }
    o.path = prefix + std::to_string(index) + (end == std::string::npos ? "" : o.path.substr(end));
  }
}

}  // namespace

std::optional<config::Override> workload_setting(const config::Override& o) {
  static const std::string prefix = "workload.";
  if (o.path.rfind(prefix, 0) != 0) return std::nullopt;
  config::Override setting = o;
  setting.path.erase(0, prefix.size());
  return setting;
}

Network load_network(const std::string& path, std::vector<config::Override> overrides) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.size() >= 4 && lower.compare(lower.size() - 4, 4, ".csv") == 0) {
    if (!overrides.empty()) {
      throw config::InputError(config::Diagnostic{
          config::Location{overrides.front().text}, "workload." + overrides.front().path,
          "workload settings need a qarch YAML network; " + path + " is a SCALE-Sim topology"});
    }
    return load_scalesim_csv(path);
  }
  config::Document document = config::Document::load(path);
  index_layers_by_name(document, overrides);
  document.apply(overrides);
  if (is_decoder_file(document)) {
    const DecoderSpec spec = load_decoder(document);
    return decoder_network(spec, spec.sequence, 1);
  }
  return load_yaml_network(document);
}

}  // namespace qarch::workload
