//! Objects made from a reference-table row: one holding a name at the
//! row's path (built-in workload, or by shape in a custom resource), and the
//! ConfigMap or Secret it names. Shared by tests/reference_table.rs and the
//! stale-name property test.
#![allow(dead_code)]

use imprint::model::BundleKind;
use imprint::refs::path::{FieldPath, Pattern, Step};
use imprint::refs::rule::{KeySpec, Rule, Scope, TargetSpec, When};
use serde_json::{Map, Value, json};

pub const NS: &str = "ns";
pub const KEY: &str = "k1";

/// A value holding `leaf` at the end of `steps` (one element per list, one
/// key per glob, zero levels for `**`).
pub fn build(steps: &[Step], leaf: Value) -> Value {
    match steps.split_first() {
        None => leaf,
        Some((Step::Key(k), rest)) => {
            let mut m = Map::new();
            m.insert(k.clone(), build(rest, leaf));
            Value::Object(m)
        }
        Some((Step::Glob(a, b), rest)) => {
            let mut m = Map::new();
            m.insert(format!("{a}X{b}"), build(rest, leaf));
            Value::Object(m)
        }
        Some((Step::Each, rest)) => Value::Array(vec![build(rest, leaf)]),
        Some((Step::Deep, rest)) => build(rest, leaf),
    }
}

/// Merges `b` into `a` (mappings key by key; anything else: `b` wins).
pub fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in y {
                match x.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        x.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// What the row should name, and the text its field holds for `name`.
pub fn target_and_text(rule: &Rule, name: &str) -> (BundleKind, String) {
    match rule.target {
        TargetSpec::Fixed(t) => (t, name.to_string()),
        TargetSpec::ByField { default: Some(t), .. } => (t, name.to_string()),
        TargetSpec::ByField { default: None, .. } => (BundleKind::ConfigMap, name.to_string()),
        TargetSpec::Flag => (BundleKind::ConfigMap, format!("--configmap={name}")),
        TargetSpec::Rbac => (BundleKind::ConfigMap, String::new()),
    }
}

/// The row's field (and what sits beside it) at `base` inside `root`.
fn place(rule: &Rule, name: &str, root: &mut Value, base: &FieldPath) -> FieldPath {
    let pattern = Pattern::parse(&rule.path).unwrap();
    let (target, text) = target_and_text(rule, name);
    let leaf = if rule.target == TargetSpec::Rbac {
        json!({"apiGroups": [""], "resources": ["configmaps"], "resourceNames": [name], "verbs": ["get"]})
    } else {
        Value::String(text)
    };
    let piece = build(&pattern.0, leaf);
    let slot = base.get_mut(root).expect("base exists");
    merge(slot, piece);
    let found = pattern.expand(base.get(root).unwrap(), base);
    let path = found.first().expect("the built value matches its own pattern").path.clone();
    let holder = path.parent().get_mut(root).unwrap();
    if let Value::Object(h) = holder {
        if let TargetSpec::ByField { field, default: None } = rule.target {
            h.insert(field.to_string(), Value::String(target.kind().to_string()));
        }
        match rule.key {
            KeySpec::None => {}
            KeySpec::Field(f) => {
                h.insert(f.to_string(), Value::String(KEY.into()));
            }
            KeySpec::List(list, f) => {
                h.insert(list.to_string(), json!([{f: KEY, "path": "p"}]));
            }
        }
    }
    path
}

fn api_version(group: &str) -> String {
    if group.is_empty() { "v1".into() } else { format!("{group}/v1") }
}

/// The referring object (named `referrer`) for a row naming `name`, and the
/// path of its field.
pub fn referrer(rule: &Rule, name: &str, referrer: &str, shape: bool) -> (Value, FieldPath) {
    let (group, kind) = match rule.scope {
        Scope::Kind if rule.group == "*" => ("pkg.example.io".to_string(), rule.kind.to_string()),
        Scope::Kind => (rule.group.to_string(), rule.kind.to_string()),
        Scope::AnyKind => ("example.com".into(), "Thing".into()),
        _ if shape => ("example.com".into(), "Workload".into()),
        _ => ("apps".into(), "Deployment".into()),
    };
    let mut obj = json!({"apiVersion": api_version(&group), "kind": kind, "metadata": {"name": referrer}});
    let base = match (&rule.scope, shape) {
        (Scope::Kind | Scope::AnyKind, _) => FieldPath::default(),
        (Scope::PodSpec, false) => {
            obj["spec"] = json!({"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}});
            FieldPath::default().keys(&["spec", "template", "spec"])
        }
        (Scope::PodSpec, true) => {
            obj["spec"] = json!({"runner": {"podTemplate": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}});
            FieldPath::default().keys(&["spec", "runner", "podTemplate", "spec"])
        }
        (Scope::Container, false) => {
            obj["spec"] = json!({"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}});
            FieldPath::default().keys(&["spec", "template", "spec", "containers"]).index(0)
        }
        (Scope::Container, true) => {
            // A Tekton-like step: a container by its `image`.
            obj["spec"] = json!({"steps": [{"name": "s", "image": "i"}]});
            FieldPath::default().keys(&["spec", "steps"]).index(0)
        }
        (Scope::Volume, false) => {
            obj["spec"] = json!({"template": {"spec": {"containers": [{"name": "c", "image": "i"}], "volumes": [{"name": "v"}]}}});
            FieldPath::default().keys(&["spec", "template", "spec", "volumes"]).index(0)
        }
        (Scope::Volume, true) => {
            obj["spec"] = json!({"workspace": {"volumes": [{"name": "v"}]}});
            FieldPath::default().keys(&["spec", "workspace", "volumes"]).index(0)
        }
    };
    if let When::Annotated(keys) = rule.when {
        obj["metadata"]["annotations"] = json!({keys[0]: "true"});
    }
    if let When::Has(path) = rule.when {
        let p = Pattern::parse(path).unwrap();
        merge(&mut obj, build(&p.0, json!({})));
    }
    let path = place(rule, name, &mut obj, &base);
    let cluster = imprint::kinds::Scopes::default().is_cluster_scoped(&group, &kind);
    if !cluster {
        obj["metadata"]["namespace"] = Value::String(NS.into());
    }
    if path.to_string() != "metadata.name" {
        obj["metadata"]["name"] = Value::String(referrer.into());
    }
    (obj, path)
}

/// The ConfigMap or Secret named `name`, explicitly versioned (or not).
pub fn bundle(target: BundleKind, name: &str, versioned: bool) -> Value {
    let mut b = json!({"apiVersion": "v1", "kind": target.kind(),
        "metadata": {"name": name, "namespace": NS, "annotations": {"imprint.dev/version": versioned.to_string()}}});
    b["data"] = match target {
        BundleKind::ConfigMap => json!({KEY: "value"}),
        BundleKind::Secret => json!({KEY: "dmFsdWU="}),
    };
    b
}
