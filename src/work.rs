//! Counted work: a process-wide tally of units of work, for tests and
//! benchmarks (issue 17). A wall-clock ceiling flakes on a shared CI machine
//! and hides a quadratic loop on a fast one; a count does neither, so
//! `tests/linear.rs` runs each hostile input at two sizes and asserts that
//! the count grows linearly.
//!
//! A unit is an element actually visited at a place where a quadratic loop
//! once was: the candidates a lookup returned, the lines a scan read, the
//! names a rewrite wrote, the loop iterations a template ran, the YAML nodes
//! a parse built. Each place adds its batch once (`work::add(candidates.len()
//! as u64)` after a lookup), never per byte or per inner-loop step, so the
//! cost is one relaxed atomic add per batch: nothing measurable
//! (BENCHMARKS.md, "Counted work"). It is always compiled, so what the tests
//! count is what ships.

use std::sync::atomic::{AtomicU64, Ordering};

static UNITS: AtomicU64 = AtomicU64::new(0);

/// Counts `n` units of work.
pub fn add(n: u64) {
    UNITS.fetch_add(n, Ordering::Relaxed);
}

/// The units counted since the last call, and starts again from zero. The
/// count is the whole process's: callers that measure serialize themselves.
#[must_use]
pub fn take() -> u64 {
    UNITS.swap(0, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn take_returns_what_was_added_and_resets() {
        // Other unit tests add concurrently: only lower bounds hold here.
        let _ = super::take();
        super::add(3);
        super::add(4);
        assert!(super::take() >= 7);
    }
}
