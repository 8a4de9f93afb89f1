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
