//! Benchmark: a 1,000,000-transaction MSTTRANS.GLB, generated in a temp dir;
//! times reading + the LISTQ dump to a sink, and reading + applying into a
//! Directory. Run: `cargo bench --bench dirsync` (release profile).

use std::io::Write;
use std::time::Instant;

use msmail::dirsync::{read_stream, TransactionRecord};

fn main() {
    let n: u32 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("MSTTRANS.GLB");

    let t = Instant::now();
    let mut out = Vec::with_capacity(n as usize * 110);
    let po_count = 100;
    for po in 0..po_count {
        let text = format!("R PCM:NET/PO{po}");
        msmail::dirsync::trans::write_record(
            &TransactionRecord::new(
                po,
                765_720_832,
                b'R',
                &format!("NET/PO{po}"),
                text.into_bytes(),
            ),
            &mut out,
        );
    }
    for i in po_count..n {
        let po = i % po_count;
        let name = format!("User {i}");
        let text = format!("A {name:<30} PCM:NET/PO{po}/U{i}");
        let rec = TransactionRecord::new(
            i,
            765_720_832 + i,
            b'A',
            &format!("NET/PO{po}"),
            text.into_bytes(),
        );
        msmail::dirsync::trans::write_record(&rec, &mut out);
    }
    std::fs::write(&path, &out).expect("write");
    drop(out);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "generated {n} records, {size} bytes in {:.2}s",
        t.elapsed().as_secs_f64()
    );
    let file = path.display().to_string();

    let t = Instant::now();
    let bytes = std::fs::read(&path).expect("read");
    let stream = read_stream(&bytes, &file, false).expect("frame");
    let framed = t.elapsed().as_secs_f64();
    let mut sink = std::io::BufWriter::new(std::io::sink());
    msmail::dirsync::views::write_listq(&stream, &Default::default(), &mut sink).expect("listq");
    sink.flush().expect("flush");
    let s = t.elapsed().as_secs_f64();
    println!(
        "read+frame {:.2}s; read+LISTQ dump: {:.2}s = {:.0} records/s",
        framed,
        s,
        f64::from(n) / s
    );
    drop(stream);
    drop(bytes);

    let t = Instant::now();
    let bytes = std::fs::read(&path).expect("read");
    let stream = read_stream(&bytes, &file, false).expect("frame");
    drop(bytes);
    let mut d = msmail::Directory::new();
    match stream.apply_to(&mut d, &file) {
        Ok(ops) => {
            let s = t.elapsed().as_secs_f64();
            println!(
                "read+apply: {ops} operations, {} entries in {:.2}s = {:.0} records/s",
                d.len(),
                s,
                f64::from(n) / s
            );
        }
        Err(e) => println!("read+apply skipped: {e}"),
    }
}
