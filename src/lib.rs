//! imprint: content-versioned ConfigMaps and Secrets for GitOps.
//!
//! The pipeline, one module a stage, in data-flow order:
//! [`source`] → [`load`] → [`generate`] → [`version`] → [`rewrite`] →
//! [`order`] → [`emit`]; [`pipeline`] runs it ([`render`] holds the
//! stages between loading and ordering). [`refs`] is the reference
//! table, [`version::hash`] the hash contract, [`yaml`] and [`template`] the
//! only users of their crates. [`work`] counts work for the tests that
//! pin linear costs.
#![forbid(unsafe_code)]

pub mod check;
pub mod cli;
pub mod config;
pub mod diff;
pub mod emit;
pub mod error;
pub mod generate;
pub mod graph;
pub mod history;
pub mod kinds;
pub mod krm;
pub mod limits;
pub mod load;
pub mod model;
pub mod order;
pub mod pipeline;
pub mod refs;
pub mod render;
pub mod report;
pub mod rewrite;
pub mod source;
pub mod template;
pub mod values;
pub mod version;
pub mod work;
pub mod yaml;
