//! The process environment, read once: what Argo CD gives a plugin
//! (`ARGOCD_ENV_*`, `ARGOCD_APP_PARAMETERS`, `ARGOCD_APP_NAMESPACE`) and
//! `NO_COLOR`. Flags' `IMPRINT_*` fallbacks are clap's. Nothing here ever
//! reaches a bundle except as template values.

use super::args::ValueArgs;
use crate::error::{Error, ErrorKind};
use crate::values::{self, Overrides};

/// What imprint reads of its environment, read once in `main`.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `ARGOCD_ENV_<NAME>` as (NAME, value), sorted by name, so the
    /// process environment's order cannot change the output.
    pub argocd_env: Vec<(String, String)>,
    /// `ARGOCD_APP_PARAMETERS`, unparsed.
    pub app_parameters: Option<String>,
    /// `ARGOCD_APP_NAMESPACE`, when set and not empty.
    pub app_namespace: Option<String>,
    /// `NO_COLOR`, when set and not empty.
    pub no_color: bool,
}

impl Environment {
    /// Reads the process environment.
    #[must_use]
    pub fn read() -> Self {
        let mut argocd_env: Vec<(String, String)> = std::env::vars()
            .filter_map(|(k, v)| k.strip_prefix("ARGOCD_ENV_").filter(|n| !n.is_empty()).map(|n| (n.to_string(), v)))
            .collect();
        argocd_env.sort();
        Environment {
            argocd_env,
            app_parameters: std::env::var("ARGOCD_APP_PARAMETERS").ok(),
            app_namespace: std::env::var("ARGOCD_APP_NAMESPACE").ok().filter(|n| !n.is_empty()),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }

    /// The template value overrides: `ARGOCD_ENV_*` and Argo CD's
    /// parameters, then `--set` and `--set-string`.
    pub fn overrides(&self, values: &ValueArgs) -> Result<Overrides, Error> {
        let mut sets = self.app_parameters()?;
        for (list, as_string) in [(&values.set, false), (&values.set_string, true)] {
            for arg in list {
                sets.push(values::parse_set(arg, as_string).map_err(|m| Error::new(ErrorKind::Usage(m)))?);
            }
        }
        Ok(Overrides { env: self.argocd_env.clone(), sets })
    }

    /// Argo CD passes a plugin's parameters as JSON in `ARGOCD_APP_PARAMETERS`
    /// (`[{"name": "replicas", "string": "3"}, {"name": "values", "map": {…}}]`).
    /// A parameter named `values` merges its map at the top level; any other sets
    /// the value at its (dotted) name. They rank with `ARGOCD_ENV_*`, below `--set`.
    fn app_parameters(&self) -> Result<Vec<(String, serde_json::Value)>, Error> {
        let Some(text) = &self.app_parameters else { return Ok(Vec::new()) };
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let bad = |why: &str| Error::new(ErrorKind::Usage(format!("ARGOCD_APP_PARAMETERS {why}")));
        let list: serde_json::Value = serde_json::from_str(text).map_err(|_| bad("is not JSON"))?;
        let mut out = Vec::new();
        for p in list.as_array().ok_or_else(|| bad("is not a list"))? {
            let Some(name) = p.get("name").and_then(serde_json::Value::as_str) else { continue };
            let value = ["string", "array", "map"].iter().find_map(|k| p.get(*k)).cloned();
            match (name, value) {
                ("values", Some(serde_json::Value::Object(m))) => {
                    out.extend(m);
                }
                (name, Some(v)) if !name.is_empty() => out.push((name.to_string(), v)),
                _ => {}
            }
        }
        Ok(out)
    }
}
