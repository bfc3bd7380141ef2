//! Generator inputs: the files, folders and env files each
//! configMapGenerator/secretGenerator reads.

use super::{BundleSpec, Input};
use crate::config::{self, Generator, RenderConfig};
use crate::error::{Error, Result};
use crate::model::BundleKind;
use crate::source::{Backend, Confined, Entry};

/// Reads every generator's inputs (shared with `fn`).
pub fn read_generators<B: Backend>(src: &Confined<B>, config: &RenderConfig) -> Result<Vec<BundleSpec>> {
    read_generators_where(src, config, &|_, _| true)
}

/// Like [`read_generators`], for the generators `wanted` accepts only
/// (history reads just the bundles whose inputs changed).
pub fn read_generators_where<B: Backend>(
    src: &Confined<B>,
    config: &RenderConfig,
    wanted: &dyn Fn(BundleKind, &Generator) -> bool,
) -> Result<Vec<BundleSpec>> {
    let mut out = Vec::new();
    let lists = [
        (BundleKind::ConfigMap, "configMapGenerator", &config.config_map_generator),
        (BundleKind::Secret, "secretGenerator", &config.secret_generator),
    ];
    for (target, field, list) in lists {
        for (i, g) in list.iter().enumerate() {
            if !wanted(target, &g.value) {
                continue;
            }
            let at = |e: Error, sub: String| {
                e.in_file(config::FILE_NAME).at_line(g.line).field(format!("{field}[{i}].{sub}"))
            };
            let mut inputs = Vec::new();
            let mut skipped = Vec::new();
            for (j, entry) in g.value.files.iter().enumerate() {
                let (key, path) = match entry.split_once('=') {
                    Some((k, p)) => (Some(k.to_string()), p),
                    None => (None, entry.as_str()),
                };
                let sub = format!("files[{j}]");
                match src.kind(path).map_err(|e| at(e, sub.clone()))? {
                    Some(Entry::Dir) if key.is_none() => {
                        let (files, dirs) = src.files_in(path).map_err(|e| at(e, sub.clone()))?;
                        for f in files {
                            let bytes = src.read_found(&f).map_err(|e| at(e, sub.clone()))?;
                            let key = f.path.rsplit('/').next().unwrap_or_default().to_string();
                            inputs.push(Input::File { key, path: f.path, bytes });
                        }
                        skipped.extend(dirs);
                    }
                    _ => {
                        let norm = crate::source::normalize("", path).map_err(|e| at(e, sub.clone()))?;
                        let bytes = src.read(path).map_err(|e| at(e, sub.clone()))?;
                        let key = key.unwrap_or_else(|| norm.rsplit('/').next().unwrap_or_default().to_string());
                        inputs.push(Input::File { key, path: norm, bytes });
                    }
                }
            }
            for (j, path) in g.value.envs.iter().enumerate() {
                let norm = crate::source::normalize("", path).map_err(|e| at(e, format!("envs[{j}]")))?;
                let bytes = src.read(path).map_err(|e| at(e, format!("envs[{j}]")))?;
                inputs.push(Input::Env { path: norm, bytes });
            }
            for (j, text) in g.value.literals.iter().enumerate() {
                inputs.push(Input::Literal { text: text.clone(), index: j });
            }
            out.push(BundleSpec {
                target,
                generator: g.value.clone(),
                line: g.line,
                inputs,
                skipped_subfolders: skipped,
            });
        }
    }
    Ok(out)
}

/// A generator's input files (normalized paths) and their content ids,
/// without reading them (`None` ids when the backend has none or a path
/// does not resolve).
pub fn generator_inputs<B: Backend>(src: &Confined<B>, g: &Generator) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let norm = |p: &str| crate::source::normalize("", p).unwrap_or_else(|_| p.to_string());
    for entry in &g.files {
        let path = entry.split_once('=').map_or(entry.as_str(), |(_, p)| p);
        match src.kind(path) {
            Ok(Some(Entry::Dir)) if !entry.contains('=') => match src.files_in(path) {
                Ok((files, _)) => out.extend(files.iter().map(|f| (f.path.clone(), src.found_id(f)))),
                Err(_) => out.push((norm(path), None)),
            },
            _ => out.push((norm(path), src.content_id(path))),
        }
    }
    out.extend(g.envs.iter().map(|p| (norm(p), src.content_id(p))));
    out
}
