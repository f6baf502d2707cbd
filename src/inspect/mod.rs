//! `msmail inspect`: identify files and MAILDATA trees and check their integrity
//! in the spirit of MAILINT (docs/inspect.md lists every check).
//!
//! The engine never stops at the first problem: every reader runs in a
//! collecting mode and each problem becomes a [`Finding`] with a stable code,
//! the file, and where possible the record number and byte offset.
//! ACCESS.GLB / ACCESS3.GLB are only measured, never read; passwords are never shown.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Location};

pub mod checks;
pub mod files;
mod named;
pub mod report;
mod tree;
mod tree_refs;

pub use report::{write_json, write_text};

pub use crate::tree::validate::Severity;

/// One problem found by a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Severity.
    pub severity: Severity,
    /// Stable kebab-case code (docs/inspect.md).
    pub code: &'static str,
    /// The file as shown to the user.
    pub file: String,
    /// 0-based record number, where the problem is in one record.
    pub record: Option<u64>,
    /// Byte offset of the problem, where known.
    pub offset: Option<u64>,
    /// What is wrong.
    pub message: String,
    /// What it means for the user and what to do.
    pub meaning: &'static str,
}

impl Finding {
    /// A finding whose severity and meaning come from the code table.
    pub fn new(
        code: &'static str,
        file: impl Into<String>,
        record: Option<u64>,
        offset: Option<u64>,
        message: impl Into<String>,
    ) -> Finding {
        let (severity, meaning) = checks::describe(code);
        Finding {
            severity,
            code,
            file: file.into(),
            record,
            offset,
            message: message.into(),
            meaning,
        }
    }

    /// A finding of the tree validator, in inspect's words.
    pub fn from_tree(f: &crate::tree::validate::TreeFinding) -> Finding {
        Finding::new(
            f.code(),
            f.file.clone(),
            f.record(),
            f.offset(),
            f.message(),
        )
    }

    /// A finding from a reader's error (its location becomes record/offset).
    pub fn from_error(code: &'static str, err: &Error) -> Finding {
        match err {
            Error::Input {
                file,
                location,
                message,
            } => {
                let (record, offset) = match location {
                    Location::Record { index, offset } => (Some(*index), Some(*offset)),
                    Location::Offset(o) => (None, Some(*o)),
                    Location::Line { line, column } => {
                        return Finding::new(
                            code,
                            file.clone(),
                            None,
                            None,
                            format!("line {line}, column {column}: {message}"),
                        )
                    }
                    Location::File => (None, None),
                };
                Finding::new(code, file.clone(), record, offset, message.clone())
            }
            Error::Read { path, source } => {
                Finding::new("unreadable", path.clone(), None, None, source.to_string())
            }
            other => Finding::new(code, "", None, None, other.to_string()),
        }
    }
}

/// What one file is and holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileInfo {
    /// The file as shown to the user.
    pub file: String,
    /// Stable kind name (`usr-list`, `msttrans`, `import-text`, ...).
    pub kind: String,
    /// One line for people: "USR list, 53-byte records, 120 entries".
    pub description: String,
}

/// The result of inspecting one PATH (a file or a tree).
#[derive(Debug, Clone, Default, Serialize)]
pub struct InputReport {
    /// The path as given.
    pub path: String,
    /// `tree`, or the single file's kind.
    pub kind: String,
    /// One line for people.
    pub description: String,
    /// Each file looked at (one for a single file), in path order.
    pub files: Vec<FileInfo>,
}

/// The whole inspection: inputs and findings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// One per PATH, in the order given.
    pub inputs: Vec<InputReport>,
    /// Every finding, sorted by file, then offset, then code.
    pub findings: Vec<Finding>,
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files looked at.
    pub files: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Info findings.
    pub info: usize,
}

impl Report {
    /// Counts by severity.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            files: self.inputs.iter().map(|i| i.files.len()).sum(),
            ..Summary::default()
        };
        for f in &self.findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.info += 1,
            }
        }
        s
    }

    /// True when any finding has error severity.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Inspects every path (a MAILDATA tree folder or a single file).
pub fn inspect_paths(paths: &[PathBuf]) -> Report {
    let mut report = Report::default();
    for p in paths {
        let (input, mut findings) = inspect_path(p);
        report.inputs.push(input);
        sort_findings(&mut findings);
        report.findings.extend(limit_findings(findings));
    }
    sort_findings(&mut report.findings);
    report
}

/// At most [`files::LISTED_PER_CHECK`] findings of one code for one file, in
/// order, then one finding of that code saying how many more there are: a
/// large damaged file gives a report of bounded size. (`findings` sorted.)
fn limit_findings(findings: Vec<Finding>) -> Vec<Finding> {
    use std::collections::HashMap;
    let limit = files::LISTED_PER_CHECK;
    let mut total: HashMap<(String, &'static str), usize> = HashMap::new();
    for f in &findings {
        *total.entry((f.file.clone(), f.code)).or_default() += 1;
    }
    if total.values().all(|&n| n <= limit + 1) {
        return findings;
    }
    let mut seen: HashMap<(String, &'static str), usize> = HashMap::new();
    let mut out = Vec::new();
    for f in findings {
        let key = (f.file.clone(), f.code);
        let n = total.get(&key).copied().unwrap_or(0);
        let i = seen.entry(key).or_default();
        *i += 1;
        if n <= limit + 1 || *i <= limit {
            out.push(f);
        } else if *i == limit + 1 {
            let more = n - limit;
            out.push(Finding {
                message: format!(
                    "and {more} more `{}` findings in this file from here on (only the first \
                     {limit} are listed)",
                    f.code
                ),
                ..f
            });
        }
    }
    out
}

/// Deterministic order: file, record/offset, code, message.
fn sort_findings(f: &mut [Finding]) {
    f.sort_by(|a, b| {
        (&a.file, a.offset, a.record, a.code, &a.message)
            .cmp(&(&b.file, b.offset, b.record, b.code, &b.message))
    });
}

/// Inspects one path.
pub fn inspect_path(path: &Path) -> (InputReport, Vec<Finding>) {
    let shown = path.display().to_string();
    if path.is_dir() {
        if crate::tree::find_case_insensitive(path, "GLB/MASTER.GLB").is_some()
            || crate::tree::find_case_insensitive(path, "GLB").is_some()
        {
            return checks::inspect_tree(path);
        }
        let f = Finding::new(
            "not-recognised",
            shown.clone(),
            None,
            None,
            "a folder without GLB/: not a MAILDATA tree",
        );
        return (
            InputReport {
                path: shown,
                kind: "unknown".into(),
                description: "folder, not a MAILDATA tree".into(),
                files: Vec::new(),
            },
            vec![f],
        );
    }
    let mut findings = Vec::new();
    let info = files::inspect_file(path, &shown, &mut findings);
    (
        InputReport {
            path: shown,
            kind: info.kind.clone(),
            description: info.description.clone(),
            files: vec![info],
        },
        findings,
    )
}

/// Lists a tree's files: upper-cased `DIR/NAME` (or `NAME` at the root) → path.
/// One listing per folder, two levels deep; deterministic (BTreeMap).
pub fn list_tree(root: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let Ok(rd) = std::fs::read_dir(root) else {
        return out;
    };
    let mut top: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    top.sort();
    for p in top {
        let Some(name) = p
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_ascii_uppercase)
        else {
            continue;
        };
        if p.is_dir() {
            let Ok(rd) = std::fs::read_dir(&p) else {
                continue;
            };
            let mut inner: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            inner.sort();
            for q in inner {
                if !q.is_file() {
                    continue;
                }
                if let Some(n) = q.file_name().and_then(|n| n.to_str()) {
                    out.entry(format!("{name}/{}", n.to_ascii_uppercase()))
                        .or_insert(q);
                }
            }
        } else if p.is_file() {
            out.entry(name).or_insert(p);
        }
    }
    out
}
