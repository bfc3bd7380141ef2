//! The JSON reports, each with its `schemaVersion`: what `diff`, `graph`
//! and `check` print with `--format json` (schemas in docs/commands.md).
//! Plain data, built by those modules; a field here is a promise to every
//! script that reads them.

use crate::error::Diagnostic;
use crate::model::Object;
use serde::Serialize;

// ---- diff

/// Version of `diff --format json`; bumped on any incompatible change.
pub const DIFF_SCHEMA_VERSION: u32 = 1;

/// An object named in the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectRef {
    pub kind: String,
    pub group: String,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.namespace.is_empty() {
            write!(f, "{}/", self.namespace)?;
        }
        write!(f, "{} {}", self.kind, self.name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

/// A versioned bundle that is new, gone, or has a new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleChange {
    /// `ConfigMap` or `Secret`.
    pub kind: String,
    pub namespace: String,
    /// The bundle's name before versioning.
    pub bundle: String,
    /// `new-version`, `added` or `removed`.
    pub change: &'static str,
    pub old_name: Option<String>,
    pub new_name: Option<String>,
    pub keys: KeyChanges,
}

/// A workload whose pod template changes, so its pods will be replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollout {
    pub workload: ObjectRef,
    /// Bundles (`Kind/bundle`) whose new version this workload now uses.
    pub bundles: Vec<String>,
    /// Other changed fields of the workload (paths), empty when it rolls
    /// only because of bundles.
    pub other_changes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ObjectChanges {
    pub added: Vec<ObjectRef>,
    pub removed: Vec<ObjectRef>,
    pub changed: Vec<ObjectRef>,
}

/// The whole report; its JSON form is the documented `--format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema_version: u32,
    pub changed: bool,
    pub bundles: Vec<BundleChange>,
    pub rollouts: Vec<Rollout>,
    pub objects: ObjectChanges,
    /// Previous versions kept by `keepVersions` that appear or go away.
    pub retained: ObjectChanges,
    /// Unified diff of every added, removed or changed object, Secret
    /// values redacted.
    pub diff: String,
}

impl From<&Object> for ObjectRef {
    fn from(o: &Object) -> Self {
        ObjectRef {
            kind: o.kind().to_string(),
            group: o.group().to_string(),
            namespace: o.namespace().to_string(),
            name: o.name().to_string(),
        }
    }
}

// ---- graph

/// Version of `graph --format json`; bumped on any incompatible change.
pub const GRAPH_SCHEMA_VERSION: u32 = 1;

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
    /// The app folder, when the graph spans several apps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
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
    /// The app folder, when the graph spans several apps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
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

// ---- check

/// Version of `check --format json`; bumped on any incompatible change.
pub const CHECK_SCHEMA_VERSION: u32 = 1;

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

/// `check --format json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport<'a> {
    pub schema_version: u32,
    pub summary: Summary,
    pub findings: &'a [Diagnostic],
}
