//! Template values (SPEC §6), lowest to highest precedence: `values.files`
//! (deep-merged in order), `values.inline`, `ARGOCD_ENV_<NAME>` (as
//! `<NAME>`), `--set a.b=c`. Pure: the caller reads files and the
//! environment and passes them in.

use serde_json::{Map, Value};

/// Values given on the command line or by the host.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// `ARGOCD_ENV_<NAME>` variables, as (`NAME`, value).
    pub env: Vec<(String, String)>,
    /// `--set` / `--set-string`, as (dotted path, value), in order.
    pub sets: Vec<(String, Value)>,
}

/// Merges `over` into `base`: mappings key by key, anything else replaced.
pub fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Sets `a.b.c` in `root`, creating mappings on the way.
pub fn set_path(root: &mut Value, dotted: &str, value: Value) {
    let mut cur = root;
    let parts: Vec<&str> = dotted.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let map = cur.as_object_mut().expect("just made a mapping");
        if i + 1 == parts.len() {
            map.insert((*part).to_string(), value);
            return;
        }
        cur = map.entry((*part).to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
}

/// Parses `a.b=c`. Without `as_string`, `c` is typed as YAML would read it
/// (`3` a number, `true` a boolean, `null`); otherwise a string.
pub fn parse_set(arg: &str, as_string: bool) -> Result<(String, Value), String> {
    let Some((path, raw)) = arg.split_once('=') else {
        return Err(format!("--set {arg:?} has no '=' (write --set key=value)"));
    };
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(format!("--set {arg:?} has an empty key"));
    }
    let value = if as_string {
        Value::String(raw.to_string())
    } else if let Ok(n) = raw.parse::<i64>() {
        Value::from(n)
    } else if let Ok(f) = raw.parse::<f64>().map_err(|_| ()).and_then(|f| if f.is_finite() { Ok(f) } else { Err(()) }) {
        Value::from(f)
    } else {
        match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => Value::String(raw.to_string()),
        }
    };
    Ok((path.to_string(), value))
}

/// The effective values.
#[must_use]
pub fn effective(files: Vec<Value>, inline: Option<Value>, overrides: &Overrides) -> Value {
    let mut out = Value::Object(Map::new());
    for v in files.into_iter().chain(inline) {
        merge(&mut out, v);
    }
    for (k, v) in &overrides.env {
        set_path(&mut out, k, Value::String(v.clone()));
    }
    for (k, v) in &overrides.sets {
        set_path(&mut out, k, v.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn precedence_and_deep_merge() {
        let files = vec![json!({"a": {"x": 1, "y": 1}, "list": [1, 2]}), json!({"a": {"y": 2}, "list": [3]})];
        let o = Overrides {
            env: vec![("ENV".into(), "from-env".into()), ("b".into(), "env".into())],
            sets: vec![("a.z".into(), json!(true)), ("b".into(), json!("set"))],
        };
        let v = effective(files, Some(json!({"a": {"x": 9}, "b": "inline"})), &o);
        assert_eq!(v, json!({"a": {"x": 9, "y": 2, "z": true}, "list": [3], "b": "set", "ENV": "from-env"}));
    }

    #[test]
    fn set_parsing() {
        assert_eq!(parse_set("a.b=3", false).unwrap(), ("a.b".into(), json!(3)));
        assert_eq!(parse_set("a=3", true).unwrap(), ("a".into(), json!("3")));
        assert_eq!(parse_set("a=x=y", false).unwrap(), ("a".into(), json!("x=y")));
        assert_eq!(parse_set("a=0.5", false).unwrap(), ("a".into(), json!(0.5)));
        assert_eq!(parse_set("a=nan", false).unwrap(), ("a".into(), json!("nan")));
        assert!(parse_set("novalue", false).unwrap_err().contains("no '='"));
        assert!(parse_set("a..b=1", false).is_err());
    }
}
