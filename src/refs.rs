//! The reference table (SPEC §5): every field through which an object names
//! a ConfigMap or Secret. This file is the one place that lists them.

use crate::config::ReferenceRule;
use crate::kinds::builtin_pod_spec_path;
use serde::Deserialize;
use serde_json::Value;
use std::fmt;

/// What a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum Target {
    ConfigMap,
    Secret,
}

impl Target {
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            Target::ConfigMap => "ConfigMap",
            Target::Secret => "Secret",
        }
    }
}

/// The kind of field a reference sits in (`graph` shows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Via {
    Env,
    EnvFrom,
    Volume,
    Projected,
    ImagePullSecret,
    ServiceAccount,
    IngressTls,
    IngressAnnotation,
    Gateway,
    HelmRelease,
    Rbac,
    PersistentVolume,
    Custom,
}

impl Via {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Env => "env",
            Via::EnvFrom => "envFrom",
            Via::Volume => "volume",
            Via::Projected => "projected",
            Via::ImagePullSecret => "imagePullSecret",
            Via::ServiceAccount => "serviceAccount",
            Via::IngressTls => "ingressTLS",
            Via::IngressAnnotation => "ingressAnnotation",
            Via::Gateway => "gateway",
            Via::HelmRelease => "helmRelease",
            Via::Rbac => "rbac",
            Via::PersistentVolume => "persistentVolume",
            Via::Custom => "custom",
        }
    }
}

/// One step of a path into an object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path into an object, shown as `spec.tls[0].secretName`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    fn child(&self, key: &str) -> FieldPath {
        let mut p = self.0.clone();
        p.push(Seg::Key(key.to_string()));
        FieldPath(p)
    }
    fn index(&self, i: usize) -> FieldPath {
        let mut p = self.0.clone();
        p.push(Seg::Index(i));
        FieldPath(p)
    }
    fn keys(&self, keys: &[&str]) -> FieldPath {
        let mut p = self.clone();
        for k in keys {
            p = p.child(k);
        }
        p
    }

    /// The value at this path, if present.
    #[must_use]
    pub fn get<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        let mut cur = root;
        for seg in &self.0 {
            cur = match seg {
                Seg::Key(k) => cur.get(k.as_str())?,
                Seg::Index(i) => cur.get(*i)?,
            };
        }
        Some(cur)
    }

    pub fn get_mut<'a>(&self, root: &'a mut Value) -> Option<&'a mut Value> {
        let mut cur = root;
        for seg in &self.0 {
            cur = match seg {
                Seg::Key(k) => cur.get_mut(k.as_str())?,
                Seg::Index(i) => cur.get_mut(*i)?,
            };
        }
        Some(cur)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) if k.contains('.') || k.contains('/') => write!(f, "[{k:?}]")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Calls `f` with every value in `value` and its path, parents first.
pub fn walk(value: &Value, path: &mut Vec<Seg>, f: &mut impl FnMut(&[Seg], &Value)) {
    f(path, value);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(Seg::Key(k.clone()));
                walk(v, path, f);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(v, path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

/// One reference found in an object, before namespace resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The string field that holds the name.
    pub path: FieldPath,
    pub target: Target,
    pub name: String,
    /// A namespace the reference states itself (PersistentVolume `namespace`
    /// fields, `ns/name` annotations, Gateway refs, custom `namespacePath`).
    pub namespace: Option<String>,
    /// `optional: true` next to the name: a missing target is fine.
    pub optional: bool,
    pub via: Via,
    /// For `ns/name` values: the `ns/` part that a rewrite keeps.
    pub prefix: Option<String>,
}

fn is_true(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool).unwrap_or(false)
}

struct Finder<'a> {
    root: &'a Value,
    out: Vec<Reference>,
}

impl Finder<'_> {
    /// Records the string at `holder.key` as a reference. `optional` is
    /// read from `holder.optional`, as every Kubernetes ref type keeps it.
    fn at(&mut self, holder: &FieldPath, key: &str, target: Target, via: Via) {
        let Some(h) = holder.get(self.root) else {
            return;
        };
        let Some(name) = h.get(key).and_then(Value::as_str) else {
            return;
        };
        if name.is_empty() {
            return;
        }
        self.out.push(Reference {
            path: holder.child(key),
            target,
            name: name.to_string(),
            namespace: None,
            optional: is_true(h.get("optional")),
            via,
            prefix: None,
        });
    }

    /// Every index of the list at `path`.
    fn each(&self, path: &FieldPath) -> Vec<FieldPath> {
        match path.get(self.root) {
            Some(Value::Array(items)) => (0..items.len()).map(|i| path.index(i)).collect(),
            _ => Vec::new(),
        }
    }

    fn pod_spec(&mut self, spec: &FieldPath) {
        for list in ["containers", "initContainers", "ephemeralContainers"] {
            for c in self.each(&spec.child(list)) {
                for e in self.each(&c.child("env")) {
                    self.at(&e.keys(&["valueFrom", "configMapKeyRef"]), "name", Target::ConfigMap, Via::Env);
                    self.at(&e.keys(&["valueFrom", "secretKeyRef"]), "name", Target::Secret, Via::Env);
                }
                for e in self.each(&c.child("envFrom")) {
                    self.at(&e.child("configMapRef"), "name", Target::ConfigMap, Via::EnvFrom);
                    self.at(&e.child("secretRef"), "name", Target::Secret, Via::EnvFrom);
                }
            }
        }
        for v in self.each(&spec.child("volumes")) {
            self.at(&v.child("configMap"), "name", Target::ConfigMap, Via::Volume);
            self.at(&v.child("secret"), "secretName", Target::Secret, Via::Volume);
            for s in self.each(&v.keys(&["projected", "sources"])) {
                self.at(&s.child("configMap"), "name", Target::ConfigMap, Via::Projected);
                self.at(&s.child("secret"), "name", Target::Secret, Via::Projected);
            }
            self.at(&v.keys(&["csi", "nodePublishSecretRef"]), "name", Target::Secret, Via::Volume);
            for src in ["cephfs", "rbd", "iscsi", "flexVolume", "scaleIO", "storageos"] {
                self.at(&v.keys(&[src, "secretRef"]), "name", Target::Secret, Via::Volume);
            }
            self.at(&v.child("azureFile"), "secretName", Target::Secret, Via::Volume);
        }
        for s in self.each(&spec.child("imagePullSecrets")) {
            self.at(&s, "name", Target::Secret, Via::ImagePullSecret);
        }
    }

    /// A `{name, namespace}` SecretReference of a PersistentVolume.
    fn pv_secret(&mut self, holder: &FieldPath, name_key: &str, ns_key: &str) {
        let before = self.out.len();
        self.at(holder, name_key, Target::Secret, Via::PersistentVolume);
        if self.out.len() > before {
            let ns = holder.get(self.root).and_then(|h| h.get(ns_key)).and_then(Value::as_str);
            self.out.last_mut().expect("just pushed").namespace = ns.filter(|s| !s.is_empty()).map(str::to_string);
        }
    }

    fn persistent_volume(&mut self) {
        let spec = FieldPath::default().child("spec");
        if let Some(Value::Object(csi)) = spec.child("csi").get(self.root) {
            let keys: Vec<String> = csi.keys().filter(|k| k.ends_with("SecretRef")).cloned().collect();
            for k in keys {
                self.pv_secret(&spec.keys(&["csi", &k]), "name", "namespace");
            }
        }
        self.pv_secret(&spec.child("azureFile"), "secretName", "secretNamespace");
        for src in ["cephfs", "rbd", "iscsi", "flexVolume", "scaleIO", "storageos"] {
            self.pv_secret(&spec.keys(&[src, "secretRef"]), "name", "namespace");
        }
    }

    fn ingress(&mut self) {
        for t in self.each(&FieldPath::default().keys(&["spec", "tls"])) {
            self.at(&t, "secretName", Target::Secret, Via::IngressTls);
        }
        let ann = FieldPath::default().keys(&["metadata", "annotations"]);
        for key in ["nginx.ingress.kubernetes.io/auth-secret", "nginx.ingress.kubernetes.io/auth-tls-secret"] {
            let Some(value) = ann.child(key).get(self.root).and_then(Value::as_str) else {
                continue;
            };
            let (prefix, ns, name) = match value.split_once('/') {
                Some((ns, name)) => (Some(format!("{ns}/")), Some(ns.to_string()), name),
                None => (None, None, value),
            };
            if name.is_empty() {
                continue;
            }
            self.out.push(Reference {
                path: ann.child(key),
                target: Target::Secret,
                name: name.to_string(),
                namespace: ns,
                optional: false,
                via: Via::IngressAnnotation,
                prefix,
            });
        }
    }

    fn gateway(&mut self) {
        for l in self.each(&FieldPath::default().keys(&["spec", "listeners"])) {
            for r in self.each(&l.keys(&["tls", "certificateRefs"])) {
                let Some(h) = r.get(self.root) else { continue };
                let kind = h.get("kind").and_then(Value::as_str).unwrap_or("Secret");
                let group = h.get("group").and_then(Value::as_str).unwrap_or("");
                if kind != "Secret" || !group.is_empty() {
                    continue;
                }
                let ns = h.get("namespace").and_then(Value::as_str).map(str::to_string);
                let before = self.out.len();
                self.at(&r, "name", Target::Secret, Via::Gateway);
                if self.out.len() > before {
                    self.out.last_mut().expect("just pushed").namespace = ns;
                }
            }
        }
    }

    fn helm_release(&mut self) {
        for v in self.each(&FieldPath::default().keys(&["spec", "valuesFrom"])) {
            let target = match v.get(self.root).and_then(|h| h.get("kind")).and_then(Value::as_str) {
                Some("ConfigMap") => Target::ConfigMap,
                Some("Secret") => Target::Secret,
                _ => continue,
            };
            self.at(&v, "name", target, Via::HelmRelease);
        }
    }

    fn service_account(&mut self) {
        for s in self.each(&FieldPath::default().child("secrets")) {
            self.at(&s, "name", Target::Secret, Via::ServiceAccount);
        }
        for s in self.each(&FieldPath::default().child("imagePullSecrets")) {
            self.at(&s, "name", Target::Secret, Via::ImagePullSecret);
        }
    }

    fn rbac(&mut self) {
        for r in self.each(&FieldPath::default().child("rules")) {
            let Some(rule) = r.get(self.root) else {
                continue;
            };
            let strings = |key: &str| -> Vec<String> {
                rule.get(key)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default()
            };
            let groups = strings("apiGroups");
            if !groups.iter().any(|g| g.is_empty() || g == "*") {
                continue;
            }
            let resources = strings("resources");
            let mut targets = Vec::new();
            if resources.iter().any(|r| r == "configmaps" || r == "*") {
                targets.push(Target::ConfigMap);
            }
            if resources.iter().any(|r| r == "secrets" || r == "*") {
                targets.push(Target::Secret);
            }
            for (i, name) in strings("resourceNames").into_iter().enumerate() {
                for &target in &targets {
                    self.out.push(Reference {
                        path: r.child("resourceNames").index(i),
                        target,
                        name: name.clone(),
                        namespace: None,
                        optional: true,
                        via: Via::Rbac,
                        prefix: None,
                    });
                }
            }
        }
    }

    fn custom(&mut self, rule: &ReferenceRule) {
        let pattern = parse_rule_path(&rule.path);
        let ns_pattern = rule.namespace_path.as_deref().map(parse_rule_path);
        let mut matches = Vec::new();
        expand(self.root, &pattern, FieldPath::default(), &mut Vec::new(), &mut matches);
        for (path, indices) in matches {
            let Some(name) = path.get(self.root).and_then(Value::as_str) else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            let namespace = ns_pattern.as_ref().and_then(|p| {
                let concrete = substitute(p, &indices);
                concrete.get(self.root).and_then(Value::as_str).map(str::to_string)
            });
            self.out.push(Reference {
                path,
                target: rule.target,
                name: name.to_string(),
                namespace,
                optional: false,
                via: Via::Custom,
                prefix: None,
            });
        }
    }
}

/// A custom rule path: keys, with `None` for "every element" (`[]`).
fn parse_rule_path(path: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut key = part;
        let mut each = 0;
        while let Some(stripped) = key.strip_suffix("[]") {
            key = stripped;
            each += 1;
        }
        if !key.is_empty() {
            out.push(Some(key.to_string()));
        }
        out.extend(std::iter::repeat_n(None, each));
    }
    out
}

fn expand(
    value: &Value,
    pattern: &[Option<String>],
    at: FieldPath,
    indices: &mut Vec<usize>,
    out: &mut Vec<(FieldPath, Vec<usize>)>,
) {
    let Some((first, rest)) = pattern.split_first() else {
        out.push((at, indices.clone()));
        return;
    };
    match first {
        Some(key) => {
            if let Some(v) = value.get(key.as_str()) {
                expand(v, rest, at.child(key), indices, out);
            }
        }
        None => {
            if let Value::Array(items) = value {
                for (i, v) in items.iter().enumerate() {
                    indices.push(i);
                    expand(v, rest, at.index(i), indices, out);
                    indices.pop();
                }
            }
        }
    }
}

fn substitute(pattern: &[Option<String>], indices: &[usize]) -> FieldPath {
    let mut path = FieldPath::default();
    let mut idx = indices.iter();
    for seg in pattern {
        path = match seg {
            Some(k) => path.child(k),
            None => path.index(idx.next().copied().unwrap_or(usize::MAX)),
        };
    }
    path
}

/// Validates a custom rule path; returns a message for a bad one.
pub fn check_rule_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty path".into());
    }
    for part in path.split('.') {
        let key = part.trim_end_matches("[]");
        if key.is_empty() || key.contains('[') || key.contains(']') {
            return Err(format!(
                "bad segment {part:?} in path {path:?} (use keys separated by '.', with '[]' for every element)"
            ));
        }
    }
    Ok(())
}

/// Where an object keeps PodSpecs: fixed paths for built-in workloads, and in
/// any other kind every `template.spec` mapping that holds a `containers`
/// list (Argo Rollouts, Knative Services, KEDA ScaledJobs, … need no rule).
#[must_use]
pub fn pod_spec_paths(group: &str, kind: &str, value: &Value) -> Vec<FieldPath> {
    if let Some(path) = builtin_pod_spec_path(group, kind) {
        let p = FieldPath::default().keys(path);
        return if p.get(value).is_some_and(Value::is_object) { vec![p] } else { Vec::new() };
    }
    let mut out = Vec::new();
    find_templates(value, FieldPath::default(), &mut out, 0);
    out
}

fn find_templates(value: &Value, at: FieldPath, out: &mut Vec<FieldPath>, depth: usize) {
    if depth > 64 {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(spec) = map.get("template").and_then(|t| t.get("spec"))
                && spec.get("containers").is_some_and(Value::is_array)
            {
                out.push(at.keys(&["template", "spec"]));
                // Keep searching siblings, not inside the PodSpec itself.
                for (k, v) in map {
                    if k != "template" {
                        find_templates(v, at.child(k), out, depth + 1);
                    }
                }
                return;
            }
            for (k, v) in map {
                find_templates(v, at.child(k), out, depth + 1);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                find_templates(v, at.index(i), out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Every reference an object makes, in document order of the rules.
#[must_use]
pub fn find(group: &str, kind: &str, value: &Value, custom: &[ReferenceRule]) -> Vec<Reference> {
    let mut f = Finder { root: value, out: Vec::new() };
    for spec in pod_spec_paths(group, kind, value) {
        f.pod_spec(&spec);
    }
    match (group, kind) {
        ("", "ServiceAccount") => f.service_account(),
        ("", "PersistentVolume") => f.persistent_volume(),
        ("networking.k8s.io" | "extensions", "Ingress") => f.ingress(),
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => f.rbac(),
        ("gateway.networking.k8s.io", "Gateway") => f.gateway(),
        ("helm.toolkit.fluxcd.io", "HelmRelease") => f.helm_release(),
        _ => {}
    }
    for rule in custom.iter().filter(|r| r.group == group && r.kind == kind) {
        f.custom(rule);
    }
    f.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(refs: &[Reference]) -> Vec<String> {
        refs.iter().map(|r| format!("{} {} {} {}", r.via.as_str(), r.target.kind(), r.name, r.path)).collect()
    }

    #[test]
    fn finds_every_pod_spec_row() {
        let pod = json!({"spec": {
            "containers": [{"env": [
                {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cm-env", "key": "k"}}},
                {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s-env", "key": "k", "optional": true}}}],
              "envFrom": [{"configMapRef": {"name": "cm-from"}}, {"secretRef": {"name": "s-from"}}]}],
            "initContainers": [{"envFrom": [{"configMapRef": {"name": "cm-init"}}]}],
            "ephemeralContainers": [{"envFrom": [{"secretRef": {"name": "s-eph"}}]}],
            "volumes": [
                {"name": "a", "configMap": {"name": "cm-vol"}},
                {"name": "b", "secret": {"secretName": "s-vol"}},
                {"name": "c", "projected": {"sources": [{"configMap": {"name": "cm-proj"}}, {"secret": {"name": "s-proj"}}, {"downwardAPI": {}}]}},
                {"name": "d", "csi": {"driver": "x", "nodePublishSecretRef": {"name": "s-csi"}}},
                {"name": "e", "cephfs": {"monitors": [], "secretRef": {"name": "s-ceph"}}},
                {"name": "f", "rbd": {"secretRef": {"name": "s-rbd"}}},
                {"name": "g", "iscsi": {"secretRef": {"name": "s-iscsi"}}},
                {"name": "h", "flexVolume": {"secretRef": {"name": "s-flex"}}},
                {"name": "i", "scaleIO": {"secretRef": {"name": "s-sio"}}},
                {"name": "j", "storageos": {"secretRef": {"name": "s-sos"}}},
                {"name": "k", "azureFile": {"secretName": "s-az", "shareName": "x"}}],
            "imagePullSecrets": [{"name": "s-pull"}]}});
        let refs = find("", "Pod", &pod, &[]);
        let got: Vec<&str> = refs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            got,
            [
                "cm-env", "s-env", "cm-from", "s-from", "cm-init", "s-eph", "cm-vol", "s-vol", "cm-proj", "s-proj",
                "s-csi", "s-ceph", "s-rbd", "s-iscsi", "s-flex", "s-sio", "s-sos", "s-az", "s-pull"
            ]
        );
        assert!(refs[1].optional && !refs[0].optional);
        assert_eq!(refs[0].path.to_string(), "spec.containers[0].env[0].valueFrom.configMapKeyRef.name");
    }

    #[test]
    fn finds_pod_specs_by_shape_in_unknown_kinds() {
        let rollout =
            json!({"spec": {"template": {"spec": {"containers": [{"envFrom": [{"configMapRef": {"name": "x"}}]}]}}}});
        let refs = find("argoproj.io", "Rollout", &rollout, &[]);
        assert_eq!(names(&refs), ["envFrom ConfigMap x spec.template.spec.containers[0].envFrom[0].configMapRef.name"]);
        let scaled = json!({"spec": {"jobTargetRef": {"template": {"spec": {"containers": [{"envFrom": [{"secretRef": {"name": "y"}}]}]}}}}});
        assert_eq!(find("keda.sh", "ScaledJob", &scaled, &[]).len(), 1);
    }

    #[test]
    fn finds_non_pod_rows() {
        let ing = json!({"metadata": {"annotations": {"nginx.ingress.kubernetes.io/auth-secret": "other/basic", "nginx.ingress.kubernetes.io/auth-tls-secret": "ca"}},
            "spec": {"tls": [{"secretName": "tls"}]}});
        let refs = find("networking.k8s.io", "Ingress", &ing, &[]);
        assert_eq!(refs.len(), 3);
        assert_eq!(refs[1].namespace.as_deref(), Some("other"));
        assert_eq!(refs[1].prefix.as_deref(), Some("other/"));
        let role = json!({"rules": [{"apiGroups": [""], "resources": ["secrets", "configmaps"], "resourceNames": ["a"]},
                                    {"apiGroups": ["apps"], "resources": ["secrets"], "resourceNames": ["no"]}]});
        assert_eq!(
            names(&find("rbac.authorization.k8s.io", "Role", &role, &[])),
            ["rbac ConfigMap a rules[0].resourceNames[0]", "rbac Secret a rules[0].resourceNames[0]"]
        );
        let pv = json!({"spec": {"csi": {"nodeStageSecretRef": {"name": "n", "namespace": "ns1"}}, "azureFile": {"secretName": "az"}}});
        let refs = find("", "PersistentVolume", &pv, &[]);
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].namespace.as_deref(), Some("ns1"));
        let gw = json!({"spec": {"listeners": [{"tls": {"certificateRefs": [{"name": "c1"}, {"kind": "Secret", "name": "c2", "namespace": "certs"}, {"kind": "ConfigMap", "name": "no"}]}}]}});
        let refs = find("gateway.networking.k8s.io", "Gateway", &gw, &[]);
        assert_eq!(refs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["c1", "c2"]);
        let hr = json!({"spec": {"valuesFrom": [{"kind": "ConfigMap", "name": "v1"}, {"kind": "Secret", "name": "v2", "optional": true}]}});
        let refs = find("helm.toolkit.fluxcd.io", "HelmRelease", &hr, &[]);
        assert_eq!(refs[1].target, Target::Secret);
        assert!(refs[1].optional);
        let sa = json!({"secrets": [{"name": "t"}], "imagePullSecrets": [{"name": "p"}]});
        assert_eq!(find("", "ServiceAccount", &sa, &[]).len(), 2);
    }

    #[test]
    fn custom_rules_with_namespace_paths() {
        let rule = ReferenceRule {
            group: "example.com".into(),
            kind: "Thing".into(),
            path: "spec.sources[].secretName".into(),
            target: Target::Secret,
            namespace_path: Some("spec.sources[].ns".into()),
        };
        let v = json!({"spec": {"sources": [{"secretName": "a", "ns": "x"}, {"secretName": "b"}]}});
        let refs = find("example.com", "Thing", &v, &[rule]);
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].namespace.as_deref(), Some("x"));
        assert_eq!(refs[1].namespace, None);
        assert_eq!(refs[1].path.to_string(), "spec.sources[1].secretName");
        assert!(check_rule_path("spec..x").is_err());
        assert!(check_rule_path("spec.a[0]").is_err());
    }
}

/// A reference with the namespace it resolves in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Index of the referring object.
    pub from: usize,
    pub reference: Reference,
    /// `None`: any namespace (ClusterRole `resourceNames`, PersistentVolume
    /// refs without a namespace field).
    pub namespace: Option<String>,
}

impl Link {
    /// Whether this link points at a bundle of `target` kind in `namespace` named `name`.
    #[must_use]
    pub fn points_at(&self, target: Target, namespace: &str, name: &str) -> bool {
        self.reference.target == target
            && self.reference.name == name
            && self.namespace.as_deref().is_none_or(|ns| ns == namespace)
    }
}

/// Links by what they point at, the namespace part of the key (`None`:
/// any namespace), so a name used in thousands of namespaces costs one
/// lookup, not a scan of them all.
pub struct LinkIndex<'a> {
    links: &'a [Link],
    by_target: std::collections::HashMap<(Target, &'a str, Option<&'a str>), Vec<usize>>,
}

impl<'a> LinkIndex<'a> {
    #[must_use]
    pub fn new(links: &'a [Link]) -> Self {
        let mut by_target: std::collections::HashMap<_, Vec<usize>> = std::collections::HashMap::new();
        for (n, l) in links.iter().enumerate() {
            by_target
                .entry((l.reference.target, l.reference.name.as_str(), l.namespace.as_deref()))
                .or_default()
                .push(n);
        }
        LinkIndex { links, by_target }
    }

    /// The links that [`Link::points_at`] this bundle, in link order.
    #[must_use]
    pub fn pointing_at(&self, target: Target, namespace: &str, name: &str) -> Vec<&'a Link> {
        let mut found: Vec<usize> = [Some(namespace), None]
            .into_iter()
            .filter_map(|ns| self.by_target.get(&(target, name, ns)))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.into_iter().map(|n| &self.links[n]).collect()
    }
}

/// Every reference of every object, resolved to a namespace. Objects must
/// already carry their effective namespace.
#[must_use]
pub fn links(objects: &[crate::object::Object], custom: &[ReferenceRule]) -> Vec<Link> {
    let mut out = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        let (group, kind) = (obj.group(), obj.kind());
        let any_ns = matches!((group, kind), ("rbac.authorization.k8s.io", "ClusterRole") | ("", "PersistentVolume"));
        for r in find(group, kind, &obj.value, custom) {
            let namespace = match &r.namespace {
                Some(ns) => Some(ns.clone()),
                None if any_ns => None,
                None => Some(obj.namespace().to_string()),
            };
            out.push(Link { from: i, reference: r, namespace });
        }
    }
    out
}
