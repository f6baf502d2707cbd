//! The check table: every code `inspect` gives, with its severity and what it
//! means (`inspect::tree` checks a whole tree, `inspect::files` single files).

use super::Severity;

pub use super::tree::inspect_tree;

/// Every check: code, severity, what it means for the user (docs/inspect.md).
pub const CHECKS: &[(&str, Severity, &str)] = &[
    ("missing-file", Severity::Error, "A file MS Mail needs is missing; restore it from a backup or rebuild it (MAILINT / REBUILD)."),
    ("missing-optional", Severity::Warning, "A file MS Mail normally keeps is missing; MS Mail recreates some of them, check the backup."),
    ("wrong-size", Severity::Error, "The file size does not match its record size (Q77926): the file is truncated or damaged; records from the given offset on are lost."),
    ("bad-status", Severity::Error, "A record's status byte is neither free nor in use: the record is damaged."),
    ("unknown-version", Severity::Warning, "MASTER.GLB names a version this tool does not know; the layout may differ."),
    ("access-count-mismatch", Severity::Error, "ACCESS.GLB, ACCESS2.GLB and ACCESS3.GLB must hold the same number of records (Q87402); users may be unable to sign in. Run MAILINT or restore the three files together."),
    ("shadow-mismatch", Severity::Error, "A shadow file differs from its master (ADMINSHD.NME vs ADMIN.NME, ADMINSHD.GRP vs ADMIN.GRP, Q107767); MS Mail may serve a stale list. Copy the master over the shadow after checking it."),
    ("count-mismatch", Severity::Error, "A file's header record count differs from the records it holds; lookups past the count fail."),
    ("dangling-pointer", Severity::Error, "An NME entry points to a record that does not exist (ACCESS2, NETPO or GALNETPO); the address cannot be resolved and mail to it fails."),
    ("dangling-tid", Severity::Error, "A tid leads nowhere (an NME group not in GROUP.GLB, a group member without an ADMIN.NME entry); the entry cannot be resolved."),
    ("tid-mismatch", Severity::Error, "An NME entry's tid differs from the tid of the record it points to: the lists are out of step."),
    ("bad-kind", Severity::Error, "An entry kind byte has a value the format does not define: the record is damaged."),
    ("group-chain-cycle", Severity::Error, "A group's member chain in GRP/ADMIN.GRP loops; MS Mail would expand the group forever or stop part-way. Rebuild the group."),
    ("group-chain-dangling", Severity::Error, "A group's member chain points outside GRP/ADMIN.GRP; members after that point are lost."),
    ("key-without-mbg", Severity::Error, "A KEY file has no matching MBG mailbag: that user's mail store is missing."),
    ("mbg-without-key", Severity::Warning, "An MBG mailbag has no matching KEY file: an orphaned mailbag (a deleted user's mail?)."),
    ("gal-unsorted", Severity::Error, "GAL.NME is not sorted by full name (case-insensitive, Q86375): users cannot find names in the GAL. Rebuild the GAL."),
    ("galindex-mismatch", Severity::Error, "GALINDEX.GLB does not index GAL.NME as it is (Q86375): GAL searches by word give wrong results. Rebuild the GAL."),
    ("crc-mismatch", Severity::Error, "A transaction's stored CRC does not match its text: the transaction is corrupt and Dir-Sync may reject or misapply it."),
    ("sync-not-increasing", Severity::Error, "Transaction sync numbers must rise strictly; a repeat or step back means a damaged or spliced file."),
    ("damaged-record", Severity::Error, "A record cannot be read (framing, length or field damage); the bytes named are skipped."),
    ("reqtrans-below-reqsync", Severity::Error, "REQTRANS.GLB holds updates numbered at or below REQCONF's ReqSync: T1 treats them as already sent, so they are never sent (\"No Updates to Send\", Q119452)."),
    ("srvconf-sync-mismatch", Severity::Error, "SRVCONF.GLB Sync differs from the last MSTTRANS.GLB sync: requestors may ask for numbers that do not exist (Error 138, Q108067)."),
    ("tid-counter-behind", Severity::Error, "TID.GLB's next tid is not above every tid in use: new users or groups would get tids that already exist."),
    ("bad-mailbag", Severity::Error, "A mailbag or XTN prefix is not 8 hex digits: the files it names cannot be found."),
    ("user-not-in-pol", Severity::Warning, "A local user has no ADMIN.NME entry: the user does not appear in the postoffice address list."),
    ("usr-missing", Severity::Info, "An external postoffice has no USR list yet: its address list arrives with the next Dir-Sync T3 or manual update."),
    ("unreadable", Severity::Error, "The file cannot be read (permissions, I/O error)."),
    ("not-recognised", Severity::Error, "msmail does not know what this path is."),
    ("text-error", Severity::Error, "The text file has a syntax error at the line and column named."),
    ("load-error", Severity::Error, "The tree reader used by export, diff and reconcile stops at this point; those commands fail here unless run with --salvage."),
    ("reader-finding", Severity::Error, "The tree reader found a cross-file inconsistency the checks above do not name (e.g. a MEM file out of step with its group): export, diff and reconcile go on and print it."),
    ("unknown-file", Severity::Info, "A file msmail does not check (messages, foreign files)."),
];

/// Severity and meaning of a code (unknown codes: error, no meaning).
pub fn describe(code: &str) -> (Severity, &'static str) {
    CHECKS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or((Severity::Error, ""), |(_, s, m)| (*s, *m))
}
#[cfg(test)]
mod tests {
    use super::super::{files, Finding};
    use super::*;

    /// Every code the engine emits has a table entry with a meaning, and the
    /// table has no duplicates (codes are a stable interface).
    #[test]
    fn every_emitted_code_is_in_the_table() {
        let sources = [
            include_str!("checks.rs"),
            include_str!("files.rs"),
            include_str!("named.rs"),
            include_str!("mod.rs"),
            include_str!("tree.rs"),
            include_str!("tree_refs.rs"),
        ];
        let mut emitted = Vec::new();
        for src in sources {
            for pat in ["Finding::new(", "from_error(", "push("] {
                let mut rest = src;
                while let Some(p) = rest.find(pat) {
                    rest = rest.get(p + pat.len()..).unwrap_or_default();
                    let Some(arg) = rest.trim_start().strip_prefix('"') else {
                        continue;
                    };
                    if let Some(end) = arg.find('"') {
                        let rest = arg;
                        let code = rest.get(..end).unwrap_or_default();
                        if !code.is_empty()
                            && code.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                        {
                            emitted.push(code.to_string());
                        }
                    }
                }
            }
        }
        assert!(emitted.len() > 20, "{emitted:?}");
        for code in &emitted {
            let (_, meaning) = describe(code);
            assert!(!meaning.is_empty(), "code {code} has no table entry");
        }
        let mut codes: Vec<&str> = CHECKS.iter().map(|c| c.0).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n, "duplicate codes");
        assert_eq!(describe("no-such-code").1, "");
    }

    /// The tree validator's kinds are codes of the table, with its severity.
    #[test]
    fn every_damage_kind_is_in_the_table() {
        for kind in crate::tree::validate::DamageKind::ALL {
            let (severity, meaning) = describe(kind.code());
            assert!(!meaning.is_empty(), "{} has no table entry", kind.code());
            assert_eq!(severity, kind.severity(), "{}", kind.code());
        }
    }

    #[test]
    fn documented_in_docs_inspect() {
        let doc = include_str!("../../docs/inspect.md");
        for (code, sev, _) in CHECKS {
            assert!(
                doc.contains(&format!("`{code}` | {}", sev.name())),
                "docs/inspect.md lacks a row for {code} ({})",
                sev.name()
            );
        }
    }

    #[test]
    fn size_findings_name_the_first_incomplete_record() {
        use crate::tree::misc::SizeRule;
        let mut f = Vec::new();
        assert!(files::check_size(
            "X",
            106,
            SizeRule::MultipleOf(53),
            &mut f
        ));
        assert!(!files::check_size(
            "X",
            110,
            SizeRule::MultipleOf(53),
            &mut f
        ));
        assert!(!files::check_size(
            "Y",
            4 + 43 + 5,
            SizeRule::HeaderPlus(4, 43),
            &mut f
        ));
        assert!(!files::check_size("Z", 7, SizeRule::Exact(8), &mut f));
        let got: Vec<_> = f
            .iter()
            .map(|x| (x.file.as_str(), x.record, x.offset))
            .collect();
        assert_eq!(
            got,
            [
                ("X", Some(2), Some(106)),
                ("Y", Some(1), Some(47)),
                ("Z", None, None)
            ]
        );
        assert!(f
            .iter()
            .all(|x| x.code == "wrong-size" && x.severity == Severity::Error));
    }

    #[test]
    fn status_bytes_other_than_0_and_1_are_findings() {
        let mut bytes = vec![0u8; 4 + 3 * 10];
        bytes[4] = 1;
        bytes[14] = 2;
        let mut f = Vec::new();
        let recs = files::records("R", &bytes, 4, 10, true, &mut f);
        assert_eq!(recs.len(), 3);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].record, f[0].offset), (Some(1), Some(14)));
    }

    #[test]
    fn errors_become_findings_with_their_location() {
        let e = crate::Error::input(
            "F",
            crate::Location::Record {
                index: 3,
                offset: 99,
            },
            "bad",
        );
        let f = Finding::from_error("damaged-record", &e);
        assert_eq!(
            (f.file.as_str(), f.record, f.offset),
            ("F", Some(3), Some(99))
        );
        let e = crate::Error::input("T", crate::Location::Line { line: 2, column: 5 }, "oops");
        let f = Finding::from_error("text-error", &e);
        assert!(f.message.starts_with("line 2, column 5"));
    }
}
