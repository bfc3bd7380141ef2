//! Real install manifests (`tests/data/corpus`), rendered with default
//! settings, against the ground truth in the corpus README: nothing a
//! controller reads by a fixed name is renamed, the objects that are safe
//! and referenced are versioned, every reference still resolves, and
//! `List` kinds are expanded.
//!
//! The only configuration added is `externalNames` for objects created at
//! run time (corpus README §3), in an imprint.yaml written next to a copy of
//! the corpus folder; files that do not end in `.yaml` are listed under
//! `resources` (linkerd) or go through stdin (coredns).

mod common;
use common::*;
use imprint::refs;
use serde_json::Value;

struct Case {
    /// Folder under the corpus.
    folder: &'static str,
    /// `externalNames` for objects created at run time.
    externals: &'static [&'static str],
    /// Resources to list (for folders with duplicate identities).
    resources: &'static [&'static str],
    /// File to feed through stdin instead (names without `.yaml`).
    stdin: Option<&'static str>,
    /// "Kind/name" that must keep their names (fixed-name: safe? = NO).
    fixed: &'static [&'static str],
    /// "Kind/name" that must be versioned (safe and referenced).
    versioned: &'static [&'static str],
}

const CASES: &[Case] = &[
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
    },
    Case {
        folder: "ingress-nginx",
        externals: &["ingress-nginx/ingress-nginx-admission"],
        resources: &[],
        stdin: None,
        fixed: &["ConfigMap/ingress-nginx-controller"],
        versioned: &[],
    },
    Case {
        folder: "kube-prometheus",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/alertmanager-main"],
        versioned: &[
            "ConfigMap/blackbox-exporter-configuration",
            "Secret/grafana-config",
            "Secret/grafana-datasources",
            "ConfigMap/grafana-dashboards",
            "ConfigMap/adapter-config",
            "ConfigMap/grafana-dashboard-apiserver",
            "ConfigMap/grafana-dashboard-nodes",
        ],
    },
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
    },
    Case {
        folder: "metallb",
        externals: &["metallb-system/memberlist"],
        resources: &[],
        stdin: None,
        fixed: &["Secret/metallb-webhook-cert"],
        versioned: &["ConfigMap/metallb-excludel2"],
    },
    Case {
        folder: "flannel",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &["ConfigMap/kube-flannel-cfg"],
    },
    Case {
        folder: "coredns",
        externals: &[],
        resources: &[],
        stdin: Some("coredns.yaml.sed"),
        fixed: &["ConfigMap/coredns"],
        versioned: &[],
    },
    Case {
        folder: "istio-bookinfo",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &["Secret/mysql-credentials"],
    },
    Case {
        folder: "kourier",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["ConfigMap/config-kourier"],
        versioned: &["ConfigMap/kourier-bootstrap"],
    },
    // The webhook creates its serving CA at run time; cainjector finds it by
    // the name in the inject-ca-from-secret annotation, which never dangles.
    Case { folder: "cert-manager", externals: &[], resources: &[], stdin: None, fixed: &[], versioned: &[] },
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
    },
    Case {
        folder: "istio-spire",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["ConfigMap/spire-bundle"],
        versioned: &["ConfigMap/spire-controller-manager-config"],
    },
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
    },
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
    },
    Case {
        folder: "k8s-examples-volumes/https-nginx",
        externals: &["nginxsecret", "nginxconfigmap"],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &[],
    },
    Case {
        folder: "k8s-examples-volumes/persistent-volume-provisioning/glusterfs",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/heketi-secret"],
        versioned: &[],
    },
    Case {
        folder: "k8s-examples-volumes/persistent-volume-provisioning/quobyte",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/quobyte-admin-secret"],
        versioned: &[],
    },
    Case {
        folder: "k8s-examples-volumes/persistent-volume-provisioning/rbd",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/ceph-secret-admin", "Secret/ceph-secret-user"],
        versioned: &[],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/iscsi",
        externals: &[],
        resources: &["chap-secret.yaml", "iscsi-chap.yaml"],
        stdin: None,
        fixed: &[],
        versioned: &["Secret/chap-secret"],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/cephfs",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &["Secret/ceph-secret"],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/rbd",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &["Secret/ceph-secret"],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/scaleio",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/sio-secret"],
        versioned: &[],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/storageos",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &["Secret/storageos-secret"],
        versioned: &[],
    },
    Case {
        folder: "k8s-examples-volumes/volumes/azure_file",
        externals: &[],
        resources: &[],
        stdin: None,
        fixed: &[],
        versioned: &[],
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

#[test]
fn corpus_renders_safely() {
    assert!(corpus().is_dir(), "tests/data/corpus is missing");
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
        for entry in case.versioned {
            let (kind, name) = split(entry);
            let obj = out
                .iter()
                .find(|d| d["kind"] == kind && d["metadata"]["annotations"]["imprint.dev/bundle"] == name)
                .unwrap_or_else(|| panic!("{}: {entry} was not versioned", case.folder));
            assert_eq!(obj["immutable"], true);
            assert_ne!(obj["metadata"]["name"], name);
        }
        assert_references_resolve(case, &out);
    }
}

/// Every non-optional reference in the output names an object in the output
/// (or a declared external name, or a name imprint builds in).
fn assert_references_resolve(case: &Case, out: &[Value]) {
    let objects: Vec<imprint::model::Object> =
        out.iter().map(|v| imprint::model::Object { value: v.clone(), origin: Default::default() }).collect();
    let rules = refs::Rules::new(&[]);
    for l in refs::resolve::links(&objects, &rules, &imprint::kinds::Scopes::of(&objects)) {
        let r = &l.reference;
        if l.may_dangle() || l.provided_by.is_some() || r.name == "kube-root-ca.crt" {
            continue;
        }
        let ns = l.namespace.clone().unwrap_or_default();
        let external = case.externals.iter().any(|e| *e == r.name || *e == format!("{ns}/{}", r.name));
        assert!(
            external || !l.to.is_empty(),
            "{}: {} {} {:?} does not resolve ({})",
            case.folder,
            objects[l.from].id(),
            r.path,
            r.name,
            r.target.kind()
        );
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
