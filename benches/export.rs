//! Benchmark: the export writers alone on an in-memory directory.
//!
//! `cargo bench --bench export` (optional arguments: entry count, default
//! 1,000,000, and writer names to run). Builds a directory shaped like the 1M import-text sample
//! (PCM users over 1,000 postoffices, every 10th with a template value, every
//! 50th a group, a few SMTP entries), then times each writer into an in-memory
//! sink. Prints the CPU time of building the directory (scopes scattered,
//! then in runs), then one line per writer with seconds and output bytes.

use std::io::Write;
use std::time::Instant;

use msmail::export::csv::{write_csv, CsvProfile};
use msmail::export::json::write_json;
use msmail::export::ldif::write_ldif;
use msmail::model::{Address, Directory, Entry, EntryKind, TemplateValue};

/// Counts bytes; like the real output path it sits behind a `BufWriter`.
struct Sink(u64);

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// CPU time of this thread in seconds (`/proc/thread-self/schedstat`), so
/// numbers stay comparable when other work shares the cores.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

fn entry(i: usize) -> Entry {
    let address = if i % 100 == 7 {
        Address::parse(&format!("SMTP:user.{i}@example.com")).unwrap_or_else(|_| unreachable!())
    } else {
        Address::pcm(
            &format!("NET{:03}", i % 37),
            &format!("PO{:03}", i % 1000),
            &format!("U{i:07}"),
        )
    };
    let mut e = Entry::new(format!("A User Number {i}"), address);
    if i.is_multiple_of(50) {
        e.kind = EntryKind::Group;
    }
    if i.is_multiple_of(10) {
        e.template.push(TemplateValue {
            prompt: "Phone:".into(),
            value: format!("555 {i:07}").into(),
        });
    }
    e
}

fn run(only: &[String], name: &str, f: impl FnOnce(&mut dyn Write)) {
    if !only.is_empty() && !only.iter().any(|o| o == name) {
        return;
    }
    let mut sink = std::io::BufWriter::new(Sink(0));
    let (t, c) = (Instant::now(), cpu_s());
    f(&mut sink);
    let _ = sink.flush();
    let (took, cpu) = (t.elapsed(), cpu_s() - c);
    println!(
        "{name:<12} wall {:>7.3} s  cpu {:>7.3} s  {:>11} bytes",
        took.as_secs_f64(),
        cpu,
        sink.get_ref().0
    );
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    // Other arguments pick writers: ldif, csv, csv-exch, json (default: all).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a.parse::<usize>().is_err() && !a.starts_with('-'))
        .collect();
    // The directory built twice from entries made beforehand, timed on this
    // thread's CPU: entries in scattered scopes (postoffice i % 1000), then
    // in runs of one scope (as a USR list or a sorted file gives them).
    let scattered: Vec<Entry> = (0..n).map(entry).collect();
    let c = cpu_s();
    let dir: Directory = scattered.into_iter().collect();
    println!(
        "built {n} entries, scopes scattered: cpu {:.3} s",
        cpu_s() - c
    );
    let per_po = n.div_ceil(1000);
    let in_runs: Vec<Entry> = (0..n)
        .map(|j| (j % per_po) * 1000 + j / per_po)
        .filter(|&i| i < n)
        .map(entry)
        .collect();
    let c = cpu_s();
    let runs: Directory = in_runs.into_iter().collect();
    println!(
        "built {} entries, in runs of one scope: cpu {:.3} s",
        runs.len(),
        cpu_s() - c
    );
    drop(runs);
    run(&only, "ldif", |w| {
        write_ldif(&dir, w, "dc=example,dc=com").unwrap_or(())
    });
    run(&only, "csv", |w| {
        write_csv(&dir, w, CsvProfile::Default).unwrap_or(())
    });
    run(&only, "csv-exch", |w| {
        write_csv(&dir, w, CsvProfile::Exchange).unwrap_or(())
    });
    run(&only, "json", |w| write_json(&dir, w, false).unwrap_or(()));
    let t = Instant::now();
    let s = dir.sorted();
    println!(
        "(sorted() alone {:.3} s for {} entries)",
        t.elapsed().as_secs_f64(),
        s.len()
    );
    let c = cpu_s();
    let s = msmail::export::sorted_entries(&dir);
    println!(
        "(export::sorted_entries alone: cpu {:.3} s, {} entries)",
        cpu_s() - c,
        s.len()
    );
}
