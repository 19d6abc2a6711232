//! Speed figures printed by `homotopy-explorer bench` as JSON lines, one per benchmark.

use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::json;

use crate::backend::ComputeDevice;
use crate::config::RunConfig;
use crate::linalg::Form;
use crate::train::{NetPath, Session};

/// The paper's 1D Allen–Cahn setup at ε = 0.01 ([1,30,30,30,1] tanh, n = 200, Adam).
pub fn ac1_config() -> RunConfig {
    RunConfig::from_toml_str(
        "version = 1\nname = \"bench\"\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.01\n",
    )
    .expect("built-in benchmark preset is valid")
}

/// Adam steps per second of a session's trainer (loss, gradient and update; no evaluation).
fn adam_steps_per_s(session: &mut Session, steps: usize) -> Result<f64> {
    let mut step = || -> Result<()> {
        session.trainer_step().context("training step")?;
        Ok(())
    };
    for _ in 0..steps.min(200) {
        step()?;
    }
    let t0 = Instant::now();
    for _ in 0..steps {
        step()?;
    }
    Ok(steps as f64 / t0.elapsed().as_secs_f64())
}

/// Print one figure as a JSON line, with the compute pool's size as its `threads` field.
fn emit(mut line: serde_json::Value) {
    if let Some(fields) = line.as_object_mut() {
        fields.insert("threads".into(), json!(crate::pool::threads()));
    }
    println!("{line}");
}

/// The thread counts `bench` measures at: the one asked for, else one thread and every core.
pub fn thread_counts(asked: Option<usize>) -> Vec<usize> {
    match asked {
        Some(n) => vec![n],
        None => {
            let all = crate::pool::available();
            if all > 1 { vec![1, all] } else { vec![1] }
        }
    }
}

/// The benchmarks `--only` may name (a line may carry a companion, e.g. `ac1_lambda_min`
/// prints the Gram route's figure beside its own).
pub const NAMES: [&str; 13] = [
    "ac1_adam_step",
    "ac1_adam_step_burn_graph",
    "ac1_jacobian",
    "ac1_lambda_min",
    "ac1_lm_iteration",
    "ac1_euler_step",
    "hh20_adam_step",
    "hh20_adam_step_paper",
    "hh20_lm_iteration",
    "ac2_adam_step",
    "ac2_lm_iteration",
    "ac2_lm_plain",
    "reproduce_ac1_one_seed",
];

/// Refuse an `--only` list naming a benchmark that does not exist (a typo would otherwise
/// time nothing and say nothing).
pub fn check_filter(filter: &str) -> Result<()> {
    for name in filter.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !NAMES.contains(&name) {
            anyhow::bail!(
                "--only: no benchmark is called “{name}”; the benchmarks are {}",
                NAMES.join(", ")
            );
        }
    }
    Ok(())
}

/// [`run_all`] once per thread count (the pool resized in between).
pub fn run_at(device: &ComputeDevice, steps: usize, filter: &str, threads: &[usize]) -> Result<()> {
    check_filter(filter)?;
    for &n in threads {
        crate::pool::set_threads(n)?;
        run_all(device, steps, filter)?;
    }
    Ok(())
}

/// Run the benchmarks named in the comma-separated `filter` (all when empty) on `device`,
/// printing one JSON line each; the first failing benchmark stops the run with its error.
pub fn run_all(device: &ComputeDevice, steps: usize, filter: &str) -> Result<()> {
    let wanted = |name: &str| filter.is_empty() || filter.split(',').any(|f| f.trim() == name);
    if wanted("ac1_adam_step") {
        ac1_adam_step(device, steps)?;
    }
    if wanted("ac1_adam_step_burn_graph") {
        ac1_adam_step_burn_graph(device, steps)?;
    }
    let homotopy = [
        "ac1_jacobian",
        "ac1_lambda_min",
        "ac1_lm_iteration",
        "ac1_euler_step",
    ];
    if homotopy.iter().any(|n| wanted(n)) {
        ac1_homotopy_kernels(device, &wanted)?;
    }
    if wanted("hh20_adam_step") {
        hh20_adam_step("hh20_adam_step", device, steps, 1000, 200)?;
    }
    if wanted("hh20_adam_step_paper") {
        hh20_adam_step("hh20_adam_step_paper", device, steps, 10_000, 2_000)?;
    }
    if wanted("hh20_lm_iteration") && device.kind == crate::config::BackendKind::Cpu {
        hh20_lm_iteration()?;
    }
    if wanted("ac2_adam_step") || wanted("ac2_lm_iteration") || wanted("ac2_lm_plain") {
        ac2_kernels(device, steps, &wanted)?;
    }
    if wanted("reproduce_ac1_one_seed") {
        reproduce_ac1_one_seed()?;
    }
    Ok(())
}

/// Median milliseconds of `f` over `reps` calls (after one warm-up call).
fn median_ms(reps: usize, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
    f()?;
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t0 = Instant::now();
        f()?;
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Jacobian, spectrum, LM iteration and Euler step on the paper's network at n = 200, ε = 0.01,
/// from parameters after 500 Adam steps at ε = 0.1.
fn ac1_homotopy_kernels(device: &ComputeDevice, wanted: &dyn Fn(&str) -> bool) -> Result<()> {
    let mut config =
        RunConfig::from_toml_str(include_str!("../presets/allen_cahn_1d_strategy1.toml"))
            .context("the shipped Strategy 1 preset")?;
    config.strategy.phase1.adam_steps = 500;
    config.strategy.phase1.lm_iterations = 0;
    config.strategy.euler.corrector = crate::config::Corrector::None;
    let mut session = Session::new(config.clone(), device);
    for _ in 0..500 {
        session.step().context("Phase I step")?;
    }
    let theta = session.state().theta.clone();
    let objective = session.objective();
    if wanted("ac1_jacobian") {
        let ms = median_ms(50, || {
            objective.linearize(&theta, 0.01)?;
            Ok(())
        })?;
        emit(
            json!({"bench": "ac1_jacobian", "ms": round3(ms), "what": "J_res (200×1951), J_bc, H_ε and residuals in one reverse pass"}),
        );
    }
    if wanted("ac1_lambda_min") {
        let ms = median_ms(30, || {
            let lin = objective.linearize(&theta, 0.01)?;
            crate::diagnostics::spectrum::kernel_spectrum(&lin.residual.jacobian, 1e-4)?;
            Ok(())
        })?;
        emit(
            json!({"bench": "ac1_lambda_min", "ms": round3(ms), "what": "J, σ(J) by QR + SVD (accurate), full spectrum, rank and soft mode"}),
        );
        let ms = median_ms(30, || {
            let lin = objective.linearize(&theta, 0.01)?;
            crate::diagnostics::spectrum::kernel_spectrum_gram(&lin.residual.jacobian, 1e-4)?;
            Ok(())
        })?;
        emit(
            json!({"bench": "ac1_lambda_min_gram", "ms": round3(ms), "what": "J, K = JJᵀ and its eigendecomposition (fast, floor m·ε·λ_max)"}),
        );
    }
    if wanted("ac1_lm_iteration") {
        let mut lm = crate::train::lm::LevenbergMarquardt::new(&config.lm);
        let ms = median_ms(30, || {
            let mut t = theta.clone();
            lm.iterate(objective, &mut t, 0.1, &[])?;
            Ok(())
        })?;
        emit(
            json!({"bench": "ac1_lm_iteration", "ms": round3(ms), "what": "one Levenberg–Marquardt iteration, 202×1951 dual form with geodesic acceleration"}),
        );
    }
    if wanted("ac1_euler_step") {
        // The session is in Phase II now: each step is one predictor (no corrector).
        let mut times = Vec::new();
        for _ in 0..40 {
            let t0 = Instant::now();
            session.step().context("Euler step")?;
            times.push(t0.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        emit(
            json!({"bench": "ac1_euler_step", "ms": round3(times[times.len() / 2]), "what": "Strategy-1 Euler predictor: J, phase condition, truncated-SVD solve, loss"}),
        );
    }
    Ok(())
}

/// The whole `reproduce ac1` with one seed, in a temporary folder.
fn reproduce_ac1_one_seed() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("hx-bench-reproduce-{}", std::process::id()));
    let opts = crate::reproduce::ReproduceOptions {
        seeds: 1,
        out_dir: dir.clone(),
        presets_dir: std::path::PathBuf::from("presets"),
        verbose: false,
        full: false,
        figures: Default::default(),
        jobs: 1,
        mode: crate::reproduce::cells::Mode::Fresh,
    };
    let t0 = Instant::now();
    let result = crate::reproduce::ac1::run(&opts);
    let secs = t0.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    result.context("reproduce_ac1_one_seed")?;
    emit(json!({"bench": "reproduce_ac1_one_seed", "s": round3(secs)}));
    Ok(())
}

/// Time `steps` Adam steps of `session` and print the figure as a JSON line: steps/s, ms per
/// step, the device, the network path and the fields of `extra`.
fn adam_figure(
    name: &str,
    session: &mut Session,
    steps: usize,
    device: &ComputeDevice,
    extra: serde_json::Value,
) -> Result<()> {
    let sps = adam_steps_per_s(session, steps)?;
    let mut line = json!({"bench": name, "steps_per_s": round3(sps), "ms": round3(1e3 / sps),
                          "device": device.description, "path": format!("{:?}", session.objective().path())});
    if let (Some(line), Some(extra)) = (line.as_object_mut(), extra.as_object()) {
        line.extend(extra.clone());
    }
    emit(line);
    Ok(())
}

fn ac1_adam_step(device: &ComputeDevice, steps: usize) -> Result<()> {
    let mut session = Session::new(ac1_config(), device);
    adam_figure("ac1_adam_step", &mut session, steps, device, json!({}))
}

/// An Adam step on Helmholtz in d = 20 ([20,30,30,30,1] tanh, `n_res` residual and `n_bc`
/// boundary points; the Laplacian channels make each residual point cost 22 network passes).
/// `hh20_adam_step` uses 1000 + 200 points, `hh20_adam_step_paper` the paper's 10 000 + 2 000.
fn hh20_adam_step(
    name: &str,
    device: &ComputeDevice,
    steps: usize,
    n_res: usize,
    n_bc: usize,
) -> Result<()> {
    let config = RunConfig::from_toml_str(&format!(
        "version = 1\nname = \"bench\"\n[problem]\nkind = \"helmholtz\"\ndim = 20\neps = 0.05\nn_res = {n_res}\nn_bc = {n_bc}\nn_eval = 100\n",
    ))
    .expect("built-in benchmark preset is valid");
    let mut session = Session::new(config, device);
    adam_figure(
        name,
        &mut session,
        (steps * 1000 / n_res / 20).max(20),
        device,
        json!({"n_res": n_res, "n_bc": n_bc, "d": 20}),
    )
}

/// One Levenberg–Marquardt iteration on Helmholtz in d = 20 at the paper's size (10 000
/// residual + 2 000 boundary points, [20,30,30,30,1] tanh): a 12 000-row weighted Jacobian,
/// primal form.
fn hh20_lm_iteration() -> Result<()> {
    let (n_res, n_bc) = (10_000, 2_000);
    let config = RunConfig::from_toml_str(&format!(
        "version = 1\nname = \"bench\"\n[problem]\nkind = \"helmholtz\"\ndim = 20\neps = 0.05\nn_res = {n_res}\nn_bc = {n_bc}\nn_eval = 100\n",
    ))
    .expect("built-in benchmark preset is valid");
    let device = crate::backend::cpu().context("the CPU device")?;
    let session = Session::new(config, &device);
    let objective = session.objective();
    let theta = session.state().theta.clone();
    let mut lm = crate::train::lm::LevenbergMarquardt::new(&session.config().lm);
    let ms = median_ms(2, || {
        let mut t = theta.clone();
        lm.iterate(objective, &mut t, 0.05, &[])?;
        Ok(())
    })?;
    let (rows, cols) = (n_res + n_bc, theta.len());
    emit(
        json!({"bench": "hh20_lm_iteration", "ms": round3(ms), "n_res": n_res, "n_bc": n_bc, "d": 20,
                "what": format!("one Levenberg–Marquardt iteration, {rows}×{cols} {} form", Form::for_shape(rows, cols).label())}),
    );
    Ok(())
}

/// 2D Allen–Cahn at the paper's size ([2,30,30,30,1] tanh, 50 × 50 residual grid, 198 boundary
/// points, ε = 0.05): an Adam step, and one Levenberg–Marquardt iteration of its homotopy stages
/// (2698 × 1981 weighted Jacobian, primal form, phase condition).
fn ac2_kernels(device: &ComputeDevice, steps: usize, wanted: &dyn Fn(&str) -> bool) -> Result<()> {
    let config = RunConfig::from_toml_str(
        "version = 1\nname = \"bench\"\n[problem]\nkind = \"allen_cahn_2d\"\neps = 0.05\nn_res = 2500\nn_bc = 198\nn_eval = 121\n",
    )
    .expect("built-in benchmark preset is valid");
    let mut session = Session::new(config, device);
    if wanted("ac2_adam_step") {
        adam_figure(
            "ac2_adam_step",
            &mut session,
            (steps / 10).max(100),
            device,
            json!({"n_res": 2500, "n_bc": 198}),
        )?;
    }
    if wanted("ac2_lm_iteration") && device.kind == crate::config::BackendKind::Cpu {
        let objective = session.objective();
        let theta = session.state().theta.clone();
        let p = theta.len();
        let mut lm = crate::train::lm::LevenbergMarquardt::new(&session.config().lm);
        let ms = median_ms(3, || {
            let mut t = theta.clone();
            let phase = objective.phase_directions(&t);
            lm.iterate(objective, &mut t, 0.05, &phase)?;
            Ok(())
        })?;
        let form = Form::for_shape(2698, p).label();
        emit(json!({"bench": "ac2_lm_iteration", "ms": round3(ms),
                    "what": format!("one Levenberg–Marquardt iteration, 2698×{p} {form} form with geodesic acceleration, phase condition in x and y")}));
    }
    // The operations shared/bench-reference's jax_ac2_lm_iteration times (residuals, Jacobian,
    // one damped solve, the step), without the acceleration and the phase condition the
    // shipped stages add; ours also evaluates the loss at the trial point to accept it.
    if wanted("ac2_lm_plain") && device.kind == crate::config::BackendKind::Cpu {
        let objective = session.objective();
        let theta = session.state().theta.clone();
        let p = theta.len();
        let mut lm = crate::train::lm::LevenbergMarquardt::new(&crate::config::LmConfig {
            geodesic_acceleration: false,
            ..session.config().lm.clone()
        });
        let mut accepted = 0;
        let ms = median_ms(3, || {
            let mut t = theta.clone();
            accepted += usize::from(lm.iterate(objective, &mut t, 0.05, &[])?.accepted);
            Ok(())
        })?;
        let form = Form::for_shape(2698, p).label();
        emit(
            json!({"bench": "ac2_lm_plain", "ms": round3(ms), "accepted": format!("{accepted} of 4"),
                    "what": format!("one Levenberg–Marquardt iteration, 2698×{p} {form} form, no acceleration or phase condition (the JAX script's operations, plus the trial loss)")}),
        );
    }
    Ok(())
}

/// The same step with burn's reverse mode through the whole network (the wgpu path's code).
fn ac1_adam_step_burn_graph(device: &ComputeDevice, steps: usize) -> Result<()> {
    let mut session = Session::new(ac1_config(), device);
    session.set_net_path(NetPath::Burn, device);
    adam_figure(
        "ac1_adam_step_burn_graph",
        &mut session,
        (steps / 5).max(50),
        device,
        json!({}),
    )
}

fn round3(v: f64) -> f64 {
    let scale = 10f64.powi(3 - v.abs().log10().ceil() as i32);
    (v * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_a_benchmark_that_exists_or_is_refused_with_the_list() {
        assert!(check_filter("").is_ok());
        assert!(check_filter("ac2_lm_iteration, ac2_lm_plain").is_ok());
        let e = check_filter("ac2_lm_iteration,ac2_lm_itreation")
            .unwrap_err()
            .to_string();
        assert!(e.contains("“ac2_lm_itreation”"), "{e}");
        assert!(e.contains("ac1_adam_step, "), "{e}");
    }
}
