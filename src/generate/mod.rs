//! `msmail generate`: deterministic synthetic MAILDATA trees and restore
//! scenarios with their ground truth (docs/generate.md).

pub mod names;
pub mod rng;
pub mod scenario;
pub mod trees;
pub mod world;
