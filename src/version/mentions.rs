//! The name-used rule (SPEC §4): where an object's name is mentioned
//! outside any reference imprint can rewrite, so renaming it would leave
//! that use behind.

use super::decode_b64;
use crate::model::BundleKind;
use crate::model::Object;
use crate::refs::{FieldPath, Link, Role, Seg};
use std::collections::{HashMap, HashSet};

/// Where a name appears: the object, the path, and whether the path is the
/// object's name, a label or a selector (then it is most likely a homonym).
pub(super) type Mention = (usize, String, bool);

/// Where (object, path) each candidate's name first appears as a whole token
/// outside the fields imprint rewrites. Tokens are maximal runs of
/// `[-._a-zA-Z0-9]`, so `--configmap=$(NS)/ingress-nginx-controller` names
/// `ingress-nginx-controller` while `grafana.ini` does not name `grafana`.
pub(super) fn scan_mentions<'a>(
    objects: &[Object],
    links: &[Link],
    candidates: &HashMap<&'a str, Vec<usize>>,
) -> HashMap<(&'a str, usize), Mention> {
    let mut found: HashMap<(&'a str, usize), Mention> = HashMap::new();
    if candidates.is_empty() {
        return found;
    }
    // The fields imprint rewrites, except program flags: a flag is how a
    // program finds the object through the API, the very sign the scan
    // looks for.
    let mut ref_paths: HashMap<usize, HashSet<&FieldPath>> = HashMap::new();
    for l in links.iter().filter(|l| l.reference.role != Role::ByName) {
        ref_paths.entry(l.from).or_default().insert(&l.reference.path);
    }
    // A name's first mention in an object fills every same-named candidate
    // but the object itself, so later mentions in that object, and every
    // mention once all are filled, change nothing and are skipped: without
    // that, each token cost one step per same-named candidate (2,000
    // namespaces with a ConfigMap `x` and a 2 MB "x x x ..." took 58 s).
    let mut complete: HashSet<&'a str> = HashSet::new();
    for (o, obj) in objects.iter().enumerate() {
        let mut stack: Vec<Seg> = Vec::new();
        let mut seen_here: HashSet<&'a str> = HashSet::new();
        let secret = obj.bundle_kind() == Some(BundleKind::Secret);
        crate::refs::walk(&obj.value, &mut stack, &mut |path, v| {
            let Some(s) = v.as_str() else { return };
            if is_host_annotation(path) {
                return;
            }
            // Secret content is searched decoded (SPEC §4: a ConfigMap named
            // in a Secret's bootstrap.yaml is read by name); it is never
            // printed, only the key's path.
            let decoded = match path {
                [Seg::Key(d), Seg::Key(_)] if (secret && d == "data") || d == "binaryData" => {
                    decode_b64(s).and_then(|b| String::from_utf8(b).ok())
                }
                _ => None,
            };
            let text = decoded.as_deref().unwrap_or(s);
            let slashes = text.bytes().filter(|&b| b == b'/').count();
            for (at, token) in tokens(text) {
                let Some((name, idxs)) = candidates.get_key_value(token) else {
                    continue;
                };
                if complete.contains(name) || seen_here.contains(name) {
                    continue;
                }
                let fp = FieldPath(path.to_vec());
                if ref_paths.get(&o).is_some_and(|p| p.contains(&fp)) || is_pod_local_name(path) {
                    continue;
                }
                if obj.bundle_kind().is_some()
                    && obj.name() == token
                    && path == [Seg::Key("metadata".into()), Seg::Key("name".into())]
                {
                    continue;
                }
                // Another object's name or label is a homonym more often
                // than a reader: it keeps resources unversioned, but not
                // generated bundles, whose author chose to version them (a
                // Deployment `web-message` reading a generated `web-message`).
                // So is a segment of a file path or URL (`/etc/app/x.conf`).
                let in_path = slashes >= 2 && (text[..at].ends_with('/') || text[at + token.len()..].starts_with('/'));
                let homonym = is_identity(path) || in_path;
                if !homonym {
                    seen_here.insert(name);
                }
                crate::work::add(crate::work::Site::NameScan, idxs.len() as u64);
                for &i in idxs {
                    if i != o && !(homonym && objects[i].origin.generated_from.is_some()) {
                        found.entry((*name, i)).or_insert_with(|| (o, fp.to_string(), is_identity(path)));
                    }
                }
                if idxs.iter().all(|&i| found.contains_key(&(*name, i))) {
                    complete.insert(name);
                }
            }
        });
    }
    found
}

/// The maximal runs of `[-._a-zA-Z0-9]` in `s` (and empty strings between
/// separators), each with the byte offset where it starts.
pub(super) fn tokens(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let base = s.as_ptr() as usize;
    s.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
        .map(move |t| (t.as_ptr() as usize - base, t))
}

/// An object's name, a label, or a label selector (`metadata.name`,
/// `labels`, `matchLabels`, a Service's `selector`, `matchExpressions`).
pub(super) fn is_identity(path: &[Seg]) -> bool {
    let selector = |k: &str| k == "labels" || k == "matchLabels" || k == "selector" || k.ends_with("Selector");
    matches!(path, [Seg::Key(m), Seg::Key(n)] if m == "metadata" && n == "name")
        || matches!(path, [.., Seg::Key(l), Seg::Key(_)] if selector(l))
        || path.iter().any(|s| matches!(s, Seg::Key(k) if k == "matchExpressions"))
}

/// Annotations a KRM host or kustomize adds to every item
/// (`config.kubernetes.io/path: app-config/deploy.yaml`): bookkeeping about
/// files, never a program reading an object by name.
pub(super) fn is_host_annotation(path: &[Seg]) -> bool {
    matches!(path, [Seg::Key(m), Seg::Key(a), Seg::Key(k)]
        if m == "metadata" && a == "annotations"
            && (k.starts_with("config.kubernetes.io/") || k.starts_with("internal.config.kubernetes.io/")))
}

/// Volume and volume-mount names are local to a pod: a volume named like its
/// ConfigMap is the most common homonym and says nothing about API readers.
pub(super) fn is_pod_local_name(path: &[Seg]) -> bool {
    matches!(path, [.., Seg::Key(list), Seg::Index(_), Seg::Key(field)]
        if field == "name" && (list == "volumes" || list == "volumeMounts"))
}
