//! The `msmail` command: a thin shell over the library.

/// mimalloc instead of the system allocator: a million-entry run makes tens
/// of millions of small allocations, and glibc's malloc/free took a quarter
/// of the profile (docs/benchmarks.md). The `system-alloc` feature keeps the
/// system allocator, for heap profilers such as heaptrack.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    keep_memory_in_small_pages();
    std::process::exit(msmail::cli::main());
}

/// Transparent huge pages off for this process. mimalloc asks the kernel
/// for huge pages on its arenas, so every 2 MiB it touches becomes resident
/// (and cleared) whole: a million-entry reconcile peaked 20 % higher with
/// them, and ran no faster (docs/benchmarks.md).
#[cfg(target_os = "linux")]
fn keep_memory_in_small_pages() {
    // SAFETY: prctl(PR_SET_THP_DISABLE) takes plain integers and changes
    // only this process's transparent-huge-page flag; a failure (an old
    // kernel) leaves things as they were, which is harmless.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn keep_memory_in_small_pages() {}
