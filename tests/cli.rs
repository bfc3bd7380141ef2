//! The binary end to end: output forms, namespaces, and the bad inputs that
//! need more than a folder (symbolic links out of the tree, output files,
//! missing paths given as arguments): exit 2, one `error:` line naming file/line/object/field,
//! no partial output. Cases whose whole output is pinned live as folders in
//! tests/fixtures/cases/ (run by tests/cases.rs): renders, generators, the
//! naming template and its errors, and every bad input that is one folder
//! (documents without kind or name, kustomizations, duplicate keys, env
//! lines, invalid keys, malformed YAML, paths out of the tree, long names,
//! TLS Secrets without a key, missing files, dangling references).

mod common;
use common::*;

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n  A: \"1\"\n";
const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        envFrom:\n        - configMapRef: {name: app-config}\n";

fn app() -> Tree {
    Tree::new().file("cm.yaml", CM).file("deploy.yaml", DEPLOY)
}

#[test]
fn stdin_stream_renders_the_same() {
    let tree = app();
    let from_dir = tree.render(&[]).ok().to_string();
    let stream = format!("{DEPLOY}---\n{CM}");
    let run = imprint(&["render", "-"], Some(&stream), &[]);
    assert_eq!(run.ok(), from_dir);
}

#[test]
fn json_output_is_a_list() {
    let run = app().render(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(run.ok()).unwrap();
    assert_eq!(v["kind"], "List");
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
}

#[test]
fn output_file_and_dir() {
    let tree = app();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("all.yaml");
    let run = tree.render(&["-o", file.to_str().unwrap()]);
    assert!(run.ok().is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), tree.render(&[]).stdout);
    let dir = out.path().join("split");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("stale.yaml"), "old").unwrap();
    tree.render(&["-n", "prod", "-o", dir.to_str().unwrap()]).ok();
    let mut names: Vec<String> = walk(&dir);
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].starts_with("prod/configmap-app-config-"), "{names:?}");
    assert_eq!(names[1], "prod/deployment-app.yaml");
    // No temporary or old folders are left next to it.
    let siblings: Vec<_> = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(siblings.len(), 2, "{siblings:?}");
}

/// `-o` naming a pipe or a device (`/dev/null`) writes into it: renaming a
/// file over it would replace the node (found when `-o /dev/null` turned the
/// machine's /dev/null into a regular file).
#[cfg(unix)]
#[test]
fn output_to_a_pipe_writes_into_it() {
    use std::os::unix::fs::FileTypeExt;
    let tree = app();
    let out = tempfile::tempdir().unwrap();
    let fifo = out.path().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    tree.render(&["-o", fifo.to_str().unwrap()]).ok();
    // Checked first: had it been replaced, the reader would wait forever.
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the pipe is still a pipe");
    assert_eq!(reader.join().unwrap(), tree.render(&[]).stdout);
    let siblings: Vec<_> = std::fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(siblings.len(), 1, "no temporary file beside it: {siblings:?}");
}

/// `-o` naming a symbolic link writes the file it points to.
#[cfg(unix)]
#[test]
fn output_through_a_symlink_keeps_the_link() {
    let tree = app();
    let out = tempfile::tempdir().unwrap();
    let real = out.path().join("real.yaml");
    std::fs::write(&real, "old").unwrap();
    let link = out.path().join("link.yaml");
    std::os::unix::fs::symlink("real.yaml", &link).unwrap();
    tree.render(&["-o", link.to_str().unwrap()]).ok();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), tree.render(&[]).stdout);
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            for sub in walk(&e.path()) {
                out.push(format!("{}/{sub}", e.file_name().to_string_lossy()));
            }
        } else {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out
}

#[test]
fn failed_render_leaves_output_file_untouched() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("all.yaml");
    std::fs::write(&file, "previous").unwrap();
    Tree::new().file("bad.yaml", "kind: [").render(&["-o", file.to_str().unwrap()]).bad_input(&["bad.yaml"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous");
}

#[test]
fn namespace_precedence() {
    let with_cfg = app().file("imprint.yaml", "namespace: from-config\n");
    let ns = |run: Run| docs(run.ok())[0]["metadata"]["namespace"].as_str().map(str::to_string);
    let argo = [("ARGOCD_APP_NAMESPACE", "from-argo")];
    let dir = with_cfg.path().to_str().unwrap().to_string();
    assert_eq!(ns(imprint(&["render", &dir], None, &argo)).as_deref(), Some("from-config"));
    assert_eq!(ns(imprint(&["render", &dir, "-n", "from-flag"], None, &argo)).as_deref(), Some("from-flag"));
    let plain = app();
    assert_eq!(ns(imprint(&["render", plain.path().to_str().unwrap()], None, &argo)).as_deref(), Some("from-argo"));
    assert_eq!(ns(plain.render(&[])), None);
    // The object's own namespace wins over everything.
    let own = Tree::new().file("cm.yaml", CM.replace("  name: app-config\n", "  name: app-config\n  namespace: own\n"));
    assert_eq!(ns(own.render(&["-n", "flag"])).as_deref(), Some("own"));
}

#[test]
fn cluster_scoped_objects_get_no_namespace() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Cluster\n  names: {kind: Widget, plural: widgets}\n  versions: []\n";
    let tree = Tree::new()
        .file("crd.yaml", crd)
        .file("w.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
        .file("g.yaml", "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n")
        .file("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n");
    let docs = docs(tree.render(&["-n", "prod"]).ok());
    let ns_of = |kind: &str| docs.iter().find(|d| d["kind"] == kind).unwrap()["metadata"]["namespace"].clone();
    assert!(ns_of("Widget").is_null());
    assert!(ns_of("Namespace").is_null());
    assert!(ns_of("CustomResourceDefinition").is_null());
    assert_eq!(ns_of("Gadget"), "prod");
}

#[test]
fn hidden_folders_are_skipped_and_globs_work() {
    let tree = app()
        .file(".github/workflow.yaml", "on: push\n")
        .file("extra/other.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n")
        .file("imprint.yaml", "resources: [\"*.yaml\"]\n");
    let docs = docs(tree.render(&[]).ok());
    assert_eq!(docs.len(), 2, "the glob does not cross folders");
    let tree = Tree::new().file("imprint.yaml", "resources: [\"nope/*.yaml\"]\n");
    tree.render(&[]).bad_input(&["matches no file", "imprint.yaml:1", "resources[0]"]);
    // A glob looks only at the paths that start with its literal prefix
    // (`d`): `d-x.yaml` and `d/x.yaml` both, in the walk's order.
    let cm = |n: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {n}}}\n");
    let tree = Tree::new().file("d/x.yaml", cm("slash")).file("d-x.yaml", cm("dash")).file("e.yaml", cm("other"));
    let everything = tree.render(&[]).ok().to_string();
    let globbed = tree.file("imprint.yaml", "resources: [\"d{/x,-x}.y*ml\", e.yaml]\n");
    assert_eq!(globbed.render(&[]).ok(), everything);
}

// ---- bad input: each exits 2 with one clear line ----

/// The symbolic links out of the tree (a case folder cannot hold a link to
/// an absolute path portably). The paths written in imprint.yaml are cases:
/// tests/fixtures/cases/path-escapes-*.
#[test]
fn bad_path_escapes_through_symlinks() {
    let tree = app()
        .file("imprint.yaml", "configMapGenerator:\n- name: g\n  envs: [\"link.env\"]\n")
        .symlink("link.env", "/etc/hostname");
    tree.render(&[]).bad_input(&["refused path", "link.env", "imprint.yaml:2", "envs[0]"]);
    let tree = app().symlink("escape.yaml", "../../etc/passwd.yaml");
    tree.render(&[]).bad_input(&["refused path", "escape.yaml"]);
}

#[test]
fn symlinks_inside_the_tree_are_followed() {
    let tree = app()
        .file("imprint.yaml", "configMapGenerator:\n- name: g\n  files: [link.txt]\n")
        .file("real/target.txt", "content")
        .symlink("link.txt", "real/target.txt");
    let docs = docs(tree.render(&[]).ok());
    assert_eq!(find(&docs, "ConfigMap", "g").unwrap()["data"]["link.txt"], "content");
}

#[test]
fn dangling_references_can_be_declared_or_allowed() {
    let only = || Tree::new().file("deploy.yaml", DEPLOY);
    only().file("imprint.yaml", "externalNames: [app-config]\n").render(&[]).ok();
    only().file("imprint.yaml", "externalNames: [prod/app-config]\n").render(&["-n", "prod"]).ok();
    only().file("imprint.yaml", "externalNames: [other/app-config]\n").render(&["-n", "prod"]).bad_input(&["dangling"]);
    let marked =
        DEPLOY.replace("  name: app\n", "  name: app\n  annotations: {imprint.dev/external: \"x, app-config\"}\n");
    Tree::new().file("deploy.yaml", marked).render(&[]).ok();
    let run = only().render(&["--allow-dangling"]);
    run.ok();
    assert!(run.stderr.contains("warning[dangling-reference]"), "{}", run.stderr);
    let optional = DEPLOY.replace("{name: app-config}", "{name: app-config, optional: true}");
    Tree::new().file("deploy.yaml", optional).render(&[]).ok();
}

#[test]
fn bad_usage_and_hash_key() {
    let run = imprint(&["render", "/nonexistent-dir-for-imprint"], None, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    app().render(&["--hash-key-file", "/nonexistent/key"]).bad_input(&["/nonexistent/key"]);
    let run = imprint(&["render", "--bogus"], None, &[]);
    assert_eq!(run.code, 2);
}

#[test]
fn shell_completions() {
    for shell in ["bash", "zsh", "fish"] {
        let run = imprint(&["completions", shell], None, &[]);
        let out = run.ok();
        for cmd in ["render", "diff", "graph", "check"] {
            assert!(out.contains(cmd), "{shell}: {cmd} missing");
        }
    }
    assert_eq!(imprint(&["completions", "nosh"], None, &[]).code, 2);
}

/// docs/commands.md "Exit codes": each code, from the real binary.
#[test]
fn every_exit_code_is_reachable() {
    use imprint::error::{EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK};
    let sample = repo_root().join("samples/web-message");
    let sample = sample.to_str().unwrap();
    assert_eq!(imprint(&["render", sample], None, &[]).code, EXIT_OK);
    let dangling = Tree::new().file(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n    envFrom: [{configMapRef: {name: missing}}]\n",
    );
    assert_eq!(imprint(&["check", dangling.path().to_str().unwrap()], None, &[]).code, EXIT_FINDINGS);
    imprint(&["render", dangling.path().to_str().unwrap()], None, &[]).bad_input(&["dangling reference"]);
    assert_eq!(EXIT_BAD_INPUT, 2);
    // A panic (reached through a debug-build hook: no input is known to
    // panic) is caught: one line, exit 3, nothing on stdout. A release
    // build has no hook (.ci/run checks its binary for the name).
    if cfg!(debug_assertions) {
        check_panic_path(sample);
    }
    // An internal error is a 3 too; everything else the input causes is a 2.
    let internal = imprint::error::Error::new(imprint::error::ErrorKind::Internal("x".into()));
    assert_eq!(internal.exit_code(), EXIT_INTERNAL);
    let usage = imprint::error::Error::new(imprint::error::ErrorKind::Usage("x".into()));
    assert_eq!(usage.exit_code(), EXIT_BAD_INPUT);
}

fn check_panic_path(sample: &str) {
    use imprint::error::EXIT_INTERNAL;
    let panicked = imprint(&["render", sample], None, &[("IMPRINT_DEBUG_PANIC", "1")]);
    assert_eq!(panicked.code, EXIT_INTERNAL, "{}", panicked.stderr);
    assert!(panicked.stdout.is_empty());
    assert!(
        panicked
            .stderr
            .lines()
            .any(|l| l == "error: internal error (a bug in imprint; please report it with the input that caused it)"),
        "{}",
        panicked.stderr
    );
}

/// keepVersions reads git history: stdin has none, so it is refused rather
/// than silently keeping nothing (flag, variable or imprint.yaml alike).
#[test]
fn keep_versions_on_stdin_is_refused() {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n";
    let want = ["keepVersions needs a directory in a git repository, not stdin"];
    imprint(&["render", "-", "--keep-versions", "2"], Some(cm), &[]).bad_input(&want);
    imprint(&["render", "-"], Some(cm), &[("IMPRINT_KEEP_VERSIONS", "2")]).bad_input(&want);
    // Zero keeps nothing, and needs no history.
    assert_eq!(imprint(&["render", "-", "--keep-versions", "0"], Some(cm), &[]).code, 0);
}
