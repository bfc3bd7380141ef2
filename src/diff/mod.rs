//! `imprint diff`: what will roll, and why, before you merge. Compares two
//! renders (plain data from the pipeline) and reports, in this order: new
//! bundle versions with their key changes, workloads whose pod template
//! changes and what makes each roll, other objects added/removed/changed,
//! and a unified diff. Secret values never appear: bundles list key names
//! only, and the unified diff redacts every Secret value.

use crate::model::Object;
use crate::model::annotations;
use crate::model::object::split_api_version;
use crate::refs::{FieldPath, Role, Seg, pod_spec_paths};
use crate::render::Rendered;

mod markdown;
mod text;

pub use crate::report::{BundleChange, DIFF_SCHEMA_VERSION, KeyChanges, ObjectChanges, ObjectRef, Report, Rollout};
pub use markdown::{MIN_REPORT_SIZE, to_json, to_markdown, to_markdown_capped};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
pub use text::{Style, to_text};

/// How an object is matched across the two sides: a versioned bundle by its
/// original name, everything else by its name.
type Key = (String, String, String, String);

fn is_superseded(o: &Object) -> bool {
    o.annotation(annotations::SUPERSEDED) == Some("true")
}

fn key(o: &Object) -> Key {
    // A retained previous version is its own object: match it by its name.
    let logical = if is_superseded(o) { o.name() } else { o.bundle_name() };
    (o.group().to_string(), o.kind().to_string(), o.namespace().to_string(), logical.to_string())
}

fn is_secret(o: &Object) -> bool {
    o.kind() == "Secret" && split_api_version(o.api_version()).0.is_empty()
}

fn entries(o: &Object) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for section in ["data", "binaryData", "stringData"] {
        if let Some(Value::Object(m)) = o.value.get(section) {
            for (k, v) in m {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

fn key_changes(old: &Object, new: &Object) -> KeyChanges {
    let (a, b) = (entries(old), entries(new));
    let mut c = KeyChanges::default();
    for (k, v) in &b {
        match a.get(k) {
            None => c.added.push(k.clone()),
            Some(w) if w != v => c.changed.push(k.clone()),
            _ => {}
        }
    }
    c.removed = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
    c
}

/// Where a workload keeps its pod template (what, when changed, rolls it).
fn template_paths(o: &Object) -> Vec<FieldPath> {
    pod_spec_paths(o)
        .into_iter()
        .map(|p| {
            let mut segs = p.0;
            if segs.len() > 1 && segs.last() == Some(&Seg::Key("spec".into())) {
                segs.pop();
            }
            FieldPath(segs)
        })
        .collect()
}

/// Replaces every string equal to a new bundle name by its old name.
fn normalize(value: &Value, new_to_old: &HashMap<&str, &str>) -> Value {
    match value {
        Value::String(s) => Value::String(new_to_old.get(s.as_str()).map_or_else(|| s.clone(), |o| (*o).to_string())),
        Value::Array(a) => Value::Array(a.iter().map(|v| normalize(v, new_to_old)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), normalize(v, new_to_old))).collect()),
        other => other.clone(),
    }
}

/// Leaf paths where two values differ (at most `limit`).
fn changed_paths(a: &Value, b: &Value, at: &mut Vec<String>, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let sep = if at.is_empty() { "" } else { "." };
                at.push(format!("{sep}{k}"));
                changed_paths(x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null), at, out, limit);
                at.pop();
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                at.push(format!("[{i}]"));
                changed_paths(p, q, at, out, limit);
                at.pop();
            }
        }
        _ => out.push(at.concat()),
    }
}

/// A Secret as the unified diff shows it: values and anything derived from
/// them replaced by markers. `other` is the same Secret on the other side,
/// so a changed value shows as a changed marker.
fn redact(o: &Object, other: Option<&Object>, side: &str) -> Value {
    let mut v = o.value.clone();
    let theirs = other.map(entries).unwrap_or_default();
    for section in ["data", "binaryData", "stringData"] {
        // A malformed section (not a mapping) is hidden whole.
        if let Some(other) = v.get_mut(section).filter(|x| !x.is_object() && !x.is_null()) {
            *other = Value::String("<redacted>".into());
        }
        if let Some(Value::Object(m)) = v.get_mut(section) {
            for (k, val) in m.iter_mut() {
                let same = theirs.get(k) == Some(val);
                *val = Value::String(if same || other.is_none() {
                    "<redacted>".to_string()
                } else {
                    format!("<redacted: {side} value>")
                });
            }
        }
    }
    if let Some(Value::Object(ann)) = v.get_mut("metadata").and_then(|m| m.get_mut("annotations")) {
        // An unkeyed content hash, or kubectl's copy of the object, would
        // let a reader confirm a guessed value.
        for k in [annotations::CONTENT_HASH, annotations::LAST_APPLIED] {
            if let Some(val) = ann.get_mut(k) {
                *val = Value::String("<redacted>".into());
            }
        }
    }
    v
}

fn shown(o: Option<&Object>, other: Option<&Object>, side: &str) -> String {
    match o {
        None => String::new(),
        Some(o) if is_secret(o) => crate::yaml::to_yaml(&redact(o, other.filter(|x| is_secret(x)), side)),
        Some(o) => crate::yaml::to_yaml(&o.value),
    }
}

fn label(o: &Object) -> String {
    let r = ObjectRef::from(o);
    if r.namespace.is_empty() {
        format!("{}/{}", r.kind, r.name)
    } else {
        format!("{}/{}/{}", r.kind, r.namespace, r.name)
    }
}

/// How much line-diff work one `diff` may do, in (old lines + new lines)²
/// summed over the objects diffed: the worst case of the line diff, so an
/// object rewritten line by line costs what it may, and a few seconds bound
/// the whole. Past it, objects are summarized, in a fixed order, so the
/// output never depends on the machine's speed.
const DIFF_WORK: u64 = 2_000_000_000;

fn unified(old: Option<&Object>, new: Option<&Object>, work_left: &mut u64) -> String {
    if let (Some(a), Some(b)) = (old, new)
        && a.value == b.value
    {
        return String::new();
    }
    let a = shown(old, new, "old");
    let b = shown(new, old, "new");
    if a == b {
        return String::new();
    }
    let head_a = old.map_or_else(|| "/dev/null".to_string(), |o| format!("a/{}", label(o)));
    let head_b = new.map_or_else(|| "/dev/null".to_string(), |o| format!("b/{}", label(o)));
    let lines = (a.lines().count() + b.lines().count()) as u64;
    let work = lines.saturating_mul(lines);
    if work > *work_left {
        let (la, lb) = (a.lines().count(), b.lines().count());
        return format!("--- {head_a}\n+++ {head_b}\n@@ too large to show here: {la} lines before, {lb} after @@\n");
    }
    *work_left -= work;
    similar::TextDiff::from_lines(&a, &b).unified_diff().context_radius(3).header(&head_a, &head_b).to_string()
}

/// Compares two renders. Which bundles a workload picks up comes from the
/// new render's resolved references, the same answer `render` rewrote by.
#[must_use]
pub fn compare(old_render: &Rendered, new_render: &Rendered) -> Report {
    let (old, new) = (&old_render.objects, &new_render.objects);
    let old_by: BTreeMap<Key, &Object> = old.iter().map(|o| (key(o), o)).collect();
    let new_by: BTreeMap<Key, &Object> = new.iter().map(|o| (key(o), o)).collect();
    // The bundles (indices into `new`) each object of the new side names.
    let mut uses: HashMap<Key, BTreeSet<usize>> = HashMap::new();
    for l in new_render.links.iter().filter(|l| l.reference.role != Role::Provides) {
        uses.entry(key(&new[l.from])).or_default().extend(l.to.iter().copied());
    }
    let all: BTreeSet<&Key> = old_by.keys().chain(new_by.keys()).collect();
    let mut bundles = Vec::new();
    let mut new_to_old: HashMap<&str, &str> = HashMap::new();
    let mut renamed: HashMap<&str, String> = HashMap::new();
    for k in &all {
        let (a, b) = (old_by.get(*k), new_by.get(*k));
        let versioned = a.into_iter().chain(b).any(|o| o.annotation(annotations::BUNDLE).is_some());
        if !versioned || a.into_iter().chain(b).any(|o| is_superseded(o)) {
            continue;
        }
        let (kind, ns, bundle) = (k.1.clone(), k.2.clone(), k.3.clone());
        let change = match (a, b) {
            (Some(x), Some(y)) if x.name() == y.name() => continue,
            (Some(x), Some(y)) => {
                new_to_old.insert(y.name(), x.name());
                renamed.insert(y.name(), format!("{kind}/{bundle}"));
                BundleChange {
                    kind,
                    namespace: ns,
                    bundle,
                    change: "new-version",
                    old_name: Some(x.name().into()),
                    new_name: Some(y.name().into()),
                    keys: key_changes(x, y),
                }
            }
            (None, Some(y)) => BundleChange {
                kind,
                namespace: ns,
                bundle,
                change: "added",
                old_name: None,
                new_name: Some(y.name().into()),
                keys: KeyChanges { added: entries(y).into_keys().collect(), ..KeyChanges::default() },
            },
            (Some(x), None) => BundleChange {
                kind,
                namespace: ns,
                bundle,
                change: "removed",
                old_name: Some(x.name().into()),
                new_name: None,
                keys: KeyChanges { removed: entries(x).into_keys().collect(), ..KeyChanges::default() },
            },
            (None, None) => unreachable!("key comes from one side"),
        };
        bundles.push(change);
    }
    let mut rollouts = Vec::new();
    let mut objects = ObjectChanges::default();
    let mut retained = ObjectChanges::default();
    let mut diff = String::new();
    let mut work_left = DIFF_WORK;
    for k in &all {
        let (a, b) = (old_by.get(*k).copied(), new_by.get(*k).copied());
        if a.into_iter().chain(b).any(is_superseded) {
            match (a, b) {
                (None, Some(y)) => retained.added.push(ObjectRef::from(y)),
                (Some(x), None) => retained.removed.push(ObjectRef::from(x)),
                (Some(x), Some(y)) if x.value != y.value => retained.changed.push(ObjectRef::from(y)),
                _ => {}
            }
            continue;
        }
        diff.push_str(&unified(a, b, &mut work_left));
        let versioned = a.into_iter().chain(b).any(|o| o.annotation(annotations::BUNDLE).is_some());
        match (a, b) {
            (None, Some(y)) if !versioned => objects.added.push(ObjectRef::from(y)),
            (Some(x), None) if !versioned => objects.removed.push(ObjectRef::from(x)),
            (Some(x), Some(y)) if x.value != y.value && !versioned => {
                let picked: BTreeSet<String> =
                    uses.get(*k).into_iter().flatten().filter_map(|&t| renamed.get(new[t].name()).cloned()).collect();
                if let Some(r) = rollout(x, y, &new_to_old, picked) {
                    rollouts.push(r);
                } else {
                    objects.changed.push(ObjectRef::from(y));
                }
            }
            (Some(x), Some(y)) if x.value != y.value && x.name() == y.name() => {
                objects.changed.push(ObjectRef::from(y))
            }
            _ => {}
        }
    }
    let changed = !bundles.is_empty()
        || !rollouts.is_empty()
        || objects != ObjectChanges::default()
        || retained != ObjectChanges::default();
    Report { schema_version: DIFF_SCHEMA_VERSION, changed, bundles, rollouts, objects, retained, diff }
}

/// A workload rolls when its pod template changes; it says which new bundle
/// versions it picks up and what else changed in it.
fn rollout(old: &Object, new: &Object, new_to_old: &HashMap<&str, &str>, bundles: BTreeSet<String>) -> Option<Rollout> {
    let paths = template_paths(new);
    if paths.is_empty() {
        return None;
    }
    let rolls = paths.iter().any(|p| p.get(&old.value) != p.get(&new.value));
    if !rolls {
        return None;
    }
    let bundles: Vec<String> = bundles.into_iter().collect();
    let normalized = normalize(&new.value, new_to_old);
    let mut other = Vec::new();
    changed_paths(&old.value, &normalized, &mut Vec::new(), &mut other, 20);
    Some(Rollout { workload: ObjectRef::from(new), bundles, other_changes: other })
}

// ---- rendering the report ----
