//! Every sample renders, and its raw output bytes are pinned.

mod common;
use common::*;

#[test]
fn all_six_samples_exist_with_a_readme() {
    let names = samples();
    for s in ["ai-inference", "game", "model-ab", "secret-rotation", "two-tier-app", "web-message"] {
        assert!(names.contains(&s.to_string()), "missing sample {s}");
        assert!(repo_root().join("samples").join(s).join("README.md").is_file(), "{s} has no README");
    }
}

/// The secret-rotation sample is meant to be rendered with a hash key.
const KEY: &str = "tests/fixtures/hash-key.txt";

#[test]
fn sample_outputs_are_pinned() {
    for s in samples() {
        let dir = format!("samples/{s}");
        let mut args = vec!["render", dir.as_str()];
        if s == "secret-rotation" {
            args.extend(["--hash-key-file", KEY]);
        }
        let root = repo_root();
        let run = {
            let mut cmd = std::process::Command::new(bin());
            cmd.current_dir(&root).args(&args).env_clear();
            let out = cmd.output().unwrap();
            Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8(out.stdout).unwrap(),
                stderr: String::from_utf8(out.stderr).unwrap(),
            }
        };
        let out = run.ok();
        assert!(run.stderr.is_empty(), "{s}: unexpected warnings:\n{}", run.stderr);
        insta::assert_snapshot!(format!("sample-{s}"), out);
    }
}

#[test]
fn secret_rotation_is_keyed() {
    let run = imprint(
        &[
            "render",
            &format!("{}/samples/secret-rotation", repo_root().display()),
            "--hash-key-file",
            &format!("{}/{KEY}", repo_root().display()),
        ],
        None,
        &[],
    );
    let docs = docs(run.ok());
    let secret = find(&docs, "Secret", "db-credentials").unwrap();
    assert!(
        secret["metadata"]["annotations"]["imprint.dev/content-hash"].as_str().unwrap().starts_with("blake3-keyed:")
    );
    let unkeyed = imprint(&["render", &format!("{}/samples/secret-rotation", repo_root().display())], None, &[]);
    assert_ne!(
        name_of(&docs, "Secret", "db-credentials"),
        name_of(&common::docs(unkeyed.ok()), "Secret", "db-credentials")
    );
}

/// SPEC §7 fixed point: a sample's output rendered again is the same bytes,
/// and `graph` over it sees the same uses. The keyed sample holds with its
/// key, and without it (kept unverified, with a note).
#[test]
fn render_of_render_is_the_same_bytes() {
    let root = repo_root();
    let key = root.join(KEY);
    let key = key.to_str().unwrap();
    for s in samples() {
        let dir = root.join("samples").join(&s);
        let dir = dir.to_str().unwrap();
        let keyed: &[&str] = if s == "secret-rotation" { &["--hash-key-file", key] } else { &[] };
        let first = imprint(&[&["render", dir][..], keyed].concat(), None, &[]).ok().to_string();
        let again = imprint(&[&["render", "-"][..], keyed].concat(), Some(&first), &[]);
        assert_eq!(again.ok(), first, "{s}: render | render - changed the output");
        let graph = |input: &str, stdin: Option<&str>| {
            imprint(&[&["graph", input, "--format", "json"][..], keyed].concat(), stdin, &[]).ok().to_string()
        };
        assert_eq!(graph("-", Some(&first)), graph(dir, None), "{s}: graph over the output");
        if !keyed.is_empty() {
            let unkeyed = imprint(&["render", "-", "-v"], Some(&first), &[]);
            assert_eq!(unkeyed.ok(), first, "{s}: without the key");
            assert!(unkeyed.stderr.contains("note[already-versioned]"), "{}", unkeyed.stderr);
        }
    }
}
