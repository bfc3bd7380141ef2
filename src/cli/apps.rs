//! Which app folders a command over several reads.

use super::args::LimitArgs;
use crate::error::{Error, ErrorKind};
use crate::source::{Confined, dir::DirSource, git::GitSource};
use std::path::{Path, PathBuf};

/// Whether DIR is a folder in the working tree (`rev` None) or at `rev`.
pub(super) fn exists(dir: &str, rev: Option<&str>) -> Result<bool, Error> {
    match rev {
        None => Ok(Path::new(dir).is_dir()),
        Some(rev) => GitSource::exists(Path::new(dir), rev),
    }
}

/// The apps a command over several reads: each DIR as given (`.` when none),
/// or with `--recursive` every folder under each DIR that holds an
/// imprint.yaml (at `rev` when given). Paths as given, without a trailing
/// `/`, each once.
pub(super) fn apps(
    dirs: &[String],
    recursive: bool,
    rev: Option<&str>,
    limits: LimitArgs,
) -> Result<Vec<String>, Error> {
    let dirs = if dirs.is_empty() { vec![".".to_string()] } else { dirs.to_vec() };
    if dirs.len() > 1 && dirs.iter().any(|d| d == "-") {
        return Err(Error::new(ErrorKind::Usage("`-` (stdin) cannot be combined with folders".into())));
    }
    let mut out: Vec<String> = Vec::new();
    for dir in &dirs {
        let dir = tidy(dir);
        let dir = dir.as_str();
        if !recursive {
            out.push(dir.to_string());
            continue;
        }
        if dir == "-" {
            return Err(Error::new(ErrorKind::Usage("--recursive finds apps in folders, not in `-` (stdin)".into())));
        }
        let found = match rev {
            None => Confined::with_limits(DirSource::open(Path::new(dir))?, limits.limits()).app_folders("")?,
            Some(rev) => {
                Confined::with_limits(GitSource::open(Path::new(dir), rev)?, limits.limits()).app_folders("")?
            }
        };
        if found.is_empty() {
            return Err(Error::new(ErrorKind::Usage(format!(
                "no folder under {dir} holds an {}",
                crate::config::FILE_NAME
            ))));
        }
        out.extend(found.into_iter().map(|rel| match (dir, rel.as_str()) {
            (_, "") => dir.to_string(),
            (".", rel) => rel.to_string(),
            (dir, rel) => format!("{}/{rel}", dir.trim_end_matches('/')),
        }));
    }
    // Each app once, however it was spelt (`apps/web`, `./apps/web`, a
    // symlink to it): the first spelling is the one shown.
    let mut seen = std::collections::HashSet::new();
    out.retain(|a| seen.insert(std::fs::canonicalize(a).unwrap_or_else(|_| PathBuf::from(a))));
    Ok(out)
}

/// A folder path as shown: no `./` or empty segments, no trailing `/`
/// (`./apps//web/` is `apps/web`); `.` for the current folder.
fn tidy(path: &str) -> String {
    if path == "-" {
        return path.to_string();
    }
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    match (absolute, parts.is_empty()) {
        (true, _) => format!("/{}", parts.join("/")),
        (false, true) => ".".to_string(),
        (false, false) => parts.join("/"),
    }
}
