//! An app directory as it is at a git revision, read straight from the
//! object database (no checkout, no temporary files, no network). The only
//! module that touches git2.

use super::attributes::{self, AutoCrlf, Conversion, EolConfig, Rules};
use super::{Backend, Entry};
use crate::error::{Error, ErrorKind, Result};
use git2::{ErrorCode, ObjectType, Oid, Repository};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A repository, with the trees and blobs read so far cached by object id,
/// so walking history (SPEC §9) reads each unchanged folder and file once.
#[derive(Clone)]
pub struct Repo(Rc<RepoInner>);

struct RepoInner {
    repo: Repository,
    trees: RefCell<HashMap<Oid, Listing>>,
    /// Blob contents, kept only while walking history (a single render
    /// reads each blob once and would only pay for the copy).
    blobs: RefCell<HashMap<Oid, Rc<Vec<u8>>>>,
    cache_blobs: std::cell::Cell<bool>,
    /// Bytes in `blobs`, against [`BLOB_CACHE_BYTES`].
    blobs_cached: std::cell::Cell<usize>,
    /// Parsed `.gitattributes` blobs, by id.
    attributes: RefCell<HashMap<Oid, Rc<Rules>>>,
    /// `$GIT_DIR/info/attributes`, which outranks every `.gitattributes`.
    info_attributes: Option<AttributesFile>,
    /// `core.autocrlf` and `core.eol` of the repository's own config.
    eol: EolConfig,
    /// What the two above contribute to cache keys.
    settings: String,
}

/// How a checkout of one commit treats the app folder's files: the
/// `.gitattributes` of every folder above it (those inside it are read from
/// its tree as needed). See [`attributes`].
pub struct Checkout {
    /// The app folder's path in the repository (`""`: the root).
    rel: String,
    /// The repository root's first.
    outer: Vec<AttributesFile>,
    /// Changes whenever anything above does (the blob ids, the settings).
    signature: String,
}

/// One `.gitattributes` (or info/attributes) that applies to the app.
#[derive(Clone)]
struct AttributesFile {
    /// Its folder in the repository (`""`: the root, and info/attributes).
    base: String,
    rules: Rc<Rules>,
    /// How messages name it: relative to DIR (`../.gitattributes` above it).
    shown: String,
    /// Its blob id, for cache keys.
    id: String,
}

/// The app folder at one commit: its tree and how a checkout converts it.
#[derive(Clone)]
pub struct AppTree {
    pub tree: Oid,
    checkout: Rc<Checkout>,
}

impl PartialEq for AppTree {
    fn eq(&self, other: &Self) -> bool {
        self.tree == other.tree && self.checkout.signature == other.checkout.signature
    }
}

impl AppTree {
    /// Whether files convert the same way in both (only then do unchanged
    /// blobs give unchanged bytes).
    #[must_use]
    pub fn same_checkout(&self, other: &AppTree) -> bool {
        self.checkout.signature == other.checkout.signature
    }
}

/// Most bytes of blob contents kept while walking history: the unchanged
/// generator inputs that make the cache pay are small; a history of large
/// files must not pile up in memory (blobs past this are read again).
const BLOB_CACHE_BYTES: usize = 64 << 20;

/// An app directory as it is in one tree of a repository.
pub struct GitSource {
    repo: Repo,
    /// The tree of the app directory at the revision.
    root: Oid,
    checkout: Rc<Checkout>,
}

fn git_error(what: impl Into<String>) -> Error {
    Error::new(ErrorKind::Git(what.into()))
}

/// libgit2's message without its class/code decoration.
fn message(e: &git2::Error) -> String {
    e.message().trim_end_matches('.').to_string()
}

/// How a first-parent walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkEnd {
    /// The root commit was reached: all history was seen.
    Root,
    /// The clone is shallow and its history stops here.
    Shallow,
    /// The depth bound was reached.
    Depth,
}

impl Repo {
    /// Finds the repository that holds `dir`; returns it and `dir`'s path
    /// inside it (`""` for the root).
    pub fn discover(dir: &Path) -> Result<(Repo, String)> {
        // A folder the working tree does not have (an app removed since a
        // revision `diff` reads): its nearest existing parent places it.
        let (existing, missing) = existing_parent(dir)?;
        let repo = Repository::discover(existing).map_err(|e| match e.code() {
            ErrorCode::Owner => git_error(format!(
                "the repository at {0} is owned by another user; if it is trusted, run: git config --global --add safe.directory {0}",
                dir.display()
            )),
            ErrorCode::NotFound => git_error(format!("{} is not inside a git repository", dir.display())),
            _ => git_error(format!("cannot open the git repository of {}: {}", dir.display(), message(&e))),
        })?;
        let Some(workdir) = repo.workdir() else {
            return Err(git_error(format!(
                "{} is in a bare repository; imprint reads a folder of a working tree (clone it, or pass that folder)",
                dir.display()
            )));
        };
        let canon = |p: &Path| {
            std::fs::canonicalize(p)
                .map_err(|e| Error::new(ErrorKind::Io { path: p.display().to_string(), message: e.kind().to_string() }))
        };
        let rel = canon(existing)?
            .join(missing)
            .strip_prefix(canon(workdir)?)
            .map_err(|_| git_error(format!("{} is outside the repository's working tree", dir.display())))?
            .to_path_buf();
        let rel = rel.to_str().ok_or_else(|| git_error(format!("{} is not a UTF-8 path", rel.display())))?.to_string();
        let rel = rel.replace(std::path::MAIN_SEPARATOR, "/");
        // info/attributes is the repository's own file, as a checkout reads
        // it: in the common git folder (a linked worktree shares it).
        let info_text = std::fs::read(repo.commondir().join("info").join("attributes")).ok();
        let info_attributes = info_text.as_deref().map(|b| AttributesFile {
            base: String::new(),
            rules: Rc::new(attributes::parse(&String::from_utf8_lossy(b))),
            shown: "$GIT_DIR/info/attributes".into(),
            id: blake3::hash(b).to_hex().to_string(),
        });
        let eol = eol_config(&repo);
        let settings = format!("{eol:?}|{}", info_attributes.as_ref().map(|f| f.id.as_str()).unwrap_or_default());
        let inner = RepoInner {
            repo,
            trees: RefCell::default(),
            blobs: RefCell::default(),
            cache_blobs: std::cell::Cell::new(false),
            blobs_cached: std::cell::Cell::new(0),
            attributes: RefCell::default(),
            info_attributes,
            eol,
            settings,
        };
        Ok((Repo(Rc::new(inner)), rel))
    }

    /// The commit `rev` names.
    pub fn commit(&self, rev: &str) -> Result<Oid> {
        let repo = &self.0.repo;
        let commit = repo.revparse_single(rev).and_then(|o| o.peel_to_commit()).map_err(|e| {
            let shallow = if repo.is_shallow() {
                "; this clone is shallow, so older revisions may be missing (git fetch --unshallow)"
            } else {
                ""
            };
            git_error(format!("revision {rev:?} not found: {}{shallow}", message(&e)))
        })?;
        Ok(commit.id())
    }

    /// The folder `rel` at `commit`, or `None` when it is not a folder there.
    pub fn app_tree(&self, commit: Oid, rel: &str) -> Result<Option<AppTree>> {
        let repo = &self.0.repo;
        let mut tree = repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| git_error(format!("cannot read the tree of {commit}: {}", message(&e))))?;
        // The .gitattributes of every folder above the app apply to it.
        let mut outer = Vec::new();
        let mut signature = self.0.settings.clone();
        let mut base = String::new();
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
        for (depth, part) in parts.iter().enumerate() {
            if let Some(entry) = tree.get_name(".gitattributes").filter(|e| e.kind() == Some(ObjectType::Blob)) {
                let rules = self.attributes(entry.id(), &super::join(&base, ".gitattributes"))?;
                let shown = format!("{}.gitattributes", "../".repeat(parts.len() - depth));
                outer.push(AttributesFile { base: base.clone(), rules, shown, id: entry.id().to_string() });
                signature.push_str(&format!("|{base}:{}", entry.id()));
            }
            let Some(child) = tree.get_name(part).filter(|e| e.kind() == Some(ObjectType::Tree)).map(|e| e.id()) else {
                return Ok(None);
            };
            tree = repo.find_tree(child).map_err(|e| git_error(format!("cannot read {rel:?}: {}", message(&e))))?;
            base = super::join(&base, part);
        }
        let checkout = Rc::new(Checkout { rel: rel.to_string(), outer, signature });
        Ok(Some(AppTree { tree: tree.id(), checkout }))
    }

    /// A `.gitattributes` blob, parsed (cached by id).
    fn attributes(&self, id: Oid, path: &str) -> Result<Rc<Rules>> {
        if let Some(hit) = self.0.attributes.borrow().get(&id) {
            return Ok(hit.clone());
        }
        let bytes = self.blob(id, path)?;
        let rules = Rc::new(attributes::parse(&String::from_utf8_lossy(&bytes)));
        self.0.attributes.borrow_mut().insert(id, rules.clone());
        Ok(rules)
    }

    /// Up to `depth` first-parent ancestors of `from` (excluded), newest
    /// first, and why the walk stopped.
    pub fn first_parents(&self, from: Oid, depth: usize) -> Result<(Vec<Oid>, WalkEnd)> {
        let repo = &self.0.repo;
        let mut out = Vec::new();
        let mut current = repo.find_commit(from).map_err(|e| git_error(message(&e)))?;
        loop {
            if current.parent_count() == 0 {
                // libgit2 shows the boundary of a shallow clone as a root.
                let end = if repo.is_shallow() { WalkEnd::Shallow } else { WalkEnd::Root };
                return Ok((out, end));
            }
            if out.len() == depth {
                return Ok((out, WalkEnd::Depth));
            }
            // In a shallow clone the boundary commit's parents are missing.
            match current.parent(0) {
                Ok(parent) => {
                    out.push(parent.id());
                    current = parent;
                }
                Err(_) => return Ok((out, WalkEnd::Shallow)),
            }
        }
    }

    /// Paths (relative to the trees) whose content differs between two
    /// trees; unchanged subtrees are skipped without being read.
    pub fn changed_paths(&self, old: Oid, new: Oid) -> Result<std::collections::HashSet<String>> {
        let repo = &self.0.repo;
        let (a, b) = (repo.find_tree(old), repo.find_tree(new));
        let (Ok(a), Ok(b)) = (a, b) else { return Err(git_error("cannot read a tree to compare")) };
        let diff = repo.diff_tree_to_tree(Some(&a), Some(&b), None).map_err(|e| git_error(message(&e)))?;
        let mut out = std::collections::HashSet::new();
        for d in diff.deltas() {
            for f in [d.old_file(), d.new_file()] {
                if let Some(p) = f.path().and_then(Path::to_str) {
                    out.insert(p.to_string());
                }
            }
        }
        Ok(out)
    }

    /// Whether the clone is shallow.
    #[must_use]
    pub fn is_shallow(&self) -> bool {
        self.0.repo.is_shallow()
    }

    /// A source reading the app directory as a checkout of `app` writes it.
    #[must_use]
    pub fn source(&self, app: &AppTree) -> GitSource {
        GitSource { repo: self.clone(), root: app.tree, checkout: app.checkout.clone() }
    }

    fn listing(&self, id: Oid, path: &str) -> Result<Listing> {
        if let Some(hit) = self.0.trees.borrow().get(&id) {
            return Ok(hit.clone());
        }
        let tree =
            self.0.repo.find_tree(id).map_err(|e| git_error(format!("cannot read {path:?}: {}", message(&e))))?;
        let mut out = Vec::with_capacity(tree.len());
        for entry in &tree {
            let Ok(name) = entry.name() else {
                // As on disk: the entry is kept (and refused if listed), the
                // rest of the folder still reads.
                let lossy = String::from_utf8_lossy(entry.name_bytes()).into_owned();
                out.push((lossy, Entry::Other(super::NON_UTF8), entry.id()));
                continue;
            };
            let mut kind = kind_of(entry.filemode(), entry.kind());
            if matches!(kind, Entry::Symlink(_)) {
                let shown = super::join(path, name);
                let size = self.0.repo.odb().and_then(|o| o.read_header(entry.id())).map_or(0, |(n, _)| n);
                // No real link target is longer than PATH_MAX.
                kind = if size > 4096 {
                    Entry::Other("oversized symbolic link")
                } else {
                    match String::from_utf8(self.blob(entry.id(), &shown)?.to_vec()) {
                        Ok(target) => Entry::Symlink(target),
                        Err(_) => Entry::Other(super::NON_UTF8),
                    }
                };
            }
            out.push((name.to_string(), kind, entry.id()));
        }
        let by_name = out.iter().enumerate().map(|(i, (n, _, _))| (n.clone(), i)).collect();
        let listing: Listing = Rc::new(Folder { entries: out, by_name });
        self.0.trees.borrow_mut().insert(id, listing.clone());
        Ok(listing)
    }

    /// Keep blob contents across sources (for walking history).
    pub fn cache_blobs(&self) {
        self.0.cache_blobs.set(true);
    }

    fn blob(&self, id: Oid, path: &str) -> Result<Rc<Vec<u8>>> {
        if let Some(hit) = self.0.blobs.borrow().get(&id) {
            return Ok(hit.clone());
        }
        let blob =
            self.0.repo.find_blob(id).map_err(|e| git_error(format!("cannot read {path:?}: {}", message(&e))))?;
        let bytes = Rc::new(blob.content().to_vec());
        let cached = self.0.blobs_cached.get();
        if self.0.cache_blobs.get() && cached + bytes.len() <= BLOB_CACHE_BYTES {
            self.0.blobs_cached.set(cached + bytes.len());
            self.0.blobs.borrow_mut().insert(id, bytes.clone());
        }
        Ok(bytes)
    }
}

impl GitSource {
    /// Whether `dir` (a folder of a working tree, which need not exist in
    /// it) is a folder at `rev`.
    pub fn exists(dir: &Path, rev: &str) -> Result<bool> {
        let (repo, rel) = Repo::discover(dir)?;
        let commit = repo.commit(rev)?;
        Ok(repo.app_tree(commit, &rel)?.is_some())
    }

    /// Opens `dir` (a folder of a working tree) as it is at `rev`.
    pub fn open(dir: &Path, rev: &str) -> Result<Self> {
        let (repo, rel) = Repo::discover(dir)?;
        let commit = repo.commit(rev)?;
        let Some(tree) = repo.app_tree(commit, &rel)? else {
            return Err(git_error(format!("{rel:?} does not exist at revision {rev:?}")));
        };
        Ok(repo.source(&tree))
    }
}

/// The nearest folder of `dir` (itself included) that exists, and the
/// rest of the path below it: plain names only, so the path cannot leave
/// the repository through a folder that is not there to resolve.
fn existing_parent(dir: &Path) -> Result<(&Path, PathBuf)> {
    let mut existing = dir;
    let mut missing = Vec::new();
    while !existing.as_os_str().is_empty() && !existing.exists() {
        let Some(name) = existing
            .file_name()
            .filter(|_| matches!(existing.components().next_back(), Some(std::path::Component::Normal(_))))
        else {
            return Err(Error::new(ErrorKind::Missing { path: dir.display().to_string() }));
        };
        missing.push(name);
        existing = existing.parent().unwrap_or(Path::new(""));
    }
    let existing = if existing.as_os_str().is_empty() { Path::new(".") } else { existing };
    Ok((existing, missing.iter().rev().collect()))
}

/// `core.autocrlf` and `core.eol` from the repository's own config only:
/// a user's global settings must not change what imprint prints (Argo CD
/// clones with none).
fn eol_config(repo: &Repository) -> EolConfig {
    let Ok(local) = repo.config().and_then(|c| c.open_level(git2::ConfigLevel::Local)) else {
        return EolConfig::default();
    };
    // git's own parsing: `input`, else a boolean (a key without a value,
    // and any non-zero number, are true).
    let autocrlf = if local.get_string("core.autocrlf").is_ok_and(|v| v.eq_ignore_ascii_case("input")) {
        AutoCrlf::Input
    } else if local.get_bool("core.autocrlf").unwrap_or(false) {
        AutoCrlf::True
    } else {
        AutoCrlf::False
    };
    let crlf = local.get_string("core.eol").is_ok_and(|v| v.eq_ignore_ascii_case("crlf"));
    EolConfig { autocrlf, crlf }
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

/// One folder's entries (name, kind, object id) and an index by name:
/// folders can hold thousands of entries.
struct Folder {
    entries: Vec<(String, Entry, Oid)>,
    by_name: HashMap<String, usize>,
}

impl Folder {
    fn get(&self, name: &str) -> Option<&(String, Entry, Oid)> {
        self.by_name.get(name).map(|&i| &self.entries[i])
    }
}

type Listing = Rc<Folder>;

impl GitSource {
    /// The entries of an in-tree folder (cached by tree id in the repo).
    fn folder(&self, path: &str) -> Result<Option<Listing>> {
        let mut id = self.root;
        let mut done = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            let listing = self.repo.listing(id, &done)?;
            match listing.get(part) {
                Some((_, Entry::Dir, child)) => id = *child,
                _ => return Ok(None),
            }
            done = super::join(&done, part);
        }
        self.repo.listing(id, path).map(Some)
    }

    /// The `.gitattributes` in the app's own folders from its root down to
    /// `dir` (in the app folder), root first.
    fn inner_attributes(&self, dir: &str) -> Result<Vec<AttributesFile>> {
        let rel = &self.checkout.rel;
        let mut out = Vec::new();
        let mut at_dir = String::new();
        let mut parts = dir.split('/').filter(|p| !p.is_empty());
        loop {
            let at = super::join(&at_dir, ".gitattributes");
            if let Some((Entry::File, id)) = self.entry_at(&at)? {
                let base = if at_dir.is_empty() { rel.clone() } else { super::join(rel, &at_dir) };
                out.push(AttributesFile { base, rules: self.repo.attributes(id, &at)?, shown: at, id: id.to_string() });
            }
            match parts.next() {
                Some(part) => at_dir = super::join(&at_dir, part),
                None => return Ok(out),
            }
        }
    }

    /// What a checkout does to the file at `path` (in the app folder):
    /// the attributes files above the app, those in the app's folders down
    /// to the file's, then info/attributes, in git's order.
    fn conversion(&self, path: &str) -> Result<Conversion> {
        let c = &self.checkout;
        let mut files = c.outer.clone();
        files.extend(self.inner_attributes(path.rsplit_once('/').map_or("", |(d, _)| d))?);
        if let Some(info) = &self.repo.0.info_attributes {
            files.push(info.clone());
        }
        let refs: Vec<(&str, &Rules)> = files.iter().map(|f| (f.base.as_str(), &*f.rules)).collect();
        let attrs = attributes::attributes(&refs, &super::join(&c.rel, path));
        attributes::conversion(&attrs, self.repo.0.eol).map_err(|refused| {
            let from = &files[refused.file];
            let what = if refused.attribute == "filter" {
                "runs a program on checkout (git-lfs stores only a pointer in git), and imprint runs none"
            } else {
                "re-encodes it on checkout"
            };
            git_error(format!(
                "{path}: {}:{} sets {}={} for it, which {what}: --rev cannot give what a checkout gives",
                from.shown, refused.line, refused.attribute, refused.value
            ))
            .in_file(from.shown.clone())
            .at_line(refused.line as u64)
            .field(refused.attribute)
            .help("render a checkout (without --rev), or keep imprint's inputs out of that attribute")
        })
    }

    fn entry_at(&self, path: &str) -> Result<Option<(Entry, Oid)>> {
        if path.is_empty() {
            return Ok(Some((Entry::Dir, self.root)));
        }
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        let Some(listing) = self.folder(parent)? else {
            return Ok(None);
        };
        Ok(listing.get(name).map(|(_, e, id)| (e.clone(), *id)))
    }
}

impl Backend for GitSource {
    fn entry(&self, path: &str) -> Result<Option<Entry>> {
        Ok(self.entry_at(path)?.map(|(e, _)| e))
    }

    fn read(&self, path: &str) -> Result<Vec<u8>> {
        match self.entry_at(path)? {
            Some((Entry::File, id)) => {
                let conversion = self.conversion(path)?;
                let bytes = self.repo.blob(id, path)?;
                let bytes = Rc::try_unwrap(bytes).unwrap_or_else(|shared| shared.to_vec());
                Ok(attributes::to_worktree(bytes, conversion, &id.to_string()))
            }
            _ => Err(Error::new(ErrorKind::Missing { path: path.to_string() })),
        }
    }

    fn size(&self, path: &str) -> Result<Option<u64>> {
        match self.entry_at(path)? {
            // The object header gives the size without inflating the blob.
            Some((Entry::File, id)) => {
                let odb = self.repo.0.repo.odb().map_err(|e| git_error(message(&e)))?;
                let (size, _) = odb.read_header(id).map_err(|e| git_error(message(&e)))?;
                Ok(Some(size as u64))
            }
            _ => Ok(None),
        }
    }

    /// The blob id and how a checkout converts it; a folder's tree id and
    /// every attributes file above it, in the app and over it (those inside
    /// it are in its tree).
    fn content_id(&self, path: &str) -> Option<String> {
        match self.entry_at(path) {
            Ok(Some((Entry::File, id))) => Some(format!("{id}{}", self.conversion(path).ok()?.tag())),
            Ok(Some((Entry::Dir, id))) => {
                let inner: Vec<String> =
                    self.inner_attributes(path).ok()?.iter().map(|f| format!("{}:{}", f.shown, f.id)).collect();
                Some(format!("{id}|{}|{}", self.checkout.signature, inner.join(",")))
            }
            _ => None,
        }
    }

    fn list(&self, path: &str) -> Result<Vec<(String, Entry)>> {
        let Some(listing) = self.folder(path)? else {
            return Err(Error::new(ErrorKind::Missing { path: path.to_string() }));
        };
        Ok(listing.entries.iter().map(|(n, e, _)| (n.clone(), e.clone())).collect())
    }
}
