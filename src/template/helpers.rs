//! The helpers templates may call: each computes on its arguments only,
//! and charges what it writes to the render's budget.

use super::{Budget, Slot, budget_of};
use base64::Engine as _;
use handlebars::{Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderError, RenderErrorReason};
use serde_json::Value;
use std::sync::atomic::Ordering;

pub(super) fn missing(h: &Helper<'_>, i: usize) -> RenderError {
    let path = h.param(i).and_then(|p| p.relative_path().cloned());
    RenderErrorReason::MissingVariable(path).into()
}

/// The i-th parameter; in strict mode a missing variable is an error.
pub(super) fn param<'a>(h: &'a Helper<'_>, i: usize) -> Result<&'a Value, RenderError> {
    let p = h.param(i).ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex(h.name().to_string().leak(), i))?;
    if p.is_value_missing() {
        return Err(missing(h, i));
    }
    Ok(p.value())
}

pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub(super) fn write(out: &mut dyn Output, s: &str) -> HelperResult {
    out.write(s).map_err(|e| RenderErrorReason::Other(e.to_string()).into())
}

/// A helper as a function from its arguments to its text.
pub(super) type Compute = fn(&Helper<'_>, &Budget) -> Result<String, RenderError>;

/// Registers a helper whose every result is charged to the output budget
/// before it is written: inside a subexpression (`(json (json x))`) the
/// result goes to handlebars' own buffer, not to the capped writer, and
/// nested helpers could otherwise double a string forty times. Arguments
/// that already pass what is left are refused before the work: every
/// helper's result is about as long as its input, or longer.
pub(super) fn register(registry: &mut Handlebars<'static>, name: &str, slot: &Slot, compute: Compute) {
    let slot = slot.clone();
    let helper = move |h: &Helper<'_>,
                       _: &Handlebars<'_>,
                       _: &Context,
                       _: &mut RenderContext<'_, '_>,
                       out: &mut dyn Output|
          -> HelperResult {
        let budget = budget_of(&slot);
        let over = || -> RenderError { RenderErrorReason::Other(budget.output_message()).into() };
        let input: u64 = h.params().iter().map(|p| crate::limits::measure(p.value()).1).sum();
        if input > budget.output_left.load(Ordering::Relaxed) {
            return Err(over());
        }
        let result = compute(h, &budget)?;
        if !Budget::take(&budget.output_left, result.len() as u64) {
            return Err(over());
        }
        write(out, &result)
    };
    registry.register_helper(name, Box::new(helper));
}

/// Fails unless `size` more bytes fit in what is left of the output.
pub(super) fn room(budget: &Budget, size: u64) -> Result<(), RenderError> {
    if size > budget.output_left.load(Ordering::Relaxed) {
        return Err(RenderErrorReason::Other(budget.output_message()).into());
    }
    Ok(())
}

/// Bytes written to nowhere: how long a serialization will be, without
/// building it.
pub(super) struct Count(u64);

impl std::io::Write for Count {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0 += data.len() as u64;
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `{{json x}}`: x as a JSON value, which YAML reads back exactly: a safe
/// way to insert any value, line breaks and quotes included. Escapes can
/// make it 6 times its input, so its length is counted first.
pub(super) fn json(h: &Helper<'_>, budget: &Budget) -> Result<String, RenderError> {
    let v = param(h, 0)?;
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, v);
    room(budget, count.0)?;
    Ok(serde_json::to_string(v).unwrap_or_default())
}

/// `{{default x "fallback"}}`: x unless it is missing, null or empty.
pub(super) fn default(h: &Helper<'_>, _: &Budget) -> Result<String, RenderError> {
    let v = h.param(0).filter(|p| !p.is_value_missing()).map(|p| p.value().clone()).unwrap_or(Value::Null);
    let empty = matches!(&v, Value::Null) || v.as_str() == Some("");
    let chosen = if empty { param(h, 1)?.clone() } else { v };
    Ok(text(&chosen))
}

/// `{{required "message" x}}`: x, or an error with the message.
pub(super) fn required(h: &Helper<'_>, _: &Budget) -> Result<String, RenderError> {
    let message = text(param(h, 0)?);
    let v = h.param(1).filter(|p| !p.is_value_missing()).map(|p| p.value().clone()).unwrap_or(Value::Null);
    if v.is_null() || v.as_str() == Some("") {
        return Err(RenderErrorReason::Other(format!("required value: {message}")).into());
    }
    Ok(text(&v))
}

pub(super) fn upper(h: &Helper<'_>, _: &Budget) -> Result<String, RenderError> {
    Ok(text(param(h, 0)?).to_uppercase())
}

pub(super) fn lower(h: &Helper<'_>, _: &Budget) -> Result<String, RenderError> {
    Ok(text(param(h, 0)?).to_lowercase())
}

pub(super) fn b64enc(h: &Helper<'_>, budget: &Budget) -> Result<String, RenderError> {
    let input = text(param(h, 0)?);
    room(budget, (input.len() as u64).div_ceil(3) * 4)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(input))
}

/// `{{indent 4 x}}`: x with every line but the first indented by 4 spaces,
/// for a block scalar (`key: |` then `  {{indent 2 x}}`).
pub(super) fn indent(h: &Helper<'_>, budget: &Budget) -> Result<String, RenderError> {
    let n = param(h, 0)?
        .as_u64()
        .ok_or_else(|| RenderErrorReason::Other("indent: the first argument is a number of spaces".into()))?;
    let pad = " ".repeat(usize::try_from(n.min(256)).unwrap_or(0));
    let body = text(param(h, 1)?);
    // The result can be 257 times the value: refuse it before building it.
    room(budget, body.len() as u64 + body.matches('\n').count() as u64 * pad.len() as u64)?;
    Ok(body.trim_end_matches('\n').split('\n').collect::<Vec<_>>().join(&format!("\n{pad}")))
}

/// `{{toYaml x}}`: x as a YAML block (a mapping or list), to place at the
/// start of a line, typically with `indent`.
pub(super) fn to_yaml(h: &Helper<'_>, _: &Budget) -> Result<String, RenderError> {
    let y = crate::yaml::to_yaml(param(h, 0)?);
    Ok(y.trim_end_matches('\n').to_string())
}
