//! The GPU path: a few Adam steps on wgpu (f32, burn ops end to end) and on the CPU (f64, fused
//! kernel) from the same seed give the same losses within f32 accuracy. CI runs this on the
//! software Vulkan driver (mesa lavapipe), so it needs no GPU, but it does need an adapter.

use homotopy_explorer::backend;
use homotopy_explorer::config::RunConfig;
use homotopy_explorer::train::{NetPath, Session};

const PRESET: &str = r#"version = 1
[problem]
kind = "allen_cahn_1d"
eps = 0.1
n_res = 64
[training]
seed = 1
max_steps = 8
"#;

fn losses(session: &mut Session) -> Vec<f64> {
    let mut out = Vec::new();
    while let Some(p) = session.step().unwrap() {
        out.push(p.report.loss.total);
    }
    out
}

#[test]
fn wgpu_and_cpu_agree_within_f32_tolerance() {
    let gpu = backend::wgpu().unwrap_or_else(|e| {
        panic!("this test needs a wgpu adapter (install mesa-vulkan-drivers): {e}")
    });
    let cpu = backend::cpu().unwrap();
    let config = RunConfig::from_toml_str(PRESET).unwrap();
    let mut on_gpu = Session::new(config.clone(), &gpu);
    assert_eq!(on_gpu.objective().path(), NetPath::Burn);
    let mut on_cpu = Session::new(config, &cpu);
    assert_eq!(on_cpu.objective().path(), NetPath::Fused);
    let (g, c) = (losses(&mut on_gpu), losses(&mut on_cpu));
    assert_eq!(g.len(), 8);
    assert_eq!(c.len(), 8);
    for (step, (a, b)) in g.iter().zip(&c).enumerate() {
        let rel = (a - b).abs() / b.abs();
        // f32 carries ~7 digits; the second-derivative channel and the squared residual
        // lose about two of them.
        assert!(
            rel < 1e-4,
            "step {step}: wgpu {a} vs cpu {b} (relative {rel:e})"
        );
    }
    // The losses move, so the comparison is not between two constants.
    assert!(c[7] < c[0]);
}
