//! Test helpers shared by integration tests: MS Mail files built byte by
//! byte ([`bytes`]) and an independent restore-scenario generator
//! ([`scenario`]).
#![allow(dead_code)]

pub mod bytes;
pub mod fs;
pub mod scenario;
