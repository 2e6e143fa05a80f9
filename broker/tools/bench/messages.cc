#include "broker/tools/bench/messages.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "broker/tools/bench/text.h"
#include "broker/topic/envelope.h"

namespace wharf::bench {
namespace {

constexpr std::string_view kStampTag = "wb1.";
constexpr std::string_view kPadField = ",\"pad\":\"";

// Reads digits at `*at`; false when there are none or they overflow.
bool ReadNumber(std::string_view s, size_t* at, int64_t* out) {
  size_t start = *at;
  while (*at < s.size() && absl::ascii_isdigit(s[*at])) ++*at;
  return *at > start && *at - start <= 18 &&
         absl::SimpleAtoi(Absl(s.substr(start, *at - start)), out);
}

}  // namespace

void AppendStamp(const Stamp& stamp, std::string* out) {
  absl::StrAppend(out, Absl(kStampTag), stamp.intended, ".", stamp.producer, ".", stamp.seq, ".",
                  stamp.group);
}

std::optional<Stamp> FindStamp(std::string_view body) {
  for (size_t at = body.find(kStampTag); at != std::string_view::npos;
       at = body.find(kStampTag, at + 1)) {
    size_t i = at + kStampTag.size();
    int64_t parts[4];
    bool ok = true;
    for (int k = 0; k < 4 && ok; ++k) {
      ok = ReadNumber(body, &i, &parts[k]) && (k == 3 || (i < body.size() && body[i++] == '.'));
    }
    if (!ok || parts[1] > INT32_MAX || parts[3] > INT32_MAX) continue;
    return Stamp{.intended = parts[0],
                 .producer = static_cast<int>(parts[1]),
                 .seq = parts[2],
                 .group = static_cast<int>(parts[3])};
  }
  return std::nullopt;
}

MessageFactory::MessageFactory(const LoadSpec& load, int producer, int index, int count,
                               uint64_t seed)
    : load_(load),
      producer_(producer),
      fifo_(load.kind != DestinationKind::kBus && load.destination.ends_with(".fifo")),
      rng_(seed ^ (0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(producer + 1))) {
  if (fifo_) {
    for (int g = index; g < load.groups; g += count) groups_.push_back(g);
  }
  for (const AttributeSpec& a : load.attributes) {
    Attribute attr{.spec = &a, .json_name = {}, .values = {}, .prefix = {}, .suffix = {}};
    topic_internal::AppendJsonString(&attr.json_name, a.name);
    attr.json_name.push_back(':');
    for (const auto& [value, weight] : a.values) {
      std::string json;
      if (a.number) {
        json = value;
      } else {
        topic_internal::AppendJsonString(&json, value);
      }
      attr.values.emplace_back(value, std::move(json));
    }
    size_t n = a.format.find("{n}");
    attr.prefix = a.format.substr(0, n);
    attr.suffix = a.format.substr(n + 3);
    attributes_.push_back(std::move(attr));
  }
}

void MessageFactory::Make(int64_t intended, int n, std::vector<OutMessage>* out) {
  out->resize(static_cast<size_t>(n));
  std::uniform_real_distribution<double> unit(0, 1);
  for (OutMessage& m : *out) {
    m.attributes.clear();
    Stamp stamp{.intended = intended, .producer = producer_, .seq = seq_++, .group = 0};
    if (fifo_) {
      stamp.group = groups_[static_cast<size_t>(stamp.seq % static_cast<int64_t>(groups_.size()))];
      m.group_id = absl::StrCat("g", stamp.group);
      m.dedup_id = absl::StrCat("p", producer_, "-", stamp.seq);
    }
    std::string& body = m.body;
    body.clear();
    body.append("{\"wharf_bench\":\"");
    AppendStamp(stamp, &body);
    body.push_back('"');
    for (const Attribute& a : attributes_) {
      if (a.spec->present < 1 && unit(rng_) >= a.spec->present) continue;
      MessageAttribute attribute{.name = a.spec->name, .value = {}, .number = a.spec->number};
      body.push_back(',');
      body.append(a.json_name);
      if (!a.values.empty()) {
        double u = unit(rng_);
        size_t k = 0;
        while (k + 1 < a.values.size() && u >= a.spec->values[k].second) ++k;
        attribute.value = a.values[k].first;
        body.append(a.values[k].second);
      } else {
        int64_t v = std::uniform_int_distribution<int64_t>(0, a.spec->range - 1)(rng_);
        attribute.value = absl::StrCat(a.prefix, v, a.suffix);
        if (a.spec->number) {
          body.append(attribute.value);
        } else {
          topic_internal::AppendJsonString(&body, attribute.value);
        }
      }
      m.attributes.push_back(std::move(attribute));
    }
    size_t size = static_cast<size_t>(std::max(0.0, std::round(load_.size.Sample(rng_))));
    size_t fixed = body.size() + kPadField.size() + 2;  // + the closing "}
    body.append(kPadField);
    if (size > fixed) body.append(size - fixed, 'x');
    body.append("\"}");
  }
}

}  // namespace wharf::bench
