#pragma once
// A read-only view of one node of a loaded YAML document, with its dotted key path and where it
// came from. yaml-cpp is wrapped here once; the layers above never include it.

#include <memory>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"

namespace qarch::config {

class DocumentData;  // defined in document.cpp
struct NodeHandle;   // a yaml-cpp node, opaque outside config/

class Value {
 public:
  enum class Kind { Null, Scalar, Sequence, Map };

  Kind kind() const;
  bool is_null() const { return kind() == Kind::Null; }
  bool is_scalar() const { return kind() == Kind::Scalar; }
  bool is_sequence() const { return kind() == Kind::Sequence; }
  bool is_map() const { return kind() == Kind::Map; }
  static const char* kind_name(Kind kind);  // "a mapping", "a list", ...

  const std::string& path() const { return path_; }  // "pe_array.rows", "layers[3].name"
  Location location() const;                         // file:line:column or "--set ..." origin
  const std::string& file() const;                   // the document's file name
  const std::string& directory() const;              // for resolving paths relative to the file

  std::string scalar() const;  // the text of a scalar ("" for non-scalars)

  // Sequences: elements with paths "<path>[i]".
  std::size_t size() const;
  Value at(std::size_t index) const;

  // Maps: keys in document order (duplicates included), the value and the key's own location.
  std::vector<std::string> keys() const;
  bool has(const std::string& key) const;
  Value get(const std::string& key) const;  // a Null value when absent
  Location key_location(const std::string& key) const;
  Location key_location_at(std::size_t index) const;  // the index-th key in document order

 private:
  friend class Document;
  Value(std::shared_ptr<const DocumentData> doc, std::shared_ptr<const NodeHandle> node,
        std::string path);
  std::string child_path(const std::string& key) const;

  std::shared_ptr<const DocumentData> doc_;
  std::shared_ptr<const NodeHandle> node_;
  std::string path_;
};

}  // namespace qarch::config
