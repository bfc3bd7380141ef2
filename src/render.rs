//! The stages, top to bottom: generate → namespace → version → rewrite.
//! Pure: it takes what `load` read and returns objects and findings, in
//! input order ([`crate::pipeline`] orders them, once, with what history
//! adds).

use crate::error::{Diagnostic, Result, Severity, object_error};
use crate::generate;
use crate::kinds::Scopes;
use crate::load::Loaded;
use crate::model::BundleKind;
use crate::model::Code;
use crate::model::Object;
use crate::refs::{self, Externals, Link, Rules};
use crate::rewrite;
use crate::version::{self, Naming, hash::HashKey};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Settings that come from the command line and environment, not the repo.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--namespace`: beats imprint.yaml's `namespace`.
    pub namespace: Option<String>,
    /// `ARGOCD_APP_NAMESPACE`: the weakest default.
    pub env_namespace: Option<String>,
    /// `--allow-dangling`: dangling references warn instead of failing.
    pub allow_dangling: bool,
    /// Key for Secret hashes (`--hash-key-file`).
    pub hash_key: Option<HashKey>,
    /// `check`: report what would stop a render (dangling references,
    /// Secrets missing required keys, invalid versioned names) as findings
    /// and carry on.
    pub lenient: bool,
}

/// The result of a render.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub objects: Vec<Object>,
    /// Every reference, resolved (indices into `objects`).
    pub links: Vec<Link>,
    /// Indices into `links` of references that name nothing in the output.
    pub dangling: Vec<usize>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Rendered {
    /// Puts the objects in the output order (SPEC §7) and moves every
    /// link with them: one permutation, applied once.
    pub fn reorder(&mut self) {
        let new_pos = crate::order::permutation(&self.objects);
        self.objects = crate::order::place(std::mem::take(&mut self.objects), &new_pos);
        // Shared target lists are remapped once each.
        let mut remapped: HashMap<*const [usize], refs::resolve::Targets> = HashMap::new();
        for l in &mut self.links {
            l.from = new_pos[l.from];
            l.to = remapped
                .entry(std::sync::Arc::as_ptr(&l.to))
                .or_insert_with(|| l.to.iter().map(|&t| new_pos[t]).collect())
                .clone();
            l.provided_by = l.provided_by.map(|p| new_pos[p]);
        }
    }
}

/// The stages on loaded input, up to (not including) the order: objects
/// come out in input order. [`crate::pipeline::run`] is what callers use.
pub(crate) fn stages(loaded: Loaded, opts: &Options) -> Result<Rendered> {
    // The manifest texts are only for `check`; free them before the peak.
    let Loaded { config, mut objects, bundles, values, limits, template_budget, .. } = loaded;
    let config = &config;
    let default_ns = opts.namespace.clone().or_else(|| config.namespace.clone()).or_else(|| opts.env_namespace.clone());
    let mut diagnostics = Vec::new();
    for spec in &bundles {
        objects.push(generate::generate(spec, &values, &limits, &template_budget, &mut diagnostics)?);
    }
    let scopes = Scopes::of(&objects);
    apply_default_namespace(&mut objects, default_ns.as_deref(), &scopes);
    check_objects(&objects, opts.lenient, &mut diagnostics)?;
    unused_rules(&objects, &config.references, &mut diagnostics);
    let rules = Rules::new(&config.references);
    let mut links = refs::resolve::links(&objects, &rules, &scopes);
    let externals = Externals::new(&config.external_names);
    // Once per shared target list: a ClusterRole may list one name 6,000
    // times that 6,000 namespaces hold.
    let mut elsewhere: HashMap<*const [usize], Option<String>> = HashMap::new();
    for l in links.iter_mut().filter(|l| l.namespace.is_none() && !l.to.is_empty() && !externals.is_empty()) {
        l.external_elsewhere = elsewhere
            .entry(std::sync::Arc::as_ptr(&l.to))
            .or_insert_with(|| {
                let namespaces: Vec<&str> = l.to.iter().map(|&t| objects[t].namespace()).collect();
                externals.elsewhere(&l.reference.name, &namespaces)
            })
            .clone();
    }
    let dangling = refs::resolve::dangling(&objects, &links, &externals);
    for &i in &dangling {
        let err = refs::resolve::dangling_error(&objects, &links[i]);
        if !(opts.allow_dangling || opts.lenient) {
            return Err(err);
        }
        let mut d = Diagnostic::from_error(Code::DanglingReference, &err);
        if !opts.lenient {
            d.severity = Severity::Warning;
        }
        diagnostics.push(d);
    }
    for err in refs::resolve::missing_keys(&objects, &links) {
        if !opts.lenient {
            return Err(err);
        }
        diagnostics.push(Diagnostic::from_error(Code::MissingKey, &err));
    }
    let (versioned, notes) = version::plan(&objects, &links, config.version_resources, opts.hash_key.as_ref())?;
    diagnostics.extend(notes);
    // The names uses still hold; for a prior version read again, its
    // versioned name, not the bundle it records.
    let old_names: Vec<Option<String>> =
        objects.iter().zip(&versioned).map(|(o, &v)| v.then(|| o.name().to_string())).collect();
    let naming = Naming::new(&config.naming.template, config.naming.hash_length, opts.hash_key.clone())?;
    let new_names = version::apply(&mut objects, &versioned, &naming, opts.lenient.then_some(&mut diagnostics))?;
    let left = rewrite::rewrite(&mut objects, &links, &new_names);
    stale_names(&objects, &links, &left, (&old_names, &new_names), &scopes, opts.lenient, &mut diagnostics)?;
    // A versioned name may meet an object that already had it.
    check_unique(&objects)?;
    Ok(Rendered { objects, links, dangling, diagnostics })
}

/// A `references:` rule whose kind no object of the input has is almost
/// always a typo or a left-out `group` (which means the core group).
fn unused_rules(objects: &[Object], rules: &[refs::Rule], diagnostics: &mut Vec<Diagnostic>) {
    if rules.is_empty() {
        return;
    }
    let kinds: HashSet<(&str, &str)> = objects.iter().map(|o| (o.group(), o.kind())).collect();
    for (i, r) in rules.iter().enumerate() {
        if kinds.contains(&(&*r.group, &*r.kind)) {
            continue;
        }
        let group =
            if r.group.is_empty() { "the core group (no `group`)".to_string() } else { format!("group {}", r.group) };
        diagnostics.push(Diagnostic {
            file: Some(crate::config::FILE_NAME.into()),
            field: Some(format!("references[{i}]")),
            help: Some("set `group` to the custom resource's API group (the part of apiVersion before the /)".into()),
            ..Diagnostic::new(
                Severity::Warning,
                Code::UnusedReferenceRule,
                format!("references[{i}] is for kind {} in {group}, and no object of the input is", r.kind),
            )
        });
    }
}

/// The stale-name guarantee (SPEC §5): a use of a renamed object's old name
/// left anywhere is an error (`check`: a finding each).
fn stale_names(
    objects: &[Object],
    links: &[Link],
    left: &[usize],
    names: (&[Option<String>], &[Option<String>]),
    scopes: &Scopes,
    lenient: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<()> {
    let (old_names, new_names) = names;
    let renamed: Vec<refs::stale::Renamed> = new_names
        .iter()
        .enumerate()
        .filter_map(|(i, new)| {
            let o = &objects[i];
            Some(refs::stale::Renamed {
                index: i,
                target: o.bundle_kind()?,
                namespace: o.namespace(),
                old: old_names[i].as_deref()?,
                new: new.as_deref()?,
            })
        })
        // A prior version versioned again to the same name (only its
        // annotations had changed) was not renamed.
        .filter(|r| r.old != r.new)
        .collect();
    let mut stale = refs::stale::from_links(objects, links, left);
    stale.extend(refs::stale::scan_all(objects, &renamed, scopes));
    let mut seen = HashSet::new();
    stale.retain(|s| seen.insert((s.from, s.path.clone(), s.target)));
    if let Some(first) = stale.first()
        && !lenient
    {
        return Err(refs::stale::error(objects, first, stale.len() - 1));
    }
    diagnostics
        .extend(stale.iter().map(|s| Diagnostic::from_error(Code::StaleReference, &refs::stale::error(objects, s, 0))));
    Ok(())
}

/// Namespaced objects without a namespace get the default. Cluster-scoped
/// ones (built-in, well-known custom kinds, or custom kinds whose CRD in
/// the input says `scope: Cluster`) are left alone.
pub(crate) fn apply_default_namespace(objects: &mut [Object], ns: Option<&str>, scopes: &Scopes) {
    let Some(ns) = ns.filter(|n| !n.is_empty()) else {
        return;
    };
    for o in objects.iter_mut() {
        if !o.namespace().is_empty() || scopes.is_cluster_scoped(o.group(), o.kind()) {
            continue;
        }
        crate::model::object::insert_after(o.metadata_mut(), "name", "namespace", Value::String(ns.to_string()));
    }
}

fn duplicate_error(o: &Object, first: &Object) -> crate::error::Error {
    object_error(format!("{} is defined twice: in {} and in {}", o.id(), first.location(), o.location()))
        .at_object(o)
        .field("metadata.name")
}

fn check_unique(objects: &[Object]) -> Result<()> {
    let mut seen: HashMap<_, &Object> = HashMap::new();
    for o in objects.iter().filter(|o| !o.name().is_empty()) {
        if let Some(first) = seen.insert(o.id(), o) {
            return Err(duplicate_error(o, first));
        }
    }
    Ok(())
}

/// Refuses two objects with one identity, and Secrets missing the keys
/// their type requires (in lenient mode, the latter become findings).
fn check_objects(objects: &[Object], lenient: bool, diagnostics: &mut Vec<Diagnostic>) -> Result<()> {
    let mut seen: HashMap<_, &Object> = HashMap::new();
    for o in objects {
        if o.value.get("metadata").and_then(|m| m.get("name")).is_none() {
            continue; // generateName: many may share a prefix
        }
        if let Some(first) = seen.insert(o.id(), o) {
            return Err(duplicate_error(o, first));
        }
        if o.bundle_kind() == Some(BundleKind::Secret) {
            let t = o.value.get("type").and_then(Value::as_str).unwrap_or("Opaque");
            let data = o.value.get("data");
            let missing = generate::missing_keys(t, |k| data.and_then(|d| d.get(k)).is_some());
            if !missing.is_empty() {
                let err = object_error(format!("{} has type {t} but no key {}", o.id(), missing.join(", ")))
                    .at_object(o)
                    .field("data");
                if !lenient {
                    return Err(err);
                }
                diagnostics.push(Diagnostic::from_error(Code::SecretMissingKeys, &err));
            }
        }
    }
    Ok(())
}
