//! Speed figures printed by `homotopy-explorer bench` as JSON lines, one per benchmark.

use std::time::Instant;

use serde_json::json;

use crate::backend::ComputeDevice;
use crate::config::RunConfig;
use crate::train::{NetPath, Objective, Session};

/// The paper's 1D Allen–Cahn setup at ε = 0.01 ([1,30,30,30,1] tanh, n = 200, Adam).
pub fn ac1_config() -> RunConfig {
    RunConfig::from_toml_str(
        "version = 1\nname = \"bench\"\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.01\n",
    )
    .expect("built-in benchmark preset is valid")
}

/// Adam steps per second of a session's trainer (loss, gradient and update; no evaluation).
fn adam_steps_per_s(session: &mut Session, steps: usize) -> f64 {
    for _ in 0..steps.min(200) {
        session
            .trainer
            .step(&mut session.state, &mut session.objective)
            .expect("CPU objective never fails to read back");
    }
    let t0 = Instant::now();
    for _ in 0..steps {
        session
            .trainer
            .step(&mut session.state, &mut session.objective)
            .expect("CPU objective never fails to read back");
    }
    steps as f64 / t0.elapsed().as_secs_f64()
}

/// Run the benchmarks named in the comma-separated `filter` (all when empty) on `device`,
/// printing one JSON line each.
pub fn run_all(device: &ComputeDevice, steps: usize, filter: &str) {
    let wanted = |name: &str| filter.is_empty() || filter.split(',').any(|f| f.trim() == name);
    if wanted("ac1_adam_step") {
        ac1_adam_step(device, steps);
    }
    if wanted("ac1_adam_step_burn_graph") {
        ac1_adam_step_burn_graph(device, steps);
    }
}

fn ac1_adam_step(device: &ComputeDevice, steps: usize) {
    let mut session = Session::new(ac1_config(), device);
    let sps = adam_steps_per_s(&mut session, steps);
    println!(
        "{}",
        json!({"bench": "ac1_adam_step", "steps_per_s": round3(sps), "ms": round3(1e3 / sps),
               "device": device.description, "path": format!("{:?}", session.objective.path())})
    );
}

/// The same step with burn's reverse mode through the whole network (the wgpu path's code).
fn ac1_adam_step_burn_graph(device: &ComputeDevice, steps: usize) {
    let mut session = Session::new(ac1_config(), device);
    session.objective = Objective::with_path(
        session.problem.clone(),
        session.objective.shape().clone(),
        &device.device,
        session.config.problem.bc_weight,
        NetPath::Burn,
    );
    let sps = adam_steps_per_s(&mut session, (steps / 5).max(50));
    println!(
        "{}",
        json!({"bench": "ac1_adam_step_burn_graph", "steps_per_s": round3(sps), "ms": round3(1e3 / sps),
               "device": device.description})
    );
}

fn round3(v: f64) -> f64 {
    let scale = 10f64.powi(3 - v.abs().log10().ceil() as i32);
    (v * scale).round() / scale
}
