//! Which files are manifests: imprint.yaml's `resources` (paths, folders,
//! globs) or every manifest under the app.

use crate::config::{self, RenderConfig};
use crate::error::{Error, ErrorKind, Result, config_error};
use crate::source::{Backend, Confined, Entry};
use std::collections::BTreeSet;

pub(super) fn is_manifest(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let lower = lower.strip_suffix(".hbs").unwrap_or(&lower);
    lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")
}

pub(super) fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// What every path a glob matches starts with: the glob up to its first
/// special character (globset's `*?[{` and its `\` escape).
pub(super) fn literal_prefix(glob: &str) -> &str {
    glob.find(['*', '?', '[', '{', '\\']).map_or(glob, |i| &glob[..i])
}

/// The resource files to read, as (shown path, resolved path), deduplicated,
/// in the order the config lists them (a folder's files in byte order).
pub(crate) fn resource_files<B: Backend>(
    src: &Confined<B>,
    config: &RenderConfig,
    excluded: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut push = |shown: String, target: String, out: &mut Vec<(String, String)>| {
        if seen.insert(shown.clone()) {
            out.push((shown, target));
        }
    };
    let Some(list) = &config.resources else {
        for f in src.walk("")? {
            if is_manifest(&f.path) && !excluded(&f.path) {
                push(f.path, f.target, &mut out);
            }
        }
        return Ok(out);
    };
    // Every file under DIR, walked once for all globs. The walk is in byte
    // order of the path, so a glob looks only at the run of files that
    // start with its literal prefix (32,000 globs over 32,000 files took 42 s).
    let mut all: Option<Vec<crate::source::Found>> = None;
    for (i, located) in list.iter().enumerate() {
        let entry = &located.value;
        let at = |e: Error| e.in_file(config::FILE_NAME).at_line(located.line).field(format!("resources[{i}]"));
        if is_glob(entry) {
            let norm = crate::source::normalize("", entry).map_err(at)?;
            let glob = globset::GlobBuilder::new(&norm)
                .literal_separator(true)
                .build()
                .map_err(|e| at(config_error(format!("bad glob {entry:?}: {}", e.kind()))))?
                .compile_matcher();
            let files = match &all {
                Some(f) => f,
                None => all.insert(src.walk("").map_err(at)?),
            };
            let prefix = literal_prefix(&norm);
            let from = files.partition_point(|f| f.path.as_str() < prefix);
            let before = out.len();
            for f in files[from..]
                .iter()
                .take_while(|f| f.path.starts_with(prefix))
                .filter(|f| glob.is_match(&f.path) && !excluded(&f.path))
            {
                push(f.path.clone(), f.target.clone(), &mut out);
            }
            if out.len() == before {
                return Err(at(config_error(format!("glob {entry:?} matches no file"))));
            }
            continue;
        }
        let norm = crate::source::normalize("", entry).map_err(at)?;
        match src.kind(entry).map_err(at)? {
            Some(Entry::Dir) => {
                for f in src.walk(entry).map_err(at)? {
                    if is_manifest(&f.path) && !excluded(&f.path) {
                        push(f.path, f.target, &mut out);
                    }
                }
            }
            Some(_) => {
                // Resolve through links now so the read below stays confined.
                let found = src.resolve_file(entry).map_err(at)?;
                push(norm, found, &mut out);
            }
            None => {
                return Err(at(Error::new(ErrorKind::Missing { path: entry.clone() })));
            }
        }
    }
    Ok(out)
}
