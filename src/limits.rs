//! Every resource limit in one place: the defaults, the flags that raise
//! them, and the error they give.
//!
//! imprint runs on shared Argo CD repo-servers over repositories that other
//! teams write, so no input may make it use unbounded time or memory. Each
//! limit is checked as early as possible (file sizes before a byte is read,
//! YAML budgets inside the parser, template loops before they run) and
//! fails with an error that names the file and the flag. docs/limits.md
//! says how the totals bound memory, and what was measured. The defaults sit far above real apps: a generated app
//! of 10,000 workloads has 56 MB of YAML in 2.3 million nodes and renders to
//! 162 MB (BENCHMARKS.md).

use crate::error::{Error, ErrorKind};

/// The largest `--max-depth` accepted: the YAML scanner's own cap on flow
/// nesting (`[[[…`). Parsing and imprint's walks over a document recurse
/// once a level, so this also bounds their stack use (tested at the
/// ceiling). JSON files stop at 128 levels, serde_json's fixed limit.
pub const DEPTH_CEILING: usize = 255;

/// Resource limits. docs/limits.md has the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file (`--max-file-size`), checked before it is read.
    pub max_file_bytes: u64,
    /// Most bytes read in all, files and stdin (`--max-input-size`); also,
    /// counted apart, the most bytes of parsed strings in all (an alias's
    /// counted each time it is used, so aliases cannot multiply them).
    pub max_input_bytes: u64,
    /// Most YAML documents in all manifest files together (`--max-documents`).
    pub max_documents: usize,
    /// Most YAML nodes (mappings, sequences, keys and scalars) in all
    /// manifest files together (`--max-yaml-nodes`). Parsed YAML takes about
    /// 80 bytes a node, far more than its text (`[0,0,0]` is 2 bytes a node),
    /// so this, not the input size, is what bounds memory.
    pub max_yaml_nodes: usize,
    /// Deepest nesting in one document (`--max-depth`, at most [`DEPTH_CEILING`]).
    pub max_depth: usize,
    /// Most alias uses, anchors, and nodes replayed by aliases in one file
    /// (`--max-alias-expansion`): a "billion laughs" stops here.
    pub max_alias_expansion: usize,
    /// Most keys in one generated ConfigMap or Secret (`--max-bundle-keys`).
    pub max_bundle_keys: usize,
    /// Largest rendered output, and most output of all templates together
    /// (`--max-output-size`). The default is Argo CD's own gRPC message
    /// limit (`ARGOCD_GRPC_MAX_SIZE_MB`, 200 MiB): a bigger render could not
    /// reach the application controller anyway.
    pub max_output_bytes: u64,
    /// Most `{{#each}}` iterations of all templates together
    /// (`--max-template-iterations`): loops that write nothing cost time too.
    pub max_template_iterations: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 128 << 20,
            max_input_bytes: 256 << 20,
            max_documents: 200_000,
            max_yaml_nodes: 5_000_000,
            max_depth: 128,
            max_alias_expansion: 1_000_000,
            max_bundle_keys: 10_000,
            max_output_bytes: 200 << 20,
            max_template_iterations: 1_000_000,
        }
    }
}

pub use crate::model::Limit;

/// The error for a limit that the input went past: `what` says which and
/// by how much; the help names the flag that raises it.
#[must_use]
pub fn exceeded(what: impl Into<String>, limit: Limit) -> Error {
    Error::new(ErrorKind::Limit { message: what.into(), limit: Some(limit) })
        .help(format!("raise the limit with {} if this input is legitimate", limit.flag()))
}

/// Counts the YAML nodes of a parsed value: one per mapping, sequence, key
/// and scalar.
#[must_use]
pub fn count_nodes(value: &serde_json::Value) -> usize {
    measure(value).0
}

/// The YAML nodes of a parsed value and the bytes of its strings (keys
/// included). Iterative, so it needs no stack however deep the value is.
#[must_use]
pub fn measure(value: &serde_json::Value) -> (usize, u64) {
    use serde_json::Value;
    let (mut nodes, mut bytes) = (0, 0u64);
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        nodes += 1;
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                nodes += map.len();
                bytes += map.keys().map(|k| k.len() as u64).sum::<u64>();
                stack.extend(map.values());
            }
            Value::String(s) => bytes += s.len() as u64,
            _ => {}
        }
    }
    (nodes, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nodes_count_keys_values_and_collections() {
        assert_eq!(count_nodes(&json!(1)), 1);
        assert_eq!(count_nodes(&json!([0, 0, 0])), 4);
        // {a: null, b: [1, 2]}: map, 2 keys, null, sequence, 2 scalars.
        assert_eq!(count_nodes(&json!({"a": null, "b": [1, 2]})), 7);
        assert_eq!(measure(&json!({"ab": "cde", "f": [1, "gh"]})), (7, 8));
    }

    #[test]
    fn the_error_names_the_flag() {
        let e = exceeded("too big", Limit::OutputSize).to_string();
        assert!(e.starts_with("too big") && e.contains("help: raise the limit with --max-output-size"), "{e}");
    }
}
