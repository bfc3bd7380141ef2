//! imprint.yaml, parsed strictly (an unknown field is an error naming it).

use crate::config::{self, RenderConfig};
use crate::error::{Result, config_error};
use crate::yaml;

/// Parses and checks imprint.yaml.
pub fn parse_config(text: &str, file: &str) -> Result<RenderConfig> {
    let config: RenderConfig = yaml::parse_typed(text, file)?;
    let err = |msg: String| config_error(msg).in_file(file);
    if let Some(v) = &config.api_version
        && v != config::API_VERSION
    {
        return Err(err(format!("apiVersion is {v:?}; expected {:?}", config::API_VERSION)).field("apiVersion"));
    }
    if let Some(k) = &config.kind
        && k != config::KIND
    {
        return Err(err(format!("kind is {k:?}; expected {:?}", config::KIND)).field("kind"));
    }
    if config.values.inline.as_ref().is_some_and(|v| !v.is_object()) {
        return Err(err("values.inline is not a mapping".into()).field("values.inline"));
    }
    for (i, g) in config.config_map_generator.iter().enumerate() {
        if g.value.type_.is_some() {
            return Err(err("`type` is only valid in secretGenerator".into())
                .at_line(g.line)
                .field(format!("configMapGenerator[{i}].type")));
        }
    }
    let n = config.naming.hash_length;
    if !(6..=crate::version::hash::FULL_LEN).contains(&n) {
        return Err(err(format!(
            "naming.hashLength is {n}; it must be between 6 and {}",
            crate::version::hash::FULL_LEN
        ))
        .field("naming.hashLength"));
    }
    for (i, rule) in config.references.iter().enumerate() {
        rule.compile().map_err(|(what, m)| {
            err(format!("references[{i}].{what}: {m}")).field(format!("references[{i}].{what}"))
        })?;
    }
    Ok(config)
}
