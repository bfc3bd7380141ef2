//! The end-to-end cases in `tests/fixtures/cases/<case>/` (layout in
//! tests/common/case.rs): each folder is run through the binary and its
//! stdout, stderr and exit code must be the expected files', byte for byte.
//! `IMPRINT_UPDATE_FIXTURES=1 cargo test --test cases` rewrites them.

mod common;
use common::case::{Case, case_names, cases_dir, split_args, unknown_entries};

#[test]
fn every_fixture_case() {
    let names = case_names();
    assert!(!names.is_empty(), "no case under {}", cases_dir().display());
    let mut failed = Vec::new();
    for name in &names {
        let mut problems = Vec::new();
        let unknown = unknown_entries(&cases_dir().join(name));
        if !unknown.is_empty() {
            problems.push(format!("case {name}: unknown entries {unknown:?} (a misspelt expected file?)"));
        }
        if let Err(e) = Case::from_folder(name).run().check_expected() {
            problems.push(e);
        }
        if !problems.is_empty() {
            failed.push(problems.join("\n"));
        }
    }
    assert!(failed.is_empty(), "{} of {} cases failed:\n{}", failed.len(), names.len(), failed.join("\n"));
}

#[test]
fn args_split_at_spaces_and_keep_quoted_ones() {
    assert_eq!(split_args("render .  -n prod\n"), ["render", ".", "-n", "prod"]);
    assert_eq!(split_args("render --set 'a=b c' --set \"x=\" ''"), ["render", "--set", "a=b c", "--set", "x=", ""]);
}

/// The builder on its own: arguments, stdin and an expected file.
#[test]
fn the_builder_runs_a_case_with_stdin() {
    let input = std::fs::read_to_string(cases_dir().join("zero-config/input/cm.yaml")).unwrap()
        + "---\n"
        + &std::fs::read_to_string(cases_dir().join("zero-config/input/deploy.yaml")).unwrap();
    // The stream on stdin renders as the folder does (compared, never
    // written: the folder's own run owns its expected files).
    let run = Case::new("zero-config").args(["render", "-"]).stdin(input).run();
    run.expect_code(0);
    let expected = std::fs::read_to_string(cases_dir().join("zero-config/expected.stdout")).unwrap();
    assert_eq!(run.stdout, expected);
}
