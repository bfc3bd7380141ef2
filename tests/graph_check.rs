//! `graph` and `check` on fixture trees: every format, both filters, and a
//! fixture for every finding.

mod common;
use common::*;
use serde_json::Value;

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {k: v}\n";

fn deploy(name: &str, env_from: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        envFrom: [{env_from}]\n"
    )
}

fn app() -> Tree {
    Tree::new()
        .file(
            "imprint.yaml",
            "namespace: prod\nconfigMapGenerator:\n- name: gen\n  literals: [A=1]\n- name: lonely\n  literals: [B=2]\n",
        )
        .file("cm.yaml", CM)
        .file("web.yaml", deploy("web", "{configMapRef: {name: gen}}, {configMapRef: {name: cfg}}"))
        .file("job.yaml", deploy("worker", "{configMapRef: {name: gen}}"))
}

fn run(tree: &Tree, args: &[&str]) -> Run {
    let mut all = vec![args[0], tree.path().to_str().unwrap()];
    all.extend_from_slice(&args[1..]);
    imprint(&all, None, &[])
}

#[test]
fn graph_table_groups_by_bundle_and_lists_unused() {
    let t = app();
    let out = run(&t, &["graph"]).ok().to_string();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("BUNDLE") && lines[0].contains("USED BY"), "{out}");
    assert!(out.contains("prod/ConfigMap cfg  cfg-"), "{out}");
    assert!(out.contains("prod/ConfigMap gen") && out.contains("prod/Deployment worker"), "{out}");
    assert!(out.contains("Unused (1):\n  prod/ConfigMap lonely"), "{out}");
    // Columns align: "USED BY" starts at the same column on every row.
    let col = lines[0].find("USED BY").unwrap();
    assert!(lines[1..3].iter().all(|l| l[col..].starts_with("prod/Deployment")), "{out}");
}

#[test]
fn graph_json_dot_mermaid_and_filters() {
    let t = app();
    let v: Value = serde_json::from_str(run(&t, &["graph", "--format", "json"]).ok()).unwrap();
    assert_eq!(v["schemaVersion"], 1);
    let generated = v["bundles"].as_array().unwrap().iter().find(|b| b["name"] == "gen").unwrap();
    assert!(generated["versionedName"].as_str().unwrap().starts_with("gen-"));
    assert_eq!(generated["usedBy"].as_array().unwrap().len(), 2);
    assert_eq!(generated["usedBy"][0]["via"], "envFrom");
    assert_eq!(generated["usedBy"][0]["referrer"]["kind"], "Deployment");
    let dot = run(&t, &["graph", "--format", "dot"]).ok().to_string();
    assert!(
        dot.starts_with("digraph imprint {") && dot.contains("subgraph cluster_0") && dot.contains("shape=note"),
        "{dot}"
    );
    assert!(dot.contains("[label=\"envFrom\"]"), "{dot}");
    let mermaid = run(&t, &["graph", "--format", "mermaid"]).ok().to_string();
    assert!(
        mermaid.starts_with("flowchart LR\n")
            && mermaid.contains("subgraph ns_0[\"prod\"]")
            && mermaid.contains("-- envFrom -->"),
        "{mermaid}"
    );
    let only: Value = serde_json::from_str(run(&t, &["graph", "--format", "json", "--bundle", "cfg"]).ok()).unwrap();
    assert_eq!(only["bundles"].as_array().unwrap().len(), 1);
    let w: Value = serde_json::from_str(run(&t, &["graph", "--format", "json", "--workload", "worker"]).ok()).unwrap();
    let names: Vec<&str> = w["bundles"].as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["gen"]);
}

#[test]
fn graph_shows_dangling_with_allow_dangling() {
    let t = Tree::new().file("web.yaml", deploy("web", "{configMapRef: {name: missing}}"));
    run(&t, &["graph"]).bad_input(&["dangling reference"]);
    let out = run(&t, &["graph", "--allow-dangling"]).ok().to_string();
    assert!(out.contains("Dangling (1):") && out.contains("ConfigMap \"missing\""), "{out}");
    let dot = run(&t, &["graph", "--allow-dangling", "--format", "dot"]).ok().to_string();
    assert!(dot.contains("color=red"), "{dot}");
}

/// Runs imprint in `dir`, so app paths print as given.
fn run_at(dir: &std::path::Path, args: &[&str]) -> Run {
    let out = std::process::Command::new(bin()).current_dir(dir).args(args).env_clear().output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Two apps with a ConfigMap of the same name, and a folder that is no app.
fn repo_of_apps() -> Tree {
    let web =
        |ns: &str| format!("namespace: {ns}\nconfigMapGenerator:\n- name: payment-api-config\n  literals: [A={ns}]\n");
    Tree::new()
        .file("apps/payments/imprint.yaml", web("payments"))
        .file("apps/payments/web.yaml", deploy("payment-api", "{configMapRef: {name: payment-api-config}}"))
        .file("apps/shop/imprint.yaml", web("shop"))
        .file("apps/shop/web.yaml", deploy("shop", "{configMapRef: {name: payment-api-config}}"))
        .file("apps/team/billing/imprint.yaml", "namespace: billing\n")
        .file("apps/team/billing/cm.yaml", CM)
        .file("docs/README.md", "not an app")
        .file(".github/imprint.yaml", "not read: hidden")
}

/// "Which apps use payment-api-config?": one graph over every app, the app
/// on every row, in every format.
#[test]
fn graph_over_several_apps() {
    let t = repo_of_apps();
    let table = run_at(t.path(), &["graph", "apps/payments", "apps/shop/", "--bundle", "payment-api-config"]);
    let out = table.ok();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("APP ") && lines[0].contains("BUNDLE"), "{out}");
    assert!(lines[1].starts_with("apps/payments ") && lines[1].contains("payments/Deployment payment-api"), "{out}");
    assert!(lines[2].starts_with("apps/shop ") && lines[2].contains("shop/Deployment shop"), "{out}");
    assert_eq!(lines.len(), 3, "{out}");

    let all = run_at(t.path(), &["graph", "-r", ".", "--format", "json"]);
    let v: Value = serde_json::from_str(all.ok()).unwrap();
    let apps: Vec<&str> = v["bundles"].as_array().unwrap().iter().map(|b| b["app"].as_str().unwrap()).collect();
    assert_eq!(apps, ["apps/payments", "apps/shop", "apps/team/billing"], "{v}");
    // Found from a subfolder too, paths then relative to it.
    let below = run_at(&t.path().join("apps"), &["graph", "--recursive", "shop", "--format", "json"]);
    let v: Value = serde_json::from_str(below.ok()).unwrap();
    assert_eq!(v["bundles"][0]["app"], "shop");
    // One app: no app field, no APP column (the single-app output is unchanged).
    let one = run_at(t.path(), &["graph", "apps/shop", "--format", "json"]);
    assert!(!one.ok().contains("\"app\""), "{}", one.stdout);
    assert!(run_at(t.path(), &["graph", "apps/shop"]).ok().starts_with("BUNDLE"));

    let dot = run_at(t.path(), &["graph", "-r", ".", "--format", "dot"]).ok().to_string();
    assert!(dot.contains("label=\"apps/payments\"") && dot.contains("label=\"apps/shop\""), "{dot}");
    // The same object in two apps is two nodes.
    assert!(dot.contains("\"apps/payments:bundle:ConfigMap/payments/payment-api-config\""), "{dot}");
    let mermaid = run_at(t.path(), &["graph", "-r", ".", "--format", "mermaid"]).ok().to_string();
    assert!(mermaid.contains("subgraph app_0[\"apps/payments\"]"), "{mermaid}");

    // Each app once, however it is spelt; shown as first given, tidied.
    let twice = run_at(t.path(), &["graph", "./apps//shop/", "apps/shop", "-r", "apps/shop", "--format", "json"]);
    let v: Value = serde_json::from_str(twice.ok()).unwrap();
    let apps: Vec<&str> = v["bundles"].as_array().unwrap().iter().map(|b| b["app"].as_str().unwrap()).collect();
    assert_eq!(apps, ["apps/shop"], "{v}");

    // Errors name the app's file.
    let t = t.file("apps/shop/broken.yaml", "kind: [");
    run_at(t.path(), &["graph", "-r", "."]).bad_input(&["apps/shop/broken.yaml"]);
    run_at(t.path(), &["graph", "-r", "docs"]).bad_input(&["no folder under docs holds an imprint.yaml"]);
    run_at(t.path(), &["graph", "apps/payments", "-"]).bad_input(&["`-` (stdin) cannot be combined"]);
}

/// `check` over several apps: one report, file paths from where it ran.
#[test]
fn check_over_several_apps() {
    let lonely = "configMapGenerator:\n- name: lonely\n  literals: [B=2]\n";
    let t = repo_of_apps().file("apps/team/billing/imprint.yaml", format!("namespace: billing\n{lonely}")).file(
        "apps/shop/imprint.yaml",
        format!("namespace: shop\n{lonely}- name: payment-api-config\n  literals: [A=1]\n"),
    );
    let run = run_at(t.path(), &["check", "-r", ".", "--format", "json"]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let files: Vec<&str> = v["findings"].as_array().unwrap().iter().filter_map(|f| f["file"].as_str()).collect();
    assert!(files.iter().any(|f| f.starts_with("apps/team/billing/")), "{v}");
    assert!(files.iter().all(|f| f.starts_with("apps/")), "{files:?}");
    let text = run_at(t.path(), &["check", "apps/shop", "apps/payments"]).stdout;
    assert!(text.contains("--> apps/shop/"), "{text}");
}

/// An unknown `--bundle` or `--workload` is an error with the nearest
/// names, not an empty table.
#[test]
fn graph_names_what_an_unknown_filter_meant() {
    let t = app();
    let e = run(&t, &["graph", "--bundle", "gne"]).bad_input(&["no ConfigMap or Secret named \"gne\""]).to_string();
    assert!(e.contains("did you mean gen?"), "{e}");
    let e = run(&t, &["graph", "--workload", "workr"]).bad_input(&["no object named \"workr\""]).to_string();
    assert!(e.contains("did you mean worker?"), "{e}");
    let e = run(&t, &["graph", "--bundle", "zzzzzzzzzzzz"]).bad_input(&["zzzzzzzzzzzz"]).to_string();
    assert!(e.contains("--bundle takes one of"), "{e}");
    // The versioned name matches as well as the original.
    let v: Value = serde_json::from_str(run(&t, &["graph", "--format", "json"]).ok()).unwrap();
    let versioned = v["bundles"][0]["versionedName"].as_str().unwrap().to_string();
    assert!(run(&t, &["graph", "--bundle", &versioned]).ok().contains(&versioned));
    // A bundle is not a workload: say which flag answers the question.
    let e = run(&t, &["graph", "--workload", "cfg"]).bad_input(&["\"cfg\" is a ConfigMap or Secret"]).to_string();
    assert!(e.contains("--bundle cfg shows what uses it"), "{e}");
    // An object that exists but uses nothing is an empty answer, not an error.
    let t = t.file("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: plain}\nspec: {ports: [{port: 80}]}\n");
    let out = run(&t, &["graph", "--workload", "plain"]).ok().to_string();
    assert_eq!(out.lines().count(), 1, "{out}");
}

/// Every format renders, and Graphviz parses the dot (in CI, where
/// `.ci/run` installs it and sets IMPRINT_REQUIRE_GRAPHVIZ; elsewhere the
/// test says it skipped that part).
#[test]
fn every_graph_format_renders_and_dot_parses() {
    let t = repo_of_apps();
    for format in ["table", "json", "dot", "mermaid"] {
        let out = run_at(t.path(), &["graph", "-r", ".", "--format", format]).ok().to_string();
        assert!(out.contains("payment-api-config"), "{format}: {out}");
        assert!(!out.contains("\\\\n"), "{format}: an escaped line break shows literally:\n{out}");
    }
    let dot_found = std::process::Command::new("dot").arg("-V").output().is_ok();
    if !dot_found {
        assert!(
            std::env::var_os("IMPRINT_REQUIRE_GRAPHVIZ").is_none(),
            "IMPRINT_REQUIRE_GRAPHVIZ is set but dot is missing"
        );
        eprintln!("SKIPPED: Graphviz `dot` not found; the dot output was not parsed");
        return;
    }
    for args in
        [&["graph", "-r", "."][..], &["graph", "apps/shop"], &["graph", "apps/shop", "--bundle", "payment-api-config"]]
    {
        let mut all = args.to_vec();
        all.extend(["--format", "dot"]);
        let dot = run_at(t.path(), &all).ok().to_string();
        let path = t.path().join("graph.dot");
        std::fs::write(&path, &dot).unwrap();
        // In SVG a label with a real line break is two text elements.
        let out = std::process::Command::new("dot").arg("-Tsvg").arg(&path).output().unwrap();
        assert!(out.status.success(), "dot rejects:\n{dot}\n{}", String::from_utf8_lossy(&out.stderr));
        let svg = String::from_utf8_lossy(&out.stdout);
        let svg = svg.replace("&#45;", "-");
        assert!(svg.contains(">ConfigMap payment-api-config</text>"), "{svg}");
        assert!(svg.contains(">payment-api-config-"), "{svg}");
    }
}

/// Runs check and returns (exit code, findings as JSON).
fn check(tree: &Tree, extra: &[&str]) -> (i32, Vec<Value>) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let r = run(tree, &args);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    (r.code, v["findings"].as_array().unwrap().clone())
}

fn codes(findings: &[Value]) -> Vec<String> {
    findings.iter().map(|f| format!("{}[{}]", f["severity"].as_str().unwrap(), f["code"].as_str().unwrap())).collect()
}

#[track_caller]
fn has(findings: &[Value], code: &str) -> Value {
    findings.iter().find(|f| f["code"] == code).unwrap_or_else(|| panic!("no {code} in {:?}", codes(findings))).clone()
}

#[test]
fn check_dangling_is_an_error_not_a_crash() {
    let t = Tree::new().file("web.yaml", deploy("web", "{configMapRef: {name: missing}}"));
    let (code, f) = check(&t, &[]);
    assert_eq!(code, 1);
    let d = has(&f, "dangling-reference");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "web.yaml");
    assert_eq!(d["line"], 1);
    assert_eq!(d["field"], "spec.template.spec.containers[0].envFrom[0].configMapRef.name");
}

#[test]
fn check_unused_and_mutable_env() {
    let (code, f) = check(&app(), &[]);
    assert_eq!(code, 0, "{:?}", codes(&f));
    assert!(has(&f, "unused-bundle")["message"].as_str().unwrap().contains("lonely"));
    // cfg is read through envFrom and versioned: no finding until pinned mutable.
    assert!(!codes(&f).iter().any(|c| c.contains("mutable-env-config")), "{:?}", codes(&f));
    let pinned =
        app().file("cm.yaml", CM.replace("{name: cfg}", "{name: cfg, annotations: {imprint.dev/version: \"false\"}}"));
    assert!(run(&pinned, &["graph"]).ok().contains("prod/ConfigMap cfg  (not versioned)"));
    let (code, f) = check(&pinned, &[]);
    assert_eq!(code, 0);
    let m = has(&f, "mutable-env-config");
    assert_eq!(m["severity"], "warning");
    assert!(m["field"].as_str().unwrap().ends_with("envFrom[1].configMapRef.name"));
    let (code, _) = check(&pinned, &["--deny", "warnings"]);
    assert_eq!(code, 1, "--deny warnings fails on warnings");
}

#[test]
fn check_notes_unversioned_by_safety() {
    let t =
        app().file("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: cfg}\nspec: {ports: [{port: 80}]}\n");
    let (_, f) = check(&t, &[]);
    let n = has(&f, "unversioned-name-used");
    assert_eq!(n["severity"], "note");
    assert!(n["message"].as_str().unwrap().contains("Service/prod/cfg"), "{n}");
}

#[test]
fn check_flux_substitution() {
    let t = Tree::new()
        .file("imprint.yaml", "configMapGenerator:\n- name: gen\n  literals: [\"URL=${BASE}/x\", \"OK=$${ESCAPED}\"]\n")
        .file("web.yaml", deploy("web", "{configMapRef: {name: gen}}"));
    let (code, f) = check(&t, &[]);
    assert_eq!(code, 0);
    let w = has(&f, "flux-substitution");
    assert_eq!(w["severity"], "warning");
    assert_eq!(w["field"], "data.URL");
    assert_eq!(f.iter().filter(|x| x["code"] == "flux-substitution").count(), 1, "$${{VAR}} is not flagged");
    let (code, f) = check(&t, &["--flux"]);
    assert_eq!(code, 1);
    assert_eq!(has(&f, "flux-substitution")["severity"], "error");
}

#[test]
fn check_sealed_and_external_secrets() {
    let sealed = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: db}\nspec: {encryptedData: {password: AgBy}}\n";
    let wide = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: wide, annotations: {sealedsecrets.bitnami.com/namespace-wide: \"true\"}}\nspec: {encryptedData: {password: AgBy}}\n";
    let external = "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata: {name: api}\nspec:\n  target: {name: api-creds}\n  data: []\n";
    let t = Tree::new().file("s.yaml", format!("{sealed}---\n{wide}---\n{external}")).file(
        "web.yaml",
        deploy("web", "{secretRef: {name: db}}, {secretRef: {name: wide}}, {secretRef: {name: api-creds}}"),
    );
    let (code, f) = check(&t, &[]);
    assert_eq!(code, 0, "sealed and external Secrets are not dangling: {:?}", codes(&f));
    let s: Vec<&Value> = f.iter().filter(|x| x["code"] == "sealed-secret-strict").collect();
    assert_eq!(s.len(), 1, "only the strict one");
    assert!(s[0]["help"].as_str().unwrap().contains("namespace-wide"));
    let e = has(&f, "external-secret-consumed");
    assert_eq!(e["severity"], "note");
    assert!(
        e["message"].as_str().unwrap().contains("api-creds")
            && e["message"].as_str().unwrap().contains("Deployment.apps/web")
    );
}

#[test]
fn check_secret_hashing_plaintext_and_never_a_value() {
    let t = Tree::new()
        .file("imprint.yaml", "secretGenerator:\n- name: creds\n  envs: [s.env]\n")
        .file("s.env", "PASSWORD=hunter2-secret\n")
        .file("web.yaml", deploy("web", "{secretRef: {name: creds}}"));
    let (_, f) = check(&t, &[]);
    has(&f, "unkeyed-secret-hash");
    let p = has(&f, "plaintext-secret");
    assert!(
        p["message"].as_str().unwrap().contains("data.PASSWORD") && p["message"].as_str().unwrap().contains("s.env")
    );
    let text = run(&t, &["check"]).stdout;
    assert!(!text.contains("hunter2") && !serde_json::to_string(&f).unwrap().contains("hunter2"));
    let key = Tree::new().file("k", "key material for the test suite");
    let (_, f) = check(&t, &["--hash-key-file", key.path().join("k").to_str().unwrap()]);
    assert!(!codes(&f).iter().any(|c| c.contains("unkeyed")), "{:?}", codes(&f));
}

#[test]
fn check_yaml_1_1_ambiguities() {
    let d = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    enabled: yes\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        env:\n        - name: MODE\n          value: on\n        - name: OK\n          value: \"on\"\n";
    let t = Tree::new().file("web.yaml", d);
    let (_, f) = check(&t, &[]);
    let found: Vec<&Value> = f.iter().filter(|x| x["code"] == "yaml11-ambiguous").collect();
    assert_eq!(found.len(), 2, "{f:?}");
    assert_eq!(found[0]["line"], 6);
    assert!(found[0]["message"].as_str().unwrap().contains("\"yes\""));
    assert_eq!(found[1]["line"], 17);
    assert_eq!(found[1]["field"], "spec.template.spec.containers[0].env[0].value");
}

#[test]
fn check_names_and_secret_types_are_errors() {
    let t = Tree::new()
        .file("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: 9-bad}\nspec: {ports: [{port: 80}]}\n")
        .file(
            "s.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ntype: kubernetes.io/tls\ndata: {tls.crt: eA==}\n",
        );
    let (code, f) = check(&t, &[]);
    assert_eq!(code, 1);
    assert_eq!(has(&f, "invalid-name")["severity"], "error");
    let s = has(&f, "secret-missing-keys");
    assert!(s["message"].as_str().unwrap().contains("tls.key"));
    let long = "a".repeat(250);
    let t = Tree::new()
        .file("c.yaml", CM.replace("cfg", &long))
        .file("web.yaml", deploy("web", &format!("{{configMapRef: {{name: {long}}}}}")));
    let (code, f) = check(&t, &[]);
    assert_eq!(code, 1);
    assert!(has(&f, "invalid-name")["message"].as_str().unwrap().contains("longer than 253"));
}

/// A Job (or bare Pod) whose template names a versioned bundle: the next
/// config change fails the sync, unless the engine recreates it.
#[test]
fn check_immutable_template_and_its_remedies() {
    let job = |annotations: &str, name: &str| {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {{{name}, annotations: {{{annotations}}}}}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: m\n        image: migrate\n        envFrom: [{{configMapRef: {{name: gen}}}}]\n"
        )
    };
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: once}\nspec:\n  containers:\n  - name: c\n    image: i\n    volumeMounts: [{name: v, mountPath: /c}]\n  volumes: [{name: v, configMap: {name: gen}}]\n";
    let base =
        || Tree::new().file("imprint.yaml", "namespace: prod\nconfigMapGenerator:\n- {name: gen, literals: [A=1]}\n");
    let t = base().file("job.yaml", job("", "name: migrate")).file("pod.yaml", pod);
    let (code, f) = check(&t, &[]);
    assert_eq!(code, 0, "a warning: {:?}", codes(&f));
    let found: Vec<&Value> = f.iter().filter(|f| f["code"] == "immutable-template").collect();
    assert_eq!(found.len(), 2, "{:?}", codes(&f));
    let on_job = found.iter().find(|f| f["object"] == "Job.batch/prod/migrate").unwrap();
    assert_eq!(on_job["severity"], "warning");
    assert_eq!(on_job["field"], "spec.template.spec.containers[0].envFrom[0].configMapRef.name");
    let message = on_job["message"].as_str().unwrap();
    assert!(
        message.contains("a Job's pod template cannot change after creation: the next change to gen fails the sync"),
        "{message}"
    );
    let help = on_job["help"].as_str().unwrap();
    assert!(
        help.contains("argocd.argoproj.io/sync-options: Replace=true")
            && help.contains("kustomize.toolkit.fluxcd.io/force: enabled"),
        "{help}"
    );
    let on_pod = found.iter().find(|f| f["object"] == "Pod/prod/once").unwrap();
    assert!(on_pod["message"].as_str().unwrap().contains("a Pod's spec cannot change"), "{on_pod}");
    // Recreated by the engine: no finding.
    for (annotations, name) in [
        ("argocd.argoproj.io/sync-options: \"ServerSideApply=true, Replace=true\"", "name: migrate"),
        ("kustomize.toolkit.fluxcd.io/force: enabled", "name: migrate"),
        ("kustomize.toolkit.fluxcd.io/force: Enabled", "name: migrate"),
        ("", "name: migrate, labels: {kustomize.toolkit.fluxcd.io/force: enabled}"),
        ("argocd.argoproj.io/hook: PreSync", "name: migrate"),
        ("helm.sh/hook: pre-upgrade", "name: migrate"),
        ("", "generateName: migrate-"),
    ] {
        let t = base().file("job.yaml", job(annotations, name));
        let (_, f) = check(&t, &[]);
        assert!(!codes(&f).contains(&"warning[immutable-template]".to_string()), "{annotations}: {:?}", codes(&f));
    }
    // A Deployment's template changes freely; an unversioned bundle never renames.
    let t = base().file("d.yaml", deploy("web", "{configMapRef: {name: gen}}"));
    assert!(!codes(&check(&t, &[]).1).contains(&"warning[immutable-template]".to_string()));
    let t = Tree::new()
        .file("cm.yaml", CM)
        .file("job.yaml", job("imprint.dev/x: y", "name: j").replace("name: gen", "name: cfg"));
    let t = t.file("imprint.yaml", "namespace: prod\nversionResources: none\n");
    assert!(!codes(&check(&t, &[]).1).contains(&"warning[immutable-template]".to_string()));
}

#[test]
fn check_pv_with_a_versioned_secret() {
    let pv = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteMany]\n  azureFile: {secretName: az, shareName: s}\n";
    let t = Tree::new()
        .file("s.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: az, annotations: {imprint.dev/version: \"true\"}}\ndata: {k: eA==}\n")
        .file("pv.yaml", pv);
    let (_, f) = check(&t, &[]);
    assert_eq!(has(&f, "pv-versioned")["severity"], "warning");
}

#[test]
fn check_text_is_compiler_style_and_unreadable_input_exits_2() {
    let t = Tree::new().file("web.yaml", deploy("web", "{configMapRef: {name: missing}}"));
    let r = run(&t, &["check"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("error[dangling-reference]: "), "{}", r.stdout);
    assert!(r.stdout.contains("\n  --> web.yaml:1\n  = object: Deployment.apps/web\n  = field: "), "{}", r.stdout);
    assert!(r.stdout.ends_with("check: 1 error(s), 0 warning(s), 0 note(s)\n"), "{}", r.stdout);
    let broken = Tree::new().file("x.yaml", "kind: [");
    run(&broken, &["check"]).bad_input(&["invalid YAML", "x.yaml:1"]);
}

#[test]
fn check_reports_bad_bundle_data_and_every_safety_note() {
    let bad = Tree::new()
        .file("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {port: 8080}\n")
        .file("web.yaml", deploy("web", "{configMapRef: {name: cfg}}"));
    let (code, f) = check(&bad, &[]);
    assert_eq!(code, 1);
    let d = has(&f, "invalid-data");
    assert_eq!(d["field"], "data.port");
    // The render itself refuses it with the same words.
    run(&bad, &["render"]).bad_input(&["not a string", "c.yaml:1", "data.port"]);

    let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: [{apiGroups: [\"\"], resources: [configmaps], resourceNames: [cfg], verbs: [get]}]\n";
    let pv = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteMany]\n  azureFile: {secretName: az, shareName: s}\n";
    let t = Tree::new()
        .file("c.yaml", CM)
        .file("a.yaml", CM.replace("cfg", "argocd-cm"))
        .file("s.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: az}\ndata: {k: eA==}\n")
        .file("x.yaml", format!("{role}---\n{pv}"))
        .file(
            "web.yaml",
            deploy("web", "{configMapRef: {name: cfg}}, {configMapRef: {name: argocd-cm}}, {secretRef: {name: az}}"),
        );
    let (_, f) = check(&t, &[]);
    for code in ["unversioned-rbac", "unversioned-fixed-name", "unversioned-pv"] {
        assert_eq!(has(&f, code)["severity"], "note", "{code}");
    }
    // ...and each of them read through envFrom while mutable.
    assert_eq!(f.iter().filter(|x| x["code"] == "mutable-env-config").count(), 3, "{:?}", codes(&f));
}
