//! Homotopy Explorer: train neural-network PDE solvers by homotopy dynamics and watch it
//! happen. This library is the whole engine; the binary, the GUI and the tests are thin
//! callers of it.
//!
//! Data path: preset (TOML) → [`config::RunConfig`] → [`worker`] thread owning a
//! [`train::Session`] (problem, network, objective, trainer) → [`worker::Event`] snapshots →
//! the eframe UI ([`app`], [`ui`]) and the exporters ([`export`]); the CLI ([`cli`]) drives the
//! same session directly.

pub mod app;
pub mod backend;
pub mod bench;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod export;
pub mod lab;
pub mod linalg;
pub mod net;
pub mod pool;
pub mod presets;
pub mod problem;
pub mod reproduce;
pub mod sweep;
pub mod train;
pub mod ui;
pub mod worker;
