//! References (SPEC §5): every field through which an object names a
//! ConfigMap or Secret, and what each one names.
//!
//! - [`rule`]: the one rule type, for the built-in table and imprint.yaml's
//!   `references:` alike;
//! - [`table`]: the built-in table, as data, with a source per row;
//! - [`find`]: applies the rules to an object (PodSpecs, containers and
//!   volumes are found by shape in custom resources; policies are skipped);
//! - [`resolve`]: the one resolver: links each reference to the objects it
//!   names, the providers that write them, dangling names and missing keys;
//! - [`stale`]: the net under the table: no reference-shaped use of a
//!   renamed object's old name survives a render.

pub mod find;
pub mod path;
pub mod resolve;
pub mod rule;
pub mod stale;
pub mod table;

pub use find::{Reference, RuleRef, Rules};
pub use path::{FieldPath, Pattern, Seg, walk};
pub use resolve::{BundleIndex, Externals, Link};
pub use rule::{Role, Rule, Scope, TargetSpec, Via};

use crate::model::Object;
use serde_json::Value;

/// Where an object keeps PodSpecs: the fixed path of a built-in workload,
/// else every mapping with a `containers` list (what `diff` watches for a
/// rollout).
#[must_use]
pub fn pod_spec_paths(o: &Object) -> Vec<FieldPath> {
    if let Some(path) = crate::kinds::builtin_pod_spec_path(o.group(), o.kind()) {
        let p = FieldPath::default().keys(path);
        return if p.get(&o.value).is_some_and(Value::is_object) { vec![p] } else { Vec::new() };
    }
    if crate::kinds::is_builtin_group(o.group()) || crate::kinds::is_policy(o.group(), o.kind()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    walk(&o.value, &mut Vec::new(), &mut |path, v| {
        if v.get("containers").is_some_and(Value::is_array) && !path.is_empty() {
            out.push(FieldPath(path.to_vec()));
        }
    });
    out
}
