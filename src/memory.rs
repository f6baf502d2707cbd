//! The process's resident memory, for the phase timings (`MSMAIL_TIMINGS`):
//! measuring where memory goes is how the benchmark's figures are explained.

/// Resident set size now and at its peak so far, in MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resident {
    /// Resident now (`VmRSS`).
    pub now_mib: u64,
    /// Highest so far (`VmHWM`).
    pub peak_mib: u64,
}

/// Reads `/proc/self/status` (Linux); `None` where it cannot be read.
pub fn resident() -> Option<Resident> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kib: u64 = line
            .get(name.len()..)?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some(kib / 1024)
    };
    Some(Resident {
        now_mib: field("VmRSS:")?,
        peak_mib: field("VmHWM:")?,
    })
}

/// ` (resident N MiB, peak M MiB)`, or nothing where it cannot be read.
pub fn resident_note() -> String {
    resident().map_or_else(String::new, |r| {
        format!(" (resident {} MiB, peak {} MiB)", r.now_mib, r.peak_mib)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn resident_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let r = super::resident().expect("/proc/self/status");
            assert!(r.now_mib <= r.peak_mib);
            assert!(super::resident_note().contains("MiB"));
        }
    }
}
