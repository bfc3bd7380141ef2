//! The imprint.yaml schema (SPEC §3). Unknown fields are errors: a typo
//! silently ignored would ship a different config than the author meant.

use crate::refs::Rule;
use crate::yaml::Located;
use indexmap::IndexMap;
use serde::Deserialize;

pub const API_VERSION: &str = "imprint.dev/v1alpha1";
pub const KIND: &str = "Render";
pub const FILE_NAME: &str = "imprint.yaml";

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RenderConfig {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    /// Files, folders (recursive) or globs. `None`: everything (SPEC §3).
    pub resources: Option<Vec<Located<String>>>,
    #[serde(default)]
    pub config_map_generator: Vec<Located<Generator>>,
    #[serde(default)]
    pub secret_generator: Vec<Located<Generator>>,
    /// Handlebars values (SPEC §6).
    #[serde(default)]
    pub values: ValuesConfig,
    #[serde(default)]
    pub naming: Naming,
    #[serde(default)]
    pub version_resources: VersionResources,
    #[serde(default)]
    pub external_names: Vec<String>,
    /// Previous versions of each bundle to keep (SPEC §9); needs git history.
    pub keep_versions: Option<u32>,
    #[serde(default)]
    /// Extra reference rules for custom resources (SPEC §5), in the
    /// built-in table's own rule type.
    pub references: Vec<Rule>,
}

/// `values:` in imprint.yaml.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ValuesConfig {
    /// YAML files, deep-merged in order.
    #[serde(default)]
    pub files: Vec<Located<String>>,
    /// A mapping, merged over the files.
    pub inline: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Generator {
    pub name: String,
    pub namespace: Option<String>,
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub envs: Vec<String>,
    #[serde(default)]
    pub literals: Vec<String>,
    #[serde(default)]
    pub options: GeneratorOptions,
    /// Secret type; only valid in `secretGenerator`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GeneratorOptions {
    #[serde(default)]
    pub labels: IndexMap<String, String>,
    #[serde(default)]
    pub annotations: IndexMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Naming {
    #[serde(default = "default_template")]
    pub template: String,
    #[serde(default = "default_hash_length")]
    pub hash_length: usize,
}

fn default_template() -> String {
    "{{name}}-{{hash}}".to_string()
}

fn default_hash_length() -> usize {
    10
}

impl Default for Naming {
    fn default() -> Self {
        Naming { template: default_template(), hash_length: default_hash_length() }
    }
}

/// Which resources' ConfigMaps/Secrets get versioned (SPEC §4).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum VersionResources {
    None,
    #[default]
    Referenced,
    All,
}
