// Turns an event into the leaves the automaton walks: (path id, scalar
// value, array trail). Only paths some pattern names are kept, and a subtree
// is skipped unless some pattern path lies under it (like quamina's
// segments tree), so unused parts of large events cost only their parsing.
//
// Paths join object keys with '.', so the event key "a.b" and the nested
// {"a":{"b":...}} flatten to the same path (spec/eventbridge.md §4.1).

#ifndef WHARF_BROKER_PATTERN_FLATTENER_H_
#define WHARF_BROKER_PATTERN_FLATTENER_H_

#include <vector>

#include "broker/pattern/automaton.h"
#include "simdjson.h"
#include "wharf/pattern.h"

namespace wharf::pattern_internal {

// Appends the leaves of a JSON document (any JSON value) to scratch->leaves.
void FlattenJson(const Automaton& automaton, simdjson::dom::element root, MatchScratch* scratch);

// SNS message attributes: String -> string leaf; Number -> number leaf (a
// string leaf if it does not parse); String.Array -> one leaf per element of
// the JSON array (a string leaf if it is not one); Binary and unknown types
// are ignored.
void FlattenAttributes(const Automaton& automaton,
                       const std::vector<MessageAttributeRef>& attributes, MatchScratch* scratch);

// The MessageAttributes map in JSON form: {"name": {"Type": ..., "Value": ...}}
// ("DataType"/"StringValue"/"BinaryValue" accepted too). Entries that are not
// objects are ignored.
void FlattenAttributesJson(const Automaton& automaton, simdjson::dom::element root,
                           MatchScratch* scratch);

void FlattenFields(const Automaton& automaton, const FlatEvent& event, MatchScratch* scratch);

}  // namespace wharf::pattern_internal

#endif  // WHARF_BROKER_PATTERN_FLATTENER_H_
