//! Homotopy Explorer: train neural-network PDE solvers by homotopy dynamics and watch it
//! happen. This library is the whole engine; the binary, the GUI and the tests are thin
//! callers of it.
//!
//! Data path: preset (TOML) → [`config::RunConfig`] → [`train::Session`] (problem, network,
//! objective, trainer) → progress and history → exports.

pub mod backend;
pub mod bench;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod export;
pub mod linalg;
pub mod net;
pub mod problem;
pub mod reproduce;
pub mod train;
pub mod worker;
