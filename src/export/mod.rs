//! Migration outputs of a [`Directory`](crate::model::Directory): CSV, LDIF
//! (content and change records) and JSON. The import-text writer lives in
//! [`crate::importtext`].

pub mod csv;
pub mod json;
pub mod ldif;
