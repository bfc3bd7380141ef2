//! The binary's own behaviour, beyond what the library renders: the write
//! path (stdout, `-o FILE`, `-o DIR/`, `--format json`), a quiet exit when
//! the reader closes the pipe, the `IMPRINT_*` environment fallbacks of the
//! flags, and `NO_COLOR`.

mod common;
use common::*;
use serde_json::Value;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

// ---- the write path ----

/// An app whose output has a cluster-scoped object, two namespaces, a
/// generated Secret, a versioned ConfigMap, and two kinds named `Service`
/// in one namespace (which `-o DIR/` must tell apart by their group).
fn mixed_app() -> Tree {
    Tree::new()
        .file(
            "imprint.yaml",
            "namespace: shop\nsecretGenerator:\n- name: creds\n  literals: [PASSWORD=hunter2]\n",
        )
        .file("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
        .file("settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {LEVEL: debug}\n")
        .file(
            "web.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        envFrom: [{configMapRef: {name: settings}}, {secretRef: {name: creds}}]\n",
        )
        .file("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n")
        .file(
            "ksvc.yaml",
            "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{image: busybox}]\n",
        )
        .file(
            "role.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n",
        )
        .file(
            "other.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: other}\ndata: {a: b}\n",
        )
}

/// The file `-o DIR/` writes each object of the stream to (src/emit.rs):
/// `<namespace, or _cluster>/<lowercase kind>-<name>.yaml`, with the kind's
/// group after the kind when two objects would share a file.
fn dir_file_names(docs: &[Value]) -> Vec<String> {
    let base = |d: &Value, with_group: bool| {
        let ns = d["metadata"]["namespace"].as_str().unwrap_or("_cluster");
        let kind = d["kind"].as_str().unwrap().to_ascii_lowercase();
        let group = d["apiVersion"].as_str().unwrap().rsplit_once('/').map(|(g, _)| g.to_string());
        let kind = match group {
            Some(g) if with_group => format!("{kind}.{g}"),
            _ => kind,
        };
        format!("{ns}/{kind}-{}.yaml", d["metadata"]["name"].as_str().unwrap())
    };
    let plain: Vec<String> = docs.iter().map(|d| base(d, false)).collect();
    docs.iter()
        .zip(&plain)
        .map(|(d, p)| if plain.iter().filter(|q| *q == p).count() > 1 { base(d, true) } else { p.clone() })
        .collect()
}

/// Every file under `dir`, as a path relative to it.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(files_under(&e.path()).into_iter().map(|f| format!("{}/{f}", e.file_name().to_string_lossy())));
        } else {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

#[test]
fn stdout_file_and_folder_outputs_are_the_same_bytes() {
    let app = mixed_app();
    let printed = app.render(&[]);
    let stream = printed.ok();
    let out = tempfile::tempdir().unwrap();

    let file = out.path().join("all.yaml");
    let run = app.render(&["-o", file.to_str().unwrap()]);
    assert_eq!(run.ok(), "", "-o FILE prints nothing");
    assert_eq!(run.stderr, printed.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), stream, "-o FILE");

    let dir = out.path().join("split");
    let run = app.render(&["-o", &format!("{}/", dir.display())]);
    assert_eq!(run.ok(), "", "-o DIR/ prints nothing");
    let docs = docs(stream);
    assert_eq!(docs.len(), 8);
    let names = dir_file_names(&docs);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(files_under(&dir), sorted, "one file per object, and nothing else");
    for expected in [
        "_cluster/namespace-shop.yaml",
        "_cluster/clusterrole-reader.yaml",
        "shop/service-web.yaml",
        "shop/service.serving.knative.dev-web.yaml",
        "shop/deployment-web.yaml",
        "other/configmap-elsewhere.yaml",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} not in {names:?}");
    }
    // The files, read in the stream's order and joined as a stream, are it.
    let joined: Vec<String> = names.iter().map(|n| std::fs::read_to_string(dir.join(n)).unwrap()).collect();
    assert_eq!(joined.join("---\n"), stream, "-o DIR/ in stream order");
}

#[test]
fn json_output_is_a_list_of_the_same_objects() {
    let app = mixed_app();
    let yaml = docs(app.render(&[]).ok());
    let printed = app.render(&["--format", "json"]);
    let list: Value = serde_json::from_str(printed.ok()).expect("--format json prints JSON");
    assert_eq!(list["apiVersion"], "v1");
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"].as_array().unwrap(), &yaml, "the same objects in the same order");
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("all.json");
    app.render(&["--format", "json", "-o", file.to_str().unwrap()]).ok();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed.stdout, "-o FILE --format json");
}

// ---- a closed pipe ----

/// A render of a few thousand ConfigMaps: far more than a pipe holds.
fn big_app() -> Tree {
    let docs: Vec<String> = (0..4000)
        .map(|i| {
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i:05}, namespace: ns-{}}}\ndata: {{key: value-{i}, text: some longer text to make the document bigger}}\n",
                i % 7
            )
        })
        .collect();
    Tree::new().file("all.yaml", docs.join("---\n"))
}

/// `imprint render | head -c 1`: the reader takes one byte and closes the
/// pipe; the render stops without an error and exits 0 (as ripgrep does).
#[test]
fn a_closed_pipe_ends_the_render_quietly() {
    let app = big_app();
    for format in ["yaml", "json"] {
        let full = app.render(&["--format", format]);
        assert!(full.ok().len() > 512 * 1024, "the output must not fit in a pipe's buffer");
        let mut child = Command::new(bin())
            .args(["render", app.path().to_str().unwrap(), "--format", format])
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 1];
        stdout.read_exact(&mut first).unwrap();
        assert_eq!(first[0], full.stdout.as_bytes()[0]);
        drop(stdout);
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        // Killed by SIGPIPE, there would be no exit code.
        assert_eq!(status.code(), Some(0), "{format}: {status:?}\n{stderr}");
        assert!(!stderr.contains("error"), "{format}: {stderr}");
    }
}

// ---- IMPRINT_* environment fallbacks ----

/// `imprint <args> <extra>` with `env`.
fn run(args: &[&str], extra: &[&str], env: &[(&str, &str)]) -> Run {
    let all: Vec<&str> = args.iter().chain(extra).copied().collect();
    imprint(&all, None, env)
}

fn same(a: &Run, b: &Run, what: &str) {
    assert_eq!((a.code, &a.stdout, &a.stderr), (b.code, &b.stdout, &b.stderr), "{what}");
}

/// The variable does what the flag does (stdout, stderr and exit code),
/// which is not what the command does without either; and with both, the
/// flag's `beats` value wins over the variable.
#[track_caller]
fn env_falls_back(args: &[&str], flag: &[&str], var: (&str, &str), beats: (&[&str], &str)) {
    let plain = run(args, &[], &[]);
    let by_flag = run(args, flag, &[]);
    let by_var = run(args, &[], &[var]);
    same(&by_var, &by_flag, &format!("{} acts as {flag:?}", var.0));
    assert_ne!(
        (by_flag.code, &by_flag.stdout, &by_flag.stderr),
        (plain.code, &plain.stdout, &plain.stderr),
        "{flag:?} changes nothing here: the test would prove nothing"
    );
    let (flag, var_value) = beats;
    let both = run(args, flag, &[(var.0, var_value)]);
    same(&both, &run(args, flag, &[]), &format!("{flag:?} beats {}={var_value}", var.0));
    let var_only = run(args, &[], &[(var.0, var_value)]);
    assert_ne!(
        (both.code, &both.stdout, &both.stderr),
        (var_only.code, &var_only.stdout, &var_only.stderr),
        "{flag:?} and {}={var_value} do the same: the test would prove nothing",
        var.0
    );
}

fn app() -> Tree {
    Tree::new().file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n").file(
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, annotations: {imprint.dev/version: \"true\"}}\nstringData: {p: hunter2}\n",
    )
}

#[test]
fn namespace_and_format_from_the_environment() {
    let t = app();
    let dir = t.path().to_str().unwrap();
    let render = ["render", dir];
    env_falls_back(&render, &["-n", "from-flag"], ("IMPRINT_NAMESPACE", "from-flag"), (&["-n", "flag"], "var"));
    env_falls_back(&render, &["--format", "json"], ("IMPRINT_FORMAT", "json"), (&["--format", "yaml"], "json"));
    // The other commands that render read it too.
    env_falls_back(
        &["graph", dir, "--format", "json"],
        &["-n", "from-flag"],
        ("IMPRINT_NAMESPACE", "from-flag"),
        (&["-n", "flag"], "var"),
    );
    env_falls_back(
        &["check", dir, "--format", "json"],
        &["-n", "from-flag"],
        ("IMPRINT_NAMESPACE", "from-flag"),
        (&["-n", "flag"], "var"),
    );
}

#[test]
fn hash_key_file_from_the_environment() {
    let t = app().file("other-key.txt", "another key of at least sixteen bytes\n");
    let (key, other) = (hash_key(), t.path().join("other-key.txt"));
    let (key, other) = (key.to_str().unwrap(), other.to_str().unwrap());
    let dir = t.path().to_str().unwrap();
    env_falls_back(
        &["render", dir],
        &["--hash-key-file", key],
        ("IMPRINT_HASH_KEY_FILE", key),
        (&["--hash-key-file", key], other),
    );
    // `fn` declares its own.
    let list = r#"{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": [
      {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "a", "annotations": {"imprint.dev/version": "true"}}, "data": {"p": "eA=="}}]}"#;
    let by_flag = imprint(&["fn", "--hash-key-file", key], Some(list), &[]);
    let by_var = imprint(&["fn"], Some(list), &[("IMPRINT_HASH_KEY_FILE", key)]);
    same(&by_var, &by_flag, "fn: IMPRINT_HASH_KEY_FILE acts as --hash-key-file");
    assert!(by_var.ok().contains("blake3-keyed:"), "{}", by_var.stdout);
}

/// Boolean flags take `true` or `false` from their variable; `false` is
/// off, and the flag beats it.
#[test]
fn allow_dangling_and_allow_empty_from_the_environment() {
    let dangling = Tree::new().file(
        "p.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i, envFrom: [{configMapRef: {name: gone}}]}]}\n",
    );
    let render = ["render", dangling.path().to_str().unwrap()];
    env_falls_back(
        &render,
        &["--allow-dangling"],
        ("IMPRINT_ALLOW_DANGLING", "true"),
        (&["--allow-dangling"], "false"),
    );
    run(&render, &[], &[("IMPRINT_ALLOW_DANGLING", "false")]).bad_input(&["dangling reference"]);
    let empty = Tree::new().file("README.md", "nothing");
    let render = ["render", empty.path().to_str().unwrap()];
    env_falls_back(&render, &["--allow-empty"], ("IMPRINT_ALLOW_EMPTY", "true"), (&["--allow-empty"], "false"));
    run(&render, &[], &[("IMPRINT_ALLOW_EMPTY", "false")]).bad_input(&["no objects"]);
    // Switches read as Argo CD users write them: 1/yes on; empty/0/no off.
    for on in ["1", "yes", "TRUE", "on"] {
        assert_eq!(run(&render, &[], &[("IMPRINT_ALLOW_EMPTY", on)]).code, 0, "{on}");
    }
    for off in ["", "0", "no", "Off"] {
        run(&render, &[], &[("IMPRINT_ALLOW_EMPTY", off)]).bad_input(&["no objects"]);
    }
    // A misspelt value never turns a safety switch on.
    for garbage in ["flase", "maybe", "2"] {
        run(&render, &[], &[("IMPRINT_ALLOW_EMPTY", garbage)]).bad_input(&["--allow-empty", "expected 1/true"]);
        let dangling = ["render", dangling.path().to_str().unwrap()];
        run(&dangling, &[], &[("IMPRINT_ALLOW_DANGLING", garbage)]).bad_input(&["--allow-dangling"]);
    }
}

/// A variable that is not UTF-8 is an error only where it is read, never a
/// crash: Argo CD's values for a render, nothing at all for the others.
#[test]
fn an_environment_variable_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let sample = repo_root().join("samples/web-message");
    let bad = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let with = |args: &[&str], name: &str| {
        let out = std::process::Command::new(bin()).args(args).env_clear().env(name, bad).output().unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let render = ["render", sample.to_str().unwrap()];
    assert_eq!(with(&render, "UNRELATED").0, 0, "an unrelated variable is ignored");
    assert_eq!(with(&["completions", "bash"], "ARGOCD_ENV_X").0, 0);
    for name in ["ARGOCD_ENV_MESSAGE", "ARGOCD_APP_PARAMETERS"] {
        let (code, err) = with(&render, name);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.starts_with(&format!("error: environment variable {name} is not valid UTF-8")), "{err}");
    }
}

/// One YAML file per object: `-o DIR/` with `--format json` (or
/// IMPRINT_FORMAT=json) is refused rather than silently writing YAML.
#[test]
fn a_folder_output_is_yaml_only() {
    let sample = repo_root().join("samples/web-message");
    let out = Tree::new();
    let dir = format!("{}/", out.path().join("rendered").display());
    let render = ["render", sample.to_str().unwrap(), "-o", dir.as_str()];
    run(&render, &["--format", "json"], &[]).bad_input(&["writes one YAML file per object"]);
    run(&render, &[], &[("IMPRINT_FORMAT", "json")]).bad_input(&["writes one YAML file per object"]);
    assert!(!out.path().join("rendered").exists(), "nothing written");
    assert_eq!(run(&render, &[], &[]).code, 0);
}

/// A repository whose app's bundle `msg` has two committed versions, and a
/// third, uncommitted, in the working tree.
fn app_with_history() -> Tree {
    let t = Tree::new();
    git(t.path(), &["init", "-q", "-b", "main"]);
    let t = t
        .file("app/imprint.yaml", "namespace: prod\nconfigMapGenerator:\n- name: msg\n  envs: [msg.env]\n")
        .file(
            "app/d.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: busybox, envFrom: [{configMapRef: {name: msg}}]}]\n",
        );
    for message in ["one", "two"] {
        std::fs::write(t.path().join("app/msg.env"), format!("MESSAGE={message}\n")).unwrap();
        git(t.path(), &["add", "-A"]);
        git(t.path(), &["commit", "-q", "-m", message]);
    }
    std::fs::write(t.path().join("app/msg.env"), "MESSAGE=three\n").unwrap();
    t
}

#[test]
fn rev_and_keep_versions_from_the_environment() {
    let t = app_with_history();
    let app = t.path().join("app");
    let render = ["render", app.to_str().unwrap()];
    env_falls_back(&render, &["--rev", "HEAD"], ("IMPRINT_REV", "HEAD"), (&["--rev", "HEAD~1"], "HEAD"));
    env_falls_back(
        &render,
        &["--keep-versions", "1"],
        ("IMPRINT_KEEP_VERSIONS", "1"),
        (&["--keep-versions", "0"], "1"),
    );
    let kept = run(&render, &[], &[("IMPRINT_KEEP_VERSIONS", "1")]);
    let out = docs(kept.ok());
    let mut messages: Vec<&str> =
        out.iter().filter(|d| d["kind"] == "ConfigMap").map(|d| d["data"]["MESSAGE"].as_str().unwrap()).collect();
    messages.sort_unstable();
    assert_eq!(messages, ["three", "two"], "the current version and the one before it");
}

#[test]
fn limits_from_the_environment() {
    let t = app();
    let dir = t.path().to_str().unwrap();
    let render = ["render", dir];
    env_falls_back(
        &render,
        &["--max-documents", "1"],
        ("IMPRINT_MAX_DOCUMENTS", "1"),
        (&["--max-documents", "100"], "1"),
    );
    run(&render, &[], &[("IMPRINT_MAX_DOCUMENTS", "1")]).bad_input(&["--max-documents"]);
    env_falls_back(
        &render,
        &["--max-output-size", "100"],
        ("IMPRINT_MAX_OUTPUT_SIZE", "100"),
        (&["--max-output-size", "100000"], "100"),
    );
    env_falls_back(
        &render,
        &["--max-file-size", "10"],
        ("IMPRINT_MAX_FILE_SIZE", "10"),
        (&["--max-file-size", "100000"], "10"),
    );
    // `check` declares its own limits.
    env_falls_back(
        &["check", dir],
        &["--max-documents", "1"],
        ("IMPRINT_MAX_DOCUMENTS", "1"),
        (&["--max-documents", "100"], "1"),
    );
}

// ---- NO_COLOR ----

const ESC: &str = "\x1b[";

/// `diff --from HEAD` on a working tree that changes a bundle: a report
/// with headings, which the text format colours.
fn diff_args(t: &Tree) -> Vec<String> {
    let app = t.path().join("app");
    ["diff", app.to_str().unwrap(), "--from", "HEAD"].map(String::from).to_vec()
}

fn diff(t: &Tree, color: &str, env: &[(&str, &str)]) -> Run {
    let mut args = diff_args(t);
    args.extend(["--color".into(), color.into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = imprint(&args, None, env);
    assert_eq!(run.code, 1, "diff reports a change: {}", run.stderr);
    run
}

/// src/cli/commands.rs (with NO_COLOR from src/cli/env.rs): `auto` colours when stdout is a terminal and NO_COLOR is
/// unset or empty; `always` and `never` do as they say.
#[test]
fn no_color_and_the_color_flag() {
    let t = app_with_history();
    // Not a terminal: auto never colours, whatever NO_COLOR says.
    for env in [&[][..], &[("NO_COLOR", "1")], &[("NO_COLOR", "")]] {
        let run = diff(&t, "auto", env);
        assert!(run.stdout.contains("Config versions") && !run.stdout.contains(ESC), "{env:?}:\n{}", run.stdout);
    }
    let always = diff(&t, "always", &[("NO_COLOR", "1")]);
    assert!(always.stdout.contains(&format!("{ESC}1mConfig versions")), "{}", always.stdout);
    assert!(!diff(&t, "never", &[]).stdout.contains(ESC));

    // On a terminal, through script(1).
    if Command::new("script").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("IMPRINT_REQUIRE_SCRIPT").is_none(),
            "IMPRINT_REQUIRE_SCRIPT is set but script (util-linux) is missing"
        );
        eprintln!("SKIPPED: script (util-linux) not found; --color auto on a terminal was not tested");
        return;
    }
    let on_terminal = |color: &str, env: &[(&str, &str)]| -> String {
        let mut line = format!("'{}'", bin().display());
        for a in diff_args(&t).iter().map(String::as_str).chain(["--color", color]) {
            line.push_str(&format!(" '{a}'"));
        }
        let out = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env_clear()
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "diff reports a change: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Config versions"), "{text}");
        text
    };
    assert!(on_terminal("auto", &[]).contains(ESC), "auto colours on a terminal");
    assert!(on_terminal("auto", &[("NO_COLOR", "")]).contains(ESC), "an empty NO_COLOR is unset");
    assert!(!on_terminal("auto", &[("NO_COLOR", "1")]).contains(ESC), "NO_COLOR turns auto off");
    assert!(!on_terminal("never", &[]).contains(ESC));
    assert!(on_terminal("always", &[("NO_COLOR", "1")]).contains(ESC));
}
