//! ConfigMap or Secret: the kind of a bundle, and of what a reference names.

use serde::Deserialize;

/// The two kinds imprint versions: what a reference points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
pub enum BundleKind {
    ConfigMap,
    Secret,
}

impl BundleKind {
    #[must_use]
    pub fn kind(self) -> &'static str {
        match self {
            BundleKind::ConfigMap => "ConfigMap",
            BundleKind::Secret => "Secret",
        }
    }

    /// `ConfigMap`/`Secret` of the core group, as a typed reference spells it.
    #[must_use]
    pub fn from_kind(kind: &str) -> Option<BundleKind> {
        match kind {
            "ConfigMap" => Some(BundleKind::ConfigMap),
            "Secret" => Some(BundleKind::Secret),
            _ => None,
        }
    }

    /// Like [`BundleKind::from_kind`], in any case (Velero writes `configmap`).
    #[must_use]
    pub fn from_kind_loosely(kind: &str) -> Option<BundleKind> {
        match kind.to_ascii_lowercase().as_str() {
            "configmap" => Some(BundleKind::ConfigMap),
            "secret" => Some(BundleKind::Secret),
            _ => None,
        }
    }
}
