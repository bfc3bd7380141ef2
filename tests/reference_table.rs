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

mod common;
use common::rows::{bundle, referrer, target_and_text};
use imprint::limits::Limits;
use imprint::refs::rule::{Role, Rule, Scope, TargetSpec};
use imprint::refs::table;
use imprint::render::Options;
use serde_json::Value;

const NAME: &str = "bundle-x";

/// Renders one row's fixture; returns why it failed, if it did.
fn check_row(n: usize, rule: &Rule, shape: bool) -> Result<(), String> {
    let (referrer, path) = referrer(rule, NAME, "referrer", shape);
    let (target, _) = target_and_text(rule, NAME);
    // A rule's own kind may be cluster-scoped; what it names lives in NS.
    let stream = imprint::yaml::to_yaml_stream([&bundle(target, NAME, true), &referrer]);
    let loaded = imprint::load::load_stream(&stream, "fixture.yaml", &Limits::default()).map_err(|e| e.to_string())?;
    let rules = imprint::refs::Rules::new(&[]);
    let found = rules.find(
        imprint::model::object::split_api_version(referrer["apiVersion"].as_str().unwrap()).0,
        referrer["kind"].as_str().unwrap(),
        &referrer,
    );
    if !found.iter().any(|r| r.rule == imprint::refs::RuleRef::Builtin(n)) {
        return Err(format!("the row did not fire on its fixture:\n{}", imprint::yaml::to_yaml(&referrer)));
    }
    let out = imprint::pipeline::run(loaded, &Options::default(), None)
        .map_err(|e| format!("{e}\n{}", imprint::yaml::to_yaml(&referrer)))?;
    let b = out.objects.iter().find(|o| o.bundle_kind() == Some(target)).expect("bundle in output");
    let r = out.objects.iter().find(|o| o.kind() == referrer["kind"]).expect("referrer in output");
    let new = b.name();
    let value = path.get(&r.value).cloned().unwrap_or(Value::Null);
    match rule.role {
        Role::Provides => {
            if new != NAME {
                return Err(format!("a provided object was renamed to {new}"));
            }
            if !out.diagnostics.iter().any(|d| d.code == imprint::model::Code::UnversionedProvided) {
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
