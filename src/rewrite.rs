//! Stage 5: point every reference at the versioned names, and refuse
//! references to objects that are not in the output (SPEC §5).

use crate::error::{Error, ErrorKind};
use crate::object::Object;
use crate::refs::{Link, Target, Via};
use crate::version::Renames;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Names that exist in every namespace without being in any manifest.
const BUILTIN_EXTERNAL: &[&str] = &["kube-root-ca.crt"];

/// Annotation on a referrer listing names created at run time.
pub const ANN_EXTERNAL: &str = "imprint.dev/external";

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

    fn contains(&self, ns: &str, name: &str) -> bool {
        BUILTIN_EXTERNAL.contains(&name)
            || self.any_ns.contains(name)
            || self.in_ns.contains(&(ns.to_string(), name.to_string()))
    }
}

/// Secrets that a controller creates from an object in the input: a Sealed
/// Secret's (bitnami.com) and an ExternalSecret's (external-secrets.io)
/// target. References to them do not dangle.
fn provided_secrets(objects: &[Object]) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    for o in objects {
        match (o.group(), o.kind()) {
            ("bitnami.com", "SealedSecret") => out.push((o.namespace(), o.name())),
            ("external-secrets.io", "ExternalSecret") => {
                let target = crate::object::str_at(&o.value, &["spec", "target", "name"]).unwrap_or(o.name());
                out.push((o.namespace(), target));
            }
            _ => {}
        }
    }
    out
}

/// The links (indices) that name nothing in the output and are not
/// declared external.
#[must_use]
pub fn dangling(objects: &[Object], links: &[Link], externals: &Externals) -> Vec<usize> {
    let mut present: HashSet<(Target, &str, &str)> =
        objects.iter().filter_map(|o| o.bundle_kind().map(|t| (t, o.namespace(), o.name()))).collect();
    present.extend(provided_secrets(objects).into_iter().map(|(ns, n)| (Target::Secret, ns, n)));
    let any_ns: HashSet<(Target, &str)> = present.iter().map(|(t, _, n)| (*t, *n)).collect();
    let mut out = Vec::new();
    // Each referrer's external-names annotation, split once (a Pod may list
    // 40,000 names and hold as many references).
    let mut marks: HashMap<usize, HashSet<&str>> = HashMap::new();
    for (i, l) in links.iter().enumerate() {
        let r = &l.reference;
        // RBAC may name objects created at run time; PersistentVolumes name
        // Secrets that usually live outside the app.
        if r.optional || matches!(r.via, Via::Rbac | Via::PersistentVolume) {
            continue;
        }
        let found = match &l.namespace {
            Some(ns) => present.contains(&(r.target, ns.as_str(), r.name.as_str())),
            None => any_ns.contains(&(r.target, r.name.as_str())),
        };
        if found {
            continue;
        }
        let marked = marks
            .entry(l.from)
            .or_insert_with(|| {
                objects[l.from]
                    .annotation(ANN_EXTERNAL)
                    .map(|list| list.split(',').map(str::trim).collect())
                    .unwrap_or_default()
            })
            .contains(r.name.as_str());
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
    .in_file(from.origin.file.clone())
    .at_line(from.origin.line)
    .object(from.id().to_string())
    .field(r.path.to_string())
    .help(format!(
        "if it is created at run time, add `- {entry}` to externalNames in imprint.yaml (or mark the reference optional: true)"
    ))
}

/// Rewrites every reference to a renamed bundle.
pub fn rewrite(objects: &mut [Object], links: &[Link], renames: &Renames) {
    // Index renames by (kind, name) for any-namespace lookups.
    let mut by_name: std::collections::BTreeMap<(Target, &str), Vec<(&str, &str)>> = Default::default();
    for ((t, ns, name), new) in renames {
        by_name.entry((*t, name.as_str())).or_default().push((ns.as_str(), new.as_str()));
    }
    for list in by_name.values_mut() {
        list.sort_unstable();
    }
    let mut rbac: Vec<&Link> = Vec::new();
    for l in links {
        let r = &l.reference;
        if r.via == Via::Rbac {
            rbac.push(l);
            continue;
        }
        let new = match &l.namespace {
            Some(ns) => renames.get(&(r.target, ns.clone(), r.name.clone())).map(String::as_str),
            // Without a namespace a single match is unambiguous; several are
            // left alone rather than guessed.
            None => match by_name.get(&(r.target, r.name.as_str())) {
                Some(v) if v.len() == 1 => Some(v[0].1),
                _ => None,
            },
        };
        if let Some(new) = new {
            let value = format!("{}{new}", r.prefix.as_deref().unwrap_or_default());
            if let Some(slot) = r.path.get_mut(&mut objects[l.from].value) {
                *slot = Value::String(value);
            }
        }
    }
    rewrite_rbac(objects, &rbac, &by_name);
}

/// `resourceNames` entries become every versioned name they stand for: a
/// Role's in its own namespace; a ClusterRole's (not namespaced) in all.
fn rewrite_rbac(
    objects: &mut [Object],
    links: &[&Link],
    by_name: &std::collections::BTreeMap<(Target, &str), Vec<(&str, &str)>>,
) {
    // (object, path of the resourceNames list) -> element index -> what it
    // names (maps and sets throughout: a list may hold 300,000 names).
    type Names<'a> = (Target, &'a str, Option<&'a str>);
    let mut wanted: std::collections::BTreeMap<(usize, String), std::collections::BTreeMap<usize, Vec<Names>>> =
        Default::default();
    // Elements that keep their original name as well: some target it may
    // stand for (the other kind, or, for a ClusterRole, another namespace)
    // is not renamed, and its access must not be lost.
    let mut keep: std::collections::BTreeSet<(usize, String, usize)> = Default::default();
    let in_ns = |ns: Option<&str>, n: &str| ns.is_none_or(|want| want == n);
    let renamed = |t: Target, name: &str, ns: Option<&str>| -> Vec<String> {
        by_name
            .get(&(t, name))
            .into_iter()
            .flatten()
            .filter(|(n, _)| in_ns(ns, n))
            .map(|(_, n)| (*n).to_string())
            .collect()
    };
    for l in links {
        let r = &l.reference;
        let Some(crate::refs::Seg::Index(idx)) = r.path.0.last() else {
            continue;
        };
        let list_path = crate::refs::FieldPath(r.path.0[..r.path.0.len() - 1].to_vec()).to_string();
        let ns = l.namespace.as_deref();
        let any = by_name.get(&(r.target, r.name.as_str())).is_some_and(|v| v.iter().any(|(n, _)| in_ns(ns, n)));
        if !any || l.namespace.is_none() {
            keep.insert((l.from, list_path.clone(), *idx));
        }
        if any {
            let names = (r.target, r.name.as_str(), ns);
            wanted.entry((l.from, list_path)).or_default().entry(*idx).or_default().push(names);
        }
    }
    // The new names, each set once per list, at the first element that
    // names it: a name listed n times over n namespaces would otherwise
    // hold n x n strings (6,000: 2 GB) only for the list to drop repeats.
    let mut edits: std::collections::BTreeMap<(usize, String), std::collections::BTreeMap<usize, Vec<String>>> =
        Default::default();
    for (key, elements) in wanted {
        let mut done: std::collections::HashSet<Names> = std::collections::HashSet::new();
        let list = edits.entry(key).or_default();
        for (idx, names) in elements {
            let news = list.entry(idx).or_default();
            for (t, name, ns) in names {
                if done.insert((t, name, ns)) {
                    news.extend(renamed(t, name, ns));
                }
            }
        }
    }
    for l in links {
        let r = &l.reference;
        let list_path = crate::refs::FieldPath(r.path.0[..r.path.0.len() - 1].to_vec());
        let key = (l.from, list_path.to_string());
        let Some(changes) = edits.remove(&key) else {
            continue;
        };
        let Some(Value::Array(items)) = list_path.get_mut(&mut objects[l.from].value) else {
            continue;
        };
        let mut out: Vec<Value> = Vec::new();
        let mut names: std::collections::HashSet<String> = std::collections::HashSet::new();
        for (i, item) in std::mem::take(items).into_iter().enumerate() {
            match changes.get(&i) {
                Some(news) => {
                    if keep.contains(&(key.0, key.1.clone(), i)) {
                        if let Some(s) = item.as_str() {
                            names.insert(s.to_string());
                        }
                        out.push(item);
                    }
                    for n in news {
                        if names.insert(n.clone()) {
                            out.push(Value::String(n.clone()));
                        }
                    }
                }
                None => {
                    if let Some(s) = item.as_str() {
                        names.insert(s.to_string());
                    }
                    out.push(item);
                }
            }
        }
        *items = out;
    }
}
