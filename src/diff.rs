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
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Version of the JSON schema below; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// An object named in the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    pub group: String,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.namespace.is_empty() {
            write!(f, "{}/", self.namespace)?;
        }
        write!(f, "{} {}", self.kind, self.name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

/// A versioned bundle that is new, gone, or has a new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleChange {
    /// `ConfigMap` or `Secret`.
    pub kind: String,
    pub namespace: String,
    /// The bundle's name before versioning.
    pub bundle: String,
    /// `new-version`, `added` or `removed`.
    pub change: &'static str,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
    pub keys: KeyChanges,
}

/// A workload whose pod template changes, so its pods will be replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    pub workload: ObjectRef,
    /// Bundles (`Kind/bundle`) whose new version this workload now uses.
    pub bundles: Vec<String>,
    /// Other changed fields of the workload (paths), empty when it rolls
    /// only because of bundles.
    pub other_changes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ObjectChanges {
    pub added: Vec<ObjectRef>,
    pub removed: Vec<ObjectRef>,
    pub changed: Vec<ObjectRef>,
}

/// The whole report; its JSON form is the documented `--format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema_version: u32,
    pub changed: bool,
    pub bundles: Vec<BundleChange>,
    pub rollouts: Vec<Rollout>,
    pub objects: ObjectChanges,
    /// Previous versions kept by `keepVersions` that appear or go away.
    pub retained: ObjectChanges,
    /// Unified diff of every added, removed or changed object, Secret
    /// values redacted.
    pub diff: String,
}

/// How an object is matched across the two sides: a versioned bundle by its
/// original name, everything else by its name.
type Key = (String, String, String, String);

fn is_superseded(o: &Object) -> bool {
    o.annotation(annotations::SUPERSEDED) == Some("true")
}

fn key(o: &Object) -> Key {
    // A retained previous version is its own object: match it by its name.
    let logical =
        if is_superseded(o) { o.name() } else { o.annotation(annotations::BUNDLE).unwrap_or_else(|| o.name()) };
    (o.group().to_string(), o.kind().to_string(), o.namespace().to_string(), logical.to_string())
}

impl From<&Object> for ObjectRef {
    fn from(o: &Object) -> Self {
        ObjectRef {
            kind: o.kind().to_string(),
            group: o.group().to_string(),
            namespace: o.namespace().to_string(),
            name: o.name().to_string(),
        }
    }
}

fn object_ref(o: &Object) -> ObjectRef {
    ObjectRef::from(o)
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
    let r = object_ref(o);
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
                (None, Some(y)) => retained.added.push(object_ref(y)),
                (Some(x), None) => retained.removed.push(object_ref(x)),
                (Some(x), Some(y)) if x.value != y.value => retained.changed.push(object_ref(y)),
                _ => {}
            }
            continue;
        }
        diff.push_str(&unified(a, b, &mut work_left));
        let versioned = a.into_iter().chain(b).any(|o| o.annotation(annotations::BUNDLE).is_some());
        match (a, b) {
            (None, Some(y)) if !versioned => objects.added.push(object_ref(y)),
            (Some(x), None) if !versioned => objects.removed.push(object_ref(x)),
            (Some(x), Some(y)) if x.value != y.value && !versioned => {
                let picked: BTreeSet<String> =
                    uses.get(*k).into_iter().flatten().filter_map(|&t| renamed.get(new[t].name()).cloned()).collect();
                if let Some(r) = rollout(x, y, &new_to_old, picked) {
                    rollouts.push(r);
                } else {
                    objects.changed.push(object_ref(y));
                }
            }
            (Some(x), Some(y)) if x.value != y.value && x.name() == y.name() => objects.changed.push(object_ref(y)),
            _ => {}
        }
    }
    let changed = !bundles.is_empty()
        || !rollouts.is_empty()
        || objects != ObjectChanges::default()
        || retained != ObjectChanges::default();
    Report { schema_version: SCHEMA_VERSION, changed, bundles, rollouts, objects, retained, diff }
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
    Some(Rollout { workload: object_ref(new), bundles, other_changes: other })
}

// ---- rendering the report ----

/// Colours for the text format.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

fn keys_summary(k: &KeyChanges) -> String {
    let mut parts = Vec::new();
    for (what, list) in [("added", &k.added), ("removed", &k.removed), ("changed", &k.changed)] {
        if !list.is_empty() {
            parts.push(format!("{what}: {}", list.join(", ")));
        }
    }
    parts.join("; ")
}

fn bundle_line(b: &BundleChange) -> String {
    let ns = if b.namespace.is_empty() { String::new() } else { format!("{}/", b.namespace) };
    let what = match b.change {
        "new-version" => {
            format!("{} → {}", b.old_name.as_deref().unwrap_or_default(), b.new_name.as_deref().unwrap_or_default())
        }
        "added" => format!("added ({})", b.new_name.as_deref().unwrap_or_default()),
        _ => format!("removed ({})", b.old_name.as_deref().unwrap_or_default()),
    };
    format!("{ns}{} {}: {what}", b.kind, b.bundle)
}

fn rollout_reason(r: &Rollout) -> String {
    let bundles = format!("new version of {}", r.bundles.join(", "));
    let other = format!("changed {}", r.other_changes.join(", "));
    match (r.bundles.is_empty(), r.other_changes.is_empty()) {
        (false, true) => format!("{bundles} (config only)"),
        (false, false) => format!("{bundles}; {other}"),
        (true, _) => other,
    }
}

/// The terminal report.
#[must_use]
pub fn to_text(r: &Report, style: Style) -> String {
    let mut out = String::new();
    if !r.changed {
        return "No changes.\n".into();
    }
    let head = |t: &str| style.paint("1", t);
    out.push_str(&format!("{}\n", head(&format!("Config versions ({})", r.bundles.len()))));
    for b in &r.bundles {
        out.push_str(&format!("  {}\n", bundle_line(b)));
        let keys = keys_summary(&b.keys);
        if !keys.is_empty() && b.change == "new-version" {
            out.push_str(&format!("      keys {keys}\n"));
        }
    }
    out.push_str(&format!("\n{}\n", head(&format!("Workloads that will roll ({})", r.rollouts.len()))));
    for w in &r.rollouts {
        out.push_str(&format!("  {}: {}\n", w.workload, rollout_reason(w)));
    }
    let o = &r.objects;
    out.push_str(&format!(
        "\n{}\n",
        head(&format!(
            "Other objects ({} added, {} removed, {} changed)",
            o.added.len(),
            o.removed.len(),
            o.changed.len()
        ))
    ));
    for (what, list) in [("added", &o.added), ("removed", &o.removed), ("changed", &o.changed)] {
        for x in list {
            out.push_str(&format!("  {what:<8}{x}\n"));
        }
    }
    let kept = &r.retained;
    if kept != &ObjectChanges::default() {
        out.push_str(&format!(
            "\n{}\n",
            head(&format!("Retained previous versions ({} kept, {} dropped)", kept.added.len(), kept.removed.len()))
        ));
        for (what, list) in [("kept", &kept.added), ("dropped", &kept.removed), ("changed", &kept.changed)] {
            for x in list {
                out.push_str(&format!("  {what:<8}{x}\n"));
            }
        }
    }
    if !r.diff.is_empty() {
        out.push('\n');
        for line in r.diff.lines() {
            let painted = if line.starts_with("+++") || line.starts_with("---") {
                style.paint("1", line)
            } else if line.starts_with('+') {
                style.paint("32", line)
            } else if line.starts_with('-') {
                style.paint("31", line)
            } else if line.starts_with("@@") {
                style.paint("36", line)
            } else {
                line.to_string()
            };
            out.push_str(&painted);
            out.push('\n');
        }
    }
    out
}

/// Text from the input (names, keys, paths) as inert markdown: it cannot
/// close a table cell or a `<details>`, start an HTML block or a heading,
/// mention anyone or break the line. Object names of custom kinds are
/// barely checked by the API server, so any of these can be real.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '`' => out.push_str("&#96;"),
            '*' | '_' | '[' | ']' | '#' | '\\' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Smallest `--max-report-size`: the summary table and the cut notice
/// always fit.
pub const MIN_REPORT_SIZE: usize = 1024;

/// Markdown for a pull-request comment (the whole report).
#[must_use]
pub fn to_markdown(r: &Report) -> String {
    to_markdown_capped(r, usize::MAX)
}

/// Markdown of at most `max` bytes (at least [`MIN_REPORT_SIZE`]), for a
/// comment box with a size limit (GitHub's holds 65,536 characters). When
/// the whole report is larger, the details go first (object diff, retained
/// versions, other objects), then rows of the two tables from the end, and
/// a line says what was left out. The summary counts always stay whole.
#[must_use]
pub fn to_markdown_capped(r: &Report, max: usize) -> String {
    let mut out = String::from("### imprint diff\n\n");
    if !r.changed {
        out.push_str("No changes.\n");
        return out;
    }
    let o = &r.objects;
    out.push_str("| | |\n|---|---|\n");
    out.push_str(&format!("| config versions | {} |\n", r.bundles.len()));
    out.push_str(&format!("| workloads that will roll | {} |\n", r.rollouts.len()));
    out.push_str(&format!(
        "| other objects added / removed / changed | {} / {} / {} |\n\n",
        o.added.len(),
        o.removed.len(),
        o.changed.len()
    ));
    let bundles: Vec<String> = r.bundles.iter().map(bundle_row).collect();
    let rollouts: Vec<String> = r
        .rollouts
        .iter()
        .map(|w| format!("| {} | {} |\n", md_escape(&w.workload.to_string()), md_escape(&rollout_reason(w))))
        .collect();
    // Details, in the order they are given up.
    let mut details = vec![
        ("other objects", other_objects(o)),
        ("retained previous versions", retained(&r.retained)),
        ("the object diff", object_diff(&r.diff)),
    ];
    details.retain(|(_, text)| !text.is_empty());
    let shown = |b: usize, w: usize| tables(&bundles[..b], bundles.len(), &rollouts[..w], rollouts.len());
    let whole = shown(bundles.len(), rollouts.len());
    let details_len: usize = details.iter().map(|(_, t)| t.len()).sum();
    if out.len() + whole.len() + details_len <= max {
        out.push_str(&whole);
        details.iter().for_each(|(_, t)| out.push_str(t));
        return out;
    }
    // Room for the notice: it names what was cut, at most this long.
    let notice_room = 400;
    let sum = |d: &[(&str, String)]| d.iter().map(|(_, t)| t.len()).sum::<usize>();
    let mut left_out = Vec::new();
    while !details.is_empty() && out.len() + whole.len() + sum(&details) + notice_room > max {
        left_out.extend(details.pop().map(|(what, _)| what));
    }
    let (mut b, mut w) = (bundles.len(), rollouts.len());
    if out.len() + whole.len() + notice_room > max {
        // Rows from the end of the longer table until it fits; lengths by
        // prefix sums (a table can hold thousands of rows).
        let prefix = |rows: &[String]| {
            std::iter::once(0)
                .chain(rows.iter().scan(0, |n, r| {
                    *n += r.len();
                    Some(*n)
                }))
                .collect::<Vec<usize>>()
        };
        let (pb, pw) = (prefix(&bundles), prefix(&rollouts));
        let fixed = tables(&[], bundles.len(), &[], rollouts.len()).len();
        let len = |b: usize, w: usize| fixed + pb[b] + pw[w];
        while out.len() + len(b, w) + notice_room > max && b + w > 0 {
            if w >= b {
                w -= 1;
            } else {
                b -= 1;
            }
        }
    }
    out.push_str(&shown(b, w));
    details.iter().for_each(|(_, t)| out.push_str(t));
    let mut cut: Vec<String> = left_out.iter().rev().map(|s| (*s).to_string()).collect();
    if b < bundles.len() {
        cut.push(format!("{} of {} config versions", bundles.len() - b, bundles.len()));
    }
    if w < rollouts.len() {
        cut.push(format!("{} of {} workloads", rollouts.len() - w, rollouts.len()));
    }
    out.push_str(&format!(
        "> Cut to {max} bytes; left out: {}. `imprint diff` prints the whole report.\n",
        cut.join(", ")
    ));
    out
}

fn bundle_row(b: &BundleChange) -> String {
    let ns = if b.namespace.is_empty() { String::new() } else { format!("{}/", b.namespace) };
    let change = match b.change {
        "new-version" => {
            format!("`{}` → `{}`", b.old_name.as_deref().unwrap_or_default(), b.new_name.as_deref().unwrap_or_default())
        }
        "added" => format!("added `{}`", b.new_name.as_deref().unwrap_or_default()),
        _ => format!("removed `{}`", b.old_name.as_deref().unwrap_or_default()),
    };
    // Bundle and versioned names are DNS names (versioning checks them);
    // the namespace and keys come from the input as they are.
    format!("| {}{} `{}` | {change} | {} |\n", md_escape(&ns), b.kind, b.bundle, md_escape(&keys_summary(&b.keys)))
}

/// The two tables with the rows given; `… and N more` for rows cut.
fn tables(bundles: &[String], all_bundles: usize, rollouts: &[String], all_rollouts: usize) -> String {
    let mut out = String::new();
    let more = |shown: usize, all: usize, cols: usize| {
        (shown < all).then(|| format!("| … and {} more |{}\n", all - shown, " |".repeat(cols - 1)))
    };
    if all_bundles > 0 {
        out.push_str("#### Config versions\n\n| bundle | change | keys |\n|---|---|---|\n");
        bundles.iter().for_each(|row| out.push_str(row));
        out.push_str(&more(bundles.len(), all_bundles, 3).unwrap_or_default());
        out.push('\n');
    }
    if all_rollouts > 0 {
        out.push_str("#### Workloads that will roll\n\n| workload | because |\n|---|---|\n");
        rollouts.iter().for_each(|row| out.push_str(row));
        out.push_str(&more(rollouts.len(), all_rollouts, 2).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn other_objects(o: &ObjectChanges) -> String {
    if o == &ObjectChanges::default() {
        return String::new();
    }
    let mut out = String::from("<details><summary>Other objects</summary>\n\n");
    for (what, list) in [("added", &o.added), ("removed", &o.removed), ("changed", &o.changed)] {
        for x in list {
            out.push_str(&format!("- {what}: {}\n", md_escape(&x.to_string())));
        }
    }
    out.push_str("\n</details>\n\n");
    out
}

fn retained(r: &ObjectChanges) -> String {
    if r == &ObjectChanges::default() {
        return String::new();
    }
    let mut out = String::from("<details><summary>Retained previous versions</summary>\n\n");
    for (what, list) in [("kept", &r.added), ("dropped", &r.removed), ("changed", &r.changed)] {
        for x in list {
            out.push_str(&format!("- {what}: {}\n", md_escape(&x.to_string())));
        }
    }
    out.push_str("\n</details>\n\n");
    out
}

fn object_diff(diff: &str) -> String {
    if diff.is_empty() {
        return String::new();
    }
    // A fence longer than any backtick run in the diff.
    let longest = diff.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("<details><summary>Object diff</summary>\n\n{fence}diff\n{diff}{fence}\n\n</details>\n")
}

/// The JSON report (schema in docs/commands.md, `schemaVersion` 1).
#[must_use]
pub fn to_json(r: &Report) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("the report always serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod md_tests {
    use super::md_escape;

    #[test]
    fn markdown_escapes_what_could_break_out_of_a_cell() {
        let hostile = "d</details><img src=x> @admin | x\n| y `code` *b* [l](u) <!--";
        let e = md_escape(hostile);
        for bad in ["<", ">", "@admin", "\n", "`"] {
            assert!(!e.contains(bad), "{bad:?} survives in {e}");
        }
        assert!(!e.replace("\\|", "").contains('|'), "an unescaped | in {e}");
        assert!(e.contains("&lt;/details&gt;") && e.contains("\\| x"), "{e}");
        assert_eq!(md_escape("web-message-7g2k9x0c1d"), "web-message-7g2k9x0c1d");
    }
}
