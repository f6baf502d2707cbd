//! ldif writer (not implemented yet).
