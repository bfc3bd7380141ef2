//! The documentation is checked like code. In README.md and every
//! `docs/*.md`:
//! - every block between `<!-- output: imprint ARGS -->` and
//!   `<!-- /output -->` must equal what that command prints from the
//!   repository root;
//! - the part between `<!-- generated: reference-table -->` and
//!   `<!-- /generated -->` must equal the summary generated from the
//!   reference table's data (and `docs/reference-table.md` the whole table).
//!
//! Regenerate both with `IMPRINT_UPDATE_README=1 cargo test --test docs`.

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn run_from_root(args: &[&str]) -> String {
    let out = std::process::Command::new(bin()).current_dir(repo_root()).args(args).env_clear().output().unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "imprint {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn updating() -> bool {
    std::env::var_os("IMPRINT_UPDATE_README").is_some()
}

/// The tests read and (when updating) rewrite the same files: one at a time.
static DOCS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    DOCS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Markdown files directly in `dir` (relative to the repository root), sorted.
fn markdown_in(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && p.is_file())
        .collect();
    files.sort();
    files
}

/// The files whose examples and generated parts are checked: README.md and docs/*.md.
fn checked_docs() -> Vec<PathBuf> {
    let mut files = vec![repo_root().join("README.md")];
    files.extend(markdown_in("docs"));
    files
}

fn name(path: &Path) -> String {
    path.strip_prefix(repo_root()).unwrap_or(path).display().to_string()
}

#[test]
fn doc_examples_are_real_output() {
    let _guard = lock();
    let mut blocks = 0;
    for path in checked_docs() {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rebuilt = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("<!-- output: imprint ") {
            let header_end = start + rest[start..].find("-->").unwrap() + 3;
            let args: Vec<&str> =
                rest[start + "<!-- output: imprint ".len()..header_end - 3].split_whitespace().collect();
            let end = header_end
                + rest[header_end..]
                    .find("<!-- /output -->")
                    .unwrap_or_else(|| panic!("{}: `imprint {}` has no <!-- /output -->", name(&path), args.join(" ")));
            let expected = format!("\n```text\n{}```\n", run_from_root(&args));
            if !updating() {
                assert_eq!(
                    &rest[header_end..end],
                    expected,
                    "{}: the block for `imprint {}` is stale",
                    name(&path),
                    args.join(" ")
                );
            }
            rebuilt.push_str(&rest[..header_end]);
            rebuilt.push_str(&expected);
            rest = &rest[end..];
            blocks += 1;
        }
        rebuilt.push_str(rest);
        if updating() && rebuilt != text {
            std::fs::write(&path, rebuilt).unwrap();
        }
    }
    assert!(blocks >= 3, "the docs show real output of graph and check ({blocks} blocks found)");
}

/// The reference table in the docs is generated from the table's data
/// (`src/refs/table.rs`): `docs/reference-table.md` whole, and the summary
/// between `<!-- generated: reference-table -->` and `<!-- /generated -->`
/// wherever it appears (docs/references.md).
#[test]
fn reference_tables_are_generated_from_the_data() {
    let _guard = lock();
    let full = repo_root().join("docs/reference-table.md");
    let expected = imprint::refs::table::markdown();
    if updating() {
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, &expected).unwrap();
    }
    let on_disk = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(on_disk == expected, "docs/reference-table.md differs from the table's data; regenerate it");
    let summary = imprint::refs::table::markdown_summary();
    let (start_tag, end_tag) = ("<!-- generated: reference-table -->\n", "<!-- /generated -->");
    let mut found = 0;
    for path in checked_docs() {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rebuilt = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find(start_tag) {
            let start = start + start_tag.len();
            let end = start
                + rest[start..]
                    .find(end_tag)
                    .unwrap_or_else(|| panic!("{}: the generated table is not closed", name(&path)));
            if !updating() {
                assert!(
                    rest[start..end] == summary,
                    "{}: the reference table differs from the table's data; regenerate it",
                    name(&path)
                );
            }
            rebuilt.push_str(&rest[..start]);
            rebuilt.push_str(&summary);
            rest = &rest[end..];
            found += 1;
        }
        rebuilt.push_str(rest);
        if updating() && rebuilt != text {
            std::fs::write(&path, rebuilt).unwrap();
        }
    }
    assert!(found >= 1, "no document holds the generated reference table");
}
