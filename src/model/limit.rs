//! The resource limits by name, and the flag that raises each.

/// Which limit an input went past. Errors carry this rather than the flag
/// text, so code that maps one limit's error to another (a file's parser
/// budget that is really what is left of a total) matches on a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    FileSize,
    InputSize,
    Documents,
    YamlNodes,
    Depth,
    AliasExpansion,
    BundleKeys,
    TemplateIterations,
    OutputSize,
}

impl Limit {
    /// Every limit, in the order of docs/limits.md's table.
    pub const ALL: [Limit; 9] = [
        Limit::FileSize,
        Limit::InputSize,
        Limit::Documents,
        Limit::YamlNodes,
        Limit::Depth,
        Limit::AliasExpansion,
        Limit::BundleKeys,
        Limit::TemplateIterations,
        Limit::OutputSize,
    ];

    /// The command-line flag that raises it (also `IMPRINT_MAX_*`).
    #[must_use]
    pub fn flag(self) -> &'static str {
        match self {
            Limit::FileSize => "--max-file-size",
            Limit::InputSize => "--max-input-size",
            Limit::Documents => "--max-documents",
            Limit::YamlNodes => "--max-yaml-nodes",
            Limit::Depth => "--max-depth",
            Limit::AliasExpansion => "--max-alias-expansion",
            Limit::BundleKeys => "--max-bundle-keys",
            Limit::TemplateIterations => "--max-template-iterations",
            Limit::OutputSize => "--max-output-size",
        }
    }
}
