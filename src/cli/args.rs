//! The command line as clap types. What they mean is in docs/commands.md;
//! `commands` turns them into the library's settings.

use crate::diff;
use crate::limits::Limits;
use clap::{Parser, Subcommand, ValueEnum};
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
    /// Render two revisions and report what will roll, and why.
    Diff(DiffArgs),
    /// Who uses which config: every bundle and the objects that reference it.
    Graph(GraphArgs),
    /// Policy findings before sync (exit 1 on any error finding).
    Check(CheckArgs),
    /// KRM function: a ResourceList on stdin, the versioned ResourceList on stdout.
    Fn(FnArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, clap::Args)]
pub struct FnArgs {
    /// kustomize legacy exec-plugin mode: the plugin config file kustomize
    /// passes; stdin and stdout are then plain manifest streams.
    pub config: Option<PathBuf>,
    /// Key file for keyed Secret hashes.
    #[arg(long, env = "IMPRINT_HASH_KEY_FILE")]
    pub hash_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Table,
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// App directories (default `.`): one graph over all of them, with the
    /// app on every row; `-` reads a manifest stream from stdin.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<String>,
    /// Every folder under each DIR that holds an imprint.yaml is an app.
    #[arg(short = 'r', long)]
    pub recursive: bool,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub at: RevArg,
    #[arg(long, value_enum, default_value_t = GraphFormat::Table)]
    pub format: GraphFormat,
    /// Only this bundle (original or versioned name) and its users.
    #[arg(long)]
    pub bundle: Option<String>,
    /// Only the bundles this object (by name) uses.
    #[arg(long)]
    pub workload: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// App directories (default `.`), or `-` for a manifest stream on stdin.
    #[arg(value_name = "DIR")]
    pub dirs: Vec<String>,
    /// Every folder under each DIR that holds an imprint.yaml is an app.
    #[arg(short = 'r', long)]
    pub recursive: bool,
    #[command(flatten)]
    pub at: RevArg,
    #[command(flatten)]
    pub app: AppArgs,
    /// Flux post-build substitution runs on the output: `${VAR}` in a
    /// versioned bundle is an error.
    #[arg(long)]
    pub flux: bool,
    /// Also fail (exit 1) on warnings.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// How to read the app: every command that renders (`check` too).
#[derive(Debug, clap::Args)]
pub struct AppArgs {
    /// Default namespace for namespaced objects without one (beats imprint.yaml).
    #[arg(short = 'n', long, env = "IMPRINT_NAMESPACE")]
    pub namespace: Option<String>,
    /// Key file for keyed Secret hashes (operator-owned; may lie outside DIR).
    #[arg(long, env = "IMPRINT_HASH_KEY_FILE")]
    pub hash_key_file: Option<PathBuf>,
    #[command(flatten)]
    pub values: ValueArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// `--rev`: render, graph, check.
#[derive(Debug, clap::Args)]
pub struct RevArg {
    /// Read DIR as it is at this git revision (anything `git rev-parse` takes).
    #[arg(long, env = "IMPRINT_REV")]
    pub rev: Option<String>,
}

/// What to render and how: render, diff, graph.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    #[command(flatten)]
    pub app: AppArgs,
    /// Turn dangling references into warnings.
    #[arg(long, env = "IMPRINT_ALLOW_DANGLING", value_parser = switch)]
    pub allow_dangling: bool,
    /// Also emit the N previous versions of each bundle from git history
    /// (beats imprint.yaml's keepVersions).
    #[arg(long, env = "IMPRINT_KEEP_VERSIONS", value_name = "N")]
    pub keep_versions: Option<u32>,
    /// Most commits walked for --keep-versions.
    #[arg(long, default_value_t = 500, value_name = "COMMITS")]
    pub history_depth: usize,
    /// History that ends before N versions are found is a warning, not an error.
    #[arg(long)]
    pub keep_versions_best_effort: bool,
}

/// Resource limits (docs/limits.md). Defaults come from
/// [`crate::limits::Limits::default`], which is where they are explained.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct LimitArgs {
    /// Largest input file, in bytes.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_FILE_SIZE", default_value_t = Limits::default().max_file_bytes, value_name = "BYTES")]
    pub max_file_size: u64,
    /// Most bytes read in all (files and stdin), and of parsed strings.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_INPUT_SIZE", default_value_t = Limits::default().max_input_bytes, value_name = "BYTES")]
    pub max_input_size: u64,
    /// Most YAML documents in all input files.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_DOCUMENTS", default_value_t = Limits::default().max_documents, value_name = "N")]
    pub max_documents: usize,
    /// Most YAML nodes in all input files (memory: about 80 bytes a node).
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_YAML_NODES", default_value_t = Limits::default().max_yaml_nodes, value_name = "N")]
    pub max_yaml_nodes: usize,
    /// Deepest nesting in one document.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_DEPTH", default_value_t = Limits::default().max_depth, value_name = "LEVELS",
          value_parser = depth)]
    pub max_depth: usize,
    /// Most alias uses, anchors and alias-replayed nodes in one file.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_ALIAS_EXPANSION", default_value_t = Limits::default().max_alias_expansion, value_name = "N")]
    pub max_alias_expansion: usize,
    /// Most keys in one generated ConfigMap or Secret.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_BUNDLE_KEYS", default_value_t = Limits::default().max_bundle_keys, value_name = "N")]
    pub max_bundle_keys: usize,
    /// Largest rendered output (and output of one template), in bytes.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_OUTPUT_SIZE", default_value_t = Limits::default().max_output_bytes, value_name = "BYTES")]
    pub max_output_size: u64,
    /// Most `{{#each}}` iterations of all templates together.
    #[arg(long, help_heading = "Limits", env = "IMPRINT_MAX_TEMPLATE_ITERATIONS", default_value_t = Limits::default().max_template_iterations, value_name = "N")]
    pub max_template_iterations: u64,
}

/// `--max-depth`: 1 to [`crate::limits::DEPTH_CEILING`].
fn depth(s: &str) -> Result<usize, String> {
    let ceiling = crate::limits::DEPTH_CEILING;
    match s.parse::<usize>() {
        Ok(n) if (1..=ceiling).contains(&n) => Ok(n),
        _ => Err(format!("expected a number from 1 to {ceiling}")),
    }
}

impl LimitArgs {
    pub(super) fn limits(self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size,
            max_input_bytes: self.max_input_size,
            max_documents: self.max_documents,
            max_yaml_nodes: self.max_yaml_nodes,
            max_depth: self.max_depth,
            max_alias_expansion: self.max_alias_expansion,
            max_bundle_keys: self.max_bundle_keys,
            max_output_bytes: self.max_output_size,
            max_template_iterations: self.max_template_iterations,
        }
    }
}

/// Template values from the command line (the highest precedence).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ValueArgs {
    /// Set a template value: `a.b=c` (repeatable; `3`, `true`, `null` are typed).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Like --set, but the value is always a string (applied after --set).
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// App directory, or `-` to read one manifest stream from stdin.
    #[arg(default_value = ".")]
    pub dir: String,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub at: RevArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Yaml, env = "IMPRINT_FORMAT")]
    pub format: OutputFormat,
    /// Write to FILE, or one file per object into DIR (an existing folder or a
    /// path ending in `/`). Written atomically.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Allow a render with no objects (Argo CD prunes everything on empty output).
    #[arg(long, env = "IMPRINT_ALLOW_EMPTY", value_parser = switch)]
    pub allow_empty: bool,
    /// Print the effective template values and exit.
    #[arg(long)]
    pub show_values: bool,

    /// Print errors only.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print notes (why an object was left unversioned, …).
    #[arg(short, long)]
    pub verbose: bool,
}

/// `render --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Yaml,
    Json,
}

impl From<OutputFormat> for crate::emit::Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Yaml => crate::emit::Format::Yaml,
            OutputFormat::Json => crate::emit::Format::Json,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// App directory.
    #[arg(default_value = ".")]
    pub dir: String,
    #[command(flatten)]
    pub input: InputArgs,
    /// The old side: a git revision.
    #[arg(long)]
    pub from: String,
    /// The new side: a git revision (default: the working tree).
    #[arg(long)]
    pub to: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Colour in the text format (auto: when stdout is a terminal and NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// A side where DIR does not exist (an app added or removed by the
    /// change) counts as empty: all its objects are added or removed.
    #[arg(long)]
    pub missing_as_empty: bool,
    /// Markdown of at most this many bytes: details, then table rows, are
    /// left out (and the report says so) to fit a comment box.
    #[arg(long, value_name = "BYTES", value_parser = report_size)]
    pub max_report_size: Option<usize>,
}

/// A switch's `IMPRINT_*` variable, as Argo CD users write it: on for
/// `1`, `true`, `yes`, `y`, `on`; off for empty, `0`, `false`, `no`, `n`,
/// `off` (any case); anything else is refused, so a misspelt value never
/// turns a safety switch on.
fn switch(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "n" | "off" => Ok(false),
        _ => Err("expected 1/true/yes/on or 0/false/no/off (or empty)".into()),
    }
}

/// `--max-report-size`: at least [`diff::MIN_REPORT_SIZE`].
fn report_size(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= diff::MIN_REPORT_SIZE => Ok(n),
        _ => Err(format!("expected a number of bytes, at least {}", diff::MIN_REPORT_SIZE)),
    }
}
