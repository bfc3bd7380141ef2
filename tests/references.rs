//! SPEC §5: every reference row is rewritten, in every workload kind;
//! namespaces resolve; ClusterRoles expand; custom rules work. SPEC §4:
//! the versioning decisions and their safety rules.

mod common;
use common::*;
use serde_json::Value;

/// A PodSpec that uses every PodSpec row of the table.
const POD_SPEC: &str = r#"
      imagePullSecrets: [{name: s-pull}]
      initContainers:
      - name: init
        image: busybox
        envFrom: [{configMapRef: {name: cm-init}}]
      containers:
      - name: c
        image: busybox
        env:
        - {name: A, valueFrom: {configMapKeyRef: {name: cm-env, key: k}}}
        - {name: B, valueFrom: {secretKeyRef: {name: s-env, key: k}}}
        envFrom:
        - configMapRef: {name: cm-from}
        - secretRef: {name: s-from}
      volumes:
      - {name: v1, configMap: {name: cm-vol}}
      - {name: v2, secret: {secretName: s-vol}}
      - name: v3
        projected:
          sources:
          - configMap: {name: cm-proj}
          - secret: {name: s-proj}
      - {name: v4, csi: {driver: d, nodePublishSecretRef: {name: s-csi}}}
      - {name: v5, cephfs: {monitors: [m], secretRef: {name: s-ceph}}}
      - {name: v6, rbd: {monitors: [m], image: i, secretRef: {name: s-rbd}}}
      - {name: v7, iscsi: {targetPortal: t, iqn: q, lun: 0, secretRef: {name: s-iscsi}}}
      - {name: v8, flexVolume: {driver: d, secretRef: {name: s-flex}}}
      - {name: v9, scaleIO: {gateway: g, system: s, secretRef: {name: s-sio}}}
      - {name: v10, storageos: {volumeName: v, secretRef: {name: s-sos}}}
      - {name: v11, azureFile: {secretName: s-az, shareName: x}}
"#;

const CMS: &[&str] = &["cm-init", "cm-env", "cm-from", "cm-vol", "cm-proj"];
const SECRETS: &[&str] = &[
    "s-pull", "s-env", "s-from", "s-vol", "s-proj", "s-csi", "s-ceph", "s-rbd", "s-iscsi", "s-flex", "s-sio", "s-sos",
    "s-az",
];

fn indent(text: &str, by: usize) -> String {
    text.lines().map(|l| if l.trim().is_empty() { String::new() } else { format!("{}{l}\n", " ".repeat(by)) }).collect()
}

fn dedent(text: &str, by: usize) -> String {
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("{}\n", &l[by..])).collect()
}

/// Every workload kind with the PodSpec where that kind keeps it.
fn workloads() -> Vec<(String, String)> {
    let template = |api: &str, kind: &str, extra: &str| {
        format!(
            "apiVersion: {api}\nkind: {kind}\nmetadata: {{name: w}}\nspec:\n{extra}  template:\n    metadata: {{labels: {{app: w}}}}\n    spec:{}",
            POD_SPEC
        )
    };
    let sel = "  selector: {matchLabels: {app: w}}\n";
    vec![
        ("Pod".into(), format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: w}}\nspec:\n{}", dedent(POD_SPEC, 4))),
        ("Deployment".into(), template("apps/v1", "Deployment", sel)),
        ("ReplicaSet".into(), template("apps/v1", "ReplicaSet", sel)),
        ("StatefulSet".into(), template("apps/v1", "StatefulSet", sel)),
        ("DaemonSet".into(), template("apps/v1", "DaemonSet", sel)),
        ("Job".into(), template("batch/v1", "Job", "")),
        ("ReplicationController".into(), template("v1", "ReplicationController", "")),
        ("Rollout".into(), template("argoproj.io/v1alpha1", "Rollout", sel)),
        ("Service".into(), template("serving.knative.dev/v1", "Service", "")),
        (
            "CronJob".into(),
            format!(
                "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: w}}\nspec:\n  schedule: \"* * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n{}",
                indent(POD_SPEC, 4)
            ),
        ),
    ]
}

fn bundles() -> String {
    let mut s = String::new();
    for cm in CMS {
        s.push_str(&format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {cm}}}\ndata: {{k: {cm}}}\n"));
    }
    for sec in SECRETS {
        s.push_str(&format!(
            "---\napiVersion: v1\nkind: Secret\nmetadata: {{name: {sec}}}\nstringData: {{k: {sec}}}\n"
        ));
    }
    s
}

/// Every string in `v` that is one of the original bundle names.
fn leftover_names(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if CMS.contains(&s.as_str()) || SECRETS.contains(&s.as_str()) => out.push(s.clone()),
        Value::Object(m) => m.values().for_each(|x| leftover_names(x, out)),
        Value::Array(a) => a.iter().for_each(|x| leftover_names(x, out)),
        _ => {}
    }
}

#[test]
fn every_pod_spec_row_is_rewritten_in_every_workload_kind() {
    for (kind, manifest) in workloads() {
        let tree = Tree::new().file("bundles.yaml", bundles()).file("w.yaml", &manifest);
        let run = tree.render(&[]);
        assert_eq!(run.code, 0, "{kind}:\n{manifest}\n{}", run.stderr);
        let docs = docs(&run.stdout);
        let w = docs.iter().find(|d| d["kind"] == kind.as_str() && d["metadata"]["name"] == "w").unwrap();
        let mut left = Vec::new();
        leftover_names(w, &mut left);
        assert!(left.is_empty(), "{kind}: not rewritten: {left:?}");
        for name in CMS {
            let new = name_of(&docs, "ConfigMap", name);
            assert!(new.starts_with(&format!("{name}-")), "{kind}: {name} -> {new}");
            assert!(serde_json::to_string(w).unwrap().contains(&format!("\"{new}\"")), "{kind}: {new} missing");
        }
        for name in SECRETS {
            let new = name_of(&docs, "Secret", name);
            assert!(serde_json::to_string(w).unwrap().contains(&format!("\"{new}\"")), "{kind}: {new} missing");
        }
    }
}

#[test]
fn non_pod_rows_are_rewritten() {
    let manifests = r#"
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
secrets: [{name: sa-token}]
imagePullSecrets: [{name: pull}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: basic
    nginx.ingress.kubernetes.io/auth-tls-secret: prod/ca
spec:
  tls: [{secretName: tls, hosts: [a.example.com]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: x
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls: {certificateRefs: [{name: gw-cert}, {kind: Secret, group: "", name: gw-cert2}]}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: hr}
spec:
  valuesFrom:
  - {kind: ConfigMap, name: hr-values}
  - {kind: Secret, name: hr-secret}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: wd}
spec:
  sources: [{secretName: custom}]
"#;
    let mut bundles = String::new();
    for s in ["sa-token", "pull", "basic", "ca", "tls", "gw-cert", "gw-cert2", "hr-secret", "custom"] {
        bundles.push_str(&format!(
            "---\napiVersion: v1\nkind: Secret\nmetadata: {{name: {s}, namespace: prod}}\ndata: {{a: eA==}}\n"
        ));
    }
    bundles
        .push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: hr-values, namespace: prod}\ndata: {a: x}\n");
    let tree = Tree::new()
        .file("m.yaml", manifests)
        .file("b.yaml", bundles)
        .file("imprint.yaml", "namespace: prod\nreferences:\n- {group: example.com, kind: Widget, path: \"spec.sources[].secretName\", target: Secret}\n");
    let docs = docs(tree.render(&[]).ok());
    let n = |k: &str, name: &str| name_of(&docs, k, name);
    let get = |kind: &str, name: &str| {
        docs.iter().find(|d| d["kind"] == kind && d["metadata"]["name"] == name).unwrap().clone()
    };
    let sa = get("ServiceAccount", "sa");
    assert_eq!(sa["secrets"][0]["name"], n("Secret", "sa-token"));
    assert_eq!(sa["imagePullSecrets"][0]["name"], n("Secret", "pull"));
    let ing = get("Ingress", "ing");
    assert_eq!(ing["spec"]["tls"][0]["secretName"], n("Secret", "tls"));
    assert_eq!(ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/auth-secret"], n("Secret", "basic"));
    assert_eq!(
        ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/auth-tls-secret"],
        format!("prod/{}", n("Secret", "ca"))
    );
    let gw = get("Gateway", "gw");
    assert_eq!(gw["spec"]["listeners"][0]["tls"]["certificateRefs"][0]["name"], n("Secret", "gw-cert"));
    assert_eq!(gw["spec"]["listeners"][0]["tls"]["certificateRefs"][1]["name"], n("Secret", "gw-cert2"));
    let hr = get("HelmRelease", "hr");
    assert_eq!(hr["spec"]["valuesFrom"][0]["name"], n("ConfigMap", "hr-values"));
    assert_eq!(hr["spec"]["valuesFrom"][1]["name"], n("Secret", "hr-secret"));
    assert_eq!(get("Widget", "wd")["spec"]["sources"][0]["secretName"], n("Secret", "custom"));
}

#[test]
fn references_resolve_in_their_own_namespace() {
    let cfg = |ns: &str, v: &str| {
        format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cfg, namespace: {ns}}}\ndata: {{v: \"{v}\"}}\n"
        )
    };
    let dep = |ns: &str| {
        format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{a: b}}}}\n  template:\n    metadata: {{labels: {{a: b}}}}\n    spec:\n      containers: [{{name: c, image: i, envFrom: [{{configMapRef: {{name: cfg}}}}]}}]\n"
        )
    };
    let role = "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: read}\nrules:\n- {apiGroups: [\"\"], resources: [configmaps], resourceNames: [cfg, other], verbs: [get]}\n";
    let tree = Tree::new()
        .file("a.yaml", format!("{}{}", cfg("a", "1"), dep("a")))
        .file("b.yaml", format!("{}{}{role}", cfg("b", "2"), dep("b")))
        .file("imprint.yaml", "versionResources: all\n");
    let docs = docs(tree.render(&[]).ok());
    let cm_in = |ns: &str| {
        docs.iter().find(|d| d["kind"] == "ConfigMap" && d["metadata"]["namespace"] == ns).unwrap()["metadata"]["name"]
            .clone()
    };
    let dep_in = |ns: &str| {
        docs.iter().find(|d| d["kind"] == "Deployment" && d["metadata"]["namespace"] == ns).unwrap()["spec"]["template"]
            ["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"]
            .clone()
    };
    assert_ne!(cm_in("a"), cm_in("b"));
    assert_eq!(dep_in("a"), cm_in("a"));
    assert_eq!(dep_in("b"), cm_in("b"));
    let cr = docs.iter().find(|d| d["kind"] == "ClusterRole").unwrap();
    let names: Vec<&Value> = cr["rules"][0]["resourceNames"].as_array().unwrap().iter().collect();
    assert_eq!(
        names,
        [&Value::from("cfg"), &cm_in("a"), &cm_in("b"), &Value::from("other")],
        "a ClusterRole's name expands to every namespace's version, and keeps the original for the others"
    );
}

/// Renders one ConfigMap `c` plus `extra` and says whether `c` was versioned,
/// with the notes printed under `-v`.
fn versioned(extra: &str, config: &str) -> (bool, String) {
    let tree = Tree::new()
        .file("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n")
        .file("x.yaml", extra)
        .file("imprint.yaml", config);
    let run = tree.render(&["-v"]);
    let docs = docs(run.ok());
    let c = find(&docs, "ConfigMap", "c").unwrap();
    (c["metadata"]["name"] != "c", run.stderr.clone())
}

fn deploy(env_from: &str, extra_container: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  selector: {{matchLabels: {{a: b}}}}\n  template:\n    metadata: {{labels: {{a: b}}}}\n    spec:\n      containers:\n      - name: main\n        image: i\n        envFrom: [{env_from}]\n{extra_container}"
    )
}

#[test]
fn referenced_mode_versions_only_safe_referenced_objects() {
    let used = deploy("{configMapRef: {name: c}}", "");
    assert!(versioned(&used, "").0);
    // Unreferenced, or only optionally referenced.
    let (v, notes) = versioned("apiVersion: v1\nkind: Namespace\nmetadata: {name: nsx}\n", "");
    assert!(!v && notes.contains("no workload references it"), "{notes}");
    let (v, notes) = versioned(&deploy("{configMapRef: {name: c, optional: true}}", ""), "");
    assert!(!v && notes.contains("optional"), "{notes}");
    // The name appears in container args: a process reads it by name.
    let args = deploy("{configMapRef: {name: c}}", "        args: [\"--configmap=$(POD_NAMESPACE)/c\"]\n");
    let (v, notes) = versioned(&args, "");
    assert!(!v && notes.contains("note[unversioned-name-used]") && notes.contains("args[0]"), "{notes}");
    // A token inside a longer token is not a mention; a volume named like it is not either.
    let homonyms = deploy(
        "{configMapRef: {name: c}}",
        "        args: [\"--config=/etc/c.yaml\", \"abc\"]\n      volumes: [{name: c, configMap: {name: c}}]\n",
    );
    assert!(versioned(&homonyms, "").0);
    // Another object with the same name.
    let (v, notes) = versioned(
        &format!("{used}---\napiVersion: v1\nkind: Service\nmetadata: {{name: c}}\nspec: {{ports: [{{port: 80}}]}}\n"),
        "",
    );
    assert!(!v && notes.contains("Service/c"), "{notes}");
    // RBAC resourceNames.
    let role = format!(
        "{used}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: r}}\nrules: [{{apiGroups: [\"\"], resources: [configmaps], resourceNames: [c], verbs: [get]}}]\n"
    );
    let (v, notes) = versioned(&role, "");
    assert!(
        !v && notes.contains("note[unversioned-rbac]") && notes.contains("Role.rbac.authorization.k8s.io/r"),
        "{notes}"
    );
    // The override annotation wins, both ways.
    let forced = role.clone();
    let tree = Tree::new()
        .file("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {imprint.dev/version: \"true\"}}\ndata: {k: v}\n")
        .file("x.yaml", &forced);
    let docs = docs(tree.render(&[]).ok());
    let new = name_of(&docs, "ConfigMap", "c");
    let r = docs.iter().find(|d| d["kind"] == "Role").unwrap();
    assert_eq!(r["rules"][0]["resourceNames"], serde_json::json!([new]), "a forced version rewrites the Role too");
    let tree = Tree::new()
        .file("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {imprint.dev/version: \"false\"}}\ndata: {k: v}\n")
        .file("x.yaml", &used);
    assert_eq!(name_of(&docs_of(&tree), "ConfigMap", "c"), "c");
}

fn docs_of(tree: &Tree) -> Vec<Value> {
    docs(tree.render(&[]).ok())
}

#[test]
fn fixed_names_and_persistent_volumes_are_never_renamed_by_default() {
    let fixed = Tree::new()
        .file("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm}\ndata: {k: v}\n")
        .file("d.yaml", deploy("{configMapRef: {name: argocd-cm}}", ""));
    let run = fixed.render(&["-v"]);
    assert_eq!(name_of(&docs(run.ok()), "ConfigMap", "argocd-cm"), "argocd-cm");
    assert!(run.stderr.contains("fixed name"), "{}", run.stderr);
    let pv = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteMany]\n  azureFile: {secretName: az, shareName: s}\n";
    let tree = Tree::new()
        .file("s.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: az}\ndata: {k: eA==}\n")
        .file("pv.yaml", pv)
        .file("d.yaml", deploy("{secretRef: {name: az}}", ""));
    let run = tree.render(&["-v"]);
    assert_eq!(name_of(&docs(run.ok()), "Secret", "az"), "az");
    assert!(run.stderr.contains("note[unversioned-pv]"), "{}", run.stderr);
}

#[test]
fn never_versioned_secrets() {
    let tree = Tree::new()
        .file("s.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: tok, annotations: {imprint.dev/version: \"true\", kubernetes.io/service-account.name: sa}}\ntype: kubernetes.io/service-account-token\n")
        .file("imprint.yaml", "versionResources: all\n");
    assert_eq!(name_of(&docs_of(&tree), "Secret", "tok"), "tok");
    let tree = Tree::new()
        .file("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: c-}\ndata: {k: v}\n")
        .file("imprint.yaml", "versionResources: all\n");
    let docs = docs_of(&tree);
    assert_eq!(docs[0]["metadata"]["generateName"], "c-");
    assert!(docs[0]["metadata"]["name"].is_null());
}

#[test]
fn version_resources_none_and_all() {
    let used = deploy("{configMapRef: {name: c}}", "");
    assert!(!versioned(&used, "versionResources: none\n").0);
    assert!(versioned("apiVersion: v1\nkind: Namespace\nmetadata: {name: nsx}\n", "versionResources: all\n").0);
    // An unknown mode: tests/fixtures/cases/version-resources-invalid.
}

#[test]
fn versioned_objects_carry_the_contract() {
    let tree = Tree::new()
        .file("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {argocd.argoproj.io/sync-options: Replace=true}\ndata: {k: v}\n")
        .file("imprint.yaml", "versionResources: all\n");
    let docs = docs_of(&tree);
    let c = &docs[0];
    let ann = &c["metadata"]["annotations"];
    assert_eq!(c["immutable"], true);
    assert_eq!(ann["imprint.dev/bundle"], "c");
    assert_eq!(ann["kustomize.toolkit.fluxcd.io/substitute"], "disabled");
    assert_eq!(ann["argocd.argoproj.io/sync-options"], "Replace=true,PruneLast=true");
    assert!(ann["imprint.dev/content-hash"].as_str().unwrap().len() == "blake3:".len() + 64);
    let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["apiVersion", "kind", "metadata", "immutable", "data"], "immutable goes after metadata");
}
