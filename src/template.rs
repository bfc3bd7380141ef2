//! The only module that touches handlebars.
//!
//! Strict mode (a missing variable is an error, not an empty string), no HTML
//! escaping (names and config are not HTML), and no helper that reads files,
//! the environment or runs a command: only the built-in logic helpers.

use handlebars::Handlebars;
use serde::Serialize;

/// A compiled template.
pub struct Template {
    registry: Handlebars<'static>,
}

const NAME: &str = "t";

impl Template {
    /// Compiles `text`; the error message says what is wrong, without a path.
    pub fn new(text: &str) -> Result<Self, String> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        registry.set_prevent_indent(true);
        registry.register_template_string(NAME, text).map_err(|e| first_line(&e.to_string()))?;
        Ok(Template { registry })
    }

    /// Renders with `data` as the root context.
    pub fn render<T: Serialize>(&self, data: &T) -> Result<String, String> {
        self.registry.render(NAME, data).map_err(|e| first_line(&e.to_string()))
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_and_unescaped() {
        let t = Template::new("{{name}}-{{hash}}").unwrap();
        assert_eq!(t.render(&json!({"name": "a<b>&", "hash": "x"})).unwrap(), "a<b>&-x");
        let err = t.render(&json!({"name": "a"})).unwrap_err();
        assert!(err.contains("hash"), "{err}");
        assert!(Template::new("{{#if}}").is_err());
    }
}
