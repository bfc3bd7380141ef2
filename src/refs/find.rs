//! The finder: applies the rules to one object and returns every reference
//! it makes (SPEC §5 "Shapes"). Built-in workloads have their PodSpec at a
//! fixed path; in custom resources PodSpecs, containers and volumes are
//! found by their shape wherever they sit; policy objects (Kyverno,
//! Gatekeeper, …) embed pod specs that are not workloads and make no
//! references at all.

use super::path::{FieldPath, Seg};
use super::rule::{Compiled, KeySpec, Role, Rule, Scope, TargetSpec, Via, When};
use super::table;
use crate::kinds;
use crate::model::BundleKind;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Which rule found a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleRef {
    /// Index into [`table::builtin`].
    Builtin(usize),
    /// Index into imprint.yaml's `references:`.
    Custom(usize),
}

/// One reference found in an object, before it is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The string field that holds the name.
    pub path: FieldPath,
    pub target: BundleKind,
    pub name: String,
    /// A namespace the reference states itself (a `namespace` field next
    /// to the name, `ns/name`, a rule's `namespacePath`).
    pub namespace: Option<String>,
    /// `optional: true` next to the name: a missing target is fine.
    pub optional: bool,
    pub role: Role,
    pub via: Via,
    /// What stays in front of the name when it is rewritten (`ns/`,
    /// `--configmap=$(POD_NAMESPACE)/`).
    pub prefix: String,
    /// The keys it needs of the object: (path of the key field, key).
    pub keys: Vec<(FieldPath, String)>,
    /// It resolves in any namespace ([`Rule::any_namespace`]).
    pub any_namespace: bool,
    pub rule: RuleRef,
}

/// Rules compiled, and indexed by where they apply.
struct Set<'a> {
    compiled: Vec<Compiled<'a>>,
    pod_spec: Vec<usize>,
    container: Vec<usize>,
    volume: Vec<usize>,
    any_kind: Vec<usize>,
    /// kind → group ("*": any) → rows, in table order.
    by_kind: HashMap<String, HashMap<String, Vec<usize>>>,
}

impl<'a> Set<'a> {
    fn new(compiled: Vec<Compiled<'a>>) -> Self {
        let mut set = Set {
            compiled: Vec::new(),
            pod_spec: Vec::new(),
            container: Vec::new(),
            volume: Vec::new(),
            any_kind: Vec::new(),
            by_kind: HashMap::new(),
        };
        for (n, c) in compiled.iter().enumerate() {
            let r = c.rule;
            match r.scope {
                Scope::PodSpec => set.pod_spec.push(n),
                Scope::Container => set.container.push(n),
                Scope::Volume => set.volume.push(n),
                Scope::AnyKind => set.any_kind.push(n),
                Scope::Kind => {
                    set.by_kind.entry(r.kind.to_string()).or_default().entry(r.group.to_string()).or_default().push(n);
                }
            }
        }
        set.compiled = compiled;
        set
    }

    /// The rows for objects of `group`/`kind`, in table order.
    fn for_kind(&self, group: &str, kind: &str) -> Vec<usize> {
        let mut rows: Vec<usize> = self.any_kind.clone();
        if let Some(groups) = self.by_kind.get(kind) {
            rows.extend(groups.get(group).into_iter().chain(groups.get("*")).flatten());
        }
        rows.sort_unstable();
        rows
    }
}

/// The built-in table, compiled and indexed once per process.
fn builtin() -> &'static Set<'static> {
    static SET: OnceLock<Set<'static>> = OnceLock::new();
    SET.get_or_init(|| {
        Set::new(
            table::builtin()
                .iter()
                .map(|r| r.compile().unwrap_or_else(|(f, m)| panic!("built-in rule {} {}: {f}: {m}", r.kind, r.path)))
                .collect(),
        )
    })
}

/// The built-in table plus imprint.yaml's `references:`.
pub struct Rules<'a> {
    builtin: &'static Set<'static>,
    custom: Set<'a>,
}

impl<'a> Rules<'a> {
    /// The built-in table plus imprint.yaml's rules (validated on load; one
    /// that does not compile is skipped here).
    #[must_use]
    pub fn new(custom: &'a [Rule]) -> Self {
        Rules { builtin: builtin(), custom: Set::new(custom.iter().filter_map(|r| r.compile().ok()).collect()) }
    }

    fn compiled(&self, r: RuleRef) -> &Compiled<'_> {
        match r {
            RuleRef::Builtin(n) => &self.builtin.compiled[n],
            RuleRef::Custom(n) => &self.custom.compiled[n],
        }
    }

    /// Every reference `value` (an object of `group`/`kind`) makes: PodSpec
    /// rows first, then the kind's own rows, then `references:`; a field
    /// found twice counts once.
    #[must_use]
    pub fn find(&self, group: &str, kind: &str, value: &Value) -> Vec<Reference> {
        let mut f = Finder { root: value, rules: self, out: Vec::new() };
        // Policies get only what imprint.yaml asks for explicitly.
        let policy = kinds::is_policy(group, kind);
        if policy {
            // Their pod specs are patterns and patches, not workloads.
        } else if let Some(path) = kinds::builtin_pod_spec_path(group, kind) {
            let base = FieldPath::default().keys(path);
            if let Some(spec) = base.get(value).filter(|v| v.is_object()) {
                f.shapes(spec, &mut base.0.clone(), None, true);
            }
        } else if !kinds::is_builtin_group(group) && !kinds::is_object_template(group, kind) {
            // Custom resources: containers, volumes and PodSpecs wherever
            // they sit (Argo Rollouts, Tekton steps, ECK podTemplates, …).
            if let Value::Object(map) = value {
                for (k, v) in map.iter().filter(|(k, _)| !matches!(k.as_str(), "metadata" | "status")) {
                    let mut path = vec![Seg::Key(k.clone())];
                    f.shapes(v, &mut path, Some(k), false);
                }
            }
        }
        for n in self.builtin.for_kind(group, kind).into_iter().filter(|_| !policy) {
            f.apply(RuleRef::Builtin(n), value, &FieldPath::default());
        }
        for n in self.custom.for_kind(group, kind) {
            f.apply(RuleRef::Custom(n), value, &FieldPath::default());
        }
        let mut seen = HashSet::new();
        f.out.retain(|r| seen.insert((r.path.clone(), r.target, r.role == Role::Provides)));
        f.out
    }

    /// The rule behind a reference.
    #[must_use]
    pub fn rule(&self, r: RuleRef) -> &Rule {
        self.compiled(r).rule
    }
}

struct Finder<'v, 'r, 'a> {
    root: &'v Value,
    rules: &'r Rules<'a>,
    out: Vec<Reference>,
}

/// Whether `map` is a container: it has an `image`, or sits where
/// containers sit and has container fields.
fn is_container(map: &serde_json::Map<String, Value>, key: Option<&str>) -> bool {
    if map.get("image").is_some_and(Value::is_string) {
        return true;
    }
    key.is_some_and(|k| table::CONTAINER_KEYS.contains(&k))
        && ["env", "envFrom", "args", "command"].iter().any(|f| map.get(*f).is_some_and(Value::is_array))
}

impl Finder<'_, '_, '_> {
    /// Looks for PodSpecs, containers and volumes in `value` (at `path`,
    /// under the mapping key `key`). `pod_spec`: `value` is a PodSpec.
    fn shapes(&mut self, value: &Value, path: &mut Vec<Seg>, key: Option<&str>, pod_spec: bool) {
        match value {
            Value::Object(map) => {
                let rules = self.rules.builtin;
                if pod_spec || map.get("containers").is_some_and(Value::is_array) {
                    let here = FieldPath(path.clone());
                    for &n in &rules.pod_spec {
                        self.apply(RuleRef::Builtin(n), value, &here);
                    }
                }
                if is_container(map, key) {
                    let here = FieldPath(path.clone());
                    for &n in &rules.container {
                        self.apply(RuleRef::Builtin(n), value, &here);
                    }
                }
                for (k, v) in map {
                    path.push(Seg::Key(k.clone()));
                    self.shapes(v, path, Some(k), false);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    if key == Some("volumes") && v.is_object() {
                        let here = FieldPath(path.clone());
                        for &n in &self.rules.builtin.volume {
                            self.apply(RuleRef::Builtin(n), v, &here);
                        }
                    }
                    // Elements of a list sit under the list's key.
                    self.shapes(v, path, key, false);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    /// Applies rule `id` with its path starting at `node` (found at `base`).
    fn apply(&mut self, id: RuleRef, node: &Value, base: &FieldPath) {
        let c = self.rules.compiled(id);
        let rule = c.rule;
        let applies = match rule.when {
            When::Always => true,
            When::Annotated(keys) => keys.iter().any(|k| annotated(self.root, k)),
            When::Has(_) => c.has.as_ref().is_some_and(|p| !p.expand(self.root, &FieldPath::default()).is_empty()),
        };
        if !applies {
            return;
        }
        let mut matches = c.path.expand(node, base);
        if matches.is_empty()
            && let Some(fallback) = &c.fallback
        {
            matches = fallback.expand(node, base);
        }
        for m in matches {
            if rule.target == TargetSpec::Rbac {
                self.rbac(&m.path, rule, id);
                continue;
            }
            let Some(text) = m.path.get(self.root).and_then(Value::as_str) else { continue };
            let holder = m.path.parent().get(self.root);
            let field = |f: &str| holder.and_then(|h| h.get(f)).and_then(Value::as_str).filter(|s| !s.is_empty());
            let mut path = m.path.clone();
            let parsed = match (rule.target, bare_flag(text), path.0.last()) {
                // `--configmap` then the value: the reference is the next argument.
                (TargetSpec::Flag, Some(t), Some(&Seg::Index(i))) => {
                    path = m.path.parent().index(i + 1);
                    let next = path.get(self.root).and_then(Value::as_str).and_then(|next| parse_value(next, false));
                    next.filter(|p| kinds::valid_name(&p.name)).map(|mut p| {
                        p.flag_target = Some(t);
                        p
                    })
                }
                (TargetSpec::Flag, ..) => parse_value(text, true),
                _ => parse_value(text, false),
            };
            let Some(value) = parsed else { continue };
            let target = match rule.target {
                TargetSpec::Fixed(t) => t,
                TargetSpec::Flag => match value.flag_target {
                    Some(t) => t,
                    None => continue,
                },
                TargetSpec::ByField { field: f, default } => {
                    let other_group = ["group", "apiGroup"].iter().any(|g| field(g).is_some_and(|g| g != "core"))
                        || field("apiVersion").is_some_and(|v| v != "v1");
                    match (field(f).map(BundleKind::from_kind_loosely), default) {
                        _ if other_group => continue,
                        (Some(Some(t)), _) | (None, Some(t)) => t,
                        _ => continue,
                    }
                }
                TargetSpec::Rbac => unreachable!("handled above"),
            };
            // `../namespace`: a field of the holder's parent (Argo's
            // `semaphores[].namespace` beside `configMapKeyRef`).
            let stated = |f: &str| match f.strip_prefix("../") {
                Some(up) => m.path.parent().parent().get(self.root).and_then(|p| p.get(up)).and_then(Value::as_str),
                None => field(f),
            };
            let namespace = rule
                .namespace_field
                .and_then(stated)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .or_else(|| {
                    let p = c.namespace_path.as_ref()?.substitute(&m.indices)?;
                    p.get(self.root).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
                })
                .or(value.namespace)
                // `${pvc.namespace}` and the like: decided at run time.
                .filter(|ns| !ns.contains(['$', '{']));
            let keys = match rule.key {
                KeySpec::None => Vec::new(),
                KeySpec::Field(f) => {
                    field(f).map(|k| vec![(m.path.parent().child(f), k.to_string())]).unwrap_or_default()
                }
                KeySpec::List(list, key) => {
                    let items = holder.and_then(|h| h.get(list)).and_then(Value::as_array);
                    let items_path = m.path.parent().child(list);
                    items
                        .into_iter()
                        .flatten()
                        .enumerate()
                        .filter_map(|(i, it)| {
                            let k = it.get(key)?.as_str()?;
                            Some((items_path.index(i).child(key), k.to_string()))
                        })
                        .collect()
                }
            };
            self.out.push(Reference {
                path,
                target,
                name: value.name,
                namespace,
                optional: holder.and_then(|h| h.get("optional")).and_then(Value::as_bool).unwrap_or(false),
                role: rule.role,
                via: rule.via,
                prefix: value.prefix,
                keys,
                any_namespace: rule.any_namespace,
                rule: id,
            });
        }
    }

    /// `resourceNames` of an RBAC rule (at `rule_path`) that covers
    /// ConfigMaps or Secrets in the core group: one reference per kind.
    fn rbac(&mut self, rule_path: &FieldPath, rule: &Rule, id: RuleRef) {
        let Some(r) = rule_path.get(self.root) else { return };
        let strings = |key: &str| -> Vec<&str> {
            r.get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default()
        };
        if !strings("apiGroups").iter().any(|g| g.is_empty() || *g == "*") {
            return;
        }
        let resources = strings("resources");
        let targets: Vec<BundleKind> = [(BundleKind::ConfigMap, "configmaps"), (BundleKind::Secret, "secrets")]
            .into_iter()
            .filter(|(_, res)| resources.iter().any(|r| r == res || *r == "*"))
            .map(|(t, _)| t)
            .collect();
        for (i, name) in strings("resourceNames").into_iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            for &target in &targets {
                self.out.push(Reference {
                    path: rule_path.child("resourceNames").index(i),
                    target,
                    name: name.to_string(),
                    namespace: None,
                    optional: true,
                    role: rule.role,
                    via: rule.via,
                    prefix: String::new(),
                    keys: Vec::new(),
                    any_namespace: false,
                    rule: id,
                });
            }
        }
    }
}

/// Whether the object carries the annotation, set to anything but "" or "false".
fn annotated(root: &Value, key: &str) -> bool {
    let v = root.get("metadata").and_then(|m| m.get("annotations")).and_then(|a| a.get(key)).and_then(Value::as_str);
    v.is_some_and(|v| !v.is_empty() && v != "false")
}

/// A reference's string, taken apart.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Parsed {
    pub prefix: String,
    pub namespace: Option<String>,
    pub name: String,
    /// For flags: which kind the flag's name says.
    pub flag_target: Option<BundleKind>,
}

/// `name`, `ns/name`, `$(POD_NAMESPACE)/name`; with `flag`, the same after
/// `--<flag>=`. `None` when it is not a reference (a path, a template
/// placeholder, a flag about something else).
pub(super) fn parse_value(text: &str, flag: bool) -> Option<Parsed> {
    let (mut prefix, rest, flag_target) = if flag {
        let (name, value) = text.strip_prefix('-')?.split_once('=')?;
        (text[..text.len() - value.len()].to_string(), value, Some(flag_target(name)?))
    } else {
        (String::new(), text, None)
    };
    let (namespace, name) = match rest.split_once('/') {
        None => (None, rest),
        Some((ns, name)) if ns.starts_with("$(") && ns.ends_with(')') => {
            prefix.push_str(&rest[..=ns.len()]);
            (None, name)
        }
        Some((ns, name)) if kinds::valid_name(ns) && !ns.contains('.') => {
            prefix.push_str(&rest[..=ns.len()]);
            (Some(ns.to_string()), name)
        }
        Some(_) => return None,
    };
    if name.is_empty() || name.contains(['/', '$', '{', '}']) || (flag && !kinds::valid_name(name)) {
        return None;
    }
    Some(Parsed { prefix, namespace, name: name.to_string(), flag_target })
}

/// Which kind a command-line flag's name says it takes (`--tcp-services-configmap`).
fn flag_target(flag: &str) -> Option<BundleKind> {
    let name = flag.trim_start_matches('-').to_ascii_lowercase();
    table::FLAG_SUFFIXES.iter().find(|(s, _)| name.ends_with(s)).map(|(_, t)| *t)
}

/// A flag given without `=`, whose value is the next argument
/// (`["--configmap", "$(POD_NAMESPACE)/name"]`, as pflag and Go's flag
/// package accept): which kind it takes.
pub(super) fn bare_flag(text: &str) -> Option<BundleKind> {
    if !text.starts_with('-') || text.contains('=') {
        return None;
    }
    flag_target(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_split_into_prefix_namespace_and_name() {
        let p = parse_value("other/basic", false).unwrap();
        assert_eq!((p.prefix.as_str(), p.namespace.as_deref(), p.name.as_str()), ("other/", Some("other"), "basic"));
        let p = parse_value("--configmap=$(POD_NAMESPACE)/ingress-nginx-controller", true).unwrap();
        assert_eq!(p.prefix, "--configmap=$(POD_NAMESPACE)/");
        assert_eq!(
            (p.namespace, p.name.as_str(), p.flag_target),
            (None, "ingress-nginx-controller", Some(BundleKind::ConfigMap))
        );
        let p = parse_value("--default-ssl-certificate=ingress/wildcard", true).unwrap();
        assert_eq!((p.namespace.as_deref(), p.flag_target), (Some("ingress"), Some(BundleKind::Secret)));
        assert_eq!(parse_value("--port=8080", true), None);
        assert_eq!(parse_value("--configmap", true), None);
        assert_eq!(parse_value("--tls-secret=$(SECRET)", true), None);
        assert_eq!(parse_value("/etc/config/x", false), None);
        assert_eq!(parse_value("a/b/c", false), None);
        assert_eq!(parse_value("${pvc.name}", false), None);
        assert_eq!(parse_value("plain", false).unwrap().name, "plain");
    }

    fn names(group: &str, kind: &str, v: &Value) -> Vec<String> {
        Rules::new(&[])
            .find(group, kind, v)
            .iter()
            .map(|r| format!("{} {} {} {}", r.via.as_str(), r.target.kind(), r.name, r.path))
            .collect()
    }

    #[test]
    fn containers_and_volumes_are_found_anywhere_in_custom_kinds() {
        let wf = json!({"spec": {"templates": [
            {"name": "a", "container": {"image": "x", "envFrom": [{"configMapRef": {"name": "cm"}}]}},
            {"name": "b", "script": {"image": "x", "source": "", "env": [{"name": "E", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}}],
            "volumes": [{"name": "v", "secret": {"secretName": "vs"}}]}});
        assert_eq!(
            names("argoproj.io", "WorkflowTemplate", &wf),
            [
                "envFrom ConfigMap cm spec.templates[0].container.envFrom[0].configMapRef.name",
                "env Secret s spec.templates[1].script.env[0].valueFrom.secretKeyRef.name",
                "volume Secret vs spec.volumes[0].secret.secretName",
            ]
        );
        let task = json!({"spec": {"stepTemplate": {"envFrom": [{"secretRef": {"name": "st"}}]},
            "steps": [{"name": "s", "image": "x", "envFrom": [{"configMapRef": {"name": "cm"}}]}]}});
        assert_eq!(names("tekton.dev", "Task", &task).len(), 2);
    }

    #[test]
    fn policies_make_no_references() {
        let policy = json!({"spec": {"rules": [{"mutate": {"patchStrategicMerge": {"spec": {"template": {"spec": {
            "containers": [{"(name)": "*", "envFrom": [{"configMapRef": {"name": "injected"}}]}]}}}}}}]}});
        assert!(names("kyverno.io", "ClusterPolicy", &policy).is_empty());
        assert_eq!(names("example.com", "NotAPolicy", &policy).len(), 1);
    }
}
