//! End-to-end cases as folders, run through the real binary (after just's
//! `Test` builder). `tests/fixtures/cases/<case>/` holds:
//!
//! - `input/`: the folder the binary runs in (copied to a temporary folder
//!   first, so a case never writes into the repository);
//! - `args`: one line of arguments (split at spaces; `'…'` or `"…"` keep
//!   spaces in one argument);
//! - `stdin` (optional): what the binary reads on stdin;
//! - `expected.stdout`; `expected.stderr` when stderr is not empty;
//!   `expected.code` when the exit code is not 0.
//!
//! `IMPRINT_UPDATE_FIXTURES=1 cargo test --test cases` rewrites the expected
//! files from what the binary does (review the diff before committing).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The folder that holds one folder per case.
pub fn cases_dir() -> PathBuf {
    super::repo_root().join("tests/fixtures/cases")
}

/// The names of every case folder, sorted.
pub fn case_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cases_dir())
        .expect("tests/fixtures/cases")
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn updating() -> bool {
    std::env::var_os("IMPRINT_UPDATE_FIXTURES").is_some()
}

/// Splits an `args` line: at spaces, with `'…'` and `"…"` as one argument.
pub fn split_args(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for c in line.trim_end_matches(['\n', '\r']).chars() {
        match (quote, c) {
            (None, '\'' | '"') => (quote, any) = (Some(c), true),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (_, c) => {
                cur.push(c);
                any = true;
            }
        }
    }
    assert!(quote.is_none(), "unclosed quote in {line:?}");
    if any {
        out.push(cur);
    }
    out
}

/// One run of the binary in a case folder's `input/`.
#[derive(Debug, Clone)]
pub struct Case {
    name: String,
    folder: PathBuf,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<(String, String)>,
}

impl Case {
    /// The case in `tests/fixtures/cases/<name>/`, with no arguments yet.
    pub fn new(name: &str) -> Case {
        Case { name: name.into(), folder: cases_dir().join(name), args: Vec::new(), stdin: None, env: Vec::new() }
    }

    /// The case with the arguments and stdin its folder holds.
    pub fn from_folder(name: &str) -> Case {
        let case = Case::new(name);
        let args = std::fs::read_to_string(case.folder.join("args"))
            .unwrap_or_else(|e| panic!("case {name}: cannot read its args file: {e}"));
        assert_eq!(args.trim_end().lines().count(), 1, "case {name}: args is one line");
        let stdin = std::fs::read(case.folder.join("stdin")).ok();
        let mut case = case.args(split_args(&args));
        case.stdin = stdin;
        case
    }

    pub fn args<I, S>(mut self, args: I) -> Case
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn stdin(mut self, text: impl Into<Vec<u8>>) -> Case {
        self.stdin = Some(text.into());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Case {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Runs the binary with a clean environment (plus `env`) in a copy of
    /// `input/` (an empty folder when the case has none).
    pub fn run(&self) -> Outcome {
        let dir = tempfile::tempdir().unwrap();
        let input = self.folder.join("input");
        if input.is_dir() {
            super::copy_dir(&input, dir.path());
        }
        let mut cmd = Command::new(super::bin());
        cmd.args(&self.args).current_dir(dir.path()).env_clear().envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("run imprint");
        if let Some(bytes) = self.stdin.clone() {
            use std::io::Write;
            let mut pipe = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            });
        }
        let out = child.wait_with_output().unwrap();
        Outcome {
            name: self.name.clone(),
            folder: self.folder.clone(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }
}

/// What a run printed and how it exited.
#[derive(Debug)]
pub struct Outcome {
    name: String,
    folder: PathBuf,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Compares `actual` with the case's `file` (or, when updating, writes
    /// it; an empty optional file is removed instead).
    fn compare(&self, file: &str, actual: &str, optional: bool) -> Result<(), String> {
        let path = self.folder.join(file);
        if updating() {
            if optional && actual.is_empty() {
                let _ = std::fs::remove_file(&path);
            } else {
                std::fs::write(&path, actual).unwrap();
            }
            return Ok(());
        }
        let expected = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(_) if optional => String::new(),
            Err(e) => return Err(format!("case {}: cannot read {file}: {e}", self.name)),
        };
        if expected == actual {
            return Ok(());
        }
        let diff = similar::TextDiff::from_lines(expected.as_str(), actual);
        Err(format!(
            "case {}: {file} differs (- expected, + actual; IMPRINT_UPDATE_FIXTURES=1 rewrites it):\n{}",
            self.name,
            diff.unified_diff().context_radius(3)
        ))
    }

    #[track_caller]
    pub fn expect_stdout_file(&self, file: &str) -> &Self {
        self.compare(file, &self.stdout, false).unwrap_or_else(|e| panic!("{e}"));
        self
    }

    #[track_caller]
    pub fn expect_stderr_file(&self, file: &str) -> &Self {
        self.compare(file, &self.stderr, false).unwrap_or_else(|e| panic!("{e}"));
        self
    }

    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "case {}: exit code; stderr:\n{}", self.name, self.stderr);
        self
    }

    /// Checks the run against the folder's expected files: stdout against
    /// `expected.stdout`, stderr against `expected.stderr` (empty when there
    /// is none), the exit code against `expected.code` (0 when there is
    /// none). Every mismatch is in the error.
    pub fn check_expected(&self) -> Result<(), String> {
        let code = format!("{}\n", self.code);
        let code = if self.code == 0 { "" } else { code.as_str() };
        let found: Vec<String> = [
            self.compare("expected.code", code, true).map_err(|e| format!("{e}stderr:\n{}", self.stderr)),
            self.compare("expected.stdout", &self.stdout, false),
            self.compare("expected.stderr", &self.stderr, true),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect();
        if found.is_empty() { Ok(()) } else { Err(found.join("\n")) }
    }
}

/// The entries a case folder may hold.
pub const CASE_FILES: &[&str] = &["input", "args", "stdin", "expected.stdout", "expected.stderr", "expected.code"];

/// Entries of a case folder that are not part of the layout.
pub fn unknown_entries(folder: &Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !CASE_FILES.contains(&n.as_str()))
        .collect()
}
