//! Counted work instead of wall-clock ceilings (issue 17): each hostile input
//! the reviews found runs through the library at two sizes, n and 4n, and
//! the units of work it counts (`imprint::work`: candidates visited, lines
//! scanned, names written, loop iterations, YAML nodes built) must grow
//! linearly, within a 25% margin. A quadratic loop at 4n counts 16 times
//! what it counts at n, on any machine; a shared CI machine cannot make a
//! count flake. Inputs that stop at a limit are held to the limit instead:
//! the work done before the refusal may not pass it, however big the input.
//!
//! The count is the process's, and tests run on several threads: every test
//! here holds `LOCK` for its whole run.

mod common;
use common::*;
use imprint::check::Settings;
use imprint::error::{Diagnostic, Error};
use imprint::limits::Limits;
use imprint::load::Loaded;
use imprint::render::{Options, Rendered};
use imprint::source::dir::DirSource;
use imprint::source::{Backend, Confined, Entry};
use imprint::work::{Counts, Site};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

static LOCK: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `f` and returns its result with the units of work it counted.
fn counted<T>(f: impl FnOnce() -> T) -> (T, Counts) {
    let _ = imprint::work::take();
    let out = f();
    (out, imprint::work::take())
}

/// At every site, `work(4n) <= 4 * work(n) * 1.25`: each site on its own,
/// so a quadratic loop at one is not hidden by linear counts elsewhere.
/// The sites the scenario is about must have counted something at n.
#[track_caller]
fn assert_linear(what: &str, n: usize, sites: &[Site], small: Counts, large: Counts) {
    for site in sites {
        assert!(small.at(*site) > 0, "{what}: nothing counted at {site:?} for n = {n}: the code did not run");
    }
    for site in Site::ALL {
        let (a, b) = (small.at(site), large.at(site));
        eprintln!("{what}: {site:?}: n = {n}: {a} units; 4n: {b} units");
        assert!(b * 4 <= a * 4 * 5, "{what}: {site:?}: {a} units at n = {n}, {b} at 4n: not linear");
    }
}

/// The work done before a refusal stays within what the limit allows.
#[track_caller]
fn assert_within(what: &str, work: u64, allowed: u64) {
    eprintln!("{what}: {work} units, {allowed} allowed");
    assert!(work <= allowed, "{what}: {work} units of work, more than the {allowed} the limit allows");
}

fn load(dir: &Path, limits: Limits) -> Result<Loaded, Error> {
    imprint::load::load_dir(&Confined::with_limits(DirSource::open(dir)?, limits))
}

/// `imprint render DIR`, in process.
fn render(dir: &Path) -> Rendered {
    imprint::pipeline::run(load(dir, Limits::default()).unwrap(), &Options::default(), None).unwrap()
}

/// `imprint check DIR`, in process: a lenient render, then the findings.
fn check(dir: &Path) -> Vec<Diagnostic> {
    let mut loaded = load(dir, Limits::default()).unwrap();
    let texts = std::mem::take(&mut loaded.texts);
    let opts = Options { lenient: true, allow_dangling: true, ..Options::default() };
    let rendered = imprint::pipeline::run(loaded, &opts, None).unwrap();
    imprint::check::check(&rendered, &texts, Settings::default())
}

/// A render that must fail; its error, one line.
fn refused(dir: &Path, limits: Limits) -> String {
    let err = match load(dir, limits) {
        Ok(loaded) => imprint::pipeline::run(loaded, &Options::default(), None).err(),
        Err(e) => Some(e),
    };
    err.expect("the render was refused").to_string().lines().next().unwrap_or_default().to_string()
}

fn count(findings: &[Diagnostic], code: &str) -> usize {
    findings.iter().filter(|d| d.code.as_str() == code).count()
}

/// n versioned ConfigMaps nothing uses: one unused-bundle finding each,
/// without searching all objects per finding (30,000: 9 min before). What
/// is counted here is the pipeline under `check` (nodes, lookups, the
/// graph); the finding's own lookup is one hash lookup, with no candidate
/// set to count.
fn unused_bundles(n: usize) -> Tree {
    let cms: String = (0..n)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  k: v\n"))
        .collect();
    Tree::new().file("imprint.yaml", "versionResources: all\nresources: [cms.yaml]\n").file("cms.yaml", cms)
}

#[test]
fn unused_bundle_findings_are_linear() {
    let _alone = alone();
    let n = 1_000;
    let (small, large) = (unused_bundles(n), unused_bundles(4 * n));
    let (found, work_n) = counted(|| check(small.path()));
    assert_eq!(count(&found, "unused-bundle"), n);
    let (found, work_4n) = counted(|| check(large.path()));
    assert_eq!(count(&found, "unused-bundle"), 4 * n);
    assert_linear("unused bundles (check)", n, &[Site::CheckUnused, Site::YamlNodes], work_n, work_4n);
}

/// n namespaces, each with a ConfigMap `x` its Pod reads, and one string of
/// 100n `x` tokens: each token used to visit all n same-named candidates
/// of the name-used rule (2,000 namespaces and 2 MB of `x`: 58 s).
fn mentions(n: usize) -> Tree {
    let mut all = String::new();
    for i in 0..n {
        all.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x, namespace: ns{i}}}\ndata: {{k: v}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: ns{i}}}\nspec:\n  containers:\n  - name: c\n    image: i\n    envFrom: [{{configMapRef: {{name: x}}}}]\n"
        ));
    }
    all.push_str(&format!(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big, namespace: ns0}}\ndata:\n  blob: \"{}\"\n",
        vec!["x"; 100 * n].join(" ")
    ));
    Tree::new().file("imprint.yaml", "resources: [all.yaml]\n").file("all.yaml", all)
}

#[test]
fn a_name_mentioned_everywhere_is_scanned_once() {
    let _alone = alone();
    let n = 400;
    let kept = |tree: &Tree, size: usize| {
        let (rendered, work) = counted(|| render(tree.path()));
        // The string names `x`, so no `x` is versioned (SPEC §4), and each says where.
        let xs = rendered.objects.iter().filter(|o| o.kind() == "ConfigMap" && o.name() == "x").count();
        assert_eq!(xs, size, "every x keeps its name");
        let notes = rendered
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("its name appears in ConfigMap/ns0/big at data.blob"))
            .count();
        assert_eq!(notes, size);
        work
    };
    let work_n = kept(&mentions(n), n);
    let work_4n = kept(&mentions(4 * n), 4 * n);
    assert_linear("a name mentioned everywhere (render)", n, &[Site::NameScan], work_n, work_4n);
}

/// n namespaces, each with a ConfigMap `x` and a Pod reading a key of it:
/// each lookup scanned all n namespaces (`graph`: 118 s at 10,000).
fn spread(n: usize) -> Tree {
    let all: String = (0..n)
        .map(|i| format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x, namespace: n{i}}}\ndata: {{k: v{i}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: n{i}}}\nspec:\n  containers:\n  - name: c\n    image: i\n    env:\n    - name: E\n      valueFrom: {{configMapKeyRef: {{name: x, key: k}}}}\n"
        ))
        .collect();
    Tree::new().file("imprint.yaml", "resources: [all.yaml]\n").file("all.yaml", all)
}

#[test]
fn a_name_in_many_namespaces_is_one_lookup() {
    let _alone = alone();
    let n = 500;
    let graph = |tree: &Tree, size: usize| {
        let (g, work) = counted(|| imprint::graph::build(&render(tree.path())));
        assert_eq!(g.bundles.len(), size);
        assert!(g.bundles.iter().all(|b| b.used_by.len() == 1), "one user each");
        work
    };
    let work_n = graph(&spread(n), n);
    let work_4n = graph(&spread(4 * n), 4 * n);
    assert_linear("a name in many namespaces (graph)", n, &[Site::Graph, Site::Lookup], work_n, work_4n);
}

/// A List of n items, each with a YAML 1.1 boolean where a string belongs:
/// `check` rescanned the whole List for each item (60 s at 4,000).
fn list(n: usize) -> Tree {
    let items: String = (0..n)
        .map(|i| format!("- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm{i}\n    labels:\n      a: yes\n  data:\n    k: v\n"))
        .collect();
    Tree::new().file("all.yaml", format!("apiVersion: v1\nkind: List\nitems:\n{items}"))
}

#[test]
fn list_items_are_scanned_once() {
    let _alone = alone();
    let n = 1_000;
    let (small, large) = (list(n), list(4 * n));
    let (found, work_n) = counted(|| check(small.path()));
    assert_eq!(count(&found, "yaml11-ambiguous"), n);
    let (found, work_4n) = counted(|| check(large.path()));
    assert_eq!(count(&found, "yaml11-ambiguous"), 4 * n);
    assert_linear("List items (check)", n, &[Site::CheckScan], work_n, work_4n);
}

/// One ClusterRole listing `x` n times, `x` in n namespaces: the RBAC
/// rewrite held n x n names (6,000: 2.0 GB) before dropping repeats.
fn rbac(n: usize) -> Tree {
    let mut all: String = (0..n)
        .map(|i| {
            format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x, namespace: n{i}}}\ndata: {{k: v}}\n")
        })
        .collect();
    all.push_str(&format!(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r}}\nrules:\n- apiGroups: ['']\n  resources: [configmaps]\n  resourceNames: [{}]\n  verbs: [get]\n",
        vec!["x"; n].join(",")
    ));
    Tree::new().file("imprint.yaml", "versionResources: all\nresources: [all.yaml]\n").file("all.yaml", all)
}

#[test]
fn rbac_names_over_many_namespaces_are_written_once() {
    let _alone = alone();
    let n = 1_000;
    let names = |tree: &Tree, size: usize| {
        let (rendered, work) = counted(|| render(tree.path()));
        let role = rendered.objects.iter().find(|o| o.kind() == "ClusterRole").expect("the role");
        let x = rendered.objects.iter().find(|o| o.kind() == "ConfigMap").expect("an x");
        assert_ne!(x.name(), "x", "x is versioned");
        // Same content everywhere, so one versioned name, written once
        // after the first `x`; each `x` stays, as a ClusterRole's name may
        // mean a namespace's x that is not renamed.
        let listed = role.value["rules"][0]["resourceNames"].as_array().expect("a list");
        assert_eq!(listed[..2], [serde_json::json!("x"), serde_json::json!(x.name())]);
        assert_eq!(listed.len(), size + 1);
        assert!(listed[2..].iter().all(|s| s == "x"));
        work
    };
    let work_n = names(&rbac(n), n);
    let work_4n = names(&rbac(4 * n), 4 * n);
    assert_linear("RBAC names over many namespaces (render)", n, &[Site::RbacRewrite], work_n, work_4n);
}

/// Limits as the command line sets them.
fn limits(f: impl FnOnce(&mut Limits)) -> Limits {
    let mut l = Limits::default();
    f(&mut l);
    l
}

/// Template loops stop at `--max-template-iterations`, counted before a
/// loop runs: a loop that writes a huge stream (16^6 lines of padding) and
/// one that writes nothing (200^4) both stop at the limit, and the
/// iterations they ran are linear in it.
#[test]
fn template_loops_stop_at_the_limit() {
    let _alone = alone();
    let sixteen: Vec<String> = (1..=16).map(|i| i.to_string()).collect();
    let writes = Tree::new()
        .file("imprint.yaml", format!("values:\n  inline: {{n: [{}]}}\n", sixteen.join(",")))
        .file(
            "big.yaml.hbs",
            "{{#each n}}{{#each @root.n}}{{#each @root.n}}{{#each @root.n}}{{#each @root.n}}{{#each @root.n}}# padding padding padding padding padding padding\n{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}",
        );
    let zeros = vec!["0"; 200].join(",");
    let spins = Tree::new().file("imprint.yaml", format!("values:\n  inline: {{a: [{zeros}]}}\n")).file(
        "cm.yaml.hbs",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\ndata:\n  k: v{{#each a}}{{#each ../a}}{{#each ../../a}}{{#each ../../../a}}{{/each}}{{/each}}{{/each}}{{/each}}\n",
    );
    for (name, tree) in [("writes", &writes), ("spins", &spins)] {
        let n = 100_000u64;
        let mut work = Vec::new();
        for limit in [n, 4 * n] {
            let (err, units) = counted(|| refused(tree.path(), limits(|l| l.max_template_iterations = limit)));
            assert!(err.contains(&format!("templates loop more than the limit of {limit} times")), "{name}: {err}");
            // The values (a few dozen nodes) are the only other work.
            assert_within(&format!("template loop that {name}, limit {limit}"), units.total(), limit + 1_000);
            work.push(units);
        }
        assert_linear(&format!("template loop that {name}"), n as usize, &[Site::TemplateLoop], work[0], work[1]);
    }
}

/// A node bomb: `[0,0,0,…]` takes 40 times its size once parsed, so the
/// parser stops at `--max-yaml-nodes` instead of building it. What this
/// can see: the nodes of parses that completed (none pass the limit), and
/// that the error is the parser's own budget; nodes built inside a parse
/// that is then refused are not counted.
#[test]
fn a_node_bomb_stops_inside_the_parser() {
    let _alone = alone();
    let limit = 100_000;
    let bomb = |nodes: usize| {
        let zeros = format!("apiVersion: x.io/v1\nkind: Z\nmetadata: {{name: z}}\nspec: [{}0]\n", "0,".repeat(nodes));
        Tree::new().file("zeros.yaml", zeros)
    };
    for nodes in [limit + limit / 5, 4 * limit] {
        let (err, work) = counted(|| refused(bomb(nodes).path(), limits(|l| l.max_yaml_nodes = limit)));
        assert_within(&format!("node bomb of {nodes} nodes"), work.at(Site::YamlNodes), limit as u64);
        // The parser's own budget stopped it: the error has the line it reached.
        let want = format!("more than the limit of {limit} YAML nodes in all input files (zeros.yaml:");
        assert!(err.starts_with(&want), "{err}");
    }
}

/// Templates: tiny sources, huge output (m^3 nodes each). They render first,
/// and are batched by what they render: eight of them no longer parse at
/// once, each with the whole budget.
#[test]
fn rendered_templates_share_the_node_limit() {
    let _alone = alone();
    let m = 50usize;
    let n: Vec<String> = (0..m).map(|i| i.to_string()).collect();
    let mut t = Tree::new().file("imprint.yaml", format!("values:\n  inline: {{n: [{}]}}\n", n.join(",")));
    for i in 0..8 {
        t = t.file(
            &format!("t{i}.yaml.hbs"),
            format!("apiVersion: x.io/v1\nkind: Z\nmetadata: {{name: z{i}}}\nspec: [{{{{#each n}}}}{{{{#each ../n}}}}{{{{#each ../../n}}}}0,{{{{/each}}}}{{{{/each}}}}{{{{/each}}}}0]\n"),
        );
    }
    // One template's nodes fit, two do not.
    let limit = m * m * m * 3 / 2;
    let l = limits(|l| {
        l.max_yaml_nodes = limit;
        l.max_template_iterations = 100_000_000;
    });
    let (err, work) = counted(|| refused(t.path(), l));
    let want = format!("more than the limit of {limit} YAML nodes in all input files (t1.yaml.hbs");
    assert!(err.starts_with(&want), "{err}");
    // Every template renders (all of their output is held to
    // --max-output-size); what is parsed is held to the node limit.
    let iterations = 8 * (m + m * m + m * m * m);
    assert_within("eight rendered templates", work.total(), (iterations + limit + 1_000) as u64);
}

/// Files that replay many nodes through aliases are parsed one at a time:
/// the first to pass the limit stops the render, however many follow.
#[test]
fn aliased_files_are_parsed_one_at_a_time() {
    let _alone = alone();
    let aliased = |files: usize| {
        let mut t = Tree::new();
        let zeros = vec!["0"; 50].join(",");
        let tens = ["*a"; 10].join(",");
        let many = vec!["*b"; 89].join(",");
        for i in 0..files {
            t = t.file(
                &format!("a{i:02}.yaml"),
                format!("apiVersion: x.io/v1\nkind: Z\nmetadata: {{name: a{i}}}\nx: &a [{zeros}]\ny: &b [{tens}]\nspec: [{many}]\n"),
            );
        }
        t
    };
    // Each file replays about 46,000 nodes: the sixth passes 250,000.
    let limit = 250_000;
    for files in [10, 40] {
        let (err, work) = counted(|| refused(aliased(files).path(), limits(|l| l.max_yaml_nodes = limit)));
        let want = format!("more than the limit of {limit} YAML nodes in all input files (a05.yaml");
        assert!(err.starts_with(&want), "{err}");
        assert_within(&format!("{files} aliased files"), work.at(Site::YamlNodes), limit as u64);
    }
}

/// A backend that records how many bytes of each file were read.
struct Watched {
    dir: DirSource,
    read: std::sync::Arc<Mutex<Vec<(String, usize)>>>,
}

impl Backend for Watched {
    fn entry(&self, path: &str) -> imprint::error::Result<Option<Entry>> {
        self.dir.entry(path)
    }
    fn read(&self, path: &str) -> imprint::error::Result<Vec<u8>> {
        let bytes = self.dir.read(path)?;
        self.read.lock().unwrap().push((path.to_string(), bytes.len()));
        Ok(bytes)
    }
    fn list(&self, path: &str) -> imprint::error::Result<Vec<(String, Entry)>> {
        self.dir.list(path)
    }
    fn size(&self, path: &str) -> imprint::error::Result<Option<u64>> {
        self.dir.size(path)
    }
}

/// A 1 GB (sparse) file is refused by its size before a byte of it is read.
#[test]
fn a_file_over_the_size_limit_is_never_read() {
    let _alone = alone(); // it counts nothing, but must not add to another test's count
    let t = Tree::new().file("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {k: v}\n");
    std::fs::File::create(t.path().join("huge.yaml")).unwrap().set_len(1 << 30).unwrap();
    let read = std::sync::Arc::new(Mutex::new(Vec::new()));
    let src = Confined::new(Watched { dir: DirSource::open(t.path()).unwrap(), read: read.clone() });
    let err = imprint::load::load_dir(&src).expect_err("refused").to_string();
    assert!(err.starts_with("the file is larger than the limit of"), "{err}");
    assert!(err.contains("huge.yaml") && err.contains("--max-file-size"), "{err}");
    let read = read.lock().unwrap().clone();
    assert!(read.iter().any(|(path, _)| path == "a.yaml"), "the backend saw the reads: {read:?}");
    assert!(read.iter().all(|(path, _)| path != "huge.yaml"), "huge.yaml was read: {read:?}");
}
