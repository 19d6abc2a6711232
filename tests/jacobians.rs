//! Per-sample Jacobians of the objective's residual blocks against finite differences, and the
//! weighted least-squares form (loss = ½‖R‖², gradient = AᵀR) against the gradient path.

use std::sync::Arc;

use homotopy_explorer::backend;
use homotopy_explorer::net::{Activation, ActivationKind, InitKind, MlpShape};
use homotopy_explorer::problem::{AllenCahn1d, BuildArgs, Problem};
use homotopy_explorer::train::objective::{HomotopyTerm, TimeStep};
use homotopy_explorer::train::{NetPath, Objective};

fn objective() -> (Objective, Vec<f64>) {
    let problem: Arc<dyn Problem> = Arc::new(AllenCahn1d::new(&BuildArgs::grid(20, 2, 11)));
    let shape = MlpShape::new(
        vec![1, 7, 6, 1],
        Activation::plain(ActivationKind::Tanh),
        1.0,
    );
    let theta = shape.init(InitKind::XavierNormal, 5);
    let dev = backend::cpu().unwrap().device;
    (
        Objective::with_path(problem, shape, &dev, 0.8, NetPath::Fused),
        theta,
    )
}

fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-12);
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
        / scale
}

#[test]
fn residual_jacobian_matches_finite_differences_of_the_residual_vector() {
    let (obj, theta) = objective();
    let eps = 0.07;
    let lin = obj.linearize(&theta, eps).unwrap();
    let h = 1e-6;
    for k in 0..theta.len() {
        let (mut tp, mut tm) = (theta.clone(), theta.clone());
        tp[k] += h;
        tm[k] -= h;
        let (lp, lm) = (
            obj.linearize(&tp, eps).unwrap(),
            obj.linearize(&tm, eps).unwrap(),
        );
        for (block, (bp, bm)) in [
            (&lin.residual, (&lp.residual, &lm.residual)),
            (&lin.boundary, (&lp.boundary, &lm.boundary)),
        ] {
            let fd: Vec<f64> = bp
                .values
                .iter()
                .zip(&bm.values)
                .map(|(a, b)| (a - b) / (2.0 * h))
                .collect();
            let col: Vec<f64> = (0..block.jacobian.rows)
                .map(|i| block.jacobian.row(i)[k])
                .collect();
            let err = max_rel(&col, &fd);
            assert!(err < 1e-6, "parameter {k}: relative error {err:e}");
        }
    }
}

#[test]
fn weighted_system_reproduces_loss_and_gradient_with_and_without_homotopy_term() {
    let (mut obj, theta) = objective();
    let eps = 0.05;
    for with_term in [false, true] {
        if with_term {
            // The previous stage: the same network at slightly different parameters.
            let prev_theta: Vec<f64> = theta.iter().map(|t| t * 0.97).collect();
            let previous = obj.linearize(&prev_theta, 0.06).unwrap().channels;
            obj.set_homotopy(Some(HomotopyTerm {
                alpha: 0.5,
                delta_eps: -0.01,
                previous,
            }));
        }
        let lin = obj.linearize(&theta, eps).unwrap();
        let (a, r) = lin.weighted_system();
        let half_sq = 0.5 * r.iter().map(|v| v * v).sum::<f64>();
        let (loss, grad) = obj.loss_and_grad(&theta, eps).unwrap();
        assert!((half_sq - loss.total).abs() < 1e-12 * loss.total.max(1e-300));
        assert!((lin.loss.total - loss.total).abs() < 1e-12 * loss.total);
        assert_eq!(with_term, loss.homotopy > 0.0);
        let atr = a.apply_transpose(&r);
        let err = max_rel(&atr, &grad);
        assert!(err < 1e-10, "with_term={with_term}: {err:e}");
        // And the homotopy gradient itself is right: central differences of the loss.
        let h = 1e-6;
        for k in (0..theta.len()).step_by(7) {
            let (mut tp, mut tm) = (theta.clone(), theta.clone());
            tp[k] += h;
            tm[k] -= h;
            let fd =
                (obj.loss(&tp, eps).unwrap().total - obj.loss(&tm, eps).unwrap().total) / (2.0 * h);
            assert!(
                (fd - grad[k]).abs() < 1e-6 * grad.iter().fold(0.0f64, |m, g| m.max(g.abs())),
                "param {k}: {fd} vs {}",
                grad[k]
            );
        }
    }
}

#[test]
fn a_time_window_makes_the_residual_the_implicit_euler_step_with_consistent_derivatives() {
    let (mut obj, theta) = objective();
    let eps = 0.05;
    let dt = 0.1;
    let plain = obj.linearize(&theta, eps).unwrap();
    let n = obj.n_res();
    let previous: Vec<f64> = obj
        .residual_channels(&theta.iter().map(|t| t * 0.97).collect::<Vec<_>>())
        .unwrap()[..n]
        .to_vec();
    obj.set_time_step(Some(TimeStep {
        dt,
        previous: previous.clone(),
    }));
    let lin = obj.linearize(&theta, eps).unwrap();
    // Values: u − u_prev + Δt·H; rows: ∇u + Δt·∇H.
    let (s, u) = obj.value_jacobian(&theta).unwrap();
    for i in 0..n {
        let want = u[i] - previous[i] + dt * plain.residual.values[i];
        assert!((lin.residual.values[i] - want).abs() < 1e-12, "point {i}");
        for k in 0..theta.len() {
            let want = s.row(i)[k] + dt * plain.residual.jacobian.row(i)[k];
            assert!((lin.residual.jacobian.row(i)[k] - want).abs() < 1e-10);
        }
    }
    // Loss and gradient: the least-squares form, the fused and the burn paths agree.
    let (a, r) = lin.weighted_system();
    let (loss, grad) = obj.loss_and_grad(&theta, eps).unwrap();
    assert!((0.5 * r.iter().map(|v| v * v).sum::<f64>() - loss.total).abs() < 1e-12 * loss.total);
    assert!(max_rel(&a.apply_transpose(&r), &grad) < 1e-10);
    let problem = obj.problem().clone();
    let dev = backend::cpu().unwrap().device;
    let mut burn = Objective::with_path(problem, obj.network().clone(), &dev, 0.8, NetPath::Burn);
    burn.set_time_step(Some(TimeStep { dt, previous }));
    let (loss_b, grad_b) = burn.loss_and_grad(&theta, eps).unwrap();
    assert!((loss_b.total - loss.total).abs() < 1e-12 * loss.total);
    assert!(max_rel(&grad_b, &grad) < 1e-10);
    // Off again: the plain residual.
    obj.set_time_step(None);
    assert_eq!(
        obj.linearize(&theta, eps).unwrap().residual.values,
        plain.residual.values
    );
}

#[test]
fn phase_direction_is_the_translation_of_u() {
    let (obj, theta) = objective();
    let dirs = obj.phase_directions(&theta);
    assert_eq!(dirs.len(), 1, "one direction in 1D");
    let c = &dirs[0];
    let (s, _) = obj.value_jacobian(&theta).unwrap();
    // S c ∝ u′ at the residual points (δu along c is a translation).
    let su = s.apply(c);
    let lin = obj.linearize(&theta, 0.1).unwrap();
    let n = obj.n_res();
    let du = &lin.channels[n..2 * n];
    let dot: f64 = su.iter().zip(du).map(|(a, b)| a * b).sum();
    assert!(
        dot > 0.0,
        "moving along c must move u in the direction of u′"
    );
}

#[test]
fn phase_directions_in_2d_are_orthonormal_translations_along_each_axis() {
    use homotopy_explorer::problem::AllenCahn2d;
    let problem: Arc<dyn Problem> = Arc::new(AllenCahn2d::new(&BuildArgs {
        eps: 0.05,
        ..BuildArgs::grid(36, 20, 9)
    }));
    let shape = MlpShape::new(
        vec![2, 7, 6, 1],
        Activation::plain(ActivationKind::Tanh),
        1.0,
    );
    let theta = shape.init(InitKind::XavierNormal, 3);
    let dev = backend::cpu().unwrap().device;
    let obj = Objective::with_path(problem, shape, &dev, 1.0, NetPath::Fused);
    let dirs = obj.phase_directions(&theta);
    assert_eq!(dirs.len(), 2);
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    assert!((dot(&dirs[0], &dirs[0]) - 1.0).abs() < 1e-12);
    assert!((dot(&dirs[1], &dirs[1]) - 1.0).abs() < 1e-12);
    assert!(dot(&dirs[0], &dirs[1]).abs() < 1e-12);
    // Moving along the x direction moves u like ∂u/∂x (positive correlation).
    let (s, _) = obj.value_jacobian(&theta).unwrap();
    let su = s.apply(&dirs[0]);
    let lin = obj.linearize(&theta, 0.5).unwrap();
    let n = obj.n_res();
    assert!(dot(&su, &lin.channels[n..2 * n]) > 0.0);
}
