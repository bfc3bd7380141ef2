//! The input budgets: totals of documents, nodes and bytes over all
//! files, and what one file may still parse under them.

use crate::error::{Error, ErrorKind, Result};
use crate::limits::{Limit, Limits};
use crate::yaml;

/// Documents, YAML nodes and bytes of strings of parsed input, for the
/// limits on their totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub documents: usize,
    pub nodes: usize,
    /// Bytes of parsed strings, an alias's counted each time it is used.
    pub scalar_bytes: u64,
}

impl Tally {
    /// Adds a file's counts; fails in that file when a total passes its limit.
    pub(crate) fn add(&mut self, other: Tally, file: &str, limits: &Limits) -> Result<()> {
        self.documents += other.documents;
        self.nodes += other.nodes;
        self.scalar_bytes += other.scalar_bytes;
        for total in [Total::Documents, Total::Nodes, Total::StringBytes] {
            if self.over(total, limits) {
                return Err(total.error(limits).in_file(file));
            }
        }
        Ok(())
    }

    pub(super) fn over(&self, total: Total, limits: &Limits) -> bool {
        match total {
            Total::Documents => self.documents > limits.max_documents,
            Total::Nodes => self.nodes > limits.max_yaml_nodes,
            Total::StringBytes => self.scalar_bytes > limits.max_input_bytes,
        }
    }

    /// The limits for the next files: the parser stops a file as soon as
    /// the totals would pass theirs. Parsed strings are held to
    /// `--max-input-size` in all (the parser's scalar budget is a file's
    /// size, so it is lowered to what is left).
    pub(super) fn remaining(&self, limits: &Limits) -> Limits {
        Limits {
            max_documents: limits.max_documents.saturating_sub(self.documents),
            max_yaml_nodes: limits.max_yaml_nodes.saturating_sub(self.nodes),
            max_file_bytes: limits.max_file_bytes.min(limits.max_input_bytes.saturating_sub(self.scalar_bytes)),
            ..*limits
        }
    }

    /// The counts of parsed documents.
    pub(crate) fn of(docs: &[yaml::Doc]) -> Tally {
        let mut t = Tally { documents: docs.len(), ..Tally::default() };
        for d in docs {
            let (nodes, bytes) = crate::limits::measure(&d.value);
            t.nodes += nodes;
            t.scalar_bytes += bytes;
        }
        crate::work::add(crate::work::Site::YamlNodes, t.nodes as u64);
        t
    }
}

/// A total over all input files that has a limit.
#[derive(Debug, Clone, Copy)]
pub(super) enum Total {
    Documents,
    Nodes,
    /// Bytes of parsed strings, held to `--max-input-size`.
    StringBytes,
}

impl Total {
    /// The total a parser budget error is really about, when the budget
    /// was what was left of the totals (`budget`) rather than the file's own.
    pub(super) fn of_budget(limit: Limit, budget: &Limits, limits: &Limits) -> Option<Total> {
        match limit {
            Limit::Documents => Some(Total::Documents),
            Limit::YamlNodes => Some(Total::Nodes),
            // The scalar budget is a file's size, lowered to what is left
            // of the total (see `Tally::remaining`).
            Limit::FileSize if budget.max_file_bytes < limits.max_file_bytes => Some(Total::StringBytes),
            _ => None,
        }
    }

    pub(super) fn error(self, limits: &Limits) -> Error {
        let (what, limit) = match self {
            Total::Documents => (format!("{} YAML documents", limits.max_documents), Limit::Documents),
            Total::Nodes => (format!("{} YAML nodes", limits.max_yaml_nodes), Limit::YamlNodes),
            Total::StringBytes => (
                format!("{} bytes of parsed strings (aliases count each use)", limits.max_input_bytes),
                Limit::InputSize,
            ),
        };
        crate::limits::exceeded(format!("more than the limit of {what} in all input files"), limit)
    }
}

/// Runs `parse` with what is left of the totals as its budget, so the
/// parser stops a file as soon as the totals would pass their limits; a
/// budget that runs out is reported as the total it is part of.
pub(super) fn within<T>(
    total: Tally,
    limits: &Limits,
    path: &str,
    parse: impl FnOnce(&Limits) -> Result<T>,
) -> Result<T> {
    let budget = total.remaining(limits);
    parse(&budget).map_err(|e| {
        let total = match &e.kind {
            ErrorKind::Limit { limit: Some(limit), .. } => Total::of_budget(*limit, &budget, limits),
            _ => None,
        };
        match total {
            Some(total) => total.error(limits).in_file(path).at_line(e.line.unwrap_or(0)),
            None => e,
        }
    })
}

/// Whether a YAML text may use aliases (it needs an `&anchor` and a
/// `*alias`). Only such a file can build more nodes than it has bytes.
pub(super) fn may_alias(text: &str) -> bool {
    text.contains('&') && text.contains('*')
}
