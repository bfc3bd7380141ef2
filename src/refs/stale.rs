//! The stale-name guarantee (SPEC §5): after rewriting, no reference-shaped
//! field of the output may still name a renamed object by its original
//! name. This is a net under the table, not a replacement: a field the
//! table knows is rewritten; what the net catches is a field it does not
//! know, and the error says which `references:` rule would rewrite it.
//!
//! Reference-shaped, wherever it sits in any kind:
//! - a typed `{kind: ConfigMap|Secret, name}` (core group);
//! - a mapping with a `name` under a key that says secret or config map
//!   (`bearerTokenSecret: {name, key}`, `certSecretRef: {name}`);
//! - a string under a key like `secretName`, `*ConfigMapName`, or a list
//!   of strings under `secrets`, `configMaps`, `*SecretNames`;
//! - an annotation whose key says secret or config map (`name`, `ns/name`);
//! - a container argument `--<flag>=[ns/]name` whose flag says so.

use super::find::{Parsed, bare_flag, parse_value};
use super::path::{FieldPath, Seg};
use super::resolve::BundleIndex;
use crate::error::{Error, ErrorKind};
use crate::kinds::Scopes;
use crate::model::BundleKind;
use crate::model::Object;
use serde_json::Value;

/// A use of an original name left after rewriting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// Index of the object that holds it.
    pub from: usize,
    pub path: FieldPath,
    pub target: BundleKind,
    pub old: String,
    pub new: String,
    /// Namespace of the renamed object.
    pub namespace: String,
    /// The `references:` rule that would rewrite it, when one can.
    pub rule: Option<String>,
    /// For a field the table knows but cannot rewrite: the namespaces (and
    /// new names) it could mean, since it states no namespace.
    pub ambiguous: Vec<(String, String)>,
}

/// A renamed object: its index, kind, namespace, original and new name.
pub struct Renamed<'a> {
    pub index: usize,
    pub target: BundleKind,
    pub namespace: &'a str,
    pub old: &'a str,
    pub new: &'a str,
}

/// Keys that hold names of other kinds although they say "secret".
const NOT_REFERENCES: &[&str] = &["secretstoreref", "secretproviderclass", "secrettemplate"];

fn target_of_key(key: &str) -> Option<BundleKind> {
    let k: String = key.chars().filter(|c| !matches!(c, '-' | '_')).collect::<String>().to_ascii_lowercase();
    if NOT_REFERENCES.iter().any(|n| k.contains(n)) {
        None
    } else if k.contains("configmap") {
        Some(BundleKind::ConfigMap)
    } else if k.contains("secret") {
        Some(BundleKind::Secret)
    } else {
        None
    }
}

/// A key naming one object by a string (`secretName`, `caConfigMapName`).
fn names_one(key: &str) -> Option<BundleKind> {
    let k = key.to_ascii_lowercase();
    if k.ends_with("secretname") {
        Some(BundleKind::Secret)
    } else if k.ends_with("configmapname") {
        Some(BundleKind::ConfigMap)
    } else {
        None
    }
}

/// A key naming several by a list of strings (`secrets`, `configMaps`).
fn names_many(key: &str) -> Option<BundleKind> {
    let k = key.to_ascii_lowercase();
    if k.ends_with("secretnames") || k.ends_with("secrets") {
        Some(BundleKind::Secret)
    } else if k.ends_with("configmapnames") || k.ends_with("configmaps") {
        Some(BundleKind::ConfigMap)
    } else {
        None
    }
}

/// One reference-shaped use found by the scan.
struct Use {
    path: FieldPath,
    target: BundleKind,
    namespace: Option<String>,
    name: String,
    /// A sibling field that states the namespace, for the rule hint.
    namespace_field: Option<FieldPath>,
    /// Whether a `references:` rule can rewrite this field.
    rewritable: bool,
}

fn is_core_typed(map: &serde_json::Map<String, Value>) -> bool {
    let s = |k: &str| map.get(k).and_then(Value::as_str);
    ["group", "apiGroup"].iter().all(|g| s(g).is_none_or(|g| g.is_empty() || g == "core"))
        && s("apiVersion").is_none_or(|v| v == "v1")
}

fn scan(value: &Value, path: &mut Vec<Seg>, key: Option<&str>, out: &mut Vec<Use>) {
    let here = || FieldPath(path.clone());
    match value {
        Value::Object(map) => {
            let name = map.get("name").and_then(Value::as_str);
            let typed = map.get("kind").and_then(Value::as_str);
            let target = match typed {
                Some(kind) if is_core_typed(map) => BundleKind::from_kind(kind),
                Some(_) => None,
                None => key.and_then(target_of_key),
            };
            if let (Some(target), Some(name)) = (target, name) {
                let ns = map.get("namespace").and_then(Value::as_str).filter(|s| !s.is_empty());
                out.push(Use {
                    path: here().child("name"),
                    target,
                    namespace: ns.map(str::to_string),
                    name: name.to_string(),
                    namespace_field: ns.map(|_| here().child("namespace")),
                    rewritable: true,
                });
            }
            for (k, v) in map {
                path.push(Seg::Key(k.clone()));
                match v {
                    Value::String(s) => {
                        if let Some(t) = names_one(k) {
                            push_string(out, FieldPath(path.clone()), t, s, true);
                        }
                    }
                    _ => scan(v, path, Some(k), out),
                }
                path.pop();
            }
        }
        Value::Array(items) => {
            let many = key.and_then(names_many);
            let args = matches!(key, Some("args" | "command"));
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                match v {
                    Value::String(s) if args => {
                        if let Some(p) = parse_value(s, true) {
                            push_parsed(out, FieldPath(path.clone()), p.flag_target.expect("flags say"), p, false);
                        } else if let Some(t) = bare_flag(s)
                            && let Some(Value::String(next)) = items.get(i + 1)
                        {
                            // `--configmap` then the value.
                            let mut at = path.clone();
                            *at.last_mut().expect("an index") = Seg::Index(i + 1);
                            push_string(out, FieldPath(at), t, next, false);
                        } else if s.contains(char::is_whitespace) {
                            // A shell line (`sh -c "ctrl --configmap=x"`): its
                            // flags name objects too, and cannot be rewritten.
                            for word in s.split_whitespace() {
                                let word = word.trim_matches(|c| c == '"' || c == '\'');
                                if let Some(p) = parse_value(word, true) {
                                    push_parsed(
                                        out,
                                        FieldPath(path.clone()),
                                        p.flag_target.expect("flags say"),
                                        p,
                                        false,
                                    );
                                }
                            }
                        }
                    }
                    Value::String(s) => {
                        if let Some(t) = many {
                            push_string(out, FieldPath(path.clone()), t, s, true);
                        }
                    }
                    _ => scan(v, path, key, out),
                }
                path.pop();
            }
        }
        _ => {}
    }
}

fn push_string(out: &mut Vec<Use>, path: FieldPath, target: BundleKind, text: &str, rewritable: bool) {
    if let Some(p) = parse_value(text, false) {
        push_parsed(out, path, target, p, rewritable);
    }
}

fn push_parsed(out: &mut Vec<Use>, path: FieldPath, target: BundleKind, p: Parsed, rewritable: bool) {
    out.push(Use { path, target, namespace: p.namespace, name: p.name, namespace_field: None, rewritable });
}

/// Reference-shaped uses in one object.
fn uses(obj: &Object) -> Vec<Use> {
    let mut out = Vec::new();
    let Value::Object(root) = &obj.value else { return out };
    for (k, v) in root {
        if k == "metadata" {
            let ann = v.get("annotations").and_then(Value::as_object);
            for (ak, av) in ann.into_iter().flatten() {
                let last = ak.rsplit('/').next().unwrap_or(ak);
                if let (Some(t), Some(s)) = (target_of_key(last), av.as_str()) {
                    let path = FieldPath::default().keys(&["metadata", "annotations", ak]);
                    push_string(&mut out, path, t, s, true);
                }
            }
            // ownerReferences are typed references too.
            if let Some(owners) = v.get("ownerReferences") {
                let mut path = vec![Seg::Key("metadata".into()), Seg::Key("ownerReferences".into())];
                scan(owners, &mut path, Some("ownerReferences"), &mut out);
            }
            continue;
        }
        if k == "status" {
            continue;
        }
        let mut path = vec![Seg::Key(k.clone())];
        match v {
            Value::String(s) => {
                if let Some(t) = names_one(k) {
                    push_string(&mut out, FieldPath(path), t, s, true);
                }
            }
            _ => scan(v, &mut path, Some(k), &mut out),
        }
    }
    out
}

/// Every use of a renamed object's original name left in `objects`: in the
/// renamed object's namespace, or in a cluster-scoped object.
#[must_use]
pub fn scan_all(objects: &[Object], renamed: &[Renamed], scopes: &Scopes) -> Vec<Stale> {
    if renamed.is_empty() {
        return Vec::new();
    }
    let index = BundleIndex::new(renamed.iter().enumerate().map(|(n, r)| (n, r.target, r.namespace, r.old)));
    let mut out = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        let cluster = scopes.is_cluster_scoped(obj.group(), obj.kind());
        let policy = crate::kinds::is_policy(obj.group(), obj.kind());
        let embedded = crate::kinds::embedded_namespace(obj.group(), obj.kind()).and_then(|(prefixes, field)| {
            let ns = crate::model::object::str_at(&obj.value, field).filter(|s| !s.is_empty())?;
            Some((prefixes, FieldPath::default().keys(field), ns))
        });
        for mut u in uses(obj) {
            // Chart values land in the target namespace.
            let inside = |prefixes: &[&[&str]]| {
                prefixes.iter().any(|p| {
                    u.path.0.len() > p.len() && p.iter().zip(&u.path.0).all(|(k, s)| *s == Seg::Key((*k).to_string()))
                })
            };
            if let Some((prefixes, field, ns)) = &embedded
                && u.namespace.is_none()
                && inside(prefixes)
            {
                u.namespace = Some((*ns).to_string());
                u.namespace_field = Some(field.clone());
            }
            let ns = u.namespace.clone().or_else(|| (!cluster).then(|| obj.namespace().to_string()));
            for n in index.get(u.target, ns.as_deref(), &u.name) {
                let r = &renamed[n];
                if r.index == i {
                    continue;
                }
                let rule = (u.rewritable && !policy).then(|| rule_hint(obj, &u));
                out.push(Stale {
                    from: i,
                    path: u.path.clone(),
                    target: u.target,
                    old: r.old.to_string(),
                    new: r.new.to_string(),
                    namespace: r.namespace.to_string(),
                    rule,
                    ambiguous: Vec::new(),
                });
            }
        }
    }
    out
}

/// The leftovers of the rewrite stage (links it could not rewrite) as stale uses.
#[must_use]
pub fn from_links(objects: &[Object], links: &[super::Link], left: &[usize]) -> Vec<Stale> {
    left.iter()
        .map(|&n| {
            let l = &links[n];
            let mut ambiguous: Vec<(String, String)> =
                l.to.iter().map(|&t| (objects[t].namespace().to_string(), objects[t].name().to_string())).collect();
            if let Some(ns) = &l.external_elsewhere {
                ambiguous.push((ns.clone(), String::new()));
            }
            Stale {
                from: l.from,
                path: l.reference.path.clone(),
                target: l.reference.target,
                old: l.reference.name.clone(),
                new: String::new(),
                namespace: String::new(),
                rule: None,
                ambiguous,
            }
        })
        .collect()
}

/// The error for a stale use: object, file, line, field, old and new name,
/// and the two ways out (a `references:` rule, or keeping the name).
#[must_use]
pub fn error(objects: &[Object], s: &Stale, more: usize) -> Error {
    let from = &objects[s.from];
    let kind = s.target.kind();
    let keep = |ns: &str| {
        let name = if ns.is_empty() { s.old.clone() } else { format!("{ns}/{}", s.old) };
        format!(
            "annotate {kind} {name} with imprint.dev/version: \"false\" (a generator: in options.annotations) to keep its name"
        )
    };
    let (message, help) = if s.ambiguous.is_empty() {
        let message =
            format!("{} still names {kind} {:?} at {}, which imprint renamed to {:?}", from.id(), s.old, s.path, s.new);
        let help = match &s.rule {
            Some(rule) => format!(
                "add `- {rule}` to references in imprint.yaml so imprint rewrites it, or {}",
                keep(&s.namespace)
            ),
            None => {
                let why = if crate::kinds::is_policy(from.group(), from.kind()) {
                    "a policy injects the name it holds into other objects, so keep it"
                } else {
                    "imprint cannot rewrite a name inside this field"
                };
                format!("{why}: {}", keep(&s.namespace))
            }
        };
        (message, help)
    } else {
        let list: Vec<String> = s
            .ambiguous
            .iter()
            .map(|(ns, new)| match new.as_str() {
                "" if ns == "*" => "any (externalNames)".to_string(),
                "" => format!("{ns} (externalNames, not renamed)"),
                _ if new == &s.old => format!("{ns} (not renamed)"),
                _ => format!("{ns} (now {new:?})"),
            })
            .collect();
        let message = format!(
            "{} names {kind} {:?} at {} without a namespace, and that name means different objects in namespaces {}",
            from.id(),
            s.old,
            s.path,
            list.join(", ")
        );
        (message, format!("state the namespace in the reference, or {}", keep("")))
    };
    let message =
        if more > 0 { format!("{message} (and {more} more; `imprint check` lists them all)") } else { message };
    Error::new(ErrorKind::Stale(message)).at_object(from).field(s.path.to_string()).help(help)
}

/// The imprint.yaml rule, as one line of YAML flow, that would make imprint
/// rewrite this field.
fn rule_hint(obj: &Object, u: &Use) -> String {
    let mut parts = Vec::new();
    if !obj.group().is_empty() {
        parts.push(format!("group: {}", obj.group()));
    }
    parts.push(format!("kind: {}", obj.kind()));
    parts.push(format!("path: {}", quote(&u.path.pattern())));
    parts.push(format!("target: {}", u.target.kind()));
    if let Some(ns) = &u.namespace_field {
        parts.push(format!("namespacePath: {}", quote(&ns.pattern())));
    }
    format!("{{{}}}", parts.join(", "))
}

/// A pattern as a YAML scalar: quoted when it holds `"` or `[`.
fn quote(pattern: &str) -> String {
    if pattern.contains(['"', '[', ']', ':', '{', '}', ',', '#', '*']) {
        format!("'{}'", pattern.replace('\'', "''"))
    } else {
        pattern.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Object {
        Object { value: v, origin: Default::default() }
    }

    fn found(v: Value) -> Vec<String> {
        uses(&obj(v)).into_iter().map(|u| format!("{} {} {}", u.target.kind(), u.name, u.path)).collect()
    }

    #[test]
    fn every_shape_is_found() {
        let v = json!({
            "apiVersion": "example.com/v1", "kind": "Thing",
            "metadata": {"name": "t", "annotations": {"example.com/tls-secret": "other/tls", "unrelated": "x"}},
            "spec": {
                "bearerTokenSecret": {"name": "bt", "key": "token"},
                "certSecretRef": {"name": "cert"},
                "ref": {"kind": "ConfigMap", "name": "typed", "namespace": "ns1"},
                "notCore": {"kind": "ConfigMap", "group": "example.com", "name": "no"},
                "secretStoreRef": {"name": "no-store"},
                "caSecretName": "ca",
                "configMaps": ["m1", "m2"],
                "containers": [{"args": ["--tcp-services-configmap=$(POD_NAMESPACE)/tcp", "--port=80"]}],
                "status": "fine"
            },
            "status": {"secretName": "ignored"}
        });
        assert_eq!(
            found(v),
            [
                "Secret tls metadata.annotations[\"example.com/tls-secret\"]",
                "Secret bt spec.bearerTokenSecret.name",
                "Secret cert spec.certSecretRef.name",
                "ConfigMap typed spec.ref.name",
                "Secret ca spec.caSecretName",
                "ConfigMap m1 spec.configMaps[0]",
                "ConfigMap m2 spec.configMaps[1]",
                "ConfigMap tcp spec.containers[0].args[0]",
            ]
        );
    }

    #[test]
    fn hints_are_rules_that_parse() {
        let o = obj(
            json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": {"name": "p", "annotations": {"a.b/x-secret": "s"}}}),
        );
        let u = &uses(&o)[0];
        let hint = rule_hint(&o, u);
        assert_eq!(
            hint,
            "{group: monitoring.coreos.com, kind: Prometheus, path: 'metadata.annotations[\"a.b/x-secret\"]', target: Secret}"
        );
        let rule: crate::refs::Rule = crate::yaml::parse_typed(&hint, "hint").unwrap();
        assert!(rule.compile().is_ok());
    }
}
