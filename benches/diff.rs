//! Benchmark: diff of two generated 1,000,000-entry directories.
//!
//! `cargo bench --bench diff` (optional argument: entry count). B is A with
//! 1% of entries deleted, 1% added, 1% renamed (full name) and 0.5% moved to
//! another address. Prints build and diff times and the peak RSS (VmHWM).

use std::time::Instant;

use msmail::diff::diff_directories;
use msmail::model::{Address, Directory, Entry, TemplateValue};

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn entry(i: usize, name: String) -> Entry {
    let mut e = Entry::new(
        name,
        Address::pcm("NET", &format!("PO{}", i % 1000), &format!("U{i}")),
    );
    e.template.push(TemplateValue {
        prompt: "Phone:".into(),
        value: format!("555 {i:07}").into(),
    });
    e
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let a: Directory = (0..n).map(|i| entry(i, format!("User {i}"))).collect();
    let b: Directory = (0..n + n / 100)
        .filter(|i| i % 100 != 1) // 1% deleted
        .map(|i| {
            if i % 100 == 2 {
                entry(i, format!("Renamed {i}")) // full-name change
            } else if i % 200 == 3 {
                let mut e = entry(i, format!("User {i}"));
                e.address = Address::pcm("NET", &format!("PO{}", i % 1000), &format!("M{i}"));
                e // address rename
            } else {
                entry(i, format!("User {i}")) // i >= n: 1% added
            }
        })
        .collect();
    let built = t.elapsed();
    let rss_before = peak_rss_kib().unwrap_or(0);
    let t = Instant::now();
    let d = diff_directories(&a, &b);
    let took = t.elapsed();
    let tot = d.totals;
    println!(
        "entries A {} B {}; only-in-A {} only-in-B {} renamed {} changed {} unchanged {} scopes {}",
        tot.entries_a,
        tot.entries_b,
        tot.only_in_a,
        tot.only_in_b,
        tot.renamed,
        tot.changed,
        tot.unchanged,
        d.scopes.len()
    );
    println!("build both directories: {:.2?}", built);
    println!("diff_directories: {:.2?}", took);
    println!(
        "peak RSS: {} MiB after building, {} MiB after diff",
        rss_before / 1024,
        peak_rss_kib().unwrap_or(0) / 1024
    );
    assert_eq!(tot.renamed, n / 200);
}
