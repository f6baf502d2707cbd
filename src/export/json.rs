//! json writer (not implemented yet).
