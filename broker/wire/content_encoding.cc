#include "broker/wire/content_encoding.h"

#include <zlib.h>

#include <algorithm>

namespace wharf::wire {

InflateResult Gunzip(std::string_view in, size_t max_bytes, std::string* out) {
  out->clear();
  z_stream zs{};
  // 16 + MAX_WBITS: a gzip wrapper, not zlib's or none.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return InflateResult::kMalformed;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());  // Bodies are far below 4 GiB.
  InflateResult result = InflateResult::kOk;
  for (;;) {
    if (out->size() == max_bytes) {
      // Full: only the end of the stream may follow.
      char probe;
      zs.next_out = reinterpret_cast<Bytef*>(&probe);
      zs.avail_out = 1;
      const int rc = inflate(&zs, Z_NO_FLUSH);
      if (zs.avail_out == 0) {
        result = InflateResult::kTooLarge;
        break;
      }
      if (rc == Z_STREAM_END && zs.avail_in == 0) break;
      if (rc == Z_STREAM_END && inflateReset(&zs) == Z_OK) continue;  // Another member.
      result = InflateResult::kMalformed;
      break;
    }
    const size_t start = out->size();
    const size_t room = std::min<size_t>(max_bytes - start, size_t{64} << 10);
    out->resize(start + room);
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + start);
    zs.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    out->resize(start + (room - zs.avail_out));
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      if (inflateReset(&zs) == Z_OK) continue;  // Another member follows.
      result = InflateResult::kMalformed;
      break;
    }
    // No progress possible: the input ended inside the stream, or is bad.
    if (rc != Z_OK || (zs.avail_in == 0 && zs.avail_out != 0)) {
      result = InflateResult::kMalformed;
      break;
    }
  }
  inflateEnd(&zs);
  if (result != InflateResult::kOk) out->clear();
  return result;
}

}  // namespace wharf::wire
