//! Hostile repositories: confinement, limits, no leaks, atomic output,
//! concurrency (issue 8). Every run goes through the real binary.
//!
//! Nothing here measures time (issue 17): that an input stops at its limit,
//! or costs work linear in its size, is counted in tests/linear.rs, and the
//! timings of the refusals are in benches/render.rs (`hostile`).

mod common;
use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {k: v}\n";

/// Runs the binary under `ulimit -v` (1 GiB of address space), feeding
/// `stdin` from a file; returns (exit code, stderr). The 600 s deadline is
/// a hang guard, not a ceiling: it kills a child that would otherwise hold
/// the test run forever. (At 60 s a debug build on a 2-core machine shared
/// with two other builds once went past it: the node bomb.)
fn bounded(args: &[&str], stdin_file: Option<&Path>, dir: &Path) -> (i32, String) {
    let script = "ulimit -v 1048576; exec \"$0\" \"$@\"";
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(script).arg(bin()).args(args).current_dir(dir).env_clear();
    cmd.stdin(match stdin_file {
        Some(p) => Stdio::from(std::fs::File::open(p).unwrap()),
        None => Stdio::null(),
    });
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if start.elapsed() > Duration::from_secs(600) {
            let _ = child.kill();
            panic!("imprint {args:?} did not finish in 600 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn huge_and_hostile_inputs_fail_fast_in_bounded_memory() {
    let t = Tree::new().file("ok.yaml", CM);
    // A 1 GB (sparse) file: refused by size (that no byte of it is read is
    // tests/linear.rs a_file_over_the_size_limit_is_never_read).
    let f = std::fs::File::create(t.path().join("huge.yaml")).unwrap();
    f.set_len(1 << 30).unwrap();
    let (code, err) = bounded(&["render", "."], None, t.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("huge.yaml") && err.contains("larger than the limit") && err.contains("--max-file-size"),
        "{err}"
    );
    // Streams on stdin: an alias bomb, 100,000-deep nesting, a million
    // documents. Each stops inside the parser, at its budget: the line in
    // the error is where the budget ran out, not the end of the stream (the
    // 7th line's aliases pass a million nodes, the 200,001st document
    // starts on line 400,001).
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
    for (p, c) in ('a'..='h').zip('b'..='i') {
        bomb.push_str(&format!("{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"));
    }
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let million: String = (0..1_000_000).map(|i| format!("---\nk: {i}\n")).collect();
    let cases = [
        ("bomb", bomb, "aliases expand past the limit of 1000000 (<stdin>:7)", "--max-alias-expansion"),
        ("deep", deep, "nesting deeper than the limit of 128 levels (<stdin>:1)", "--max-depth"),
        ("million", million, "more than the limit of 200000 YAML documents (<stdin>:400001)", "--max-documents"),
    ];
    for (name, text, what, flag) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let (code, err) = bounded(&["render", "-"], Some(&p), dir.path());
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.starts_with(&format!("error: {what}\n")), "{name}: {err}");
        assert!(err.contains(&format!("raise the limit with {flag}")), "{name}: {err}");
    }
    // A node bomb: `[0,0,0,…]` takes 40 times its size once parsed. 12 MB
    // of it (6 million nodes) stops at the 5,000,000-node default, within
    // the 1 GiB address space (tests/linear.rs: no node past the limit is built).
    let zeros = format!("apiVersion: x.io/v1\nkind: Z\nmetadata: {{name: z}}\nspec: [{}0]\n", "0,".repeat(6_000_000));
    let nodes = Tree::new().file("zeros.yaml", zeros);
    let (code, err) = bounded(&["render", "."], None, nodes.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("error: more than the limit of 5000000 YAML nodes in all input files (zeros.yaml:"),
        "{err}"
    );
    // The limits are flags.
    let small = Tree::new().file("a.yaml", CM);
    small.render(&["--max-file-size", "10"]).bad_input(&["a.yaml", "larger than the limit of 10 bytes"]);
    small.render(&["--max-input-size", "10"]).bad_input(&["larger than the limit of 10 bytes", "--max-input-size"]);
    imprint(&["render", "-", "--max-input-size", "10"], Some(CM), &[]).bad_input(&["stdin is larger than the limit"]);
}

#[test]
fn special_files_and_odd_names() {
    // A FIFO is never opened (it would block): skipped in a folder, refused when named.
    let t = Tree::new()
        .file("a.yaml", CM)
        .file("imprint.yaml", "configMapGenerator:\n- name: g\n  files: [conf/]\n")
        .file("conf/x", "1");
    let status = Command::new("mkfifo").arg(t.path().join("conf/pipe")).status().unwrap();
    assert!(status.success());
    let fifo2 = Command::new("mkfifo").arg(t.path().join("pipe.yaml")).status().unwrap();
    assert!(fifo2.success());
    let (code, err) = bounded(&["render", "."], None, t.path());
    assert_eq!(code, 0, "{err}");
    let named = t.file("imprint.yaml", "configMapGenerator:\n- name: g\n  files: [conf/pipe]\n");
    let (code, err) = bounded(&["render", "."], None, named.path());
    assert_eq!(code, 2);
    assert!(err.contains("conf/pipe") && err.contains("not a regular file"), "{err}");
    // A non-UTF-8 file name in a listed folder is refused by name.
    let bad = Tree::new().file("a.yaml", CM);
    use std::os::unix::ffi::OsStrExt;
    std::fs::write(bad.path().join(std::ffi::OsStr::from_bytes(b"b\xff.yaml")), CM).unwrap();
    bad.render(&[]).bad_input(&["refused path", "not valid UTF-8"]);
    // A 255-byte name is fine.
    let long = format!("{}.yaml", "a".repeat(250));
    let ok = Tree::new().file(&long, CM);
    assert_eq!(docs(ok.render(&[]).ok()).len(), 1);
}

#[test]
fn symlink_chains_loops_and_folders() {
    let t = Tree::new()
        .file("real/cm.yaml", CM)
        .symlink("l1", "l2")
        .symlink("l2", "real/cm.yaml")
        .file("imprint.yaml", "resources: [l1]\n");
    assert_eq!(docs(t.render(&[]).ok()).len(), 1, "a chain inside the tree is followed");
    let looped = Tree::new().symlink("a.yaml", "b.yaml").symlink("b.yaml", "a.yaml");
    looped.render(&[]).bad_input(&["refused path", "too many levels of symbolic links"]);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yaml"), CM).unwrap();
    let via_folder = Tree::new()
        .symlink("linked", outside.path().to_str().unwrap())
        .file("imprint.yaml", "resources: [linked/secret.yaml]\n");
    via_folder.render(&[]).bad_input(&["refused path", "linked/secret.yaml"]);
    let in_then_out = Tree::new()
        .file("cm.yaml", CM)
        .symlink("inner/hop", "../..")
        .file("imprint.yaml", "resources: [inner/hop/etc/passwd]\n");
    in_then_out.render(&[]).bad_input(&["refused path"]);
}

#[test]
fn hash_key_files_must_be_real_keys() {
    let t = Tree::new().file("cm.yaml", CM);
    let keys = Tree::new().file("empty", "").file("short", "0123456789").file("good", "0123456789abcdef-key");
    t.render(&["--hash-key-file", keys.path().join("missing").to_str().unwrap()]).bad_input(&["missing"]);
    t.render(&["--hash-key-file", keys.path().join("empty").to_str().unwrap()]).bad_input(&["is empty"]);
    t.render(&["--hash-key-file", keys.path().join("short").to_str().unwrap()]).bad_input(&["at least 16"]);
    t.render(&["--hash-key-file", keys.path().join("good").to_str().unwrap()]).ok();
}

/// Distinctive strings that must never leave imprint except inside the
/// rendered Secret objects themselves.
const SECRETS: &[&str] = &["s3cr3t-hunter-42", "tok-9f8e7d6c5b4a", "pw-line-without-equals"];

fn secret_app() -> Tree {
    Tree::new()
        .file("imprint.yaml", "secretGenerator:\n- name: creds\n  envs: [creds.env]\n")
        .file("creds.env", "PASSWORD=s3cr3t-hunter-42\n")
        .file("s.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: api}\nstringData: {TOKEN: tok-9f8e7d6c5b4a}\n")
        .file("d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i, envFrom: [{secretRef: {name: creds}}, {secretRef: {name: api}}]}]}\n")
}

fn assert_no_secret(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} leaks {s}:\n{text}");
    }
    use base64::Engine as _;
    for s in SECRETS {
        let b64 = base64::engine::general_purpose::STANDARD.encode(s);
        assert!(!text.contains(&b64[..12]), "{what} leaks base64 of {s}");
    }
}

#[test]
fn no_secret_value_leaves_imprint() {
    let t = secret_app();
    // render: the values appear only inside Secret objects.
    for extra in [&[][..], &["-v"], &["--format", "json"]] {
        let run = t.render(extra);
        assert_no_secret("render stderr", &run.stderr);
        let objects: Vec<serde_json::Value> = if extra.contains(&"json") {
            serde_json::from_str::<serde_json::Value>(run.ok()).unwrap()["items"].as_array().unwrap().clone()
        } else {
            docs(run.ok())
        };
        for o in objects.iter().filter(|o| o["kind"] != "Secret") {
            assert_no_secret("render (non-Secret objects)", &o.to_string());
        }
    }
    // graph and check, every format.
    for args in [
        vec!["graph"],
        vec!["graph", "--format", "json"],
        vec!["graph", "--format", "dot"],
        vec!["graph", "--format", "mermaid"],
        vec!["check"],
        vec!["check", "--format", "json"],
    ] {
        let mut all = vec![args[0], t.path().to_str().unwrap()];
        all.extend_from_slice(&args[1..]);
        let run = imprint(&all, None, &[]);
        assert_no_secret(&format!("{args:?} stdout"), &run.stdout);
        assert_no_secret(&format!("{args:?} stderr"), &run.stderr);
    }
    // diff, every format, on a repository where the secrets change.
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(t.path())
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@e")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@e")
            .status()
            .unwrap();
        assert!(ok.success());
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "c"]);
    std::fs::write(t.path().join("creds.env"), "PASSWORD=tok-9f8e7d6c5b4a\n").unwrap();
    for format in ["text", "markdown", "json"] {
        let run = imprint(
            &["diff", t.path().to_str().unwrap(), "--from", "HEAD", "--format", format, "--color", "always"],
            None,
            &[],
        );
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert_no_secret(&format!("diff {format}"), &format!("{}{}", run.stdout, run.stderr));
    }
    // Error paths: a bad env line, broken YAML around a value, bad base64.
    let bad_env = secret_app().file("creds.env", "PASSWORD=x\npw-line-without-equals\n");
    assert_no_secret("env error", bad_env.render(&[]).bad_input(&["creds.env:2"]));
    let broken = secret_app().file(
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: api}\nstringData: {TOKEN: \"tok-9f8e7d6c5b4a}\n",
    );
    assert_no_secret("yaml error", broken.render(&[]).bad_input(&["s.yaml"]));
    let b64 = secret_app()
        .file("s.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: api}\ndata: {TOKEN: \"s3cr3t-hunter-42!\"}\n");
    assert_no_secret("base64 error", b64.render(&[]).bad_input(&["not valid base64", "data.TOKEN"]));
}

/// Fails if a write left an `imprint-` temporary beside its target.
#[track_caller]
fn assert_no_temporaries(dir: &Path) {
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("imprint-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `imprint render TREE -o TARGET` with files capped at 16 KiB: SIGXFSZ is
/// ignored, so an oversized write(2) fails with EFBIG, for root too.
fn render_with_small_files(t: &Tree, target: &str) -> std::process::Output {
    Command::new("bash")
        .arg("-c")
        .arg("ulimit -f 16; trap '' XFSZ; exec \"$0\" \"$@\"")
        .arg(bin())
        .args(["render", t.path().to_str().unwrap(), "-o", target])
        .env_clear()
        .output()
        .unwrap()
}

#[test]
fn output_is_all_or_nothing() {
    let t = Tree::new().file("cm.yaml", CM);
    // A read-only target folder: the write fails, nothing is left behind.
    let out = tempfile::tempdir().unwrap();
    let ro = out.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::write(ro.join("all.yaml"), "previous").unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    use std::os::unix::fs::PermissionsExt;
    perms.set_mode(0o555);
    std::fs::set_permissions(&ro, perms.clone()).unwrap();
    let is_root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout == b"0\n");
    if !is_root {
        t.render(&["-o", ro.join("all.yaml").to_str().unwrap()]).bad_input(&["cannot write"]);
        assert_eq!(std::fs::read_to_string(ro.join("all.yaml")).unwrap(), "previous");
    }
    perms.set_mode(0o755);
    std::fs::set_permissions(&ro, perms).unwrap();
    // A path whose parent is a file: the write fails without partial output.
    let blocker = out.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    t.render(&["-o", blocker.join("x.yaml").to_str().unwrap()]).bad_input(&["cannot write"]);
    // A failing render leaves an -o DIR as it was.
    let dir = out.path().join("rendered");
    t.render(&["-o", &format!("{}/", dir.display())]).ok();
    let before: Vec<_> = std::fs::read_dir(dir.join("_cluster")).unwrap().map(|e| e.unwrap().file_name()).collect();
    let broken = Tree::new().file("cm.yaml", "kind: [");
    broken.render(&["-o", &format!("{}/", dir.display())]).bad_input(&["cm.yaml"]);
    let after: Vec<_> = std::fs::read_dir(dir.join("_cluster")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(before, after);
    assert_no_temporaries(out.path());
}

#[test]
fn fifty_concurrent_renders_match_sequential_ones() {
    let trees: Vec<Tree> = (0..50)
        .map(|i| {
            Tree::new()
                .file("imprint.yaml", format!("namespace: app-{i}\nconfigMapGenerator:\n- name: cfg\n  literals: [N={i}]\n"))
                .file("d.yaml", format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i}}}\nspec:\n  selector: {{matchLabels: {{a: b}}}}\n  template:\n    metadata: {{labels: {{a: b}}}}\n    spec: {{containers: [{{name: c, image: i, envFrom: [{{configMapRef: {{name: cfg}}}}]}}]}}\n"))
        })
        .collect();
    let sequential: Vec<String> = trees.iter().map(|t| t.render(&[]).ok().to_string()).collect();
    let children: Vec<_> = trees
        .iter()
        .map(|t| {
            Command::new(bin())
                .args(["render", t.path().to_str().unwrap()])
                .env_clear()
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (child, expected) in children.into_iter().zip(&sequential) {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert_eq!(&String::from_utf8(out.stdout).unwrap(), expected);
    }
}

#[test]
fn review_regressions() {
    // -o DIR never writes outside the folder, whatever a namespace says.
    let out = tempfile::tempdir().unwrap();
    let evil =
        Tree::new().file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: ../../escape}\n");
    evil.render(&["-o", &format!("{}/r/", out.path().display())]).bad_input(&["cannot be a file name"]);
    assert!(!out.path().join("escape").exists() && !out.path().parent().unwrap().join("escape").exists());
    // An env line whose "key" is a pasted secret is never echoed.
    let t = Tree::new()
        .file("imprint.yaml", "secretGenerator:\n- name: s\n  envs: [s.env]\n")
        .file("s.env", "postgres://u:hunter2@h/db?sslmode=require\n");
    let err = t.render(&[]).bad_input(&["an invalid key", "s.env:1"]).to_string();
    assert!(!err.contains("hunter2"), "{err}");
    // Git's own folder (a CI checkout keeps its token there) is never read.
    let t = Tree::new()
        .file(".git/config", "[http]\nextraheader = AUTHORIZATION: basic c2VjcmV0\n")
        .file("imprint.yaml", "configMapGenerator:\n- name: g\n  files: [.git/config]\n");
    t.render(&[]).bad_input(&["refused path", ".git/config"]);
    let t = Tree::new()
        .file(".git/config", "x")
        .symlink("cfg", ".git/config")
        .file("imprint.yaml", "configMapGenerator:\n- name: g\n  files: [cfg]\n");
    t.render(&[]).bad_input(&["refused path", "cfg"]);
    // A versioned name that meets an existing object is an error, not two objects.
    let base = Tree::new().file("imprint.yaml", "configMapGenerator:\n- name: web\n  literals: [A=1]\n");
    let name = find(&docs(base.render(&[]).ok()), "ConfigMap", "web").unwrap()["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let clash =
        base.file("cm.yaml", format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{a: b}}\n"));
    clash.render(&[]).bad_input(&["defined twice", &name]);
    // Fixed names apply to objects without a namespace too.
    let istio = Tree::new()
        .file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio}\ndata: {mesh: x}\n")
        .file("d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i, volumeMounts: [{name: m, mountPath: /m}]}], volumes: [{name: m, configMap: {name: istio}}]}\n");
    assert_eq!(name_of(&docs(istio.render(&[]).ok()), "ConfigMap", "istio"), "istio");
}

#[test]
fn generator_and_template_output_limits() {
    let env: String = (0..10_001).map(|i| format!("K{i}=v\n")).collect();
    let t = Tree::new().file("imprint.yaml", "configMapGenerator:\n- name: g\n  envs: [a.env]\n").file("a.env", env);
    t.render(&[]).bad_input(&["10001 keys", "limit is 10000", "imprint.yaml:2", "--max-bundle-keys"]);
    t.render(&["--max-bundle-keys", "10001"]).ok();
    // A loop that multiplies a small repository into a huge stream stops
    // (at the limit: tests/linear.rs template_loops_stop_at_the_limit).
    let t = Tree::new()
        .file("imprint.yaml", "values:\n  inline: {n: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}\n")
        .file(
            "big.yaml.hbs",
            "{{#each n}}{{#each @root.n}}{{#each @root.n}}{{#each @root.n}}{{#each @root.n}}{{#each @root.n}}# padding padding padding padding padding padding\n{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}",
        );
    let (code, err) = bounded(&["render", "."], None, t.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("templates loop more than the limit of 1000000 times") && err.contains("big.yaml.hbs"),
        "{err}"
    );
}

/// Three ConfigMaps in two files, one with an anchor and an alias.
fn three_docs() -> Tree {
    Tree::new()
        .file(
            "a.yaml",
            format!("{CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: two}}\ndata: &d {{k: v}}\n"),
        )
        .file("b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: three}\ndata: {k: v, l: [[[x]]]}\n")
}

#[test]
fn every_limit_is_a_flag_with_its_own_error() {
    let t = three_docs();
    let total = t.render(&[]).ok().len();
    // Totals over all files name the file that passed them.
    t.render(&["--max-documents", "2"])
        .bad_input(&["more than the limit of 2 YAML documents in all input files (b.yaml", "--max-documents"]);
    t.render(&["--max-documents", "3"]).ok();
    t.render(&["--max-yaml-nodes", "20"]).bad_input(&["more than the limit of 20 YAML nodes", "--max-yaml-nodes"]);
    t.render(&["--max-depth", "3"]).bad_input(&["nesting deeper than the limit of 3 levels (b.yaml:4)", "--max-depth"]);
    t.render(&["--max-depth", "6"]).ok();
    let alias = Tree::new()
        .file("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: &d {k: v}\nx: [*d, *d, *d]\n");
    alias
        .render(&["--max-alias-expansion", "2"])
        .bad_input(&["aliases expand past the limit of 2", "--max-alias-expansion"]);
    alias.render(&[]).ok();
    // The output limit, for stdout, -o FILE and -o DIR; what was there stays.
    let limit = (total - 1).to_string();
    t.render(&["--max-output-size", &limit])
        .bad_input(&["the rendered output is larger than the limit", "--max-output-size"]);
    t.render(&["--max-output-size", &total.to_string()]).ok();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("all.yaml");
    std::fs::write(&file, "previous").unwrap();
    t.render(&["--max-output-size", &limit, "-o", file.to_str().unwrap()]).bad_input(&["--max-output-size"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous");
    // (-o DIR counts the files' bytes: no `---` separators.)
    t.render(&["--max-output-size", "100", "-o", &format!("{}/dir/", out.path().display())])
        .bad_input(&["--max-output-size"]);
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1, "only all.yaml: no temporary left");
    // graph's report is output too (n ClusterRoles over n namespaces print n^2 rows).
    let dir = t.path().to_str().unwrap();
    let graph = imprint(&["graph", "--format", "json", dir], None, &[]);
    let size = graph.ok().len();
    imprint(&["graph", "--format", "json", "--max-output-size", &(size - 1).to_string(), dir], None, &[])
        .bad_input(&["larger than the limit", "--max-output-size"]);
    imprint(&["graph", "--format", "json", "--max-output-size", &size.to_string(), dir], None, &[]).ok();
    // Templates stop at the output limit too.
    let tpl = Tree::new().file("imprint.yaml", "values:\n  inline: {n: [1, 2, 3]}\n").file(
        "cm.yaml.hbs",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\ndata:\n{{#each n}}  k{{this}}: v\n{{/each}}",
    );
    tpl.render(&["--max-output-size", "40"]).bad_input(&[
        "cm.yaml.hbs",
        "templates render more than the limit of 40 bytes in all",
        "--max-output-size",
    ]);
    // JSON files count nodes as they are read, and stop at 128 levels.
    let json = Tree::new().file(
        "a.json",
        format!(
            "{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"j\"}}, \"data\": {{{}}}}}",
            (0..50).map(|i| format!("\"k{i}\": \"v\"")).collect::<Vec<_>>().join(", ")
        ),
    );
    json.render(&["--max-yaml-nodes", "50"]).bad_input(&["more than the limit of 50 YAML nodes", "a.json:1"]);
    json.render(&[]).ok();
    let deep_json = Tree::new().file("d.json", format!("{}1{}", "[".repeat(200), "]".repeat(200)));
    deep_json.render(&[]).bad_input(&["nesting deeper than 128 levels, the most a JSON file may have", "d.json:1"]);
    // Flags are checked; environment variables set them too (Argo CD
    // plugin sidecars configure by environment).
    t.render(&["--max-depth", "0"]).bad_input(&["expected a number from 1 to 255"]);
    t.render(&["--max-depth", "256"]).bad_input(&["expected a number from 1 to 255"]);
    imprint(&["render", t.path().to_str().unwrap()], None, &[("IMPRINT_MAX_DOCUMENTS", "2")])
        .bad_input(&["--max-documents"]);
    imprint(&["render", "-", "--max-documents", "1"], Some(&format!("{CM}---\n{CM}")), &[])
        .bad_input(&["<stdin>:", "--max-documents"]);
}

#[test]
fn depth_up_to_the_ceiling_renders_in_every_command() {
    // 255 levels (the ceiling), flow and block style: parsing and every walk over the
    // document (references, check, graph, output) stay within the stack.
    let n = 253; // the mapping and `spec` make 255
    let flow =
        format!("apiVersion: x.io/v1\nkind: Foo\nmetadata: {{name: a}}\nspec: {}{}\n", "[".repeat(n), "]".repeat(n));
    let block: String = (0..n).map(|i| format!("{}k:\n", " ".repeat(i + 1))).collect();
    let t = Tree::new()
        .file("flow.yaml", flow)
        .file("block.yaml", format!("apiVersion: x.io/v1\nkind: Foo\nmetadata: {{name: b}}\nspec:\n{block}"));
    t.render(&[]).bad_input(&["nesting deeper than the limit of 128 levels", "--max-depth"]);
    // (Counted as text: parsing it here would need the binary's stacks.)
    assert_eq!(t.render(&["--max-depth", "255"]).ok().matches("kind: Foo").count(), 2);
    for cmd in ["check", "graph"] {
        let run = imprint(&[cmd, t.path().to_str().unwrap(), "--max-depth", "255"], None, &[]);
        assert_eq!(run.code, 0, "{cmd}: {}", run.stderr);
    }
}

#[test]
fn a_failing_writer_leaves_the_previous_output() {
    // Root ignores directory permissions, so a read-only folder proves
    // nothing in CI; a file-size limit fails the write itself, for root
    // too (SIGXFSZ ignored, so write(2) returns EFBIG).
    let big =
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata: {{k: {}}}\n", "x".repeat(64 << 10));
    let t = Tree::new().file("cm.yaml", big);
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("all.yaml");
    std::fs::write(&file, "previous").unwrap();
    let dir = out.path().join("rendered");
    t.render(&["-o", &format!("{}/", dir.display())]).ok();
    let before = std::fs::read_to_string(dir.join("_cluster/configmap-big.yaml")).ok();
    let run = render_with_small_files(&t, file.to_str().unwrap());
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: cannot write") && err.contains("all.yaml"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous");
    let new_dir = Tree::new().file(
        "cm.yaml",
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata: {{k: {}}}\n", "y".repeat(64 << 10)),
    );
    let run = render_with_small_files(&new_dir, &format!("{}/", dir.display()));
    assert_eq!(run.status.code(), Some(2), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(std::fs::read_to_string(dir.join("_cluster/configmap-big.yaml")).ok(), before);
    assert_no_temporaries(out.path());
    // A full disk on stdout is an error, not a silent short stream.
    let full = Command::new(bin())
        .args(["render", t.path().to_str().unwrap()])
        .env_clear()
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: cannot write \"<stdout>\"") && err.contains("No space left"), "{err}");
}

/// Inputs a review found that built more nodes than the limit allows, or
/// that ignored the user's limits (each was a real bypass).
#[test]
fn limit_bypasses_found_in_review() {
    // Templates: tiny sources, huge output. They render first (all output
    // together held to --max-output-size) and are batched by what they
    // render, so eight of them no longer parse at once (the nodes built are
    // counted in tests/linear.rs rendered_templates_share_the_node_limit).
    let n: Vec<String> = (0..120).map(|i| i.to_string()).collect();
    let mut t = Tree::new().file("imprint.yaml", format!("values:\n  inline: {{n: [{}]}}\n", n.join(",")));
    for i in 0..8 {
        t = t.file(
            &format!("t{i}.yaml.hbs"),
            format!("apiVersion: x.io/v1\nkind: Z\nmetadata: {{name: z{i}}}\nspec: [{{{{#each n}}}}{{{{#each ../n}}}}{{{{#each ../../n}}}}0,{{{{/each}}}}{{{{/each}}}}{{{{/each}}}}0]\n"),
        );
    }
    let args = ["render", ".", "--max-yaml-nodes", "2000000", "--max-template-iterations", "100000000"];
    let (code, err) = bounded(&args, None, t.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("error: more than the limit of 2000000 YAML nodes in all input files (t1.yaml.hbs"),
        "{err}"
    );
    // Aliases: 2 KB files that each replay 890,000 nodes are parsed one at
    // a time (tests/linear.rs aliased_files_are_parsed_one_at_a_time).
    let mut aliased = Tree::new();
    let zeros = vec!["0"; 1000].join(",");
    let tens = ["*a"; 10].join(",");
    let many = vec!["*b"; 89].join(",");
    for i in 0..40 {
        aliased = aliased.file(
            &format!("a{i:02}.yaml"),
            format!("apiVersion: x.io/v1\nkind: Z\nmetadata: {{name: a{i}}}\nx: &a [{zeros}]\ny: &b [{tens}]\nspec: [{many}]\n"),
        );
    }
    let (code, err) = bounded(&["render", "."], None, aliased.path());
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("error: more than the limit of 5000000 YAML nodes in all input files (a05.yaml"), "{err}");
    // Values files share the totals (and are read with the user's limits).
    let values = Tree::new()
        .file("imprint.yaml", "values:\n  files: [v1.yaml, v2.yaml]\n")
        .file("v1.yaml", format!("a: [{}]\n", vec!["1"; 300].join(",")))
        .file("v2.yaml", format!("b: [{}]\n", vec!["1"; 300].join(",")))
        .file("cm.yaml", CM);
    values
        .render(&["--max-yaml-nodes", "500"])
        .bad_input(&["more than the limit of 500 YAML nodes in all input files (v2.yaml", "--max-yaml-nodes"]);
    values.render(&["--max-yaml-nodes", "700"]).ok();
    values.render(&["--max-depth", "1"]).bad_input(&["nesting deeper than the limit of 1 levels (v1.yaml:1)"]);
    // JSON files are held to --max-depth too, below serde_json's own 128.
    let json = Tree::new().file("d.json", format!("{}1{}", "[".repeat(50), "]".repeat(50)));
    json.render(&["--max-depth", "5"])
        .bad_input(&["nesting deeper than the limit of 5 levels (d.json:1)", "--max-depth"]);
    // Heavy use of one anchor is legitimate: only the replay budget counts.
    let reuse = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: r}}\ndata: {{k: &v x}}\nlist: [{}]\n",
        vec!["*v"; 990].join(",")
    );
    Tree::new().file("r.yaml", reuse).render(&[]).ok();
    // `fn` re-reads each item with the user's limits.
    let deep_item = format!(
        "{{\"apiVersion\": \"x.io/v1\", \"kind\": \"Z\", \"metadata\": {{\"name\": \"z\"}}, \"spec\": {}1{}}}",
        "[".repeat(150),
        "]".repeat(150)
    );
    let list = format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: [{deep_item}]\n");
    imprint(&["fn", "--max-depth", "200"], Some(&list), &[]).ok();
    imprint(&["fn"], Some(&list), &[]).bad_input(&["--max-depth"]);
    // The output limit counts exactly what is written, past the first 512 objects too.
    let mut big = Tree::new();
    for i in 0..600 {
        big = big.file(
            &format!("c{i:03}.yaml"),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i:03}}}\ndata: {{k: v}}\n"),
        );
    }
    let size = big.render(&[]).ok().len().to_string();
    big.render(&["--max-output-size", &size]).ok();
    let less = (size.parse::<usize>().unwrap() - 1).to_string();
    // On stdout the stream is cut at a 512-object boundary (docs/limits.md).
    let cut = big.render(&["--max-output-size", &less]);
    assert_eq!(cut.code, 2);
    assert!(cut.stderr.starts_with("error: the rendered output is larger than the limit"), "{}", cut.stderr);
    assert_eq!(docs(&cut.stdout).len(), 512);
    // -o FILE gets nothing.
    let out = tempfile::tempdir().unwrap();
    big.render(&["--max-output-size", &less, "-o", out.path().join("all.yaml").to_str().unwrap()])
        .bad_input(&["--max-output-size"]);
    assert!(!out.path().join("all.yaml").exists());
}

#[test]
fn keep_versions_is_held_to_the_limits() {
    // Old revisions that break a limit are skipped with a warning (as any
    // unreadable revision is), and what the walk keeps in memory, the
    // ConfigMaps and Secrets of every revision, counts against
    // --max-yaml-nodes as a whole.
    let t = Tree::new();
    git(t.path(), &["init", "-q", "-b", "main"]);
    let big = |i: usize| {
        let data: Vec<String> = (0..200).map(|k| format!("k{k}: v{i}")).collect();
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata: {{{}}}\n", data.join(", "))
    };
    let mut t = t;
    for i in 0..3 {
        t = t
            .file("app/imprint.yaml", format!("configMapGenerator:\n- name: msg\n  literals: [A={i}]\n"))
            .file("app/big.yaml", big(i));
        git(t.path(), &["add", "-A"]);
        git(t.path(), &["commit", "-q", "-m", &format!("c{i}")]);
    }
    let t = t.file("app/imprint.yaml", "configMapGenerator:\n- name: msg\n  literals: [A=new]\n");
    git(t.path(), &["add", "-A"]);
    git(t.path(), &["commit", "-q", "-m", "new"]);
    let app = t.path().join("app");
    let app = app.to_str().unwrap();
    let plain = imprint(&["render", app, "--keep-versions", "3"], None, &[]);
    assert!(plain.ok().contains("A: '2'") || plain.stdout.contains("A: \"2\""), "{}", plain.stdout);
    assert!(plain.stderr.is_empty(), "{}", plain.stderr);
    let capped = imprint(
        &["render", app, "--keep-versions", "3", "--keep-versions-best-effort", "--max-yaml-nodes", "1000"],
        None,
        &[],
    );
    capped.ok();
    assert!(
        capped.stderr.contains("revisions walked hold more than the limit of 1000 YAML nodes"),
        "{}",
        capped.stderr
    );
    // A generator past its limit in an old revision: the same message every
    // time, whichever thread finishes first.
    let t = Tree::new();
    git(t.path(), &["init", "-q", "-b", "main"]);
    let gens: String = (0..8).map(|i| format!("- name: g{i}\n  literals: [A=1, B=2, C=3]\n")).collect();
    let t = t.file("app/imprint.yaml", format!("configMapGenerator:\n{gens}")).file("app/cm.yaml", CM);
    git(t.path(), &["add", "-A"]);
    git(t.path(), &["commit", "-q", "-m", "many keys"]);
    let small: String = (0..8).map(|i| format!("- name: g{i}\n  literals: [A=2]\n")).collect();
    let t = t.file("app/imprint.yaml", format!("configMapGenerator:\n{small}"));
    git(t.path(), &["add", "-A"]);
    git(t.path(), &["commit", "-q", "-m", "few keys"]);
    let app = t.path().join("app");
    let args = [
        "render",
        app.to_str().unwrap(),
        "--keep-versions",
        "1",
        "--keep-versions-best-effort",
        "--max-bundle-keys",
        "2",
    ];
    let first = imprint(&args, None, &[]);
    first.ok();
    assert!(first.stderr.contains("the limit is 2 (imprint.yaml:2)"), "{}", first.stderr);
    // The warning keeps the error's help, which names the flag.
    assert!(first.stderr.contains("help: raise the limit with --max-bundle-keys"), "{}", first.stderr);
    for _ in 0..10 {
        assert_eq!(imprint(&args, None, &[]).stderr, first.stderr);
    }
}

/// Inputs a second review found that ran for minutes or took gigabytes
/// inside the limits; each now stops at a limit.
#[test]
fn second_review_bypasses() {
    // Loops that write nothing: four nested each over 200 values (70 s
    // before): they stop at the iteration limit (counted in tests/linear.rs).
    let zeros = vec!["0"; 200].join(",");
    let spin = Tree::new().file("imprint.yaml", format!("values:\n  inline: {{a: [{zeros}]}}\n")).file(
        "cm.yaml.hbs",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\ndata:\n  k: v{{#each a}}{{#each ../a}}{{#each ../../a}}{{#each ../../../a}}{{/each}}{{/each}}{{/each}}{{/each}}\n",
    );
    let (code, err) = bounded(&["render", "."], None, spin.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("templates loop more than the limit of 1000000 times in all")
            && err.contains("--max-template-iterations"),
        "{err}"
    );
    // Generator-input templates share one output budget (each had 200 MiB).
    let mut gens = String::from("values:\n  inline: {x: 0123456789}\nconfigMapGenerator:\n");
    let mut t = Tree::new();
    for i in 0..8 {
        gens.push_str(&format!("- name: g{i}\n  files: [f{i}.txt.hbs]\n"));
        t = t.file(&format!("f{i}.txt.hbs"), "{{x}}".repeat(30));
    }
    let t = t.file("imprint.yaml", gens).file("cm.yaml", CM);
    t.render(&["--max-output-size", "1000"])
        .bad_input(&["templates render more than the limit of 1000 bytes in all", "f3.txt.hbs"]);
    t.render(&[]).ok();
    // indent builds up to 257 times its input: refused before it is built.
    let lines = "\n".repeat(100_000);
    let wide = Tree::new()
        .file("values.yaml", format!("s: {}\n", serde_json::to_string(&lines).unwrap()))
        .file("imprint.yaml", "values:\n  files: [values.yaml]\n")
        .file(
            "cm.yaml.hbs",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\ndata:\n  k: |\n    {{indent 256 s}}\n",
        );
    wide.render(&["--max-output-size", "1000000"])
        .bad_input(&["templates render more than the limit of 1000000 bytes"]);
    // Parsed strings are totalled over all files: an alias repeats its
    // string each time it is used (10.4 GB from 41 MB before).
    let long = "x".repeat(10_000);
    let uses = ["*a"; 10].join(",");
    let mut repeated = Tree::new();
    for i in 0..3 {
        repeated = repeated.file(
            &format!("r{i}.yaml"),
            format!("apiVersion: x.io/v1\nkind: Z\nmetadata: {{name: r{i}}}\nanchor: &a {long}\nspec: [{uses}]\n"),
        );
    }
    repeated.render(&["--max-input-size", "250000"]).bad_input(&[
        "more than the limit of 250000 bytes of parsed strings",
        "(r2.yaml",
        "--max-input-size",
    ]);
    repeated.render(&[]).ok();
    // An env-file key that is really a pasted secret is not echoed when it repeats.
    let pasted = Tree::new()
        .file("imprint.yaml", "secretGenerator:\n- name: s\n  envs: [a.env, b.env]\n")
        .file("a.env", "dG9wc2VjcmV0cGFzc3dvcmQ=\n")
        .file("b.env", "dG9wc2VjcmV0cGFzc3dvcmQ=\n");
    let err = pasted.render(&[]).bad_input(&["a key is defined twice", "a.env", "b.env"]).to_string();
    assert!(!err.contains("dG9wc2VjcmV0cGFzc3dvcmQ"), "{err}");
    // KEY=VALUE lines on both sides: the key is a name, and naming it is the help.
    let twice = Tree::new()
        .file("imprint.yaml", "secretGenerator:\n- name: s\n  envs: [a.env, b.env]\n")
        .file("a.env", "DB_HOST=db-a\n")
        .file("b.env", "# b\nDB_HOST=db-b\n");
    let err = twice.render(&[]).bad_input(&["key \"DB_HOST\" is defined twice", "a.env:1", "b.env:2"]).to_string();
    assert!(!err.contains("db-a") && !err.contains("db-b"), "{err}");
    // Padding makes a pasted secret look like KEY=VALUE (`…ZA` and `=`): not named.
    let padded = Tree::new()
        .file("imprint.yaml", "secretGenerator:\n- name: s\n  envs: [a.env]\n")
        .file("a.env", "USER=x\nc3VwZXJzZWNyZXRwYXNzd29yZA==\nc3VwZXJzZWNyZXRwYXNzd29yZA==\n");
    let err = padded.render(&[]).bad_input(&["a key is defined twice", "a.env:2", "a.env:3"]).to_string();
    assert!(!err.contains("c3VwZXJz"), "{err}");
    // Kubernetes refuses bundles over 1 MiB: a generator says so before encoding one.
    let big = Tree::new()
        .file("imprint.yaml", "secretGenerator:\n- name: s\n  files: [big.bin]\n")
        .file("big.bin", vec![b'x'; (1 << 20) + 1]);
    big.render(&[]).bad_input(&["Kubernetes refuses ConfigMaps and Secrets over 1048576 bytes", "imprint.yaml:2"]);
}

#[test]
fn diff_and_history_stay_bounded() {
    // A 25,000-line object rewritten line by line: summarized, not diffed
    // (the line diff took 57 s on 100,000 lines).
    let t = Tree::new();
    git(t.path(), &["init", "-q", "-b", "main"]);
    let obj = |p: &str| {
        let items: String = (0..25_000).map(|i| format!("- {p}{i}\n")).collect();
        format!("apiVersion: x.io/v1\nkind: Foo\nmetadata: {{name: f}}\nspec:\n{items}")
    };
    let t = t.file("app/foo.yaml", obj("a"));
    git(t.path(), &["add", "-A"]);
    git(t.path(), &["commit", "-q", "-m", "a"]);
    let t = t.file("app/foo.yaml", obj("b"));
    let run = imprint(&["diff", t.path().join("app").to_str().unwrap(), "--from", "HEAD"], None, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("@@ too large to show here: 25005 lines before, 25005 after @@"), "{}", run.stdout);
    // keepVersions stops once the walk has parsed 4 times what one render
    // may, with a warning (651 s on 500 commits of 2.4 million nodes before).
    let h = Tree::new();
    git(h.path(), &["init", "-q", "-b", "main"]);
    let mut h = h.file("app/imprint.yaml", "configMapGenerator:\n- name: msg\n  literals: [A=0]\n");
    for i in 0..8 {
        let items: String = (0..100).map(|k| format!("- v{i}-{k}\n")).collect();
        h = h.file("app/big.yaml", format!("apiVersion: x.io/v1\nkind: Foo\nmetadata: {{name: f}}\nspec:\n{items}"));
        git(h.path(), &["add", "-A"]);
        git(h.path(), &["commit", "-q", "-m", &format!("c{i}")]);
    }
    let app = h.path().join("app");
    let args = ["render", app.to_str().unwrap(), "--keep-versions", "1", "--max-yaml-nodes", "200"];
    let run = imprint(&args, None, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[history-budget]: keepVersions: stopped at commit"), "{}", run.stderr);
}

/// Inputs a third review found where one finding or one token cost a step
/// per object: minutes at 30,000 objects. Each is now linear: counted at two
/// sizes in tests/linear.rs (unused_bundle_findings_are_linear,
/// a_name_mentioned_everywhere_is_scanned_once); here, what the binary prints.
#[test]
fn third_review_lookups_stay_linear() {
    // 10,000 versioned ConfigMaps nothing uses: one unused-bundle finding
    // each, found without searching all objects per finding.
    let cms: String = (0..10_000)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  k: v\n"))
        .collect();
    let unused =
        Tree::new().file("imprint.yaml", "versionResources: all\nresources: [cms.yaml]\n").file("cms.yaml", cms);
    let out = imprint(&["check", unused.path().to_str().unwrap()], None, &[]);
    assert!(out.stdout.contains("check: 0 error(s), 10000 warning(s)"), "{}", out.stderr);
    assert_eq!(out.stdout.matches("warning[unused-bundle]").count(), 10_000);
    // 1,500 namespaces, each with a ConfigMap `x` its Pod reads, and one
    // string of 500,000 `x` tokens: each token used to visit all 1,500.
    let mut all = String::new();
    for i in 0..1_500 {
        all.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x, namespace: ns{i}}}\ndata: {{k: v}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: ns{i}}}\nspec:\n  containers:\n  - name: c\n    image: i\n    envFrom: [{{configMapRef: {{name: x}}}}]\n"
        ));
    }
    all.push_str(&format!(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big, namespace: ns0}}\ndata:\n  blob: \"{}\"\n",
        vec!["x"; 500_000].join(" ")
    ));
    let mentioned = Tree::new().file("imprint.yaml", "resources: [all.yaml]\n").file("all.yaml", all);
    let out = imprint(&["render", "-v", mentioned.path().to_str().unwrap()], None, &[]);
    // The string names `x`, so no `x` is versioned (§4), and each says where.
    assert_eq!(out.ok().matches("\n  name: x\n").count(), 1_500, "every x keeps its name");
    assert_eq!(out.stderr.matches("its name appears in ConfigMap/ns0/big at data.blob").count(), 1_500);
}

/// A fourth review's inputs of the same kind: a name in thousands of
/// namespaces (each lookup scanned them all: `graph` 118 s at 10,000), and
/// `check` rescanning a whole List for each of its items (60 s at 4,000).
/// Counted at two sizes in tests/linear.rs; here, what the binary prints.
#[test]
fn fourth_review_lookups_stay_linear() {
    let mut all = String::new();
    for i in 0..5_000 {
        all.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x, namespace: n{i}}}\ndata: {{k: v{i}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: n{i}}}\nspec:\n  containers:\n  - name: c\n    image: i\n    env:\n    - name: E\n      valueFrom: {{configMapKeyRef: {{name: x, key: k}}}}\n"
        ));
    }
    let spread = Tree::new().file("imprint.yaml", "resources: [all.yaml]\n").file("all.yaml", all);
    let out = imprint(&["graph", "--format", "json", spread.path().to_str().unwrap()], None, &[]);
    let graph: serde_json::Value = serde_json::from_str(out.ok()).unwrap();
    let bundles = graph["bundles"].as_array().unwrap();
    assert_eq!(bundles.len(), 5_000);
    assert!(bundles.iter().all(|b| b["usedBy"].as_array().map(Vec::len) == Some(1)), "one user each");

    let items: String = (0..3_000)
        .map(|i| format!("- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm{i}\n    labels:\n      a: yes\n  data:\n    k: v\n"))
        .collect();
    let list = Tree::new().file("all.yaml", format!("apiVersion: v1\nkind: List\nitems:\n{items}"));
    let out = imprint(&["check", list.path().to_str().unwrap()], None, &[]);
    assert_eq!(out.stdout.matches("warning[yaml11-ambiguous]").count(), 3_000, "{}", out.stderr);

    // One ClusterRole listing `x` 6,000 times, `x` in 6,000 namespaces: the
    // RBAC rewrite held 6,000 x 6,000 names (2.0 GB) before deduplicating.
    let mut all: String = (0..6_000)
        .map(|i| {
            format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x, namespace: n{i}}}\ndata: {{k: v}}\n")
        })
        .collect();
    all.push_str(&format!(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n- apiGroups: ['']\n  resources: [configmaps]\n  resourceNames: [{}]\n  verbs: [get]\n",
        vec!["x"; 6_000].join(",")
    ));
    let rbac = Tree::new().file("imprint.yaml", "versionResources: all\nresources: [all.yaml]\n").file("all.yaml", all);
    let (code, err) = bounded(&["render", "."], None, rbac.path());
    assert_eq!(code, 0, "{err}");
}
