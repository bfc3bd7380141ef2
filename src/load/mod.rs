//! Stage 2: read imprint.yaml, the manifests and the generator inputs into
//! memory. All reading goes through the confined source; nothing after this
//! stage touches a file.

mod budget;
mod discover;
mod generators;
mod imprint_yaml;
mod objects;
mod template_values;

pub use budget::Tally;
use budget::{may_alias, within};
pub(crate) use discover::resource_files;
pub use generators::{generator_inputs, read_generators, read_generators_where};
pub use imprint_yaml::parse_config;
pub use objects::{parse_counted, parse_objects};
use rayon::prelude::*;
use template_values::{is_template, render_template};
pub use template_values::{read_values, read_values_counted};

use crate::config::{self, Generator, RenderConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;
use crate::model::BundleKind;
use crate::model::Object;
use crate::source::{Backend, Confined, Entry};
use crate::values::Overrides;
use serde_json::Value;
use std::collections::BTreeSet;

/// One input of a generated bundle, already read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file: its key and content (`files:` entries and folder members).
    File { key: String, path: String, bytes: Vec<u8> },
    /// An env file of `KEY=VALUE` lines.
    Env { path: String, bytes: Vec<u8> },
    /// A `key=value` literal; `index` is its position in `literals`.
    Literal { text: String, index: usize },
}

/// A generator with its inputs read.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleSpec {
    pub target: BundleKind,
    pub generator: Generator,
    /// Line of the generator entry in imprint.yaml.
    pub line: u64,
    pub inputs: Vec<Input>,
    /// Folders listed in `files` whose subfolders were skipped.
    pub skipped_subfolders: Vec<String>,
}

/// Everything the pipeline needs, in memory.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: RenderConfig,
    pub objects: Vec<Object>,
    pub bundles: Vec<BundleSpec>,
    /// The text of each manifest file, by path (`check` reads how scalars
    /// were spelled, which parsing loses).
    pub texts: Vec<(String, String)>,
    /// The effective template values (SPEC §6).
    pub values: Value,
    /// The limits the later stages check (bundle keys, template output).
    pub limits: Limits,
    /// What the templates still to render (generator inputs) may use.
    pub template_budget: std::sync::Arc<crate::template::Budget>,
}

/// One parsed manifest file: its objects, and (path, text).
type Parsed = (Vec<Object>, (String, String));

/// Loads an app directory with no value overrides.
pub fn load_dir<B: Backend>(src: &Confined<B>) -> Result<Loaded> {
    load_dir_with(src, &Overrides::default())
}

/// Loads an app directory; `overrides` are the host's and command line's
/// values (`ARGOCD_ENV_*`, `--set`).
pub fn load_dir_with<B: Backend>(src: &Confined<B>, overrides: &Overrides) -> Result<Loaded> {
    let config = match src.kind(config::FILE_NAME)? {
        Some(Entry::File) => parse_config(&utf8(src.read(config::FILE_NAME)?, config::FILE_NAME)?, config::FILE_NAME)?,
        _ => RenderConfig::default(),
    };
    let bundles = read_generators(src, &config)?;
    let (values, values_files, values_tally) = read_values_counted(src, &config, overrides)?;
    let mut excluded: BTreeSet<String> = values_files.into_iter().collect();
    excluded.insert(config::FILE_NAME.to_string());
    for b in &bundles {
        for input in &b.inputs {
            match input {
                Input::File { path, .. } | Input::Env { path, .. } => {
                    excluded.insert(path.clone());
                }
                Input::Literal { .. } => {}
            }
        }
    }
    let files = resource_files(src, &config, &|p| excluded.contains(p))?;
    // Reading goes through the (single-threaded) source; parsing, the bulk
    // of the work, runs on every core. Results are collected in file order,
    // so the thread count never changes the output.
    let mut raw = Vec::with_capacity(files.len());
    for (path, target) in files {
        let bytes = src.read_found(&crate::source::Found { path: path.clone(), target })?;
        raw.push((path, bytes));
    }
    let template_budget = crate::template::Budget::of(src.limits());
    let (parsed, _) = parse_files(raw, &values, src.limits(), values_tally, &template_budget)?;
    let mut objects = Vec::new();
    let mut texts = Vec::with_capacity(parsed.len());
    for (objs, text) in parsed {
        objects.extend(objs);
        texts.push(text);
    }
    Ok(Loaded { config, objects, bundles, texts, values, limits: *src.limits(), template_budget })
}

/// Loads a KRM function's input: each item as (the file it came from, its
/// text), and the generators and values `config` names, read from `src`
/// (the host's working folder).
pub fn load_items<B: Backend>(config: RenderConfig, items: &[(String, String)], src: &Confined<B>) -> Result<Loaded> {
    let mut objects = Vec::new();
    for (i, (file, text)) in items.iter().enumerate() {
        let (objs, _) = parse_counted(text, file, src.limits()).map_err(|e| e.field(format!("items[{i}]")))?;
        objects.extend(objs);
    }
    let bundles = read_generators(src, &config)?;
    let (values, _) = read_values(src, &config, &Overrides::default())?;
    let limits = *src.limits();
    let template_budget = crate::template::Budget::of(&limits);
    Ok(Loaded { config, objects, bundles, texts: Vec::new(), values, limits, template_budget })
}

/// Loads one manifest stream (stdin): no imprint.yaml, no generators.
pub fn load_stream(text: &str, name: &str, limits: &Limits) -> Result<Loaded> {
    let (objects, _) = parse_counted(text, name, limits)?;
    Ok(Loaded {
        objects,
        texts: vec![(name.to_string(), text.to_string())],
        limits: *limits,
        template_budget: crate::template::Budget::of(limits),
        ..Loaded::default()
    })
}

pub(crate) fn utf8(bytes: Vec<u8>, path: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        Error::new(ErrorKind::Yaml(format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()))).in_file(path)
    })
}

/// Renders (`.hbs`) and parses manifest files, with the limits on documents
/// and nodes counted over all of them (starting from `total`, the values
/// files'), and returns them in file order.
///
/// Memory stays bounded before the totals are checked, on any number of
/// cores: templates are rendered first, in file order, all of their output
/// together held to `--max-output-size`; then files are parsed on every core
/// in batches of at most `--max-yaml-nodes` bytes of text. Without aliases a
/// node takes at least a byte of text, so a batch cannot build more nodes
/// than the limit; a file that may use aliases is parsed alone (its aliases
/// may replay `--max-alias-expansion` nodes). Results are checked in file
/// order, so the error reported is the one a sequential run would give,
/// whichever thread finished first.
pub(crate) fn parse_files(
    raw: Vec<(String, Vec<u8>)>,
    values: &Value,
    limits: &Limits,
    mut total: Tally,
    budget: &std::sync::Arc<crate::template::Budget>,
) -> Result<(Vec<Parsed>, Tally)> {
    let mut texts = Vec::with_capacity(raw.len());
    for (path, bytes) in raw {
        let text = utf8(bytes, &path)?;
        let text = if is_template(&path) { render_template(&text, &path, values, budget)? } else { text };
        texts.push((path, text));
    }
    let mut batches: Vec<Vec<(String, String)>> = Vec::new();
    let mut batch_bytes = usize::MAX;
    for (path, text) in texts {
        let charge = if may_alias(&text) { usize::MAX } else { text.len() };
        if batch_bytes.saturating_add(charge) > limits.max_yaml_nodes {
            batches.push(Vec::new());
            batch_bytes = 0;
        }
        batch_bytes = batch_bytes.saturating_add(charge);
        batches.last_mut().expect("pushed above").push((path, text));
    }
    let mut out = Vec::new();
    for batch in batches {
        let parsed: Vec<Result<(Parsed, Tally)>> = batch
            .into_par_iter()
            .map(|(path, text)| {
                let (objects, tally) = within(total, limits, &path, |budget| parse_counted(&text, &path, budget))?;
                Ok(((objects, (path, text)), tally))
            })
            .collect();
        for result in parsed {
            let (parsed, tally) = result?;
            total.add(tally, &parsed.1.0, limits)?;
            out.push(parsed);
        }
    }
    Ok((out, total))
}

#[cfg(test)]
mod tests {
    use super::discover::literal_prefix;
    use super::*;
    use crate::source::memory::MemBackend;
    use crate::template::Budget;
    use crate::yaml;
    use serde_json::json;

    /// 20 files of one ConfigMap (13 nodes and about 60 bytes each).
    fn twenty_files() -> Vec<(String, Vec<u8>)> {
        (0..20)
            .map(|i| {
                let text = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i:02}}}\ndata: {{k: v}}\n");
                (format!("f{i:02}.yaml"), text.into_bytes())
            })
            .collect()
    }

    #[test]
    fn totals_name_the_file_that_passes_them_whatever_the_batching() {
        assert_eq!(
            crate::limits::count_nodes(
                &yaml::parse_stream(std::str::from_utf8(&twenty_files()[0].1).unwrap(), "f").unwrap()[0].value
            ),
            13
        );
        // 130 nodes allow ten files; batches hold two files (130 bytes).
        let limits = Limits { max_yaml_nodes: 130, ..Limits::default() };
        let err = parse_files(twenty_files(), &Value::Null, &limits, Tally::default(), &Budget::default_limits())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("more than the limit of 130 YAML nodes in all input files (f10.yaml"), "{err}");
        let limits = Limits { max_documents: 7, ..Limits::default() };
        let err = parse_files(twenty_files(), &Value::Null, &limits, Tally::default(), &Budget::default_limits())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("more than the limit of 7 YAML documents in all input files (f07.yaml"), "{err}");
        // A file that runs out of what is left stops in the parser, with the same message.
        let mut files = twenty_files();
        files[3].1 = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata: {{{}}}\n",
            (0..100).map(|i| format!("k{i}: v")).collect::<Vec<_>>().join(", ")
        )
        .into_bytes();
        let limits = Limits { max_yaml_nodes: 100, ..Limits::default() };
        let err = parse_files(files, &Value::Null, &limits, Tally::default(), &Budget::default_limits())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("more than the limit of 100 YAML nodes in all input files (f03.yaml:4)"), "{err}");
        assert_eq!(
            parse_files(twenty_files(), &Value::Null, &Limits::default(), Tally::default(), &Budget::default_limits())
                .unwrap()
                .0
                .len(),
            20
        );
    }

    #[test]
    fn lists_are_expanded_and_string_data_folded() {
        let objs = parse_objects(
            "kind: ConfigMapList\napiVersion: v1\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: v}\ndata: {k: eA==, j: eQ==}\n",
            "f.yaml",
        )
        .unwrap();
        assert_eq!(objs.len(), 3);
        assert_eq!(objs[2].value["data"], json!({"k": "dg==", "j": "eQ=="}));
        assert!(objs[2].value.get("stringData").is_none());
    }

    #[test]
    fn missing_kind_and_name_are_errors_with_lines() {
        let err = parse_objects("a: 1\n", "x.yaml").unwrap_err();
        assert_eq!(err.to_string().lines().next().unwrap(), "object has no kind (x.yaml:1)");
        let err = parse_objects("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", "x.yaml").unwrap_err();
        assert!(err.to_string().starts_with("ConfigMap has no metadata.name (x.yaml:2)"), "{err}");
    }

    #[test]
    fn config_rejects_unknown_fields() {
        let err =
            parse_config("apiVersion: imprint.dev/v1alpha1\nkind: Render\nnamespase: x\n", "imprint.yaml").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("namespase") && text.contains("imprint.yaml:3"), "{text}");
    }

    #[test]
    fn zero_config_reads_every_manifest() {
        let src = Confined::new(
            MemBackend::default()
                .file("b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
                .file("a/c.json", "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}}")
                .file("README.md", "x")
                .file(".github/w.yaml", "not: read"),
        );
        let loaded = load_dir(&src).unwrap();
        let names: Vec<&str> = loaded.objects.iter().map(Object::name).collect();
        assert_eq!(names, ["c", "b"]);
    }

    #[test]
    fn generator_inputs_are_not_resources() {
        let src = Confined::new(
            MemBackend::default()
                .file("imprint.yaml", "configMapGenerator:\n- name: g\n  files: [conf/app.yaml]\n")
                .file("conf/app.yaml", "not: a manifest\n")
                .file("m.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n"),
        );
        let loaded = load_dir(&src).unwrap();
        assert_eq!(loaded.objects.len(), 1);
        assert_eq!(loaded.bundles[0].inputs.len(), 1);
        assert_eq!(loaded.bundles[0].line, 2);
    }

    #[test]
    fn a_glob_matches_only_paths_with_its_literal_prefix() {
        assert_eq!(literal_prefix("m/f12.y*ml"), "m/f12.y");
        assert_eq!(literal_prefix("**/x.yaml"), "");
        assert_eq!(literal_prefix("a/{b,c}/d"), "a/");
        assert_eq!(literal_prefix("a/\\*b/*"), "a/");
        assert_eq!(literal_prefix("a/[xy]"), "a/");
    }
}
