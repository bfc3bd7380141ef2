//! The working tree: a folder on disk, read without following symlinks
//! (the confinement layer in `source` follows them, inside the tree only).

use super::{Backend, Entry};
use crate::error::{Error, ErrorKind, Result};
use std::fs;
use std::path::{Path, PathBuf};

pub struct DirSource {
    root: PathBuf,
}

impl DirSource {
    /// Opens an app directory. The root itself may be reached through a
    /// symlink (a mounted checkout); everything below is confined.
    pub fn open(root: &Path) -> Result<Self> {
        let meta = fs::metadata(root).map_err(|e| io_error(&root.display().to_string(), &e))?;
        if !meta.is_dir() {
            return Err(Error::new(ErrorKind::Usage(format!("{} is not a directory", root.display()))));
        }
        Ok(DirSource { root: root.to_path_buf() })
    }

    fn path(&self, rel: &str) -> PathBuf {
        if rel.is_empty() { self.root.clone() } else { self.root.join(rel) }
    }
}

fn io_error(path: &str, e: &std::io::Error) -> Error {
    Error::new(ErrorKind::Io { path: path.to_string(), message: e.kind().to_string() })
}

fn entry_of(meta: &fs::Metadata, path: &Path) -> Result<Entry> {
    let ft = meta.file_type();
    Ok(if ft.is_symlink() {
        let target = fs::read_link(path).map_err(|e| io_error(&path.display().to_string(), &e))?;
        Entry::Symlink(target.to_string_lossy().into_owned())
    } else if ft.is_dir() {
        Entry::Dir
    } else if ft.is_file() {
        Entry::File
    } else {
        Entry::Other("special file")
    })
}

impl Backend for DirSource {
    fn entry(&self, rel: &str) -> Result<Option<Entry>> {
        let path = self.path(rel);
        match fs::symlink_metadata(&path) {
            Ok(meta) if rel.is_empty() => {
                Ok(Some(if meta.is_dir() || meta.file_type().is_symlink() { Entry::Dir } else { Entry::File }))
            }
            Ok(meta) => entry_of(&meta, &path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(rel, &e)),
        }
    }

    fn read(&self, rel: &str) -> Result<Vec<u8>> {
        fs::read(self.path(rel)).map_err(|e| io_error(rel, &e))
    }

    fn size(&self, rel: &str) -> Result<Option<u64>> {
        Ok(Some(fs::symlink_metadata(self.path(rel)).map_err(|e| io_error(rel, &e))?.len()))
    }

    fn list(&self, rel: &str) -> Result<Vec<(String, Entry)>> {
        let dir = self.path(rel);
        let mut out = Vec::new();
        for item in fs::read_dir(&dir).map_err(|e| io_error(rel, &e))? {
            let item = item.map_err(|e| io_error(rel, &e))?;
            let meta = fs::symlink_metadata(item.path()).map_err(|e| io_error(rel, &e))?;
            match item.file_name().into_string() {
                Ok(name) => out.push((name, entry_of(&meta, &item.path())?)),
                Err(raw) => out.push((raw.to_string_lossy().into_owned(), Entry::Other(super::NON_UTF8))),
            }
        }
        Ok(out)
    }
}
