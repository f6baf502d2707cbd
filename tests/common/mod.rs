//! Test helpers shared by integration tests: MS Mail files built byte by
//! byte ([`bytes`]), running the binary ([`cli`]), folder helpers ([`fs`]),
//! the KB fixtures ([`kb`]), LDIF compared by DN ([`ldif`]) and an
//! independent restore-scenario generator ([`scenario`]).
#![allow(dead_code)]

pub mod bytes;
pub mod cli;
pub mod fs;
pub mod kb;
pub mod ldif;
pub mod scenario;
