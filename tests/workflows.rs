//! Every `run:` step of the GitHub workflows, run as the Actions runner runs
//! it (each workflow says `shell: bash`, which the runner runs as
//! `bash --noprofile --norc -eo pipefail`), with the workflow's, job's and
//! step's `env` with their `${{ }}` expressions filled in, `GITHUB_ENV`,
//! `GITHUB_PATH` and `GITHUB_OUTPUT` carried from step to step. What needs
//! the network (`gh`, `docker`, `flux`, `git push` to GitHub) is a stub
//! that records its arguments and acts on local files: a release is a
//! folder, origin is a bare repository beside the clone. So the release's
//! packaging and checksums, the install of that release, the hash key, the
//! render and both ways to publish, the pull-request diff and its comment
//! all run for real here.
//!
//! Each `run:` script is also given to shellcheck when it is on PATH (as
//! actionlint does in `.ci/run`; here too, so `cargo test` alone checks
//! them); `.ci/run` installs it and sets IMPRINT_REQUIRE_SHELLCHECK.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const RELEASE: &str = ".github/workflows/release.yml";
const FLUX: &str = "plugins/flux/github-workflow.yml";
const DIFF: &str = "plugins/github/imprint-diff.yml";

fn workflow(rel: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join(rel)).unwrap();
    imprint::yaml::parse_stream(&text, rel).unwrap().remove(0).value
}

/// Fills in `${{ expr }}` from `exprs`; an expression the test does not
/// know fails it, so a new one in a workflow cannot go untested.
fn eval(text: &str, exprs: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = start + rest[start..].find("}}").expect("closed expression");
        let expr = rest[start + 3..end].trim();
        let value = exprs.get(expr).unwrap_or_else(|| panic!("the test gives no value for ${{{{ {expr} }}}}"));
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn env_of(node: &Value, exprs: &BTreeMap<&str, String>) -> BTreeMap<String, String> {
    let Some(map) = node["env"].as_object() else { return BTreeMap::new() };
    map.iter()
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), eval(&v, exprs))
        })
        .collect()
}

/// One job of a workflow on a simulated runner.
struct Job {
    job: Value,
    exprs: BTreeMap<&'static str, String>,
    env: BTreeMap<String, String>,
    /// Prepended to PATH by `GITHUB_PATH`, latest first.
    path: Vec<String>,
    workspace: PathBuf,
    temp: PathBuf,
    stubs: PathBuf,
}

/// What a step did.
struct Step {
    ok: bool,
    stdout: String,
    stderr: String,
    outputs: String,
}

impl Job {
    /// `env` overrides the workflow's and job's `env` (a user's settings).
    fn new(
        rel: &str,
        job: &str,
        workspace: &Path,
        runner: &Tree,
        exprs: &[(&'static str, &str)],
        env: &[(&str, &str)],
    ) -> Job {
        let wf = workflow(rel);
        // Without `shell: bash` a step runs as `bash -e`, without pipefail.
        assert_eq!(wf["defaults"]["run"]["shell"], "bash", "{rel}: steps must run as the tests run them");
        let exprs: BTreeMap<&'static str, String> = exprs.iter().map(|(k, v)| (*k, v.to_string())).collect();
        let job = wf["jobs"][job].clone();
        assert!(job.is_object(), "{rel} has no job {job}");
        let mut all = env_of(&wf, &exprs);
        all.extend(env_of(&job, &exprs));
        all.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let temp = runner.path().join("runner-temp");
        let stubs = runner.path().join("stubs");
        std::fs::create_dir_all(&temp).unwrap();
        stubs_in(&stubs);
        Job { job, exprs, env: all, path: Vec::new(), workspace: workspace.to_path_buf(), temp, stubs }
    }

    fn script(&self, name: &str) -> (Value, String) {
        let steps = self.job["steps"].as_array().unwrap();
        let step = steps.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("no step {name:?}"));
        let script = step["run"].as_str().unwrap_or_else(|| panic!("{name} has no run")).to_string();
        assert!(!script.contains("${{"), "{name}: an expression inside `run:` (pass it through env)");
        (step.clone(), script)
    }

    /// Runs the step named `name`; its `GITHUB_ENV` and `GITHUB_PATH` reach
    /// the steps after it, as on a runner.
    fn run(&mut self, name: &str) -> Step {
        let (step, script) = self.script(name);
        let files = ["env", "path", "output"].map(|f| self.temp.join(format!("github-{f}")));
        for f in &files {
            std::fs::write(f, "").unwrap();
        }
        let mut path = vec![self.stubs.display().to_string()];
        path.extend(self.path.iter().cloned());
        path.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(String::from));
        let out = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
            .current_dir(&self.workspace)
            .env_clear()
            .envs(&self.env)
            .envs(env_of(&step, &self.exprs))
            .env("PATH", path.join(":"))
            .env("HOME", self.temp.join("home"))
            .env("RUNNER_TEMP", &self.temp)
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("GITHUB_ENV", &files[0])
            .env("GITHUB_PATH", &files[1])
            .env("GITHUB_OUTPUT", &files[2])
            .env("STUB_LOG", self.temp.join("stub.log"))
            .output()
            .unwrap();
        for line in std::fs::read_to_string(&files[0]).unwrap().lines() {
            let (k, v) = line.split_once('=').expect("KEY=VALUE in GITHUB_ENV");
            self.env.insert(k.into(), v.into());
        }
        for line in std::fs::read_to_string(&files[1]).unwrap().lines().rev() {
            self.path.insert(0, line.to_string());
        }
        Step {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs: std::fs::read_to_string(&files[2]).unwrap(),
        }
    }

    fn ok(&mut self, name: &str) -> Step {
        let step = self.run(name);
        assert!(step.ok, "step {name:?} failed:\n{}\n{}", step.stdout, step.stderr);
        step
    }

    /// What the stubs were asked to do, one call a line.
    fn calls(&self) -> String {
        std::fs::read_to_string(self.temp.join("stub.log")).unwrap_or_default()
    }
}

/// `gh`, `docker` and `flux` as the workflows call them, on local files.
fn stubs_in(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let gh = r#"#!/bin/bash
# gh: releases from $FAKE_RELEASES/<owner>/<name>/<tag>/, comments from
# $FAKE_COMMENTS (a JSON array); everything else is recorded.
set -euo pipefail
echo "gh $*" >> "$STUB_LOG"
case "$1 $2" in
"release download")
    tag=$3; shift 3
    repo= dir=. patterns=()
    while [ $# -gt 0 ]; do
        case "$1" in
        --repo) repo=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --pattern) patterns+=("$2"); shift 2 ;;
        *) echo "gh stub: unknown argument $1" >&2; exit 2 ;;
        esac
    done
    src="$FAKE_RELEASES/$repo/$tag"
    [ -d "$src" ] || { echo "release not found" >&2; exit 1; }
    for p in "${patterns[@]}"; do cp "$src/$p" "$dir/"; done
    ;;
"api --paginate")
    jq_filter=$5
    jq -r "$jq_filter" "$FAKE_COMMENTS"
    ;;
"api --method" | "pr comment") ;;
*) echo "gh stub: unexpected gh $*" >&2; exit 2 ;;
esac
"#;
    let docker = "#!/bin/bash\nset -euo pipefail\nread -r password || true\necho \"docker $* (password ${#password} bytes)\" >> \"$STUB_LOG\"\n";
    let flux = "#!/bin/bash\nset -euo pipefail\necho \"flux $*\" >> \"$STUB_LOG\"\n";
    for (name, text) in [("gh", gh), ("docker", docker), ("flux", flux)] {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        let mut perms = std::fs::metadata(&p).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&p, perms).unwrap();
    }
}

fn cargo_version() -> String {
    let text = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let line = text.lines().find(|l| l.starts_with("version = ")).unwrap();
    line.trim_start_matches("version = ").trim_matches('"').to_string()
}

const TARGETS: [&str; 2] = ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"];

/// A checkout of the files the release packs, with a stand-in for each
/// target's binary: a script that runs this build's (a 100 MB debug binary
/// would make every archive slow to pack, and the packing is what is tested).
fn release_checkout() -> Tree {
    let mut t = Tree::new();
    for f in ["Cargo.toml", "LICENSE", "README.md", "plugins/flux/imprint-flux.sh"] {
        t = t.file(f, std::fs::read(repo_root().join(f)).unwrap());
    }
    for target in TARGETS {
        t = t
            .file(&format!("target/{target}/release/imprint"), format!("#!/bin/sh\nexec {} \"$@\"\n", bin().display()));
    }
    t
}

/// Runs the release's Package (each target) and Checksums steps: the
/// release folder, as `gh release create` would upload it.
fn build_release(checkout: &Tree, runner: &Tree, tag: &str) -> PathBuf {
    for target in TARGETS {
        let mut job = Job::new(
            RELEASE,
            "binaries",
            checkout.path(),
            runner,
            &[("matrix.target", target)],
            &[("GITHUB_REF_NAME", tag)],
        );
        job.ok("Package");
    }
    let mut job = Job::new(RELEASE, "release", checkout.path(), runner, &[("github.token", "t")], &[]);
    job.ok("Checksums");
    checkout.path().join("dist")
}

fn tar_list(archive: &Path) -> Vec<String> {
    let out = Command::new("tar").arg("-tvzf").arg(archive).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().lines().map(String::from).collect()
}

#[test]
fn release_packages_reproducible_archives_and_checksums() {
    let tag = format!("v{}", cargo_version());
    let checkout = release_checkout();
    let runner = Tree::new();
    let dist = build_release(&checkout, &runner, &tag);
    let mut names: Vec<String> =
        std::fs::read_dir(&dist).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            "imprint-aarch64-unknown-linux-musl.tar.gz",
            "imprint-flux.sh",
            "imprint-x86_64-unknown-linux-musl.tar.gz"
        ]
    );
    let listing = tar_list(&dist.join("imprint-x86_64-unknown-linux-musl.tar.gz"));
    let files: Vec<&str> = listing.iter().map(|l| l.rsplit(' ').next().unwrap()).collect();
    assert_eq!(files, ["imprint", "imprint-flux.sh", "LICENSE", "README.md"], "{listing:?}");
    assert!(listing[0].starts_with("-rwxr-xr-x 0/0") && listing[2].starts_with("-rw-r--r-- 0/0"), "{listing:?}");
    // Every asset but the checksums is checked by them.
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 3, "{sums}");
    let check =
        Command::new("sha256sum").args(["--check", "--strict", "SHA256SUMS"]).current_dir(&dist).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    // The same input packs to the same bytes.
    let first = std::fs::read(dist.join("imprint-x86_64-unknown-linux-musl.tar.gz")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    build_release(&checkout, &runner, &tag);
    assert_eq!(first, std::fs::read(dist.join("imprint-x86_64-unknown-linux-musl.tar.gz")).unwrap());

    // A tag that is not Cargo.toml's version releases nothing.
    let mut job = Job::new(
        RELEASE,
        "binaries",
        checkout.path(),
        &runner,
        &[("matrix.target", TARGETS[0])],
        &[("GITHUB_REF_NAME", "v9.9.9")],
    );
    let step = job.run("Package");
    assert!(!step.ok && step.stdout.contains("does not match Cargo.toml's version"), "{}", step.stdout);

    // The image is named after the repository's owner, in lower case.
    let mut job = Job::new(
        RELEASE,
        "image",
        checkout.path(),
        &runner,
        &[],
        &[("GITHUB_REPOSITORY_OWNER", "Example-Org"), ("GITHUB_REF_NAME", &tag)],
    );
    let step = job.ok("Image name");
    assert_eq!(step.outputs, format!("ref=ghcr.io/example-org/imprint-cmp:{}\n", cargo_version()));
}

/// A fake GitHub release of this build under `releases/<owner>/<name>/<tag>`.
fn published_release(tag: &str) -> (Tree, Tree) {
    let checkout = release_checkout();
    let runner = Tree::new();
    let dist = build_release(&checkout, &runner, tag);
    let releases = Tree::new();
    copy_dir(&dist, &releases.path().join("example/imprint").join(tag));
    (releases, checkout)
}

/// A config repository with two apps (one with a generated Secret), its
/// origin a bare repository beside it.
fn config_repo() -> Tree {
    let t = Tree::new()
        .copy_from(&repo_root().join("samples/web-message"), "work/apps/web")
        .copy_from(&repo_root().join("samples/secret-rotation"), "work/apps/billing");
    let work = t.path().join("work");
    git(&work, &["init", "-q", "-b", "main"]);
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-qm", "web"]);
    git(t.path(), &["init", "-q", "--bare", "origin.git"]);
    git(&work, &["remote", "add", "origin", t.path().join("origin.git").to_str().unwrap()]);
    git(&work, &["push", "-q", "origin", "main"]);
    t
}

const KEY: &[u8] = b"0123456789abcdef-operator-key";

fn key_b64() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(KEY)
}

/// The Flux workflow: install from a release, decode the key, render, and
/// publish one way or the other.
#[test]
fn flux_workflow_installs_renders_and_publishes() {
    let tag = format!("v{}", cargo_version());
    let (releases, _checkout) = published_release(&tag);
    let repo = config_repo();
    let work = repo.path().join("work");
    let sha = git(&work, &["rev-parse", "HEAD"]).trim().to_string();
    let b64 = key_b64();
    let exprs = [
        ("vars.IMPRINT_RELEASES", "example/imprint"),
        ("github.token", "token-123"),
        ("secrets.IMPRINT_HASH_KEY_B64", b64.as_str()),
    ];
    let context = [
        ("IMPRINT_VERSION", tag.as_str()),
        ("FAKE_RELEASES", releases.path().to_str().unwrap()),
        ("GITHUB_SHA", sha.as_str()),
        ("GITHUB_ACTOR", "octocat"),
        ("GITHUB_REPOSITORY", "Example/Config"),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_REF_NAME", "main"),
    ];
    let runner = Tree::new();
    let mut job = Job::new(FLUX, "render", &work, &runner, &exprs, &context);
    job.ok("Settings");
    job.ok("Install imprint");
    assert!(job.calls().contains(&format!("gh release download {tag} --repo example/imprint")), "{}", job.calls());
    job.ok("Hash key");
    let key_file = PathBuf::from(&job.env["IMPRINT_HASH_KEY_FILE"]);
    assert_eq!(std::fs::read(&key_file).unwrap(), KEY);
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o077, 0, "the key is private");
    job.ok("Render");
    let out = PathBuf::from(&job.temp).join("rendered/web");
    let rendered: Vec<String> =
        std::fs::read_dir(out.join("web")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert!(rendered.iter().any(|f| f.starts_with("configmap-web-message-")), "{rendered:?}");
    // The Secret's name is keyed: the one imprint gives with the key, not
    // the unkeyed one.
    let mut billing = Job::new(FLUX, "render", &work, &runner, &exprs, &context);
    billing.env.insert("APP_DIR".into(), "apps/billing".into());
    billing.env.insert("APP_NAME".into(), "billing".into());
    billing.env.insert("IMPRINT_HASH_KEY_FILE".into(), key_file.display().to_string());
    billing.path.clone_from(&job.path);
    billing.ok("Render");
    let secret_file = |dir: &Path| -> String {
        let files =
            std::fs::read_dir(dir.join("billing")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap());
        files.filter(|f| f.starts_with("secret-db-credentials-")).collect::<Vec<_>>().join(",")
    };
    let published = secret_file(&billing.temp.join("rendered/billing"));
    let name_with = |extra: &[&str]| {
        let mut args = vec!["render", "apps/billing", "-o", "out/"];
        args.extend_from_slice(extra);
        let run = Command::new(bin()).args(&args).current_dir(&work).env_clear().output().unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        let name = secret_file(&work.join("out"));
        std::fs::remove_dir_all(work.join("out")).unwrap();
        name
    };
    assert!(published.starts_with("secret-db-credentials-"), "{published:?}");
    assert_eq!(published, name_with(&["--hash-key-file", key_file.to_str().unwrap()]));
    assert_ne!(published, name_with(&[]), "the published Secret name must be keyed");

    // OCI (the default): a login, then flux push and tag, nothing pushed to git.
    assert_eq!(job.env["IMPRINT_PUBLISH"], "oci");
    job.ok("Publish the OCI artifact");
    let calls = job.calls();
    assert!(calls.contains("docker login ghcr.io --username octocat --password-stdin (password 9 bytes)"), "{calls}");
    let short = &sha[..12];
    assert!(
        calls.contains(&format!(
            "flux push artifact oci://ghcr.io/example/config/web:{short} --path={} --source=https://github.com/Example/Config --revision=main@sha1:{sha} --reproducible",
            out.display()
        )),
        "{calls}"
    );
    assert!(
        calls.contains(&format!("flux tag artifact oci://ghcr.io/example/config/web:{short} --tag latest")),
        "{calls}"
    );

    // Branch: the render becomes the whole content of rendered/web on origin.
    job.ok("Publish the rendered branch");
    let files = git(&repo.path().join("origin.git"), &["ls-tree", "-r", "--name-only", "rendered/web"]);
    assert!(files.lines().any(|f| f.starts_with("web/configmap-web-message-")), "{files}");
    // The two are alternatives: each publish step runs for one setting only.
    let steps = job.job["steps"].as_array().unwrap().clone();
    let condition = |name: &str| steps.iter().find(|s| s["name"] == name).unwrap()["if"].as_str().unwrap().to_string();
    assert_eq!(condition("Publish the OCI artifact"), "env.IMPRINT_PUBLISH == 'oci'");
    assert_eq!(condition("Publish the rendered branch"), "env.IMPRINT_PUBLISH == 'branch'");
    let setup =
        steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("fluxcd/flux2/action"))).unwrap();
    assert_eq!(setup["if"], "env.IMPRINT_PUBLISH == 'oci'");
}

/// What stops the Flux workflow before it publishes anything wrong.
#[test]
fn flux_workflow_refuses_bad_settings_a_missing_key_and_a_tampered_release() {
    let tag = format!("v{}", cargo_version());
    let (releases, _checkout) = published_release(&tag);
    let repo = config_repo();
    let work = repo.path().join("work");
    let runner = Tree::new();
    let with = |publish: &str, releases_var: &str, key: &str| {
        Job::new(
            FLUX,
            "render",
            &work,
            &runner,
            &[("vars.IMPRINT_RELEASES", releases_var), ("github.token", "t"), ("secrets.IMPRINT_HASH_KEY_B64", key)],
            &[
                ("IMPRINT_PUBLISH", publish),
                ("IMPRINT_VERSION", &tag),
                ("FAKE_RELEASES", releases.path().to_str().unwrap()),
            ],
        )
    };
    let step = with("both", "example/imprint", "").run("Settings");
    assert!(!step.ok && step.stdout.contains("set it to oci or branch"), "{}", step.stdout);
    let step = with("oci", "", "").run("Settings");
    assert!(!step.ok && step.stdout.contains("IMPRINT_RELEASES"), "{}", step.stdout);
    let step = with("oci", "example/imprint", "").run("Hash key");
    assert!(!step.ok && step.stdout.contains("IMPRINT_HASH_KEY_B64 is not set"), "{}", step.stdout);
    // A release whose archive does not match its checksum is not installed.
    let archive = releases.path().join("example/imprint").join(&tag).join("imprint-x86_64-unknown-linux-musl.tar.gz");
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&archive, bytes).unwrap();
    let mut job = with("oci", "example/imprint", "");
    let step = job.run("Install imprint");
    assert!(!step.ok && step.stdout.contains("FAILED"), "{}\n{}", step.stdout, step.stderr);
    assert!(job.path.is_empty(), "nothing installed");
}

/// The pull-request workflow: the same install and key, a diff of every
/// app (a rotated Secret, one app added by the pull request, one that does
/// not render), one comment under the size limit, found again by its
/// marker and author.
#[test]
fn diff_workflow_comments_once_and_edits_its_own_comment() {
    let tag = format!("v{}", cargo_version());
    let (releases, _checkout) = published_release(&tag);
    let repo = config_repo();
    let work = repo.path().join("work");
    // The pull request: a new message for web, a rotated password, a new
    // app, a broken one.
    git(&work, &["checkout", "-q", "-b", "change"]);
    let config = work.join("apps/web/message.env");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("CHANGED_BY=the pull request\n");
    std::fs::write(&config, text).unwrap();
    let creds = work.join("apps/billing/credentials/current.env");
    let rotated =
        std::fs::read_to_string(&creds).unwrap().replace("demo-2025-q1-not-a-real-password", "hunter2-rotated");
    std::fs::write(&creds, rotated).unwrap();
    copy_dir(&repo_root().join("samples/game"), &work.join("apps/game"));
    std::fs::create_dir_all(work.join("apps/broken")).unwrap();
    std::fs::write(work.join("apps/broken/bad.yaml"), "kind: [").unwrap();
    git(&work, &["fetch", "-q", "origin"]);
    let comments = repo.path().join("comments.json");
    let comment =
        |id: u32, login: &str, body: &str| serde_json::json!({"id": id, "user": {"login": login}, "body": body});
    let bot = "github-actions[bot]";
    let write_comments = |list: Vec<Value>| std::fs::write(&comments, Value::Array(list).to_string()).unwrap();
    write_comments(vec![comment(7, "alice", "LGTM"), comment(8, "alice", "<!-- imprint-diff -->\nquoted")]);
    let b64 = key_b64();
    let runner = Tree::new();
    let mut job = Job::new(
        DIFF,
        "diff",
        &work,
        &runner,
        &[
            ("vars.IMPRINT_RELEASES", "example/imprint"),
            ("github.token", "t"),
            ("secrets.IMPRINT_HASH_KEY_B64", &b64),
            ("github.base_ref", "main"),
            ("github.event.pull_request.number", "42"),
        ],
        &[
            ("IMPRINT_VERSION", &tag),
            ("FAKE_RELEASES", releases.path().to_str().unwrap()),
            ("FAKE_COMMENTS", comments.to_str().unwrap()),
            ("GITHUB_REPOSITORY", "example/config"),
            ("IMPRINT_APPS", "apps/web apps/billing apps/game apps/broken"),
            ("IMPRINT_COMMENT_LIMIT", "9500"),
        ],
    );
    job.ok("Install imprint");
    job.ok("Hash key");
    let step = job.run("Diff");
    assert!(!step.ok, "a side that does not render fails the check");
    let comment_file = job.temp.join("imprint-diff.md");
    assert_eq!(step.outputs, format!("comment={}\nstatus=2\n", comment_file.display()));
    assert!(!work.join("imprint-diff.md").exists(), "nothing is written into the checkout");
    let md = std::fs::read_to_string(&comment_file).unwrap();
    assert!(md.starts_with("<!-- imprint-diff -->\n"), "{md}");
    assert!(md.len() <= 9500, "{} bytes", md.len());
    assert!(md.contains("#### `apps/web`") && md.contains("web/ConfigMap `web-message`"), "{md}");
    assert!(md.contains("#### `apps/game`") && md.contains("added `game-config-"), "{md}");
    assert!(md.contains("#### `apps/broken`\n\n````text\nerror: invalid YAML") && md.contains("bad.yaml"), "{md}");
    assert!(md.contains("> Cut to "), "the game app's object diff does not fit its share:\n{md}");
    // The rotated Secret under its keyed name; its values nowhere.
    let keyed = Command::new(bin())
        .args(["render", "apps/billing", "--hash-key-file", job.env["IMPRINT_HASH_KEY_FILE"].as_str()])
        .current_dir(&work)
        .env_clear()
        .output()
        .unwrap();
    let secret = name_of(&docs(&String::from_utf8(keyed.stdout).unwrap()), "Secret", "db-credentials");
    assert!(md.contains(&format!("→ `{secret}`")), "{secret} not in:\n{md}");
    for value in ["hunter2", "demo-2025-q1", "aHVudGVy", "ZGVtby0yMDI1"] {
        assert!(!md.contains(value), "the comment shows a Secret value ({value}):\n{md}");
    }

    // No comment of ours yet (someone quoting the marker is not us): a new one.
    job.exprs.insert("steps.diff.outputs.comment", comment_file.display().to_string());
    job.ok("Comment");
    assert!(
        job.calls().contains(&format!("gh pr comment 42 --body-file {}", comment_file.display())),
        "{}",
        job.calls()
    );
    // Ours among others: edited in place, by id.
    write_comments(vec![
        comment(7, "alice", "LGTM"),
        comment(9, bot, "<!-- imprint-diff -->\nold"),
        comment(10, "alice", "<!-- imprint-diff -->\na quote"),
    ]);
    job.ok("Comment");
    let patch =
        format!("gh api --method PATCH repos/example/config/issues/comments/9 -F body=@{}", comment_file.display());
    assert!(job.calls().contains(&patch), "{}", job.calls());
    assert_eq!(job.calls().matches("gh pr comment").count(), 1, "{}", job.calls());
    // Too many apps for one comment: said, not cut silently.
    job.env.insert("IMPRINT_COMMENT_LIMIT".into(), "8000".into());
    let step = job.run("Diff");
    assert!(!step.ok && step.stdout.contains("do not fit one comment"), "{}", step.stdout);
    // A pull request from a fork has no key: no unkeyed render.
    let mut fork = Job::new(
        DIFF,
        "diff",
        &work,
        &runner,
        &[("vars.IMPRINT_RELEASES", "example/imprint"), ("github.token", "t"), ("secrets.IMPRINT_HASH_KEY_B64", "")],
        &[],
    );
    let step = fork.run("Hash key");
    assert!(!step.ok && step.stdout.contains("a pull request from a fork gets no secrets"), "{}", step.stdout);
}

/// shellcheck on every `run:` script, as actionlint would.
#[test]
fn every_run_step_passes_shellcheck() {
    let found = Command::new("shellcheck").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("IMPRINT_REQUIRE_SHELLCHECK").is_none(),
            "IMPRINT_REQUIRE_SHELLCHECK is set but shellcheck is missing"
        );
        eprintln!("SKIPPED: shellcheck not found; the workflows' run steps were not linted");
        return;
    }
    let dir = Tree::new();
    let mut checked = 0;
    for rel in [RELEASE, FLUX, DIFF] {
        let wf = workflow(rel);
        for (job, body) in wf["jobs"].as_object().unwrap() {
            for (i, step) in body["steps"].as_array().unwrap().iter().enumerate() {
                let Some(script) = step["run"].as_str() else { continue };
                let file = dir.path().join(format!("{}-{job}-{i}.sh", rel.replace('/', "_")));
                std::fs::write(&file, format!("#!/bin/bash\nset -eo pipefail\n{script}")).unwrap();
                let out = Command::new("shellcheck").arg("--severity=style").arg(&file).output().unwrap();
                assert!(
                    out.status.success(),
                    "{rel} job {job} step {}:\n{}",
                    step["name"],
                    String::from_utf8_lossy(&out.stdout)
                );
                checked += 1;
            }
        }
    }
    // And the Flux script the release ships.
    let out = Command::new("shellcheck").arg(repo_root().join("plugins/flux/imprint-flux.sh")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(checked >= 12, "{checked} run steps");
}
