//! Where the app's files come from, and the confinement rule.
//!
//! imprint runs on shared Argo CD repo-servers: a tenant's repository must
//! never make it read another file of the host. Every path any input names
//! goes through [`Confined`], which resolves it lexically inside the app
//! directory, follows symlinks itself (so the operating system never does),
//! and refuses `..` escapes, absolute paths and links that leave the tree.
//! A backend ([`dir::DirSource`], later git) only answers "what is at this
//! in-tree path", never following anything.

pub mod attributes;
pub mod dir;
pub mod git;
pub mod wildmatch;

use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limit;

/// What a backend finds at an in-tree path, without following links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File,
    Dir,
    /// A symbolic link and its target text.
    Symlink(String),
    /// A git submodule (gitlink): its content is not in this tree.
    Submodule,
    /// Sockets, devices: never read.
    Other(&'static str),
}

/// A tree of files addressed by normalized, `/`-separated relative paths
/// (`""` is the root). Implementations never follow symlinks.
pub trait Backend {
    /// `None` when nothing is at `path`.
    fn entry(&self, path: &str) -> Result<Option<Entry>>;
    fn read(&self, path: &str) -> Result<Vec<u8>>;
    /// Names directly in the folder at `path`, in any order.
    fn list(&self, path: &str) -> Result<Vec<(String, Entry)>>;
    /// An id that changes whenever the file's (or folder's) content does
    /// (git: the blob or tree id), for caches; `None` when the backend has none.
    fn content_id(&self, _path: &str) -> Option<String> {
        None
    }
    /// The size of a file in bytes, if known without reading it.
    fn size(&self, _path: &str) -> Result<Option<u64>> {
        Ok(None)
    }
}

/// `Entry::Other` reason for a file whose name is not UTF-8.
pub const NON_UTF8: &str = "file with a non-UTF-8 name";

const SUBMODULE: &str =
    "it is a git submodule, whose content is not in this repository (imprint does not read submodules)";

/// Most symlinks followed while resolving one path (Linux uses 40).
const MAX_LINK_HOPS: usize = 40;

/// The app directory with the confinement rule applied to every access.
pub struct Confined<B> {
    backend: B,
    limits: Limits,
    /// Bytes read so far, against `limits.max_input_bytes`.
    read_so_far: std::cell::Cell<u64>,
}

pub use crate::limits::Limits;

/// A file found by listing a folder: its path as named and as resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The path under which it was found (what messages show).
    pub path: String,
    /// Where its content lives after following symlinks.
    pub target: String,
}

fn refused(path: &str, reason: &str) -> Error {
    Error::new(ErrorKind::Path { path: path.to_string(), reason: reason.to_string() })
}

/// Normalizes a path named by the input relative to `base` (an in-tree
/// folder). Refuses absolute paths and `..` that climbs out of the tree.
pub fn normalize(base: &str, named: &str) -> Result<String> {
    if named.starts_with('/') || named.starts_with('\\') || named.contains('\0') {
        return Err(refused(named, "absolute paths are not allowed; name a path inside the app directory"));
    }
    if named.len() > 1 && named.as_bytes()[1] == b':' {
        return Err(refused(named, "absolute paths are not allowed; name a path inside the app directory"));
    }
    if named.contains('\\') {
        return Err(refused(named, "backslashes are not allowed in paths; use '/'"));
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in named.split('/') {
        match part {
            // Git's own folder holds credentials (a CI checkout's token).
            ".git" => return Err(refused(named, "paths into .git are not allowed")),
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(refused(named, "it leads outside the app directory"));
                }
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

/// Whether a file or folder name is hidden (`.git`, `.github`, `.env`).
#[must_use]
pub fn is_hidden(name: &str) -> bool {
    name.starts_with('.')
}

impl<B: Backend> Confined<B> {
    pub fn new(backend: B) -> Self {
        Self::with_limits(backend, Limits::default())
    }

    pub fn with_limits(backend: B, limits: Limits) -> Self {
        Confined { backend, limits, read_so_far: std::cell::Cell::new(0) }
    }

    /// The limits this render runs under (later stages check theirs too).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Reads a resolved in-tree file, within the size limits; the size is
    /// checked before anything is read.
    fn read_target(&self, shown: &str, target: &str) -> Result<Vec<u8>> {
        let limit_error = |what: &str, limit: u64, which: Limit| {
            crate::limits::exceeded(format!("{what} is larger than the limit of {limit} bytes"), which).in_file(shown)
        };
        let size = self.backend.size(target)?.unwrap_or(0);
        if size > self.limits.max_file_bytes {
            return Err(limit_error("the file", self.limits.max_file_bytes, Limit::FileSize));
        }
        let total = self.read_so_far.get() + size;
        if total > self.limits.max_input_bytes {
            return Err(limit_error("the input read so far", self.limits.max_input_bytes, Limit::InputSize));
        }
        let bytes = self.backend.read(target)?;
        // Sizes can lie (a file growing under us): check what was read too.
        if bytes.len() as u64 > self.limits.max_file_bytes {
            return Err(limit_error("the file", self.limits.max_file_bytes, Limit::FileSize));
        }
        self.read_so_far.set(self.read_so_far.get() + bytes.len() as u64);
        Ok(bytes)
    }

    /// Resolves an in-tree path through symlinks. `shown` is the path as the
    /// input named it, for messages. Returns the resolved path and what is there.
    fn resolve(&self, path: &str, shown: &str) -> Result<(String, Option<Entry>)> {
        let mut hops = 0;
        let mut current = path.to_string();
        'restart: loop {
            let parts: Vec<String> = current.split('/').filter(|p| !p.is_empty()).map(str::to_string).collect();
            let mut done = String::new();
            for (i, part) in parts.iter().enumerate() {
                let here = join(&done, part);
                match self.backend.entry(&here)? {
                    None => return Ok((current, None)),
                    Some(Entry::Symlink(target)) => {
                        hops += 1;
                        if hops > MAX_LINK_HOPS {
                            return Err(refused(shown, "too many levels of symbolic links"));
                        }
                        if target.starts_with('/') {
                            return Err(refused(
                                shown,
                                "it is a symbolic link to an absolute path, outside the app directory",
                            ));
                        }
                        let resolved = normalize(parent(&here), &target).map_err(|_| {
                            refused(shown, "it is a symbolic link that points outside the app directory")
                        })?;
                        let rest = parts[i + 1..].join("/");
                        current = if rest.is_empty() { resolved } else { join(&resolved, &rest) };
                        continue 'restart;
                    }
                    Some(Entry::Submodule) => {
                        return Err(refused(shown, SUBMODULE));
                    }
                    Some(Entry::File | Entry::Other(_)) if i + 1 < parts.len() => {
                        return Ok((current, None));
                    }
                    Some(entry) => {
                        if i + 1 == parts.len() {
                            return Ok((current, Some(entry)));
                        }
                    }
                }
                done = here;
            }
            return Ok((current, Some(Entry::Dir)));
        }
    }

    /// What a named path is after following symlinks; `None` if missing.
    pub fn kind(&self, named: &str) -> Result<Option<Entry>> {
        let norm = normalize("", named)?;
        Ok(self.resolve(&norm, named)?.1)
    }

    /// Reads a regular file named by the input (relative to the app root).
    pub fn read(&self, named: &str) -> Result<Vec<u8>> {
        let target = self.resolve_file(named)?;
        self.read_target(named, &target)
    }

    /// Where a named regular file's content lives, after following links.
    pub fn resolve_file(&self, named: &str) -> Result<String> {
        let norm = normalize("", named)?;
        match self.resolve(&norm, named)? {
            (target, Some(Entry::File)) => Ok(target),
            (_, Some(Entry::Dir)) => Err(refused(named, "it is a folder, not a file")),
            (_, Some(Entry::Submodule)) => Err(refused(named, SUBMODULE)),
            (_, Some(Entry::Other(what))) => Err(refused(named, &format!("it is a {what}, not a regular file"))),
            (_, Some(Entry::Symlink(_))) => Err(refused(named, "unresolved symbolic link")),
            (_, None) => Err(Error::new(ErrorKind::Missing { path: named.to_string() })),
        }
    }

    /// A named folder: (its normalized path, where it resolves to).
    fn folder(&self, named: &str) -> Result<(String, String)> {
        let norm = normalize("", named)?;
        match self.resolve(&norm, named)? {
            (target, Some(Entry::Dir)) => Ok((norm, target)),
            (_, None) => Err(Error::new(ErrorKind::Missing { path: named.to_string() })),
            _ => Err(refused(named, "it is not a folder")),
        }
    }

    /// Regular files directly in a folder, sorted by name bytes; hidden
    /// entries skipped. Subfolders are returned separately (generators warn).
    pub fn files_in(&self, named: &str) -> Result<(Vec<Found>, Vec<String>)> {
        let (norm, target) = self.folder(named)?;
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        for (name, _) in self.sorted_list(&target)? {
            if is_hidden(&name) {
                continue;
            }
            let shown = join(&norm, &name);
            match self.resolve(&join(&target, &name), &shown)? {
                (t, Some(Entry::File)) => files.push(Found { path: shown, target: t }),
                (_, Some(Entry::Dir)) => dirs.push(shown),
                (_, None) => return Err(refused(&shown, "it is a dangling symbolic link")),
                _ => {}
            }
        }
        Ok((files, dirs))
    }

    /// Every regular file under a folder, recursively, in byte order of the
    /// path; hidden files and folders skipped. Symlinked folders are not
    /// descended into (no cycles); symlinked files are followed (confined).
    pub fn walk(&self, named: &str) -> Result<Vec<Found>> {
        let (norm, target) = self.folder(named)?;
        let mut out = Vec::new();
        self.walk_into(&norm, &target, &mut out)?;
        out.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        Ok(out)
    }

    fn walk_into(&self, shown_dir: &str, dir: &str, out: &mut Vec<Found>) -> Result<()> {
        for (name, entry) in self.sorted_list(dir)? {
            if is_hidden(&name) {
                continue;
            }
            let shown = join(shown_dir, &name);
            let here = join(dir, &name);
            match entry {
                Entry::Dir => self.walk_into(&shown, &here, out)?,
                Entry::File => out.push(Found { path: shown, target: here }),
                Entry::Symlink(_) => match self.resolve(&here, &shown)? {
                    (t, Some(Entry::File)) => out.push(Found { path: shown, target: t }),
                    (_, None) => return Err(refused(&shown, "it is a dangling symbolic link")),
                    _ => {}
                },
                Entry::Submodule => return Err(refused(&shown, SUBMODULE)),
                Entry::Other(NON_UTF8) => return Err(refused(&shown, "its name is not valid UTF-8")),
                // Sockets, FIFOs, devices: never opened (a FIFO would block).
                Entry::Other(_) => {}
            }
        }
        Ok(())
    }

    /// Folders under `named` (itself included) that hold an `imprint.yaml`:
    /// the apps of a repository, in byte order of the path. Apps do not
    /// nest (an app's subfolders are part of it); hidden and symlinked
    /// folders are not descended into, and nothing else is read or refused
    /// here: each app found is then loaded under the usual rules.
    pub fn app_folders(&self, named: &str) -> Result<Vec<String>> {
        let (norm, target) = self.folder(named)?;
        let config = crate::config::FILE_NAME;
        let mut out = Vec::new();
        // A queue, not recursion: a git tree can nest deeper than any stack.
        let mut todo = vec![(norm, target)];
        while let Some((shown, dir)) = todo.pop() {
            let entries = self.sorted_list(&dir)?;
            if entries.iter().any(|(n, e)| n == config && matches!(e, Entry::File | Entry::Symlink(_))) {
                // An app's subfolders are its own (its manifests, its inputs).
                out.push(shown);
                continue;
            }
            for (name, entry) in entries {
                if entry == Entry::Dir && !is_hidden(&name) {
                    todo.push((join(&shown, &name), join(&dir, &name)));
                }
            }
        }
        out.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        Ok(out)
    }

    fn sorted_list(&self, dir: &str) -> Result<Vec<(String, Entry)>> {
        let mut entries = self.backend.list(dir)?;
        entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        Ok(entries)
    }

    /// The content id of a named file or folder (see [`Backend::content_id`]).
    pub fn content_id(&self, named: &str) -> Option<String> {
        let norm = normalize("", named).ok()?;
        match self.resolve(&norm, named).ok()? {
            (t, Some(Entry::File | Entry::Dir)) => self.backend.content_id(&t),
            _ => None,
        }
    }

    /// The content id of a file found by a listing.
    pub fn found_id(&self, found: &Found) -> Option<String> {
        self.backend.content_id(&found.target)
    }

    /// Reads a file found by [`Confined::walk`] or [`Confined::files_in`].
    pub fn read_found(&self, found: &Found) -> Result<Vec<u8>> {
        self.read_target(&found.path, &found.target)
    }
}

#[cfg(test)]
pub(crate) mod memory {
    //! An in-memory backend for unit tests of confinement and loading.
    use super::{Backend, Entry};
    use crate::error::Result;
    use std::collections::BTreeMap;

    #[derive(Default)]
    pub struct MemBackend {
        pub files: BTreeMap<String, Vec<u8>>,
        pub links: BTreeMap<String, String>,
    }

    impl MemBackend {
        pub fn file(mut self, path: &str, content: &str) -> Self {
            self.files.insert(path.to_string(), content.as_bytes().to_vec());
            self
        }
        pub fn link(mut self, path: &str, target: &str) -> Self {
            self.links.insert(path.to_string(), target.to_string());
            self
        }
        fn is_dir(&self, path: &str) -> bool {
            path.is_empty() || self.files.keys().chain(self.links.keys()).any(|k| k.starts_with(&format!("{path}/")))
        }
    }

    impl Backend for MemBackend {
        fn entry(&self, path: &str) -> Result<Option<Entry>> {
            Ok(if self.files.contains_key(path) {
                Some(Entry::File)
            } else if let Some(t) = self.links.get(path) {
                Some(Entry::Symlink(t.clone()))
            } else if self.is_dir(path) {
                Some(Entry::Dir)
            } else {
                None
            })
        }
        fn read(&self, path: &str) -> Result<Vec<u8>> {
            Ok(self.files[path].clone())
        }
        fn list(&self, path: &str) -> Result<Vec<(String, Entry)>> {
            let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
            let mut names: Vec<String> = self
                .files
                .keys()
                .chain(self.links.keys())
                .filter_map(|k| k.strip_prefix(&prefix))
                .map(|rest| rest.split('/').next().unwrap_or_default().to_string())
                .collect();
            names.dedup();
            names.sort();
            names.dedup();
            names
                .into_iter()
                .map(|n| {
                    let e = self.entry(&format!("{prefix}{n}"))?.unwrap_or(Entry::Dir);
                    Ok((n, e))
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::memory::MemBackend;
    use super::*;

    fn tree() -> Confined<MemBackend> {
        Confined::new(
            MemBackend::default()
                .file("a/x.yaml", "x")
                .file("a/.hidden.yaml", "h")
                .file(".git/config", "g")
                .file("b/c/d.txt", "d")
                .link("a/inside", "../b/c/d.txt")
                .link("a/outside", "../../etc/passwd")
                .link("abs", "/etc/passwd")
                .link("loop", "loop")
                .link("linkdir", "b"),
        )
    }

    #[test]
    fn normalize_refuses_escapes() {
        assert_eq!(normalize("", "a/./b/../c").unwrap(), "a/c");
        assert!(normalize("", "../x").is_err());
        assert!(normalize("", "a/../../x").is_err());
        assert!(normalize("", "/etc/passwd").is_err());
        assert!(normalize("", "C:/x").is_err());
    }

    #[test]
    fn symlinks_are_followed_inside_and_refused_outside() {
        let t = tree();
        assert_eq!(t.read("a/inside").unwrap(), b"d");
        assert_eq!(t.read("linkdir/c/d.txt").unwrap(), b"d");
        for bad in ["a/outside", "abs", "loop", "../etc/passwd", "/etc/passwd"] {
            let err = t.read(bad).unwrap_err();
            assert!(matches!(err.kind, ErrorKind::Path { .. }), "{bad}: {err}");
            assert!(err.to_string().contains(bad), "{err}");
        }
        assert!(matches!(t.read("nope").unwrap_err().kind, ErrorKind::Missing { .. }));
    }

    #[test]
    fn app_folders_find_every_imprint_yaml_but_not_in_apps_hidden_or_linked_folders() {
        let t = Confined::new(
            MemBackend::default()
                .file("apps/web/imprint.yaml", "")
                .file("apps/web/deploy.yaml", "")
                .file("apps/worker/imprint.yaml", "")
                .file("apps/worker/nested/imprint.yaml", "")
                .file("apps/docs/README.md", "")
                .file(".hidden/imprint.yaml", "")
                .link("linked", "apps/web")
                .link("broken/imprint.yaml", "nowhere"),
        );
        assert_eq!(t.app_folders("").unwrap(), ["apps/web", "apps/worker", "broken"]);
        assert_eq!(t.app_folders("apps/worker/nested").unwrap(), ["apps/worker/nested"]);
    }

    #[test]
    fn walk_skips_hidden_and_refuses_escaping_links() {
        let t = Confined::new(MemBackend::default().file("a/x.yaml", "x").file("a/.h.yaml", "h").file(".git/c", "g"));
        let found: Vec<String> = t.walk("").unwrap().into_iter().map(|f| f.path).collect();
        assert_eq!(found, vec!["a/x.yaml"]);
        let err = tree().walk("a").unwrap_err();
        assert!(err.to_string().contains("a/outside"), "{err}");
    }
}
