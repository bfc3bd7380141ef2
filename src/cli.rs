//! Command line → validated settings → the library. The only place that
//! reads the process environment (flags' `IMPRINT_*` fallbacks and
//! `ARGOCD_APP_NAMESPACE`), and it never passes it into a bundle.

use crate::emit::{self, Format};
use crate::error::{Error, ErrorKind, Severity};
use crate::load;
use crate::render::{self, Options};
use crate::source::{Confined, dir::DirSource};
use crate::version::hash::HashKey;
use clap::{Parser, Subcommand};
use std::io::{Read, Write};
use std::path::PathBuf;

/// Content-versioned ConfigMaps and Secrets for GitOps.
#[derive(Debug, Parser)]
#[command(name = "imprint", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render an app directory (or `-` for a manifest stream on stdin) into
    /// versioned, rewritten, deterministic manifests.
    Render(RenderArgs),
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// App directory, or `-` to read one manifest stream from stdin.
    #[arg(default_value = ".")]
    pub dir: String,
    /// Default namespace for namespaced objects without one (beats imprint.yaml).
    #[arg(short = 'n', long, env = "IMPRINT_NAMESPACE")]
    pub namespace: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Yaml, env = "IMPRINT_FORMAT")]
    pub format: Format,
    /// Write to FILE, or one file per object into DIR (an existing folder or a
    /// path ending in `/`). Written atomically.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Key file for keyed Secret hashes (operator-owned; may lie outside DIR).
    #[arg(long, env = "IMPRINT_HASH_KEY_FILE")]
    pub hash_key_file: Option<PathBuf>,
    /// Turn dangling references into warnings.
    #[arg(long, env = "IMPRINT_ALLOW_DANGLING")]
    pub allow_dangling: bool,
    /// Allow a render with no objects (Argo CD prunes everything on empty output).
    #[arg(long, env = "IMPRINT_ALLOW_EMPTY")]
    pub allow_empty: bool,
    /// Print errors only.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print notes (why an object was left unversioned, …).
    #[arg(short, long)]
    pub verbose: bool,
}

/// Runs the command line; returns the process exit code.
#[must_use]
pub fn main() -> i32 {
    let cli = Cli::parse();
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => {
            eprintln!("error: {err}");
            err.exit_code()
        }
        Err(_) => {
            eprintln!(
                "error: internal error (a bug in imprint; please report it with the input that caused it)"
            );
            3
        }
    }
}

fn run(cli: Cli) -> Result<i32, Error> {
    match cli.command {
        Command::Render(args) => render_cmd(&args),
    }
}

fn read_key(path: &PathBuf) -> Result<HashKey, Error> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::new(ErrorKind::Io {
            path: path.display().to_string(),
            message: e.kind().to_string(),
        })
        .help("--hash-key-file / IMPRINT_HASH_KEY_FILE names the operator's key file")
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::new(ErrorKind::Usage(format!(
            "hash key file {} is empty",
            path.display()
        ))));
    }
    Ok(HashKey::from_material(&bytes))
}

fn render_cmd(args: &RenderArgs) -> Result<i32, Error> {
    let loaded = if args.dir == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            Error::new(ErrorKind::Io {
                path: "<stdin>".into(),
                message: e.to_string(),
            })
        })?;
        load::load_stream(&text, "<stdin>")?
    } else {
        let src = Confined::new(DirSource::open(std::path::Path::new(&args.dir))?);
        load::load_dir(&src)?
    };
    let opts = Options {
        namespace: args.namespace.clone().filter(|n| !n.is_empty()),
        env_namespace: std::env::var("ARGOCD_APP_NAMESPACE")
            .ok()
            .filter(|n| !n.is_empty()),
        allow_dangling: args.allow_dangling,
        hash_key: args.hash_key_file.as_ref().map(read_key).transpose()?,
    };
    let rendered = render::render(loaded, &opts)?;
    for d in &rendered.diagnostics {
        let show = match d.severity {
            Severity::Warning => !args.quiet,
            Severity::Note => args.verbose,
        };
        if show {
            eprintln!("{d}");
        }
    }
    if rendered.objects.is_empty() && !args.allow_empty {
        return Err(Error::new(ErrorKind::Empty));
    }
    match &args.output {
        Some(path) if path.is_dir() || path.to_string_lossy().ends_with('/') => {
            emit::write_dir(path, &rendered.objects)?
        }
        Some(path) => emit::write_file(path, &emit::to_string(&rendered.objects, args.format))?,
        None => {
            let text = emit::to_string(&rendered.objects, args.format);
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                // A closed pipe (`| head`) is the reader's choice, not an error.
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(Error::new(ErrorKind::Output {
                        path: "<stdout>".into(),
                        message: e.to_string(),
                    }));
                }
            }
        }
    }
    Ok(0)
}
