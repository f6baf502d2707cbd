//! The one address-directory model. Every format reads into it and writes from it.
//!
//! An [`Entry`] is one address-list entry: full name, [`Address`], [`EntryKind`],
//! ordered template data and where it came from. A [`Directory`] holds entries
//! keyed by their identity — the address, compared case-insensitively in CP850 —
//! and applies the import-file [`Operation`]s (A, D, M, R, T) in order.

mod address;
mod directory;
mod entry;
mod prompt;
#[cfg(test)]
mod tests;

pub use address::{
    is_address_type, scope_key_of, Address, AddressError, AddressKey, Scope, FREE_FORM_TYPES,
    MAX_ADDRESS_PART,
};
pub use directory::{Applied, Directory, Operation};
pub use entry::{
    prompt_repetitions, Entry, EntryKind, LimitViolation, Origin, Position, TemplateDef,
    TemplateField, TemplateValue, Text, MAX_FULL_NAME,
};
pub use prompt::Prompt;
