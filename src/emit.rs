//! Stage 7: write the stream. Output is all or nothing: files are written
//! under a temporary name and renamed into place, so Argo CD or a CI job
//! never sees half a render.

use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;
use crate::model::Object;
use crate::yaml;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Output formats of `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Yaml,
    Json,
}

/// Objects serialized at once (on every core) before they are written: big
/// enough to keep the cores busy, small enough that the output is never
/// held in memory twice.
const CHUNK: usize = 512;

/// Why writing the stream stopped.
#[derive(Debug)]
pub enum WriteError {
    /// The output would pass `--max-output-size`.
    Limit(Error),
    /// The writer failed (a full disk, a closed pipe).
    Io(std::io::Error),
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// Refuses output larger than `--max-output-size`.
pub fn check_size(bytes: u64, limits: &Limits) -> Result<()> {
    if bytes > limits.max_output_bytes {
        let what = format!("the rendered output is larger than the limit of {} bytes", limits.max_output_bytes);
        return Err(crate::limits::exceeded(what, crate::limits::Limit::OutputSize));
    }
    Ok(())
}

/// Refuses, before anything is serialized, objects whose strings alone
/// pass `--max-output-size` (YAML writes every string at least once).
fn check_lower_bound(objects: &[Object], limits: &Limits) -> Result<()> {
    let strings: u64 = objects.iter().map(|o| crate::limits::measure(&o.value).1).sum();
    check_size(strings, limits)
}

/// Writes the stream to `out` chunk by chunk, in order. The size limit is
/// checked before each chunk is written, so nothing past it is written (on
/// stdout, the chunks before it are: the exit code says the render failed).
pub fn write_stream(
    objects: &[Object],
    format: Format,
    limits: &Limits,
    out: &mut dyn std::io::Write,
) -> Result<(), WriteError> {
    use rayon::prelude::*;
    check_lower_bound(objects, limits).map_err(WriteError::Limit)?;
    if format == Format::Json {
        let text = to_string(objects, format);
        check_size(text.len() as u64, limits).map_err(WriteError::Limit)?;
        return Ok(out.write_all(text.as_bytes())?);
    }
    let mut written = 0u64;
    for (c, chunk) in objects.chunks(CHUNK).enumerate() {
        let docs: Vec<String> = chunk.par_iter().map(|o| yaml::to_yaml(&o.value)).collect();
        // `---\n` before every document but the first.
        let separators = if c == 0 { docs.len().saturating_sub(1) } else { docs.len() };
        written += docs.iter().map(|d| d.len() as u64).sum::<u64>() + 4 * separators as u64;
        check_size(written, limits).map_err(WriteError::Limit)?;
        for (i, d) in docs.iter().enumerate() {
            if c > 0 || i > 0 {
                out.write_all(b"---\n")?;
            }
            out.write_all(d.as_bytes())?;
        }
    }
    Ok(())
}

/// The whole stream as text.
#[must_use]
pub fn to_string(objects: &[Object], format: Format) -> String {
    match format {
        Format::Yaml => yaml::to_yaml_stream(objects.iter().map(|o| &o.value)),
        Format::Json => {
            let items: Vec<&Value> = objects.iter().map(|o| &o.value).collect();
            let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
            let mut s = serde_json::to_string_pretty(&list).expect("JSON values always serialize");
            s.push('\n');
            s
        }
    }
}

pub(crate) fn out_err(path: &Path, e: &std::io::Error) -> Error {
    Error::new(ErrorKind::Output { path: path.display().to_string(), message: e.to_string() })
}

fn temp_sibling(path: &Path, tag: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.imprint-{tag}-{}", std::process::id()))
}

/// Writes the stream to one file, atomically. A device or a pipe
/// (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is written to as it is:
/// renaming a file over it would replace the device node itself.
pub fn write_file(path: &Path, objects: &[Object], format: Format, limits: &Limits) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        use std::io::Write as _;
        let written = std::fs::OpenOptions::new().write(true).open(path).map_err(WriteError::Io).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            write_stream(objects, format, limits, &mut w)?;
            Ok(w.flush()?)
        });
        return written.map_err(|e| match e {
            WriteError::Limit(e) => e,
            WriteError::Io(e) => out_err(path, &e),
        });
    }
    // A symbolic link is written through (the file it names is replaced,
    // not the link), like a shell's `>`.
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            resolved.as_path()
        }
        _ => path,
    };
    let tmp = temp_sibling(path, "tmp");
    let written = std::fs::File::create(&tmp).map_err(WriteError::Io).and_then(|f| {
        let mut w = std::io::BufWriter::new(f);
        write_stream(objects, format, limits, &mut w)?;
        Ok(w.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_all()?)
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(match e {
            WriteError::Limit(e) => e,
            WriteError::Io(e) => out_err(path, &e),
        });
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        out_err(path, &e)
    })
}

/// `<namespace or _cluster>/<lowercase kind>-<name>.yaml` for each object; a
/// kind that two groups share in one folder gets its group in the name.
pub fn file_names(objects: &[Object]) -> Result<Vec<String>> {
    // Names and namespaces become path components: anything that is not a
    // plain Kubernetes name (`/`, `..`, a leading dot) could write outside
    // the folder, so it is refused.
    let safe = |part: &str| {
        !part.is_empty()
            && !part.starts_with('.')
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'))
    };
    let base = |o: &Object, with_group: bool| -> Result<String> {
        let ns = if o.namespace().is_empty() { "_cluster" } else { o.namespace() };
        let name = if o.name().is_empty() {
            crate::model::object::str_at(&o.value, &["metadata", "generateName"]).unwrap_or_default()
        } else {
            o.name()
        };
        let kind = o.kind().to_ascii_lowercase();
        if !safe(ns) || !safe(name) || !safe(&kind) {
            return Err(Error::new(ErrorKind::Output {
                path: format!("{}", o.id()),
                message: "its kind, namespace or name cannot be a file name (only letters, digits, '-', '.', '_', ':')"
                    .into(),
            }));
        }
        let kind = if with_group && !o.group().is_empty() { format!("{kind}.{}", o.group()) } else { kind };
        Ok(format!("{ns}/{kind}-{name}.yaml"))
    };
    let plain: Vec<String> = objects.iter().map(|o| base(o, false)).collect::<Result<_>>()?;
    let mut counts = std::collections::HashMap::new();
    for p in &plain {
        *counts.entry(p.as_str()).or_insert(0) += 1;
    }
    let mut names: Vec<String> = objects
        .iter()
        .zip(&plain)
        .map(|(o, p)| if counts[p.as_str()] > 1 { base(o, true) } else { Ok(p.clone()) })
        .collect::<Result<_>>()?;
    // Still equal (generateName objects): number them in output order.
    let mut seen = std::collections::HashMap::new();
    for n in &mut names {
        let count = seen.entry(n.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            *n = format!("{}-{count}.yaml", n.trim_end_matches(".yaml"));
        }
    }
    Ok(names)
}

/// Writes one file per object into `dir`, replacing its previous content
/// in one rename.
pub fn write_dir(dir: &Path, objects: &[Object], limits: &Limits) -> Result<()> {
    let tmp = temp_sibling(dir, "tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        check_lower_bound(objects, limits)?;
        let mut written = 0u64;
        for (o, name) in objects.iter().zip(file_names(objects)?) {
            let path = tmp.join(&name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| out_err(parent, &e))?;
            }
            let text = yaml::to_yaml(&o.value);
            written += text.len() as u64;
            check_size(written, limits)?;
            std::fs::write(&path, text).map_err(|e| out_err(&path, &e))?;
        }
        if dir.exists() {
            let old = temp_sibling(dir, "old");
            std::fs::rename(dir, &old).map_err(|e| out_err(dir, &e))?;
            std::fs::rename(&tmp, dir).map_err(|e| out_err(dir, &e))?;
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&tmp, dir).map_err(|e| out_err(dir, &e))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}
