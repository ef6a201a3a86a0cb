#include "config/document.hpp"

#include "config/input_file.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

namespace qarch::config {

struct NodeHandle {
  YAML::Node node;
};

// What every Value of one document shares: names for messages and the override origins.
class DocumentData {
 public:
  std::string file;
  std::string directory;
  YAML::Node root;
  // Normalised override paths ("layers[3].name") -> the override as typed.
  std::vector<std::pair<std::string, std::string>> overrides;

  // The override that set `path` or one of its ancestors, if any.
  const std::string* override_for(const std::string& path) const {
    const std::string* found = nullptr;
    for (const auto& [prefix, text] : overrides) {
      const bool covers = path.compare(0, prefix.size(), prefix) == 0 &&
                          (path.size() == prefix.size() || path[prefix.size()] == '.' ||
                           path[prefix.size()] == '[');
      if (covers) found = &text;  // the last override wins, as when applying
    }
    return found;
  }
};

bool is_index(const std::string& segment) {
  return !segment.empty() && segment.size() < 10 &&
         segment.find_first_not_of("0123456789") == std::string::npos;
}

namespace {

Location mark_location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return Location{file, 0, 0};
  return Location{file, mark.line + 1, mark.column + 1};
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    segments.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segments;
}

std::string normalised(const std::vector<std::string>& segments, std::size_t count) {
  std::string path;
  for (std::size_t i = 0; i < count; ++i) {
    if (is_index(segments[i]) && i > 0) {
      path += '[' + segments[i] + ']';
    } else {
      path += (path.empty() ? "" : ".") + segments[i];
    }
  }
  return path;
}

}  // namespace

Override Override::parse(std::string_view text) {
  const std::string typed = "--set " + std::string(text);
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    throw InputError(Diagnostic{Location{typed}, "", "expected KEY=VALUE, e.g. pe_array.rows=32"});
  }
  Override result{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)), typed};
  for (const auto& segment : split_path(result.path)) {
    if (segment.empty()) {
      throw InputError(Diagnostic{Location{typed}, "",
                                  "KEY must be a dotted path of non-empty names, e.g. pe_array.rows"});
    }
  }
  if (result.value.empty()) {
    throw InputError(Diagnostic{Location{typed}, result.path, "VALUE is empty"});
  }
  return result;
}

Document::Document(std::shared_ptr<DocumentData> data) : data_(std::move(data)) {}

Document Document::parse(const std::string& text, const std::string& name) {
  auto data = std::make_shared<DocumentData>();
  data->file = name;
  data->directory = std::filesystem::path(name).parent_path().string();
  try {
    // Every document of the stream: a second one would otherwise be ignored without a word.
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.size() > 1) {
      throw InputError(Diagnostic{mark_location(name, documents[1].Mark()), "",
                                  "a second YAML document (after '---'); a file holds one"});
    }
    if (!documents.empty()) data->root = documents.front();
  } catch (const YAML::DeepRecursion& e) {
    throw InputError(Diagnostic{mark_location(name, e.mark), "",
                                "invalid YAML: nested more than " + std::to_string(e.depth()) +
                                    " levels deep"});
  } catch (const YAML::Exception& e) {
    throw InputError(Diagnostic{mark_location(name, e.mark), "", "invalid YAML: " + e.msg});
  }
  if (!data->root.IsDefined() || data->root.IsNull()) {
    throw InputError(Diagnostic{Location{name}, "", "the file is empty; expected a YAML mapping"});
  }
  if (!data->root.IsMap()) {
    throw InputError(Diagnostic{mark_location(name, data->root.Mark()), "",
                                "expected a YAML mapping (key: value lines) at the top level"});
  }
  return Document(std::move(data));
}

Document Document::load(const std::string& path) { return parse(read_input_file(path, "a YAML file"), path); }

void Document::apply(const std::vector<Override>& overrides) {
  for (const auto& o : overrides) {
    YAML::Node value;
    try {
      value = YAML::Load(o.value);
    } catch (const YAML::Exception& e) {
      throw InputError(Diagnostic{Location{o.text}, o.path, "VALUE is not valid YAML: " + e.msg});
    }
    const auto segments = split_path(o.path);
    YAML::Node current = data_->root;
    for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
      const std::string& segment = segments[i];
      YAML::Node next;
      if (current.IsSequence() && is_index(segment)) {
        const std::size_t index = std::stoul(segment);
        if (index >= current.size()) {
          throw InputError(Diagnostic{Location{o.text}, normalised(segments, i + 1),
                                      "index out of range: the list has " +
                                          std::to_string(current.size()) + " entries"});
        }
        next.reset(current[index]);
      } else if (current.IsMap()) {
        if (!current[segment]) {
          // A map this override creates: its messages (an unknown key) point at the --set.
          current[segment] = YAML::Node(YAML::NodeType::Map);
          data_->overrides.emplace_back(normalised(segments, i + 1), o.text);
        }
        next.reset(current[segment]);
      } else {
        throw InputError(Diagnostic{Location{o.text}, normalised(segments, i),
                                    "is a single value, so it has no key '" + segment + "'"});
      }
      current.reset(next);
    }
    const std::string& last = segments.back();
    if (current.IsSequence() && is_index(last)) {
      const std::size_t index = std::stoul(last);
      if (index >= current.size()) {
        throw InputError(Diagnostic{Location{o.text}, normalised(segments, segments.size()),
                                    "index out of range: the list has " +
                                        std::to_string(current.size()) + " entries"});
      }
      current[index] = value;
    } else if (current.IsMap()) {
      current[last] = value;
    } else {
      throw InputError(Diagnostic{Location{o.text}, normalised(segments, segments.size() - 1),
                                  "is a single value, so it has no key '" + last + "'"});
    }
    data_->overrides.emplace_back(normalised(segments, segments.size()), o.text);
  }
}

Value Document::root() const {
  return Value(data_, std::make_shared<NodeHandle>(NodeHandle{data_->root}), "");
}

const std::string& Document::file() const { return data_->file; }

// ---- Value ----

Value::Value(std::shared_ptr<const DocumentData> doc, std::shared_ptr<const NodeHandle> node,
             std::string path)
    : doc_(std::move(doc)), node_(std::move(node)), path_(std::move(path)) {}

Value::Kind Value::kind() const {
  const YAML::Node& n = node_->node;
  if (!n.IsDefined() || n.IsNull()) return Kind::Null;
  if (n.IsScalar()) return Kind::Scalar;
  if (n.IsSequence()) return Kind::Sequence;
  return Kind::Map;
}

const char* Value::kind_name(Kind kind) {
  switch (kind) {
    case Kind::Null: return "nothing";
    case Kind::Scalar: return "a single value";
    case Kind::Sequence: return "a list";
    case Kind::Map: return "a mapping";
  }
  return "?";
}

Location Value::location() const {
  if (const std::string* origin = doc_->override_for(path_)) return Location{*origin};
  return mark_location(doc_->file, node_->node.Mark());
}

const std::string& Value::file() const { return doc_->file; }
const std::string& Value::directory() const { return doc_->directory; }

std::string Value::scalar() const { return is_scalar() ? node_->node.Scalar() : std::string{}; }

std::size_t Value::size() const { return is_sequence() || is_map() ? node_->node.size() : 0; }

Value Value::at(std::size_t index) const {
  const YAML::Node& n = node_->node;
  YAML::Node element = is_sequence() && index < n.size() ? n[index] : YAML::Node();
  return Value(doc_, std::make_shared<NodeHandle>(NodeHandle{element}),
               path_ + "[" + std::to_string(index) + "]");
}

std::vector<std::string> Value::keys() const {
  std::vector<std::string> result;
  if (!is_map()) return result;
  for (const auto& pair : node_->node) result.push_back(pair.first.Scalar());
  return result;
}

bool Value::has(const std::string& key) const {
  if (!is_map()) return false;
  for (const auto& pair : node_->node) {
    if (pair.first.Scalar() == key) return true;
  }
  return false;
}

Value Value::get(const std::string& key) const {
  YAML::Node child;
  if (is_map()) {
    for (const auto& pair : node_->node) {
      if (pair.first.Scalar() == key) {
        child.reset(pair.second);
        break;
      }
    }
  }
  return Value(doc_, std::make_shared<NodeHandle>(NodeHandle{child}), child_path(key));
}

Location Value::key_location(const std::string& key) const {
  const std::string path = child_path(key);
  if (const std::string* origin = doc_->override_for(path)) return Location{*origin};
  if (is_map()) {
    for (const auto& pair : node_->node) {
      if (pair.first.Scalar() == key) return mark_location(doc_->file, pair.first.Mark());
    }
  }
  return location();
}

Location Value::key_location_at(std::size_t index) const {
  std::size_t i = 0;
  if (is_map()) {
    for (const auto& pair : node_->node) {
      if (i++ == index) return mark_location(doc_->file, pair.first.Mark());
    }
  }
  return location();
}

std::string Value::child_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

}  // namespace qarch::config
