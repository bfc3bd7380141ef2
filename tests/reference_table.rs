//! A fixture for every row of the built-in reference table (SPEC §5), made
//! from the row itself: an object of the row's kind holding a name at the
//! row's path, beside the ConfigMap or Secret of that name. The render must
//! do what the row's role says: rewrite the field to the versioned name
//! (uses, flags, immutable fields, grants, RBAC), or keep the object's name
//! because the referrer writes it (providers). A row the finder does not
//! fire on fails the test by name, so a row without a fixture cannot exist.
//!
//! Rows that apply to every PodSpec, container or volume are exercised in a
//! built-in workload and, by shape, in a custom resource.

use imprint::limits::Limits;
use imprint::refs::path::{FieldPath, Pattern, Step};
use imprint::refs::rule::{KeySpec, Role, Rule, Scope, Target, TargetSpec, When};
use imprint::refs::table;
use imprint::render::{Options, render};
use serde_json::{Map, Value, json};

const NS: &str = "ns";
const NAME: &str = "bundle-x";
const KEY: &str = "k1";

/// A value holding `leaf` at the end of `steps` (one element per list, one
/// key per glob, zero levels for `**`).
fn build(steps: &[Step], leaf: Value) -> Value {
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
fn merge(a: &mut Value, b: Value) {
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

/// What the row should name, and the text its field holds.
fn target_and_text(rule: &Rule) -> (Target, String) {
    match rule.target {
        TargetSpec::Fixed(t) => (t, NAME.to_string()),
        TargetSpec::ByField { default: Some(t), .. } => (t, NAME.to_string()),
        TargetSpec::ByField { default: None, .. } => (Target::ConfigMap, NAME.to_string()),
        TargetSpec::Flag => (Target::ConfigMap, format!("--configmap={NAME}")),
        TargetSpec::Rbac => (Target::ConfigMap, String::new()),
    }
}

/// The row's field (and what sits beside it) at `base` inside `root`.
fn place(rule: &Rule, root: &mut Value, base: &FieldPath) -> FieldPath {
    let pattern = Pattern::parse(&rule.path).unwrap();
    let (target, text) = target_and_text(rule);
    let leaf = if rule.target == TargetSpec::Rbac {
        json!({"apiGroups": [""], "resources": ["configmaps"], "resourceNames": [NAME], "verbs": ["get"]})
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

/// The referring object for a row, and the path of its field.
fn referrer(rule: &Rule, shape: bool) -> (Value, FieldPath) {
    let (group, kind) = match rule.scope {
        Scope::Kind if rule.group == "*" => ("pkg.example.io".to_string(), rule.kind.to_string()),
        Scope::Kind => (rule.group.to_string(), rule.kind.to_string()),
        Scope::AnyKind => ("example.com".into(), "Thing".into()),
        _ if shape => ("example.com".into(), "Workload".into()),
        _ => ("apps".into(), "Deployment".into()),
    };
    let mut obj = json!({"apiVersion": api_version(&group), "kind": kind, "metadata": {"name": "referrer"}});
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
    let path = place(rule, &mut obj, &base);
    let cluster = imprint::kinds::Scopes::default().is_cluster_scoped(&group, &kind);
    if !cluster {
        obj["metadata"]["namespace"] = Value::String(NS.into());
    }
    if path.to_string() != "metadata.name" {
        obj["metadata"]["name"] = Value::String("referrer".into());
    }
    (obj, path)
}

/// The ConfigMap or Secret the row names, explicitly versioned.
fn bundle(target: Target) -> Value {
    let mut b = json!({"apiVersion": "v1", "kind": target.kind(),
        "metadata": {"name": NAME, "namespace": NS, "annotations": {"imprint.dev/version": "true"}}});
    b["data"] = match target {
        Target::ConfigMap => json!({KEY: "value"}),
        Target::Secret => json!({KEY: "dmFsdWU="}),
    };
    b
}

/// Renders one row's fixture; returns why it failed, if it did.
fn check_row(n: usize, rule: &Rule, shape: bool) -> Result<(), String> {
    let (referrer, path) = referrer(rule, shape);
    let (target, _) = target_and_text(rule);
    // A rule's own kind may be cluster-scoped; what it names lives in NS.
    let stream = imprint::yaml::to_yaml_stream([&bundle(target), &referrer]);
    let loaded = imprint::load::load_stream(&stream, "fixture.yaml", &Limits::default()).map_err(|e| e.to_string())?;
    let rules = imprint::refs::Rules::new(&[]);
    let found = rules.find(
        imprint::object::split_api_version(referrer["apiVersion"].as_str().unwrap()).0,
        referrer["kind"].as_str().unwrap(),
        &referrer,
    );
    if !found.iter().any(|r| r.rule == imprint::refs::RuleRef::Builtin(n)) {
        return Err(format!("the row did not fire on its fixture:\n{}", imprint::yaml::to_yaml(&referrer)));
    }
    let out = render(loaded, &Options::default()).map_err(|e| format!("{e}\n{}", imprint::yaml::to_yaml(&referrer)))?;
    let b = out.objects.iter().find(|o| o.bundle_kind() == Some(target)).expect("bundle in output");
    let r = out.objects.iter().find(|o| o.kind() == referrer["kind"]).expect("referrer in output");
    let new = b.name();
    let value = path.get(&r.value).cloned().unwrap_or(Value::Null);
    match rule.role {
        Role::Provides => {
            if new != NAME {
                return Err(format!("a provided object was renamed to {new}"));
            }
            if !out.diagnostics.iter().any(|d| d.code == "unversioned-provided") {
                return Err("no unversioned-provided note".into());
            }
        }
        Role::Rbac => {
            let names = value["resourceNames"].as_array().cloned().unwrap_or_default();
            if !names.contains(&Value::String(new.into())) || new == NAME {
                return Err(format!("resourceNames not rewritten: {names:?}"));
            }
        }
        _ => {
            let expected = if rule.target == TargetSpec::Flag { format!("--configmap={new}") } else { new.to_string() };
            if new == NAME || value != Value::String(expected.clone()) {
                return Err(format!("field {path} holds {value}, expected {expected:?}"));
            }
        }
    }
    Ok(())
}

#[test]
fn every_row_rewrites_its_field_in_its_own_fixture() {
    let mut failures = Vec::new();
    let rows = table::builtin();
    for (n, rule) in rows.iter().enumerate() {
        let shapes: &[bool] = match rule.scope {
            Scope::PodSpec | Scope::Container | Scope::Volume => &[false, true],
            _ => &[false],
        };
        for &shape in shapes {
            if let Err(why) = check_row(n, rule, shape) {
                failures.push(format!(
                    "row {n} ({} {} {}{}): {why}",
                    rule.group,
                    rule.kind,
                    rule.path,
                    if shape { ", by shape" } else { "" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} rows failed:\n{}", failures.len(), rows.len(), failures.join("\n\n"));
}

#[test]
fn every_row_names_its_project_and_source() {
    for r in table::builtin() {
        assert!(!r.project.is_empty() && !r.source.is_empty(), "{} {} {}", r.group, r.kind, r.path);
    }
}
