//! `imprint graph`: who uses which config. Built from a render's resolved
//! references, so it sees exactly what `render` rewrites.

use crate::model::annotations;
use crate::refs::Role;
use crate::render::Rendered;
pub use crate::report::{Bundle, Dangling, Edge, GRAPH_SCHEMA_VERSION, Graph, ObjectRef};
use std::fmt::Write as _;

/// Builds the graph of a render.
#[must_use]
pub fn build(r: &Rendered) -> Graph {
    let mut bundles: Vec<(usize, Bundle)> = r
        .objects
        .iter()
        .enumerate()
        .filter(|(_, o)| o.bundle_kind().is_some())
        .map(|(i, o)| {
            let name = o.bundle_name().to_string();
            let versioned_name = (o.name() != name).then(|| o.name().to_string());
            (
                i,
                Bundle {
                    app: None,
                    kind: o.kind().into(),
                    namespace: o.namespace().into(),
                    name,
                    versioned_name,
                    superseded: o.annotation(annotations::SUPERSEDED) == Some("true"),
                    used_by: Vec::new(),
                },
            )
        })
        .collect();
    // Each object's place in `bundles`; links say which objects they name.
    let mut pos_of: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (pos, (i, b)) in bundles.iter().enumerate() {
        if !b.superseded {
            pos_of.insert(*i, pos); // references name the current version
        }
    }
    for l in r.links.iter().filter(|l| l.reference.role != Role::Provides) {
        crate::work::add(crate::work::Site::Graph, l.to.len() as u64);
        for t in l.to.iter() {
            let Some(&pos) = pos_of.get(t) else { continue };
            bundles[pos].1.used_by.push(Edge {
                referrer: ObjectRef::from(&r.objects[l.from]),
                via: l.reference.via.as_str(),
                field: l.reference.path.to_string(),
                optional: l.reference.optional,
            });
        }
    }
    for (_, b) in &mut bundles {
        b.used_by.sort_by(|x, y| (&x.referrer, &x.field).cmp(&(&y.referrer, &y.field)));
    }
    // The current bundles in output order, then the previous versions kept.
    bundles.sort_by_key(|(_, b)| b.superseded);
    let dangling = r
        .dangling
        .iter()
        .map(|&i| {
            let l = &r.links[i];
            Dangling {
                app: None,
                referrer: ObjectRef::from(&r.objects[l.from]),
                kind: l.reference.target.kind().into(),
                namespace: l.namespace.clone().unwrap_or_default(),
                name: l.reference.name.clone(),
                field: l.reference.path.to_string(),
            }
        })
        .collect();
    Graph { schema_version: GRAPH_SCHEMA_VERSION, bundles: bundles.into_iter().map(|(_, b)| b).collect(), dangling }
}

impl Graph {
    /// One graph over several apps, in the order given: every bundle and
    /// dangling name says which app it belongs to.
    #[must_use]
    pub fn merge(parts: Vec<(String, Graph)>) -> Graph {
        let mut out = Graph { schema_version: GRAPH_SCHEMA_VERSION, bundles: Vec::new(), dangling: Vec::new() };
        for (app, g) in parts {
            out.bundles.extend(g.bundles.into_iter().map(|b| Bundle { app: Some(app.clone()), ..b }));
            out.dangling.extend(g.dangling.into_iter().map(|d| Dangling { app: Some(app.clone()), ..d }));
        }
        out
    }

    /// Keeps the neighbourhood of one bundle (by original or versioned name)
    /// and/or one referrer (by name).
    #[must_use]
    pub fn filter(mut self, bundle: Option<&str>, workload: Option<&str>) -> Graph {
        if let Some(b) = bundle {
            self.bundles.retain(|x| x.name == b || x.versioned_name.as_deref() == Some(b));
            self.dangling.retain(|d| d.name == b);
        }
        if let Some(w) = workload {
            for x in &mut self.bundles {
                x.used_by.retain(|e| e.referrer.name == w);
            }
            self.bundles.retain(|x| !x.used_by.is_empty());
            self.dangling.retain(|d| d.referrer.name == w);
        }
        self
    }

    /// Every name `--bundle` matches: original and versioned bundle names,
    /// and names referred to but missing.
    #[must_use]
    pub fn bundle_names(&self) -> std::collections::BTreeSet<&str> {
        let bundles =
            self.bundles.iter().flat_map(|b| std::iter::once(b.name.as_str()).chain(b.versioned_name.as_deref()));
        bundles.chain(self.dangling.iter().map(|d| d.name.as_str())).collect()
    }

    /// Every name `--workload` matches: the objects that use a bundle.
    #[must_use]
    pub fn referrer_names(&self) -> std::collections::BTreeSet<&str> {
        let users = self.bundles.iter().flat_map(|b| b.used_by.iter().map(|e| e.referrer.name.as_str()));
        users.chain(self.dangling.iter().map(|d| d.referrer.name.as_str())).collect()
    }

    /// Bundles nothing refers to.
    pub fn unused(&self) -> impl Iterator<Item = &Bundle> {
        self.bundles.iter().filter(|b| b.used_by.is_empty() && !b.superseded)
    }

    fn has_apps(&self) -> bool {
        self.bundles.iter().any(|b| b.app.is_some()) || self.dangling.iter().any(|d| d.app.is_some())
    }
}

/// What a misspelt name most likely meant: up to three names within an edit
/// distance of a third of its length (at least 2), or containing it, closest
/// first.
#[must_use]
pub fn nearest<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = (wanted.chars().count() / 3).max(2);
    let mut near: Vec<(usize, &str)> = names
        .into_iter()
        .filter_map(|n| {
            let d = strsim::levenshtein(wanted, n);
            (d <= limit || n.contains(wanted) || wanted.contains(n)).then_some((d, n))
        })
        .collect();
    near.sort_unstable();
    near.dedup();
    near.into_iter().take(3).map(|(_, n)| n).collect()
}

/// `app: ` before a line of the table's lists, when the graph spans apps.
fn app_prefix(app: Option<&String>) -> String {
    app.map(|a| format!("{a}: ")).unwrap_or_default()
}

fn bundle_label(b: &Bundle) -> String {
    let ns = if b.namespace.is_empty() { String::new() } else { format!("{}/", b.namespace) };
    format!("{ns}{} {}", b.kind, b.name)
}

/// Aligned columns, grouped by bundle; then unused bundles and dangling
/// references.
#[must_use]
pub fn to_table(g: &Graph) -> String {
    let apps = g.has_apps();
    let header = ["APP", "BUNDLE", "VERSIONED AS", "USED BY", "VIA", "FIELD"];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for b in g.bundles.iter().filter(|b| !b.used_by.is_empty()) {
        for (i, e) in b.used_by.iter().enumerate() {
            let (app, name, ver) = if i == 0 {
                (
                    b.app.clone().unwrap_or_default(),
                    bundle_label(b),
                    b.versioned_name.clone().unwrap_or_else(|| "(not versioned)".into()),
                )
            } else {
                (String::new(), String::new(), String::new())
            };
            let via = if e.optional { format!("{} (optional)", e.via) } else { e.via.to_string() };
            rows.push(vec![app, name, ver, e.referrer.to_string(), via, e.field.clone()]);
        }
    }
    // The APP column only when the graph spans several apps.
    let skip = usize::from(!apps);
    let widths: Vec<usize> =
        (0..header.len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r.iter().zip(&widths).skip(skip).map(|(cell, w)| format!("{cell:<w$}")).collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    let kept: Vec<&Bundle> = g.bundles.iter().filter(|b| b.superseded).collect();
    if !kept.is_empty() {
        let _ = writeln!(out, "\nRetained previous versions ({}):", kept.len());
        for b in kept {
            let _ = writeln!(
                out,
                "  {}{}  {} (superseded)",
                app_prefix(b.app.as_ref()),
                bundle_label(b),
                b.versioned_name.as_deref().unwrap_or_default()
            );
        }
    }
    let unused: Vec<&Bundle> = g.unused().collect();
    if !unused.is_empty() {
        let _ = writeln!(out, "\nUnused ({}):", unused.len());
        for b in unused {
            let _ = writeln!(out, "  {}{}", app_prefix(b.app.as_ref()), bundle_label(b));
        }
    }
    if !g.dangling.is_empty() {
        let _ = writeln!(out, "\nDangling ({}):", g.dangling.len());
        for d in &g.dangling {
            let _ = writeln!(
                out,
                "  {}{} -> {} {:?} at {}",
                app_prefix(d.app.as_ref()),
                d.referrer,
                d.kind,
                d.name,
                d.field
            );
        }
    }
    out
}

fn ref_id(r: &ObjectRef) -> String {
    format!("{}.{}/{}/{}", r.kind, r.group, r.namespace, r.name)
}

/// Nodes grouped for drawing: by app (when the graph spans several), then
/// by namespace. Keys sort, so the drawing is deterministic.
type Groups<'a> = std::collections::BTreeMap<(&'a str, &'a str), Vec<String>>;

fn app_of(app: &Option<String>) -> &str {
    app.as_deref().unwrap_or("")
}

/// The node of an object: the same object in two apps is two nodes.
fn node_key(app: Option<&String>, what: &str) -> String {
    match app {
        Some(app) => format!("{app}:{what}"),
        None => what.to_string(),
    }
}

/// Graphviz: bundles as notes, referrers as boxes, dangling names dashed
/// red, one cluster per app (when several) and per namespace.
#[must_use]
pub fn to_dot(g: &Graph) -> String {
    // A quoted ID: backslashes and quotes escaped, a line break as dot's `\n`.
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"));
    let mut groups: Groups = Default::default();
    let mut edges = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for b in &g.bundles {
        let id = format!("bundle:{}/{}/{}", b.kind, b.namespace, b.name);
        let id = if b.superseded { format!("{id}/{}", b.versioned_name.as_deref().unwrap_or_default()) } else { id };
        let id = node_key(b.app.as_ref(), &id);
        let label = format!("{} {}\n{}", b.kind, b.name, b.versioned_name.as_deref().unwrap_or("(not versioned)"));
        let style = if b.superseded { ", style=dashed, color=gray" } else { "" };
        groups.entry((app_of(&b.app), &b.namespace)).or_default().push(format!(
            "{} [shape=note{style}, label={}];",
            q(&id),
            q(&label)
        ));
        for e in &b.used_by {
            let rid = node_key(b.app.as_ref(), &ref_id(&e.referrer));
            if seen.insert(rid.clone()) {
                let label = format!("{} {}", e.referrer.kind, e.referrer.name);
                groups.entry((app_of(&b.app), &e.referrer.namespace)).or_default().push(format!(
                    "{} [shape=box, label={}];",
                    q(&rid),
                    q(&label)
                ));
            }
            let style = if e.optional { ", style=dashed" } else { "" };
            edges.push(format!("{} -> {} [label={}{style}];", q(&id), q(&rid), q(e.via)));
        }
    }
    for d in &g.dangling {
        let id = node_key(d.app.as_ref(), &format!("missing:{}/{}/{}", d.kind, d.namespace, d.name));
        let label = format!("{} {}\n(missing)", d.kind, d.name);
        groups.entry((app_of(&d.app), &d.namespace)).or_default().push(format!(
            "{} [shape=note, style=dashed, color=red, label={}];",
            q(&id),
            q(&label)
        ));
        let rid = node_key(d.app.as_ref(), &ref_id(&d.referrer));
        if seen.insert(rid.clone()) {
            let label = format!("{} {}", d.referrer.kind, d.referrer.name);
            groups.entry((app_of(&d.app), &d.referrer.namespace)).or_default().push(format!(
                "{} [shape=box, label={}];",
                q(&rid),
                q(&label)
            ));
        }
        edges.push(format!("{} -> {} [color=red];", q(&id), q(&rid)));
    }
    let mut out = String::from("digraph imprint {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    let mut open_app: Option<&str> = None;
    for (i, ((app, ns), nodes)) in groups.iter().enumerate() {
        if open_app != Some(app) {
            if open_app.is_some_and(|a| !a.is_empty()) {
                out.push_str("  }\n");
            }
            if !app.is_empty() {
                let _ = writeln!(out, "  subgraph cluster_app_{i} {{\n    label={};", q(app));
            }
            open_app = Some(app);
        }
        let indent = if app.is_empty() { "  " } else { "    " };
        if !ns.is_empty() {
            let _ = writeln!(out, "{indent}subgraph cluster_{i} {{\n{indent}  label={};", q(ns));
        }
        let inner = if ns.is_empty() { indent.to_string() } else { format!("{indent}  ") };
        for n in nodes {
            let _ = writeln!(out, "{inner}{n}");
        }
        if !ns.is_empty() {
            let _ = writeln!(out, "{indent}}}");
        }
    }
    if open_app.is_some_and(|a| !a.is_empty()) {
        out.push_str("  }\n");
    }
    for e in edges {
        let _ = writeln!(out, "  {e}");
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart: the same drawing as [`to_dot`], for markdown.
#[must_use]
pub fn to_mermaid(g: &Graph) -> String {
    let esc = |s: &str| s.replace('"', "#quot;");
    let mut ids: std::collections::BTreeMap<String, String> = Default::default();
    let mut groups: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    let mut edges = Vec::new();
    let mut node = |key: String,
                    group: (&Option<String>, &str),
                    shape: (&str, &str),
                    label: String,
                    ids: &mut std::collections::BTreeMap<String, String>| {
        let key = node_key(group.0.as_ref(), &key);
        if let Some(id) = ids.get(&key) {
            return id.clone();
        }
        let id = format!("n{}", ids.len());
        ids.insert(key, id.clone());
        groups.entry((group.0.clone().unwrap_or_default(), group.1.to_string())).or_default().push(format!(
            "{id}{}\"{}\"{}",
            shape.0,
            esc(&label),
            shape.1
        ));
        id
    };
    for b in &g.bundles {
        let label = format!("{} {}<br/>{}", b.kind, b.name, b.versioned_name.as_deref().unwrap_or("(not versioned)"));
        let key = format!(
            "b:{}/{}/{}/{}",
            b.kind,
            b.namespace,
            b.name,
            if b.superseded { b.versioned_name.as_deref().unwrap_or_default() } else { "" }
        );
        let label = if b.superseded { format!("{label}<br/>(superseded)") } else { label };
        let bid = node(key, (&b.app, &b.namespace), ("[", "]"), label, &mut ids);
        for e in &b.used_by {
            let label = format!("{} {}", e.referrer.kind, e.referrer.name);
            let rid = node(ref_id(&e.referrer), (&b.app, &e.referrer.namespace), ("(", ")"), label, &mut ids);
            let arrow = if e.optional { "-. " } else { "-- " };
            let tail = if e.optional { " .->" } else { " -->" };
            edges.push(format!("{bid} {arrow}{}{tail} {rid}", e.via));
        }
    }
    for d in &g.dangling {
        let mid = node(
            format!("m:{}/{}/{}", d.kind, d.namespace, d.name),
            (&d.app, &d.namespace),
            ("[/", "/]"),
            format!("{} {} (missing)", d.kind, d.name),
            &mut ids,
        );
        let rid = node(
            ref_id(&d.referrer),
            (&d.app, &d.referrer.namespace),
            ("(", ")"),
            format!("{} {}", d.referrer.kind, d.referrer.name),
            &mut ids,
        );
        edges.push(format!("{mid} -- missing --> {rid}"));
    }
    let mut out = String::from("flowchart LR\n");
    let mut open_app: Option<&str> = None;
    for (i, ((app, ns), nodes)) in groups.iter().enumerate() {
        if open_app != Some(app.as_str()) {
            if open_app.is_some_and(|a| !a.is_empty()) {
                out.push_str("  end\n");
            }
            if !app.is_empty() {
                let _ = writeln!(out, "  subgraph app_{i}[\"{}\"]", esc(app));
            }
            open_app = Some(app);
        }
        let indent = if app.is_empty() { "  " } else { "    " };
        if !ns.is_empty() {
            let _ = writeln!(out, "{indent}subgraph ns_{i}[\"{}\"]", esc(ns));
        }
        for n in nodes {
            let _ = writeln!(out, "{indent}  {n}");
        }
        if !ns.is_empty() {
            let _ = writeln!(out, "{indent}end");
        }
    }
    if open_app.is_some_and(|a| !a.is_empty()) {
        out.push_str("  end\n");
    }
    for e in edges {
        let _ = writeln!(out, "  {e}");
    }
    out
}

/// The JSON graph (schema in docs/commands.md).
#[must_use]
pub fn to_json(g: &Graph) -> String {
    let mut s = serde_json::to_string_pretty(g).expect("the graph always serializes");
    s.push('\n');
    s
}
