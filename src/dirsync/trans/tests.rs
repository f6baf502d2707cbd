//! Unit tests of the transaction-stream codec.

use super::*;

fn sample() -> Vec<TransactionRecord> {
    vec![
        TransactionRecord::new(
            1,
            765_720_832,
            b'R',
            "POLYNOMIAL/MONTGOMERY",
            b"R PCM:POLYNOMIAL/MONTGOMERY".to_vec(),
        ),
        TransactionRecord::new(
            2,
            765_720_832,
            b'A',
            "POLYNOMIAL/MONTGOMERY",
            b"A able is he who knows his limit\tPCM:POLYNOMIAL/MONTGOMERY/able".to_vec(),
        ),
        TransactionRecord::placeholder(2, 0, "POLYNOMIAL/MONTGOMERY"),
    ]
}

#[test]
fn round_trip_is_byte_identical() {
    let mut recs = sample();
    recs[1].reserved = [7; 12];
    recs[1].origin.0[21] = 0;
    let bytes = write_stream(&recs);
    assert_eq!(bytes.len(), 48 + 27 + 1 + 48 + 63 + 1 + 49);
    let s = read_stream(&bytes, "T", false).unwrap();
    assert_eq!(s.records, recs);
    assert_eq!(s.offsets, vec![0, 76, 76 + 112]);
    assert_eq!(write_stream(&s.records), bytes);
}

#[test]
fn placeholder_is_49_bytes() {
    let p = TransactionRecord::placeholder(17, 0, "NET/PO");
    let b = write_stream(&[p]);
    assert_eq!(b.len(), 49);
    assert_eq!(&b[0..4], &17u32.to_le_bytes());
    assert!(read_stream(&b, "REQTRANS.GLB", false).unwrap().records[0].crc_ok());
}

#[test]
fn crc_is_arc() {
    assert_eq!(crc16(b"123456789"), 0xBB3D);
    assert_eq!(crc16(b""), 0);
}

#[test]
fn crc_mismatch_reads_but_is_flagged() {
    let mut recs = sample();
    recs[0].crc ^= 1;
    let s = read_stream(&write_stream(&recs), "T", false).unwrap();
    assert!(!s.records[0].crc_ok());
    assert_eq!(
        s.bad_crcs().map(|(i, o, _)| (i, o)).collect::<Vec<_>>(),
        vec![(0, 0)]
    );
}

fn strict_err(bytes: &[u8]) -> String {
    read_stream(bytes, "F.GLB", false).unwrap_err().to_string()
}

#[test]
fn strict_errors_name_record_and_offset() {
    let good = write_stream(&sample());
    // Truncated header of record 3 at offset 237.
    let mut b = good.clone();
    b.extend_from_slice(&[1, 2, 3]);
    let e = strict_err(&b);
    assert!(
        e.contains("F.GLB: record 3 at byte offset 237: truncated record"),
        "{e}"
    );
    // Length beyond end in record 1.
    let mut b = good.clone();
    b[76 + 10] = 0xFF;
    let e = strict_err(&b);
    assert!(e.contains("record 1 at byte offset 86: text length"), "{e}");
    // No NUL after the text of record 0.
    let mut b = good.clone();
    b[48 + 27] = b'x';
    let e = strict_err(&b);
    assert!(
        e.contains("record 0 at byte offset 75: text of 27 bytes is not followed"),
        "{e}"
    );
    // Unknown op in record 2.
    let mut b = good.clone();
    b[188 + 12] = b'Q';
    let e = strict_err(&b);
    assert!(
        e.contains("record 2 at byte offset 200: unknown operation byte 0x51"),
        "{e}"
    );
}

#[test]
fn salvage_skips_damage_and_recovers_the_rest() {
    let good = write_stream(&sample());
    let mut b = good.clone();
    b[12] = b'Q'; // record 0 op damaged
    let s = read_stream(&b, "F", true).unwrap();
    assert_eq!(s.records.len(), 2);
    assert_eq!(s.records[0].sync, 2);
    assert_eq!(s.skipped.len(), 1);
    assert_eq!((s.skipped[0].start, s.skipped[0].end), (0, 76));
    assert!(s.skipped[0].reason.contains("unknown operation"));
    // Garbage inserted between records.
    let mut b = good[..76].to_vec();
    b.extend_from_slice(b"garbage bytes here");
    b.extend_from_slice(&good[76..]);
    let s = read_stream(&b, "F", true).unwrap();
    assert_eq!(s.records.len(), 3);
    assert_eq!((s.skipped[0].start, s.skipped[0].end), (76, 94));
    // Truncated tail.
    let s = read_stream(&good[..200], "F", true).unwrap();
    assert_eq!(s.records.len(), 2);
    assert_eq!(s.skipped[0].end, 200);
}

#[test]
fn resync_header_parses() {
    let h = ResyncHeader {
        impseq: 3,
        reqseq: 17,
        srvseq: 80,
    };
    let r = TransactionRecord::new(0, 0, b'H', "N/P", h.text().into_bytes());
    assert_eq!(r.resync_header(), Some(h));
    assert!(r.to_operations("RESYNC.GLB").unwrap().is_empty());
}

#[test]
fn no_panic_on_any_prefix() {
    let good = write_stream(&sample());
    for n in 0..good.len() {
        let _ = read_stream(&good[..n], "F", false);
        let _ = read_stream(&good[..n], "F", true);
        let _ = read_stream(&good[n..], "F", true);
    }
}
