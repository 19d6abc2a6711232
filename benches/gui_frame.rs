//! Explorer speed (printed as JSON lines):
//! - `gui_frame_100k_history`: one frame's CPU work (event drain, layout, plots and the
//!   tessellation of what they draw; GPU upload excluded) with 100 000-point loss/L2RE/λ
//!   histories while training runs;
//! - `gui_training_throughput`: training steps per second inside the app against the headless
//!   session for the same preset.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use homotopy_explorer::app::ExplorerApp;
use homotopy_explorer::config::RunConfig;
use homotopy_explorer::train::Session;
use homotopy_explorer::ui::Explorer;

fn main() {
    let config = RunConfig::from_toml_str(include_str!("../presets/allen_cahn_1d_classical.toml"))
        .expect("shipped preset");
    let c = config.clone();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_eframe(move |cc| Explorer::new(ExplorerApp::headless(cc.egui_ctx.clone(), Some(c))));
    for _ in 0..20 {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    // 100 000 samples in every history series.
    {
        let hist = &mut h.state_mut().view.histories;
        for i in 0..100_000u32 {
            let x = i as f64;
            let y = 1.0 / (1.0 + x) + 1e-3 * ((i % 97) as f64);
            for s in [
                &mut hist.loss,
                &mut hist.loss_residual,
                &mut hist.loss_boundary,
                &mut hist.l2re_exact,
                &mut hist.l2re_reference,
                &mut hist.lambda_min_k,
                &mut hist.lambda_kept_k,
                &mut hist.lambda_max_k,
                &mut hist.roundoff_floor,
            ] {
                s.push(x, y);
            }
        }
    }
    h.get_by_label("Start").click();
    let step_now = |h: &Harness<'_, Explorer>| h.state().view.latest.as_ref().map_or(0, |s| s.step);
    // Let training settle in (first snapshots, caches) before timing.
    let warm = Instant::now() + Duration::from_millis(500);
    while Instant::now() < warm {
        h.step();
        std::thread::sleep(Duration::from_millis(16));
    }
    let (step0, t_start) = (step_now(&h), Instant::now());
    let mut frames = Vec::new();
    let until = Instant::now() + Duration::from_secs(4);
    while Instant::now() < until {
        let t0 = Instant::now();
        h.step();
        let out = h.output();
        let meshes = h.ctx.tessellate(out.shapes.clone(), out.pixels_per_point);
        std::hint::black_box(meshes);
        frames.push(t0.elapsed().as_secs_f64() * 1e3);
        std::thread::sleep(Duration::from_millis(16));
    }
    frames.sort_by(f64::total_cmp);
    let app_steps = step_now(&h) - step0;
    let app_rate = app_steps as f64 / t_start.elapsed().as_secs_f64();
    println!(
        "{{\"bench\":\"gui_frame_100k_history\",\"ms_median\":{:.2},\"ms_p95\":{:.2},\"ms_max\":{:.2},\"frames\":{}}}",
        frames[frames.len() / 2],
        frames[frames.len() * 95 / 100],
        frames[frames.len() - 1],
        frames.len()
    );
    drop(h);
    // Headless: the same preset stepped by the session directly for the same time.
    let device = homotopy_explorer::backend::cpu().expect("CPU");
    let mut session = Session::new(config, &device);
    let t0 = Instant::now();
    let mut steps = 0usize;
    while t0.elapsed() < Duration::from_secs(3) {
        session.step().expect("step");
        steps += 1;
    }
    let headless = steps as f64 / t0.elapsed().as_secs_f64();
    println!(
        "{{\"bench\":\"gui_training_throughput\",\"app_steps_per_s\":{app_rate:.0},\"headless_steps_per_s\":{headless:.0},\"ratio\":{:.3},\"app_steps\":{app_steps}}}",
        app_rate / headless
    );
}
