//! Benchmark: parse and export a generated 1,000,000-line import file.
//!
//! Run: `cargo bench --bench importtext` (optionally `-- LINES`). Prints entries
//! per second for decode + parse + apply, and for each writer. Peak memory:
//! `/usr/bin/time -v target/release/deps/importtext-* --bench` (see docs/benchmarks.md).

use std::time::Instant;

use msmail::codepage::{decode_cp850, TextEncoding};
use msmail::importtext::{decode_input, for_each_operation, write_directory};
use msmail::model::Directory;

fn generate(lines: usize) -> Vec<u8> {
    let mut text = String::with_capacity(lines * 70);
    for i in 0..lines {
        let net = i % 50;
        let po = (i / 50) % 200;
        // Every 16th name is accented to exercise the CP850 path.
        let name = if i % 16 == 0 {
            format!("Müller-Lüdenscheid, Jörg {i}")
        } else {
            format!("User Number {i}")
        };
        text.push_str(&format!(
            "A {name:<30} PCM:NET{net:03}/PO{po:03}/U{i:07}\r\n"
        ));
        if i % 10 == 0 {
            text.push_str("- Phone://Fax:/+1 206 555 0100\r\n");
        }
    }
    msmail::codepage::encode_cp850(&text).expect("generated text is CP850")
}

fn main() {
    let lines: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let bytes = generate(lines);
    println!("input: {lines} entries, {} bytes", bytes.len());

    let t = Instant::now();
    let text = decode_input(&bytes, TextEncoding::Cp850, "bench.txt").expect("decode");
    let mut dir = Directory::new();
    dir.reserve(lines);
    for_each_operation(&text, "bench.txt", 1, |op| {
        dir.apply(op);
    })
    .expect("parse");
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(dir.len(), lines);
    println!(
        "parse+apply: {:.3} s, {:.0} entries/s",
        secs,
        lines as f64 / secs
    );

    let t = Instant::now();
    let mut count = 0usize;
    for_each_operation(&text, "bench.txt", 1, |_| count += 1).expect("parse");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "parse only: {:.3} s, {:.0} entries/s",
        secs,
        count as f64 / secs
    );

    let t = Instant::now();
    let mut out = Vec::with_capacity(bytes.len());
    write_directory(&dir, &mut out).expect("write");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "export import-text: {:.3} s, {:.0} entries/s, {} bytes",
        secs,
        lines as f64 / secs,
        out.len()
    );
    let _ = decode_cp850(&out[..out.len().min(16)]);
}
