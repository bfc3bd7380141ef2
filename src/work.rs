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

/// Where work is counted: one counter each, so a quadratic loop at one
/// place is not diluted by linear counts at the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// Candidates a name lookup in the bundle index returned.
    Lookup,
    /// Objects of each distinct target list the version plan visited.
    Plan,
    /// Same-named candidates a token of the name-used scan visited.
    NameScan,
    /// Targets of each link `graph` examined.
    Graph,
    /// Lines `check` scanned for YAML 1.1 spellings.
    CheckScan,
    /// Bundles `check` looked up for unused-bundle findings.
    CheckUnused,
    /// Targets of each distinct list the rewrite examined.
    Rewrite,
    /// Names the RBAC rewrite collected and wrote.
    RbacRewrite,
    /// `{{#each}}` iterations templates ran.
    TemplateLoop,
    /// YAML nodes parses built.
    YamlNodes,
}

impl Site {
    pub const ALL: [Site; 10] = [
        Site::Lookup,
        Site::Plan,
        Site::NameScan,
        Site::Graph,
        Site::CheckScan,
        Site::CheckUnused,
        Site::Rewrite,
        Site::RbacRewrite,
        Site::TemplateLoop,
        Site::YamlNodes,
    ];
}

static UNITS: [AtomicU64; 10] = [const { AtomicU64::new(0) }; 10];

/// Counts `n` units of work at `site`.
pub fn add(site: Site, n: u64) {
    UNITS[site as usize].fetch_add(n, Ordering::Relaxed);
}

/// The units counted at each site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([u64; 10]);

impl Counts {
    #[must_use]
    pub fn at(&self, site: Site) -> u64 {
        self.0[site as usize]
    }

    /// All sites together.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

/// The units counted since the last call, per site, and starts again from
/// zero. The counts are the whole process's: callers that measure
/// serialize themselves.
#[must_use]
pub fn take() -> Counts {
    Counts(std::array::from_fn(|i| UNITS[i].swap(0, Ordering::Relaxed)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn take_returns_what_was_added_and_resets() {
        // Other unit tests add concurrently: only lower bounds hold here.
        let _ = super::take();
        super::add(super::Site::Plan, 3);
        super::add(super::Site::Plan, 4);
        assert!(super::take().at(super::Site::Plan) >= 7);
    }
}
