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
//! Every relative link in the project's markdown must point at a file that
//! exists.

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

/// `<root>/*/README.md` for each folder of `root`, sorted.
fn readmes_under(root: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join(root))
        .unwrap()
        .map(|e| e.unwrap().path().join("README.md"))
        .filter(|p| p.is_file())
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

/// Every block of README.md and docs/*.md that starts with `open`: its
/// header runs to `header_end`, its content from there to `close`, and the
/// content must be `content(header)` (with IMPRINT_UPDATE_README set, it is
/// rewritten to that). Returns how many blocks there are.
fn check_blocks(open: &str, header_end: &str, close: &str, what: &str, content: impl Fn(&str) -> String) -> usize {
    let mut blocks = 0;
    for path in checked_docs() {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rebuilt = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find(open) {
            let header_start = start + open.len();
            let content_start = header_start + rest[header_start..].find(header_end).unwrap() + header_end.len();
            let header = &rest[header_start..content_start - header_end.len()];
            let end = content_start
                + rest[content_start..]
                    .find(close)
                    .unwrap_or_else(|| panic!("{}: {what} `{header}` has no {close}", name(&path)));
            let expected = content(header);
            if !updating() {
                assert!(
                    rest[content_start..end] == expected,
                    "{}: {what} `{header}` is stale; regenerate it",
                    name(&path)
                );
            }
            rebuilt.push_str(&rest[..content_start]);
            rebuilt.push_str(&expected);
            rest = &rest[end..];
            blocks += 1;
        }
        rebuilt.push_str(rest);
        if updating() && rebuilt != text {
            std::fs::write(&path, rebuilt).unwrap();
        }
    }
    blocks
}

#[test]
fn doc_examples_are_real_output() {
    let _guard = lock();
    let blocks = check_blocks("<!-- output: imprint ", "-->", "<!-- /output -->", "the block for imprint", |args| {
        let args: Vec<&str> = args.split_whitespace().collect();
        format!("\n```text\n{}```\n", run_from_root(&args))
    });
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
    let found = check_blocks(
        "<!-- generated: reference-table",
        " -->\n",
        "<!-- /generated -->",
        "the generated reference table",
        |_| summary.clone(),
    );
    assert!(found >= 1, "no document holds the generated reference table");
}

/// Targets of the inline links (`[text](target)`, images too) and reference
/// definitions (`[label]: target`) of a markdown text, outside code.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let mut targets = Vec::new();
    let mut fenced = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // Drop code spans: text between backticks is not markdown.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        if let Some(rest) = prose.trim_start().strip_prefix('[')
            && let Some(close) = rest.find("]: ")
        {
            targets.push((n + 1, rest[close + 3..].split_whitespace().next().unwrap_or("").to_string()));
        }
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let mut depth = 0;
            let end = after
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '(' => depth += 1,
                        ')' if depth == 0 => return true,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    false
                })
                .map_or(after.len(), |(i, _)| i);
            let target = after[..end].split_whitespace().next().unwrap_or("");
            targets.push((n + 1, target.trim_start_matches('<').trim_end_matches('>').to_string()));
            rest = &after[end..];
        }
    }
    targets
}

/// Every relative link in the project's markdown points at a file (or
/// folder) that exists; `#anchor` and `?query` parts are not checked, web
/// links are skipped. Sections moved between files show up here.
#[test]
fn relative_links_point_at_files_that_exist() {
    let _guard = lock();
    let mut files = checked_docs();
    files.push(repo_root().join("CHANGELOG.md"));
    files.extend(readmes_under("plugins"));
    files.extend(readmes_under("samples"));
    let mut broken = Vec::new();
    let mut checked = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", name(path)));
        for (line, target) in link_targets(&text) {
            if target.is_empty()
                || target.starts_with('#')
                || ["http://", "https://", "mailto:"].iter().any(|s| target.starts_with(s))
            {
                continue;
            }
            let file = target.split(['#', '?']).next().unwrap();
            checked += 1;
            if !path.parent().unwrap().join(file).exists() {
                broken.push(format!("{}:{line}: {target}", name(path)));
            }
        }
    }
    assert!(broken.is_empty(), "links to files that do not exist:\n{}", broken.join("\n"));
    assert!(checked >= 20, "only {checked} relative links found: is the link parser broken?");
}

#[test]
fn the_link_parser_finds_links_outside_code() {
    let text = "See [a](docs/a.md#x) and ![img](i.png \"title\").\n\
                `[not](code.md)` but [b](b(1).md)\n\
                ```\n[c](fenced.md)\n```\n\
                [ref]: ref.md\n";
    let found: Vec<String> = link_targets(text).into_iter().map(|(_, t)| t).collect();
    assert_eq!(found, ["docs/a.md#x", "i.png", "b(1).md", "ref.md"]);
}

/// Every finding code is documented: a code nobody can look up is a
/// finding nobody acts on.
#[test]
fn every_finding_code_is_documented() {
    let mut docs = String::new();
    for entry in std::fs::read_dir(repo_root().join("docs")).unwrap() {
        docs.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for code in imprint::model::Code::ALL {
        assert!(docs.contains(&format!("`{code}`")), "`{code}` is not in docs/");
    }
}
