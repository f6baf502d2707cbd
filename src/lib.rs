//! msmail: read, repair and migrate Microsoft Mail for PC Networks 3.x
//! postoffices and their directory synchronization (Dir-Sync).
//!
//! The library holds everything; the `msmail` binary only parses arguments,
//! calls in here and prints. Start with [`model`] (the one address-directory
//! model), then the format modules, each a reader and writer side by side.

#![warn(missing_docs)]

pub mod batch;
pub mod cli;
pub mod codepage;
pub mod convert;
pub mod diff;
pub mod dirsync;
pub mod dsmsg;
pub mod dump;
pub mod error;
pub mod escape;
pub mod export;
pub mod generate;
pub mod gimport;
pub mod importtext;
pub mod input;
pub mod inspect;
pub mod logs;
pub mod memory;
pub mod model;
pub mod output;
pub mod reconcile;
pub mod source;
pub mod tree;
pub mod writer;

pub use error::{Error, Location, Result};
pub use model::{Address, AddressKey, Directory, Entry, EntryKind, Operation, Scope};
