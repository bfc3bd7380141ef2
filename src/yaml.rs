//! The only module that touches the YAML crate.
//!
//! kubectl and Argo CD read manifests as YAML 1.1 (`on`/`yes`/`y` are booleans,
//! `0644` is the octal number 420), so imprint reads them the same way, and it
//! writes YAML that YAML 1.1 and 1.2 readers agree on: strings such as "on",
//! "0644" or "2024-01-01" come out quoted, long lines are never folded.
//! serde-saphyr does both (see `tests` below, the quirks golden test); its
//! parsing budgets are set explicitly here so a 50 MB stream of 50,000
//! documents renders while an alias bomb or a 10,000-deep nesting fails fast.

use crate::error::{Error, ErrorKind, Result};
use crate::limits::{Limit, Limits};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One YAML document of a stream, with the line where its content starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub value: Value,
    pub line: u64,
}

fn options(limits: &Limits) -> serde_saphyr::Options {
    serde_saphyr::options! {
        legacy_octal_numbers: true,
        // kubectl (go-yaml v2, non-strict) keeps the last of duplicate keys.
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            // Input size is --max-file-size's business, checked before reading.
            max_reader_input_bytes: None,
            max_documents: limits.max_documents,
            // Every event is a node, a collection's end, or a document's
            // start or end; the node and document budgets stop first.
            max_events: limits.max_yaml_nodes.saturating_mul(2).saturating_add(limits.max_documents.saturating_mul(2)).saturating_add(limits.max_alias_expansion).saturating_add(16),
            max_nodes: limits.max_yaml_nodes,
            // Scalars an alias replays count again: a long string repeated
            // by a million aliases stops at the size of a file.
            max_total_scalar_bytes: usize::try_from(limits.max_file_bytes).unwrap_or(usize::MAX),
            // The replay budget below is the guard against alias bombs; this
            // ratio heuristic would refuse legitimate heavy reuse of an anchor.
            enforce_alias_anchor_ratio: false,
            max_depth: limits.max_depth.min(crate::limits::DEPTH_CEILING),
            max_aliases: limits.max_alias_expansion,
            max_anchors: limits.max_alias_expansion,
            max_recorded_anchor_events: limits.max_alias_expansion,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: limits.max_alias_expansion,
            max_replay_stack_depth: 64,
        },
    }
}

/// A parser budget that ran out, as a limit error naming its flag.
fn budget_error(err: &serde_saphyr::Error, limits: &Limits) -> Option<(String, Limit)> {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    let mut err = err;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = err {
        err = error;
    }
    let alias = || (format!("aliases expand past the limit of {}", limits.max_alias_expansion), Limit::AliasExpansion);
    let depth = || (format!("nesting deeper than the limit of {} levels", limits.max_depth), Limit::Depth);
    let nodes = || (format!("more than the limit of {} YAML nodes", limits.max_yaml_nodes), Limit::YamlNodes);
    Some(match err {
        E::Budget { breach, .. } => match breach {
            B::Depth { .. } => depth(),
            B::Documents { .. } => {
                (format!("more than the limit of {} YAML documents", limits.max_documents), Limit::Documents)
            }
            B::Nodes { .. } | B::Events { .. } => nodes(),
            B::ScalarBytes { .. } => (
                format!(
                    "its scalars pass {} bytes (an alias counts its scalars again each time it is used)",
                    limits.max_file_bytes
                ),
                Limit::FileSize,
            ),
            B::Aliases { .. } | B::Anchors { .. } | B::RecordedAnchorEvents { .. } | B::RecordedAnchorBytes { .. } => {
                alias()
            }
            _ => return None,
        },
        E::AliasReplayLimitExceeded { .. } | E::AliasExpansionLimitExceeded { .. } => alias(),
        // The scanner's own guard against deep flow nesting, met before
        // the depth budget when a line opens thousands of `[`.
        e if e.to_string().contains("recursion limit exceeded") => depth(),
        _ => return None,
    })
}

/// Turns a parser error into ours without the source snippet (it could show a
/// Secret's value) and with the line number taken out of the message.
fn convert(err: &serde_saphyr::Error, file: &str, limits: &Limits) -> Error {
    let inner = err.without_snippet();
    let line = inner.location().map_or(0, |l| l.line());
    if let Some((what, flag)) = budget_error(err, limits) {
        return crate::limits::exceeded(what, flag).in_file(file).at_line(line);
    }
    let text = inner.to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    // "line 4 column 13: unclosed quote" -> "unclosed quote"
    let message = match text.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest,
        _ => text,
    };
    let message = message.lines().next().unwrap_or_default();
    let message = message.split(" at line ").next().unwrap_or_default().to_string();
    Error::new(ErrorKind::Yaml(message)).in_file(file).at_line(line)
}

/// Parses a stream of YAML documents under the default limits.
pub fn parse_stream(text: &str, file: &str) -> Result<Vec<Doc>> {
    parse_stream_limited(text, file, &Limits::default())
}

/// Parses a stream of YAML documents. Empty documents (nothing, `~`, or only
/// comments) are dropped, as kubectl drops them. The limits apply to this
/// one stream; totals over many files are the caller's (`load`).
pub fn parse_stream_limited(text: &str, file: &str, limits: &Limits) -> Result<Vec<Doc>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let docs: Vec<serde_saphyr::Spanned<Value>> =
        serde_saphyr::from_multiple_with_options(text, options(limits)).map_err(|e| convert(&e, file, limits))?;
    Ok(docs
        .into_iter()
        .filter(|d| !d.value.is_null())
        .map(|d| Doc { line: d.referenced.line(), value: d.value })
        .collect())
}

/// Parses a JSON file under the default limits.
pub fn parse_json(text: &str, file: &str) -> Result<Vec<Doc>> {
    parse_json_limited(text, file, &Limits::default())
}

/// Parses a JSON file: one object (or a `List`), line 1. Nodes are counted
/// while the value is built, so `[0,0,0,…]` stops at the node limit instead
/// of taking 40 times its size in memory first.
pub fn parse_json_limited(text: &str, file: &str, limits: &Limits) -> Result<Vec<Doc>> {
    use serde::de::DeserializeSeed;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let left = std::cell::Cell::new(limits.max_yaml_nodes);
    let mut de = serde_json::Deserializer::from_str(text);
    let root = CountedJson { left: &left, depth: 0, max_depth: limits.max_depth };
    let value = root.deserialize(&mut de).and_then(|v| de.end().map(|()| v)).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or_default().to_string();
        let line = e.line() as u64;
        if msg == NODE_LIMIT {
            let what = format!("more than the limit of {} YAML nodes", limits.max_yaml_nodes);
            return crate::limits::exceeded(what, Limit::YamlNodes).in_file(file).at_line(line);
        }
        if msg == DEPTH_LIMIT {
            let what = format!("nesting deeper than the limit of {} levels", limits.max_depth);
            return crate::limits::exceeded(what, Limit::Depth).in_file(file).at_line(line);
        }
        if msg == "recursion limit exceeded" {
            let what =
                "nesting deeper than 128 levels, the most a JSON file may have (write it as YAML to nest deeper)";
            return Error::new(ErrorKind::Limit { message: what.into(), limit: None }).in_file(file).at_line(line);
        }
        Error::new(ErrorKind::Yaml(msg)).in_file(file).at_line(e.line() as u64)
    })?;
    if value.is_null() {
        return Ok(Vec::new());
    }
    Ok(vec![Doc { value, line: 1 }])
}

const NODE_LIMIT: &str = "node limit";
const DEPTH_LIMIT: &str = "depth limit";

/// Builds a JSON value like `serde_json::Value`'s own deserializer, taking
/// one from `left` for every node (keys included, as YAML counts them) and
/// holding nesting to `max_depth`, as YAML's is.
struct CountedJson<'a> {
    left: &'a std::cell::Cell<usize>,
    depth: usize,
    max_depth: usize,
}

impl CountedJson<'_> {
    /// The seed for a collection's members, one level deeper.
    fn child<E: serde::de::Error>(&self) -> std::result::Result<Self, E> {
        if self.depth >= self.max_depth {
            return Err(E::custom(DEPTH_LIMIT));
        }
        Ok(CountedJson { left: self.left, depth: self.depth + 1, max_depth: self.max_depth })
    }

    fn take<E: serde::de::Error>(&self) -> std::result::Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(n) => {
                self.left.set(n);
                Ok(())
            }
            None => Err(E::custom(NODE_LIMIT)),
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for CountedJson<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for CountedJson<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> std::result::Result<Value, E> {
        self.take().map(|()| Value::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Value, E> {
        self.take().map(|()| Value::from(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Value, E> {
        self.take().map(|()| Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        self.take().map(|()| Value::from(v))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Value, E> {
        self.take().map(|()| Value::String(v.to_string()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Value, E> {
        self.take().map(|()| Value::String(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Value, E> {
        self.take().map(|()| Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        self.take()?;
        let child = self.child()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(CountedJson { ..child })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        self.take()?;
        let child = self.child()?;
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.take()?;
            let value = map.next_value_seed(CountedJson { ..child })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

/// Reads one document into a typed value (imprint.yaml, values files).
/// Unknown fields are reported with their line.
pub fn parse_typed<T: DeserializeOwned>(text: &str, file: &str) -> Result<T> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let limits = Limits::default();
    serde_saphyr::from_str_with_options(text, options(&limits)).map_err(|e| {
        let mut err = convert(&e, file, &limits);
        if let ErrorKind::Yaml(msg) = &err.kind {
            err.kind = ErrorKind::Config(msg.clone());
        }
        err
    })
}

/// Writes one value as a YAML document (no `---`), ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let opts = serde_saphyr::ser_options! {
        prefer_block_scalars: true,
        folded_wrap_chars: usize::MAX,
        min_fold_chars: usize::MAX,
    };
    let mut out = serde_saphyr::to_string_with_options(value, opts)
        // Serializing a JSON value cannot fail: every map key is a string.
        .unwrap_or_else(|e| unreachable!("YAML serialization of a JSON value failed: {e}"));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Writes documents as one stream, separated by `---`.
/// Documents are serialized on every core and joined in order.
pub fn to_yaml_stream<'a>(values: impl IntoIterator<Item = &'a Value>) -> String {
    use rayon::prelude::*;
    let values: Vec<&Value> = values.into_iter().collect();
    let docs: Vec<String> = values.par_iter().map(|v| to_yaml(v)).collect();
    let mut out = String::with_capacity(docs.iter().map(|d| d.len() + 4).sum());
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Value {
        let docs = parse_stream(text, "t.yaml").unwrap();
        assert_eq!(docs.len(), 1, "{docs:?}");
        docs.into_iter().next().unwrap().value
    }

    /// The golden quirks test: each YAML 1.1 spelling reads as kubectl reads it.
    #[test]
    fn reads_yaml_1_1_as_kubectl_does() {
        let v = one(concat!(
            "a: on\nb: off\nc: yes\nd: no\ne: y\nf: n\nY: Y\nN: N\n",
            "mode: 0644\nquoted: \"0644\"\nunder: 1_000\ndate: 2024-01-01\n",
            "nul: ~\nbase: &b {x: 1, z: 2}\nmerged:\n  <<: *b\n  z: 3\n",
            "multi: |\n  line1\n  line2\n",
        ));
        assert_eq!(v["a"], json!(true));
        assert_eq!(v["b"], json!(false));
        assert_eq!(v["c"], json!(true));
        assert_eq!(v["d"], json!(false));
        assert_eq!(v["e"], json!(true));
        assert_eq!(v["f"], json!(false));
        assert_eq!(v["Y"], json!(true));
        assert_eq!(v["N"], json!(false));
        assert_eq!(v["mode"], json!(420));
        assert_eq!(v["quoted"], json!("0644"));
        assert_eq!(v["under"], json!(1000));
        // go-yaml v2 keeps timestamps as strings when the target is untyped.
        assert_eq!(v["date"], json!("2024-01-01"));
        assert_eq!(v["nul"], Value::Null);
        assert_eq!(v["merged"]["x"], json!(1));
        assert_eq!(v["merged"]["z"], json!(3));
        assert_eq!(v["multi"], json!("line1\nline2\n"));
    }

    /// The golden quirks test, writing side: every ambiguous string is quoted
    /// so YAML 1.1 and 1.2 readers both read a string.
    #[test]
    fn writes_ambiguous_strings_quoted() {
        let words = [
            "on",
            "off",
            "yes",
            "no",
            "y",
            "n",
            "Y",
            "N",
            "true",
            "false",
            "0644",
            "1_000",
            "2024-01-01",
            "~",
            "null",
            "1e3",
            "0x1F",
            ".inf",
            "12:30",
            "",
            " lead",
            "a: b",
            "- x",
            "#c",
        ];
        let v = json!({ "s": words });
        let out = to_yaml(&v);
        for w in words {
            assert!(!out.contains(&format!("- {w}\n")), "{w:?} unquoted in:\n{out}");
        }
        assert_eq!(one(&out), v, "round trip");
        assert_eq!(to_yaml(&json!({"mode": 420})), "mode: 420\n");
        assert_eq!(to_yaml(&json!({"y": 1})), "\"y\": 1\n");
    }

    #[test]
    fn long_lines_are_not_folded_and_multiline_is_literal() {
        let long = "word ".repeat(60).trim_end().to_string();
        let v = json!({"long": long, "multi": "a\nb\n"});
        let out = to_yaml(&v);
        assert!(out.contains(&format!("long: {long}\n")), "{out}");
        assert!(out.contains("multi: |\n  a\n  b\n"), "{out}");
        assert_eq!(one(&out), v);
    }

    #[test]
    fn empty_and_comment_only_documents_are_dropped() {
        let docs = parse_stream("# only a comment\n---\n---\na: 1\n---\n~\n---\n", "t.yaml").unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].value, json!({"a": 1}));
        assert_eq!(docs[0].line, 4);
        assert!(parse_stream("", "t.yaml").unwrap().is_empty());
        assert!(parse_stream("# nothing\n", "t.yaml").unwrap().is_empty());
    }

    #[test]
    fn json_files_parse() {
        let docs = parse_json("{\"kind\": \"ConfigMap\", \"data\": {\"on\": \"0644\"}}", "a.json").unwrap();
        assert_eq!(docs[0].value["data"]["on"], json!("0644"));
        // JSON is YAML too, and reads the same through the YAML parser.
        assert_eq!(one("{\"kind\": \"ConfigMap\", \"data\": {\"on\": \"0644\"}}"), docs[0].value);
        let err = parse_json("{\"a\": ", "a.json").unwrap_err();
        assert_eq!(err.file.as_deref(), Some("a.json"));
    }

    #[test]
    fn syntax_error_names_line_without_echoing_input() {
        let err = parse_stream("kind: Secret\ndata:\n  password: \"hunter2\n  b: c\n", "s.yaml").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("s.yaml:3"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
    }

    #[test]
    fn alias_bomb_fails_fast() {
        let mut text = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for i in 0..9u8 {
            let (p, c) = ((b'a' + i) as char, (b'b' + i) as char);
            text.push_str(&format!("{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"));
        }
        let err = parse_stream(&text, "bomb.yaml").unwrap_err();
        assert!(err.to_string().contains("bomb.yaml"), "{err}");
    }

    #[test]
    fn deep_nesting_fails_fast() {
        // The binary's main thread has 8 MiB of stack; test threads get less.
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(|| {
                let flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
                assert!(parse_stream(&flow, "deep.yaml").is_err());
                let block: String = (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
                assert!(parse_stream(&block, "deep.yaml").is_err());
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn typed_parse_reports_unknown_fields() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            a: u32,
        }
        let err = parse_typed::<T>("a: 1\nbogus: 2\n", "imprint.yaml").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("bogus") && text.contains("imprint.yaml:2"), "{text}");
    }
}

/// A value read from YAML together with the line it started on, so messages
/// about an imprint.yaml entry can point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub line: u64,
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Located<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Located { line: s.referenced.line(), value: s.value })
    }
}
