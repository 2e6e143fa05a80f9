// RefPtr<T>: an 8-byte intrusive counted reference (half a std::shared_ptr,
// and no separate control block). T counts its own references through
// `void Retain() const` and `void Release() const` (Release frees T when it
// drops the last one); RefCounted<T> provides both for a T that is allocated
// with new.
//
//   struct Note : RefCounted<Note> { std::string text; };
//   RefPtr<const Note> a = MakeRef<Note>();  // One allocation.
//   RefPtr<const Note> b = a;                // One atomic increment.
//
// Thread safety: a value type. Distinct RefPtrs (also to one object) may be
// used, copied and destroyed concurrently; the last one frees the object, and
// every access through any of them happens before that (acq_rel decrement).

#ifndef WHARF_BROKER_BASE_REF_PTR_H_
#define WHARF_BROKER_BASE_REF_PTR_H_

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace wharf::base_internal {

template <typename T>
class RefPtr {
 public:
  RefPtr() noexcept = default;
  RefPtr(std::nullptr_t) noexcept {}  // NOLINT: implicit, as for shared_ptr.
  RefPtr(const RefPtr& other) noexcept : p_(other.p_) {
    if (p_ != nullptr) p_->Retain();
  }
  RefPtr(RefPtr&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  template <typename U>
  requires std::convertible_to<U*, T*> RefPtr(RefPtr<U>&& other)
  noexcept  // NOLINT: implicit.
      : p_(other.Leak()) {}
  RefPtr& operator=(const RefPtr& other) noexcept {
    RefPtr(other).swap(*this);
    return *this;
  }
  RefPtr& operator=(RefPtr&& other) noexcept {
    RefPtr(std::move(other)).swap(*this);
    return *this;
  }
  ~RefPtr() {
    if (p_ != nullptr) p_->Release();
  }

  // Takes over one reference the caller holds on `p` (may be null).
  static RefPtr Adopt(T* p) noexcept {
    RefPtr ref;
    ref.p_ = p;
    return ref;
  }
  // Gives up the reference without dropping it: the caller now holds it.
  T* Leak() noexcept { return std::exchange(p_, nullptr); }

  T* get() const noexcept { return p_; }
  T& operator*() const noexcept { return *p_; }
  T* operator->() const noexcept { return p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  void reset() noexcept { RefPtr().swap(*this); }
  void swap(RefPtr& other) noexcept { std::swap(p_, other.p_); }

  friend bool operator==(const RefPtr& a, const RefPtr& b) noexcept { return a.p_ == b.p_; }
  friend bool operator==(const RefPtr& a, std::nullptr_t) noexcept { return a.p_ == nullptr; }

 private:
  T* p_ = nullptr;
};

// The count for a T allocated with new (MakeRef): starts at one reference.
template <typename T>
class RefCounted {
 public:
  void Retain() const noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Release() const noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete static_cast<const T*>(this);
  }

 protected:
  RefCounted() = default;
  ~RefCounted() = default;
  RefCounted(const RefCounted&) noexcept {}  // A copy is a new object: one reference.
  RefCounted& operator=(const RefCounted&) noexcept { return *this; }

 private:
  mutable std::atomic<uint32_t> refs_{1};
};

template <typename T, typename... Args>
RefPtr<T> MakeRef(Args&&... args) {
  return RefPtr<T>::Adopt(new T(std::forward<Args>(args)...));
}

}  // namespace wharf::base_internal

#endif  // WHARF_BROKER_BASE_REF_PTR_H_
