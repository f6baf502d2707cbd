//! [`Prompt`]: a template prompt (`Phone:`), shared rather than copied.
//!
//! A directory of a million entries holds a few million template values but
//! only a handful of distinct prompts. Each value used to own a copy of its
//! prompt (a heap string); a `Prompt` is a reference-counted string, and the
//! readers hand out one shared copy per distinct prompt ([`Prompt::intern`]).

use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// Distinct prompts a thread keeps for sharing; beyond this (damaged input
/// with a new prompt on every line) prompts are allocated one by one, so the
/// cache never grows with the input.
const INTERN_LIMIT: usize = 4096;

thread_local! {
    static INTERNED: RefCell<HashSet<Arc<str>, foldhash::fast::RandomState>> =
        RefCell::new(HashSet::default());
}

/// A template prompt, as in the TPL (with its colon): a shared, immutable
/// string that reads as `&str`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prompt(Arc<str>);

impl Prompt {
    /// The prompt, shared with every other prompt of the same text this
    /// thread interned (up to a few thousand distinct ones).
    pub fn intern(text: &str) -> Prompt {
        INTERNED.with(|cell| {
            let Ok(mut set) = cell.try_borrow_mut() else {
                return Prompt(Arc::from(text));
            };
            if let Some(shared) = set.get(text) {
                return Prompt(Arc::clone(shared));
            }
            let shared: Arc<str> = Arc::from(text);
            if set.len() < INTERN_LIMIT {
                set.insert(Arc::clone(&shared));
            }
            Prompt(shared)
        })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Prompt {
    fn default() -> Prompt {
        Prompt::intern("")
    }
}

impl Deref for Prompt {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Prompt {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Prompt {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Prompt {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl From<&str> for Prompt {
    fn from(text: &str) -> Prompt {
        Prompt::intern(text)
    }
}

impl From<String> for Prompt {
    fn from(text: String) -> Prompt {
        Prompt::intern(&text)
    }
}

impl From<&String> for Prompt {
    fn from(text: &String) -> Prompt {
        Prompt::intern(text)
    }
}

impl From<Prompt> for String {
    fn from(p: Prompt) -> String {
        p.0.to_string()
    }
}

impl PartialEq<str> for Prompt {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Prompt {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Prompt {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Prompt> for str {
    fn eq(&self, other: &Prompt) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Prompt> for &str {
    fn eq(&self, other: &Prompt) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Prompt> for String {
    fn eq(&self, other: &Prompt) -> bool {
        **self == *other.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interned_prompts_share_one_copy_and_compare_as_text() {
        let a = Prompt::intern("Phone:");
        let b = Prompt::from(String::from("Phone:"));
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(a, "Phone:");
        assert_eq!(a.as_str(), "Phone:");
        assert_eq!(format!("{a}|{a:?}"), "Phone:|\"Phone:\"");
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"Phone:\"");
        assert_ne!(a, Prompt::intern("Fax:"));
    }

    #[test]
    fn the_cache_stops_growing_at_its_limit() {
        for i in 0..INTERN_LIMIT + 10 {
            let p = Prompt::intern(&format!("p{i}:"));
            assert_eq!(p.as_str(), format!("p{i}:"));
        }
        INTERNED.with(|c| assert!(c.borrow().len() <= INTERN_LIMIT));
    }
}
