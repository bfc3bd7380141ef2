//! README examples are real output: every block between
//! `<!-- output: imprint ARGS -->` and `<!-- /output -->` must equal what
//! that command prints from the repository root. Regenerate them with
//! `IMPRINT_UPDATE_README=1 cargo test --test docs`.

mod common;
use common::*;

fn run_from_root(args: &[&str]) -> String {
    let out = std::process::Command::new(bin()).current_dir(repo_root()).args(args).env_clear().output().unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "imprint {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Both tests read and (when updating) rewrite README.md: one at a time.
static README: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn readme_examples_are_real_output() {
    let _guard = README.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let mut rebuilt = String::new();
    let mut rest = readme.as_str();
    let mut blocks = 0;
    while let Some(start) = rest.find("<!-- output: imprint ") {
        let header_end = start + rest[start..].find("-->").unwrap() + 3;
        let args: Vec<&str> = rest[start + "<!-- output: imprint ".len()..header_end - 3].split_whitespace().collect();
        let end = header_end + rest[header_end..].find("<!-- /output -->").unwrap();
        let expected = format!("\n```text\n{}```\n", run_from_root(&args));
        if std::env::var_os("IMPRINT_UPDATE_README").is_none() {
            assert_eq!(&rest[header_end..end], expected, "README block for `imprint {}` is stale", args.join(" "));
        }
        rebuilt.push_str(&rest[..header_end]);
        rebuilt.push_str(&expected);
        rest = &rest[end..];
        blocks += 1;
    }
    rebuilt.push_str(rest);
    assert!(blocks >= 3, "the README shows real output of graph and check");
    if std::env::var_os("IMPRINT_UPDATE_README").is_some() {
        std::fs::write(&path, rebuilt).unwrap();
    }
}

/// The reference table in the docs is generated from the table's data
/// (`src/refs/table.rs`): `docs/reference-table.md` whole, and the README's
/// part between `<!-- generated: reference-table -->` and
/// `<!-- /generated -->`. Regenerate with
/// `IMPRINT_UPDATE_README=1 cargo test --test docs`.
#[test]
fn reference_tables_are_generated_from_the_data() {
    let _guard = README.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let update = std::env::var_os("IMPRINT_UPDATE_README").is_some();
    let full = repo_root().join("docs/reference-table.md");
    let expected = imprint::refs::table::markdown();
    if update {
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, &expected).unwrap();
    }
    let on_disk = std::fs::read_to_string(&full).unwrap_or_default();
    assert!(on_disk == expected, "docs/reference-table.md differs from the table's data; regenerate it");
    let path = repo_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start_tag, end_tag) = ("<!-- generated: reference-table -->\n", "<!-- /generated -->");
    let start = readme.find(start_tag).expect("the README holds the generated reference table") + start_tag.len();
    let end = start + readme[start..].find(end_tag).unwrap();
    let summary = imprint::refs::table::markdown_summary();
    if update {
        std::fs::write(&path, format!("{}{summary}{}", &readme[..start], &readme[end..])).unwrap();
    } else {
        assert!(
            readme[start..end] == summary,
            "the README's reference table differs from the table's data; regenerate it"
        );
    }
}
