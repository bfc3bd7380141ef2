//! Stage 2: read imprint.yaml, the manifests and the generator inputs into
//! memory. All reading goes through the confined source; nothing after this
//! stage touches a file.

use crate::config::{self, Generator, RenderConfig};
use crate::error::{Error, ErrorKind, Result, config_error, object_error};
use crate::limits::{Limit, Limits};
use crate::model::BundleKind;
use crate::model::{Object, Origin};
use crate::source::{Backend, Confined, Entry};
use crate::template::Template;
use crate::values::{self, Overrides};
use crate::yaml;
use base64::Engine as _;
use rayon::prelude::*;
use serde_json::{Map, Value};
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

/// Documents, YAML nodes and bytes of strings of parsed input, for the
/// limits on their totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub documents: usize,
    pub nodes: usize,
    /// Bytes of parsed strings, an alias's counted each time it is used.
    pub scalar_bytes: u64,
}

impl Tally {
    /// Adds a file's counts; fails in that file when a total passes its limit.
    fn add(&mut self, other: Tally, file: &str, limits: &Limits) -> Result<()> {
        self.documents += other.documents;
        self.nodes += other.nodes;
        self.scalar_bytes += other.scalar_bytes;
        for total in [Total::Documents, Total::Nodes, Total::StringBytes] {
            if self.over(total, limits) {
                return Err(total.error(limits).in_file(file));
            }
        }
        Ok(())
    }

    fn over(&self, total: Total, limits: &Limits) -> bool {
        match total {
            Total::Documents => self.documents > limits.max_documents,
            Total::Nodes => self.nodes > limits.max_yaml_nodes,
            Total::StringBytes => self.scalar_bytes > limits.max_input_bytes,
        }
    }

    /// The limits for the next files: the parser stops a file as soon as
    /// the totals would pass theirs. Parsed strings are held to
    /// `--max-input-size` in all (the parser's scalar budget is a file's
    /// size, so it is lowered to what is left).
    fn remaining(&self, limits: &Limits) -> Limits {
        Limits {
            max_documents: limits.max_documents.saturating_sub(self.documents),
            max_yaml_nodes: limits.max_yaml_nodes.saturating_sub(self.nodes),
            max_file_bytes: limits.max_file_bytes.min(limits.max_input_bytes.saturating_sub(self.scalar_bytes)),
            ..*limits
        }
    }

    /// The counts of parsed documents.
    fn of(docs: &[yaml::Doc]) -> Tally {
        let mut t = Tally { documents: docs.len(), ..Tally::default() };
        for d in docs {
            let (nodes, bytes) = crate::limits::measure(&d.value);
            t.nodes += nodes;
            t.scalar_bytes += bytes;
        }
        crate::work::add(t.nodes as u64);
        t
    }
}

/// A total over all input files that has a limit.
#[derive(Debug, Clone, Copy)]
enum Total {
    Documents,
    Nodes,
    /// Bytes of parsed strings, held to `--max-input-size`.
    StringBytes,
}

impl Total {
    /// The total a parser budget error is really about, when the budget
    /// was what was left of the totals (`budget`) rather than the file's own.
    fn of_budget(limit: Limit, budget: &Limits, limits: &Limits) -> Option<Total> {
        match limit {
            Limit::Documents => Some(Total::Documents),
            Limit::YamlNodes => Some(Total::Nodes),
            // The scalar budget is a file's size, lowered to what is left
            // of the total (see `Tally::remaining`).
            Limit::FileSize if budget.max_file_bytes < limits.max_file_bytes => Some(Total::StringBytes),
            _ => None,
        }
    }

    fn error(self, limits: &Limits) -> Error {
        let (what, limit) = match self {
            Total::Documents => (format!("{} YAML documents", limits.max_documents), Limit::Documents),
            Total::Nodes => (format!("{} YAML nodes", limits.max_yaml_nodes), Limit::YamlNodes),
            Total::StringBytes => (
                format!("{} bytes of parsed strings (aliases count each use)", limits.max_input_bytes),
                Limit::InputSize,
            ),
        };
        crate::limits::exceeded(format!("more than the limit of {what} in all input files"), limit)
    }
}

/// Runs `parse` with what is left of the totals as its budget, so the
/// parser stops a file as soon as the totals would pass their limits; a
/// budget that runs out is reported as the total it is part of.
fn within<T>(total: Tally, limits: &Limits, path: &str, parse: impl FnOnce(&Limits) -> Result<T>) -> Result<T> {
    let budget = total.remaining(limits);
    parse(&budget).map_err(|e| {
        let total = match &e.kind {
            ErrorKind::Limit { limit: Some(limit), .. } => Total::of_budget(*limit, &budget, limits),
            _ => None,
        };
        match total {
            Some(total) => total.error(limits).in_file(path).at_line(e.line.unwrap_or(0)),
            None => e,
        }
    })
}

/// Whether a YAML text may use aliases (it needs an `&anchor` and a
/// `*alias`). Only such a file can build more nodes than it has bytes.
fn may_alias(text: &str) -> bool {
    text.contains('&') && text.contains('*')
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

/// Parses and checks imprint.yaml.
pub fn parse_config(text: &str, file: &str) -> Result<RenderConfig> {
    let config: RenderConfig = yaml::parse_typed(text, file)?;
    let err = |msg: String| config_error(msg).in_file(file);
    if let Some(v) = &config.api_version
        && v != config::API_VERSION
    {
        return Err(err(format!("apiVersion is {v:?}; expected {:?}", config::API_VERSION)).field("apiVersion"));
    }
    if let Some(k) = &config.kind
        && k != config::KIND
    {
        return Err(err(format!("kind is {k:?}; expected {:?}", config::KIND)).field("kind"));
    }
    if config.values.inline.as_ref().is_some_and(|v| !v.is_object()) {
        return Err(err("values.inline is not a mapping".into()).field("values.inline"));
    }
    for (i, g) in config.config_map_generator.iter().enumerate() {
        if g.value.type_.is_some() {
            return Err(err("`type` is only valid in secretGenerator".into())
                .at_line(g.line)
                .field(format!("configMapGenerator[{i}].type")));
        }
    }
    let n = config.naming.hash_length;
    if !(6..=crate::version::hash::FULL_LEN).contains(&n) {
        return Err(err(format!(
            "naming.hashLength is {n}; it must be between 6 and {}",
            crate::version::hash::FULL_LEN
        ))
        .field("naming.hashLength"));
    }
    for (i, rule) in config.references.iter().enumerate() {
        rule.compile().map_err(|(what, m)| {
            err(format!("references[{i}].{what}: {m}")).field(format!("references[{i}].{what}"))
        })?;
    }
    Ok(config)
}

/// Reads every generator's inputs (shared with `fn`).
pub fn read_generators<B: Backend>(src: &Confined<B>, config: &RenderConfig) -> Result<Vec<BundleSpec>> {
    read_generators_where(src, config, &|_, _| true)
}

/// Like [`read_generators`], for the generators `wanted` accepts only
/// (history reads just the bundles whose inputs changed).
pub fn read_generators_where<B: Backend>(
    src: &Confined<B>,
    config: &RenderConfig,
    wanted: &dyn Fn(BundleKind, &Generator) -> bool,
) -> Result<Vec<BundleSpec>> {
    let mut out = Vec::new();
    let lists = [
        (BundleKind::ConfigMap, "configMapGenerator", &config.config_map_generator),
        (BundleKind::Secret, "secretGenerator", &config.secret_generator),
    ];
    for (target, field, list) in lists {
        for (i, g) in list.iter().enumerate() {
            if !wanted(target, &g.value) {
                continue;
            }
            let at = |e: Error, sub: String| {
                e.in_file(config::FILE_NAME).at_line(g.line).field(format!("{field}[{i}].{sub}"))
            };
            let mut inputs = Vec::new();
            let mut skipped = Vec::new();
            for (j, entry) in g.value.files.iter().enumerate() {
                let (key, path) = match entry.split_once('=') {
                    Some((k, p)) => (Some(k.to_string()), p),
                    None => (None, entry.as_str()),
                };
                let sub = format!("files[{j}]");
                match src.kind(path).map_err(|e| at(e, sub.clone()))? {
                    Some(Entry::Dir) if key.is_none() => {
                        let (files, dirs) = src.files_in(path).map_err(|e| at(e, sub.clone()))?;
                        for f in files {
                            let bytes = src.read_found(&f).map_err(|e| at(e, sub.clone()))?;
                            let key = f.path.rsplit('/').next().unwrap_or_default().to_string();
                            inputs.push(Input::File { key, path: f.path, bytes });
                        }
                        skipped.extend(dirs);
                    }
                    _ => {
                        let norm = crate::source::normalize("", path).map_err(|e| at(e, sub.clone()))?;
                        let bytes = src.read(path).map_err(|e| at(e, sub.clone()))?;
                        let key = key.unwrap_or_else(|| norm.rsplit('/').next().unwrap_or_default().to_string());
                        inputs.push(Input::File { key, path: norm, bytes });
                    }
                }
            }
            for (j, path) in g.value.envs.iter().enumerate() {
                let norm = crate::source::normalize("", path).map_err(|e| at(e, format!("envs[{j}]")))?;
                let bytes = src.read(path).map_err(|e| at(e, format!("envs[{j}]")))?;
                inputs.push(Input::Env { path: norm, bytes });
            }
            for (j, text) in g.value.literals.iter().enumerate() {
                inputs.push(Input::Literal { text: text.clone(), index: j });
            }
            out.push(BundleSpec {
                target,
                generator: g.value.clone(),
                line: g.line,
                inputs,
                skipped_subfolders: skipped,
            });
        }
    }
    Ok(out)
}

/// A generator's input files (normalized paths) and their content ids,
/// without reading them (`None` ids when the backend has none or a path
/// does not resolve).
pub fn generator_inputs<B: Backend>(src: &Confined<B>, g: &Generator) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let norm = |p: &str| crate::source::normalize("", p).unwrap_or_else(|_| p.to_string());
    for entry in &g.files {
        let path = entry.split_once('=').map_or(entry.as_str(), |(_, p)| p);
        match src.kind(path) {
            Ok(Some(Entry::Dir)) if !entry.contains('=') => match src.files_in(path) {
                Ok((files, _)) => out.extend(files.iter().map(|f| (f.path.clone(), src.found_id(f)))),
                Err(_) => out.push((norm(path), None)),
            },
            _ => out.push((norm(path), src.content_id(path))),
        }
    }
    out.extend(g.envs.iter().map(|p| (norm(p), src.content_id(p))));
    out
}

fn is_manifest(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let lower = lower.strip_suffix(".hbs").unwrap_or(&lower);
    lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")
}

/// Reads `values.files` (confined, mappings only) and merges everything.
/// Returns the values and the files' normalized paths.
pub fn read_values<B: Backend>(
    src: &Confined<B>,
    config: &RenderConfig,
    overrides: &Overrides,
) -> Result<(Value, Vec<String>)> {
    read_values_counted(src, config, overrides).map(|(values, paths, _)| (values, paths))
}

/// [`read_values`], also counting the values files' documents and nodes:
/// they take their share of the totals the manifests are held to.
pub fn read_values_counted<B: Backend>(
    src: &Confined<B>,
    config: &RenderConfig,
    overrides: &Overrides,
) -> Result<(Value, Vec<String>, Tally)> {
    let limits = src.limits();
    let mut total = Tally::default();
    let mut files = Vec::new();
    let mut paths = Vec::new();
    for (i, located) in config.values.files.iter().enumerate() {
        let path = &located.value;
        let at = |e: Error| e.in_file(config::FILE_NAME).at_line(located.line).field(format!("values.files[{i}]"));
        let norm = crate::source::normalize("", path).map_err(at)?;
        let text = utf8(src.read(path).map_err(at)?, &norm)?;
        let docs = within(total, limits, &norm, |budget| yaml::parse_stream_limited(&text, &norm, budget))?;
        total.add(Tally::of(&docs), &norm, limits)?;
        let value = match docs.into_iter().next() {
            None => Value::Object(Map::new()),
            Some(d) if d.value.is_object() => d.value,
            Some(d) => {
                return Err(config_error("a values file must hold one mapping").in_file(norm.clone()).at_line(d.line));
            }
        };
        files.push(value);
        paths.push(norm);
    }
    Ok((values::effective(files, config.values.inline.clone(), overrides), paths, total))
}

/// Whether a resource file is a template (`*.yaml.hbs`, `*.json.hbs`, …),
/// rendered before it is parsed.
fn is_template(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".hbs")
}

/// Renders a `*.yaml.hbs` / `*.yml.hbs` / `*.json.hbs` resource on the
/// render's template budget.
fn render_template(
    text: &str,
    path: &str,
    values: &Value,
    budget: &std::sync::Arc<crate::template::Budget>,
) -> Result<String> {
    let at = |e: crate::template::TemplateError| {
        let err = Error::new(ErrorKind::Template(e.message)).in_file(path);
        match e.line {
            Some(l) => err.at_line(l),
            None => err,
        }
    };
    Template::yaml(text).map_err(at)?.budget(budget).render(values).map_err(at)
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// What every path a glob matches starts with: the glob up to its first
/// special character (globset's `*?[{` and its `\` escape).
fn literal_prefix(glob: &str) -> &str {
    glob.find(['*', '?', '[', '{', '\\']).map_or(glob, |i| &glob[..i])
}

/// The resource files to read, as (shown path, resolved path), deduplicated,
/// in the order the config lists them (a folder's files in byte order).
pub(crate) fn resource_files<B: Backend>(
    src: &Confined<B>,
    config: &RenderConfig,
    excluded: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut push = |shown: String, target: String, out: &mut Vec<(String, String)>| {
        if seen.insert(shown.clone()) {
            out.push((shown, target));
        }
    };
    let Some(list) = &config.resources else {
        for f in src.walk("")? {
            if is_manifest(&f.path) && !excluded(&f.path) {
                push(f.path, f.target, &mut out);
            }
        }
        return Ok(out);
    };
    // Every file under DIR, walked once for all globs. The walk is in byte
    // order of the path, so a glob looks only at the run of files that
    // start with its literal prefix (32,000 globs over 32,000 files took 42 s).
    let mut all: Option<Vec<crate::source::Found>> = None;
    for (i, located) in list.iter().enumerate() {
        let entry = &located.value;
        let at = |e: Error| e.in_file(config::FILE_NAME).at_line(located.line).field(format!("resources[{i}]"));
        if is_glob(entry) {
            let norm = crate::source::normalize("", entry).map_err(at)?;
            let glob = globset::GlobBuilder::new(&norm)
                .literal_separator(true)
                .build()
                .map_err(|e| at(config_error(format!("bad glob {entry:?}: {}", e.kind()))))?
                .compile_matcher();
            let files = match &all {
                Some(f) => f,
                None => all.insert(src.walk("").map_err(at)?),
            };
            let prefix = literal_prefix(&norm);
            let from = files.partition_point(|f| f.path.as_str() < prefix);
            let before = out.len();
            for f in files[from..]
                .iter()
                .take_while(|f| f.path.starts_with(prefix))
                .filter(|f| glob.is_match(&f.path) && !excluded(&f.path))
            {
                push(f.path.clone(), f.target.clone(), &mut out);
            }
            if out.len() == before {
                return Err(at(config_error(format!("glob {entry:?} matches no file"))));
            }
            continue;
        }
        let norm = crate::source::normalize("", entry).map_err(at)?;
        match src.kind(entry).map_err(at)? {
            Some(Entry::Dir) => {
                for f in src.walk(entry).map_err(at)? {
                    if is_manifest(&f.path) && !excluded(&f.path) {
                        push(f.path, f.target, &mut out);
                    }
                }
            }
            Some(_) => {
                // Resolve through links now so the read below stays confined.
                let found = src.resolve_file(entry).map_err(at)?;
                push(norm, found, &mut out);
            }
            None => {
                return Err(at(Error::new(ErrorKind::Missing { path: entry.clone() })));
            }
        }
    }
    Ok(out)
}

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

fn push_object(value: Value, file: &str, line: u64, out: &mut Vec<Object>, depth: usize) -> Result<()> {
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
fn fold_string_data(obj: &mut Object) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::memory::MemBackend;
    use crate::template::Budget;
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
