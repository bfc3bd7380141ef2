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

/// The cases whose input holds a Secret value that an error must never
/// echo, with that value. The expected files pin the whole output, so a
/// leak fails the comparison; this check also fails when a leak is written
/// into them by `IMPRINT_UPDATE_FIXTURES=1` and committed unread.
const SECRET_VALUES: &[(&str, &str)] = &[
    ("env-line-without-equals", "super-secret-token"),
    ("malformed-yaml-in-a-secret", "hunter2"),
    ("missing-secret-key-not-echoed", "hunter2"),
];

#[test]
fn no_secret_value_in_any_expected_file() {
    for (case, value) in SECRET_VALUES {
        let folder = cases_dir().join(case);
        let inputs = walk_text(&folder.join("input"));
        assert!(inputs.iter().any(|t| t.contains(value)), "case {case}: {value:?} is not in its input (a stale list?)");
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("expected.") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(!text.contains(value), "case {case}: {name} holds the Secret value {value:?}:\n{text}");
            }
        }
    }
}

/// The text of every file under `dir`.
fn walk_text(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk_text(&path));
        } else {
            out.push(String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned());
        }
    }
    out
}
