//! csv writer (not implemented yet).
