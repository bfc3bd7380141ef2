//! Determinism is a feature: the same input gives the same bytes whatever
//! the order of files, documents, generator inputs or keys; equal content
//! gives equal names; any changed byte gives a new name.

mod common;
use common::*;
use imprint::source::{Confined, dir::DirSource};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Renders a directory through the library (no process per case).
fn render_dir(path: &std::path::Path) -> String {
    let src = Confined::new(DirSource::open(path).unwrap());
    let loaded = imprint::load::load_dir(&src).unwrap();
    imprint::pipeline::render_to_string(loaded, &imprint::render::Options::default(), imprint::emit::Format::Yaml)
        .unwrap()
}

/// Renders a manifest stream, as `imprint render -` does.
fn render_stream(text: &str) -> String {
    let loaded = imprint::load::load_stream(text, "<stdin>", &imprint::limits::Limits::default()).unwrap();
    imprint::pipeline::render_to_string(loaded, &imprint::render::Options::default(), imprint::emit::Format::Yaml)
        .unwrap()
}

fn key() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9._-]{0,8}"
}

fn value() -> impl Strategy<Value = String> {
    // No quotes: a literal loses one pair of surrounding quotes, an env line keeps them.
    "[ !#-&(-~]{0,20}"
}

fn data() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(key(), value(), 1..6)
}

fn cm_doc(name: &str, entries: &[(String, String)]) -> String {
    let mut s = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n");
    for (k, v) in entries {
        s.push_str(&format!("  {k}: {}\n", serde_json::to_string(v).unwrap()));
    }
    s
}

fn deploy_doc(name: &str, uses: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        envFrom: [{{configMapRef: {{name: {uses}}}}}]\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Documents spread over files in any order, files created in any
    /// order: identical bytes.
    #[test]
    fn file_and_document_order_do_not_matter(
        bundles in proptest::collection::btree_map("[a-z]{3,6}", data(), 1..5),
        seed in any::<u64>(),
    ) {
        let mut docs: Vec<String> = Vec::new();
        for (name, d) in &bundles {
            docs.push(cm_doc(name, &d.clone().into_iter().collect::<Vec<_>>()));
            docs.push(deploy_doc(&format!("{name}-app"), name));
        }
        let first = Tree::new();
        for (i, d) in docs.iter().enumerate() {
            std::fs::write(first.path().join(format!("f{i:02}.yaml")), d).unwrap();
        }
        // Same documents, shuffled, fewer files, created in reverse order.
        let mut shuffled = docs.clone();
        let mut rng = seed;
        for i in (1..shuffled.len()).rev() {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (rng >> 33) as usize % (i + 1));
        }
        let second = Tree::new();
        let halves: Vec<&[String]> = shuffled.chunks(2).collect();
        for (i, chunk) in halves.iter().enumerate().rev() {
            std::fs::create_dir_all(second.path().join(format!("d{i}"))).unwrap();
            std::fs::write(second.path().join(format!("d{i}/all.yaml")), chunk.join("---\n")).unwrap();
        }
        prop_assert_eq!(render_dir(first.path()), render_dir(second.path()));
    }

    /// Generator inputs in any order (files, env lines, literals): identical bytes.
    #[test]
    fn generator_input_order_does_not_matter(entries in data(), seed in any::<u64>()) {
        let mut items: Vec<(String, String)> = entries.into_iter().collect();
        let make = |items: &[(String, String)]| {
            let (lits, envs) = items.split_at(items.len() / 2);
            let lit_list: Vec<String> = lits.iter().map(|(k, v)| serde_json::to_string(&format!("{k}={v}")).unwrap()).collect();
            let env_text: String = envs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            Tree::new()
                .file("imprint.yaml", format!("configMapGenerator:\n- name: g\n  envs: [a.env]\n  literals: [{}]\n  files: [f.txt]\n", lit_list.join(", ")))
                .file("a.env", env_text)
                .file("f.txt", "file content\n")
                .file("d.yaml", deploy_doc("app", "g"))
        };
        let a = render_dir(make(&items).path());
        let mut rng = seed | 1;
        for i in (1..items.len()).rev() {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1);
            items.swap(i, (rng >> 33) as usize % (i + 1));
        }
        // Rotate which half becomes env lines vs literals too: keys move
        // between sources, content stays.
        let b = render_dir(make(&items).path());
        prop_assert_eq!(a, b);
    }

    /// SPEC §7 fixed point: the output of any app rendered again is the
    /// same bytes (resources, Secrets, generated bundles, values that need
    /// quoting or block style, a bundle left unversioned by a safety rule).
    #[test]
    fn render_of_render_is_the_same_bytes(
        bundles in proptest::collection::btree_map("[a-z]{3,6}", data(), 1..4),
        generated in data(),
        secret in data(),
    ) {
        let t = Tree::new();
        let mut literals: Vec<String> = generated.iter().map(|(k, v)| serde_json::to_string(&format!("{k}={v}")).unwrap()).collect();
        literals.push("\"multi=line one\\nline two\\n\"".into());
        std::fs::write(
            t.path().join("imprint.yaml"),
            format!("namespace: app\nconfigMapGenerator:\n- name: gen\n  literals: [{}]\n", literals.join(", ")),
        ).unwrap();
        let mut docs = vec![deploy_doc("gen-user", "gen")];
        for (name, d) in &bundles {
            docs.push(cm_doc(name, &d.clone().into_iter().collect::<Vec<_>>()));
            docs.push(deploy_doc(&format!("{name}-app"), name));
        }
        // A Secret through stringData, and a ConfigMap whose name a flag holds.
        let mut s = "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData:\n".to_string();
        for (k, v) in &secret {
            s.push_str(&format!("  {k}: {}\n", serde_json::to_string(v).unwrap()));
        }
        docs.push(s);
        docs.push(deploy_doc("creds-app", "creds").replace("configMapRef", "secretRef"));
        docs.push(cm_doc("flagged", &[("on".into(), "0644".into())]));
        docs.push(deploy_doc("ctl", "flagged").replace("image: busybox", "image: busybox\n        args: [--configmap=$(NS)/flagged]"));
        std::fs::write(t.path().join("all.yaml"), docs.join("---\n")).unwrap();
        let first = render_dir(t.path());
        prop_assert_eq!(render_stream(&first), first);
    }

    /// Key order and formatting of a resource never change its name; one
    /// changed byte always does.
    #[test]
    fn names_follow_content_only(entries in data(), flip in any::<prop::sample::Index>()) {
        let items: Vec<(String, String)> = entries.into_iter().collect();
        let mut reversed = items.clone();
        reversed.reverse();
        let name = |items: &[(String, String)]| {
            let t = Tree::new().file("c.yaml", cm_doc("cfg", items)).file("d.yaml", deploy_doc("app", "cfg"));
            let out = render_dir(t.path());
            name_of(&docs(&out), "ConfigMap", "cfg")
        };
        let original = name(&items);
        prop_assert_eq!(&original, &name(&reversed));
        let mut changed = items.clone();
        let i = flip.index(changed.len());
        changed[i].1.push('x');
        prop_assert_ne!(&original, &name(&changed));
    }
}

#[test]
fn identical_content_gives_identical_names_across_apps_and_sources() {
    // A generated bundle and a hand-written ConfigMap with the same content.
    let generated = Tree::new()
        .file("imprint.yaml", "configMapGenerator:\n- name: cfg\n  literals: [A=1, B=two]\n")
        .file("d.yaml", deploy_doc("other-app", "cfg"));
    let written = Tree::new()
        .file("c.yaml", cm_doc("cfg", &[("B".into(), "two".into()), ("A".into(), "1".into())]))
        .file("d.yaml", deploy_doc("app", "cfg"));
    assert_eq!(
        name_of(&docs(&render_dir(generated.path())), "ConfigMap", "cfg"),
        name_of(&docs(&render_dir(written.path())), "ConfigMap", "cfg")
    );
}

#[test]
fn base64_wrapping_and_string_data_do_not_change_a_secret_name() {
    let secret = |data: &str| {
        let t = Tree::new()
            .file("s.yaml", format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\n{data}"))
            .file("d.yaml", deploy_doc("app", "x").replace("configMapRef: {name: x}", "secretRef: {name: s}"));
        name_of(&docs(&render_dir(t.path())), "Secret", "s")
    };
    let plain = secret("data:\n  k: aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=\n");
    assert_eq!(plain, secret("data:\n  k: |\n    aGVsbG8gd29y\n    bGQgaGVsbG8gd29ybGQ=\n"));
    assert_eq!(plain, secret("stringData:\n  k: hello world hello world\n"));
    assert_eq!(plain, secret("type: Opaque\ndata:\n  k: aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=\n"));
    assert_ne!(plain, secret("type: example.com/custom\ndata:\n  k: aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=\n"));
}

#[test]
fn labels_and_annotations_do_not_change_the_name() {
    let name = |meta: &str| {
        let t = Tree::new()
            .file("c.yaml", format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n{meta}data:\n  a: b\n"))
            .file("d.yaml", deploy_doc("app", "cfg"));
        name_of(&docs(&render_dir(t.path())), "ConfigMap", "cfg")
    };
    assert_eq!(name(""), name("  labels: {team: x}\n  annotations: {owner: y}\n"));
}

/// The output is byte-identical whatever the number of threads.
#[test]
fn thread_count_does_not_change_the_output() {
    let mut t = Tree::new().file(
        "imprint.yaml",
        "configMapGenerator:\n".to_string()
            + &(0..40).map(|i| format!("- name: cfg-{i}\n  literals: [K={i}]\n")).collect::<String>(),
    );
    for i in 0..40 {
        t = t.file(&format!("apps/app-{i:02}.yaml"), deploy_doc(&format!("app-{i}"), &format!("cfg-{i}")));
    }
    let dir = t.path().to_str().unwrap().to_string();
    let one = imprint(&["render", &dir], None, &[("RAYON_NUM_THREADS", "1")]);
    let many = imprint(&["render", &dir], None, &[("RAYON_NUM_THREADS", "8")]);
    assert_eq!(one.ok(), many.ok());
    assert_eq!(docs(one.ok()).len(), 80);
}

/// A rendered bundle edited afterwards is versioned again from the bundle
/// it records: the same name the edited source gives, never a double suffix,
/// and every use follows.
#[test]
fn an_edited_rendered_bundle_is_versioned_again_from_its_bundle() {
    let source = |value: &str| {
        Tree::new()
            .file("c.yaml", cm_doc("cfg", &[("k".into(), value.into())]))
            .file("d.yaml", deploy_doc("app", "cfg"))
    };
    let before = render_dir(source("one").path());
    let after = render_dir(source("two").path());
    let edited = before.replace("k: one", "k: two");
    assert_ne!(edited, before);
    assert_eq!(render_stream(&edited), after);
    let old = name_of(&docs(&before), "ConfigMap", "cfg");
    let run = imprint(&["render", "-", "-v"], Some(&edited), &[]);
    assert!(run.stderr.contains("note[content-changed]"), "{}", run.stderr);
    assert!(!run.ok().contains(&old), "the old name is left nowhere");
}

/// Review cases of the fixed point: an edited rendered bundle annotated
/// `imprint.dev/version: "false"` keeps its name; a ConfigMap claiming a
/// keyed hash (imprint never keys one) counts as edited; `check` on a
/// rendered stream judges Secret hashing by the hash each Secret carries.
#[test]
fn fixed_point_review_cases() {
    let t = Tree::new()
        .file("c.yaml", cm_doc("cfg", &[("k".into(), "one".into())]))
        .file("d.yaml", deploy_doc("app", "cfg"));
    let first = render_dir(t.path());
    let old = name_of(&docs(&first), "ConfigMap", "cfg");
    let pinned = first
        .replace("k: one", "k: two")
        .replace("    imprint.dev/bundle: cfg\n", "    imprint.dev/bundle: cfg\n    imprint.dev/version: \"false\"\n");
    let run = imprint(&["render", "-", "-v"], Some(&pinned), &[]);
    assert_eq!(name_of(&docs(run.ok()), "ConfigMap", "cfg"), old);
    assert!(run.stderr.contains("kept its name (imprint.dev/version: \"false\")"), "{}", run.stderr);
    let key = repo_root().join("tests/fixtures/hash-key.txt");
    let claimed = first.replace("content-hash: blake3:", "content-hash: blake3-keyed:");
    let run = imprint(&["render", "-", "-v", "--hash-key-file", key.to_str().unwrap()], Some(&claimed), &[]);
    assert!(run.stderr.contains("note[content-changed]"), "{}", run.stderr);
    assert_eq!(name_of(&docs(run.ok()), "ConfigMap", "cfg"), old, "same content, so the same name again");
    // Hashing judged by the object: keyed output checked without the key is fine, and
    // unkeyed output checked with a key still warns.
    let keyed_sample = repo_root().join("samples/secret-rotation");
    let keyed =
        imprint(&["render", keyed_sample.to_str().unwrap(), "--hash-key-file", key.to_str().unwrap()], None, &[]);
    let check = imprint(&["check", "-"], Some(keyed.ok()), &[]);
    assert!(!check.stdout.contains("unkeyed-secret-hash"), "{}", check.stdout);
    let plain = imprint(&["render", repo_root().join("samples/two-tier-app").to_str().unwrap()], None, &[]);
    let check = imprint(&["check", "-", "--hash-key-file", key.to_str().unwrap()], Some(plain.ok()), &[]);
    assert!(check.stdout.contains("unkeyed-secret-hash"), "{}", check.stdout);
}
