//! Dir-Sync/Dispatch logs and schedules: `logs::parse_log`,
//! `parse_log_line`, `parse_record_body`, `parse_dispatch_log`,
//! `parse_schedule` (+ `write_schedule`). Input is CP850 text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = msmail::codepage::decode_cp850(data);
    let _ = msmail::logs::parse_log(&text, "DIRSYNC.LOG");
    for line in text.lines().take(64) {
        let _ = msmail::logs::parse_log_line(line);
        let _ = msmail::logs::parse_record_body(line);
    }
    let _ = msmail::logs::looks_like_dispatch(&text);
    let _ = msmail::logs::parse_dispatch_log(&text);
    let _ = msmail::logs::looks_like_schedule(&text);
    if let Ok(lines) = msmail::logs::parse_schedule(&text, "DSSCHED.TXT") {
        let mut out = Vec::new();
        let _ = msmail::logs::write_schedule(&lines, &mut out);
    }
});
