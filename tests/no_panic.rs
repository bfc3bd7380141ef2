//! Random and mutated inputs give errors, never panics: the YAML loader,
//! imprint.yaml, env files and whole renders of small trees, through the
//! library (each case in-process, so a panic fails the property).
//!
//! A property that ignores every error would also pass if everything were
//! rejected, so each one counts how many of its inputs are accepted and
//! asserts a floor, about half the share measured over 4,000 cases of
//! inputs with at least one edit (never the unchanged seed, which would
//! meet a floor alone): with 1,500 cases a property, each floor is more
//! than three standard deviations under the expected count.

use imprint::source::{Confined, dir::DirSource};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const SEED_MANIFEST: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        envFrom: [{configMapRef: {name: cfg}}]\n      volumes: [{name: v, projected: {sources: [{secret: {name: s}}]}}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: prod}\ndata: {a: \"1\"}\n";
const SEED_JSON: &str = r#"{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"},
   "spec": {"template": {"spec": {"containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "cfg"}}]}]}}}},
  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "prod"}, "data": {"a": "1"}}
]}
"#;
const SEED_CONFIG: &str = "apiVersion: imprint.dev/v1alpha1\nkind: Render\nnamespace: prod\nconfigMapGenerator:\n- name: g\n  files: [a.txt, k=a.txt]\n  envs: [a.env]\n  literals: [X=1]\nnaming: {template: \"{{name}}-{{hash}}\", hashLength: 8}\nexternalNames: [s]\nreferences: [{kind: W, path: \"spec.a[].b\", target: Secret}]\n";

/// Cases per property (`IMPRINT_NO_PANIC_CASES` to measure the shares).
fn cases() -> u32 {
    std::env::var("IMPRINT_NO_PANIC_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1500)
}

/// A seed with 1 to 7 bytes flipped, inserted or deleted.
fn mutated(seed: &'static str) -> impl Strategy<Value = String> {
    mutated_by(seed, 8)
}

/// A seed with at least one and fewer than `edits` bytes flipped, inserted
/// or deleted (never the seed itself, which would meet a floor alone).
fn mutated_by(seed: &'static str, edits: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..edits).prop_map(move |edits| {
        let mut b = seed.as_bytes().to_vec();
        for (at, byte, op) in edits {
            let i = at.index(b.len().max(1));
            match op {
                0 if !b.is_empty() => {
                    let last = b.len() - 1;
                    b[i.min(last)] = byte;
                }
                1 => b.insert(i.min(b.len()), byte),
                _ if !b.is_empty() => {
                    b.remove(i.min(b.len() - 1));
                }
                _ => {}
            }
        }
        String::from_utf8_lossy(&b).into_owned()
    })
}

/// Whether the tree renders (loads, renders, and is written and graphed).
fn render_tree(files: &[(&str, &str)]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    for (p, c) in files {
        std::fs::write(dir.path().join(p), c).unwrap();
    }
    let src = Confined::new(DirSource::open(dir.path()).unwrap());
    let Ok(loaded) = imprint::load::load_dir(&src) else { return false };
    let opts = imprint::render::Options { lenient: true, ..Default::default() };
    let Ok(r) = imprint::pipeline::run(loaded, &opts, None) else { return false };
    let mut out = Vec::new();
    let _ = imprint::emit::write_stream(&r.objects, imprint::emit::Format::Yaml, &Default::default(), &mut out);
    let text = String::from_utf8(out).unwrap_or_default();
    let _ = imprint::graph::build(&r);
    !text.is_empty()
}

/// Counts of accepted inputs, one per named check.
struct Tally {
    name: &'static str,
    runs: std::cell::Cell<u32>,
    accepted: Vec<(&'static str, std::cell::Cell<u32>)>,
}

impl Tally {
    fn new(name: &'static str, checks: &[&'static str]) -> Self {
        Tally { name, runs: 0.into(), accepted: checks.iter().map(|c| (*c, 0.into())).collect() }
    }

    fn count(&self, check: &str, ok: bool) {
        let (_, n) = self.accepted.iter().find(|(c, _)| *c == check).expect("a known check");
        n.set(n.get() + u32::from(ok));
    }

    /// Asserts that `check` accepted at least `floor` percent of the runs.
    #[track_caller]
    fn at_least(&self, check: &str, floor: u32) {
        self.at_least_permille(check, floor * 10);
    }

    /// Asserts that `check` accepted at least `floor` per mille of the runs.
    #[track_caller]
    fn at_least_permille(&self, check: &str, floor: u32) {
        let (_, n) = self.accepted.iter().find(|(c, _)| *c == check).expect("a known check");
        let (n, runs) = (n.get(), self.runs.get());
        eprintln!("{}: {check}: {n} of {runs} accepted ({}‰)", self.name, 1000 * n / runs.max(1));
        assert!(runs > 0 && 1000 * n >= floor * runs, "{}: {check} accepted {n} of {runs}, under {floor}‰", self.name);
    }
}

/// Runs `test` over `strategy` and counts the runs. A panic fails the
/// property (the runner catches it, shrinks the input and reports it).
fn run<S: Strategy>(tally: &Tally, strategy: S, test: impl Fn(S::Value)) {
    let config = Config { cases: cases(), source_file: Some(file!()), ..Config::default() };
    TestRunner::new(config)
        .run(&strategy, |value| {
            tally.runs.set(tally.runs.get() + 1);
            test(value);
            Ok(())
        })
        .unwrap();
}

#[test]
fn yaml_loader_never_panics() {
    let tally = Tally::new("yaml loader", &["mutated YAML", "mutated JSON", "mutated JSON as YAML"]);
    run(&tally, ("\\PC{0,200}", mutated(SEED_MANIFEST), mutated(SEED_JSON)), |(text, m, j)| {
        // Random text is almost never an object (1.2% of 20,000 were
        // accepted: empty or comment-only): it is not counted.
        let _ = imprint::load::parse_objects(&text, "a.yaml");
        tally.count("mutated YAML", imprint::load::parse_objects(&m, "a.yaml").is_ok());
        // YAML as JSON is always refused; the mutated JSON seed is not.
        assert!(imprint::load::parse_objects(&m, "a.json").is_err() || m.trim_start().starts_with(['{', '[']));
        tally.count("mutated JSON", imprint::load::parse_objects(&j, "a.json").is_ok());
        tally.count("mutated JSON as YAML", imprint::load::parse_objects(&j, "a.yaml").is_ok());
    });
    // Measured over 4,000 cases: 15.7%, 9.2% and 13.3%.
    tally.at_least("mutated YAML", 8);
    tally.at_least("mutated JSON", 5);
    tally.at_least("mutated JSON as YAML", 7);
}

#[test]
fn config_parser_never_panics() {
    let tally = Tally::new("imprint.yaml", &["mutated"]);
    run(&tally, mutated(SEED_CONFIG), |m| {
        tally.count("mutated", imprint::load::parse_config(&m, "imprint.yaml").is_ok());
    });
    // Measured over 4,000 cases: 3.3%.
    tally.at_least_permille("mutated", 15);
}

#[test]
fn renders_of_mutated_trees_never_panic() {
    let tally = Tally::new("render", &["rendered"]);
    // One or two edits, and env files of KEY=value lines half of the time:
    // with up to seven edits and random env lines, 0.6% of the trees loaded
    // at all, and the render stage was hardly ever reached.
    let env = prop_oneof!["([A-Z_]{1,6}=[a-z0-9 ]{0,10}\n){0,5}", "(\\PC{0,20}\n){0,5}"];
    // One of the manifest and imprint.yaml is edited, the other kept: with
    // both edited, so few trees rendered that a floor could not be steady.
    let strategy = (any::<bool>(), mutated_by(SEED_MANIFEST, 3), mutated_by(SEED_CONFIG, 3), env);
    run(&tally, strategy, |(edit_manifest, manifest, config, env)| {
        let (manifest, config) =
            if edit_manifest { (manifest.as_str(), SEED_CONFIG) } else { (SEED_MANIFEST, config.as_str()) };
        let files = [("m.yaml", manifest), ("imprint.yaml", config), ("a.env", &*env), ("a.txt", "x")];
        tally.count("rendered", render_tree(&files));
    });
    // Measured over 4,000 cases: 12.0%.
    tally.at_least("rendered", 6);
}
