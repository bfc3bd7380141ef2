//! Manifest text to objects: documents, `List` expansion, the checks every
//! object gets, `stringData` folded into `data`.

use super::budget::Tally;
use crate::error::{Error, Result, object_error};
use crate::limits::Limits;
use crate::model::BundleKind;
use crate::model::{Object, Origin};
use crate::yaml;
use base64::Engine as _;
use serde_json::{Map, Value};

/// Parses a manifest file into objects, expanding `List` kinds, under the
/// default limits.
pub fn parse_objects(text: &str, file: &str) -> Result<Vec<Object>> {
    parse_counted(text, file, &Limits::default()).map(|(objects, _)| objects)
}

/// Parses a manifest file into objects, expanding `List` kinds; also counts
/// its documents and nodes for the limits on their totals.
pub fn parse_counted(text: &str, file: &str, limits: &Limits) -> Result<(Vec<Object>, Tally)> {
    let lower = file.to_ascii_lowercase();
    let docs = if lower.ends_with(".json") {
        yaml::parse_json_limited(text, file, limits)?
    } else if lower.ends_with(".hbs") {
        // Rendered text: a parse error's line is a line of the output.
        yaml::parse_stream_limited(text, file, limits).map_err(|e| {
            e.help("the line is in the rendered template; `imprint render --show-values` prints the values it used")
        })?
    } else {
        yaml::parse_stream_limited(text, file, limits)?
    };
    let tally = Tally::of(&docs);
    let mut out = Vec::new();
    for doc in docs {
        push_object(doc.value, file, doc.line, &mut out, 0)?;
    }
    Ok((out, tally))
}

pub(super) fn push_object(value: Value, file: &str, line: u64, out: &mut Vec<Object>, depth: usize) -> Result<()> {
    let at = |e: Error| e.in_file(file).at_line(line);
    let Value::Object(map) = value else {
        return Err(at(object_error("a document is not a mapping (a Kubernetes object)")));
    };
    // A kustomization is a build recipe, not an object: say what to do with it.
    let base = file.rsplit('/').next().unwrap_or(file);
    // kustomize lets a kustomization file leave out apiVersion and kind; a
    // Flux `Kustomization` object in a file of that name is an object.
    let kustomize = match map.get("apiVersion") {
        Some(v) => v.as_str().is_some_and(|v| v.starts_with("kustomize.config.k8s.io/")),
        None => matches!(base, "kustomization.yaml" | "kustomization.yml" | "Kustomization"),
    };
    if kustomize {
        let dir = file.rsplit_once('/').map_or(".", |(d, _)| d);
        // A Component is only built as part of a kustomization that lists it.
        if map.get("kind").and_then(Value::as_str) == Some("Component") {
            return Err(at(object_error(format!("{file} is a kustomize Component, which imprint does not build")))
                .help("build the kustomization that lists it under `components:` and pipe that to `imprint render -`; or list the manifests under `resources:` in imprint.yaml, leaving the Component out"));
        }
        return Err(at(object_error(format!("{file} is a kustomization, which imprint does not build")))
            .help(format!(
                "build it first: `kubectl kustomize {dir} | imprint render -`; or list the manifests under `resources:` in imprint.yaml, leaving it out"
            )));
    }
    let kind = match map.get("kind") {
        Some(Value::String(k)) if !k.is_empty() => k.clone(),
        _ => return Err(at(object_error("object has no kind").field("kind"))),
    };
    if kind.ends_with("List") && map.get("items").is_some_and(Value::is_array) && depth < 4 {
        let Some(Value::Array(items)) = map.into_iter().find(|(k, _)| k == "items").map(|(_, v)| v) else {
            unreachable!("checked above")
        };
        for item in items {
            push_object(item, file, line, out, depth + 1)?;
        }
        return Ok(());
    }
    if !matches!(map.get("apiVersion"), Some(Value::String(v)) if !v.is_empty()) {
        return Err(at(object_error(format!("{kind} has no apiVersion")).field("apiVersion")));
    }
    let meta = map.get("metadata");
    if meta.is_some_and(|m| !m.is_object()) {
        return Err(at(object_error(format!("{kind}'s metadata is not a mapping")).field("metadata")));
    }
    let name = meta.and_then(|m| m.get("name"));
    let generate_name = meta.and_then(|m| m.get("generateName")).and_then(Value::as_str);
    match name {
        Some(Value::String(n)) if !n.is_empty() => {}
        None if generate_name.is_some_and(|g| !g.is_empty()) => {}
        Some(_) => {
            return Err(at(object_error(format!("{kind}'s metadata.name is not a string")).field("metadata.name")));
        }
        None => {
            return Err(at(object_error(format!("{kind} has no metadata.name")).field("metadata.name")));
        }
    }
    if let Some(ns) = meta.and_then(|m| m.get("namespace"))
        && !ns.is_string()
    {
        return Err(at(
            object_error(format!("{kind}'s metadata.namespace is not a string")).field("metadata.namespace")
        ));
    }
    let mut obj =
        Object { value: Value::Object(map), origin: Origin { file: file.to_string(), line, generated_from: None } };
    if obj.bundle_kind() == Some(BundleKind::Secret) {
        fold_string_data(&mut obj).map_err(at)?;
    }
    out.push(obj);
    Ok(())
}

/// `stringData` is write-only sugar: the API server folds it into `data`
/// (winning over a `data` entry of the same key); imprint does the same so
/// the hash and the output see what the cluster will hold.
pub(super) fn fold_string_data(obj: &mut Object) -> Result<()> {
    let name = obj.name().to_string();
    let map = obj.value.as_object_mut().expect("checked mapping");
    let Some(string_data) = map.get("stringData") else {
        return Ok(());
    };
    let Value::Object(sd) = string_data else {
        return Err(object_error(format!("Secret {name}: stringData is not a mapping")).field("stringData"));
    };
    let mut folded = match map.get("data") {
        Some(Value::Object(d)) => d.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => {
            return Err(object_error(format!("Secret {name}: data is not a mapping")).field("data"));
        }
    };
    for (k, v) in sd {
        let Some(s) = v.as_str() else {
            return Err(
                object_error(format!("Secret {name}: stringData.{k} is not a string")).field(format!("stringData.{k}"))
            );
        };
        folded.insert(k.clone(), Value::String(base64::engine::general_purpose::STANDARD.encode(s)));
    }
    let has_data = map.contains_key("data");
    let mut rebuilt = Map::new();
    for (k, v) in std::mem::take(map) {
        match k.as_str() {
            "data" => {
                rebuilt.insert(k, Value::Object(std::mem::take(&mut folded)));
            }
            "stringData" if !has_data => {
                rebuilt.insert("data".into(), Value::Object(std::mem::take(&mut folded)));
            }
            "stringData" => {}
            _ => {
                rebuilt.insert(k, v);
            }
        }
    }
    *map = rebuilt;
    Ok(())
}
