//! `imprint check`: policy findings before sync, in compiler style. Runs the
//! pipeline in lenient mode (what would stop a render becomes an error
//! finding) and then looks at the result the way a reviewer would.

use crate::error::{Diagnostic, Severity};
use crate::graph;
use crate::kinds::valid_name;
use crate::model::BundleKind;
use crate::model::Code;
use crate::model::Object;
use crate::model::annotations;
use crate::refs::{Role, Seg, Via};
use crate::render::Rendered;
pub use crate::report::{CHECK_SCHEMA_VERSION, CheckReport, Summary};
use base64::Engine as _;
use serde_json::Value;
use std::fmt::Write as _;

/// What `check` was asked to do beyond the render itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// Flux post-build substitution will run: `${VAR}` in a versioned bundle
    /// is an error, not a warning.
    pub flux: bool,
}

/// Render diagnostics that are findings as they are.
const FROM_RENDER: &[Code] = &[
    Code::DanglingReference,
    Code::MissingKey,
    Code::StaleReference,
    Code::UnversionedProvided,
    Code::UnversionedPinned,
    Code::UnversionedPlaceholder,
    Code::UnusedReferenceRule,
    Code::SecretMissingKeys,
    Code::InvalidName,
    Code::InvalidData,
    Code::UnversionedNameUsed,
    Code::UnversionedRbac,
    Code::UnversionedFixedName,
    Code::UnversionedPv,
    Code::SubfolderSkipped,
    Code::AlreadyVersioned,
    Code::ContentChanged,
];

fn is_versioned(o: &Object) -> bool {
    o.annotation(annotations::BUNDLE).is_some()
}

/// Every finding for a lenient render and the manifest texts it came from.
#[must_use]
pub fn check(r: &Rendered, texts: &[(String, String)], settings: Settings) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = r.diagnostics.iter().filter(|d| FROM_RENDER.contains(&d.code)).cloned().collect();
    for d in &mut out {
        if d.code == Code::DanglingReference || d.code == Code::SecretMissingKeys {
            d.severity = Severity::Error;
        }
    }
    unused_bundles(r, &mut out);
    mutable_env(r, &mut out);
    let texts: std::collections::HashMap<&str, &str> = texts.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    // The items of a List share their document's start line: scan it once.
    let mut documents = Documents::new();
    for o in &r.objects {
        substitution(o, settings, &mut out);
        sealed_secret(o, &mut out);
        unkeyed(o, &mut out);
        plaintext(o, &mut out);
        names(o, &mut out);
        ambiguous(o, &texts, &mut documents, &mut out);
    }
    external_secrets(r, &mut out);
    pv_versioned(r, &mut out);
    immutable_template(r, &mut out);
    out.sort_by(|a, b| {
        (std::cmp::Reverse(a.severity), &a.file, a.line, a.code, &a.object, &a.field).cmp(&(
            std::cmp::Reverse(b.severity),
            &b.file,
            b.line,
            b.code,
            &b.object,
            &b.field,
        ))
    });
    out.dedup();
    out
}

fn unused_bundles(r: &Rendered, out: &mut Vec<Diagnostic>) {
    let g = graph::build(r);
    // The first object of each bundle, once: a lookup per unused bundle
    // over all objects was quadratic (30,000 versioned ConfigMaps: 9 min).
    let mut first: std::collections::HashMap<(&str, &str, &str), &Object> = std::collections::HashMap::new();
    for o in r.objects.iter().filter(|o| o.bundle_kind().is_some()) {
        first.entry((o.kind(), o.namespace(), o.bundle_name())).or_insert(o);
    }
    for b in g.unused() {
        crate::work::add(crate::work::Site::CheckUnused, 1);
        let Some(&o) = first.get(&(b.kind.as_str(), b.namespace.as_str(), b.name.as_str())) else {
            continue;
        };
        // A plain ConfigMap nothing mounts is normal (controllers read them
        // by name); a generated or versioned one nobody uses is dead weight.
        if o.origin.generated_from.is_none() && !is_versioned(o) {
            continue;
        }
        out.push(
            Diagnostic::about(
                Severity::Warning,
                Code::UnusedBundle,
                o,
                format!("{} {} is used by no reference imprint knows", b.kind, b.name),
            )
            .with_help("remove it, or reference it from the workload that needs it (a field imprint does not know is a stale-reference error, with the rule to add)"),
        );
    }
}

fn mutable_env(r: &Rendered, out: &mut Vec<Diagnostic>) {
    for l in &r.links {
        if !matches!(l.reference.via, Via::Env | Via::EnvFrom) {
            continue;
        }
        // The first object it names (several only without a namespace).
        let Some(&target) = l.to.first() else { continue };
        if is_versioned(&r.objects[target]) {
            continue;
        }
        let from = &r.objects[l.from];
        out.push(
            Diagnostic::about(
                Severity::Warning,
                Code::MutableEnvConfig,
                from,
                format!(
                    "{} reads {} {} through {} but it stays mutable: running pods never see a new value",
                    from.id(),
                    l.reference.target.kind(),
                    l.reference.name,
                    l.reference.via.as_str()
                ),
            )
            .with_field(l.reference.path.to_string())
            .with_help(format!(
                "let imprint version it (annotate it imprint.dev/version: \"true\", or generate it with a {}Generator); see the notes for why it was left alone",
                if l.reference.target == BundleKind::ConfigMap { "configMap" } else { "secret" }
            )),
        );
    }
}

/// Values of a bundle as text (Secret values decoded; never printed).
fn values(o: &Object) -> Vec<(String, String)> {
    let secret = o.bundle_kind() == Some(BundleKind::Secret);
    let mut out = Vec::new();
    for section in ["data", "stringData", "binaryData"] {
        let Some(Value::Object(m)) = o.value.get(section) else { continue };
        for (k, v) in m {
            let Some(s) = v.as_str() else { continue };
            let text = if (secret && section == "data") || section == "binaryData" {
                let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_default()
            } else {
                s.to_string()
            };
            out.push((format!("{section}.{k}"), text));
        }
    }
    out
}

/// Whether `text` holds a Flux post-build variable (`${VAR}`,
/// `${VAR:=default}`); `$${VAR}` is Flux's escape and does not count.
#[must_use]
pub fn has_substitution(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'$' && b[i + 1] == b'$' {
            i += 2;
            continue;
        }
        if b[i] == b'$' && b[i + 1] == b'{' {
            let rest = &b[i + 2..];
            let name_len = rest.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
            if name_len > 0
                && !rest[0].is_ascii_digit()
                && rest.get(name_len).is_some_and(|c| matches!(c, b'}' | b':' | b'=' | b'-'))
            {
                return true;
            }
        }
        i += 1;
    }
    false
}

fn substitution(o: &Object, s: Settings, out: &mut Vec<Diagnostic>) {
    if !is_versioned(o) {
        return;
    }
    for (field, text) in values(o) {
        if has_substitution(&text) {
            let severity = if s.flux { Severity::Error } else { Severity::Warning };
            out.push(
                Diagnostic::about(severity, Code::FluxSubstitution, o, format!(
                    "{} holds a ${{VAR}} that Flux post-build substitution would replace after hashing, changing an immutable object under the same name",
                    o.id()
                ))
                .with_field(field)
                .with_help("render the value with an imprint template instead, or escape it as $${VAR}"),
            );
        }
    }
}

fn sealed_secret(o: &Object, out: &mut Vec<Diagnostic>) {
    if o.group() != "bitnami.com" || o.kind() != "SealedSecret" {
        return;
    }
    let scoped = |key: &str| {
        o.annotation(key) == Some("true")
            || crate::model::object::str_at(&o.value, &["spec", "template", "metadata", "annotations", key])
                == Some("true")
    };
    if annotations::SEALED_SCOPES.iter().any(|a| scoped(a)) {
        return;
    }
    out.push(
        Diagnostic::about(Severity::Warning, Code::SealedSecretStrict, o, format!(
            "{} is strict-scope: its name is sealed into the ciphertext, so imprint never renames it and its consumers do not roll when it changes",
            o.id()
        ))
        .with_help("re-seal with `kubeseal --scope namespace-wide` (or cluster-wide) so the name is not bound to the ciphertext"),
    );
}

fn external_secrets(r: &Rendered, out: &mut Vec<Diagnostic>) {
    // Users of what each ExternalSecret writes, in link order.
    let mut users: std::collections::BTreeMap<usize, Vec<String>> = std::collections::BTreeMap::new();
    for l in &r.links {
        let Some(p) = l.provided_by else { continue };
        let o = &r.objects[p];
        if o.group() == "external-secrets.io"
            && o.kind() == "ExternalSecret"
            && matches!(l.reference.role, Role::Use | Role::ByName | Role::Immutable | Role::Pinned)
        {
            users.entry(p).or_default().push(r.objects[l.from].id().to_string());
        }
    }
    for (p, users) in users {
        let o = &r.objects[p];
        let target = crate::model::object::str_at(&o.value, &["spec", "target", "name"]).unwrap_or(o.name());
        if users.is_empty() {
            continue;
        }
        out.push(
            Diagnostic::about(Severity::Note, Code::ExternalSecretConsumed, o, format!(
                "{} creates Secret {target}, used by {}; imprint cannot see its content, so they will not roll when it changes",
                o.id(),
                users.join(", ")
            ))
            .with_help("version the ExternalSecret: put a version in its name and spec.target.name, and bump it with the remote value"),
        );
    }
}

/// Decided by the hash the object carries, not by the flag: a rendered
/// stream read again keeps the hashes of the first render (SPEC §7).
fn unkeyed(o: &Object, out: &mut Vec<Diagnostic>) {
    let unkeyed = o.annotation(annotations::CONTENT_HASH).is_some_and(|h| h.starts_with("blake3:"));
    if o.bundle_kind() != Some(BundleKind::Secret) || !is_versioned(o) || !unkeyed {
        return;
    }
    out.push(
        Diagnostic::about(Severity::Warning, Code::UnkeyedSecretHash, o, format!(
            "{} is versioned with an unkeyed hash: anyone who can read a pod spec can confirm a guessed value offline",
            o.id()
        ))
        .with_help("give the operator's key with --hash-key-file or IMPRINT_HASH_KEY_FILE"),
    );
}

fn plaintext(o: &Object, out: &mut Vec<Diagnostic>) {
    if o.bundle_kind() != Some(BundleKind::Secret) || o.value.get("sops").is_some() {
        return;
    }
    let keys: Vec<String> = values(o).into_iter().map(|(k, _)| k).collect();
    if keys.is_empty() {
        return;
    }
    let from = match &o.origin.generated_from {
        Some(files) if !files.is_empty() => format!(" (from {})", files.join(", ")),
        Some(_) => " (from literals in imprint.yaml)".to_string(),
        None => String::new(),
    };
    out.push(
        Diagnostic::about(
            Severity::Warning,
            Code::PlaintextSecret,
            o,
            format!("{} has plaintext values committed to the repository{from}: {}", o.id(), keys.join(", ")),
        )
        .with_help("encrypt it with SOPS, or commit a SealedSecret or ExternalSecret instead"),
    );
}

/// Names the API server would refuse.
fn names(o: &Object, out: &mut Vec<Diagnostic>) {
    let name = o.name();
    if name.is_empty() {
        return;
    }
    let label = |n: &str, first_letter: bool| {
        n.len() <= 63
            && valid_name(n)
            && !n.contains('.')
            && (!first_letter || n.starts_with(|c: char| c.is_ascii_lowercase()))
    };
    let ok = match (o.group(), o.kind()) {
        ("", "Service") => label(name, true),
        ("", "Namespace") => label(name, false),
        ("batch", "CronJob") => valid_name(name) && name.len() <= 52,
        ("", "ConfigMap" | "Secret" | "ServiceAccount" | "PersistentVolumeClaim" | "Pod")
        | ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job") => valid_name(name),
        _ => return,
    };
    if !ok {
        out.push(
            Diagnostic::about(Severity::Error, Code::InvalidName, o, format!("{} has a name the API server refuses: {name:?}", o.id()))
                .with_field("metadata.name")
                .with_help("names are lowercase letters, digits, '-' (and '.' where allowed); Services and Namespaces at most 63, CronJobs 52, others 253"),
        );
    }
}

/// Key spellings by the file and start line of their document.
type Documents<'a> = std::collections::HashMap<(String, u64), std::collections::HashMap<&'a str, (u64, String)>>;

/// Where a string is required, a YAML 1.1 boolean or a leading-zero number
/// is almost always a forgotten quote (`value: yes`, `version: 0644`).
fn ambiguous<'a>(
    o: &Object,
    texts: &std::collections::HashMap<&str, &'a str>,
    documents: &mut Documents<'a>,
    out: &mut Vec<Diagnostic>,
) {
    let is_cm = o.bundle_kind() == Some(BundleKind::ConfigMap);
    let mut hits: Vec<(String, String)> = Vec::new();
    crate::refs::walk(&o.value, &mut Vec::new(), &mut |path, v| {
        if v.is_string() || v.is_null() || v.is_object() || v.is_array() {
            return;
        }
        let string_field = match path {
            [.., Seg::Key(m), Seg::Key(k), Seg::Key(_)] if m == "metadata" && (k == "labels" || k == "annotations") => {
                true
            }
            [.., Seg::Key(e), Seg::Index(_), Seg::Key(val)] if e == "env" && val == "value" => true,
            [.., Seg::Key(a), Seg::Index(_)] if a == "args" || a == "command" => true,
            [Seg::Key(d), Seg::Key(_)] if is_cm && d == "data" => true,
            _ => false,
        };
        if string_field {
            let key = match path.last() {
                Some(Seg::Key(k)) => k.clone(),
                _ => String::new(),
            };
            hits.push((crate::refs::FieldPath(path.to_vec()).to_string(), key));
        }
    });
    if hits.is_empty() {
        return;
    }
    let spellings = documents.entry((o.origin.file.clone(), o.origin.line)).or_insert_with(|| spellings(o, texts));
    for (field, key) in hits {
        let (line, spelled) = spellings.get(key.as_str()).map_or((None, None), |(l, s)| (Some(*l), Some(s.clone())));
        let mut d = Diagnostic::about(
            Severity::Warning,
            Code::Yaml11Ambiguous,
            o,
            match &spelled {
                Some(s) => {
                    format!("{s:?} is not a string here: YAML 1.1 (kubectl) reads it as a boolean or number; quote it")
                }
                None => "a boolean or number where a string is required; quote it".to_string(),
            },
        )
        .with_field(field)
        .with_help("write it in quotes, e.g. \"yes\" or \"0644\"");
        if let Some(l) = line {
            d.line = Some(l);
        }
        out.push(d);
    }
}

/// The line and plain spelling of the first `key: value` of each key in
/// the object's own document (from its start line to the next `---` or
/// `...`), in one pass: looking each hit up from the start again was
/// quadratic. Cached per document by the caller (List items share one).
fn spellings<'a>(
    o: &Object,
    texts: &std::collections::HashMap<&str, &'a str>,
) -> std::collections::HashMap<&'a str, (u64, String)> {
    let mut found = std::collections::HashMap::new();
    let Some(text) = texts.get(o.origin.file.as_str()) else { return found };
    let start = usize::try_from(o.origin.line.saturating_sub(1)).unwrap_or(0);
    let mut scanned = 0;
    for (n, line) in text.lines().enumerate().skip(start) {
        if n > start && (line.starts_with("---") || line.starts_with("...")) {
            break;
        }
        scanned += 1;
        let t = line.trim_start().trim_start_matches("- ");
        let (key, rest) = match t.split_once(':') {
            Some((k, r)) if !k.contains(' ') || k.is_empty() => (k, r),
            _ => ("", t),
        };
        for (key, rest) in [(key, rest), ("", t)] {
            let value = rest.split(" #").next().unwrap_or_default().trim();
            if !value.is_empty() && !value.starts_with(['"', '\'', '{', '[', '|', '>']) {
                found.entry(key).or_insert_with(|| (n as u64 + 1, value.to_string()));
            }
        }
    }
    crate::work::add(crate::work::Site::CheckScan, scanned);
    found
}

fn pv_versioned(r: &Rendered, out: &mut Vec<Diagnostic>) {
    let versioned: std::collections::HashSet<&str> = r
        .objects
        .iter()
        .filter(|o| o.bundle_kind() == Some(BundleKind::Secret) && is_versioned(o))
        .map(Object::name)
        .collect();
    for l in r.links.iter().filter(|l| l.reference.role == Role::Immutable) {
        let pv = &r.objects[l.from];
        // After the rewrite the PV names the versioned object itself.
        let current = l.reference.path.get(&pv.value).and_then(Value::as_str).unwrap_or_default();
        if versioned.contains(current) {
            out.push(
                Diagnostic::about(Severity::Warning, Code::PvVersioned, pv, format!(
                    "{} uses a versioned Secret; a PersistentVolume's source cannot change after creation, so a new version fails the sync",
                    pv.id()
                ))
                .with_field(l.reference.path.to_string())
                .with_help("leave this Secret unversioned (imprint.dev/version: \"false\") or recreate the volume on change"),
            );
        }
    }
}

/// A Job's pod template and a bare Pod's spec cannot change after creation:
/// a new bundle name there makes the next sync fail with "field is
/// immutable", where an edit in place used to sync. Objects that the GitOps
/// engine recreates instead of patching are fine: hooks, `generateName`,
/// Argo CD `Replace=true`, Flux `force: enabled`.
fn immutable_template(r: &Rendered, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for l in r.links.iter().filter(|l| l.reference.role == Role::Use) {
        let from = &r.objects[l.from];
        let fixed = match (from.group(), from.kind()) {
            ("batch", "Job") => "a Job's pod template",
            ("", "Pod") => "a Pod's spec",
            _ => continue,
        };
        if recreated(from) {
            continue;
        }
        let Some(&t) = l.to.iter().find(|&&t| is_versioned(&r.objects[t])) else { continue };
        if !seen.insert((l.from, t)) {
            continue;
        }
        let bundle = &r.objects[t];
        out.push(
            Diagnostic::about(
                Severity::Warning,
                Code::ImmutableTemplate,
                from,
                format!(
                    "{} uses the versioned {} {}, but {fixed} cannot change after creation: the next change to {} fails the sync (\"field is immutable\")",
                    from.id(),
                    bundle.kind(),
                    bundle.name(),
                    bundle.bundle_name(),
                ),
            )
            .with_field(l.reference.path.to_string())
            .with_help(format!(
                "have it recreated on change: annotate it {}: Replace=true (Argo CD) or {}: enabled (Flux), or make it a sync hook; or keep the {} unversioned ({}: \"false\")",
                annotations::ARGO_SYNC_OPTIONS,
                annotations::FLUX_FORCE,
                bundle.kind(),
                annotations::VERSION
            )),
        );
    }
}

/// Whether the GitOps engine deletes and recreates `o` rather than patching it.
/// A Helm hook counts as Argo CD treats it (a hook); Flux's
/// kustomize-controller ignores Helm annotations, but Helm charts reach
/// Flux through helm-controller, which runs hooks itself.
fn recreated(o: &Object) -> bool {
    let replace = o
        .annotation(annotations::ARGO_SYNC_OPTIONS)
        .is_some_and(|v| v.split(',').any(|opt| opt.trim() == "Replace=true"));
    let hook = [annotations::ARGO_HOOK, annotations::HELM_HOOK].iter().any(|a| o.annotation(a).is_some());
    // Flux reads the marker case-insensitively, as an annotation or a label.
    let force = [o.annotation(annotations::FLUX_FORCE), o.label(annotations::FLUX_FORCE)]
        .iter()
        .flatten()
        .any(|v| v.eq_ignore_ascii_case("enabled"));
    replace || hook || force || o.has_generated_name()
}

#[must_use]
pub fn summary(findings: &[Diagnostic]) -> Summary {
    let count = |s| findings.iter().filter(|d| d.severity == s).count();
    Summary { errors: count(Severity::Error), warnings: count(Severity::Warning), notes: count(Severity::Note) }
}

/// Compiler style: `error[code]: message`, `--> file:line`, then object,
/// field and help.
#[must_use]
pub fn to_text(findings: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in findings {
        let _ = writeln!(out, "{}[{}]: {}", d.severity.as_str(), d.code, d.message);
        match (&d.file, d.line) {
            (Some(f), Some(l)) => {
                let _ = writeln!(out, "  --> {f}:{l}");
            }
            (Some(f), None) => {
                let _ = writeln!(out, "  --> {f}");
            }
            _ => {}
        }
        for (what, v) in [("object", &d.object), ("field", &d.field), ("help", &d.help)] {
            if let Some(v) = v {
                let _ = writeln!(out, "  = {what}: {v}");
            }
        }
        out.push('\n');
    }
    let s = summary(findings);
    let _ = writeln!(out, "check: {} error(s), {} warning(s), {} note(s)", s.errors, s.warnings, s.notes);
    out
}

/// The JSON report (schema in docs/commands.md).
#[must_use]
pub fn to_json(findings: &[Diagnostic]) -> String {
    let r = CheckReport { schema_version: CHECK_SCHEMA_VERSION, summary: summary(findings), findings };
    let mut s = serde_json::to_string_pretty(&r).expect("findings always serialize");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flux_variables_and_their_escape() {
        assert!(has_substitution("url: ${BASE_URL}/x"));
        assert!(has_substitution("${A:=default}"));
        assert!(has_substitution("${A:-default}"));
        assert!(!has_substitution("$${ESCAPED}"));
        assert!(!has_substitution("$HOME ${} ${1X} {A}"));
        assert!(!has_substitution("price: $5"));
    }
}
