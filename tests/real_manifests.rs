//! Real public manifests (tests/data/real/, sources and licenses in each
//! folder's SOURCES.md) rendered against their ground truth
//! (GROUND_TRUTH.md): what is read by name keeps its name, what a pod or a
//! controller reads through a reference is versioned and rewritten, what a
//! controller writes is present. Files named imprint-addition.yaml are ours,
//! marked as such, for fields no published example uses.

mod common;
use common::*;
use serde_json::Value;

fn render(folder: &str) -> (Vec<Value>, String) {
    let dir = repo_root().join("tests/data/real").join(folder);
    let run = imprint(&["render", dir.to_str().unwrap(), "-v"], None, &[]);
    let out = run.ok().to_string();
    insta::assert_snapshot!(format!("real-{folder}"), out);
    (docs(&out), run.stderr)
}

fn get<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && (d["metadata"]["name"] == name || d["metadata"]["generateName"] == name))
        .unwrap_or_else(|| panic!("{kind}/{name} not in the output"))
}

/// A versioned name for `name`, asserted.
fn versioned(docs: &[Value], kind: &str, name: &str) -> String {
    let new = name_of(docs, kind, name);
    assert!(new.starts_with(&format!("{name}-")), "{kind} {name} is not versioned");
    new
}

#[test]
fn kube_prometheus() {
    let (docs, _) = render("kube-prometheus");
    let scrape = versioned(&docs, "Secret", "additional-scrape-configs");
    assert_eq!(get(&docs, "Prometheus", "prometheus")["spec"]["additionalScrapeConfigs"]["name"], scrape.as_str());
    let basic = versioned(&docs, "Secret", "basic-auth");
    let auth = &get(&docs, "ServiceMonitor", "basic-auth-example")["spec"]["endpoints"][0]["basicAuth"];
    assert_eq!(auth["username"]["name"], basic.as_str());
    assert_eq!(auth["password"]["name"], basic.as_str());
    // Written by cert-manager: present, never in the output, unchanged.
    let tls = &get(&docs, "ServiceMonitor", "project-controller-manager-metrics-monitor")["spec"]["endpoints"][0]["tlsConfig"];
    assert_eq!(tls["ca"]["secret"]["name"], "metrics-server-cert");
    assert_eq!(tls["keySecret"]["name"], "metrics-server-cert");
    // The addition: a bearer token Secret and a CA ConfigMap.
    let ep = &get(&docs, "ServiceMonitor", "bearer-and-ca-example")["spec"]["endpoints"][0];
    assert_eq!(ep["bearerTokenSecret"]["name"], versioned(&docs, "Secret", "scrape-token").as_str());
    assert_eq!(ep["tlsConfig"]["ca"]["configMap"]["name"], versioned(&docs, "ConfigMap", "scrape-ca").as_str());
    // File paths that say "secrets" are not names.
    let ksm = &get(&docs, "ServiceMonitor", "kube-state-metrics")["spec"]["endpoints"][0];
    assert_eq!(ksm["bearerTokenFile"], "/var/run/secrets/kubernetes.io/serviceaccount/token");
}

#[test]
fn cert_manager_tls() {
    // No externalNames: every Secret here is one cert-manager writes.
    let (docs, _) = render("cert-manager-tls");
    let web = get(&docs, "Deployment", "helloweb");
    assert_eq!(web["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"], "www-tls");
    let kuard = get(&docs, "Ingress", "kuard");
    assert_eq!(kuard["spec"]["tls"][0]["secretName"], "quickstart-example-tls");
    assert!(docs.iter().all(|d| d["kind"] != "Secret"), "nothing to version: no Secret is in the files");
}

#[test]
fn argo_workflows() {
    let (docs, notes) = render("argo-workflows");
    // Read by the controller by name and named in an annotation: kept.
    assert_eq!(name_of(&docs, "ConfigMap", "simple-parameters"), "simple-parameters");
    assert!(
        notes.contains("its name appears in Workflow.argoproj.io/argo/global-parameter-values-from-configmap-*"),
        "{notes}"
    );
    // Found by its default name: kept, whoever names it.
    assert_eq!(name_of(&docs, "ConfigMap", "artifact-repositories"), "artifact-repositories");
    // Named only inside the repository ConfigMap's text: kept.
    assert_eq!(name_of(&docs, "Secret", "my-minio-cred"), "my-minio-cred");
    // Made with kubectl create (externalNames): untouched references.
    let secrets = get(&docs, "Workflow", "secrets-");
    assert_eq!(secrets["spec"]["volumes"][0]["secret"]["secretName"], "my-secret");
    // The addition: a template container's envFrom.
    let wt = get(&docs, "WorkflowTemplate", "env-from-example");
    assert_eq!(
        wt["spec"]["templates"][0]["container"]["envFrom"][0]["secretRef"]["name"],
        versioned(&docs, "Secret", "wf-env").as_str()
    );
}

#[test]
fn tekton() {
    let (docs, _) = render("tekton");
    let custom = get(&docs, "TaskRun", "custom-volume-");
    let ws = custom["spec"]["workspaces"].as_array().unwrap();
    let by_name = |n: &str| ws.iter().find(|w| w["name"] == n).unwrap();
    assert_eq!(by_name("custom4")["configMap"]["name"], versioned(&docs, "ConfigMap", "my-configmap").as_str());
    assert_eq!(by_name("custom5")["secret"]["secretName"], versioned(&docs, "Secret", "my-secret").as_str());
    let cm = versioned(&docs, "ConfigMap", "config-for-testing-configmaps");
    let run = get(&docs, "TaskRun", "configmap-");
    assert_eq!(run["spec"]["taskSpec"]["steps"][0]["env"][0]["valueFrom"]["configMapKeyRef"]["name"], cm.as_str());
    assert_eq!(run["spec"]["taskSpec"]["volumes"][0]["configMap"]["name"], cm.as_str());
    let env_from = get(&docs, "TaskRun", "secret-env-from");
    assert_eq!(
        env_from["spec"]["taskSpec"]["steps"][0]["envFrom"][0]["secretRef"]["name"],
        versioned(&docs, "Secret", "secret-basic-auth").as_str()
    );
    let recipe = get(&docs, "PipelineRun", "recipe-time-");
    assert_eq!(
        recipe["spec"]["workspaces"][0]["secret"]["secretName"],
        versioned(&docs, "Secret", "secret-password").as_str()
    );
    assert_eq!(
        recipe["spec"]["workspaces"][1]["configMap"]["name"],
        versioned(&docs, "ConfigMap", "sensitive-recipe-storage").as_str()
    );
    // The workspace named super-secret-password holds the Secret's name as
    // part of a longer token: not a reference, left as it is.
    let task = get(&docs, "Task", "fetch-secure-data");
    assert_eq!(task["spec"]["workspaces"][0]["name"], "super-secret-password");
    assert!(task["spec"]["steps"][0]["script"].as_str().unwrap().contains("$(workspaces.super-secret-password.path)"));
    // The addition: a pod template's volume.
    let pt = get(&docs, "TaskRun", "pod-template-volume");
    assert_eq!(
        pt["spec"]["podTemplate"]["volumes"][0]["configMap"]["name"],
        versioned(&docs, "ConfigMap", "pod-template-settings").as_str()
    );
}
