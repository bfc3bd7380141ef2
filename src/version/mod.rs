//! Stage 4: decide which ConfigMaps/Secrets get content-versioned names
//! (SPEC §4), then give them their names, `immutable: true` and annotations.

pub mod fixed;
pub mod hash;
mod mentions;

use mentions::scan_mentions;

use crate::config::VersionResources;
use crate::error::{Diagnostic, Error, Result, Severity, naming_error, object_error};
use crate::kinds::valid_name;
use crate::model::BundleKind;
use crate::model::Code;
use crate::model::Object;
use crate::model::annotations;
use crate::refs::{Link, Role};
use crate::template::Template;
use base64::Engine as _;
use hash::{Content, EntryTag, HashKey};
use rayon::prelude::*;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// Secret types the API server manages by name: never renamed.
const NEVER_TYPES: &[&str] = &["kubernetes.io/service-account-token", "bootstrap.kubernetes.io/token"];

fn note(obj: &Object, code: Code, message: String) -> Diagnostic {
    Diagnostic::about(Severity::Note, code, obj, message)
}

/// Why an object is never versioned, whatever the settings.
fn never_reason(obj: &Object) -> Option<String> {
    if obj.has_generated_name() {
        return Some("it has generateName, so its name is chosen by the API server".into());
    }
    let t = obj.value.get("type").and_then(Value::as_str).unwrap_or_default();
    if obj.bundle_kind() == Some(BundleKind::Secret) && NEVER_TYPES.contains(&t) {
        return Some(format!("Secrets of type {t} are managed by the API server by name"));
    }
    None
}

fn override_annotation(obj: &Object) -> Result<Option<bool>> {
    match obj.annotation(annotations::VERSION) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => {
            Err(object_error(format!("annotation {} is {other:?}; use \"true\" or \"false\"", annotations::VERSION))
                .at_object(obj)
                .field(format!("metadata.annotations[{:?}]", annotations::VERSION)))
        }
    }
}

/// Decides, for every object, whether it gets a versioned name. Objects
/// left alone by a safety rule get a note saying which rule and where.
pub fn plan(
    objects: &[Object],
    links: &[Link],
    mode: VersionResources,
    key: Option<&HashKey>,
) -> Result<(Vec<bool>, Vec<Diagnostic>)> {
    let mut versioned = vec![false; objects.len()];
    let mut notes = Vec::new();
    // Candidates that pass every rule but the name-occurrence scan.
    let mut candidates: HashMap<&str, Vec<usize>> = HashMap::new();
    // The links that name each object, in link order (the notes name the
    // first). Links that share a target list, a role and optionality add
    // nothing past the first (a ClusterRole listing one name 6,000 times).
    let mut users: Vec<Vec<&Link>> = vec![Vec::new(); objects.len()];
    let mut seen: HashSet<(*const [usize], Role, bool)> = HashSet::new();
    for l in links {
        if seen.insert((std::sync::Arc::as_ptr(&l.to), l.reference.role, l.reference.optional)) {
            crate::work::add(crate::work::Site::Plan, l.to.len() as u64);
            for &t in l.to.iter() {
                users[t].push(l);
            }
        }
    }
    let alertmanagers: HashSet<(&str, String)> = objects
        .iter()
        .filter(|o| o.kind() == "Alertmanager" && o.group() == "monitoring.coreos.com")
        .filter(|o| o.value.get("spec").and_then(|s| s.get("configSecret")).is_none())
        .map(|o| (o.namespace(), format!("alertmanager-{}", o.name())))
        .collect();
    for (i, obj) in objects.iter().enumerate() {
        let Some(target) = obj.bundle_kind() else {
            continue;
        };
        let mine = &users[i];
        let generated = obj.origin.generated_from.is_some();
        let first = |role: Role| mine.iter().find(|l| l.reference.role == role);
        if let Some(why) = never_reason(obj) {
            if override_annotation(obj)? == Some(true) || generated {
                notes.push(note(obj, Code::NeverVersioned, format!("not versioned: {why}")));
            }
            continue;
        }
        // Its writer owns the name, whatever the settings: an immutable copy
        // under a new name would never see what the writer writes.
        if let Some(l) = first(Role::Provides) {
            let writer = &objects[l.from];
            notes.push(note(
                obj,
                Code::UnversionedProvided,
                format!(
                    "not versioned: {} writes it ({}, {}), so its name belongs to that writer",
                    writer.id(),
                    l.reference.path,
                    writer.location()
                ),
            ));
            continue;
        }
        // imprint's own output read again (SPEC §7 fixed point). One edited
        // since is versioned again unless annotated not to be.
        match prior(obj, key) {
            Prior::None => {}
            Prior::Current => continue,
            Prior::Unverified => {
                notes.push(note(
                    obj,
                    Code::AlreadyVersioned,
                    "kept its name: imprint versioned it with a hash key, and without that key (--hash-key-file) its content cannot be checked against imprint.dev/content-hash".into(),
                ));
                continue;
            }
            Prior::Changed => {
                let again = override_annotation(obj)? != Some(false);
                let what = if again {
                    "versioned again: its content no longer matches its imprint.dev/content-hash, so its name no longer says what it holds"
                } else {
                    "kept its name (imprint.dev/version: \"false\"), although its content no longer matches its imprint.dev/content-hash"
                };
                notes.push(note(obj, Code::ContentChanged, what.into()));
                versioned[i] = again;
                continue;
            }
        }
        if let Some(v) = override_annotation(obj)? {
            versioned[i] = v;
            continue;
        }
        if let Some(l) = first(Role::Pinned) {
            let holder = &objects[l.from];
            notes.push(note(
                obj,
                Code::UnversionedPinned,
                format!(
                    "not versioned: {} names it at {}, where the name is part of a file path (it is mounted at a folder of that name), so a new name would move its files ({})",
                    holder.id(),
                    l.reference.path,
                    holder.location()
                ),
            ));
            continue;
        }
        // Used but empty: a placeholder something fills at run time (a
        // webhook's certificate, a cert-manager target); an immutable copy
        // would stay empty forever.
        if is_placeholder(obj) && first(Role::Use).is_some() {
            // A fixed-name entry says more precisely who fills it.
            notes.push(match fixed::lookup(target, obj.namespace(), obj.name()) {
                Some(f) => note(obj, Code::UnversionedFixedName, format!("not versioned: fixed name: {}", f.reason)),
                None => note(
                    obj,
                    Code::UnversionedPlaceholder,
                    "not versioned: it has no data (or only empty values) and workloads use it, so something fills it at run time".into(),
                ),
            });
            continue;
        }
        if !generated {
            match mode {
                VersionResources::None => continue,
                VersionResources::All => {
                    versioned[i] = true;
                    continue;
                }
                VersionResources::Referenced => {}
            }
            if let Some(l) = first(Role::Rbac) {
                let role = &objects[l.from];
                notes.push(note(obj, Code::UnversionedRbac, format!(
                    "not versioned: {} lists it in resourceNames ({}), so some process reads or writes it by name through the API",
                    role.id(), role.location()
                )));
                continue;
            }
            if let Some(l) = first(Role::Immutable) {
                let holder = &objects[l.from];
                notes.push(note(
                    obj,
                    Code::UnversionedPv,
                    format!(
                        "not versioned: {} references it at {}, and that field cannot change after creation ({})",
                        holder.id(),
                        l.reference.path,
                        holder.location()
                    ),
                ));
                continue;
            }
            let uses: Vec<&&Link> = mine.iter().filter(|l| l.reference.role == Role::Use).collect();
            if !uses.iter().any(|l| !l.reference.optional) {
                let why =
                    if uses.is_empty() { "no workload references it" } else { "every reference to it is optional" };
                notes.push(note(
                    obj,
                    Code::Unreferenced,
                    format!("not versioned: {why} (versionResources: referenced)"),
                ));
                continue;
            }
        }
        // Generated bundles too (SPEC §4): a generator named argocd-cm in
        // argocd keeps its name, as with kustomize's disableNameSuffixHash.
        let (ns, name) = (obj.namespace(), obj.name());
        if let Some(f) = fixed::lookup(target, ns, name) {
            notes.push(note(obj, Code::UnversionedFixedName, format!("not versioned: fixed name: {}", f.reason)));
            continue;
        }
        if target == BundleKind::Secret && alertmanagers.contains(&(ns, name.to_string())) {
            notes.push(note(obj, Code::UnversionedFixedName, format!(
                "not versioned: fixed name: prometheus-operator reads {name} by convention for the Alertmanager of that name"
            )));
            continue;
        }
        candidates.entry(name).or_default().push(i);
    }
    let mentions = scan_mentions(objects, links, &candidates);
    for (name, idxs) in &candidates {
        for &i in idxs {
            match mentions.get(&(*name, i)) {
                Some(&(from, ref path, identity)) => {
                    let o = &objects[from];
                    // Often a homonym (a chart's Secret and Service share
                    // the fullname): safe by default, but say how to opt in.
                    let unless = if identity {
                        format!("{} only happens to share its name", o.id())
                    } else {
                        format!("nothing reads it by the name at {path}")
                    };
                    let generated = objects[i].origin.generated_from.is_some();
                    let place = if generated { "in the generator's options.annotations" } else { "on it" };
                    notes.push(
                        note(
                            &objects[i],
                            Code::UnversionedNameUsed,
                            format!(
                                "not versioned: its name appears in {} at {path} ({}), so something may read it by name",
                                o.id(),
                                o.location()
                            ),
                        )
                        .with_help(format!(
                            "a change to it rolls nothing; if {unless}, set imprint.dev/version: \"true\" {place} to version it"
                        )),
                    );
                }
                None => versioned[i] = true,
            }
        }
    }
    notes.sort_by(|a, b| (&a.file, a.line, &a.object).cmp(&(&b.file, b.line, &b.object)));
    Ok((versioned, notes))
}

/// What an object's own `imprint.dev/bundle` and `imprint.dev/content-hash`
/// say: imprint's output read again, as by `imprint render DIR | imprint
/// render -`, `graph -` over a rendered stream, or a KRM pipeline that runs
/// `fn` twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prior {
    /// Not versioned by imprint (or only one of the two annotations).
    None,
    /// Versioned, and its content still hashes to the annotation: keep it.
    Current,
    /// Versioned with a hash key that this render was not given.
    Unverified,
    /// Versioned, but edited since (or hashed under another contract).
    Changed,
}

#[must_use]
pub fn prior(obj: &Object, key: Option<&HashKey>) -> Prior {
    let (Some(target), Some(_), Some(recorded)) =
        (obj.bundle_kind(), obj.annotation(annotations::BUNDLE), obj.annotation(annotations::CONTENT_HASH))
    else {
        return Prior::None;
    };
    let (keyed, hex) = match recorded.split_once(':') {
        Some(("blake3", hex)) => (false, hex),
        Some(("blake3-keyed", hex)) => (true, hex),
        _ => return Prior::Changed,
    };
    // imprint never keys a ConfigMap's hash: such an annotation was edited.
    if keyed && target != BundleKind::Secret {
        return Prior::Changed;
    }
    if keyed && key.is_none() {
        return Prior::Unverified;
    }
    // Content that does not hash (bad base64) is reported on the normal path.
    let Ok(content) = content_of(obj, target) else { return Prior::Changed };
    if hash::hex(&hash::digest(&content, if keyed { key } else { None })) == hex {
        Prior::Current
    } else {
        Prior::Changed
    }
}

/// Whether a ConfigMap/Secret holds nothing: no entries, or only empty values.
fn is_placeholder(obj: &Object) -> bool {
    ["data", "binaryData", "stringData"]
        .iter()
        .filter_map(|s| obj.value.get(*s).and_then(Value::as_object))
        .flat_map(|m| m.values())
        .all(|v| v.as_str().is_some_and(str::is_empty))
}

/// How versioned names are made.
pub struct Naming {
    template: Template,
    hash_length: usize,
    key: Option<HashKey>,
}

impl Naming {
    pub fn new(template: &str, hash_length: usize, key: Option<HashKey>) -> Result<Self> {
        // Without the hash the name is not content-addressed: two versions
        // would share it and an edit would not roll anything.
        if !(template.contains("hash") || template.contains("fullHash")) {
            return Err(naming_error("naming.template must use {{hash}} or {{fullHash}}")
                .in_file(crate::config::FILE_NAME)
                .field("naming.template"));
        }
        let template = Template::new(template).map_err(|e| {
            naming_error(format!("naming.template does not compile: {e}"))
                .in_file(crate::config::FILE_NAME)
                .field("naming.template")
        })?;
        Ok(Naming { template, hash_length, key })
    }
}

pub(super) fn decode_b64(s: &str) -> Option<Vec<u8>> {
    let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(compact).ok()
}

/// The hashed content of a ConfigMap/Secret object.
fn content_of(obj: &Object, target: BundleKind) -> Result<Content<'_>> {
    let err = |field: String, what: &str| {
        object_error(format!("{} {what}", obj.id()))
            .in_file(obj.origin.file.clone())
            .at_line(obj.origin.line)
            .field(field)
    };
    let mut entries = Vec::new();
    for (section, tag) in [("data", EntryTag::Data), ("binaryData", EntryTag::Binary)] {
        let Some(map) = obj.value.get(section) else {
            continue;
        };
        if map.is_null() {
            continue;
        }
        let Some(map) = map.as_object() else {
            return Err(err(section.into(), "is not a mapping"));
        };
        for (k, v) in map {
            let Some(s) = v.as_str() else {
                return Err(err(format!("{section}.{k}"), "has a value that is not a string (quote it)"));
            };
            let bytes = if target == BundleKind::Secret || tag == EntryTag::Binary {
                decode_b64(s).ok_or_else(|| err(format!("{section}.{k}"), "has a value that is not valid base64"))?
            } else {
                s.as_bytes().to_vec()
            };
            entries.push((tag, k.as_str(), bytes));
        }
    }
    let secret_type = match target {
        BundleKind::ConfigMap => "",
        BundleKind::Secret => obj.value.get("type").and_then(Value::as_str).unwrap_or("Opaque"),
    };
    Ok(Content { kind: target.kind(), secret_type, entries })
}

/// The bundle name an object versioned by imprint records, if it has both
/// annotations.
fn prior_bundle(obj: &Object) -> Option<&str> {
    obj.annotation(annotations::CONTENT_HASH).and(obj.annotation(annotations::BUNDLE))
}

/// Gives every planned object its versioned name, `immutable: true` and the
/// annotations, and returns each object's new name (if it got one) for the
/// rewrite stage.
/// With `findings`, an object whose versioned name would be invalid is left
/// unversioned and reported there (`check`) instead of failing the render.
pub fn apply(
    objects: &mut [Object],
    versioned: &[bool],
    naming: &Naming,
    mut findings: Option<&mut Vec<Diagnostic>>,
) -> Result<Vec<Option<String>>> {
    let mut new_names = vec![None; objects.len()];
    // Hash on every core (large bundles dominate), then rename in order.
    let digests: Vec<Option<Result<[u8; 32]>>> = objects
        .par_iter()
        .zip(versioned.par_iter())
        .map(|(obj, v)| {
            v.then(|| {
                let target = obj.bundle_kind().expect("only bundles are planned");
                let keyed = target == BundleKind::Secret && naming.key.is_some();
                content_of(obj, target).map(|c| hash::digest(&c, if keyed { naming.key.as_ref() } else { None }))
            })
        })
        .collect();
    for (i, (obj, digest)) in objects.iter_mut().zip(digests).enumerate() {
        let Some(digest) = digest else { continue };
        let target = obj.bundle_kind().expect("only bundles are planned");
        let keyed = target == BundleKind::Secret && naming.key.is_some();
        let digest = match (digest, findings.as_deref_mut()) {
            (Ok(d), _) => d,
            (Err(e), Some(f)) => {
                f.push(Diagnostic::from_error(Code::InvalidData, &e));
                continue;
            }
            (Err(e), None) => return Err(e),
        };
        let full = hash::base32(&digest);
        // A changed prior version is named from its bundle again, not from
        // its old versioned name (`web-message-<new>`, never `-<old>-<new>`).
        let base = match prior_bundle(obj) {
            Some(b) => b.to_string(),
            None => obj.name().to_string(),
        };
        let (name, ns) = (base, obj.namespace().to_string());
        let vars = json!({
            "name": name, "hash": &full[..naming.hash_length], "fullHash": full,
            "kind": target.kind(), "namespace": ns,
        });
        let at = |e: Error| {
            e.in_file(obj.origin.file.clone()).at_line(obj.origin.line).object(format!("{target:?}/{ns}/{name}"))
        };
        let new_name = naming.template.render(&vars).map_err(|e| at(naming_error(format!("naming.template: {e}"))))?;
        if !valid_name(&new_name) {
            let why =
                if new_name.len() > 253 { "longer than 253 characters" } else { "not a valid DNS-1123 subdomain" };
            let err = at(naming_error(format!("versioned name {new_name:?} is {why}")).field("metadata.name"));
            match findings.as_deref_mut() {
                Some(f) => {
                    f.push(Diagnostic::from_error(Code::InvalidName, &err));
                    continue;
                }
                None => return Err(err),
            }
        }
        let hash_ann = format!("{}:{}", if keyed { "blake3-keyed" } else { "blake3" }, hash::hex(&digest));
        let sync = match obj.annotation(annotations::ARGO_SYNC_OPTIONS) {
            Some(s) if s.split(',').any(|o| o.trim() == "PruneLast=true") => s.to_string(),
            Some(s) if !s.trim().is_empty() => format!("{s},PruneLast=true"),
            _ => "PruneLast=true".to_string(),
        };
        let sources = obj.origin.generated_from.as_ref().filter(|s| !s.is_empty()).map(|s| s.join(","));
        obj.metadata_mut().insert("name".into(), Value::String(new_name.clone()));
        obj.set_annotation(annotations::BUNDLE, &name);
        obj.set_annotation(annotations::CONTENT_HASH, &hash_ann);
        if let Some(s) = sources {
            obj.set_annotation(annotations::SOURCE, &s);
        }
        obj.set_annotation(annotations::FLUX_SUBSTITUTE, "disabled");
        obj.set_annotation(annotations::ARGO_SYNC_OPTIONS, &sync);
        let map = obj.value.as_object_mut().expect("objects are mappings");
        crate::model::object::insert_after(map, "metadata", "immutable", Value::Bool(true));
        new_names[i] = Some(new_name);
    }
    Ok(new_names)
}

#[cfg(test)]
mod tests {
    use super::mentions::*;
    use super::*;
    use crate::refs::Seg;

    #[test]
    fn names_are_dns_subdomains() {
        assert!(valid_name("web-message-7g2k9x0c1d"));
        assert!(valid_name("a.b-c"));
        assert!(!valid_name("Web"));
        assert!(!valid_name("a_b"));
        assert!(!valid_name("-a"));
        assert!(!valid_name(&"a".repeat(254)));
    }

    #[test]
    fn base64_wrapping_does_not_change_content() {
        let obj = |data: &str| Object {
            value: json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": data}}),
            origin: Default::default(),
        };
        let a = obj("aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=");
        let b = obj("aGVsbG8gd29y\nbGQgaGVsbG8gd29ybGQ=\n");
        let da = hash::digest(&content_of(&a, BundleKind::Secret).unwrap(), None);
        let db = hash::digest(&content_of(&b, BundleKind::Secret).unwrap(), None);
        assert_eq!(da, db);
    }

    #[test]
    fn pod_local_names_are_not_mentions() {
        let p = |v: &[&str]| -> Vec<Seg> {
            v.iter().map(|s| s.parse::<usize>().map_or_else(|_| Seg::Key((*s).into()), Seg::Index)).collect()
        };
        assert!(is_pod_local_name(&p(&["spec", "volumes", "0", "name"])));
        assert!(is_pod_local_name(&p(&["containers", "1", "volumeMounts", "0", "name"])));
        assert!(!is_pod_local_name(&p(&["metadata", "name"])));
        assert!(!is_pod_local_name(&p(&["containers", "0", "args", "1"])));
    }
}
