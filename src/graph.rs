//! `imprint graph`: who uses which config. Built from a render's resolved
//! references, so it sees exactly what `render` rewrites.

use crate::diff::ObjectRef;
use crate::object::Object;
use crate::refs::Role;
use crate::render::Rendered;
use crate::version::ANN_BUNDLE;
use serde::Serialize;
use std::fmt::Write as _;

/// Version of the JSON schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// One use of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub referrer: ObjectRef,
    /// env, envFrom, volume, projected, imagePullSecret, serviceAccount,
    /// ingressTLS, ingressAnnotation, gateway, helmRelease, rbac,
    /// persistentVolume, custom.
    pub via: &'static str,
    /// Path of the field in the referrer.
    pub field: String,
    pub optional: bool,
}

/// A ConfigMap or Secret of the output and everything that uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub kind: String,
    pub namespace: String,
    /// The name before versioning.
    pub name: String,
    /// The name in the output, when versioned.
    pub versioned_name: Option<String>,
    /// A previous version kept by `keepVersions` (nothing refers to it).
    pub superseded: bool,
    pub used_by: Vec<Edge>,
}

/// A reference to something that is not in the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dangling {
    pub referrer: ObjectRef,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub field: String,
}

/// The whole graph; its JSON form is `graph --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Graph {
    pub schema_version: u32,
    pub bundles: Vec<Bundle>,
    pub dangling: Vec<Dangling>,
}

fn object_ref(o: &Object) -> ObjectRef {
    ObjectRef::from(o)
}

/// The original name of a bundle (before versioning).
fn original(o: &Object) -> &str {
    o.annotation(ANN_BUNDLE).unwrap_or_else(|| o.name())
}

/// Builds the graph of a render.
#[must_use]
pub fn build(r: &Rendered) -> Graph {
    let mut bundles: Vec<(usize, Bundle)> = r
        .objects
        .iter()
        .enumerate()
        .filter(|(_, o)| o.bundle_kind().is_some())
        .map(|(i, o)| {
            let name = original(o).to_string();
            let versioned_name = (o.name() != name).then(|| o.name().to_string());
            (
                i,
                Bundle {
                    kind: o.kind().into(),
                    namespace: o.namespace().into(),
                    name,
                    versioned_name,
                    superseded: o.annotation(crate::history::ANN_SUPERSEDED) == Some("true"),
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
        for t in l.to.iter() {
            let Some(&pos) = pos_of.get(t) else { continue };
            bundles[pos].1.used_by.push(Edge {
                referrer: object_ref(&r.objects[l.from]),
                via: l.reference.via.as_str(),
                field: l.reference.path.to_string(),
                optional: l.reference.optional,
            });
        }
    }
    for (_, b) in &mut bundles {
        b.used_by.sort_by(|x, y| (&x.referrer, &x.field).cmp(&(&y.referrer, &y.field)));
    }
    let dangling = r
        .dangling
        .iter()
        .map(|&i| {
            let l = &r.links[i];
            Dangling {
                referrer: object_ref(&r.objects[l.from]),
                kind: l.reference.target.kind().into(),
                namespace: l.namespace.clone().unwrap_or_default(),
                name: l.reference.name.clone(),
                field: l.reference.path.to_string(),
            }
        })
        .collect();
    Graph { schema_version: SCHEMA_VERSION, bundles: bundles.into_iter().map(|(_, b)| b).collect(), dangling }
}

impl Graph {
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

    /// Bundles nothing refers to.
    pub fn unused(&self) -> impl Iterator<Item = &Bundle> {
        self.bundles.iter().filter(|b| b.used_by.is_empty() && !b.superseded)
    }
}

fn bundle_label(b: &Bundle) -> String {
    let ns = if b.namespace.is_empty() { String::new() } else { format!("{}/", b.namespace) };
    format!("{ns}{} {}", b.kind, b.name)
}

/// Aligned columns, grouped by bundle; then unused bundles and dangling
/// references.
#[must_use]
pub fn to_table(g: &Graph) -> String {
    let mut rows: Vec<[String; 5]> = vec![["BUNDLE", "VERSIONED AS", "USED BY", "VIA", "FIELD"].map(String::from)];
    for b in g.bundles.iter().filter(|b| !b.used_by.is_empty()) {
        for (i, e) in b.used_by.iter().enumerate() {
            let (name, ver) = if i == 0 {
                (bundle_label(b), b.versioned_name.clone().unwrap_or_else(|| "(not versioned)".into()))
            } else {
                (String::new(), String::new())
            };
            let via = if e.optional { format!("{} (optional)", e.via) } else { e.via.to_string() };
            rows.push([name, ver, e.referrer.to_string(), via, e.field.clone()]);
        }
    }
    let widths: Vec<usize> = (0..5).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    let kept: Vec<&Bundle> = g.bundles.iter().filter(|b| b.superseded).collect();
    if !kept.is_empty() {
        let _ = writeln!(out, "\nRetained previous versions ({}):", kept.len());
        for b in kept {
            let _ = writeln!(
                out,
                "  {}  {} (superseded)",
                bundle_label(b),
                b.versioned_name.as_deref().unwrap_or_default()
            );
        }
    }
    let unused: Vec<&Bundle> = g.unused().collect();
    if !unused.is_empty() {
        let _ = writeln!(out, "\nUnused ({}):", unused.len());
        for b in unused {
            let _ = writeln!(out, "  {}", bundle_label(b));
        }
    }
    if !g.dangling.is_empty() {
        let _ = writeln!(out, "\nDangling ({}):", g.dangling.len());
        for d in &g.dangling {
            let _ = writeln!(out, "  {} -> {} {:?} at {}", d.referrer, d.kind, d.name, d.field);
        }
    }
    out
}

fn ref_id(r: &ObjectRef) -> String {
    format!("{}.{}/{}/{}", r.kind, r.group, r.namespace, r.name)
}

/// Graphviz: bundles as notes, referrers as boxes, dangling names dashed
/// red, one cluster per namespace.
#[must_use]
pub fn to_dot(g: &Graph) -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut by_ns: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    let mut edges = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for b in &g.bundles {
        let id = format!("bundle:{}/{}/{}", b.kind, b.namespace, b.name);
        let id = if b.superseded { format!("{id}/{}", b.versioned_name.as_deref().unwrap_or_default()) } else { id };
        let label = format!("{} {}\\n{}", b.kind, b.name, b.versioned_name.as_deref().unwrap_or("(not versioned)"));
        let style = if b.superseded { ", style=dashed, color=gray" } else { "" };
        by_ns.entry(&b.namespace).or_default().push(format!("{} [shape=note{style}, label={}];", q(&id), q(&label)));
        for e in &b.used_by {
            let rid = ref_id(&e.referrer);
            if seen.insert(rid.clone()) {
                let label = format!("{} {}", e.referrer.kind, e.referrer.name);
                by_ns.entry(&e.referrer.namespace).or_default().push(format!(
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
        let id = format!("missing:{}/{}/{}", d.kind, d.namespace, d.name);
        let label = format!("{} {}\\n(missing)", d.kind, d.name);
        by_ns.entry(&d.namespace).or_default().push(format!(
            "{} [shape=note, style=dashed, color=red, label={}];",
            q(&id),
            q(&label)
        ));
        let rid = ref_id(&d.referrer);
        if seen.insert(rid.clone()) {
            let label = format!("{} {}", d.referrer.kind, d.referrer.name);
            by_ns.entry(&d.referrer.namespace).or_default().push(format!(
                "{} [shape=box, label={}];",
                q(&rid),
                q(&label)
            ));
        }
        edges.push(format!("{} -> {} [color=red];", q(&id), q(&rid)));
    }
    let mut out = String::from("digraph imprint {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for (i, (ns, nodes)) in by_ns.iter().enumerate() {
        let indent = if ns.is_empty() { "  " } else { "    " };
        if !ns.is_empty() {
            let _ = writeln!(out, "  subgraph cluster_{i} {{\n    label={};", q(ns));
        }
        for n in nodes {
            let _ = writeln!(out, "{indent}{n}");
        }
        if !ns.is_empty() {
            out.push_str("  }\n");
        }
    }
    for e in edges {
        let _ = writeln!(out, "  {e}");
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart, for a GitHub markdown comment.
#[must_use]
pub fn to_mermaid(g: &Graph) -> String {
    let esc = |s: &str| s.replace('"', "#quot;");
    let mut ids: std::collections::BTreeMap<String, String> = Default::default();
    let mut by_ns: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut edges = Vec::new();
    let mut node = |key: String,
                    ns: &str,
                    shape: (&str, &str),
                    label: String,
                    ids: &mut std::collections::BTreeMap<String, String>| {
        if let Some(id) = ids.get(&key) {
            return id.clone();
        }
        let id = format!("n{}", ids.len());
        ids.insert(key, id.clone());
        by_ns.entry(ns.to_string()).or_default().push(format!("{id}{}\"{}\"{}", shape.0, esc(&label), shape.1));
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
        let bid = node(key, &b.namespace, ("[", "]"), label, &mut ids);
        for e in &b.used_by {
            let label = format!("{} {}", e.referrer.kind, e.referrer.name);
            let rid = node(ref_id(&e.referrer), &e.referrer.namespace, ("(", ")"), label, &mut ids);
            let arrow = if e.optional { "-. " } else { "-- " };
            let tail = if e.optional { " .->" } else { " -->" };
            edges.push(format!("{bid} {arrow}{}{tail} {rid}", e.via));
        }
    }
    for d in &g.dangling {
        let mid = node(
            format!("m:{}/{}/{}", d.kind, d.namespace, d.name),
            &d.namespace,
            ("[/", "/]"),
            format!("{} {} (missing)", d.kind, d.name),
            &mut ids,
        );
        let rid = node(
            ref_id(&d.referrer),
            &d.referrer.namespace,
            ("(", ")"),
            format!("{} {}", d.referrer.kind, d.referrer.name),
            &mut ids,
        );
        edges.push(format!("{mid} -- missing --> {rid}"));
    }
    let mut out = String::from("flowchart LR\n");
    for (ns, nodes) in &by_ns {
        if !ns.is_empty() {
            let id = ns.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
            let _ = writeln!(out, "  subgraph ns_{id}[\"{}\"]", esc(ns));
        }
        for n in nodes {
            let _ = writeln!(out, "    {n}");
        }
        if !ns.is_empty() {
            out.push_str("  end\n");
        }
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
