#include "broker/pattern/flattener.h"

#include <cmath>
#include <string>

#include "absl/strings/numbers.h"
#include "broker/base/json.h"

namespace wharf::pattern_internal {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

class JsonFlattener {
 public:
  JsonFlattener(const Automaton& a, MatchScratch* m) : a_(a), m_(m) {}

  void Value(element v) {
    switch (v.type()) {
      case element_type::OBJECT:
        Object(object(v));
        return;
      case element_type::ARRAY: {
        const uint32_t id = m_->next_array_id++;
        uint32_t index = 0;
        for (element e : array(v)) {
          trail_.push_back({id, index++});
          Value(e);
          trail_.pop_back();
        }
        return;
      }
      default:
        if (std::optional<uint32_t> id = a_.PathId(m_->path)) Scalar(*id, v);
        return;
    }
  }

 private:
  void Object(object o) {
    const size_t base = m_->path.size();
    for (auto [key, value] : o) {
      if (base > 0) m_->path.push_back('.');
      m_->path.append(key.data(), key.size());
      switch (value.type()) {
        case element_type::OBJECT:
          if (a_.IsPathPrefix(m_->path)) Object(object(value));
          break;
        case element_type::ARRAY:
          if (a_.IsPathPrefix(m_->path) || a_.PathId(m_->path)) Value(value);
          break;
        default:
          if (std::optional<uint32_t> id = a_.PathId(m_->path)) Scalar(*id, value);
          break;
      }
      m_->path.resize(base);
    }
  }

  void Scalar(uint32_t path_id, element v) {
    Leaf leaf{path_id,
              LeafKind::kNull,
              {},
              0,
              static_cast<uint32_t>(m_->trails.size()),
              static_cast<uint32_t>(trail_.size())};
    m_->trails.insert(m_->trails.end(), trail_.begin(), trail_.end());
    switch (v.type()) {
      case element_type::STRING:
        leaf.kind = LeafKind::kString;
        leaf.text = std::string_view(v);
        break;
      case element_type::INT64:
        leaf.kind = LeafKind::kNumber;
        leaf.number = static_cast<double>(int64_t(v));
        break;
      case element_type::UINT64:
        leaf.kind = LeafKind::kNumber;
        leaf.number = static_cast<double>(uint64_t(v));
        break;
      case element_type::DOUBLE:
        leaf.kind = LeafKind::kNumber;
        leaf.number = double(v);
        break;
      case element_type::BOOL:
        leaf.kind = bool(v) ? LeafKind::kTrue : LeafKind::kFalse;
        break;
      default:
        break;
    }
    m_->leaves.push_back(leaf);
  }

  const Automaton& a_;
  MatchScratch* m_;
  std::vector<TrailStep> trail_;
};

void AddStringLeaf(uint32_t path_id, std::string_view text, MatchScratch* m) {
  m->leaves.push_back(Leaf{path_id, LeafKind::kString, text, 0, 0, 0});
}

void AddArrayAttribute(uint32_t path_id, std::string_view value, MatchScratch* m) {
  element root;
  if (base_internal::ParseJson(m->array_parser, value, &root) != simdjson::SUCCESS ||
      root.type() != element_type::ARRAY) {
    AddStringLeaf(path_id, value, m);
    return;
  }
  const uint32_t id = m->next_array_id++;
  uint32_t index = 0;
  for (element e : array(root)) {
    Leaf leaf{path_id, LeafKind::kNull, {}, 0, static_cast<uint32_t>(m->trails.size()), 1};
    switch (e.type()) {
      case element_type::STRING:
        // The array parser is reused by the next String.Array: keep a copy.
        leaf.kind = LeafKind::kString;
        leaf.text = m->owned.emplace_back(std::string_view(e));
        break;
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE:
        leaf.kind = LeafKind::kNumber;
        leaf.number = double(e);
        break;
      case element_type::BOOL:
        leaf.kind = bool(e) ? LeafKind::kTrue : LeafKind::kFalse;
        break;
      case element_type::NULL_VALUE:
        break;
      default:
        ++index;
        continue;  // Nested arrays/objects are not valid String.Array members.
    }
    m->trails.push_back({id, index++});
    m->leaves.push_back(leaf);
  }
}

void AddAttribute(const Automaton& a, const MessageAttributeRef& attr, MatchScratch* m) {
  std::optional<uint32_t> path_id = a.PathId(attr.name);
  if (!path_id) return;
  std::string_view type = attr.data_type;
  if (type == "String.Array" || type.starts_with("String.Array.")) {
    AddArrayAttribute(*path_id, attr.value, m);
    return;
  }
  std::string_view base = type.substr(0, type.find('.'));
  if (base == "String") {
    AddStringLeaf(*path_id, attr.value, m);
  } else if (base == "Number") {
    double v;
    if (absl::SimpleAtod(absl::string_view(attr.value.data(), attr.value.size()), &v) &&
        std::isfinite(v)) {
      m->leaves.push_back(Leaf{*path_id, LeafKind::kNumber, {}, v, 0, 0});
    } else {
      AddStringLeaf(*path_id, attr.value, m);
    }
  }
}

}  // namespace

void FlattenJson(const Automaton& automaton, element root, MatchScratch* scratch) {
  if (!automaton.has_paths()) return;
  scratch->path.clear();
  JsonFlattener(automaton, scratch).Value(root);
}

void FlattenAttributes(const Automaton& automaton,
                       const std::vector<MessageAttributeRef>& attributes, MatchScratch* scratch) {
  if (!automaton.has_paths()) return;
  for (const MessageAttributeRef& attr : attributes) AddAttribute(automaton, attr, scratch);
}

void FlattenAttributesJson(const Automaton& automaton, element root, MatchScratch* scratch) {
  if (!automaton.has_paths() || root.type() != element_type::OBJECT) return;
  for (auto [name, value] : object(root)) {
    if (value.type() != element_type::OBJECT) continue;
    MessageAttributeRef ref{name, {}, {}};
    for (auto [k, v] : object(value)) {
      if (v.type() != element_type::STRING) continue;
      if (k == "Type" || k == "DataType") ref.data_type = std::string_view(v);
      if (k == "Value" || k == "StringValue" || k == "BinaryValue") ref.value = std::string_view(v);
    }
    AddAttribute(automaton, ref, scratch);
  }
}

void FlattenFields(const Automaton& automaton, const FlatEvent& event, MatchScratch* scratch) {
  if (!automaton.has_paths()) return;
  for (const FlatEvent::Field& f : event.fields()) {
    std::optional<uint32_t> id = automaton.PathId(f.path);
    if (!id) continue;
    scratch->leaves.push_back(Leaf{*id, f.kind, f.text, f.number, 0, 0});
  }
}

}  // namespace wharf::pattern_internal
