//! An app directory as it is at a git revision, read straight from the
//! object database (no checkout, no temporary files, no network). The only
//! module that touches git2.

use super::{Backend, Entry};
use crate::error::{Error, ErrorKind, Result};
use git2::{ErrorCode, ObjectType, Oid, Repository};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

pub struct GitSource {
    repo: Repository,
    /// The tree of the app directory at the revision.
    root: Oid,
    folders: RefCell<HashMap<String, Listing>>,
}

fn git_error(what: impl Into<String>) -> Error {
    Error::new(ErrorKind::Git(what.into()))
}

/// libgit2's message without its class/code decoration.
fn message(e: &git2::Error) -> String {
    e.message().trim_end_matches('.').to_string()
}

impl GitSource {
    /// Opens `dir` (a folder of a working tree) as it is at `rev`.
    pub fn open(dir: &Path, rev: &str) -> Result<Self> {
        let repo = Repository::discover(dir).map_err(|e| match e.code() {
            ErrorCode::Owner => git_error(format!(
                "the repository at {0} is owned by another user; if it is trusted, run: git config --global --add safe.directory {0}",
                dir.display()
            )),
            ErrorCode::NotFound => git_error(format!("{} is not inside a git repository (--rev needs one)", dir.display())),
            _ => git_error(format!("cannot open the git repository of {}: {}", dir.display(), message(&e))),
        })?;
        let Some(workdir) = repo.workdir() else {
            return Err(git_error(format!(
                "{} is in a bare repository; --rev reads a folder of a working tree (clone it, or pass that folder)",
                dir.display()
            )));
        };
        let canon = |p: &Path| {
            std::fs::canonicalize(p)
                .map_err(|e| Error::new(ErrorKind::Io { path: p.display().to_string(), message: e.kind().to_string() }))
        };
        let rel = canon(dir)?
            .strip_prefix(canon(workdir)?)
            .map_err(|_| git_error(format!("{} is outside the repository's working tree", dir.display())))?
            .to_path_buf();
        let rel = rel.to_str().ok_or_else(|| git_error(format!("{} is not a UTF-8 path", rel.display())))?.to_string();
        let commit = repo.revparse_single(rev).and_then(|o| o.peel_to_commit()).map_err(|e| {
            let shallow = if repo.is_shallow() {
                "; this clone is shallow, so older revisions may be missing (git fetch --unshallow)"
            } else {
                ""
            };
            git_error(format!("revision {rev:?} not found: {}{shallow}", message(&e)))
        })?;
        let tree = commit.tree().map_err(|e| git_error(format!("cannot read the tree of {rev:?}: {}", message(&e))))?;
        let tree_id = tree.id();
        let root = if rel.is_empty() {
            tree_id
        } else {
            let entry = tree
                .get_path(Path::new(&rel))
                .map_err(|_| git_error(format!("{rel:?} does not exist at revision {rev:?}")))?;
            if entry.kind() != Some(ObjectType::Tree) {
                return Err(git_error(format!("{rel:?} is not a folder at revision {rev:?}")));
            }
            entry.id()
        };
        drop(tree);
        drop(commit);
        Ok(GitSource { repo, root, folders: RefCell::default() })
    }
}

fn kind_of(mode: i32, kind: Option<ObjectType>) -> Entry {
    match (mode, kind) {
        (0o120_000, _) => Entry::Symlink(String::new()),
        (0o160_000, _) | (_, Some(ObjectType::Commit)) => Entry::Submodule,
        (_, Some(ObjectType::Tree)) => Entry::Dir,
        (_, Some(ObjectType::Blob)) => Entry::File,
        _ => Entry::Other("unknown git object"),
    }
}

/// One folder's entries: name, kind, object id.
type Listing = Rc<Vec<(String, Entry, Oid)>>;

impl GitSource {
    /// The entries of an in-tree folder, parsed once and cached: every
    /// lookup below goes through here, so a path costs one hash lookup per
    /// folder instead of a walk from the root.
    fn folder(&self, path: &str) -> Result<Option<Listing>> {
        if let Some(hit) = self.folders.borrow().get(path) {
            return Ok(Some(hit.clone()));
        }
        let id = if path.is_empty() {
            self.root
        } else {
            let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
            let Some(listing) = self.folder(parent)? else {
                return Ok(None);
            };
            match listing.iter().find(|(n, _, _)| n == name) {
                Some((_, Entry::Dir, id)) => *id,
                _ => return Ok(None),
            }
        };
        let tree = self.repo.find_tree(id).map_err(|e| git_error(format!("cannot read {path:?}: {}", message(&e))))?;
        let mut out = Vec::with_capacity(tree.len());
        for entry in &tree {
            let Ok(name) = entry.name() else {
                return Err(git_error(format!("a file name in {path:?} is not UTF-8")));
            };
            let mut kind = kind_of(entry.filemode(), entry.kind());
            if matches!(kind, Entry::Symlink(_)) {
                kind = Entry::Symlink(self.blob_text(entry.id(), &super::join(path, name))?);
            }
            out.push((name.to_string(), kind, entry.id()));
        }
        let listing: Listing = Rc::new(out);
        self.folders.borrow_mut().insert(path.to_string(), listing.clone());
        Ok(Some(listing))
    }

    fn entry_at(&self, path: &str) -> Result<Option<(Entry, Oid)>> {
        if path.is_empty() {
            return Ok(Some((Entry::Dir, self.root)));
        }
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        let Some(listing) = self.folder(parent)? else {
            return Ok(None);
        };
        Ok(listing.iter().find(|(n, _, _)| n == name).map(|(_, e, id)| (e.clone(), *id)))
    }

    fn blob_text(&self, id: Oid, path: &str) -> Result<String> {
        let blob = self.repo.find_blob(id).map_err(|e| git_error(format!("cannot read {path:?}: {}", message(&e))))?;
        String::from_utf8(blob.content().to_vec())
            .map_err(|_| git_error(format!("symbolic link {path:?} has a non-UTF-8 target")))
    }
}

impl Backend for GitSource {
    fn entry(&self, path: &str) -> Result<Option<Entry>> {
        Ok(self.entry_at(path)?.map(|(e, _)| e))
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        match self.entry_at(path)? {
            Some((Entry::File, id)) => {
                let blob =
                    self.repo.find_blob(id).map_err(|e| git_error(format!("cannot read {path:?}: {}", message(&e))))?;
                Ok(blob.content().to_vec())
            }
            _ => Err(Error::new(ErrorKind::Missing { path: path.to_string() })),
        }
    }

    fn list(&self, path: &str) -> Result<Vec<(String, Entry)>> {
        let Some(listing) = self.folder(path)? else {
            return Err(Error::new(ErrorKind::Missing { path: path.to_string() }));
        };
        Ok(listing.iter().map(|(n, e, _)| (n.clone(), e.clone())).collect())
    }
}
