//! Property tests: any well-formed records written, read and written again give
//! identical bytes; arbitrary bytes never panic the reader; salvage never loses
//! records that follow damage. Also REQCONF/SRVCONF/PROCESS round trips.

use msmail::dirsync::{
    read_stream, write_stream, FixedStr, ProcessFile, ReqConf, SrvConf, TransactionRecord,
};
use proptest::prelude::*;

fn record() -> impl Strategy<Value = TransactionRecord> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u16>(),
        prop::sample::select(b"ADMRTH\0".to_vec()),
        any::<u8>(),
        prop::array::uniform22(any::<u8>()),
        prop::array::uniform12(any::<u8>()),
        prop::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(sync, stamp, crc, op, flags, origin, reserved, text)| {
            // Placeholders carry no text.
            let text = if op == 0 { Vec::new() } else { text };
            TransactionRecord {
                sync,
                stamp,
                crc,
                op,
                flags,
                origin: FixedStr(origin),
                reserved,
                text,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn write_read_write_is_identical(recs in prop::collection::vec(record(), 0..20)) {
        let bytes = write_stream(&recs);
        let s = read_stream(&bytes, "P.GLB", false).unwrap();
        prop_assert_eq!(&s.records, &recs);
        prop_assert_eq!(write_stream(&s.records), bytes);
        for r in &s.records {
            prop_assert_eq!(r.crc_ok(), r.crc == msmail::dirsync::trans::crc16(&r.text));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let strict = read_stream(&bytes, "X", false);
        let salvaged = read_stream(&bytes, "X", true).unwrap();
        // Salvage accounts for every byte: records plus skipped ranges cover the file.
        let covered: u64 = salvaged.records.iter().map(|r| r.encoded_len() as u64).sum::<u64>()
            + salvaged.skipped.iter().map(|s| s.end - s.start).sum::<u64>();
        prop_assert_eq!(covered, bytes.len() as u64);
        if let Ok(s) = strict {
            prop_assert!(salvaged.skipped.is_empty());
            prop_assert_eq!(s.records, salvaged.records);
        }
        let _ = ReqConf::read(&bytes, "R");
        let _ = SrvConf::read(&bytes, "S");
        let _ = ProcessFile::read(&bytes, "P");
        let _ = msmail::dirsync::sniff("X", &bytes);
    }

    #[test]
    fn salvage_finds_clean_records_after_garbage(
        garbage in prop::collection::vec(any::<u8>(), 13..80),
        n in 1usize..5,
    ) {
        let recs: Vec<TransactionRecord> = (0..n as u32)
            .map(|i| TransactionRecord::new(i + 1, 0, b'A', "NET/PO", format!("A User {i}\tPCM:NET/PO/U{i}").into_bytes()))
            .collect();
        let mut bytes = garbage.clone();
        bytes[12] = 0xFF; // an unknown op byte: the garbage does not frame as a record

        bytes.extend_from_slice(&write_stream(&recs));
        let s = read_stream(&bytes, "G", true).unwrap();
        // Garbage may hide at most the records it overlaps; the last record always survives.
        prop_assert!(s.records.last().map(|r| r.sync) == Some(n as u32));
        prop_assert!(!s.skipped.is_empty());
    }

    #[test]
    fn fixed_files_round_trip(raw in prop::collection::vec(any::<u8>(), 512..=512),
                              body in prop::collection::vec(any::<u8>(), 0..3)) {
        if let Ok(c) = ReqConf::read(&raw, "R") {
            prop_assert_eq!(c.write(), raw.clone());
        }
        let mut s = raw.clone();
        s.extend_from_slice(&raw);
        for b in &body {
            let mut rec = vec![*b & 1; 1024];
            rec[5] = *b;
            s.extend_from_slice(&rec);
        }
        let c = SrvConf::read(&s, "S").unwrap();
        prop_assert_eq!(c.write(), s);
    }
}
