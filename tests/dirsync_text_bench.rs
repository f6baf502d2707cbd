//! Large inputs (run with `cargo test --release --test dirsync_text_bench -- --ignored --nocapture`).

use std::fmt::Write;
use std::time::Instant;

fn big_message(n: usize) -> String {
    let mut s = String::with_capacity(n * 64);
    s.push_str("[DIRSYNC]\r\nTASK=EXPORT\r\nREQNAME=PCM:NET/PO\r\nREQSEQ=0000000000\r\n\r\n[DIRSYNC-TRANSACTIONS]\r\n");
    for i in 0..n {
        let _ = write!(
            s,
            "{:010} User {i:<25} PCM:NET/PO/U{i}\r\n- Phone:/555-{i}\r\n",
            i + 1
        );
    }
    s
}

#[test]
#[ignore]
fn million_transactions_frame_in_linear_time() {
    let text = big_message(1_000_000);
    let t = Instant::now();
    let (_, raws) = msmail::dsmsg::frame_message(&text, "big.msg").unwrap();
    println!(
        "frame 1,000,000 transactions ({} MB): {:?}",
        text.len() / 1_000_000,
        t.elapsed()
    );
    assert_eq!(raws.len(), 1_000_000);
    let t = Instant::now();
    match msmail::dsmsg::parse_message(&text, "big.msg") {
        Ok(m) => {
            println!("parse (frame + import lines): {:?}", t.elapsed());
            let t = Instant::now();
            let d = m.into_directory();
            println!("into_directory: {:?}", t.elapsed());
            assert_eq!(d.len(), 1_000_000);
        }
        Err(e) => println!("full parse unavailable: {e}"),
    }
}

#[test]
#[ignore]
fn baseline_import_text_one_call() {
    let mut s = String::new();
    for i in 0..1_000_000usize {
        let _ = write!(s, "A User {i:<25} PCM:NET/PO/U{i}\r\n- Phone:/555-{i}\r\n");
    }
    let t = Instant::now();
    let ops = msmail::importtext::parse_str(&s, "base.txt", 1).unwrap();
    println!(
        "baseline: one parse_str over 1,000,000 entries: {:?}",
        t.elapsed()
    );
    assert_eq!(ops.len(), 1_000_000);
}

#[test]
#[ignore]
fn million_log_lines() {
    let mut s = String::new();
    for i in 0..1_000_000u32 {
        let _ = write!(
            s,
            "03/22/94 15:43:{:02} | Warning[ 27] Alias already exists User {i}\r\n",
            i % 60
        );
    }
    let t = Instant::now();
    let v = msmail::logs::parse_log(&s, "big.log").unwrap();
    println!(
        "parse 1,000,000 log lines ({} MB): {:?}",
        s.len() / 1_000_000,
        t.elapsed()
    );
    assert_eq!(v.len(), 1_000_000);
}
