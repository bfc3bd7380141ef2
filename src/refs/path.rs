//! Paths into objects: concrete ones ([`FieldPath`], `spec.tls[0].secretName`)
//! and the patterns rules are written in ([`Pattern`], `spec.tls[].secretName`).
//!
//! Pattern syntax, shared by the built-in table and imprint.yaml's
//! `references:`: keys separated by `.`; `[]` after a key for "every element
//! of this list"; `["a.b/c"]` for a key that holds `.` or `/` (annotation
//! keys); `*` inside a key for "any run of characters" (`*SecretRef`);
//! `**` as a key for "at any depth" (`spec.**.accessKeySecret.name`).

use serde_json::Value;
use std::fmt;

/// One step of a path into an object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path into an object, shown as `spec.tls[0].secretName`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    #[must_use]
    pub fn child(&self, key: &str) -> FieldPath {
        let mut p = self.0.clone();
        p.push(Seg::Key(key.to_string()));
        FieldPath(p)
    }

    #[must_use]
    pub fn index(&self, i: usize) -> FieldPath {
        let mut p = self.0.clone();
        p.push(Seg::Index(i));
        FieldPath(p)
    }

    #[must_use]
    pub fn keys(&self, keys: &[&str]) -> FieldPath {
        let mut p = self.0.clone();
        p.extend(keys.iter().map(|k| Seg::Key((*k).to_string())));
        FieldPath(p)
    }

    /// The path without its last step (the root's parent is the root).
    #[must_use]
    pub fn parent(&self) -> FieldPath {
        let mut p = self.0.clone();
        p.pop();
        FieldPath(p)
    }

    /// The value at this path, if present.
    #[must_use]
    pub fn get<'a>(&self, root: &'a Value) -> Option<&'a Value> {
        let mut cur = root;
        for seg in &self.0 {
            cur = match seg {
                Seg::Key(k) => cur.get(k.as_str())?,
                Seg::Index(i) => cur.get(*i)?,
            };
        }
        Some(cur)
    }

    pub fn get_mut<'a>(&self, root: &'a mut Value) -> Option<&'a mut Value> {
        let mut cur = root;
        for seg in &self.0 {
            cur = match seg {
                Seg::Key(k) => cur.get_mut(k.as_str())?,
                Seg::Index(i) => cur.get_mut(*i)?,
            };
        }
        Some(cur)
    }

    /// The pattern that matches this path and its siblings in every list
    /// (`spec.tls[0].secretName` → `spec.tls[].secretName`): what a
    /// `references:` rule for this field says.
    #[must_use]
    pub fn pattern(&self) -> String {
        let mut out = String::new();
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => push_key(&mut out, k),
                Seg::Index(_) => out.push_str("[]"),
            }
        }
        out
    }
}

/// Whether a key must be written `["…"]`: it holds a character the syntax uses.
fn needs_quotes(key: &str) -> bool {
    key.is_empty() || key.chars().any(|c| matches!(c, '.' | '/' | '[' | ']' | '"' | '*' | '\\') || c.is_whitespace())
}

fn push_key(out: &mut String, key: &str) {
    if needs_quotes(key) {
        out.push('[');
        out.push_str(&serde_json::to_string(key).expect("a string serializes"));
        out.push(']');
    } else {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key);
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => push_key(&mut out, k),
                Seg::Index(n) => {
                    out.push('[');
                    out.push_str(&n.to_string());
                    out.push(']');
                }
            }
        }
        f.write_str(&out)
    }
}

/// Calls `f` with every value in `value` and its path, parents first.
pub fn walk(value: &Value, path: &mut Vec<Seg>, f: &mut impl FnMut(&[Seg], &Value)) {
    f(path, value);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(Seg::Key(k.clone()));
                walk(v, path, f);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(v, path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

/// One step of a [`Pattern`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    /// A key with one `*`: every key that starts with `.0` and ends with `.1`.
    Glob(String, String),
    /// Every element of a list.
    Each,
    /// `**`: any number of steps (keys or elements), none included.
    Deep,
}

/// A parsed rule path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pattern(pub Vec<Step>);

/// A match of a pattern: the concrete path and, for each `[]`, the index taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub path: FieldPath,
    pub indices: Vec<usize>,
}

impl Pattern {
    /// Parses the pattern syntax (module docs); the error says what is wrong.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let bad = |why: &str| {
            Err(format!(
                "{why} in path {text:?} (keys separated by '.', '[]' for every element, [\"a.b\"] for a key with dots)"
            ))
        };
        if text.is_empty() {
            return Err("empty path".into());
        }
        let chars: Vec<char> = text.chars().collect();
        let mut steps = Vec::new();
        let mut i = 0;
        let mut expect_key = true;
        while i < chars.len() {
            match chars[i] {
                '[' if chars.get(i + 1) == Some(&']') => {
                    if steps.is_empty() {
                        return bad("'[]' before any key");
                    }
                    steps.push(Step::Each);
                    i += 2;
                    expect_key = false;
                }
                '[' if chars.get(i + 1) == Some(&'"') => {
                    let rest: String = chars[i + 1..].iter().collect();
                    let mut de = serde_json::Deserializer::from_str(&rest).into_iter::<String>();
                    let Some(Ok(key)) = de.next() else { return bad("an unterminated quoted key") };
                    let used = de.byte_offset();
                    let after: Vec<char> = rest[used..].chars().collect();
                    if after.first() != Some(&']') {
                        return bad("a quoted key without its closing ']'");
                    }
                    i += 1 + rest[..used].chars().count() + 1;
                    steps.push(Step::Key(key));
                    expect_key = false;
                }
                '[' => return bad("an index (use '[]' for every element)"),
                '.' if !expect_key => {
                    i += 1;
                    expect_key = true;
                    if i == chars.len() {
                        return bad("a trailing '.'");
                    }
                }
                '.' => return bad("an empty key"),
                _ if expect_key => {
                    let start = i;
                    while i < chars.len() && !matches!(chars[i], '.' | '[') {
                        if matches!(chars[i], ']' | '"') {
                            return bad(&format!("a stray {:?}", chars[i]));
                        }
                        i += 1;
                    }
                    let key: String = chars[start..i].iter().collect();
                    if key == "**" {
                        if i == chars.len() {
                            return bad("'**' at the end");
                        }
                        steps.push(Step::Deep);
                        expect_key = false;
                        continue;
                    }
                    match key.split_once('*') {
                        Some((_, rest)) if rest.contains('*') => return bad("more than one '*' in a key"),
                        Some((a, b)) => steps.push(Step::Glob(a.to_string(), b.to_string())),
                        None => steps.push(Step::Key(key)),
                    }
                    expect_key = false;
                }
                _ => return bad("a key that does not follow a '.'"),
            }
        }
        Ok(Pattern(steps))
    }

    /// Every path under `base` (where `node` sits) that the pattern reaches,
    /// in document order.
    #[must_use]
    pub fn expand(&self, node: &Value, base: &FieldPath) -> Vec<Match> {
        let mut out = Vec::new();
        let mut path = base.0.clone();
        expand(node, &self.0, &mut path, &mut Vec::new(), &mut out);
        out
    }

    /// The concrete path for `indices` (one per `[]`, in order); `None` when
    /// the pattern has more `[]` than there are indices.
    #[must_use]
    pub fn substitute(&self, indices: &[usize]) -> Option<FieldPath> {
        let mut idx = indices.iter();
        let mut out = Vec::new();
        for step in &self.0 {
            match step {
                Step::Key(k) => out.push(Seg::Key(k.clone())),
                Step::Each => out.push(Seg::Index(*idx.next()?)),
                Step::Glob(..) | Step::Deep => return None,
            }
        }
        Some(FieldPath(out))
    }
}

fn expand(value: &Value, steps: &[Step], path: &mut Vec<Seg>, indices: &mut Vec<usize>, out: &mut Vec<Match>) {
    let Some((first, rest)) = steps.split_first() else {
        out.push(Match { path: FieldPath(path.clone()), indices: indices.clone() });
        return;
    };
    match first {
        Step::Key(key) => {
            if let Some(v) = value.get(key.as_str()) {
                path.push(Seg::Key(key.clone()));
                expand(v, rest, path, indices, out);
                path.pop();
            }
        }
        Step::Glob(prefix, suffix) => {
            if let Value::Object(map) = value {
                for (k, v) in map {
                    if k.len() >= prefix.len() + suffix.len()
                        && k.starts_with(prefix.as_str())
                        && k.ends_with(suffix.as_str())
                    {
                        path.push(Seg::Key(k.clone()));
                        expand(v, rest, path, indices, out);
                        path.pop();
                    }
                }
            }
        }
        Step::Each => {
            if let Value::Array(items) = value {
                for (i, v) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    indices.push(i);
                    expand(v, rest, path, indices, out);
                    indices.pop();
                    path.pop();
                }
            }
        }
        Step::Deep => {
            // Here, then under every child, in document order.
            expand(value, rest, path, indices, out);
            let children: Box<dyn Iterator<Item = (Seg, &Value)>> = match value {
                Value::Object(map) => Box::new(map.iter().map(|(k, v)| (Seg::Key(k.clone()), v))),
                Value::Array(items) => Box::new(items.iter().enumerate().map(|(i, v)| (Seg::Index(i), v))),
                _ => return,
            };
            for (seg, v) in children {
                path.push(seg);
                expand(v, steps, path, indices, out);
                path.pop();
            }
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for step in &self.0 {
            match step {
                Step::Key(k) => push_key(&mut out, k),
                Step::Glob(a, b) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(a);
                    out.push('*');
                    out.push_str(b);
                }
                Step::Each => out.push_str("[]"),
                Step::Deep => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str("**");
                }
            }
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns_parse_and_print_back() {
        for text in [
            "spec.tls[].secretName",
            "metadata.annotations[\"nginx.ingress.kubernetes.io/auth-secret\"]",
            "parameters[\"csi.storage.k8s.io/provisioner-secret-name\"]",
            "spec.csi.*SecretRef.name",
            "rules[].resourceNames[]",
            "spec.secrets[]",
            "spec.**.accessKeySecret.name",
        ] {
            let p = Pattern::parse(text).unwrap();
            assert_eq!(p.to_string(), text);
        }
        let p = Pattern::parse("a[\"x.y\"][].z").unwrap();
        assert_eq!(p.0, [Step::Key("a".into()), Step::Key("x.y".into()), Step::Each, Step::Key("z".into())]);
    }

    #[test]
    fn bad_patterns_say_why() {
        for (text, why) in [
            ("", "empty path"),
            ("spec..x", "an empty key"),
            ("spec.a[0]", "an index"),
            ("spec.", "a trailing '.'"),
            ("[]", "'[]' before any key"),
            ("a.b*c*d", "more than one '*'"),
            ("a[\"x", "an unterminated quoted key"),
            ("a[\"x\"", "closing ']'"),
            ("a]b", "a stray"),
            ("a.**", "'**' at the end"),
        ] {
            let err = Pattern::parse(text).unwrap_err();
            assert!(err.contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn expansion_takes_every_element_and_glob() {
        let v = json!({"spec": {"csi": {"nodeStageSecretRef": {"name": "a"}, "controllerExpandSecretRef": {"name": "b"}, "driver": "x"},
                       "tls": [{"secretName": "t0"}, {"hosts": []}, {"secretName": "t2"}]}});
        let m = Pattern::parse("spec.csi.*SecretRef.name").unwrap().expand(&v, &FieldPath::default());
        let paths: Vec<String> = m.iter().map(|m| m.path.to_string()).collect();
        assert_eq!(paths, ["spec.csi.nodeStageSecretRef.name", "spec.csi.controllerExpandSecretRef.name"]);
        let m = Pattern::parse("tls[].secretName").unwrap().expand(&v["spec"], &FieldPath::default().child("spec"));
        assert_eq!(
            m.iter().map(|m| m.path.to_string()).collect::<Vec<_>>(),
            ["spec.tls[0].secretName", "spec.tls[2].secretName"]
        );
        assert_eq!(m[1].indices, [2]);
        let ns = Pattern::parse("spec.tls[].ns").unwrap().substitute(&m[1].indices).unwrap();
        assert_eq!(ns.to_string(), "spec.tls[2].ns");
        let deep = json!({"spec": {"s3": {"accessKeySecret": {"name": "top"}},
                                   "templates": [{"outputs": {"artifacts": [{"s3": {"accessKeySecret": {"name": "deep"}}}]}}]}});
        let m = Pattern::parse("spec.**.accessKeySecret.name").unwrap().expand(&deep, &FieldPath::default());
        assert_eq!(
            m.iter().map(|m| m.path.to_string()).collect::<Vec<_>>(),
            ["spec.s3.accessKeySecret.name", "spec.templates[0].outputs.artifacts[0].s3.accessKeySecret.name"]
        );
    }

    #[test]
    fn concrete_paths_print_as_patterns() {
        let p = FieldPath::default().keys(&["metadata", "annotations", "a.b/c"]);
        assert_eq!(p.to_string(), "metadata.annotations[\"a.b/c\"]");
        let p = FieldPath::default().child("spec").child("tls").index(3).child("secretName");
        assert_eq!(p.to_string(), "spec.tls[3].secretName");
        assert_eq!(p.pattern(), "spec.tls[].secretName");
        assert_eq!(
            Pattern::parse(&p.pattern())
                .unwrap()
                .expand(&json!({"spec": {"tls": [{"secretName": "x"}]}}), &FieldPath::default())
                .len(),
            1
        );
    }
}
