//! One pipeline from loaded input to ordered output, for every command,
//! test, benchmark and fuzz target: the stages ([`render::stages`]:
//! generate → namespace → version → rewrite), then the previous versions
//! `keepVersions` asks for (SPEC §9), then one order (SPEC §7) for all of
//! it, links moved with their objects.

use crate::emit::{self, Format};
use crate::error::Result;
use crate::history::{self, Keep};
use crate::load::Loaded;
use crate::render::{self, Options, Rendered};
use crate::values::Overrides;
use std::path::Path;

/// Where the previous versions come from: the git history of the app's
/// folder, walked back from `rev` (or HEAD for the working tree).
#[derive(Debug, Clone, Copy)]
pub struct History<'a> {
    pub dir: &'a Path,
    pub rev: Option<&'a str>,
    pub overrides: &'a Overrides,
    pub keep: Keep,
}

/// Renders loaded input: the stages, the kept versions (when `history` is
/// given and asks for any), the order.
pub fn run(loaded: Loaded, opts: &Options, history: Option<History<'_>>) -> Result<Rendered> {
    let limits = loaded.limits;
    let mut rendered = render::stages(loaded, opts)?;
    if let Some(h) = history.filter(|h| h.keep.versions > 0) {
        let (old, warnings) =
            history::previous_versions(h.dir, h.rev, &rendered.objects, h.overrides, opts, h.keep, &limits)?;
        rendered.objects.extend(old);
        rendered.diagnostics.extend(warnings);
    }
    rendered.reorder();
    Ok(rendered)
}

/// The output stream of loaded input, written exactly as the binary writes
/// it to stdout (the output limits included): for tests, benchmarks and
/// fuzz targets.
pub fn render_to_string(loaded: Loaded, opts: &Options, format: Format) -> Result<String> {
    let limits = loaded.limits;
    let rendered = run(loaded, opts, None)?;
    let mut out = Vec::new();
    match emit::write_stream(&rendered.objects, format, &limits, &mut out) {
        Ok(()) => {}
        Err(emit::WriteError::Limit(e)) => return Err(e),
        Err(emit::WriteError::Io(e)) => return Err(emit::out_err(Path::new("<memory>"), &e)),
    }
    Ok(String::from_utf8(out).expect("imprint writes UTF-8"))
}
