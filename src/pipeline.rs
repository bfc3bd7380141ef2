//! One pipeline from loaded input to ordered output, for every command,
//! test, benchmark and fuzz target: the stages ([`render::stages`]:
//! generate → namespace → version → rewrite), then the previous versions
//! `keepVersions` asks for (SPEC §9), then one order (SPEC §7) for all of
//! it, links moved with their objects.

use crate::emit::{self, Format};
use crate::error::{Error, ErrorKind, Result};
use crate::history::{self, Keep};
use crate::load::Loaded;
use crate::render::{self, Options, Rendered};
use crate::values::Overrides;
use std::path::Path;

/// Where the previous versions come from, and how many: the git history
/// of the app's folder, walked back from `rev` (or HEAD for the working
/// tree).
#[derive(Debug, Clone, Copy)]
pub struct History<'a> {
    /// The app folder (`-`: stdin, which has no history).
    pub dir: &'a str,
    pub rev: Option<&'a str>,
    pub overrides: &'a Overrides,
    /// `--keep-versions`, which beats imprint.yaml's `keepVersions`.
    pub versions: Option<u32>,
    /// Most commits walked.
    pub depth: usize,
    /// History that ends too early is a warning instead of an error.
    pub best_effort: bool,
}

/// Renders loaded input: the stages, the versions kept (SPEC §9: when
/// `history` is given and the flag or imprint.yaml asks for any), the order.
pub fn run(loaded: Loaded, opts: &Options, history: Option<History<'_>>) -> Result<Rendered> {
    let limits = loaded.limits;
    let keep = history.map(|h| Keep {
        versions: h.versions.or(loaded.config.keep_versions).unwrap_or(0) as usize,
        depth: h.depth,
        best_effort: h.best_effort,
    });
    let mut rendered = render::stages(loaded, opts)?;
    if let (Some(h), Some(keep)) = (history, keep.filter(|k| k.versions > 0)) {
        if h.dir == "-" {
            return Err(Error::new(ErrorKind::Usage(
                "keepVersions needs a directory in a git repository, not stdin".into(),
            )));
        }
        let (old, warnings) =
            history::previous_versions(Path::new(h.dir), h.rev, &rendered.objects, h.overrides, opts, keep, &limits)?;
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
