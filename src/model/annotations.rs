//! Every annotation (and label) name imprint reads or writes, in one place:
//! a typo in one of them would silently make a rule never match.

/// `"false"` keeps an object's name, `"true"` versions it (SPEC §4).
pub const VERSION: &str = "imprint.dev/version";
/// On a versioned object: the name before versioning.
pub const BUNDLE: &str = "imprint.dev/bundle";
/// On a versioned object: the content hash its name suffix comes from.
pub const CONTENT_HASH: &str = "imprint.dev/content-hash";
/// On a generated bundle: the input files it was made from.
pub const SOURCE: &str = "imprint.dev/source";
/// On a previous version kept by `keepVersions`.
pub const SUPERSEDED: &str = "imprint.dev/superseded";
/// `"true"`, or names: objects something outside the render provides.
pub const EXTERNAL: &str = "imprint.dev/external";

/// Flux post-build substitution; imprint writes `disabled` on versioned objects.
pub const FLUX_SUBSTITUTE: &str = "kustomize.toolkit.fluxcd.io/substitute";
/// Flux's marker (annotation or label) to replace an object instead of patching it.
pub const FLUX_FORCE: &str = "kustomize.toolkit.fluxcd.io/force";
/// Argo CD sync options: imprint adds `PruneLast=true`; `Replace=true` recreates.
pub const ARGO_SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";
/// Argo CD sync hooks.
pub const ARGO_HOOK: &str = "argocd.argoproj.io/hook";
/// Helm hooks.
pub const HELM_HOOK: &str = "helm.sh/hook";
/// kubectl's copy of the last applied object (holds Secret values).
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// Where kustomize and kpt record a KRM item's file.
pub const KRM_PATHS: &[&str] = &["config.kubernetes.io/path", "internal.config.kubernetes.io/path"];
/// Sealed Secrets scopes that let a SealedSecret be renamed.
pub const SEALED_SCOPES: &[&str] =
    &["sealedsecrets.bitnami.com/namespace-wide", "sealedsecrets.bitnami.com/cluster-wide"];
