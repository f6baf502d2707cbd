//! Error type shared by every reader, writer and command.
//!
//! Every input error names the file and where in it the problem is: a line and
//! column for text formats, a record number and byte offset for binary ones.

use std::fmt;

/// Where inside an input file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Text input: 1-based line and column (column counted in characters).
    Line {
        /// 1-based line number.
        line: u64,
        /// 1-based column.
        column: u64,
    },
    /// Binary input: 0-based record number and the byte offset of the problem.
    Record {
        /// 0-based record number.
        index: u64,
        /// Byte offset in the file.
        offset: u64,
    },
    /// Binary input without a record structure: a byte offset.
    Offset(u64),
    /// The file as a whole (wrong size, missing, not recognised).
    File,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line { line, column } => write!(f, "line {line}, column {column}"),
            Location::Record { index, offset } => {
                write!(f, "record {index} at byte offset {offset}")
            }
            Location::Offset(offset) => write!(f, "byte offset {offset}"),
            Location::File => write!(f, "whole file"),
        }
    }
}

/// The one error type of msmail. `exit_code` maps it to the CLI contract.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Damaged, unreadable or unrecognised input data (exit code 3).
    #[error("{file}: {location}: {message}")]
    Input {
        /// The input file's path as the user gave it.
        file: String,
        /// Where in the file.
        location: Location,
        /// What is wrong, in words for the user.
        message: String,
    },
    /// An input file could not be opened or read (exit code 3).
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The path that failed.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// Wrong use of the command line (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// An output could not be written, or would overwrite something (exit code 4).
    #[error("{path}: {message}")]
    Output {
        /// The output path.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// Data that cannot be written in the target format without loss (exit code 4).
    #[error("{0}")]
    Unrepresentable(String),
}

impl Error {
    /// Builds an input error.
    pub fn input(file: impl Into<String>, location: Location, message: impl Into<String>) -> Self {
        Error::Input {
            file: file.into(),
            location,
            message: message.into(),
        }
    }

    /// Builds a read error for `path`. The common reasons are said in the
    /// same words by every command ("no such file or folder", "is a folder,
    /// not a file", "permission denied"), not in the OS's.
    pub fn read(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let words = match source.kind() {
            K::NotFound => Some("no such file or folder"),
            K::IsADirectory => Some("is a folder, not a file"),
            K::NotADirectory => Some("a part of the path is a file, not a folder"),
            K::PermissionDenied => Some("permission denied"),
            _ => None,
        };
        Error::Read {
            path: path.as_ref().display().to_string(),
            source: match words {
                Some(w) => std::io::Error::new(source.kind(), w),
                None => source,
            },
        }
    }

    /// The same error with the path `from` named `to` (e.g. a temporary copy
    /// of standard input named `<stdin>`), in the path and in the message.
    pub fn with_path_renamed(self, from: &str, to: &str) -> Self {
        let r = |s: String| s.replace(from, to);
        match self {
            Error::Input {
                file,
                location,
                message,
            } => Error::Input {
                file: r(file),
                location,
                message: r(message),
            },
            Error::Read { path, source } => Error::Read {
                path: r(path),
                source,
            },
            Error::Usage(m) => Error::Usage(r(m)),
            Error::Output { path, message } => Error::Output {
                path: r(path),
                message: r(message),
            },
            Error::Unrepresentable(m) => Error::Unrepresentable(r(m)),
        }
    }

    /// Builds an output error for `path`.
    pub fn output(path: impl AsRef<std::path::Path>, message: impl Into<String>) -> Self {
        Error::Output {
            path: path.as_ref().display().to_string(),
            message: message.into(),
        }
    }

    /// The process exit code the CLI contract assigns to this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input { .. } | Error::Read { .. } => 3,
            Error::Usage(_) => 2,
            Error::Output { .. } | Error::Unrepresentable(_) => 4,
        }
    }
}

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
