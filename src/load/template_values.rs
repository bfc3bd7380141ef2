//! Template values and `.hbs` templates.

use super::budget::{Tally, within};
use super::utf8;
use crate::config::{self, RenderConfig};
use crate::error::{Error, ErrorKind, Result, config_error};
use crate::source::{Backend, Confined};
use crate::template::Template;
use crate::values::{self, Overrides};
use crate::yaml;
use serde_json::{Map, Value};

/// Reads `values.files` (confined, mappings only) and merges everything.
/// Returns the values and the files' normalized paths.
pub fn read_values<B: Backend>(
    src: &Confined<B>,
    config: &RenderConfig,
    overrides: &Overrides,
) -> Result<(Value, Vec<String>)> {
    read_values_counted(src, config, overrides).map(|(values, paths, _)| (values, paths))
}

/// [`read_values`], also counting the values files' documents and nodes:
/// they take their share of the totals the manifests are held to.
pub fn read_values_counted<B: Backend>(
    src: &Confined<B>,
    config: &RenderConfig,
    overrides: &Overrides,
) -> Result<(Value, Vec<String>, Tally)> {
    let limits = src.limits();
    let mut total = Tally::default();
    let mut files = Vec::new();
    let mut paths = Vec::new();
    for (i, located) in config.values.files.iter().enumerate() {
        let path = &located.value;
        let at = |e: Error| e.in_file(config::FILE_NAME).at_line(located.line).field(format!("values.files[{i}]"));
        let norm = crate::source::normalize("", path).map_err(at)?;
        let text = utf8(src.read(path).map_err(at)?, &norm)?;
        let docs = within(total, limits, &norm, |budget| yaml::parse_stream_limited(&text, &norm, budget))?;
        total.add(Tally::of(&docs), &norm, limits)?;
        let value = match docs.into_iter().next() {
            None => Value::Object(Map::new()),
            Some(d) if d.value.is_object() => d.value,
            Some(d) => {
                return Err(config_error("a values file must hold one mapping").in_file(norm.clone()).at_line(d.line));
            }
        };
        files.push(value);
        paths.push(norm);
    }
    Ok((values::effective(files, config.values.inline.clone(), overrides), paths, total))
}

/// Whether a resource file is a template (`*.yaml.hbs`, `*.json.hbs`, …),
/// rendered before it is parsed.
pub(super) fn is_template(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".hbs")
}

/// Renders a `*.yaml.hbs` / `*.yml.hbs` / `*.json.hbs` resource on the
/// render's template budget.
pub(super) fn render_template(
    text: &str,
    path: &str,
    values: &Value,
    budget: &std::sync::Arc<crate::template::Budget>,
) -> Result<String> {
    let at = |e: crate::template::TemplateError| {
        let err = Error::new(ErrorKind::Template(e.message)).in_file(path);
        match e.line {
            Some(l) => err.at_line(l),
            None => err,
        }
    };
    Template::yaml(text).map_err(at)?.budget(budget).render(values).map_err(at)
}
