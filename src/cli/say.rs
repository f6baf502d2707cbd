//! Messages to the user on standard error, at the level `-q/--quiet` and
//! `-v/--verbose` chose (global flags of every command).
//!
//! - [`warn`]: something the user must know about the data (skipped damage,
//!   limits, replaced entries). Shown normally; with `-q` counted, and one line
//!   at the end says how many were not shown — nothing is dropped silently.
//! - [`note`]: progress and summaries. Shown normally, not with `-q`.
//! - [`detail`]: what was read and written, phase by phase. Only with `-v`.
//! - [`trace`]: timings and internals. Only with `-vv`.
//!
//! Errors are not messages: `cli::main` always prints them.

use std::fmt::Display;
use std::sync::atomic::{AtomicI8, AtomicUsize, Ordering};

/// -1 quiet, 0 normal, 1 verbose, 2 and more: very verbose.
static LEVEL: AtomicI8 = AtomicI8::new(0);
/// Warnings not shown because of `-q`.
static HIDDEN_WARNINGS: AtomicUsize = AtomicUsize::new(0);

/// Sets the level from the command line (`-q` wins over `-v`).
pub fn set_level(quiet: bool, verbose: u8) {
    let level = if quiet {
        -1
    } else {
        verbose.min(i8::MAX as u8) as i8
    };
    LEVEL.store(level, Ordering::Relaxed);
    HIDDEN_WARNINGS.store(0, Ordering::Relaxed);
}

/// The current level: -1 quiet, 0 normal, 1+ verbose.
pub fn level() -> i8 {
    LEVEL.load(Ordering::Relaxed)
}

/// True when progress and notes are shown (not `-q`).
pub fn chatty() -> bool {
    level() >= 0
}

/// A message with its control characters escaped (names from the data reach
/// messages; see [`crate::escape`]).
pub fn clean(message: impl Display) -> String {
    crate::escape::escape_view(&message.to_string()).into_owned()
}

/// `msmail: warning: MESSAGE` (with `-q`: counted for [`finish`]).
pub fn warn(message: impl Display) {
    if chatty() {
        eprintln!("msmail: warning: {}", clean(message));
    } else {
        HIDDEN_WARNINGS.fetch_add(1, Ordering::Relaxed);
    }
}

/// `msmail: MESSAGE`, unless `-q`.
pub fn note(message: impl Display) {
    if chatty() {
        eprintln!("msmail: {}", clean(message));
    }
}

/// `msmail: MESSAGE`, only with `-v`.
pub fn detail(message: impl Display) {
    if level() >= 1 {
        eprintln!("msmail: {}", clean(message));
    }
}

/// `msmail: MESSAGE`, only with `-vv`.
pub fn trace(message: impl Display) {
    if level() >= 2 {
        eprintln!("msmail: {}", clean(message));
    }
}

/// At the end of a run with `-q`: one line saying how many warnings were
/// not shown, so that quiet never means silently dropped.
pub fn finish() {
    let hidden = HIDDEN_WARNINGS.swap(0, Ordering::Relaxed);
    if hidden > 0 {
        eprintln!(
            "msmail: {hidden} warning{} not shown (-q); run without -q to see {}",
            if hidden == 1 { "" } else { "s" },
            if hidden == 1 { "it" } else { "them" }
        );
    }
}
