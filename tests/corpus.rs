//! Real install manifests (`tests/data/corpus`), rendered with default
//! settings, against the ground truth in the corpus README: nothing a
//! controller reads by a fixed name is renamed, exactly the expected objects
//! are versioned, every reference still resolves, and `List` kinds are
//! expanded.
//!
//! Nothing here asks imprint which references exist: a small walker below
//! finds them in the standard PodSpec fields, and the README's danger table
//! (§2) says which objects are safe to rename. Both are independent of
//! `src/refs`, so a reference the table forgets shows up as a dangling name
//! or an unversioned safe object.
//!
//! The only configuration added is `externalNames` for objects created at
//! run time (corpus README §3), in an imprint.yaml written next to a copy of
//! the corpus folder; files that do not end in `.yaml` are listed under
//! `resources` (linkerd) or go through stdin (coredns).

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;

struct Case {
    /// Folder under the corpus.
    folder: &'static str,
    /// `externalNames` for objects created at run time.
    externals: &'static [&'static str],
    /// Resources to list (for folders with duplicate identities).
    resources: &'static [&'static str],
    /// File to feed through stdin instead (names without `.yaml`).
    stdin: Option<&'static str>,
    /// "Kind/name" that must keep their names (README: safe? = NO).
    fixed: &'static [&'static str],
    /// "Kind/name": exactly the objects imprint versions (README: safe? =
    /// yes, and referenced from a PodSpec).
    versioned: &'static [&'static str],
    /// "Kind/name" the README calls safe (or risky) and a PodSpec references,
    /// that imprint keeps anyway, with the SPEC §4 rule that keeps it.
    kept: &'static [(&'static str, &'static str)],
}

/// The ways the SPEC §4 `referenced` rules keep a safe object's name.
const HOMONYM: &str =
    "SPEC §4 name-use scan: the name occurs as a token elsewhere (README: homonyms only, 'ok, or skip')";

const CASES: &[Case] = &[
    // Every ConfigMap and Secret in Argo CD is read by a constant name.
    Case {
        folder: "argocd",
        externals: &["argocd-redis"],
        resources: &[],
        stdin: None,
        fixed: &[
            "ConfigMap/argocd-cm",
            "ConfigMap/argocd-cmd-params-cm",
            "ConfigMap/argocd-gpg-keys-cm",
            "ConfigMap/argocd-ssh-known-hosts-cm",
            "ConfigMap/argocd-tls-certs-cm",
            "ConfigMap/argocd-notifications-cm",
            "Secret/argocd-notifications-secret",
            "ConfigMap/argocd-rbac-cm",
            "Secret/argocd-secret",
        ],
        versioned: &[],
        kept: &[],
    },
    // Its one ConfigMap is found by the name in the controller's args; its
    // one Secret is created at run time.
    Case {
        folder: "ingress-nginx",
        externals: &["ingress-nginx/ingress-nginx-admission"],
        resources: &[],
        stdin: None,
        fixed: &["ConfigMap/ingress-nginx-controller"],
        versioned: &[],
        kept: &[],
    },
    Case {
        folder: "kube-prometheus",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/alertmanager-main"],
        versioned: &[
            "ConfigMap/adapter-config",
            "ConfigMap/blackbox-exporter-configuration",
            "ConfigMap/grafana-dashboards",
            "Secret/grafana-config",
            "Secret/grafana-datasources",
            // The 33 items of the ConfigMapList.
            "ConfigMap/grafana-dashboard-alertmanager-overview",
            "ConfigMap/grafana-dashboard-apiserver",
            "ConfigMap/grafana-dashboard-cluster-total",
            "ConfigMap/grafana-dashboard-controller-manager",
            "ConfigMap/grafana-dashboard-grafana-overview",
            "ConfigMap/grafana-dashboard-k8s-resources-cluster",
            "ConfigMap/grafana-dashboard-k8s-resources-multicluster",
            "ConfigMap/grafana-dashboard-k8s-resources-namespace",
            "ConfigMap/grafana-dashboard-k8s-resources-node",
            "ConfigMap/grafana-dashboard-k8s-resources-nodes-overview",
            "ConfigMap/grafana-dashboard-k8s-resources-pod",
            "ConfigMap/grafana-dashboard-k8s-resources-windows-cluster",
            "ConfigMap/grafana-dashboard-k8s-resources-windows-namespace",
            "ConfigMap/grafana-dashboard-k8s-resources-windows-pod",
            "ConfigMap/grafana-dashboard-k8s-resources-workload",
            "ConfigMap/grafana-dashboard-k8s-resources-workloads-namespace",
            "ConfigMap/grafana-dashboard-k8s-windows-cluster-rsrc-use",
            "ConfigMap/grafana-dashboard-k8s-windows-node-rsrc-use",
            "ConfigMap/grafana-dashboard-kubelet",
            "ConfigMap/grafana-dashboard-namespace-by-pod",
            "ConfigMap/grafana-dashboard-namespace-by-workload",
            "ConfigMap/grafana-dashboard-node-cluster-rsrc-use",
            "ConfigMap/grafana-dashboard-node-rsrc-use",
            "ConfigMap/grafana-dashboard-nodes-aix",
            "ConfigMap/grafana-dashboard-nodes-darwin",
            "ConfigMap/grafana-dashboard-nodes",
            "ConfigMap/grafana-dashboard-persistentvolumesusage",
            "ConfigMap/grafana-dashboard-pod-total",
            "ConfigMap/grafana-dashboard-prometheus-remote-write",
            "ConfigMap/grafana-dashboard-prometheus",
            "ConfigMap/grafana-dashboard-proxy",
            "ConfigMap/grafana-dashboard-scheduler",
            "ConfigMap/grafana-dashboard-workload-total",
        ],
        kept: &[],
    },
    // csrf, key-holder and settings are read by constant names; certs is
    // "risky" in the README (the UI hides it by name).
    Case {
        folder: "kubernetes-dashboard",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[
            "Secret/kubernetes-dashboard-csrf",
            "Secret/kubernetes-dashboard-key-holder",
            "ConfigMap/kubernetes-dashboard-settings",
        ],
        versioned: &[],
        kept: &[(
            "Secret/kubernetes-dashboard-certs",
            "built-in fixed-name list, and RBAC resourceNames (README: risky, the UI hides it by name)",
        )],
    },
    Case {
        folder: "metallb",
        externals: &["metallb-system/memberlist"],
        resources: &[],
        stdin: None,
        fixed: &["Secret/metallb-webhook-cert"],
        versioned: &["ConfigMap/metallb-excludel2"],
        kept: &[],
    },
    Case {
        folder: "flannel",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &["ConfigMap/kube-flannel-cfg"],
        kept: &[],
    },
    // kubeadm manages kube-system/coredns by name.
    Case {
        folder: "coredns",
        externals: &[],
        resources: &[],
        stdin: Some("coredns.yaml.sed"),
        fixed: &["ConfigMap/coredns"],
        versioned: &[],
        kept: &[],
    },
    Case {
        folder: "istio-bookinfo",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &["Secret/mysql-credentials"],
        kept: &[],
    },
    Case {
        folder: "kourier",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["ConfigMap/config-kourier"],
        versioned: &["ConfigMap/kourier-bootstrap"],
        kept: &[],
    },
    // No ConfigMap or Secret at all: the webhook creates its serving CA at
    // run time, and cainjector finds it by the name in the
    // inject-ca-from-secret annotation, which never dangles.
    Case { folder: "cert-manager", externals: &[], resources: &[], stdin: None, fixed: &[], versioned: &[], kept: &[] },
    Case {
        folder: "istio-addons",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &[
            "ConfigMap/istio-grafana-dashboards",
            "ConfigMap/istio-services-grafana-dashboards",
            "ConfigMap/loki-runtime",
        ],
        kept: &[
            ("ConfigMap/grafana", HOMONYM),
            ("ConfigMap/kiali", HOMONYM),
            ("ConfigMap/loki", HOMONYM),
            ("ConfigMap/prometheus", HOMONYM),
            ("ConfigMap/jaeger", HOMONYM),
        ],
    },
    Case {
        folder: "istio-spire",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["ConfigMap/spire-bundle"],
        versioned: &["ConfigMap/spire-controller-manager-config"],
        kept: &[("ConfigMap/spire-server", HOMONYM), ("ConfigMap/spire-agent", HOMONYM)],
    },
    // Knative reads every one of them through configmap watchers, by fixed
    // name, and no PodSpec references any.
    Case {
        folder: "knative-serving",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[
            "ConfigMap/config-autoscaler",
            "ConfigMap/config-certmanager",
            "ConfigMap/config-defaults",
            "ConfigMap/config-deployment",
            "ConfigMap/config-domain",
            "ConfigMap/config-features",
            "ConfigMap/config-gc",
            "ConfigMap/config-leader-election",
            "ConfigMap/config-network",
            "ConfigMap/config-logging",
            "ConfigMap/config-observability",
            "ConfigMap/config-tracing",
            "Secret/webhook-certs",
        ],
        versioned: &[],
        kept: &[],
    },
    // linkerd check, upgrade and the extensions read all four by name.
    Case {
        folder: "linkerd",
        externals: &[
            "linkerd-proxy-injector-k8s-tls",
            "linkerd-sp-validator-k8s-tls",
            "linkerd-policy-validator-k8s-tls",
        ],
        resources: &["install_default.golden"],
        stdin: None,
        fixed: &[
            "ConfigMap/linkerd-config",
            "Secret/linkerd-identity-issuer",
            "ConfigMap/linkerd-identity-trust-roots",
            "Secret/linkerd-config-overrides",
        ],
        versioned: &[],
        kept: &[],
    },
    // Its Secret and ConfigMap are made by `kubectl create` (both external).
    Case {
        folder: "k8s-examples-volumes/https-nginx",
        externals: &["nginxsecret", "nginxconfigmap"],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &[],
        kept: &[],
    },
    // Provisioners read these through StorageClass parameters.
    Case {
        folder: "k8s-examples-volumes/persistent-volume-provisioning/glusterfs",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/heketi-secret"],
        versioned: &[],
        kept: &[],
    },
    Case {
        folder: "k8s-examples-volumes/persistent-volume-provisioning/quobyte",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/quobyte-admin-secret"],
        versioned: &[],
        kept: &[],
    },
    Case {
        folder: "k8s-examples-volumes/persistent-volume-provisioning/rbd",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/ceph-secret-admin", "Secret/ceph-secret-user"],
        versioned: &[],
        kept: &[],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/iscsi",
        externals: &[],
        resources: &["chap-secret.yaml", "iscsi-chap.yaml"],
        stdin: None,
        fixed: &[],
        versioned: &["Secret/chap-secret"],
        kept: &[],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/cephfs",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &["Secret/ceph-secret"],
        kept: &[],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/rbd",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &["Secret/ceph-secret"],
        kept: &[],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/scaleio",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/sio-secret"],
        versioned: &[],
        kept: &[],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/storageos",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/storageos-secret"],
        versioned: &[],
        kept: &[],
    },
    // azure-secret is safe only if the PersistentVolume is rewritten too,
    // and a PV's volume source cannot change after creation.
    Case {
        folder: "k8s-examples-volumes/volumes/azure_file",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &[],
        kept: &[(
            "Secret/azure-secret",
            "SPEC §4: a PersistentVolume references it (README: yes, if both are rewritten)",
        )],
    },
];

fn imprint_yaml(case: &Case) -> String {
    let mut s = String::from("apiVersion: imprint.dev/v1alpha1\nkind: Render\n");
    if !case.externals.is_empty() {
        s.push_str("externalNames:\n");
        for e in case.externals {
            s.push_str(&format!("- {e}\n"));
        }
    }
    if !case.resources.is_empty() {
        s.push_str("resources:\n");
        for r in case.resources {
            s.push_str(&format!("- {r}\n"));
        }
    }
    s
}

fn render(case: &Case) -> Vec<Value> {
    let src = corpus().join(case.folder);
    if let Some(file) = case.stdin {
        let text = std::fs::read_to_string(src.join(file)).unwrap();
        return docs(imprint(&["render", "-"], Some(&text), &[]).ok());
    }
    let tree = Tree::new().copy_from(&src, "").file("imprint.yaml", imprint_yaml(case));
    docs(tree.render(&[]).ok())
}

fn split(entry: &str) -> (&str, &str) {
    entry.split_once('/').unwrap()
}

// ---- the oracle: references in the standard PodSpec fields ----

/// A reference to a ConfigMap or Secret, as the walker found it.
#[derive(Debug)]
struct Ref {
    kind: &'static str,
    /// The referring object's namespace, where the name resolves.
    namespace: String,
    name: String,
    optional: bool,
    /// Where: "Kind/name: path", for messages.
    at: String,
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn namespace(o: &Value) -> &str {
    text(&o["metadata"]["namespace"])
}

/// The PodSpec of a built-in workload, and its path.
fn pod_spec(o: &Value) -> Option<(&Value, &'static str)> {
    let group = text(&o["apiVersion"]).rsplit_once('/').map_or("", |(g, _)| g);
    let spec = match (group, text(&o["kind"])) {
        ("", "Pod") => (&o["spec"], "spec"),
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") | ("batch", "Job") => {
            (&o["spec"]["template"]["spec"], "spec.template.spec")
        }
        // Not in the brief's list, but as standard, and the https-nginx
        // example uses one.
        ("", "ReplicationController") => (&o["spec"]["template"]["spec"], "spec.template.spec"),
        ("batch", "CronJob") => {
            (&o["spec"]["jobTemplate"]["spec"]["template"]["spec"], "spec.jobTemplate.spec.template.spec")
        }
        _ => return None,
    };
    spec.0.is_object().then_some(spec)
}

fn items(v: &Value) -> impl Iterator<Item = (usize, &Value)> {
    v.as_array().map(|a| a.iter()).into_iter().flatten().enumerate()
}

/// Every ConfigMap/Secret reference in `o`'s PodSpec: volumes (configMap,
/// secret, projected sources, and the in-tree volume plugins' secret
/// references the README's §5 column counts), env and envFrom of every
/// container list, imagePullSecrets.
fn pod_refs(o: &Value) -> Vec<Ref> {
    let Some((spec, base)) = pod_spec(o) else { return Vec::new() };
    let who = format!("{}/{}", text(&o["kind"]), text(&o["metadata"]["name"]));
    let mut out = Vec::new();
    let mut add = |kind: &'static str, holder: &Value, field: &str, optional: &Value, at: String| {
        if let Some(name) = holder[field].as_str() {
            out.push(Ref {
                kind,
                namespace: namespace(o).to_string(),
                name: name.to_string(),
                optional: optional.as_bool() == Some(true),
                at: format!("{who}: {base}.{at}.{field}"),
            });
        }
    };
    for (i, v) in items(&spec["volumes"]) {
        add("ConfigMap", &v["configMap"], "name", &v["configMap"]["optional"], format!("volumes[{i}].configMap"));
        add("Secret", &v["secret"], "secretName", &v["secret"]["optional"], format!("volumes[{i}].secret"));
        for (j, s) in items(&v["projected"]["sources"]) {
            let at = format!("volumes[{i}].projected.sources[{j}]");
            add("ConfigMap", &s["configMap"], "name", &s["configMap"]["optional"], format!("{at}.configMap"));
            add("Secret", &s["secret"], "name", &s["secret"]["optional"], format!("{at}.secret"));
        }
        for plugin in ["cephfs", "rbd", "iscsi", "flexVolume", "scaleIO", "storageos"] {
            let r = &v[plugin]["secretRef"];
            add("Secret", r, "name", &Value::Null, format!("volumes[{i}].{plugin}.secretRef"));
        }
        let csi = &v["csi"]["nodePublishSecretRef"];
        add("Secret", csi, "name", &Value::Null, format!("volumes[{i}].csi.nodePublishSecretRef"));
        add("Secret", &v["azureFile"], "secretName", &Value::Null, format!("volumes[{i}].azureFile"));
    }
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        for (i, c) in items(&spec[list]) {
            for (j, e) in items(&c["env"]) {
                let from = &e["valueFrom"];
                let at = format!("{list}[{i}].env[{j}].valueFrom");
                let (cm, s) = (&from["configMapKeyRef"], &from["secretKeyRef"]);
                add("ConfigMap", cm, "name", &cm["optional"], format!("{at}.configMapKeyRef"));
                add("Secret", s, "name", &s["optional"], format!("{at}.secretKeyRef"));
            }
            for (j, e) in items(&c["envFrom"]) {
                let at = format!("{list}[{i}].envFrom[{j}]");
                let (cm, s) = (&e["configMapRef"], &e["secretRef"]);
                add("ConfigMap", cm, "name", &cm["optional"], format!("{at}.configMapRef"));
                add("Secret", s, "name", &s["optional"], format!("{at}.secretRef"));
            }
        }
    }
    for (i, p) in items(&spec["imagePullSecrets"]) {
        add("Secret", p, "name", &Value::Null, format!("imagePullSecrets[{i}]"));
    }
    out
}

/// The output object a reference names: same kind, namespace and name.
fn resolve<'a>(out: &'a [Value], r: &Ref) -> Option<&'a Value> {
    out.iter().find(|o| o["kind"] == r.kind && namespace(o) == r.namespace && o["metadata"]["name"] == r.name.as_str())
}

/// "Kind/name" under the object's original name.
fn entry(o: &Value) -> String {
    let original = o["metadata"]["annotations"]["imprint.dev/bundle"].as_str();
    format!("{}/{}", text(&o["kind"]), original.unwrap_or(text(&o["metadata"]["name"])))
}

fn is_bundle(o: &Value) -> bool {
    o["kind"] == "ConfigMap" || o["kind"] == "Secret"
}

// ---- the ground truth: the README's danger table ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Safe {
    Yes,
    No,
    Risky,
}

/// One row of the danger table: the folders of its section, kind,
/// namespace (when the row gives one), name (`*` ends a prefix), safe?.
#[derive(Debug)]
struct Row {
    folders: Vec<String>,
    kind: String,
    namespace: Option<String>,
    name: String,
    safe: Safe,
}

fn danger_table() -> Vec<Row> {
    let readme = std::fs::read_to_string(corpus().join("README.md")).unwrap();
    let section = readme.split("## 2. Danger table").nth(1).unwrap().split("\n## 3.").next().unwrap();
    let cells = |line: &str| -> Vec<String> {
        line.trim().trim_matches('|').split('|').map(|c| c.trim().to_string()).collect()
    };
    let (mut folders, mut safe_col, mut rows) = (Vec::new(), None, Vec::new());
    for line in section.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            folders = h.split([' ', ',']).filter_map(|w| w.strip_suffix('/')).map(str::to_string).collect();
            safe_col = None;
        } else if line.starts_with("| object") {
            safe_col = cells(line).iter().position(|c| c == "safe?");
        } else if line.starts_with("| ") && !line.starts_with("|---") {
            let row = cells(line);
            let object = &row[0];
            let kind = if object.contains("ConfigMap") {
                "ConfigMap"
            } else if object.contains("Secret") {
                "Secret"
            } else {
                continue;
            };
            let Some(quoted) = object.split('`').nth(1) else { continue };
            let (namespace, name) = match quoted.split_once('/') {
                Some((ns, n)) => (Some(ns.to_string()), n.to_string()),
                None => (None, quoted.to_string()),
            };
            let safe_text = &row[safe_col.expect("a table header with safe?")];
            let safe = if safe_text.contains("**NO**") {
                Safe::No
            } else if safe_text.contains("**risky**") {
                Safe::Risky
            } else {
                assert!(safe_text.starts_with("yes"), "unknown safe? value {safe_text:?}");
                Safe::Yes
            };
            rows.push(Row { folders: folders.clone(), kind: kind.into(), namespace, name, safe });
        }
    }
    rows
}

/// The README row for an output object of the case in `folder`.
fn row_of<'a>(rows: &'a [Row], folder: &str, o: &Value) -> Option<&'a Row> {
    let top = folder.split('/').next().unwrap();
    let name = text(&o["metadata"]["annotations"]["imprint.dev/bundle"]);
    let name = if name.is_empty() { text(&o["metadata"]["name"]) } else { name };
    rows.iter().find(|r| {
        r.folders.iter().any(|f| f == top)
            && o["kind"] == r.kind.as_str()
            && r.namespace.as_deref().is_none_or(|ns| ns == namespace(o))
            && match r.name.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => name == r.name,
            }
    })
}

#[test]
fn the_danger_table_is_read_whole() {
    let rows = danger_table();
    // 9 argocd + 1 + 7 + 4 + 2 + 5 + 8 + 4 + 13 + 4 + 9 rows (the 33
    // dashboards are one row).
    assert_eq!(rows.len(), 66, "{rows:#?}");
    let count = |s: Safe| rows.iter().filter(|r| r.safe == s).count();
    assert_eq!((count(Safe::Yes), count(Safe::No), count(Safe::Risky)), (24, 41, 1));
}

#[test]
fn corpus_renders_safely() {
    assert!(corpus().is_dir(), "tests/data/corpus is missing");
    let rows = danger_table();
    for case in CASES {
        let out = render(case);
        assert!(!out.is_empty(), "{}: empty", case.folder);
        for entry in case.fixed {
            let (kind, name) = split(entry);
            let renamed =
                out.iter().any(|d| d["kind"] == kind && d["metadata"]["annotations"]["imprint.dev/bundle"] == name);
            assert!(!renamed, "{}: fixed-name {entry} was renamed", case.folder);
            assert!(
                out.iter().any(|d| d["kind"] == kind && d["metadata"]["name"] == name),
                "{}: fixed-name {entry} missing",
                case.folder
            );
        }
        let versioned: BTreeSet<String> =
            out.iter().filter(|d| d["metadata"]["annotations"]["imprint.dev/bundle"].is_string()).map(entry).collect();
        let expected: BTreeSet<String> = case.versioned.iter().map(|e| (*e).to_string()).collect();
        assert_eq!(versioned, expected, "{}: the versioned set", case.folder);
        for o in out.iter().filter(|o| o["metadata"]["annotations"]["imprint.dev/bundle"].is_string()) {
            assert_eq!(o["immutable"], true, "{}: {}", case.folder, entry(o));
            assert_ne!(o["metadata"]["name"], o["metadata"]["annotations"]["imprint.dev/bundle"]);
        }
        let referenced = assert_references_resolve(case, &out);
        assert_ground_truth(case, &out, &rows, &referenced, &versioned);
    }
}

/// Every reference the walker finds names an object of the output by kind,
/// namespace and name, unless it is optional and names nothing of the
/// input, or names a declared external. Returns the "Kind/name" (original
/// names) of what non-optional references resolve to.
fn assert_references_resolve(case: &Case, out: &[Value]) -> BTreeSet<String> {
    let mut referenced = BTreeSet::new();
    for r in out.iter().flat_map(pod_refs) {
        if let Some(o) = resolve(out, &r) {
            if !r.optional {
                referenced.insert(entry(o));
            }
            continue;
        }
        // Not in the output under that name: it must not be the original
        // name of something imprint renamed (a reference left stale).
        let renamed = out.iter().find(|o| {
            o["kind"] == r.kind
                && namespace(o) == r.namespace
                && o["metadata"]["annotations"]["imprint.dev/bundle"] == r.name.as_str()
        });
        assert!(renamed.is_none(), "{}: {} still names {} {:?}, which was renamed", case.folder, r.at, r.kind, r.name);
        // kube-controller-manager creates kube-root-ca.crt in every
        // namespace (corpus README §3).
        let external = r.name == "kube-root-ca.crt"
            || case.externals.iter().any(|e| *e == r.name || *e == format!("{}/{}", r.namespace, r.name));
        assert!(
            r.optional || external,
            "{}: {} names {} {:?}, which is not in the output",
            case.folder,
            r.at,
            r.kind,
            r.name
        );
    }
    referenced
}

/// Every ConfigMap and Secret of the output has a row in the README; those
/// it calls unsafe are exactly the case's `fixed`; those it calls safe that
/// a PodSpec references are versioned, or `kept` with the rule that keeps
/// them; nothing else is versioned.
fn assert_ground_truth(
    case: &Case,
    out: &[Value],
    rows: &[Row],
    referenced: &BTreeSet<String>,
    versioned: &BTreeSet<String>,
) {
    let folder = case.folder;
    let kept: BTreeSet<String> = case.kept.iter().map(|(e, _)| (*e).to_string()).collect();
    let mut unsafe_ = BTreeSet::new();
    for o in out.iter().filter(|o| is_bundle(o)) {
        let e = entry(o);
        let row = row_of(rows, folder, o).unwrap_or_else(|| panic!("{folder}: {e} has no row in the corpus README"));
        let is_referenced = referenced.contains(&e);
        match row.safe {
            Safe::No => {
                unsafe_.insert(e.clone());
                assert!(!versioned.contains(&e), "{folder}: {e} is not safe to rename (README) but was versioned");
            }
            Safe::Yes | Safe::Risky if is_referenced => assert!(
                versioned.contains(&e) ^ kept.contains(&e),
                "{folder}: {e} is referenced and {:?} (README): list it as versioned or as kept, not both",
                row.safe
            ),
            // versionResources: referenced versions nothing unreferenced.
            Safe::Yes | Safe::Risky => {
                assert!(!versioned.contains(&e), "{folder}: {e} is versioned, but no PodSpec references it");
                assert!(!kept.contains(&e), "{folder}: {e} is kept, but no PodSpec references it");
            }
        }
    }
    let fixed: BTreeSet<String> = case.fixed.iter().map(|e| (*e).to_string()).collect();
    assert_eq!(fixed, unsafe_, "{folder}: `fixed` is not what the README calls unsafe");
    for e in &kept {
        assert!(!versioned.contains(e), "{folder}: {e} is listed as kept but was versioned");
    }
}

#[test]
fn config_map_lists_are_expanded() {
    let case = CASES.iter().find(|c| c.folder == "kube-prometheus").unwrap();
    let out = render(case);
    let dashboards: Vec<&Value> = out
        .iter()
        .filter(|d| d["kind"] == "ConfigMap")
        .filter(|d| {
            d["metadata"]["annotations"]["imprint.dev/bundle"]
                .as_str()
                .is_some_and(|n| n.starts_with("grafana-dashboard-"))
        })
        .collect();
    assert_eq!(dashboards.len(), 33);
    assert!(out.iter().all(|d| d["kind"] != "ConfigMapList"));
}

#[test]
fn runtime_objects_without_external_names_are_dangling_errors() {
    let src = corpus().join("metallb");
    let tree = Tree::new().copy_from(&src, "");
    tree.render(&[]).bad_input(&["dangling reference", "memberlist", "externalNames"]);
}
