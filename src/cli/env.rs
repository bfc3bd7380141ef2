//! The process environment, read once: what Argo CD gives a plugin
//! (`ARGOCD_ENV_*`, `ARGOCD_APP_PARAMETERS`, `ARGOCD_APP_NAMESPACE`) and
//! `NO_COLOR`. Flags' `IMPRINT_*` fallbacks are clap's. Nothing here ever
//! reaches a bundle except as template values.

use super::args::ValueArgs;
use crate::error::{Error, ErrorKind};
use crate::values::{self, Overrides};

/// What imprint reads of its environment, read once in `main`.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `ARGOCD_ENV_<NAME>` as (NAME, value), sorted by name, so the
    /// process environment's order cannot change the output; or the name
    /// of one whose name or value is not UTF-8 (an error for the commands
    /// that read template values, nothing for the others).
    pub argocd_env: Result<Vec<(String, String)>, String>,
    /// `ARGOCD_APP_PARAMETERS`, unparsed (the same rule for non-UTF-8).
    pub app_parameters: Result<Option<String>, String>,
    /// `ARGOCD_APP_NAMESPACE`, when set, UTF-8 and not empty.
    pub app_namespace: Option<String>,
    /// `NO_COLOR`, when set and not empty.
    pub no_color: bool,
}

impl Environment {
    /// Reads the process environment. Never fails: a variable that is not
    /// UTF-8 is an error only where it is used, and any other is ignored
    /// (`std::env::vars` would panic on it).
    #[must_use]
    pub fn read() -> Self {
        let mut argocd_env = Ok(Vec::new());
        for (k, v) in std::env::vars_os() {
            let Some(name) = k.to_str().and_then(|k| k.strip_prefix("ARGOCD_ENV_")) else {
                if k.as_encoded_bytes().starts_with(b"ARGOCD_ENV_") {
                    argocd_env = Err(String::from_utf8_lossy(k.as_encoded_bytes()).into_owned());
                }
                continue;
            };
            match (v.into_string(), &mut argocd_env) {
                _ if name.is_empty() => {}
                (Ok(v), Ok(list)) => list.push((name.to_string(), v)),
                (Err(_), _) => argocd_env = Err(format!("ARGOCD_ENV_{name}")),
                (Ok(_), Err(_)) => {}
            }
        }
        if let Ok(list) = &mut argocd_env {
            list.sort();
        }
        let app_parameters = match std::env::var("ARGOCD_APP_PARAMETERS") {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err("ARGOCD_APP_PARAMETERS".to_string()),
        };
        Environment {
            argocd_env,
            app_parameters,
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
        let env = self.argocd_env.clone().map_err(not_utf8)?;
        Ok(Overrides { env, sets })
    }

    /// Argo CD passes a plugin's parameters as JSON in `ARGOCD_APP_PARAMETERS`
    /// (`[{"name": "replicas", "string": "3"}, {"name": "values", "map": {…}}]`).
    /// A parameter named `values` merges its map at the top level; any other sets
    /// the value at its (dotted) name. They rank with `ARGOCD_ENV_*`, below `--set`.
    fn app_parameters(&self) -> Result<Vec<(String, serde_json::Value)>, Error> {
        let Some(text) = self.app_parameters.clone().map_err(not_utf8)? else { return Ok(Vec::new()) };
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let bad = |why: &str| Error::new(ErrorKind::Usage(format!("ARGOCD_APP_PARAMETERS {why}")));
        let list: serde_json::Value = serde_json::from_str(&text).map_err(|_| bad("is not JSON"))?;
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

/// The error for an environment variable that is not UTF-8.
fn not_utf8(name: String) -> Error {
    Error::new(ErrorKind::Usage(format!("environment variable {name} is not valid UTF-8")))
}
