//! Stage 3: turn generator specs (inputs already in memory) into ConfigMap
//! and Secret objects, the way kustomize's generators read, minus the one
//! kustomize behaviour a shared repo-server cannot afford: an env line
//! without `=` is an error, never a read of imprint's own environment.

use crate::config;
use crate::error::{Diagnostic, Error, Result, Severity, generator_error};
use crate::limits::Limits;
use crate::load::{BundleSpec, Input};
use crate::model::BundleKind;
use crate::model::Code;
use crate::model::{Object, Origin};
use crate::template::Budget;
use base64::Engine as _;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Most bytes of values in a ConfigMap or Secret (the API server's limit).
const MAX_BUNDLE_BYTES: usize = 1 << 20;

/// Most bytes in a ConfigMap/Secret key (the API server's limit).
const MAX_KEY_LEN: usize = 253;

/// Whether `key` is a valid ConfigMap/Secret data key.
#[must_use]
pub fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key != "."
        && key != ".."
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Keys that well-known Secret types must carry (the API server rejects the
/// object otherwise; failing at render time names the file instead).
#[must_use]
pub fn required_keys(secret_type: &str) -> &'static [&'static str] {
    match secret_type {
        "kubernetes.io/tls" => &["tls.crt", "tls.key"],
        "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
        "kubernetes.io/dockercfg" => &[".dockercfg"],
        "kubernetes.io/ssh-auth" => &["ssh-privatekey"],
        "bootstrap.kubernetes.io/token" => &["token-id", "token-secret"],
        _ => &[],
    }
}

/// A `basic-auth` Secret needs at least one of its two keys.
#[must_use]
pub fn missing_keys<'a>(secret_type: &str, has: impl Fn(&str) -> bool + 'a) -> Vec<&'static str> {
    if secret_type == "kubernetes.io/basic-auth" && !has("username") && !has("password") {
        return vec!["username or password"];
    }
    required_keys(secret_type).iter().copied().filter(|k| !has(k)).collect()
}

/// One generated entry and the input it came from (for duplicate messages).
struct Entry {
    key: String,
    value: Vec<u8>,
    from: String,
    /// From an env file: the "key" may be a pasted secret, never echo it.
    quiet: bool,
}

/// Whether a key may be named in a message. An env-file line may be a
/// pasted secret that reads as a key (`c2VjcmV0cGFzc3dvcmQ==` is the key
/// `c2VjcmV0cGFzc3dvcmQ` with the value `=`), so from an env file only a
/// key shaped like a variable name (`DB_HOST`, `PASSWORD2`) with a real
/// value is named; the message always gives both files and lines.
fn nameable(e: &Entry) -> bool {
    if !e.quiet {
        return true;
    }
    let variable = e.key.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        && e.key.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
    variable && e.value.iter().any(|&c| c != b'=')
}

/// Reads `KEY=VALUE` lines. Errors name the file and line but never echo the
/// line: it may be a pasted secret.
fn parse_env(path: &str, bytes: &[u8], out: &mut Vec<Entry>) -> Result<()> {
    let text = std::str::from_utf8(bytes).map_err(|_| generator_error("env file is not valid UTF-8").in_file(path))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (n, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return Err(generator_error("env line has no '=' (imprint never reads its own environment into a bundle)")
                .in_file(path)
                .at_line(n as u64 + 1));
        };
        out.push(Entry {
            key: key.trim_end().to_string(),
            value: value.as_bytes().to_vec(),
            from: format!("{path}:{}", n + 1),
            quiet: true,
        });
    }
    Ok(())
}

/// Renders a `.hbs` generator input with the values (before hashing, so a
/// changed value gives a new name). Errors name the file and line.
fn render_hbs(path: &str, bytes: &[u8], values: &Value, budget: &Arc<Budget>) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(bytes).map_err(|_| generator_error("template is not valid UTF-8").in_file(path))?;
    let at = |e: crate::template::TemplateError| {
        let err = crate::error::Error::new(crate::error::ErrorKind::Template(e.message)).in_file(path);
        match e.line {
            Some(l) => err.at_line(l),
            None => err,
        }
    };
    let out = crate::template::Template::new(text).map_err(at)?.budget(budget).render(values).map_err(at)?;
    Ok(out.into_bytes())
}

/// `key=value`, split at the first `=`; one pair of matching surrounding
/// quotes is removed, as kustomize does.
fn parse_literal(text: &str) -> Option<(String, String)> {
    let (k, v) = text.split_once('=')?;
    let v = if v.len() >= 2 && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    };
    Some((k.to_string(), v.to_string()))
}

/// Builds the object for one generator. `namespace` is the generator's own
/// or the default, already resolved.
pub fn generate(
    spec: &BundleSpec,
    values: &Value,
    limits: &Limits,
    budget: &Arc<Budget>,
    diags: &mut Vec<Diagnostic>,
) -> Result<Object> {
    let g = &spec.generator;
    let list = match spec.target {
        BundleKind::ConfigMap => "configMapGenerator",
        BundleKind::Secret => "secretGenerator",
    };
    let at =
        |e: Error| e.in_file(config::FILE_NAME).at_line(spec.line).object(format!("{} {}", spec.target.kind(), g.name));
    for dir in &spec.skipped_subfolders {
        diags.push(Diagnostic {
            file: Some(config::FILE_NAME.into()),
            line: Some(spec.line),
            ..Diagnostic::new(
                Severity::Warning,
                Code::SubfolderSkipped,
                format!("{list} {}: subfolder {dir:?} skipped (keys cannot hold '/'; list it separately)", g.name),
            )
        });
    }
    let mut entries: Vec<Entry> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for input in &spec.inputs {
        match input {
            Input::File { key, path, bytes } => {
                let (key, value) = match key.strip_suffix(".hbs") {
                    Some(k) => (k.to_string(), render_hbs(path, bytes, values, budget)?),
                    None => (key.clone(), bytes.clone()),
                };
                entries.push(Entry { key, value, from: path.clone(), quiet: false });
                sources.push(path.clone());
            }
            Input::Env { path, bytes } => {
                let rendered;
                let bytes = if path.ends_with(".hbs") {
                    rendered = render_hbs(path, bytes, values, budget)?;
                    &rendered
                } else {
                    bytes
                };
                parse_env(path, bytes, &mut entries)
                    .map_err(|e| e.object(format!("{} {}", spec.target.kind(), g.name)))?;
                sources.push(path.clone());
            }
            Input::Literal { text, index } => {
                let Some((k, v)) = parse_literal(text) else {
                    return Err(
                        at(generator_error("literal has no '=' (write key=value)")).field(format!("literals[{index}]"))
                    );
                };
                entries.push(Entry { key: k, value: v.into_bytes(), from: format!("literals[{index}]"), quiet: false });
            }
        }
    }
    // A ConfigMap holds at most 1 MiB; no real bundle needs more keys.
    if entries.len() > limits.max_bundle_keys {
        let what = format!("the bundle has {} keys; the limit is {}", entries.len(), limits.max_bundle_keys);
        return Err(at(crate::limits::exceeded(what, crate::limits::Limit::BundleKeys)));
    }
    // The API server refuses a ConfigMap or Secret whose values pass 1 MiB
    // (before base64); say so here, before encoding a bundle that cannot
    // be applied.
    let size: usize = entries.iter().map(|e| e.value.len()).sum();
    if size > MAX_BUNDLE_BYTES {
        return Err(at(generator_error(format!(
            "the bundle's values take {size} bytes; Kubernetes refuses ConfigMaps and Secrets over {MAX_BUNDLE_BYTES} bytes (1 MiB)"
        ))));
    }
    let mut seen: std::collections::HashMap<&str, &Entry> = std::collections::HashMap::new();
    for e in &entries {
        if !valid_key(&e.key) {
            let what = if e.quiet { "an invalid key".to_string() } else { format!("invalid key {:?}", e.key) };
            return Err(at(generator_error(format!(
                "{what} from {} (keys must match [-._a-zA-Z0-9]+, at most 253 characters)",
                e.from
            ))));
        }
        if let Some(first) = seen.insert(&e.key, e) {
            let what = if nameable(e) && nameable(first) { format!("key {:?}", e.key) } else { "a key".to_string() };
            return Err(at(generator_error(format!("{what} is defined twice: by {} and by {}", first.from, e.from))));
        }
    }
    // Required keys of the type are checked for every Secret in `render`.
    let secret_type = g.type_.clone().unwrap_or_else(|| "Opaque".to_string());
    let mut meta = Map::new();
    meta.insert("name".into(), json!(g.name));
    if let Some(ns) = &g.namespace {
        meta.insert("namespace".into(), json!(ns));
    }
    if !g.options.labels.is_empty() {
        meta.insert("labels".into(), json!(g.options.labels));
    }
    if !g.options.annotations.is_empty() {
        meta.insert("annotations".into(), json!(g.options.annotations));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), json!("v1"));
    obj.insert("kind".into(), json!(spec.target.kind()));
    obj.insert("metadata".into(), Value::Object(meta));
    let b64 = |v: &[u8]| Value::String(base64::engine::general_purpose::STANDARD.encode(v));
    entries.sort_by(|a, b| a.key.as_bytes().cmp(b.key.as_bytes()));
    match spec.target {
        BundleKind::ConfigMap => {
            let mut data = Map::new();
            let mut binary = Map::new();
            for e in entries {
                match String::from_utf8(e.value) {
                    Ok(s) => data.insert(e.key, Value::String(s)),
                    Err(raw) => binary.insert(e.key, b64(raw.as_bytes())),
                };
            }
            if !data.is_empty() {
                obj.insert("data".into(), Value::Object(data));
            }
            if !binary.is_empty() {
                obj.insert("binaryData".into(), Value::Object(binary));
            }
        }
        BundleKind::Secret => {
            obj.insert("type".into(), json!(secret_type));
            let data: Map<String, Value> = entries.into_iter().map(|e| (e.key, b64(&e.value))).collect();
            if !data.is_empty() {
                obj.insert("data".into(), Value::Object(data));
            }
        }
    }
    sources.dedup();
    Ok(Object {
        value: Value::Object(obj),
        origin: Origin { file: config::FILE_NAME.into(), line: spec.line, generated_from: Some(sources) },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Generator;

    fn spec(target: BundleKind, inputs: Vec<Input>, type_: Option<&str>) -> BundleSpec {
        BundleSpec {
            target,
            generator: Generator { name: "b".into(), type_: type_.map(str::to_string), ..Generator::default() },
            line: 3,
            inputs,
            skipped_subfolders: vec![],
        }
    }

    fn env(text: &str) -> Input {
        Input::Env { path: "a.env".into(), bytes: text.as_bytes().to_vec() }
    }

    #[test]
    fn env_files_read_like_kustomize_without_environment() {
        let o = generate(
            &spec(BundleKind::ConfigMap, vec![env("\u{feff}# c\r\n\r\nA=1=2\r\nB= x \nC=\n")], None),
            &Value::Null,
            &Limits::default(),
            &Budget::default_limits(),
            &mut vec![],
        )
        .unwrap();
        assert_eq!(o.value["data"], json!({"A": "1=2", "B": " x ", "C": ""}));
        let err = generate(
            &spec(BundleKind::ConfigMap, vec![env("A=1\nhunter2\n")], None),
            &Value::Null,
            &Limits::default(),
            &Budget::default_limits(),
            &mut vec![],
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("a.env:2") && !text.contains("hunter2"), "{text}");
    }

    #[test]
    fn literals_strip_one_pair_of_quotes() {
        assert_eq!(parse_literal("a=\"x y\""), Some(("a".into(), "x y".into())));
        assert_eq!(parse_literal("a='x'=b"), Some(("a".into(), "'x'=b".into())));
        assert_eq!(parse_literal("a=b=c"), Some(("a".into(), "b=c".into())));
        assert_eq!(parse_literal("novalue"), None);
    }

    #[test]
    fn duplicate_and_invalid_keys_are_errors() {
        let dup = vec![env("A=1\n"), Input::Literal { text: "A=2".into(), index: 0 }];
        let err = generate(
            &spec(BundleKind::ConfigMap, dup, None),
            &Value::Null,
            &Limits::default(),
            &Budget::default_limits(),
            &mut vec![],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("a.env:1") && err.contains("literals[0]"), "{err}");
        let bad = vec![Input::Literal { text: "a/b=2".into(), index: 0 }];
        assert!(
            generate(
                &spec(BundleKind::ConfigMap, bad, None),
                &Value::Null,
                &Limits::default(),
                &Budget::default_limits(),
                &mut vec![]
            )
            .is_err()
        );
    }

    #[test]
    fn binary_files_go_to_binary_data_and_secret_types_know_their_keys() {
        let bin = Input::File { key: "x.bin".into(), path: "x.bin".into(), bytes: vec![0xff, 0xfe] };
        let o = generate(
            &spec(BundleKind::ConfigMap, vec![bin], None),
            &Value::Null,
            &Limits::default(),
            &Budget::default_limits(),
            &mut vec![],
        )
        .unwrap();
        assert_eq!(o.value["binaryData"]["x.bin"], json!("//4="));
        assert_eq!(missing_keys("kubernetes.io/tls", |k| k == "tls.crt"), ["tls.key"]);
        assert!(missing_keys("kubernetes.io/basic-auth", |k| k == "password").is_empty());
        assert_eq!(missing_keys("kubernetes.io/basic-auth", |_| false), ["username or password"]);
    }
}
