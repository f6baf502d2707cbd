//! Builds the committed binary fixtures under `fixtures/dirsync/` and checks
//! they are current and round-trip byte for byte.
//!
//! Regenerate with: `MSMAIL_WRITE_FIXTURES=1 cargo test --test dirsync_fixtures`.

use std::path::PathBuf;

use msmail::dirsync::conf::Password;
use msmail::dirsync::trans::ResyncHeader;
use msmail::dirsync::{
    read_stream, write_stream, ProcessFile, ProcessRecord, ReqConf, Requestor, SrvConf,
    TransactionRecord,
};

/// 1994-04-07 12:13:52, the LISTQ sample's stamp (Q96060).
const STAMP: u32 = 765_720_832;
/// 1994-02-18 13:11:58, the LISTDS sample's "last update received".
const LAST_UPDATE: u32 = 761_577_118;
const ORIGIN: &str = "POLYNOMIAL/MONTGOMERY";

fn rec(sync: u32, op: u8, text: &str) -> TransactionRecord {
    let bytes = msmail::codepage::encode_cp850(text).unwrap();
    TransactionRecord::new(sync, STAMP, op, ORIGIN, bytes)
}

fn fixtures() -> Vec<(&'static str, Vec<u8>)> {
    let base = vec![
        rec(1, b'R', "R PCM:POLYNOMIAL/MONTGOMERY"),
        rec(
            2,
            b'A',
            "A able is he who knows his limit\tPCM:POLYNOMIAL/MONTGOMERY/able",
        ),
        rec(3, b'A', "A apple\tPCM:POLYNOMIAL/MONTGOMERY/apple"),
        rec(
            4,
            b'M',
            "M apple                          PCM:POLYNOMIAL/MONTGOMERY/apple\r\n  Apple Pie                      PCM:POLYNOMIAL/MONTGOMERY/applepie",
        ),
        rec(5, b'D', "D able is he who knows his limit\tPCM:POLYNOMIAL/MONTGOMERY/able"),
    ];
    let reqtrans = write_stream(&base);
    let mut tpl = rec(
        6,
        b'A',
        "A Müller, Jörg                   PCM:POLYNOMIAL/MONTGOMERY/JMULLER\r\n- Phone:/555-0100",
    );
    tpl.flags = 1;
    let mut all = base.clone();
    all.push(tpl);
    let msttrans = write_stream(&all);
    let ack = write_stream(&[TransactionRecord::placeholder(5, STAMP, ORIGIN)]);
    let h = ResyncHeader {
        impseq: 3,
        reqseq: 17,
        srvseq: 80,
    };
    let resync = write_stream(&[
        TransactionRecord::new(0, STAMP, b'H', ORIGIN, h.text().into_bytes()),
        rec(0, b'A', "A apple\tPCM:POLYNOMIAL/MONTGOMERY/apple"),
    ]);
    let mut reqconf = ReqConf::new(ORIGIN).unwrap();
    reqconf.reqsync = 17;
    reqconf.srvsync = 80;
    reqconf.impsync = 3;
    reqconf.last_t1 = STAMP;
    reqconf.set_password(Password::from_text("PSSWRD42").unwrap());
    reqconf.address_types = msmail::dirsync::FixedStr::from_text("PCM|SMTP", "t").unwrap();
    let mut srvconf = SrvConf::new();
    srvconf.sync = 80;
    srvconf.cycle = 11;
    let mut r = Requestor::new("PCM:POLYNOMIAL/MONTGOMERY").unwrap();
    r.reqsync = 17;
    r.srvsync = 80;
    r.last_cycle = 11;
    r.last_update = LAST_UPDATE;
    r.set_password(Password::from_text("PSSWRD42").unwrap());
    let mut free = Requestor::new("PCM:OLD/GONE").unwrap();
    free.status = 0;
    let mut foreign = Requestor::new("PROFS:PROFSGATE/NODE1").unwrap();
    foreign.foreign = 1;
    foreign.in_body = 1;
    foreign.reqsync = 4;
    foreign.srvsync = 79;
    foreign.last_cycle = 10;
    srvconf.requestors = vec![r, free, foreign];
    let process = ProcessFile::new(vec![
        ProcessRecord::new(1, 1, 8, 0, "NSDA -RT").unwrap(),
        ProcessRecord::new(2, 1, 12, 30, "NSDA -S").unwrap(),
        ProcessRecord::new(3, 1, 17, 45, "NSDA -RR").unwrap(),
    ]);
    vec![
        ("REQTRANS.GLB", reqtrans),
        ("MSTTRANS.GLB", msttrans),
        ("ack/REQTRANS.GLB", ack),
        ("RESYNC.GLB", resync),
        ("REQCONF.GLB", reqconf.write()),
        ("SRVCONF.GLB", srvconf.write()),
        ("PROCESS.GLB", process.write()),
    ]
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/dirsync")
}

#[test]
fn committed_fixtures_are_current() {
    let write = std::env::var_os("MSMAIL_WRITE_FIXTURES").is_some();
    for (name, bytes) in fixtures() {
        let p = dir().join(name);
        if write {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, &bytes).unwrap();
        }
        let on_disk = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(on_disk, bytes, "{name} differs from its builder");
    }
}

#[test]
fn every_fixture_round_trips_byte_identical() {
    for (name, bytes) in fixtures() {
        let back = match name {
            "REQCONF.GLB" => ReqConf::read(&bytes, name).unwrap().write(),
            "SRVCONF.GLB" => SrvConf::read(&bytes, name).unwrap().write(),
            "PROCESS.GLB" => ProcessFile::read(&bytes, name).unwrap().write(),
            _ => {
                let s = read_stream(&bytes, name, false).unwrap();
                assert!(s.records.iter().all(|r| r.crc_ok()), "{name}");
                write_stream(&s.records)
            }
        };
        assert_eq!(back, bytes, "{name}");
    }
}

#[test]
fn placeholder_fixture_is_49_bytes() {
    let b = std::fs::read(dir().join("ack/REQTRANS.GLB")).unwrap();
    assert_eq!(b.len(), 49);
}
