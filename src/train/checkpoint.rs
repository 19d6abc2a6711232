//! A checkpoint: a trained state (configuration, θ, ε, s, step) as data, made by
//! [`super::Session::checkpoint`] and turned back into a session by
//! [`super::Session::from_checkpoint`], which checks it before anything is replaced.

use serde::{Deserialize, Serialize};

use crate::config::RunConfig;

/// A saved trained state.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Checkpoint {
    pub format: String,
    pub config: RunConfig,
    pub theta: Vec<f64>,
    pub eps: f64,
    pub s: f64,
    pub step: usize,
}

impl Checkpoint {
    pub const FORMAT: &'static str = "homotopy-explorer checkpoint v1";
}
