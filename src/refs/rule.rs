//! The one rule type: a field through which an object names a ConfigMap or
//! Secret. The built-in table (`table.rs`) and imprint.yaml's `references:`
//! are both lists of [`Rule`]; imprint.yaml can set the fields a custom
//! resource needs (`group`, `kind`, `path`, `target`, `namespacePath`), the
//! table also the ones only imprint's own rows use.

use super::path::Pattern;
use crate::model::BundleKind;
use serde::Deserialize;
use std::borrow::Cow;

/// How a rule decides what the name points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetSpec {
    Fixed(BundleKind),
    /// A typed reference: the holder's field (`kind`, `type`) says
    /// ConfigMap or Secret; unset means the default (`None`: not a
    /// reference). A non-core `group`/`apiGroup` next to it means another
    /// kind of object altogether.
    ByField {
        field: &'static str,
        default: Option<BundleKind>,
    },
    /// RBAC: the rule's `resources` say which (possibly both), for the
    /// core group only.
    Rbac,
    /// A command-line flag `--<flag>=[ns/]name`: the flag's name says which
    /// ([`super::table::FLAG_SUFFIXES`]).
    Flag,
}

/// imprint.yaml's `target:` is `ConfigMap` or `Secret`.
impl<'de> Deserialize<'de> for TargetSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BundleKind::deserialize(d).map(TargetSpec::Fixed)
    }
}

/// What a reference means for the object it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Role {
    /// Something reads the content: a pod (mount, env) or a controller.
    /// Counts as a use for `versionResources: referenced`; a missing target
    /// dangles; keys are checked; rewritten.
    #[default]
    Use,
    /// RBAC `resourceNames`: some process reads or writes the object by name
    /// through the API, so a resource keeps its name. Never dangles (it may
    /// name objects made at run time); rewritten (expanded) when the object
    /// is versioned anyway.
    Rbac,
    /// Names the object without reading it (Gateway API `ReferenceGrant`,
    /// fields a controller documents as ignored): follows the rename, is
    /// not a use, never dangles.
    Follow,
    /// A field that cannot change after creation (PersistentVolume sources,
    /// StorageClass parameters): a resource keeps its name, since a new name
    /// would fail the sync; rewritten when the object is versioned anyway
    /// (and `check` warns). Never dangles: such Secrets usually live outside
    /// the app.
    Immutable,
    /// A program finds the object through the API by this name (a
    /// command-line flag `--configmap=$(POD_NAMESPACE)/name`, cainjector's
    /// `inject-ca-from-secret` annotation): a resource keeps its name (the
    /// §4 name-use scan says so); rewritten when the object is versioned
    /// anyway (generated bundles), so the program follows. Never dangles
    /// (such objects are often made at run time).
    ByName,
    /// The name is part of more than a reference: prometheus-operator
    /// mounts `spec.secrets[]` at `/etc/prometheus/secrets/<name>/`, and
    /// file paths elsewhere name that folder. A new name would move the
    /// files, so the object keeps its name, generated ones too, unless
    /// annotated `imprint.dev/version: "true"`. Dangles like a use.
    Pinned,
    /// The referrer writes the object (cert-manager `Certificate`,
    /// `ExternalSecret`, Crossplane connection secrets): it is present even
    /// though no manifest holds it, and never versioned: its writer owns
    /// the name.
    Provides,
}

/// Which part of an object a rule's path starts from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scope {
    /// The root of objects of one kind (`group` "" is the core group, "*"
    /// any group).
    #[default]
    Kind,
    /// The root of objects of any kind.
    AnyKind,
    /// Every PodSpec: where built-in workloads keep it, and any mapping
    /// with a `containers` list in other kinds.
    PodSpec,
    /// Every container: the PodSpec's lists, and container-shaped mappings
    /// anywhere in other kinds.
    Container,
    /// Every element of a `volumes` list.
    Volume,
}

/// Where a reference says which key of the object it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeySpec {
    #[default]
    None,
    /// A field of the holder (the mapping that holds the name): `key`.
    Field(&'static str),
    /// A field of each element of a list in the holder: volumes'
    /// `items[].key`, ECK's `entries[].key`.
    List(&'static str, &'static str),
}

/// When a rule applies beyond its path matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum When {
    #[default]
    Always,
    /// The object carries one of these annotations (with a non-empty value
    /// other than "false").
    Annotated(&'static [&'static str]),
    /// The object has this field (a path from the root).
    Has(&'static str),
}

/// Why the graph shows a use (`graph`'s `via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Via {
    Env,
    EnvFrom,
    Volume,
    Projected,
    ImagePullSecret,
    ServiceAccount,
    IngressTls,
    IngressAnnotation,
    Gateway,
    HelmRelease,
    Rbac,
    PersistentVolume,
    StorageClass,
    Argument,
    ReferenceGrant,
    /// A custom resource's field, read by its controller.
    Controller,
    /// The object writes it.
    Provider,
    /// A rule from imprint.yaml's `references:`.
    #[default]
    Custom,
}

impl Via {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Env => "env",
            Via::EnvFrom => "envFrom",
            Via::Volume => "volume",
            Via::Projected => "projected",
            Via::ImagePullSecret => "imagePullSecret",
            Via::ServiceAccount => "serviceAccount",
            Via::IngressTls => "ingressTLS",
            Via::IngressAnnotation => "ingressAnnotation",
            Via::Gateway => "gateway",
            Via::HelmRelease => "helmRelease",
            Via::Rbac => "rbac",
            Via::PersistentVolume => "persistentVolume",
            Via::StorageClass => "storageClass",
            Via::Argument => "argument",
            Via::ReferenceGrant => "referenceGrant",
            Via::Controller => "controller",
            Via::Provider => "provider",
            Via::Custom => "custom",
        }
    }
}

/// One row of the reference table, or one `references:` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rule {
    /// API group of the referring kind ("" for the core group).
    #[serde(default)]
    pub group: Cow<'static, str>,
    /// The referring kind (for [`Scope::Kind`]).
    pub kind: Cow<'static, str>,
    /// Where the name is, from the scope's start (pattern syntax: `path.rs`).
    pub path: Cow<'static, str>,
    pub target: TargetSpec,
    /// Where the referenced object's namespace is, from the root; its `[]`
    /// take the same elements as in `path`.
    #[serde(default)]
    pub namespace_path: Option<Cow<'static, str>>,
    /// A field of the holder that states the namespace (`namespace`), or
    /// of the holder's parent (`../namespace`).
    #[serde(skip)]
    pub namespace_field: Option<&'static str>,
    #[serde(skip)]
    pub scope: Scope,
    #[serde(skip)]
    pub role: Role,
    #[serde(skip)]
    pub key: KeySpec,
    #[serde(skip)]
    pub when: When,
    /// Used when `path` is absent (ExternalSecret's target defaults to its
    /// own name).
    #[serde(skip)]
    pub fallback: Option<&'static str>,
    /// The name resolves in any namespace: the reader is not where the
    /// referrer is (Istio's gateway proxies, cert-manager's HTTP01 solver
    /// pods, KEDA's cluster namespace).
    #[serde(skip)]
    pub any_namespace: bool,
    #[serde(skip)]
    pub via: Via,
    /// The project the row comes from (docs/references.md groups by it).
    #[serde(skip)]
    pub project: &'static str,
    /// Where the field is documented (project, version, file).
    #[serde(skip)]
    pub source: Cow<'static, str>,
}

/// Shorthands for the table, so each row reads as one line of facts.
impl Rule {
    #[must_use]
    pub fn new(
        scope: Scope,
        group: &'static str,
        kind: &'static str,
        path: impl Into<Cow<'static, str>>,
        target: TargetSpec,
    ) -> Rule {
        Rule {
            group: Cow::Borrowed(group),
            kind: Cow::Borrowed(kind),
            path: path.into(),
            target,
            namespace_path: None,
            namespace_field: None,
            scope,
            role: Role::Use,
            key: KeySpec::None,
            when: When::Always,
            fallback: None,
            any_namespace: false,
            via: Via::Controller,
            project: "",
            source: Cow::Borrowed(""),
        }
    }

    #[must_use]
    pub fn via(self, via: Via) -> Rule {
        Rule { via, ..self }
    }

    #[must_use]
    pub fn role(self, role: Role) -> Rule {
        Rule { role, ..self }
    }

    #[must_use]
    pub fn key(self, field: &'static str) -> Rule {
        Rule { key: KeySpec::Field(field), ..self }
    }

    #[must_use]
    pub fn items(self) -> Rule {
        Rule { key: KeySpec::List("items", "key"), ..self }
    }

    #[must_use]
    pub fn key_list(self, list: &'static str, field: &'static str) -> Rule {
        Rule { key: KeySpec::List(list, field), ..self }
    }

    #[must_use]
    pub fn any_ns(self) -> Rule {
        Rule { any_namespace: true, ..self }
    }

    #[must_use]
    pub fn ns_path(self, path: &'static str) -> Rule {
        Rule { namespace_path: Some(Cow::Borrowed(path)), ..self }
    }

    #[must_use]
    pub fn has(self, path: &'static str) -> Rule {
        Rule { when: When::Has(path), ..self }
    }

    #[must_use]
    pub fn ns(self, field: &'static str) -> Rule {
        Rule { namespace_field: Some(field), ..self }
    }

    #[must_use]
    pub fn when(self, annotations: &'static [&'static str]) -> Rule {
        Rule { when: When::Annotated(annotations), ..self }
    }

    #[must_use]
    pub fn or_else(self, fallback: &'static str) -> Rule {
        Rule { fallback: Some(fallback), ..self }
    }

    #[must_use]
    pub fn src(self, source: impl Into<Cow<'static, str>>) -> Rule {
        Rule { source: source.into(), ..self }
    }

    #[must_use]
    pub fn project(self, project: &'static str) -> Rule {
        Rule { project, ..self }
    }

    /// Whether the rule reads objects of this group and kind.
    #[must_use]
    pub fn applies_to(&self, group: &str, kind: &str) -> bool {
        match self.scope {
            Scope::Kind => (self.group == "*" || self.group == group) && self.kind == kind,
            Scope::AnyKind => true,
            Scope::PodSpec | Scope::Container | Scope::Volume => false,
        }
    }

    /// Parses the paths; the error names the field and says what is wrong.
    pub fn compile(&self) -> Result<Compiled<'_>, (&'static str, String)> {
        let path = Pattern::parse(&self.path).map_err(|m| ("path", m))?;
        let namespace_path =
            self.namespace_path.as_deref().map(Pattern::parse).transpose().map_err(|m| ("namespacePath", m))?;
        if let Some(ns) = &namespace_path {
            use super::path::Step;
            let count = |p: &Pattern, f: fn(&Step) -> bool| p.0.iter().filter(|s| f(s)).count();
            let shown = self.namespace_path.as_deref().unwrap_or_default();
            if count(ns, |s| matches!(s, Step::Glob(..) | Step::Deep)) > 0 {
                return Err(("namespacePath", format!("{shown:?} holds '*' or '**'; name the field exactly")));
            }
            let each = |p: &Pattern| count(p, |s| matches!(s, Step::Each));
            if each(ns) > each(&path) {
                return Err(("namespacePath", format!("{shown:?} has more '[]' than path {:?}", self.path)));
            }
            // Under `**` the elements `[]` takes are not the ones namespacePath's `[]` would.
            if each(ns) > 0 && count(&path, |s| matches!(s, Step::Deep)) > 0 {
                return Err(("namespacePath", format!("{shown:?} has '[]' but path {:?} has '**'", self.path)));
            }
        }
        let fallback = self.fallback.map(Pattern::parse).transpose().map_err(|m| ("fallback", m))?;
        let has = match self.when {
            When::Has(p) => Some(Pattern::parse(p).map_err(|m| ("when", m))?),
            _ => None,
        };
        if self.kind.is_empty() && self.scope == Scope::Kind {
            return Err(("kind", "empty kind".into()));
        }
        Ok(Compiled { rule: self, path, namespace_path, fallback, has })
    }
}

/// A rule with its paths parsed.
#[derive(Debug, Clone)]
pub struct Compiled<'a> {
    pub rule: &'a Rule,
    pub path: Pattern,
    pub namespace_path: Option<Pattern>,
    pub fallback: Option<Pattern>,
    /// The path of [`When::Has`].
    pub has: Option<Pattern>,
}
