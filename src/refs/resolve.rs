//! The resolver: which object a reference names. Render (rewrite,
//! dangling, keys), `check`, `graph`, `diff` and `fn` all read the answer
//! from the [`Link`]s made here, once per render, so they cannot disagree.

use super::find::{Reference, Rules};
use super::rule::Role;
use crate::error::{Error, ErrorKind};
use crate::kinds::Scopes;
use crate::model::BundleKind;
use crate::model::Object;
use crate::model::annotations;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Names that exist in every namespace without being in any manifest.
const BUILTIN_EXTERNAL: &[&str] = &["kube-root-ca.crt"];

/// The objects a link names; links that name the same thing share one.
pub type Targets = std::sync::Arc<[usize]>;

/// A reference, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Index of the referring object.
    pub from: usize,
    pub reference: Reference,
    /// The namespace it resolves in. `None`: any namespace (a ClusterRole's
    /// `resourceNames`, a cluster-scoped object's reference without a
    /// namespace of its own).
    pub namespace: Option<String>,
    /// The ConfigMaps/Secrets of the output it names (several only for
    /// `namespace: None`), by index. Shared by every link that names the
    /// same thing: a ClusterRole may list a name 6,000 times that 6,000
    /// namespaces hold.
    pub to: Targets,
    /// The object whose [`Role::Provides`] reference writes what this one
    /// names, if any.
    pub provided_by: Option<usize>,
    /// For a reference into any namespace: a namespace `externalNames`
    /// declares the name in besides those of `to` (the object it means may
    /// be that one, which imprint does not rename).
    pub external_elsewhere: Option<String>,
}

impl Link {
    /// Whether a missing target is fine for this link.
    #[must_use]
    pub fn may_dangle(&self) -> bool {
        self.reference.optional || !matches!(self.reference.role, Role::Use | Role::Pinned)
    }
}

/// ConfigMaps and Secrets by kind, namespace and name, and by kind and name
/// (for references into any namespace), so that a name used in thousands of
/// namespaces costs one lookup.
pub struct BundleIndex<'a> {
    in_ns: HashMap<(BundleKind, &'a str, &'a str), Vec<usize>>,
    any_ns: HashMap<(BundleKind, &'a str), Vec<usize>>,
}

impl<'a> BundleIndex<'a> {
    /// Indexes `(index, kind, namespace, name)` entries.
    pub fn new(entries: impl IntoIterator<Item = (usize, BundleKind, &'a str, &'a str)>) -> Self {
        let mut index = BundleIndex { in_ns: HashMap::new(), any_ns: HashMap::new() };
        for (i, t, ns, name) in entries {
            index.in_ns.entry((t, ns, name)).or_default().push(i);
            index.any_ns.entry((t, name)).or_default().push(i);
        }
        index
    }

    /// The entries a reference of `target` to `name` in `namespace` (`None`:
    /// any) names, in index order.
    #[must_use]
    pub fn get(&self, target: BundleKind, namespace: Option<&str>, name: &str) -> Vec<usize> {
        let found = match namespace {
            Some(ns) => self.in_ns.get(&(target, ns, name)),
            None => self.any_ns.get(&(target, name)),
        };
        crate::work::add(crate::work::Site::Lookup, found.map_or(0, Vec::len) as u64);
        found.cloned().unwrap_or_default()
    }
}

/// Every reference of every object, resolved. Objects carry their
/// effective namespace and their original names.
#[must_use]
pub fn links(objects: &[Object], rules: &Rules, scopes: &Scopes) -> Vec<Link> {
    let mut out = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        let (group, kind) = (obj.group(), obj.kind());
        let cluster = scopes.is_cluster_scoped(group, kind);
        for r in rules.find(group, kind, &obj.value) {
            let namespace = match &r.namespace {
                Some(ns) => Some(ns.clone()),
                None if cluster || r.any_namespace => None,
                None => Some(obj.namespace().to_string()),
            };
            out.push(Link {
                from: i,
                reference: r,
                namespace,
                to: Targets::from([]),
                provided_by: None,
                external_elsewhere: None,
            });
        }
    }
    let bundles = BundleIndex::new(
        objects.iter().enumerate().filter_map(|(i, o)| Some((i, o.bundle_kind()?, o.namespace(), o.name()))),
    );
    // What providers write, by kind, namespace (None: every one) and name,
    // and by kind and name for references into any namespace.
    let mut provided: HashMap<(BundleKind, Option<&str>, &str), usize> = HashMap::new();
    let mut provided_anywhere: HashMap<(BundleKind, &str), usize> = HashMap::new();
    for l in out.iter().filter(|l| l.reference.role == Role::Provides) {
        provided.entry((l.reference.target, l.namespace.as_deref(), &l.reference.name)).or_insert(l.from);
        provided_anywhere.entry((l.reference.target, &l.reference.name)).or_insert(l.from);
    }
    let mut shared: HashMap<(BundleKind, Option<&str>, &str), Targets> = HashMap::new();
    let resolved: Vec<(Targets, Option<usize>)> = out
        .iter()
        .map(|l| {
            let r = &l.reference;
            let ns = l.namespace.as_deref();
            let to = shared
                .entry((r.target, ns, &r.name))
                .or_insert_with(|| bundles.get(r.target, ns, &r.name).into())
                .clone();
            let by = |ns| provided.get(&(r.target, ns, r.name.as_str())).copied();
            let by = match ns {
                Some(n) => by(Some(n)).or_else(|| by(None)),
                None => provided_anywhere.get(&(r.target, r.name.as_str())).copied(),
            };
            (to, by)
        })
        .collect();
    for (l, (to, by)) in out.iter_mut().zip(resolved) {
        l.to = to;
        l.provided_by = by;
    }
    out
}

/// The names imprint.yaml's `externalNames` declares: `name` (any
/// namespace) or `namespace/name`.
#[derive(Debug, Default)]
pub struct Externals {
    any_ns: HashSet<String>,
    in_ns: HashSet<(String, String)>,
}

impl Externals {
    #[must_use]
    pub fn new(list: &[String]) -> Self {
        let mut e = Externals::default();
        for item in list {
            match item.split_once('/') {
                Some((ns, name)) => e.in_ns.insert((ns.to_string(), name.to_string())),
                None => e.any_ns.insert(item.clone()),
            };
        }
        e
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.any_ns.is_empty() && self.in_ns.is_empty()
    }

    /// A namespace this list declares `name` in other than `besides`
    /// (`"*"` when it is declared for every namespace).
    #[must_use]
    pub fn elsewhere(&self, name: &str, besides: &[&str]) -> Option<String> {
        if self.any_ns.contains(name) {
            return Some("*".into());
        }
        let mut found: Vec<&str> = self
            .in_ns
            .iter()
            .filter(|(ns, n)| n == name && !besides.contains(&ns.as_str()))
            .map(|(ns, _)| ns.as_str())
            .collect();
        found.sort_unstable();
        found.first().map(|ns| (*ns).to_string())
    }

    fn contains(&self, ns: &str, name: &str) -> bool {
        BUILTIN_EXTERNAL.contains(&name)
            || self.any_ns.contains(name)
            || self.in_ns.contains(&(ns.to_string(), name.to_string()))
    }
}

/// A referrer's `imprint.dev/external` annotation.
enum Marked<'a> {
    All,
    Names(HashSet<&'a str>),
}

/// The links (indices) that name nothing in the output, are not written by
/// a provider, and are not declared external.
#[must_use]
pub fn dangling(objects: &[Object], links: &[Link], externals: &Externals) -> Vec<usize> {
    let mut out = Vec::new();
    // Each referrer's annotation, split once (a Pod may list 40,000 names
    // and hold as many references).
    let mut marks: HashMap<usize, Marked> = HashMap::new();
    for (i, l) in links.iter().enumerate() {
        if l.may_dangle() || !l.to.is_empty() || l.provided_by.is_some() {
            continue;
        }
        let r = &l.reference;
        let marked =
            match marks.entry(l.from).or_insert_with(|| match objects[l.from].annotation(annotations::EXTERNAL) {
                Some(list) if list.trim() == "true" => Marked::All,
                Some(list) => Marked::Names(list.split(',').map(str::trim).collect()),
                None => Marked::Names(HashSet::new()),
            }) {
                Marked::All => true,
                Marked::Names(names) => names.contains(r.name.as_str()),
            };
        if !(marked || externals.contains(l.namespace.as_deref().unwrap_or_default(), &r.name)) {
            out.push(i);
        }
    }
    out
}

/// The error for a dangling link: referrer, file, field path, missing name,
/// and the line to add to `externalNames`.
#[must_use]
pub fn dangling_error(objects: &[Object], link: &Link) -> Error {
    let r = &link.reference;
    let from = &objects[link.from];
    let ns = link.namespace.clone().unwrap_or_default();
    let where_ = if ns.is_empty() { String::new() } else { format!(" in namespace {ns}") };
    let entry = if ns.is_empty() { r.name.clone() } else { format!("{ns}/{}", r.name) };
    Error::new(ErrorKind::Dangling(format!(
        "{} names {} {:?}{where_}, which is not in the output",
        from.id(),
        r.target.kind(),
        r.name
    )))
    .at_object(from)
    .field(r.path.to_string())
    .help(format!(
        "if it is created at run time, add `- {entry}` to externalNames in imprint.yaml (or mark the reference optional: true)"
    ))
}

/// The keys of a ConfigMap or Secret (`data`, `binaryData`, `stringData`).
#[must_use]
pub fn keys_of(o: &Object) -> Vec<&str> {
    let mut keys: Vec<&str> = ["data", "binaryData", "stringData"]
        .iter()
        .filter_map(|s| o.value.get(*s).and_then(Value::as_object))
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Errors for keys that references need and their objects lack (SPEC §5
/// "Keys"): the pod would never start (CreateContainerConfigError). Only
/// non-optional references to one object that has content are checked: an
/// object with no keys at all is a placeholder something fills at run time.
#[must_use]
pub fn missing_keys(objects: &[Object], links: &[Link]) -> Vec<Error> {
    let mut out = Vec::new();
    let mut keys: HashMap<usize, Vec<&str>> = HashMap::new();
    for l in links {
        let r = &l.reference;
        if r.keys.is_empty() || l.may_dangle() || l.to.len() != 1 || l.provided_by.is_some() {
            continue;
        }
        let target = l.to[0];
        let have = keys.entry(target).or_insert_with(|| keys_of(&objects[target]));
        if have.is_empty() {
            continue;
        }
        for (path, key) in &r.keys {
            if have.binary_search(&key.as_str()).is_ok() {
                continue;
            }
            let from = &objects[l.from];
            const SHOWN: usize = 20;
            let mut list = have.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
            if have.len() > SHOWN {
                list.push_str(&format!(", … ({} more)", have.len() - SHOWN));
            }
            out.push(
                Error::new(ErrorKind::MissingKey(format!(
                    "{} reads key {key:?} of {} {:?}, which has no such key (its keys: {list})",
                    from.id(),
                    r.target.kind(),
                    r.name
                )))
                .at_object(from)
                .field(path.to_string())
                .help("fix the key's name, or mark the reference optional: true if the pod may start without it"),
            );
        }
    }
    out
}
