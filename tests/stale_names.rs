//! Issue 14, "No stale name survives a render": every case a new user hit
//! on real manifests, as a regression test (SPEC §5 "The table is data",
//! "Shapes", "The stale-name guarantee", "Keys", "Providers"; §8 `fn`).
//! The cases that are one folder and one whole output live in
//! tests/fixtures/cases/ (run by tests/cases.rs): the stale name in a
//! controller flag, an annotation, a shell line and a cluster-scoped object;
//! the ambiguous cluster-scoped reference; two-argument flags; the missing
//! keys (in env, volume items, a Secret, optional, and under `check`);
//! `imprint.dev/external`; and invalid reference rule paths.

mod common;
use common::*;
use serde_json::Value;

/// The object of `kind` named `name` in the output.
fn get<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{kind}/{name} not in the output"))
}

fn deployment(name: &str, pod: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{pod}"
    )
}

/// Each field the issue saw left stale is now rewritten, and `check` counts
/// it as a use.
#[test]
fn fields_seen_stale_are_rewritten() {
    let config = r#"namespace: apps
secretGenerator:
- {name: scrape, literals: ["prometheus-additional.yaml=- job_name: x"]}
- {name: bearer, literals: [token=t]}
- {name: ca, literals: [ca.crt=c]}
- {name: wf-creds, literals: [user=u]}
- {name: step-env, literals: [K=v]}
- {name: es-certs, literals: [tls.crt=x]}
- {name: vars, literals: [CLUSTER=prod]}
- {name: admin, literals: [key=k]}
- {name: upstream-ca, literals: [ca.crt=c]}
- {name: basic, literals: [auth=a]}
- {name: wildcard, type: kubernetes.io/tls, literals: [tls.crt=c, tls.key=k]}
configMapGenerator:
- {name: fastcgi, literals: [SCRIPT_FILENAME=/x]}
- {name: nginx-config, literals: [use-forwarded-headers=true], options: {annotations: {imprint.dev/version: "true"}}}
"#;
    let manifests = format!(
        r#"apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {{name: k8s}}
spec:
  additionalScrapeConfigs: {{name: scrape, key: prometheus-additional.yaml}}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {{name: sm}}
spec:
  endpoints:
  - port: web
    bearerTokenSecret: {{name: bearer, key: token}}
    tlsConfig: {{ca: {{secret: {{name: ca, key: ca.crt}}}}}}
---
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {{name: wt}}
spec:
  templates:
  - name: main
    container: {{image: alpine, envFrom: [{{secretRef: {{name: wf-creds}}}}]}}
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {{name: task}}
spec:
  steps:
  - {{name: s, image: alpine, envFrom: [{{secretRef: {{name: step-env}}}}]}}
---
apiVersion: elasticsearch.k8s.elastic.co/v1
kind: Elasticsearch
metadata: {{name: es}}
spec:
  version: 9.0.0
  nodeSets:
  - name: default
    count: 1
    podTemplate:
      spec:
        volumes: [{{name: certs, secret: {{secretName: es-certs}}}}]
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: apps}}
spec:
  interval: 10m
  path: ./apps
  sourceRef: {{kind: GitRepository, name: repo}}
  postBuild:
    substituteFrom: [{{kind: Secret, name: vars}}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {{name: rbd}}
provisioner: kubernetes.io/rbd
parameters: {{adminSecretName: admin, adminSecretNamespace: apps}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ing
  annotations:
    nginx.ingress.kubernetes.io/proxy-ssl-secret: apps/upstream-ca
    nginx.ingress.kubernetes.io/fastcgi-params-configmap: fastcgi
    ingress.kubernetes.io/auth-secret: basic
spec:
  rules: [{{host: a.example.com}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: gateways}}
spec:
  gatewayClassName: x
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    tls: {{certificateRefs: [{{name: wildcard, namespace: apps}}]}}
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {{name: allow-gateways}}
spec:
  from: [{{group: gateway.networking.k8s.io, kind: Gateway, namespace: gateways}}]
  to: [{{group: "", kind: Secret, name: wildcard}}]
---
{}"#,
        deployment(
            "ingress-nginx-controller",
            "      containers:\n      - name: controller\n        image: ingress-nginx\n        args: [/nginx-ingress-controller, \"--configmap=$(POD_NAMESPACE)/nginx-config\"]\n"
        )
    );
    let tree = Tree::new().file("imprint.yaml", config).file("m.yaml", manifests);
    let docs = docs(tree.render(&[]).ok());
    let n = |kind: &str, name: &str| {
        let new = name_of(&docs, kind, name);
        assert!(new.starts_with(&format!("{name}-")), "{kind} {name} was not versioned: {new}");
        new
    };
    assert_eq!(get(&docs, "Prometheus", "k8s")["spec"]["additionalScrapeConfigs"]["name"], n("Secret", "scrape"));
    let ep = &get(&docs, "ServiceMonitor", "sm")["spec"]["endpoints"][0];
    assert_eq!(ep["bearerTokenSecret"]["name"], n("Secret", "bearer"));
    assert_eq!(ep["tlsConfig"]["ca"]["secret"]["name"], n("Secret", "ca"));
    let wt = get(&docs, "WorkflowTemplate", "wt");
    assert_eq!(wt["spec"]["templates"][0]["container"]["envFrom"][0]["secretRef"]["name"], n("Secret", "wf-creds"));
    assert_eq!(
        get(&docs, "Task", "task")["spec"]["steps"][0]["envFrom"][0]["secretRef"]["name"],
        n("Secret", "step-env")
    );
    let es = get(&docs, "Elasticsearch", "es");
    assert_eq!(
        es["spec"]["nodeSets"][0]["podTemplate"]["spec"]["volumes"][0]["secret"]["secretName"],
        n("Secret", "es-certs")
    );
    assert_eq!(
        get(&docs, "Kustomization", "apps")["spec"]["postBuild"]["substituteFrom"][0]["name"],
        n("Secret", "vars")
    );
    assert_eq!(get(&docs, "StorageClass", "rbd")["parameters"]["adminSecretName"], n("Secret", "admin"));
    let ann = &get(&docs, "Ingress", "ing")["metadata"]["annotations"];
    assert_eq!(ann["nginx.ingress.kubernetes.io/proxy-ssl-secret"], format!("apps/{}", n("Secret", "upstream-ca")));
    assert_eq!(ann["nginx.ingress.kubernetes.io/fastcgi-params-configmap"], n("ConfigMap", "fastcgi"));
    assert_eq!(ann["ingress.kubernetes.io/auth-secret"], n("Secret", "basic"));
    let gw = get(&docs, "Gateway", "gw");
    assert_eq!(gw["spec"]["listeners"][0]["tls"]["certificateRefs"][0]["name"], n("Secret", "wildcard"));
    let grant = get(&docs, "ReferenceGrant", "allow-gateways");
    assert_eq!(grant["spec"]["to"][0]["name"], n("Secret", "wildcard"), "the grant follows the Gateway's reference");
    let ctrl = get(&docs, "Deployment", "ingress-nginx-controller");
    assert_eq!(
        ctrl["spec"]["template"]["spec"]["containers"][0]["args"][1],
        format!("--configmap=$(POD_NAMESPACE)/{}", n("ConfigMap", "nginx-config"))
    );
    // `check` sees every one of them used.
    let run = imprint(&["check", tree.path().to_str().unwrap(), "--format", "json"], None, &[]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let unused: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "unused-bundle").collect();
    assert!(unused.is_empty(), "{unused:?}");
}

/// A field the table does not know, for each reference shape: an error
/// naming object, file, line, field, old and new name, and the rule to add;
/// with that rule added, the render succeeds and the field is rewritten.
#[test]
fn a_stale_name_is_an_error_with_the_rule_that_fixes_it() {
    let cases: &[(&str, &str, &str)] = &[
        // (spec fragment, field path, rule path)
        (
            "  auth: {tokenSecret: {name: creds, key: token}}\n",
            "spec.auth.tokenSecret.name",
            "spec.auth.tokenSecret.name",
        ),
        ("  refs:\n  - {kind: Secret, name: creds}\n", "spec.refs[0].name", "spec.refs[].name"),
        ("  tls: {caSecretName: creds}\n", "spec.tls.caSecretName", "spec.tls.caSecretName"),
        ("  mounts: {secrets: [creds]}\n", "spec.mounts.secrets[0]", "spec.mounts.secrets[]"),
        ("  clientCertSecretRef: {name: creds}\n", "spec.clientCertSecretRef.name", "spec.clientCertSecretRef.name"),
    ];
    for (fragment, field, rule_path) in cases {
        let widget = format!("apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w}}\nspec:\n{fragment}");
        // Versioned on purpose: a name in an unknown field would otherwise
        // keep it unversioned (§4 name-use scan), and the net is for this.
        let config = "namespace: apps\nsecretGenerator:\n- {name: creds, literals: [token=abc], options: {annotations: {imprint.dev/version: \"true\"}}}\n";
        let tree = Tree::new().file("imprint.yaml", config).file("w.yaml", &widget);
        let err = tree.render(&[]).bad_input(&[]).to_string();
        let first = err.lines().next().unwrap();
        assert!(
            first.starts_with(&format!(
                "error: stale reference: Widget.example.com/apps/w still names Secret \"creds\" at {field}, which imprint renamed to \"creds-"
            )) && first.ends_with("(w.yaml:1)"),
            "{err}"
        );
        assert!(err.contains(&format!("\n  field: {field}\n")), "{err}");
        // A path with `[` is quoted: it is a YAML flow mapping.
        let shown = if rule_path.contains('[') { format!("'{rule_path}'") } else { (*rule_path).to_string() };
        let hint = format!("{{group: example.com, kind: Widget, path: {shown}, target: Secret}}");
        assert!(err.contains(&format!("add `- {hint}` to references in imprint.yaml")), "{err}");
        assert!(err.contains("annotate Secret apps/creds with imprint.dev/version: \"false\""), "{err}");
        // The suggested rule, pasted as is, fixes it.
        let fixed =
            Tree::new().file("imprint.yaml", format!("{config}references:\n- {hint}\n")).file("w.yaml", &widget);
        let docs = docs(fixed.render(&[]).ok());
        let field_path = field.replace("[0]", ".0").replace("[1]", ".1");
        let mut v = get(&docs, "Widget", "w");
        for seg in field_path.split('.') {
            v = match seg.parse::<usize>() {
                Ok(i) => &v[i],
                Err(_) => &v[seg],
            };
        }
        assert_eq!(v, &Value::from(name_of(&docs, "Secret", "creds")), "{field}");
        // `check` reports it as a finding and exits 1.
        let run = imprint(&["check", tree.path().to_str().unwrap()], None, &[]);
        assert_eq!(run.code, 1);
        assert!(run.stdout.contains("error[stale-reference]"), "{}", run.stdout);
    }
}

/// What cert-manager, External Secrets, Sealed Secrets, Crossplane and
/// trust-manager write is present, and never versioned.
#[test]
fn providers_make_names_present_and_keep_them() {
    let pod = |volumes: &str| {
        deployment("web", &format!("      containers: [{{name: c, image: i}}]\n      volumes:\n{volumes}"))
    };
    let manifests = format!(
        r#"{}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {{name: web}}
spec: {{secretName: web-tls, issuerRef: {{name: le, kind: ClusterIssuer}}, dnsNames: [web.example.com]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations: {{cert-manager.io/cluster-issuer: le}}
spec:
  tls: [{{hosts: [web.example.com], secretName: web-ingress-tls}}]
  rules: [{{host: web.example.com}}]
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {{name: api-creds}}
spec: {{secretStoreRef: {{name: vault, kind: ClusterSecretStore}}, data: []}}
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {{name: sealed}}
spec: {{encryptedData: {{k: AgBy}}}}
---
apiVersion: database.example.org/v1alpha1
kind: PostgreSQLInstance
metadata: {{name: db}}
spec: {{writeConnectionSecretToRef: {{name: db-conn}}}}
---
apiVersion: trust.cert-manager.io/v1alpha1
kind: Bundle
metadata: {{name: trust-bundle}}
spec: {{sources: [{{useDefaultCAs: true}}], target: {{configMap: {{key: ca.crt}}}}}}
"#,
        pod(
            "      - {name: a, secret: {secretName: web-tls}}\n      - {name: b, secret: {secretName: api-creds}}\n      - {name: c, secret: {secretName: sealed}}\n      - {name: d, secret: {secretName: db-conn}}\n      - {name: e, configMap: {name: trust-bundle}}\n"
        )
    );
    let tree = Tree::new().file("imprint.yaml", "namespace: web\n").file("m.yaml", &manifests);
    tree.render(&[]).ok();
    // A placeholder beside its writer keeps its name, even when asked to
    // version it: an immutable copy under a new name would never be filled.
    let placeholder = "---\napiVersion: v1\nkind: Secret\nmetadata: {name: web-tls, annotations: {imprint.dev/version: \"true\"}}\ntype: kubernetes.io/tls\ndata: {tls.crt: eA==, tls.key: eA==}\n";
    let tree = Tree::new().file("imprint.yaml", "namespace: web\n").file("m.yaml", format!("{manifests}{placeholder}"));
    let run = tree.render(&["-v"]);
    assert_eq!(name_of(&docs(run.ok()), "Secret", "web-tls"), "web-tls");
    assert!(
        run.stderr.contains("note[unversioned-provided]: not versioned: Certificate.cert-manager.io/web/web writes it (spec.secretName, m.yaml:"),
        "{}",
        run.stderr
    );
}

/// Policies are not workloads: no uses, no rewrite, no default namespace
/// for cluster-scoped ones; a renamed name inside one is an error.
#[test]
fn policies_are_not_workloads() {
    let policy = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: inject-settings}\nspec:\n  rules:\n  - name: inject\n    match: {any: [{resources: {kinds: [Deployment]}}]}\n    mutate:\n      patchStrategicMerge:\n        spec:\n          template:\n            spec:\n              containers:\n              - (name): \"*\"\n                envFrom: [{configMapRef: {name: settings}}]\n";
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n";
    let tree = Tree::new().file("imprint.yaml", "namespace: apps\n").file("p.yaml", policy).file("c.yaml", cm);
    let run = tree.render(&["-v"]);
    let out = docs(run.ok());
    assert_eq!(name_of(&out, "ConfigMap", "settings"), "settings", "a policy's mention is not a use");
    assert!(run.stderr.contains("no workload references it"), "{}", run.stderr);
    assert!(get(&out, "ClusterPolicy", "inject-settings")["metadata"]["namespace"].is_null(), "cluster-scoped");
    // Used by a workload too, the name the policy holds keeps it unversioned
    // (§4: its name appears elsewhere).
    let user =
        deployment("web", "      containers: [{name: c, image: i, envFrom: [{configMapRef: {name: settings}}]}]\n");
    let tree = Tree::new()
        .file("imprint.yaml", "namespace: apps\n")
        .file("p.yaml", policy)
        .file("c.yaml", cm)
        .file("d.yaml", &user);
    let run = tree.render(&["-v"]);
    assert_eq!(name_of(&docs(run.ok()), "ConfigMap", "settings"), "settings");
    assert!(run.stderr.contains("its name appears in ClusterPolicy.kyverno.io/inject-settings"), "{}", run.stderr);
    // Generated (always versioned), the policy would inject a pruned name
    // everywhere: an error that says to keep the name.
    let generated = "namespace: apps\nconfigMapGenerator:\n- {name: settings, literals: [a=b], options: {annotations: {imprint.dev/version: \"true\"}}}\n";
    let tree = Tree::new().file("imprint.yaml", generated).file("p.yaml", policy).file("d.yaml", &user);
    let err = tree.render(&[]).bad_input(&[]).to_string();
    assert!(err.contains("ClusterPolicy.kyverno.io/inject-settings still names ConfigMap \"settings\""), "{err}");
    assert!(
        err.contains(
            "help: a policy injects the name it holds into other objects, so keep it: annotate ConfigMap apps/settings"
        ),
        "{err}"
    );
}

#[test]
fn well_known_cluster_scoped_kinds_get_no_namespace() {
    let objs = "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: le}\nspec: {selfSigned: {}}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gc}\nspec: {controllerName: x}\n---\napiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: local}\nspec: {selfSigned: {}}\n";
    let docs = docs(Tree::new().file("imprint.yaml", "namespace: apps\n").file("o.yaml", objs).render(&[]).ok());
    assert!(get(&docs, "ClusterIssuer", "le")["metadata"]["namespace"].is_null());
    assert!(get(&docs, "GatewayClass", "gc")["metadata"]["namespace"].is_null());
    assert_eq!(get(&docs, "Issuer", "local")["metadata"]["namespace"], "apps");
}

/// `imprint fn` stops the host's build where `render` would stop.
#[test]
fn fn_fails_like_render() {
    let list = r#"{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
      "functionConfig": {"apiVersion": "imprint.dev/v1alpha1", "kind": "Render", "namespace": "apps",
                         "configMapGenerator": [{"name": "settings", "literals": ["A=b"],
                                                 "options": {"annotations": {"imprint.dev/version": "true"}}}]},
      "items": [{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
                 "spec": {"settingsConfigMapName": "settings"}}]}"#;
    let out = imprint(&["fn"], Some(list), &[]);
    assert_eq!(out.code, 1);
    let v = docs(&out.stdout).remove(0);
    let r = &v["results"][0];
    assert_eq!(r["severity"], "error");
    assert!(
        r["message"].as_str().unwrap().starts_with("[stale-reference] stale reference: Widget.example.com/apps/w"),
        "{r}"
    );
    // The legacy exec plugin (plain streams) exits 2 with the render's error.
    let t = Tree::new();
    let cfg = t.path().join("plugin.yaml");
    std::fs::write(
        &cfg,
        "apiVersion: imprint.dev/v1alpha1\nkind: Render\nmetadata: {name: imprint}\nnamespace: apps\n",
    )
    .unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i, envFrom: [{configMapRef: {name: missing}}]}]}\n";
    let run = imprint(&["fn", cfg.to_str().unwrap()], Some(pod), &[]);
    run.bad_input(&["dangling reference", "missing"]);
}

mod property {
    use super::common::rows::{NS, bundle, referrer, target_and_text};
    use imprint::model::BundleKind;
    use imprint::refs::rule::Role;
    use imprint::refs::table;
    use proptest::prelude::*;
    use serde_json::Value;

    /// Rows whose fixture can share a render with others (a row that names
    /// its object by its own `metadata.name` would clash).
    fn rows() -> Vec<usize> {
        table::builtin().iter().enumerate().filter(|(_, r)| r.path != "metadata.name").map(|(i, _)| i).collect()
    }

    /// The Kubernetes rows (PodSpecs, containers, volumes, built-in kinds):
    /// a few dozen among 1,600, drawn half the time so every case has some.
    fn kubernetes_rows() -> Vec<usize> {
        rows().into_iter().filter(|&i| table::builtin()[i].project == "Kubernetes").collect()
    }

    fn row() -> impl Strategy<Value = usize> {
        prop_oneof![proptest::sample::select(kubernetes_rows()), proptest::sample::select(rows())]
    }

    /// Every string of `v` with its path, except RBAC `resourceNames`, which
    /// keep an original name on purpose (a ClusterRole's may stand for an
    /// unversioned object of another namespace).
    fn strings<'a>(v: &'a Value, path: &mut Vec<String>, out: &mut Vec<(String, &'a str)>) {
        match v {
            Value::String(s) => out.push((path.join("."), s)),
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    path.push(i.to_string());
                    strings(x, path, out);
                    path.pop();
                }
            }
            Value::Object(m) => {
                for (k, x) in m.iter().filter(|(k, _)| k.as_str() != "resourceNames") {
                    path.push(k.clone());
                    strings(x, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Random bundles, some versioned, referenced from random rows of the
        /// table (in built-in workloads and by shape): after the render, no
        /// string outside the bundles holds a renamed bundle's original name
        /// as a token (names are unique random tokens, so any occurrence is
        /// a use left stale).
        #[test]
        fn no_original_name_of_a_renamed_object_survives(
            picks in proptest::collection::vec((row(), 0..4usize, any::<bool>()), 1..12),
            versioned in proptest::collection::vec(any::<bool>(), 8),
            tag in "[a-z]{5}",
        ) {
            let table = table::builtin();
            let name = |t: BundleKind, i: usize| format!("{}{i}-{tag}", if t == BundleKind::ConfigMap { "cm" } else { "s" });
            let mut docs = Vec::new();
            for (t, offset) in [(BundleKind::ConfigMap, 0), (BundleKind::Secret, 4)] {
                for i in 0..4 {
                    docs.push(bundle(t, &name(t, i), versioned[offset + i]));
                }
            }
            for (j, (row, i, shape)) in picks.iter().enumerate() {
                let rule = &table[*row];
                let (t, _) = target_and_text(rule, "x");
                let (obj, _) = referrer(rule, &name(t, *i), &format!("r{j}"), *shape);
                docs.push(obj);
            }
            let stream = imprint::yaml::to_yaml_stream(docs.iter());
            let loaded = imprint::load::load_stream(&stream, "p.yaml", &imprint::limits::Limits::default()).unwrap();
            let out = imprint::pipeline::run(loaded, &imprint::render::Options::default(), None)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{stream}")))?;
            let renamed: Vec<String> = out
                .objects
                .iter()
                .filter_map(|o| o.annotation("imprint.dev/bundle").filter(|old| *old != o.name()).map(str::to_string))
                .collect();
            for o in out.objects.iter().filter(|o| o.bundle_kind().is_none()) {
                let mut found = Vec::new();
                strings(&o.value, &mut Vec::new(), &mut found);
                for (path, s) in found {
                    for token in s.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))) {
                        prop_assert!(!renamed.iter().any(|r| r == token), "{} at {path} still holds {token}\n{stream}", o.id());
                    }
                }
            }
            // Providers' objects keep their names.
            for (row, i, _) in &picks {
                let rule = &table[*row];
                if rule.role == Role::Provides {
                    let (t, _) = target_and_text(rule, "x");
                    prop_assert!(!renamed.contains(&name(t, *i)));
                }
            }
            prop_assert!(NS == "ns");
        }
    }
}

/// An adversarial review's cases (tests/fixtures/second-review/<case>/):
/// each rendered, with what must happen. `kept`: the object keeps its name,
/// with the note that says why; `ok`: renders; `error`: refused, naming it.
#[test]
fn second_review_cases() {
    enum Expect {
        Kept(&'static str, &'static str, &'static str),
        Ok,
        Error(&'static str),
    }
    use Expect::{Error, Kept, Ok};
    let cases: &[(&str, Expect)] = &[
        // A generated bundle with a fixed name, or named where a program
        // reads it (a two-argument flag, an env value, a policy's clone).
        ("gen-fixed", Kept("ConfigMap", "argocd-cm", "note[unversioned-fixed-name]")),
        ("gen-mention", Kept("ConfigMap", "nginx-conf", "note[unversioned-name-used]")),
        ("kyverno-clone", Kept("Secret", "regcred", "ClusterPolicy.kyverno.io/sync-secrets at spec.rules[0].generate")),
        // A controller writes it by a compiled-in name, even with data in it.
        ("gatekeeper", Kept("Secret", "gatekeeper-webhook-server-cert", "Gatekeeper's cert rotator")),
        // Empty and mounted: filled at run time.
        ("placeholder", Kept("Secret", "webhook-server-cert", "note[unversioned-placeholder]")),
        // A name that is also a mount folder.
        ("prom-secrets", Kept("Secret", "etcd-client-certs", "note[unversioned-pinned]")),
        ("prom-sd", Kept("Secret", "etcd-certs", "note[unversioned-pinned]")),
        // A name inside a Secret's (base64) content.
        (
            "secret-mention",
            Kept("ConfigMap", "app-config", "its name appears in Secret/a/bootstrap at data[\"bootstrap.yaml\"]"),
        ),
        (
            "secret-stringdata",
            Kept(
                "ConfigMap",
                "orders-settings",
                "its name appears in Secret/shop/orders-bootstrap at data[\"bootstrap.yaml\"]",
            ),
        ),
        // Chart values: named there, kept; not a workload, so not dangling.
        (
            "hr-tls",
            Kept(
                "Secret",
                "web-tls",
                "HelmRelease.helm.toolkit.fluxcd.io/web/web at spec.values.ingress.tls[0].secretName",
            ),
        ),
        (
            "hr-target",
            Kept("ConfigMap", "app-settings", "HelmRelease.helm.toolkit.fluxcd.io/flux-system/web at spec.values"),
        ),
        (
            "argo-app",
            Kept("ConfigMap", "app-settings", "Application.argoproj.io/argocd/web at spec.source.helm.valuesObject"),
        ),
        // Written by another object, read from a cluster-scoped or any-namespace reference.
        ("ca-bootstrap", Ok),
        ("istio-cert", Ok),
        ("spc", Ok),
        ("vso", Ok),
        // A semaphore with its own namespace field.
        ("argo-sem", Ok),
        // Refused, naming why.
        ("custom-nsglob", Error("references[0].namespacePath: \"spec.*Auth.secretRef.namespace\" holds '*' or '**'")),
        ("ci-wrongns", Error("that name means different objects in namespaces team-a (now \"ca-key-pair-")),
    ];
    for (case, expect) in cases {
        let dir = repo_root().join("tests/fixtures/second-review").join(case);
        let run = imprint(&["render", dir.to_str().unwrap(), "-v"], None, &[]);
        match expect {
            Kept(kind, name, why) => {
                let out = docs(&run.stdout);
                assert_eq!(run.code, 0, "{case}: {}", run.stderr);
                assert_eq!(name_of(&out, kind, name), *name, "{case}");
                assert!(run.stderr.contains(why), "{case}: {}", run.stderr);
            }
            Ok => assert_eq!(run.code, 0, "{case}: {}", run.stderr),
            Error(why) => {
                run.bad_input(&[why]);
            }
        }
    }
    // An external Secret of the same name elsewhere: also in the message.
    let run =
        imprint(&["render", repo_root().join("tests/fixtures/second-review/ci-wrongns").to_str().unwrap()], None, &[]);
    assert!(run.stderr.contains("cert-manager (externalNames, not renamed)"), "{}", run.stderr);
}

/// Without -v, one line says how many objects keep their names.
#[test]
fn kept_names_are_counted_by_default() {
    let dir = repo_root().join("tests/fixtures/second-review/placeholder");
    let run = imprint(&["render", dir.to_str().unwrap()], None, &[]);
    assert_eq!(
        run.stderr,
        "note: 2 objects keep their names for safety (a change to them rolls nothing); -v says why for each\n"
    );
    assert!(imprint(&["render", dir.to_str().unwrap(), "-q"], None, &[]).stderr.is_empty());
}

#[test]
fn a_rule_for_a_kind_nobody_has_is_a_warning() {
    let dir = repo_root().join("tests/fixtures/second-review/norule");
    let run = imprint(&["render", dir.to_str().unwrap()], None, &[]);
    assert!(
        run.stderr.contains("warning[unused-reference-rule]: references[0] is for kind KafkaUserThing in the core group (no `group`), and no object of the input is"),
        "{}",
        run.stderr
    );
}

/// A KRM host shows only the result's message: it carries the help.
#[test]
fn fn_results_carry_the_fix() {
    let list = r#"{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
      "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a"},
                 "spec": {"containers": [{"name": "c", "image": "i", "envFrom": [{"configMapRef": {"name": "gone"}}]}]}}]}"#;
    let out = imprint(&["fn"], Some(list), &[]);
    let v = docs(&out.stdout).remove(0);
    let message = v["results"][0]["message"].as_str().unwrap();
    assert!(message.contains("\n  help: if it is created at run time, add `- a/gone` to externalNames"), "{message}");
}

/// Host bookkeeping annotations (`config.kubernetes.io/path`) are not
/// mentions of a name.
#[test]
fn host_annotations_are_not_mentions() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config}\ndata: {a: b}\n";
    let user = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {config.kubernetes.io/path: app-config/pod.yaml}\nspec: {containers: [{name: c, image: i, envFrom: [{configMapRef: {name: app-config}}]}]}\n";
    let out = docs(Tree::new().file("c.yaml", cm).file("p.yaml", user).render(&[]).ok());
    assert_ne!(name_of(&out, "ConfigMap", "app-config"), "app-config");
}
