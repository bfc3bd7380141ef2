//! Keeping previous versions (SPEC §9). Walks git history back from the
//! rendered revision, once for all bundles, and finds the N most recent
//! previous distinct versions of every bundle versioned now, each exactly
//! as that revision rendered it. Old pods of a rolling update, a
//! `kubectl rollout undo`, and CronJobs started during a sync keep finding
//! their config; Flux prunes before it checks health, so it needs this most.

use crate::config;
use crate::error::{Diagnostic, Error, ErrorKind, Result, Severity};
use crate::generate;
use crate::limits::Limits;
use crate::load;
use crate::model::BundleKind;
use crate::model::Code;
use crate::model::annotations;
use crate::model::{BundleKey, Object};
use crate::render::Options;
use crate::source::git::{AppTree, Repo, WalkEnd};
use crate::source::{Confined, Entry};
use crate::values::Overrides;
use crate::version::{self, Naming};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::rc::Rc;

/// What to keep, and how far to look.
#[derive(Debug, Clone, Copy)]
pub struct Keep {
    /// Previous versions per bundle.
    pub versions: usize,
    /// Most commits examined.
    pub depth: usize,
    /// History that ends too early is a warning instead of an error.
    pub best_effort: bool,
}

fn history_error(msg: String) -> Error {
    Error::new(ErrorKind::Git(msg))
}

/// Parsed resource bundles per (path, blob id): a file unchanged across
/// commits is parsed once.
type ParseCache = HashMap<ParseKey, Vec<Object>>;

/// (path, blob id) of a parsed file.
type ParseKey = (String, String);

/// What a bundle's version depends on, per key, at the last commit
/// examined: when it is unchanged the version is too, and the bundle is
/// skipped without reading or hashing anything.
type Signatures = HashMap<BundleKey, String>;

/// A resource file: its path, resolved path and content id.
type ResourceFile = (String, String, String);

/// What the walk carries from one commit to the next.
#[derive(Default)]
struct State {
    parsed: ParseCache,
    signatures: Signatures,
    configs: HashMap<String, Rc<config::RenderConfig>>,
    /// Input path (file or listed folder) -> generator ordinals, for the
    /// config and values in `index_for`.
    index: HashMap<String, Vec<usize>>,
    index_for: Option<String>,
    /// Resource files (path, resolved path, id) per config and resource
    /// folder ids: listing 5,000 manifests once instead of every commit.
    resources: HashMap<String, Rc<Vec<ResourceFile>>>,
    last_files: Option<String>,
    /// The current render's limits hold for every old tree too.
    limits: Limits,
    /// Nodes of the cached ConfigMaps and Secrets, against the node limit.
    retained_nodes: usize,
    /// All that the walk has parsed, against [`WALK_FACTOR`] times the
    /// limits of one render.
    walked: load::Tally,
}

/// The walk may parse this many times what one render may (nodes, parsed
/// strings): enough for hundreds of ordinary commits, which change a few
/// files each, and a bound on the time a hostile history can take.
const WALK_FACTOR: usize = 4;

/// The bundles of the app as it is in one tree, versioned with that tree's
/// imprint.yaml, values and naming. Only `wanted` keys are built.
fn bundles_at(
    repo: &Repo,
    tree: &AppTree,
    overrides: &Overrides,
    opts: &Options,
    wanted: &dyn Fn(&BundleKey) -> bool,
    state: &mut State,
    changed_paths: Option<&std::collections::HashSet<String>>,
) -> Result<Vec<Object>> {
    let State {
        parsed: cache,
        signatures,
        configs,
        index,
        index_for,
        resources,
        last_files,
        limits,
        retained_nodes,
        walked,
    } = state;
    let src = Confined::with_limits(repo.source(tree), *limits);
    let cfg = match (src.kind(config::FILE_NAME)?, src.content_id(config::FILE_NAME)) {
        (Some(Entry::File), Some(id)) if configs.contains_key(&id) => configs[&id].clone(),
        (Some(Entry::File), id) => {
            let text = load::utf8(src.read(config::FILE_NAME)?, config::FILE_NAME)?;
            let cfg = Rc::new(load::parse_config(&text, config::FILE_NAME)?);
            if let Some(id) = id {
                configs.insert(id, cfg.clone());
            }
            cfg
        }
        _ => Rc::new(config::RenderConfig::default()),
    };
    let default_ns = opts
        .namespace
        .clone()
        .or_else(|| cfg.namespace.clone())
        .or_else(|| opts.env_namespace.clone())
        .unwrap_or_default();
    let (values, values_files) = load::read_values(&src, &cfg, overrides)?;
    let template_budget = crate::template::Budget::of(limits);
    // Everything a version depends on besides the bundle's own inputs.
    let context = format!("{:?}|{}|{default_ns}", cfg.naming, serde_json::to_string(&values).unwrap_or_default());
    let context = format!("{context}|{}", src.content_id(config::FILE_NAME).unwrap_or_default());
    // With the same config and values as the last commit, only generators
    // whose inputs (or listed folders) changed can have a new version.
    let affected: Option<BTreeSet<usize>> = match changed_paths {
        Some(paths) if index_for.as_deref() == Some(context.as_str()) => {
            let mut set = BTreeSet::new();
            for p in paths {
                let mut cur = p.as_str();
                loop {
                    if let Some(gens) = index.get(cur) {
                        set.extend(gens.iter().copied());
                    }
                    match cur.rsplit_once('/') {
                        Some((parent, _)) => cur = parent,
                        None => break,
                    }
                }
            }
            Some(set)
        }
        _ => {
            index.clear();
            *index_for = Some(context.clone());
            None
        }
    };
    let mut changed: HashMap<BundleKey, String> = HashMap::new();
    let mut excluded: BTreeSet<String> = values_files.into_iter().collect();
    excluded.insert(config::FILE_NAME.to_string());
    let lists = [(BundleKind::ConfigMap, &cfg.config_map_generator), (BundleKind::Secret, &cfg.secret_generator)];
    for (ordinal, (target, i, g)) in
        lists.iter().flat_map(|(t, l)| l.iter().enumerate().map(move |(i, g)| (*t, i, g))).enumerate()
    {
        {
            if affected.as_ref().is_some_and(|a| !a.contains(&ordinal)) {
                continue;
            }
            let inputs = load::generator_inputs(&src, &g.value);
            if affected.is_none() {
                for (p, _) in &inputs {
                    index.entry(p.clone()).or_default().push(ordinal);
                }
                for f in &g.value.files {
                    if !f.contains('=') {
                        let folder = crate::source::normalize("", f).unwrap_or_default();
                        index.entry(folder).or_default().push(ordinal);
                    }
                }
            }
            let ns = g.value.namespace.clone().unwrap_or_else(|| default_ns.clone());
            let key = BundleKey { kind: target.kind().to_string(), namespace: ns, name: g.value.name.clone() };
            if wanted(&key) {
                // The config's own blob id stands for the generator entry.
                let sig = format!("{context}|{i}|{:?}", inputs);
                if signatures.get(&key) != Some(&sig) {
                    changed.insert(key, sig);
                }
            }
            // Generator inputs are never resources, whether or not they changed.
            excluded.extend(inputs.into_iter().map(|(p, _)| p));
        }
    }
    // Unchanged generators' inputs are still not resources (the index
    // holds every input path of this config).
    // By kind and name (no allocation per generator); a same-named bundle
    // in another namespace is merely generated once more.
    let names: std::collections::HashSet<(&str, &str)> =
        changed.keys().map(|k| (k.kind.as_str(), k.name.as_str())).collect();
    let specs =
        load::read_generators_where(&src, &cfg, &|target, g| names.contains(&(target.kind(), g.name.as_str())))?;
    drop(names);
    let mut bundles = Vec::new();
    // In order, on the one template budget of this revision: the error
    // reported (a warning, for an old revision) never depends on timing.
    for spec in &specs {
        bundles.push(generate::generate(spec, &values, limits, &template_budget, &mut Vec::new())?);
    }
    for (key, sig) in changed {
        signatures.insert(key, sig);
    }
    let index_ref = &*index;
    let is_input = |p: &str| excluded.contains(p) || (affected.is_some() && index_ref.contains_key(p));
    // Listed resources are cached by the ids of what they name; without a
    // list (everything under DIR) the app tree is the key.
    // Globs and links have no single id: the whole app tree keys them.
    let plain = |r: &crate::yaml::Located<String>| {
        !r.value.contains(['*', '?', '[']) && src.kind(&r.value).is_ok_and(|k| k.is_some())
    };
    let listed = match cfg.resources.as_ref() {
        Some(l) if l.iter().all(plain) => {
            l.iter().map(|r| format!("{}={}", r.value, src.content_id(&r.value).unwrap_or_default())).collect()
        }
        _ => vec![src.content_id("").unwrap_or_default()],
    };
    let files_key = format!("{context}|{}", listed.join("|"));
    // Nothing a resource depends on changed since the last commit examined.
    let unchanged = last_files.as_deref() == Some(files_key.as_str());
    *last_files = Some(files_key.clone());
    let files = match resources.get(&files_key) {
        _ if unchanged => Rc::new(Vec::new()),
        Some(f) => f.clone(),
        None => {
            let mut list = Vec::new();
            for (path, target) in load::resource_files(&src, &cfg, &is_input)? {
                let found = crate::source::Found { path: path.clone(), target: target.clone() };
                list.push((path, target, src.found_id(&found).unwrap_or_default()));
            }
            let list = Rc::new(list);
            resources.insert(files_key, list.clone());
            list
        }
    };
    // Parse the files not seen before on every core (read in order first:
    // the git source is single-threaded), then use the cache.
    let mut misses = Vec::new();
    for (path, target, id) in files.iter() {
        if !cache.contains_key(&(path.clone(), id.clone())) {
            let found = crate::source::Found { path: path.clone(), target: target.clone() };
            misses.push((path.clone(), id.clone(), src.read_found(&found)?));
        }
    }
    // Parsed as a render parses (the same limits, batches and totals);
    // what is kept, the ConfigMaps and Secrets, counts against the node
    // limit for the whole walk, as it stays in memory until the end.
    let ids: Vec<String> = misses.iter().map(|(_, id, _)| id.clone()).collect();
    let raw = misses.into_iter().map(|(path, _, bytes)| (path, bytes)).collect();
    let (parsed, tally) = load::parse_files(raw, &values, limits, load::Tally::default(), &template_budget)?;
    walked.nodes += tally.nodes;
    walked.scalar_bytes += tally.scalar_bytes;
    for ((objs, (path, _)), id) in parsed.into_iter().zip(ids) {
        let kept: Vec<Object> = objs.into_iter().filter(|o| o.bundle_kind().is_some()).collect();
        *retained_nodes += kept.iter().map(|o| crate::limits::count_nodes(&o.value)).sum::<usize>();
        if *retained_nodes > limits.max_yaml_nodes {
            let what = format!(
                "the ConfigMaps and Secrets of the revisions walked hold more than the limit of {} YAML nodes",
                limits.max_yaml_nodes
            );
            return Err(crate::limits::exceeded(what, crate::limits::Limit::YamlNodes).in_file(path));
        }
        cache.insert((path, id), kept);
    }
    for (path, _, id) in files.iter() {
        let sig = format!("{context}|{path}|{id}");
        let objs = &cache[&(path.clone(), id.clone())];
        for o in objs.iter() {
            let mut key = o.bundle_key();
            if key.namespace.is_empty() {
                key.namespace.clone_from(&default_ns);
            }
            if wanted(&key) && signatures.get(&key) != Some(&sig) {
                signatures.insert(key, sig.clone());
                bundles.push(o.clone());
            }
        }
    }
    // The same default as the render's (bundles are namespaced, so no
    // cluster-scoped kind to skip).
    crate::render::apply_default_namespace(&mut bundles, Some(&default_ns), &crate::kinds::Scopes::default());
    bundles.retain(|o| wanted(&o.bundle_key()));
    let naming = Naming::new(&cfg.naming.template, cfg.naming.hash_length, opts.hash_key.clone())?;
    let all = vec![true; bundles.len()];
    let mut skipped = Vec::new();
    version::apply(&mut bundles, &all, &naming, Some(&mut skipped))?;
    bundles.retain(|o| o.annotation(annotations::BUNDLE).is_some());
    Ok(bundles)
}

/// The previous versions of every bundle versioned in `current`, marked
/// `imprint.dev/superseded: "true"`, plus warnings. `rev` is the rendered
/// revision (`None`: the working tree, whose history starts at HEAD).
pub fn previous_versions(
    dir: &Path,
    rev: Option<&str>,
    current: &[Object],
    overrides: &Overrides,
    opts: &Options,
    keep: Keep,
    limits: &Limits,
) -> Result<(Vec<Object>, Vec<Diagnostic>)> {
    let (repo, rel) = Repo::discover(dir).map_err(|e| {
        history_error(format!("keepVersions needs git history: {}", e.kind)).help(
            "render from a git checkout with history (Argo CD may send the plugin a folder without .git: keep versions in a CI post-build step instead)",
        )
    })?;
    repo.cache_blobs();
    let start = repo.commit(rev.unwrap_or("HEAD"))?;
    let (mut commits, end) = repo.first_parents(start, keep.depth)?;
    if rev.is_none() {
        // The working tree's history starts with HEAD itself.
        commits.insert(0, start);
    }
    let mut seen: HashMap<BundleKey, BTreeSet<String>> = HashMap::new();
    for o in current.iter().filter(|o| o.annotation(annotations::BUNDLE).is_some()) {
        seen.entry(o.bundle_key()).or_default().insert(o.name().to_string());
    }
    let mut found: HashMap<BundleKey, Vec<Object>> = HashMap::new();
    let mut warnings = Vec::new();
    let mut state = State { limits: *limits, ..State::default() };
    let mut last_tree = if rev.is_some() { repo.app_tree(start, &rel)? } else { None };
    // The last tree whose bundles were evaluated (changes are relative to it).
    let mut last_examined = None;
    for commit in commits {
        let Some(tree) = repo.app_tree(commit, &rel)? else { continue };
        if last_tree.as_ref() == Some(&tree) {
            continue; // only commits that change the app count
        }
        // Files convert differently when attributes above the app or in
        // it changed: then everything is rebuilt.
        let changed_paths = match &last_examined {
            Some(prev) if tree.same_checkout(prev) => Some(repo.changed_paths(prev.tree, tree.tree)?)
                .filter(|changed| !changed.iter().any(|p| p == ".gitattributes" || p.ends_with("/.gitattributes"))),
            _ => None,
        };
        last_tree = Some(tree.clone());
        last_examined = Some(tree.clone());
        let wanted = |k: &BundleKey| seen.contains_key(k) && found.get(k).map_or(0, Vec::len) < keep.versions;
        let bundles = match bundles_at(&repo, &tree, overrides, opts, &wanted, &mut state, changed_paths.as_ref()) {
            Ok(b) => b,
            Err(e) => {
                // An old revision that no longer renders keeps nothing, but
                // must not break today's render.
                warnings.push(Diagnostic {
                    severity: Severity::Warning,
                    code: Code::HistoryUnreadable,
                    message: format!("keepVersions skipped commit {}: {}", &commit.to_string()[..12], e.kind),
                    file: e.file.clone(),
                    line: e.line,
                    object: e.object.clone(),
                    field: e.field.clone(),
                    // A limit's help names the flag that raises it.
                    help: e.help.clone(),
                });
                continue;
            }
        };
        for mut o in bundles {
            let k = o.bundle_key();
            // An old object may claim another bundle's name in its own
            // imprint.dev/bundle annotation: it is not one of ours.
            let Some(names) = seen.get_mut(&k) else { continue };
            if names.insert(o.name().to_string()) {
                // A copy only old pods mount: controllers that select config
                // by label (Grafana's dashboard sidecar, Argo CD's
                // secret-type) must not load it too (SPEC §9).
                o.metadata_mut().shift_remove("labels");
                o.set_annotation(annotations::SUPERSEDED, "true");
                found.entry(k).or_default().push(o);
            }
        }
        if seen.keys().all(|k| found.get(k).map_or(0, Vec::len) >= keep.versions) {
            break;
        }
        let walked = state.walked;
        if walked.nodes > WALK_FACTOR * limits.max_yaml_nodes
            || walked.scalar_bytes > WALK_FACTOR as u64 * limits.max_input_bytes
        {
            warnings.push(Diagnostic::new(Severity::Warning, Code::HistoryBudget, format!(
                    "keepVersions: stopped at commit {} after parsing {WALK_FACTOR} times what one render may (--max-yaml-nodes, --max-input-size)",
                    &commit.to_string()[..12]
                )));
            break;
        }
    }
    let mut short: Vec<&BundleKey> =
        seen.keys().filter(|k| found.get(*k).map_or(0, Vec::len) < keep.versions).collect();
    short.sort();
    let all_seen = seen.keys().all(|k| found.get(k).map_or(0, Vec::len) >= keep.versions);
    if !all_seen && end == WalkEnd::Shallow {
        let example = short.first().map(ToString::to_string).unwrap_or_default();
        let msg = format!(
            "keepVersions: the clone is shallow and its history ends before {} previous versions of {example} (and {} more) were found",
            keep.versions,
            short.len().saturating_sub(1)
        );
        if !keep.best_effort {
            return Err(history_error(msg).help("fetch more history (git fetch --unshallow, or fetch-depth: 0 in CI), or pass --keep-versions-best-effort"));
        }
        warnings.push(Diagnostic { ..Diagnostic::new(Severity::Warning, Code::HistoryShallow, msg) });
    }
    if !all_seen && end == WalkEnd::Depth {
        warnings.push(Diagnostic::new(Severity::Warning, Code::HistoryDepth, format!(
                "keepVersions: stopped after {} commits (--history-depth) before {} previous versions of {} bundle(s) were found",
                keep.depth,
                keep.versions,
                short.len()
            )));
    }
    let mut out: Vec<Object> = found.into_values().flatten().collect();
    out.sort_by_cached_key(|o| (o.kind().to_string(), o.namespace().to_string(), o.name().to_string()));
    Ok((out, warnings))
}
