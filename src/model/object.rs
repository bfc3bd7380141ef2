//! Kubernetes objects as open JSON values, plus where each came from.
//!
//! Objects stay `serde_json::Value` (field order kept) because the schema is
//! open: imprint edits a few well-known fields and must pass everything else
//! through untouched.

use serde_json::{Map, Value};
use std::fmt;

/// Where an object came from, for messages and the `imprint.dev/source`
/// annotation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// Path relative to the app directory (or `<stdin>`).
    pub file: String,
    /// Line where the object's document starts (1-based; 0 when unknown).
    pub line: u64,
    /// For generated bundles: the input paths, relative to the app directory.
    pub generated_from: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub value: Value,
    pub origin: Origin,
}

/// A bundle across renders: its kind, namespace and the name before
/// versioning (history and check match versions of a bundle by it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BundleKey {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl fmt::Display for BundleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// The identity of an object in the output: two objects may not share it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.group.is_empty() { self.kind.clone() } else { format!("{}.{}", self.kind, self.group) };
        if self.namespace.is_empty() {
            write!(f, "{kind}/{}", self.name)
        } else {
            write!(f, "{kind}/{}/{}", self.namespace, self.name)
        }
    }
}

/// Splits `apps/v1` into (`apps`, `v1`) and `v1` into (``, `v1`).
#[must_use]
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.rsplit_once('/').unwrap_or(("", api_version))
}

/// A string at a path of nested mapping keys.
#[must_use]
pub fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = value;
    for key in path {
        cur = cur.get(key)?;
    }
    cur.as_str()
}

impl Object {
    #[must_use]
    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or_default()
    }

    #[must_use]
    pub fn api_version(&self) -> &str {
        self.value.get("apiVersion").and_then(Value::as_str).unwrap_or_default()
    }

    #[must_use]
    pub fn group(&self) -> &str {
        split_api_version(self.api_version()).0
    }

    #[must_use]
    pub fn name(&self) -> &str {
        str_at(&self.value, &["metadata", "name"]).unwrap_or_default()
    }

    /// The name before versioning: what `imprint.dev/bundle` records on a
    /// versioned object, else its name. graph, diff, check and history
    /// match bundles across renders by it.
    #[must_use]
    pub fn bundle_name(&self) -> &str {
        self.annotation(super::annotations::BUNDLE).unwrap_or_else(|| self.name())
    }

    /// A bundle's identity across renders: kind, namespace and the name
    /// before versioning.
    #[must_use]
    pub fn bundle_key(&self) -> BundleKey {
        BundleKey {
            kind: self.kind().to_string(),
            namespace: self.namespace().to_string(),
            name: self.bundle_name().to_string(),
        }
    }

    #[must_use]
    pub fn namespace(&self) -> &str {
        str_at(&self.value, &["metadata", "namespace"]).unwrap_or_default()
    }

    #[must_use]
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.value.get("metadata")?.get("annotations")?.get(key)?.as_str()
    }

    #[must_use]
    pub fn label(&self, key: &str) -> Option<&str> {
        self.value.get("metadata")?.get("labels")?.get(key)?.as_str()
    }

    /// Whether the API server chooses the name (`generateName` and no
    /// `metadata.name`): such an object is created anew on every apply.
    #[must_use]
    pub fn has_generated_name(&self) -> bool {
        self.value.get("metadata").and_then(|m| m.get("name")).is_none()
    }

    #[must_use]
    pub fn id(&self) -> ObjectId {
        // An object named by the API server shows its prefix (`secrets-*`):
        // messages about it would otherwise end in an empty name.
        let name = match (self.name(), str_at(&self.value, &["metadata", "generateName"])) {
            ("", Some(prefix)) => format!("{prefix}*"),
            (name, _) => name.to_string(),
        };
        ObjectId {
            group: self.group().to_string(),
            kind: self.kind().to_string(),
            namespace: self.namespace().to_string(),
            name,
        }
    }

    /// True for core-group ConfigMaps and Secrets: the objects imprint versions.
    #[must_use]
    pub fn bundle_kind(&self) -> Option<super::BundleKind> {
        if self.api_version() != "v1" {
            return None;
        }
        match self.kind() {
            "ConfigMap" => Some(super::BundleKind::ConfigMap),
            "Secret" => Some(super::BundleKind::Secret),
            _ => None,
        }
    }

    /// The metadata mapping, created if missing.
    pub fn metadata_mut(&mut self) -> &mut Map<String, Value> {
        let obj = self.value.as_object_mut().expect("objects are mappings (checked on load)");
        let meta = obj.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
        if !meta.is_object() {
            *meta = Value::Object(Map::new());
        }
        meta.as_object_mut().expect("just made a mapping")
    }

    /// Sets an annotation, creating the annotations mapping if needed.
    pub fn set_annotation(&mut self, key: &str, value: &str) {
        let meta = self.metadata_mut();
        let ann = meta.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
        if !ann.is_object() {
            *ann = Value::Object(Map::new());
        }
        ann.as_object_mut().expect("just made a mapping").insert(key.to_string(), Value::String(value.to_string()));
    }

    /// Where the object came from, for messages: `file:line`.
    #[must_use]
    pub fn location(&self) -> String {
        if self.origin.line > 0 {
            format!("{}:{}", self.origin.file, self.origin.line)
        } else {
            self.origin.file.clone()
        }
    }
}

/// Inserts `key` right after `after` (or at the end), replacing any old value.
pub fn insert_after(map: &mut Map<String, Value>, after: &str, key: &str, value: Value) {
    if let Some(v) = map.get_mut(key) {
        *v = value;
        return;
    }
    let mut rebuilt = Map::with_capacity(map.len() + 1);
    let mut placed = false;
    for (k, v) in std::mem::take(map) {
        let hit = k == after;
        rebuilt.insert(k, v);
        if hit {
            rebuilt.insert(key.to_string(), value.clone());
            placed = true;
        }
    }
    if !placed {
        rebuilt.insert(key.to_string(), value);
    }
    *map = rebuilt;
}
