//! The only module that touches handlebars.
//!
//! Strict mode (a missing variable is an error naming it, not an empty
//! string), no HTML escaping (names and config are not HTML), no partials,
//! and only helpers that compute on their arguments: nothing reads files or
//! the environment or runs a command (handlebars' script and directory
//! features are off). Helpers: `json`, `default`, `required`, `upper`,
//! `lower`, `b64enc`, `indent`, `toYaml`, plus handlebars' built-in logic
//! (`if`, `unless`, `each`, `with`, `lookup`, `eq`, `ne`, `and`, `or`, `not`, …).

mod helpers;

use crate::limits::Limit;
use handlebars::{
    BlockContext, BlockParams, Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderError, RenderErrorReason, Renderable, TemplateErrorReason,
};
use helpers::*;
use serde::Serialize;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// What all the templates of one render may do together: loop iterations
/// and bytes of output. Shared, so that a thousand small templates get no
/// more than one large one, and taken before the work is done: nested
/// loops over a few hundred values would otherwise spin for hours without
/// writing a byte.
#[derive(Debug)]
pub struct Budget {
    iterations: u64,
    output: u64,
    iterations_left: AtomicU64,
    output_left: AtomicU64,
}

impl Budget {
    /// A budget of `iterations` loop iterations (`--max-template-iterations`)
    /// and `output` bytes (`--max-output-size`).
    #[must_use]
    pub fn new(iterations: u64, output: u64) -> Arc<Budget> {
        Arc::new(Budget {
            iterations,
            output,
            iterations_left: AtomicU64::new(iterations),
            output_left: AtomicU64::new(output),
        })
    }

    /// The budget of one render under `limits`.
    #[must_use]
    pub fn of(limits: &crate::limits::Limits) -> Arc<Budget> {
        Budget::new(limits.max_template_iterations, limits.max_output_bytes)
    }

    /// The budget of the default limits.
    #[must_use]
    pub fn default_limits() -> Arc<Budget> {
        Arc::new(Budget::default())
    }

    fn take(left: &AtomicU64, n: u64) -> bool {
        left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| l.checked_sub(n)).is_ok()
    }

    fn loop_error(&self) -> RenderError {
        RenderErrorReason::Other(format!(
            "templates loop more than the limit of {} times in all (raise it with {})",
            self.iterations,
            Limit::TemplateIterations.flag()
        ))
        .into()
    }

    fn output_message(&self) -> String {
        format!(
            "templates render more than the limit of {} bytes in all (raise it with {})",
            self.output,
            Limit::OutputSize.flag()
        )
    }
}

impl Default for Budget {
    fn default() -> Self {
        let l = crate::limits::Limits::default();
        Budget {
            iterations: l.max_template_iterations,
            output: l.max_output_bytes,
            iterations_left: AtomicU64::new(l.max_template_iterations),
            output_left: AtomicU64::new(l.max_output_bytes),
        }
    }
}

/// The budget a template draws on; set after the template is compiled.
type Slot = Arc<Mutex<Arc<Budget>>>;

fn budget_of(slot: &Slot) -> Arc<Budget> {
    slot.lock().map_or_else(|poisoned| poisoned.into_inner().clone(), |b| b.clone())
}

/// A template error: what, and the line in the template when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub line: Option<u64>,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A compiled template.
pub struct Template {
    registry: Handlebars<'static>,
    /// Set when a `{{value}}` inserted a line break (see [`Template::yaml`]).
    multiline: Arc<AtomicBool>,
    guard_lines: bool,
    budget: Slot,
}

const NAME: &str = "t";

/// A writer that stops the render as soon as the output passes the budget
/// (checking afterwards would already have spent the memory).
struct Capped {
    buf: Vec<u8>,
    budget: Arc<Budget>,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if !Budget::take(&self.budget.output_left, data.len() as u64) {
            self.over = true;
            return Err(std::io::Error::other("template output limit"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Refuses partials and decorators (`{{> p}}`, `{{#*inline "p"}}`) before
/// anything renders: no budget counts their calls, and two calls a level
/// make 2^n of them from a 1 KB file, one that calls itself overflows the
/// stack. Missing partials already fail at render; inline ones would not.
fn refuse_partials(compiled: &handlebars::template::Template) -> Result<(), TemplateError> {
    use handlebars::template::TemplateElement as E;
    // A stack, not recursion: blocks may nest as deep as the parser allows.
    let mut pending = vec![compiled];
    while let Some(t) = pending.pop() {
        for (i, element) in t.elements.iter().enumerate() {
            let what = match element {
                E::PartialExpression(_) | E::PartialBlock(_) => "partials are not supported (`{{> name}}`)",
                E::DecoratorExpression(_) | E::DecoratorBlock(_) => {
                    "decorators and inline partials are not supported (`{{*name}}`, `{{#*inline}}`)"
                }
                E::HelperBlock(h) | E::Expression(h) | E::HtmlExpression(h) => {
                    pending.extend(h.template.iter().chain(h.inverse.iter()));
                    continue;
                }
                _ => continue,
            };
            let line = t.mapping.get(i).map(|m| m.0 as u64);
            return Err(TemplateError { message: what.into(), line });
        }
    }
    Ok(())
}

fn template_error(e: &handlebars::TemplateError) -> TemplateError {
    let message = match e.reason() {
        TemplateErrorReason::InvalidSyntax(_) => "template syntax error".to_string(),
        other => other.to_string(),
    };
    TemplateError { message, line: e.pos().map(|(l, _)| l as u64) }
}

fn render_error(e: &RenderError) -> TemplateError {
    let message = match e.reason() {
        RenderErrorReason::MissingVariable(Some(path)) => format!("missing variable `{path}`"),
        RenderErrorReason::MissingVariable(None) => "missing variable".to_string(),
        RenderErrorReason::HelperNotFound(name) => format!("unknown helper `{name}`"),
        RenderErrorReason::PartialNotFound(name) => format!("partials are not supported (`{{{{> {name}}}}}`)"),
        other => other.to_string().lines().next().unwrap_or_default().to_string(),
    };
    TemplateError { message, line: e.line_no.map(|l| l as u64) }
}

/// handlebars' `each` (arrays and objects, `@index`, `@key`, `@first`,
/// `@last`, block parameters, `{{else}}`), taking its iterations from the
/// budget before it starts.
struct CountedEach {
    budget: Slot,
}

impl HelperDef for CountedEach {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let value = h.param(0).ok_or(RenderErrorReason::ParamNotFoundForIndex("each", 0))?;
        let Some(body) = h.template() else {
            return Ok(());
        };
        let items: Vec<(Value, &Value)> = match value.value() {
            Value::Array(list) => list.iter().enumerate().map(|(i, v)| (Value::from(i), v)).collect(),
            Value::Object(map) => map.iter().map(|(k, v)| (Value::String(k.clone()), v)).collect(),
            _ => Vec::new(),
        };
        let iterable = matches!(value.value(), Value::Array(_) | Value::Object(_));
        if !iterable || (items.is_empty() && h.inverse().is_some()) {
            return match h.inverse() {
                Some(otherwise) => otherwise.render(r, ctx, rc, out),
                None if iterable => Ok(()),
                None => Err(RenderError::strict_error(value.relative_path())),
            };
        }
        let budget = budget_of(&self.budget);
        if !Budget::take(&budget.iterations_left, items.len() as u64) {
            return Err(budget.loop_error());
        }
        crate::work::add(crate::work::Site::TemplateLoop, items.len() as u64);
        let path = value.context_path();
        let mut block = BlockContext::new();
        match path {
            Some(p) => block.base_path_mut().clone_from(p),
            None => block.set_base_value(value.value().clone()),
        }
        rc.push_block(block);
        let last = items.len().saturating_sub(1);
        for (i, (key, item)) in items.iter().enumerate() {
            if let Some(block) = rc.block_mut() {
                block.set_local_var("first", Value::Bool(i == 0));
                block.set_local_var("last", Value::Bool(i == last));
                block.set_local_var("index", Value::from(i));
                if key.is_string() {
                    block.set_local_var("key", key.clone());
                }
                let segment = key.as_str().map_or_else(|| i.to_string(), str::to_string);
                match path {
                    Some(p) if i == 0 => {
                        let mut base = p.clone();
                        base.push(segment);
                        *block.base_path_mut() = base;
                    }
                    Some(_) => {
                        if let Some(end) = block.base_path_mut().last_mut() {
                            *end = segment;
                        }
                    }
                    None => block.set_base_value((*item).clone()),
                }
                let mut params = BlockParams::new();
                let name = h.block_param().or_else(|| h.block_param_pair().map(|(v, _)| v));
                if let Some(name) = name {
                    match path {
                        Some(_) => params.add_path(name, Vec::new())?,
                        None => params.add_value(name, (*item).clone())?,
                    }
                    if let Some((_, key_name)) = h.block_param_pair() {
                        params.add_value(key_name, key.clone())?;
                    }
                    block.set_block_params(params);
                }
            }
            body.render(r, ctx, rc, out)?;
        }
        rc.pop_block();
        Ok(())
    }
}

impl Template {
    fn build(text: &str, guard_lines: bool) -> Result<Self, TemplateError> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.set_prevent_indent(true);
        let multiline = Arc::new(AtomicBool::new(false));
        let flag = multiline.clone();
        registry.register_escape_fn(move |s: &str| {
            if s.contains('\n') {
                flag.store(true, Ordering::Relaxed);
            }
            s.to_string()
        });
        let budget: Slot = Arc::new(Mutex::new(Budget::default_limits()));
        let helpers: [(&str, Compute); 8] = [
            ("json", json),
            ("default", default),
            ("required", required),
            ("upper", upper),
            ("lower", lower),
            ("b64enc", b64enc),
            ("indent", indent),
            ("toYaml", to_yaml),
        ];
        for (name, compute) in helpers {
            register(&mut registry, name, &budget, compute);
        }
        registry.register_helper("each", Box::new(CountedEach { budget: budget.clone() }));
        registry.register_template_string(NAME, text).map_err(|e| template_error(&e))?;
        if let Some(compiled) = registry.get_template(NAME) {
            refuse_partials(compiled)?;
        }
        Ok(Template { registry, multiline, guard_lines, budget })
    }

    /// A template for plain text (names, generator files).
    pub fn new(text: &str) -> Result<Self, TemplateError> {
        Self::build(text, false)
    }

    /// A template whose output is parsed as YAML: a `{{value}}` that inserts
    /// a line break is an error, because it could add keys or documents the
    /// template does not show. `{{json x}}`, `{{indent n x}}` and
    /// `{{toYaml x}}` insert multi-line values safely; `{{{x}}}` is the
    /// explicit raw opt-out.
    pub fn yaml(text: &str) -> Result<Self, TemplateError> {
        Self::build(text, true)
    }

    /// Draws on `budget`, shared with the other templates of a render (the
    /// default is a budget of the default limits, for this template alone).
    #[must_use]
    pub fn budget(self, budget: &Arc<Budget>) -> Self {
        if let Ok(mut slot) = self.budget.lock() {
            *slot = budget.clone();
        }
        self
    }

    /// Renders with `data` as the root context. The output is capped: a
    /// loop over a large value must not turn a small repository into
    /// gigabytes of YAML.
    pub fn render<T: Serialize>(&self, data: &T) -> Result<String, TemplateError> {
        self.multiline.store(false, Ordering::Relaxed);
        let budget = budget_of(&self.budget);
        let mut sink = Capped { buf: Vec::new(), budget: budget.clone(), over: false };
        let rendered = self.registry.render_to_write(NAME, data, &mut sink);
        if sink.over {
            return Err(TemplateError { message: budget.output_message(), line: None });
        }
        rendered.map_err(|e| render_error(&e))?;
        let out = String::from_utf8(sink.buf).map_err(|_| TemplateError { message: "not UTF-8".into(), line: None })?;
        if self.guard_lines && self.multiline.load(Ordering::Relaxed) {
            return Err(TemplateError {
                message: "a value inserted with {{…}} contains a line break, which could add YAML keys or documents; use {{json x}}, or {{indent n x}} in a block scalar".into(),
                line: None,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(t: &str, v: Value) -> Result<String, TemplateError> {
        Template::yaml(t)?.render(&v)
    }

    #[test]
    fn counted_each_behaves_like_handlebars_each() {
        let v = json!({"xs": ["a", "b"], "m": {"k1": 1, "k2": 2}, "empty": [], "top": "T", "rows": [{"n": [1, 2]}]});
        let t = |s: &str| Template::new(s).unwrap().render(&v).unwrap();
        assert_eq!(
            t("{{#each xs}}{{@index}}{{this}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}};{{/each}}"),
            "0aF;1bL;"
        );
        assert_eq!(t("{{#each m}}{{@key}}={{this}},{{/each}}"), "k1=1,k2=2,");
        assert_eq!(t("{{#each xs as |x i|}}{{i}}:{{x}} {{/each}}"), "0:a 1:b ");
        assert_eq!(t("{{#each m as |v k|}}{{k}}{{v}}{{/each}}"), "k11k22");
        assert_eq!(t("{{#each empty}}x{{else}}none{{/each}}"), "none");
        assert_eq!(t("{{#each xs}}{{../top}}{{@root.top}}{{/each}}"), "TTTT");
        assert_eq!(t("{{#each rows}}{{#each n}}{{this}}{{../n.[0]}}|{{/each}}{{/each}}"), "11|21|");
        assert_eq!(t("{{#each xs}}{{lookup ../xs @index}}{{/each}}"), "ab");
        let err = Template::new("{{#each nope}}x{{/each}}").unwrap().render(&v).unwrap_err();
        assert_eq!(err.message, "missing variable `nope`");
    }

    #[test]
    fn loops_and_indent_draw_on_a_shared_budget() {
        let v = json!({"n": (0..100).collect::<Vec<_>>(), "s": "a\n".repeat(1000)});
        let budget = Budget::new(10_100, 1 << 20);
        let a = Template::new("{{#each n}}{{#each ../n}}{{/each}}{{/each}}").unwrap().budget(&budget);
        assert_eq!(a.render(&v).unwrap(), "");
        // 100 + 100 x 100 = 10,100 iterations: the second render has 0 left.
        let err = a.render(&v).unwrap_err();
        assert!(err.message.starts_with("templates loop more than the limit of 10100 times"), "{}", err.message);
        // indent refuses a result larger than what is left, before building it.
        let small = Budget::new(10, 1000);
        let err = Template::new("{{indent 200 s}}").unwrap().budget(&small).render(&v).unwrap_err();
        assert!(err.message.contains("more than the limit of 1000 bytes"), "{}", err.message);
    }

    #[test]
    fn strict_and_unescaped() {
        let t = Template::new("{{name}}-{{hash}}").unwrap();
        assert_eq!(t.render(&json!({"name": "a<b>&", "hash": "x"})).unwrap(), "a<b>&-x");
        let err = t.render(&json!({"name": "a"})).unwrap_err();
        assert_eq!(err.message, "missing variable `hash`");
        assert_eq!(Template::new("a\n{{#if}}").err().unwrap().line, Some(2));
    }

    #[test]
    fn helpers() {
        let v = json!({"s": "He said \"hi\"\nbye", "n": 3, "m": {"a": [1, 2]}, "e": ""});
        assert_eq!(r("{{json s}}", v.clone()).unwrap(), r#""He said \"hi\"\nbye""#);
        assert_eq!(r("{{default e \"x\"}} {{default nope 1}} {{default n 1}}", v.clone()).unwrap(), "x 1 3");
        assert_eq!(r("{{upper \"ab\"}}{{lower \"CD\"}}{{b64enc \"hi\"}}", v.clone()).unwrap(), "ABcdaGk=");
        assert_eq!(r("k: |\n  {{indent 2 s}}", v.clone()).unwrap(), "k: |\n  He said \"hi\"\n  bye");
        assert_eq!(r("m:\n  {{indent 2 (toYaml m)}}", v.clone()).unwrap(), "m:\n  a:\n  - 1\n  - 2");
        let err = r("{{required \"set the image\" image}}", v.clone()).unwrap_err();
        assert!(err.message.contains("set the image"), "{err:?}");
        assert_eq!(r("{{nohelper 1}}", v.clone()).unwrap_err().message, "unknown helper `nohelper`");
        assert!(r("{{> other}}", v.clone()).unwrap_err().message.contains("partials"));
    }

    /// Partials have no budget: two calls a level made 2^24 calls from a
    /// 1.2 KB file (7.6 s), and one calling itself overflowed the stack.
    #[test]
    fn partials_and_decorators_are_refused_before_rendering() {
        let doubling: String = (1..=24)
            .map(|i| format!("{{{{#*inline \"p{i}\"}}}}{{{{> p{}}}}}{{{{> p{}}}}}{{{{/inline}}}}", i - 1, i - 1))
            .collect();
        let cases = [
            ("{{#*inline \"p0\"}}{{/inline}}".to_string() + &doubling + "{{> p24}}", 1, "inline partials"),
            ("a\n{{#if x}}\n{{#*inline \"p\"}}x{{> p}}{{/inline}}{{/if}}".into(), 3, "inline partials"),
            ("{{#each xs}}\n{{else}}{{> p}}{{/each}}".into(), 2, "partials are not supported"),
            ("{{#> layout}}x{{/layout}}".into(), 1, "partials are not supported"),
            ("{{*log}}".into(), 1, "decorators"),
        ];
        for (text, line, needle) in cases {
            let err = Template::new(&text).err().unwrap_or_else(|| panic!("accepted: {text}"));
            assert!(err.message.contains(needle), "{text}: {err:?}");
            assert_eq!(err.line, Some(line), "{text}");
        }
    }

    #[test]
    fn a_value_cannot_smuggle_lines_into_yaml() {
        let v = json!({"x": "1\nevil: true"});
        assert!(r("a: {{x}}", v.clone()).unwrap_err().message.contains("line break"));
        assert_eq!(r("a: {{json x}}", v.clone()).unwrap(), "a: \"1\\nevil: true\"");
        assert_eq!(r("a: {{{x}}}", v.clone()).unwrap(), "a: 1\nevil: true", "triple-stash is the explicit opt-out");
        // Plain-text templates (generator files) may insert anything.
        assert_eq!(Template::new("{{x}}").unwrap().render(&v).unwrap(), "1\nevil: true");
    }
}
