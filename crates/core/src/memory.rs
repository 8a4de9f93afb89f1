//! Memory hints for the large record buffers of a run.
//!
//! A 500-symbol daily run writes tens of megabytes of fill, order and signal records.
//! On Linux every first touch of a 4 KiB page is a page fault, and on the project's
//! machines (cgroup-accounted VMs) those faults were a third of a large run's time.
//! Asking for transparent huge pages on the buffers' reserved capacity cuts the faults
//! about sevenfold (measured in docs/PERFORMANCE.md). The advice changes no contents;
//! where it is refused or unsupported, nothing happens.

/// Advises the kernel to back `v`'s reserved capacity with huge pages (Linux only; a
/// no-op elsewhere).
pub fn advise_huge_pages<T>(v: &mut Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = v.capacity() * std::mem::size_of::<T>();
        let begin = v.as_mut_ptr() as usize;
        let start = begin.next_multiple_of(HUGE);
        let end = (begin + bytes) & !(HUGE - 1);
        if end > start {
            // SAFETY: [start, end) lies inside `v`'s own allocation (its reserved
            // capacity), and MADV_HUGEPAGE only changes how the kernel backs those pages,
            // never their contents or mappings; the result is ignored because the advice
            // is optional.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// Pushes `x` onto `v`, growing a full `v` by doubling (to at least 4 MiB, so that a
/// whole 2 MiB page lies inside it) and advising huge pages for the new allocation: for
/// record lists whose final length is unknown (orders, fills), so their growth faults in
/// 2 MiB pages, not 4 KiB ones. Only touched memory becomes resident.
#[inline]
pub fn push_huge<T>(v: &mut Vec<T>, x: T) {
    if v.len() == v.capacity() {
        grow_huge(v);
    }
    v.push(x);
}

#[cold]
fn grow_huge<T>(v: &mut Vec<T>) {
    // A new buffer advised before its first touch, so the move into it faults in huge
    // pages (growing in place would copy into 4 KiB-faulted memory first).
    let least = (4 << 20) / std::mem::size_of::<T>().max(1);
    let mut grown = Vec::with_capacity((v.capacity() * 2).max(least));
    advise_huge_pages(&mut grown);
    grown.append(v);
    *v = grown;
}

/// Asks the CPU to bring the cache line holding `values[i]` closer (a hint: it never
/// faults, changes nothing, and does nothing when `i` is out of range or off x86-64).
/// For columns a loop will read at scattered moments (an order's bar a few bars from
/// now), so the read finds the line in cache rather than waiting on memory.
#[inline(always)]
pub fn prefetch<T>(values: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(v) = values.get(i) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE, which `_mm_prefetch` needs, is part of the x86-64 baseline, and a
        // prefetch of a valid address (an element of `values`) reads nothing the program
        // sees and cannot fault.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((v as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (values, i);
}
