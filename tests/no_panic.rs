//! Random and mutated inputs give errors, never panics: the YAML loader,
//! imprint.yaml, env files and whole renders of small trees, through the
//! library (each case in-process, so a panic fails the property).

use imprint::source::{Confined, dir::DirSource};
use proptest::prelude::*;

const SEED_MANIFEST: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        envFrom: [{configMapRef: {name: cfg}}]\n      volumes: [{name: v, projected: {sources: [{secret: {name: s}}]}}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: prod}\ndata: {a: \"1\"}\n";
const SEED_CONFIG: &str = "apiVersion: imprint.dev/v1alpha1\nkind: Render\nnamespace: prod\nconfigMapGenerator:\n- name: g\n  files: [a.txt, k=a.txt]\n  envs: [a.env]\n  literals: [X=1]\nnaming: {template: \"{{name}}-{{hash}}\", hashLength: 8}\nexternalNames: [s]\nreferences: [{kind: W, path: \"spec.a[].b\", target: Secret}]\n";

/// A seed with bytes flipped, inserted or deleted.
fn mutated(seed: &'static str) -> impl Strategy<Value = String> {
    proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..8).prop_map(move |edits| {
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

fn render_tree(files: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    for (p, c) in files {
        std::fs::write(dir.path().join(p), c).unwrap();
    }
    let src = Confined::new(DirSource::open(dir.path()).unwrap());
    if let Ok(loaded) = imprint::load::load_dir(&src) {
        let opts = imprint::render::Options { lenient: true, ..Default::default() };
        if let Ok(r) = imprint::pipeline::run(loaded, &opts, None) {
            let mut out = Vec::new();
            let _ = imprint::emit::write_stream(&r.objects, imprint::emit::Format::Yaml, &Default::default(), &mut out);
            let _ = imprint::graph::build(&r);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn yaml_loader_never_panics(text in "\\PC{0,200}", m in mutated(SEED_MANIFEST)) {
        let _ = imprint::load::parse_objects(&text, "a.yaml");
        let _ = imprint::load::parse_objects(&m, "a.yaml");
        let _ = imprint::load::parse_objects(&m, "a.json");
    }

    #[test]
    fn config_parser_never_panics(m in mutated(SEED_CONFIG)) {
        let _ = imprint::load::parse_config(&m, "imprint.yaml");
    }

    #[test]
    fn renders_of_mutated_trees_never_panic(
        manifest in mutated(SEED_MANIFEST),
        config in mutated(SEED_CONFIG),
        env in "(\\PC{0,20}\n){0,5}",
    ) {
        render_tree(&[("m.yaml", &manifest), ("imprint.yaml", &config), ("a.env", &env), ("a.txt", "x")]);
    }
}
