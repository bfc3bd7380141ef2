//! Each integration runs imprint exactly as its host would: Argo CD's
//! `generate` command from argocd-cmp.yaml with Argo CD's environment, the
//! Flux script's render step, and the real `kubectl kustomize` for the exec
//! plugin and the pipeline. Every sample goes through each.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};

fn bin_dir() -> String {
    bin().parent().unwrap().display().to_string()
}

fn cmp_command() -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join("argocd-cmp.yaml")).unwrap();
    let cmp = imprint::yaml::parse_stream(&text, "argocd-cmp.yaml").unwrap().remove(0).value;
    assert_eq!(cmp["kind"], "ConfigManagementPlugin");
    assert_eq!(cmp["spec"]["discover"]["fileName"], "./imprint.yaml");
    let mut cmd: Vec<String> = cmp["spec"]["generate"]["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    if let Some(args) = cmp["spec"]["generate"]["args"].as_array() {
        cmd.extend(args.iter().map(|v| v.as_str().unwrap().to_string()));
    }
    cmd
}

/// Runs the plugin's generate command in `dir` with Argo CD's environment.
fn argocd_generate(dir: &Path, extra_env: &[(&str, &str)]) -> Run {
    let cmd = cmp_command();
    let key = hash_key();
    let out = Command::new(&cmd[0])
        .args(&cmd[1..])
        .current_dir(dir)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir()))
        .env("ARGOCD_APP_NAME", "demo")
        .env("ARGOCD_APP_NAMESPACE", "argo-dest")
        .env("ARGOCD_APP_REVISION", "0123456789abcdef0123456789abcdef01234567")
        .env("ARGOCD_APP_SOURCE_PATH", "apps/demo")
        .env("ARGOCD_APP_SOURCE_REPO_URL", "https://example.com/repo.git")
        .env("ARGOCD_APP_SOURCE_TARGET_REVISION", "main")
        .env("IMPRINT_HASH_KEY_FILE", &key)
        .envs(extra_env.iter().copied())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn assert_object_stream(text: &str) -> Vec<Value> {
    let docs = docs(text);
    assert!(!docs.is_empty());
    for d in &docs {
        assert!(d["apiVersion"].is_string() && d["kind"].is_string() && d["metadata"]["name"].is_string(), "{d}");
    }
    docs
}

#[test]
fn argocd_generate_renders_every_sample_with_and_without_git() {
    for s in samples() {
        let t = Tree::new().copy_from(&repo_root().join("samples").join(&s), "app");
        let dir = t.path().join("app");
        let run = argocd_generate(&dir, &[]);
        assert_eq!(run.code, 0, "{s}: {}", run.stderr);
        assert!(run.stderr.lines().all(|l| l.starts_with("warning") || l.starts_with("  ")), "{s}: {}", run.stderr);
        assert_object_stream(&run.stdout);
        assert!(!run.stdout.contains("0123456789abcdef"), "no revision in the output");
        // The same with a .git folder in the app directory.
        let git = Command::new("git").args(["init", "-q"]).current_dir(&dir).status().unwrap();
        assert!(git.success());
        let again = argocd_generate(&dir, &[]);
        assert_eq!(again.stdout, run.stdout, "{s}: .git changes nothing");
    }
}

#[test]
fn argocd_values_and_namespace_reach_imprint() {
    let t = Tree::new()
        .file("imprint.yaml", "configMapGenerator:\n- name: cfg\n  files: [app.conf.hbs]\n")
        .file("app.conf.hbs", "image={{image}}\nreplicas={{replicas}}\n")
        .file("d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i, envFrom: [{configMapRef: {name: cfg}}]}]}\n");
    let params = r#"[{"name": "values", "map": {"replicas": "2"}}]"#;
    let run = argocd_generate(t.path(), &[("ARGOCD_ENV_image", "nginx:1.27"), ("ARGOCD_APP_PARAMETERS", params)]);
    let docs = assert_object_stream(run.ok());
    let cm = find(&docs, "ConfigMap", "cfg").unwrap();
    assert_eq!(cm["data"]["app.conf"], "image=nginx:1.27\nreplicas=2\n");
    assert_eq!(cm["metadata"]["namespace"], "argo-dest", "ARGOCD_APP_NAMESPACE is the default namespace");
}

#[test]
fn argocd_errors_exit_non_zero_with_a_message() {
    let t = Tree::new().file("imprint.yaml", "bogus: 1\n");
    let run = argocd_generate(t.path(), &[]);
    assert_ne!(run.code, 0);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.starts_with("error: ") && run.stderr.contains("bogus"), "{}", run.stderr);
    // An app that renders nothing is an error too (Argo CD would prune all).
    let empty = Tree::new().file("imprint.yaml", "namespace: x\n");
    let run = argocd_generate(empty.path(), &[]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("no objects"), "{}", run.stderr);
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { walk(&p, out) } else { out.push(p) }
    }
}

#[test]
fn flux_script_renders_a_folder_flux_takes_as_is() {
    let script = repo_root().join("plugins/flux/imprint-flux.sh");
    let kubectl = kubectl();
    for s in samples() {
        let t = Tree::new().copy_from(&repo_root().join("samples").join(&s), "apps/app");
        git(t.path(), &["init", "-q"]);
        git(t.path(), &["add", "-A"]);
        git(t.path(), &["commit", "-qm", "c"]);
        let out = Command::new("sh")
            .arg(&script)
            .args(["render", "apps/app", "HEAD", "rendered"])
            .current_dir(t.path())
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir()))
            .env("IMPRINT_HASH_KEY_FILE", hash_key())
            .env("IMPRINT_KEEP_VERSIONS", "2")
            .output()
            .unwrap();
        assert!(out.status.success(), "{s}: {}", String::from_utf8_lossy(&out.stderr));
        let mut files = Vec::new();
        walk(&t.path().join("rendered"), &mut files);
        assert!(!files.is_empty());
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            assert_eq!(assert_object_stream(&text).len(), 1, "{}: one object a file", f.display());
            assert!(!f.ends_with("kustomization.yaml"));
        }
        // What Flux does without a kustomization.yaml: take every manifest.
        let list: Vec<String> =
            files.iter().map(|f| f.strip_prefix(t.path().join("rendered")).unwrap().display().to_string()).collect();
        std::fs::write(t.path().join("rendered/kustomization.yaml"), format!("resources: {list:?}\n")).unwrap();
        let built = Command::new(&kubectl).args(["kustomize", "rendered"]).current_dir(t.path()).output().unwrap();
        assert!(built.status.success(), "{s}: {}", String::from_utf8_lossy(&built.stderr));
        assert_eq!(docs(&String::from_utf8(built.stdout).unwrap()).len(), files.len());
    }
}

#[test]
fn kustomize_exec_plugin_with_real_kubectl() {
    let kubectl = kubectl();
    let example = repo_root().join("plugins/kustomize/exec-transformer");
    let out = Command::new(&kubectl)
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(&example)
        .env("KUSTOMIZE_PLUGIN_HOME", example.join("plugin"))
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let docs = docs(&String::from_utf8(out.stdout).unwrap());
    let cm = name_of(&docs, "ConfigMap", "shop-settings");
    let secret = name_of(&docs, "Secret", "api-token");
    assert!(cm.starts_with("shop-settings-") && secret.starts_with("api-token-"));
    let d = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    let env_from = &d["spec"]["template"]["spec"]["containers"][0]["envFrom"];
    assert_eq!(env_from[0]["configMapRef"]["name"], cm.as_str());
    assert_eq!(env_from[1]["secretRef"]["name"], secret.as_str());
}

/// What would stop `imprint render` stops the kustomize build: the exec
/// transformer exits non-zero with imprint's error, and kustomize prints
/// nothing (SPEC §8 `fn`).
#[test]
fn kustomize_exec_plugin_fails_the_build_like_render() {
    let kubectl = kubectl();
    let example = repo_root().join("plugins/kustomize/exec-transformer");
    let tree = Tree::new().copy_from(&example, "");
    let deployment = std::fs::read_to_string(tree.path().join("base/deployment.yaml")).unwrap();
    let broken = deployment.replace("name: shop-settings", "name: shop-setings");
    assert_ne!(broken, deployment, "the example's Deployment names shop-settings");
    std::fs::write(tree.path().join("base/deployment.yaml"), broken).unwrap();
    let out = Command::new(&kubectl)
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(tree.path())
        .env("KUSTOMIZE_PLUGIN_HOME", tree.path().join("plugin"))
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "kustomize built despite a dangling reference:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("dangling reference") && stderr.contains("shop-setings"), "{stderr}");
}

#[test]
fn kustomize_build_piped_into_render() {
    let kubectl = kubectl();
    let built = Command::new(&kubectl)
        .args(["kustomize"])
        .arg(repo_root().join("plugins/kustomize/pipeline"))
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let run = imprint(&["render", "-"], Some(&String::from_utf8(built.stdout).unwrap()), &[]);
    let docs = docs(run.ok());
    let cm = name_of(&docs, "ConfigMap", "shop-settings");
    let d = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["envFrom"][0]["configMapRef"]["name"], cm.as_str());
}

/// `imprint fn` in ResourceList mode equals `render` on the same sample.
#[test]
fn krm_function_matches_render_for_every_sample() {
    for s in samples() {
        let dir = repo_root().join("samples").join(&s);
        if s == "model-ab" {
            continue; // its manifests are templates; a KRM host passes rendered items
        }
        let config: Value =
            imprint::yaml::parse_stream(&std::fs::read_to_string(dir.join("imprint.yaml")).unwrap(), "c")
                .unwrap()
                .remove(0)
                .value;
        let mut items = Vec::new();
        let mut files = Vec::new();
        walk(&dir.join("manifests"), &mut files);
        files.sort();
        for f in files {
            let rel = f.strip_prefix(&dir).unwrap().display().to_string();
            for mut d in docs(&std::fs::read_to_string(&f).unwrap()) {
                d["metadata"]["annotations"]["config.kubernetes.io/path"] = Value::from(rel.clone());
                items.push(d);
            }
        }
        let list = serde_json::json!({"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items, "functionConfig": config});
        let mut child = Command::new(bin())
            .args(["fn", "--hash-key-file"])
            .arg(hash_key())
            .current_dir(&dir)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(serde_json::to_string(&list).unwrap().as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{s}: {}", String::from_utf8_lossy(&out.stderr));
        let result = docs(&String::from_utf8(out.stdout).unwrap()).remove(0);
        assert_eq!(result["kind"], "ResourceList");
        let rendered = docs(
            imprint(&["render", dir.to_str().unwrap(), "--hash-key-file", hash_key().to_str().unwrap()], None, &[])
                .ok(),
        );
        let strip = |v: &Value| {
            let mut v = v.clone();
            if let Some(a) = v["metadata"]["annotations"].as_object_mut() {
                a.remove("config.kubernetes.io/path");
                if a.is_empty() {
                    v["metadata"].as_object_mut().unwrap().remove("annotations");
                }
            }
            v
        };
        let items: Vec<Value> = result["items"].as_array().unwrap().iter().map(strip).collect();
        assert_eq!(items, rendered, "{s}");
    }
}

#[test]
fn krm_function_reports_results_and_keeps_host_annotations() {
    let list = r#"{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
      "functionConfig": {"apiVersion": "imprint.dev/v1alpha1", "kind": "Render", "metadata": {"name": "x"}, "namespace": "prod"},
      "items": [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "annotations": {"config.kubernetes.io/index": "0", "internal.config.kubernetes.io/path": "cm.yaml"}}, "data": {"a": "b"}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i", "envFrom": [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "missing"}}]}]}}}}
      ]}"#;
    let t = Tree::new();
    let out = Command::new(bin())
        .arg("fn")
        .current_dir(t.path())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(list.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    // The dangling Secret would stop `render`: an error result and exit 1,
    // so the host's build fails too (SPEC §8 `fn`).
    assert_eq!(out.status.code(), Some(1));
    let v = docs(&String::from_utf8(out.stdout).unwrap()).remove(0);
    let cm = v["items"].as_array().unwrap().iter().find(|i| i["kind"] == "ConfigMap").unwrap();
    assert_eq!(cm["metadata"]["annotations"]["config.kubernetes.io/index"], "0");
    assert_eq!(cm["metadata"]["annotations"]["internal.config.kubernetes.io/path"], "cm.yaml");
    assert_eq!(cm["metadata"]["namespace"], "prod");
    assert!(cm["metadata"]["name"].as_str().unwrap().starts_with("cfg-"));
    let r = &v["results"][0];
    assert_eq!(r["severity"], "error");
    assert!(r["message"].as_str().unwrap().contains("[dangling-reference]"), "{r}");
    assert!(r["message"].as_str().unwrap().contains("missing"));
    assert_eq!(r["resourceRef"]["kind"], "Deployment");
    assert_eq!(r["field"]["path"], "spec.template.spec.containers[0].envFrom[1].secretRef.name");
    assert_eq!(v["functionConfig"]["kind"], "Render");
}
