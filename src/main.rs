//! The `msmail` command: a thin shell over the library.

/// mimalloc instead of the system allocator: a million-entry run makes tens
/// of millions of small allocations, and glibc's malloc/free took a quarter
/// of the profile (docs/benchmarks.md). The `system-alloc` feature keeps the
/// system allocator, for heap profilers such as heaptrack.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(msmail::cli::main());
}
