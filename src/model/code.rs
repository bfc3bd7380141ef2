//! Finding codes: one closed set, so a misspelt code is a compile error
//! rather than a finding that silently never matches. Each code's text is
//! stable: it is printed (`warning[unused-bundle]`), in `check --format
//! json`, and documented in docs/commands.md.

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// What a finding is about. Ordered by its text, as findings are
        /// sorted in the output.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code as printed and documented.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    /// A reference names nothing in the output.
    DanglingReference = "dangling-reference",
    /// A reference needs a key its object lacks.
    MissingKey = "missing-key",
    /// A renamed object's original name is still used.
    StaleReference = "stale-reference",
    /// A Secret of a well-known type lacks a required key.
    SecretMissingKeys = "secret-missing-keys",
    /// A name the API server refuses.
    InvalidName = "invalid-name",
    /// A bundle value that is not a string or not valid base64.
    InvalidData = "invalid-data",
    /// A `references:` rule for a kind no object has.
    UnusedReferenceRule = "unused-reference-rule",
    /// A generator folder's subfolder was not read.
    SubfolderSkipped = "subfolder-skipped",
    /// Kept its name: a controller writes it.
    UnversionedProvided = "unversioned-provided",
    /// Kept its name: a reference pins it (its name is part of a path the
    /// workload reads).
    UnversionedPinned = "unversioned-pinned",
    /// Kept its name: an empty placeholder something fills at run time.
    UnversionedPlaceholder = "unversioned-placeholder",
    /// Kept its name: the name is used where no reference can be rewritten.
    UnversionedNameUsed = "unversioned-name-used",
    /// Kept its name: RBAC grants access to it by name.
    UnversionedRbac = "unversioned-rbac",
    /// Kept its name: on the fixed-name list.
    UnversionedFixedName = "unversioned-fixed-name",
    /// Kept its name: a PersistentVolume or StorageClass names it.
    UnversionedPv = "unversioned-pv",
    /// Kept its name: never versioned (generateName, or a Secret type the
    /// API server manages by name), even when annotated.
    NeverVersioned = "never-versioned",
    /// Kept its name: already versioned (a render read back).
    AlreadyVersioned = "already-versioned",
    /// Not versioned: nothing references it (`versionResources: referenced`).
    Unreferenced = "unreferenced",
    /// A versioned object read back whose content changed.
    ContentChanged = "content-changed",
    /// A generated or versioned bundle nothing uses.
    UnusedBundle = "unused-bundle",
    /// A mutable ConfigMap/Secret read through env.
    MutableEnvConfig = "mutable-env-config",
    /// `${VAR}` in a versioned bundle.
    FluxSubstitution = "flux-substitution",
    /// A strict-scoped SealedSecret.
    SealedSecretStrict = "sealed-secret-strict",
    /// A Secret written by External Secrets that a workload reads.
    ExternalSecretConsumed = "external-secret-consumed",
    /// A Secret's content hash without a key.
    UnkeyedSecretHash = "unkeyed-secret-hash",
    /// A Secret in plain text in the repository.
    PlaintextSecret = "plaintext-secret",
    /// A YAML 1.1 value that kubectl reads differently.
    Yaml11Ambiguous = "yaml11-ambiguous",
    /// A PersistentVolume using a versioned Secret.
    PvVersioned = "pv-versioned",
    /// A Job or bare Pod using a versioned bundle.
    ImmutableTemplate = "immutable-template",
    /// `imprint fn`: the render failed.
    RenderFailed = "render-failed",
    /// keepVersions: a revision could not be read.
    HistoryUnreadable = "history-unreadable",
    /// keepVersions: the clone is shallow.
    HistoryShallow = "history-shallow",
    /// keepVersions: --history-depth reached.
    HistoryDepth = "history-depth",
    /// keepVersions: a limit reached.
    HistoryBudget = "history-budget",
}

impl Code {
    /// A note that an object kept its name for safety: counted in one
    /// line by `render` without `-v`.
    #[must_use]
    pub fn keeps_name(self) -> bool {
        self.as_str().starts_with("unversioned-") || matches!(self, Code::NeverVersioned | Code::AlreadyVersioned)
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn codes_sort_by_their_text() {
        let mut by_enum = Code::ALL.to_vec();
        by_enum.sort();
        let mut by_text: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        by_text.sort_unstable();
        assert_eq!(by_enum.iter().map(|c| c.as_str()).collect::<Vec<_>>(), by_text);
    }

    #[test]
    fn codes_are_distinct_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(c.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{c}");
        }
    }
}
