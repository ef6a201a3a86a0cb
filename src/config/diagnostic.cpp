#include "config/diagnostic.hpp"

namespace qarch::config {
namespace {

std::string join_messages(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const auto& d : diagnostics) {
    if (!text.empty()) text += '\n';
    text += d.to_string();
  }
  return text;
}

}  // namespace

std::string excerpt(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t keep = max > 20 ? max - 20 : max;
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;  // whole UTF-8 characters
  return text.substr(0, keep) + "... (" + std::to_string(text.size()) + " bytes)";
}

std::string Location::to_string() const {
  // A --set origin holds the whole value; a path is never this long in practice.
  std::string text = excerpt(file, 512);
  if (line > 0) {
    text += ':' + std::to_string(line);
    if (column > 0) text += ':' + std::to_string(column);
  }
  return text;
}

std::string Diagnostic::to_string() const {
  std::string text = where.to_string();
  if (!key_path.empty()) text += (text.empty() ? "" : ": ") + key_path;
  return text + (text.empty() ? "" : ": ") + message;
}

InputError::InputError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_messages(diagnostics)), diagnostics_(std::move(diagnostics)) {}

InputError::InputError(Diagnostic diagnostic)
    : InputError(std::vector<Diagnostic>{std::move(diagnostic)}) {}

void Diagnostics::add(Location where, std::string key_path, std::string message) {
  items_.push_back(Diagnostic{std::move(where), std::move(key_path), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void Diagnostics::throw_if_any() const {
  if (!items_.empty()) throw InputError(items_);
}

}  // namespace qarch::config
