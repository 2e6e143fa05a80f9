// Paging of List* results, the one implementation the services share. Each
// service keeps its own token format on top (EventBridge and SNS hand out the
// key of the next page's first item, SQS the base64url of the last URL
// returned).
//
//   std::vector<Rule> rules = ...;  // sorted by name
//   auto page = TakePage(std::move(rules), [](const Rule& r) { return r.name; },
//                        token, PageStart::kAtKey, 100);
//   result.next_token = page.next_key;
//
// Thread safety: pure functions.

#ifndef WHARF_BROKER_SERVICE_PAGINATION_H_
#define WHARF_BROKER_SERVICE_PAGINATION_H_

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::service_internal {

// Where a page starts relative to the start key.
enum class PageStart {
  kAtKey,     // The first item whose key is >= the start key.
  kAfterKey,  // The first item whose key is > the start key.
};

template <typename T>
struct Page {
  std::vector<T> items;  // At most `limit`.
  bool more = false;     // Items remain after the page.
  std::string next_key;  // The key of the first item after the page; empty when none.
};

// One page of `items`, which are sorted by `key` (a function T -> string-like).
// An empty `start` starts at the first item. O(log n + limit) comparisons,
// plus moving the page's items.
template <typename T, typename KeyFn>
Page<T> TakePage(std::vector<T> items, const KeyFn& key, std::string_view start, PageStart from,
                 size_t limit) {
  auto begin = items.begin();
  if (!start.empty()) {
    begin =
        from == PageStart::kAtKey
            ? std::lower_bound(items.begin(), items.end(), start,
                               [&](const T& item, std::string_view s) { return key(item) < s; })
            : std::upper_bound(items.begin(), items.end(), start,
                               [&](std::string_view s, const T& item) { return s < key(item); });
  }
  auto end = static_cast<size_t>(items.end() - begin) > limit
                 ? begin + static_cast<std::ptrdiff_t>(limit)
                 : items.end();
  Page<T> page;
  if (end != items.end()) {
    page.more = true;
    page.next_key = std::string(key(*end));
  }
  page.items.assign(std::make_move_iterator(begin), std::make_move_iterator(end));
  return page;
}

}  // namespace wharf::service_internal

#endif  // WHARF_BROKER_SERVICE_PAGINATION_H_
