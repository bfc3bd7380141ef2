//! `imprint fn`: a KRM function (kustomize exec transformer, kpt). Reads a
//! `config.kubernetes.io/v1` `ResourceList` on stdin and writes it back
//! versioned and rewritten, with findings as `results`. The
//! `functionConfig` is a `Render` object holding the imprint.yaml fields;
//! generator files are read from the working directory (the kustomization
//! root), under the same confinement as `render`.

use crate::config::{self, RenderConfig};
use crate::error::{Diagnostic, Error, ErrorKind, Result, Severity, object_error};
use crate::load;
use crate::model::Code;
use crate::model::Object;
use crate::render::{Options, Rendered};
use crate::source::{Backend, Confined};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Reads the function config into the imprint.yaml schema.
fn function_config(fc: Option<&Value>) -> Result<RenderConfig> {
    let Some(Value::Object(map)) = fc else { return Ok(RenderConfig::default()) };
    let mut map = map.clone();
    // Object metadata (name, the config.kubernetes.io/function annotation)
    // is the host's, not configuration.
    map.remove("metadata");
    if map.get("kind").and_then(Value::as_str).is_some_and(|k| k != config::KIND) {
        return Err(Error::new(ErrorKind::Config(format!(
            "functionConfig must be kind {} ({}), with the imprint.yaml fields",
            config::KIND,
            config::API_VERSION
        )))
        .in_file("functionConfig"));
    }
    let text = crate::yaml::to_yaml(&Value::Object(map));
    load::parse_config(&text, "functionConfig")
}

/// The file an item came from, as kustomize or kpt recorded it (its
/// position in `items` when neither did).
fn item_file(item: &Value, index: usize) -> String {
    let ann = item.get("metadata").and_then(|m| m.get("annotations"));
    crate::model::annotations::KRM_PATHS
        .iter()
        .find_map(|k| ann.and_then(|a| a.get(*k)).and_then(Value::as_str))
        .map_or_else(|| format!("items[{index}]"), str::to_string)
}

/// What the function wrote, and whether it failed: what would stop
/// `render` is an error result, and the host must fail the build too.
#[derive(Debug)]
pub struct Outcome {
    pub text: String,
    pub failed: bool,
}

/// Runs the function over a `ResourceList` text; `src` is the working
/// directory for generator inputs. Returns the output `ResourceList`: the
/// items versioned and rewritten, every finding of the render as a result
/// (all of them, as `check` would, rather than only the first error).
/// An error that stops the render altogether is one error result, with the
/// items as they came.
pub fn run<B: Backend>(input: &str, src: &Confined<B>, opts: &Options) -> Result<Outcome> {
    let docs = crate::yaml::parse_stream_limited(input, "<stdin>", src.limits())?;
    let Some(list) = docs.into_iter().next().map(|d| d.value) else {
        return Err(object_error("stdin holds no ResourceList").in_file("<stdin>"));
    };
    if list.get("kind").and_then(Value::as_str) != Some("ResourceList") {
        return Err(object_error("stdin is not a ResourceList (kind: ResourceList)").in_file("<stdin>").field("kind"));
    }
    let items: Vec<Value> = list.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    let rendered = function_config(list.get("functionConfig"))
        .and_then(|config| transform(config, &items, src, &Options { lenient: true, ..opts.clone() }));
    Ok(match rendered {
        Ok(r) => Outcome {
            failed: r.diagnostics.iter().any(|d| d.severity == Severity::Error),
            text: output(&list, r.objects.iter().map(|o| o.value.clone()).collect(), &r.diagnostics, &r.objects),
        },
        Err(e) => {
            let failure = [Diagnostic::from_error(Code::RenderFailed, &e)];
            Outcome { text: output(&list, items, &failure, &[]), failed: true }
        }
    })
}

/// kustomize's legacy exec transformer plugin (what `kubectl kustomize
/// --enable-alpha-plugins` runs): the config object's file as the argument,
/// a plain manifest stream on stdin and stdout.
/// Returns the stream and the warnings to print (the library never prints).
pub fn run_legacy<B: Backend>(
    config_text: &str,
    input: &str,
    src: &Confined<B>,
    opts: &Options,
) -> Result<(String, Vec<Diagnostic>)> {
    let fc = crate::yaml::parse_stream(config_text, "plugin config")?.into_iter().next().map(|d| d.value);
    let config = function_config(fc.as_ref())?;
    let items: Vec<Value> =
        crate::yaml::parse_stream_limited(input, "<stdin>", src.limits())?.into_iter().map(|d| d.value).collect();
    // What stops `render` stops the plugin, so kustomize's build fails too.
    let rendered = transform(config, &items, src, &Options { lenient: false, allow_dangling: false, ..opts.clone() })?;
    let warnings = rendered.diagnostics.into_iter().filter(|d| d.severity != Severity::Note).collect();
    Ok((crate::yaml::to_yaml_stream(rendered.objects.iter().map(|o| &o.value)), warnings))
}

fn transform<B: Backend>(config: RenderConfig, items: &[Value], src: &Confined<B>, opts: &Options) -> Result<Rendered> {
    let items: Vec<(String, String)> =
        items.iter().enumerate().map(|(i, item)| (item_file(item, i), crate::yaml::to_yaml(item))).collect();
    crate::pipeline::run(load::load_items(config, &items, src)?, opts, None)
}

fn resource_ref(o: &Object) -> Value {
    let mut r = json!({"apiVersion": o.api_version(), "kind": o.kind(), "name": o.name()});
    if !o.namespace().is_empty() {
        r["namespace"] = json!(o.namespace());
    }
    r
}

fn result(d: &Diagnostic, objects: &HashMap<String, &Object>) -> Value {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "info",
    };
    let mut r = Map::new();
    // The help line carries the fix (the externalNames line, the
    // references: rule): a host shows only the message.
    let message = match &d.help {
        Some(help) => format!("[{}] {}\n  help: {help}", d.code, d.message),
        None => format!("[{}] {}", d.code, d.message),
    };
    r.insert("message".into(), json!(message));
    r.insert("severity".into(), json!(severity));
    if let Some(o) = d.object.as_ref().and_then(|id| objects.get(id)) {
        r.insert("resourceRef".into(), resource_ref(o));
    }
    if let Some(f) = &d.field {
        r.insert("field".into(), json!({"path": f}));
    }
    if let Some(file) = &d.file {
        r.insert("file".into(), json!({"path": file}));
    }
    Value::Object(r)
}

fn output(input: &Value, items: Vec<Value>, diagnostics: &[Diagnostic], objects: &[Object]) -> String {
    let mut out = Map::new();
    out.insert(
        "apiVersion".into(),
        input.get("apiVersion").cloned().unwrap_or_else(|| json!("config.kubernetes.io/v1")),
    );
    out.insert("kind".into(), json!("ResourceList"));
    out.insert("items".into(), Value::Array(items));
    if let Some(fc) = input.get("functionConfig") {
        out.insert("functionConfig".into(), fc.clone());
    }
    // Objects by id, first wins, built once: a search per result was
    // quadratic on renders with many warnings.
    let mut by_id: HashMap<String, &Object> = HashMap::new();
    for o in objects {
        by_id.entry(o.id().to_string()).or_insert(o);
    }
    let results: Vec<Value> =
        diagnostics.iter().filter(|d| d.severity != Severity::Note).map(|d| result(d, &by_id)).collect();
    if !results.is_empty() {
        out.insert("results".into(), Value::Array(results));
    }
    crate::yaml::to_yaml(&Value::Object(out))
}
