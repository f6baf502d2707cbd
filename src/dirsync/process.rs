//! GLB/PROCESS.GLB: the Dir-Sync schedule (T1, T2, T3 run times) that DSSCHED
//! lists. 512-byte header (`u16` version, `u32` count, reserved) then 197-byte
//! records, one layout declaration each, read and written with `byteorder`.

use byteorder::{ByteOrder, LittleEndian};

use super::FixedStr;
use crate::error::{Error, Location, Result};

/// PROCESS.GLB layout (profile v1).
pub mod layout {
    /// Header size.
    pub const HEADER_SIZE: usize = 512;
    /// `u16` version.
    pub const VERSION: usize = 0;
    /// `u32` record count.
    pub const COUNT: usize = 2;
    /// Reserved to the end of the header.
    pub const HEADER_RESERVED: usize = 6;
    /// Record size.
    pub const RECORD_SIZE: usize = 197;
    /// `u8` status.
    pub const STATUS: usize = 0;
    /// `u8` process 1..3.
    pub const PROCESS: usize = 1;
    /// `u8` day 0 = Sun .. 6 = Sat.
    pub const DAY: usize = 2;
    /// `u8` hour.
    pub const HOUR: usize = 3;
    /// `u8` minute.
    pub const MINUTE: usize = 4;
    /// `time32` next run.
    pub const NEXT_RUN: usize = 5;
    /// `str[64]` command.
    pub const COMMAND: usize = 9;
    /// Size of the command field.
    pub const COMMAND_LEN: usize = 64;
    /// Reserved to the end of the record.
    pub const RESERVED: usize = 73;
}

/// Day names as DSSCHED prints them, 0 = Sunday.
pub const DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// One scheduled run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessRecord {
    /// 0 free, 1 in use.
    pub status: u8,
    /// 1 = T1 (NSDA -RT), 2 = T2 (NSDA -S), 3 = T3 (NSDA -RR).
    pub process: u8,
    /// Day 0 = Sun .. 6 = Sat.
    pub day: u8,
    /// Hour 0..23.
    pub hour: u8,
    /// Minute 0..59.
    pub minute: u8,
    /// Next run `time32`.
    pub next_run: u32,
    /// The command line run.
    pub command: FixedStr<{ layout::COMMAND_LEN }>,
    /// Reserved bytes (124), kept verbatim.
    pub reserved: Vec<u8>,
}

impl ProcessRecord {
    /// An in-use record for `T<process> <day> <hour>:<minute>`.
    pub fn new(process: u8, day: u8, hour: u8, minute: u8, command: &str) -> Result<Self> {
        Ok(ProcessRecord {
            status: 1,
            process,
            day,
            hour,
            minute,
            next_run: 0,
            command: FixedStr::from_text(command, "process command")?,
            reserved: vec![0; layout::RECORD_SIZE - layout::RESERVED],
        })
    }

    /// The DSSCHED line `T<x> <Day> <HH>:<MM>`.
    pub fn dssched_line(&self) -> String {
        let day = DAY_NAMES
            .get(usize::from(self.day))
            .copied()
            .unwrap_or("???");
        format!(
            "T{} {day} {:02}:{:02}",
            self.process, self.hour, self.minute
        )
    }

    fn problem(&self) -> Option<String> {
        if self.status > 1 {
            return Some(format!(
                "status byte 0x{:02X} is neither 0 nor 1",
                self.status
            ));
        }
        if self.status == 0 {
            return None;
        }
        if !(1..=3).contains(&self.process) {
            return Some(format!("process {} is not 1, 2 or 3", self.process));
        }
        if self.day > 6 || self.hour > 23 || self.minute > 59 {
            return Some(format!(
                "day {} hour {} minute {} out of range",
                self.day, self.hour, self.minute
            ));
        }
        None
    }
}

/// GLB/PROCESS.GLB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessFile {
    /// Version.
    pub version: u16,
    /// The header's record count (kept as stored; see [`ProcessFile::count_ok`]).
    pub count: u32,
    /// Reserved header bytes (506), kept verbatim.
    pub reserved: Vec<u8>,
    /// The records.
    pub records: Vec<ProcessRecord>,
}

impl ProcessFile {
    /// A schedule with these records and a matching count.
    pub fn new(records: Vec<ProcessRecord>) -> ProcessFile {
        ProcessFile {
            version: 1,
            count: records.len() as u32,
            reserved: vec![0; layout::HEADER_SIZE - layout::HEADER_RESERVED],
            records,
        }
    }

    /// Does the header's count equal the number of records?
    pub fn count_ok(&self) -> bool {
        usize::try_from(self.count).is_ok_and(|c| c == self.records.len())
    }

    /// Reads the file. A short header, a partial record, a bad status byte or an
    /// in-use record with an impossible process/day/time is an [`Error::Input`]
    /// naming the record and offset.
    pub fn read(bytes: &[u8], file: &str) -> Result<ProcessFile> {
        use layout as l;
        if bytes.len() < l::HEADER_SIZE {
            return Err(Error::input(
                file,
                Location::Offset(bytes.len() as u64),
                format!(
                    "PROCESS.GLB needs a {}-byte header, file has {} bytes",
                    l::HEADER_SIZE,
                    bytes.len()
                ),
            ));
        }
        let (head, body) = bytes.split_at(l::HEADER_SIZE);
        let mut records = Vec::new();
        for (i, b) in body.chunks(l::RECORD_SIZE).enumerate() {
            let loc = Location::Record {
                index: i as u64,
                offset: (l::HEADER_SIZE + i * l::RECORD_SIZE) as u64,
            };
            if b.len() != l::RECORD_SIZE {
                return Err(Error::input(
                    file,
                    loc,
                    format!("partial record: {} of {} bytes", b.len(), l::RECORD_SIZE),
                ));
            }
            let byte = |o: usize| b.get(o).copied().unwrap_or(0);
            let r = ProcessRecord {
                status: byte(l::STATUS),
                process: byte(l::PROCESS),
                day: byte(l::DAY),
                hour: byte(l::HOUR),
                minute: byte(l::MINUTE),
                next_run: b
                    .get(l::NEXT_RUN..l::NEXT_RUN + 4)
                    .map_or(0, LittleEndian::read_u32),
                command: FixedStr::from_raw(b.get(l::COMMAND..l::RESERVED).unwrap_or_default()),
                reserved: b.get(l::RESERVED..).unwrap_or_default().to_vec(),
            };
            if let Some(p) = r.problem() {
                return Err(Error::input(file, loc, p));
            }
            records.push(r);
        }
        Ok(ProcessFile {
            version: head
                .get(l::VERSION..l::VERSION + 2)
                .map_or(0, LittleEndian::read_u16),
            count: head
                .get(l::COUNT..l::COUNT + 4)
                .map_or(0, LittleEndian::read_u32),
            reserved: head.get(l::HEADER_RESERVED..).unwrap_or_default().to_vec(),
            records,
        })
    }

    /// Writes header and records.
    pub fn write(&self) -> Vec<u8> {
        use layout as l;
        let mut out = vec![0u8; l::HEADER_SIZE + self.records.len() * l::RECORD_SIZE];
        LittleEndian::write_u16(&mut out[l::VERSION..l::VERSION + 2], self.version);
        LittleEndian::write_u32(&mut out[l::COUNT..l::COUNT + 4], self.count);
        copy_into(&mut out[l::HEADER_RESERVED..l::HEADER_SIZE], &self.reserved);
        for (i, r) in self.records.iter().enumerate() {
            let start = l::HEADER_SIZE + i * l::RECORD_SIZE;
            let b = &mut out[start..start + l::RECORD_SIZE];
            b[l::STATUS] = r.status;
            b[l::PROCESS] = r.process;
            b[l::DAY] = r.day;
            b[l::HOUR] = r.hour;
            b[l::MINUTE] = r.minute;
            LittleEndian::write_u32(&mut b[l::NEXT_RUN..l::NEXT_RUN + 4], r.next_run);
            b[l::COMMAND..l::RESERVED].copy_from_slice(&r.command.0);
            copy_into(&mut b[l::RESERVED..], &r.reserved);
        }
        out
    }

    /// The DSSCHED view: one line a record in use.
    pub fn dssched_lines(&self) -> Vec<String> {
        self.records
            .iter()
            .filter(|r| r.status == 1)
            .map(ProcessRecord::dssched_line)
            .collect()
    }
}

fn copy_into(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_dssched() {
        let mut f = ProcessFile::new(vec![
            ProcessRecord::new(1, 1, 8, 0, "NSDA -RT").unwrap(),
            ProcessRecord::new(2, 1, 12, 30, "NSDA -S").unwrap(),
            ProcessRecord::new(3, 6, 23, 5, "NSDA -RR").unwrap(),
        ]);
        f.reserved[0] = 0xAA;
        let b = f.write();
        assert_eq!(b.len(), 512 + 3 * 197);
        let back = ProcessFile::read(&b, "PROCESS.GLB").unwrap();
        assert_eq!(back, f);
        assert_eq!(back.write(), b);
        assert_eq!(
            back.dssched_lines(),
            vec!["T1 Mon 08:00", "T2 Mon 12:30", "T3 Sat 23:05"]
        );
        assert!(back.count_ok());
    }

    #[test]
    fn damage_names_record_and_offset() {
        let f = ProcessFile::new(vec![ProcessRecord::new(1, 1, 8, 0, "x").unwrap()]);
        let mut b = f.write();
        b[512 + 1] = 9;
        let e = ProcessFile::read(&b, "P").unwrap_err().to_string();
        assert!(e.contains("record 0 at byte offset 512: process 9"), "{e}");
        let e = ProcessFile::read(&b[..600], "P").unwrap_err().to_string();
        assert!(e.contains("partial record"), "{e}");
        assert!(ProcessFile::read(&[0; 10], "P").is_err());
    }
}
