//! Forward-propagated input derivatives and the parameter gradient of the PDE loss, both
//! network paths (fused f64 kernel and burn ops), against central finite differences; and the
//! exact Allen–Cahn solution through the problem's residual code.

use std::sync::Arc;

use burn::tensor::Tensor;
use homotopy_explorer::backend;
use homotopy_explorer::net::{
    Activation, ActivationKind, Channels, DerivOrder, InitKind, MlpShape, forward, fused,
};
use homotopy_explorer::problem::{
    AllenCahn1d, BuildArgs, Fields, Problem, ProblemKind, SampledSolution,
};
use homotopy_explorer::train::objective::{host_vec, vec_tensor};
use homotopy_explorer::train::{NetPath, Objective};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn device() -> burn::tensor::Device {
    backend::cpu().expect("CPU device").device
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den.max(1e-300)).sqrt()
}

fn random_points(n: usize, d: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n * d).map(|_| rng.random_range(-1.0..1.0)).collect()
}

fn shape(d: usize, kind: ActivationKind, s: f64) -> MlpShape {
    MlpShape::new(vec![d, 7, 6, 1], Activation { kind, s }, 0.8)
}

/// Both forward paths, as channel-major vectors.
fn both_paths(shape: &MlpShape, theta: &[f64], x: &[f64], ch: Channels) -> (Vec<f64>, Vec<f64>) {
    let dev = device();
    let fused_out = fused::evaluate(shape, theta, x, ch);
    let input = forward::StackedInput::new(x, ch, &dev);
    let theta_t = vec_tensor(theta.to_vec(), &dev);
    let burn_out = host_vec(forward::forward(shape, &theta_t, &input)).unwrap();
    (fused_out, burn_out)
}

#[test]
fn input_derivatives_match_central_differences_for_every_activation_and_dimension() {
    // Smooth activations everywhere; ReLU-type ones are checked away from their kink by the
    // random points (a kink crossing within ±h has probability ~0 at h = 1e-5).
    let h = 1e-5;
    for d in 1..=3 {
        for kind in ActivationKind::ALL {
            for s in [1.0, 0.6, 1.7] {
                let shape = shape(d, kind, s);
                let theta = shape.init(InitKind::XavierNormal, 11 + d as u64);
                let n = 9;
                let x = random_points(n, d, 5 + d as u64);
                let ch = Channels::new(d, DerivOrder::SecondPerAxis);
                let (out, burn_out) = both_paths(&shape, &theta, &x, ch);
                assert!(
                    rel_err(&burn_out, &out) < 1e-12,
                    "{kind:?} d={d}: burn ≠ fused"
                );
                let value = Channels::new(d, DerivOrder::First);
                for j in 0..d {
                    let (mut xp, mut xm) = (x.clone(), x.clone());
                    for i in 0..n {
                        xp[i * d + j] += h;
                        xm[i * d + j] -= h;
                    }
                    let up = fused::evaluate(&shape, &theta, &xp, value);
                    let um = fused::evaluate(&shape, &theta, &xm, value);
                    // ∂u/∂x_j from the value channel, ∂²u/∂x_j² from the ∂u/∂x_j channel.
                    let fd1: Vec<f64> = (0..n).map(|i| (up[i] - um[i]) / (2.0 * h)).collect();
                    let c1 = value.first(j) * n;
                    let fd2: Vec<f64> = (0..n)
                        .map(|i| (up[c1 + i] - um[c1 + i]) / (2.0 * h))
                        .collect();
                    let got1 = &out[ch.first(j) * n..(ch.first(j) + 1) * n];
                    let got2 = &out[ch.second(j) * n..(ch.second(j) + 1) * n];
                    let e1 = rel_err(got1, &fd1);
                    assert!(e1 <= 1e-6, "{kind:?} s={s} d={d} ∂/∂x{j}: {e1:e}");
                    if kind != ActivationKind::Relu {
                        let e2 = rel_err(got2, &fd2);
                        assert!(e2 <= 1e-6, "{kind:?} s={s} d={d} ∂²/∂x{j}²: {e2:e}");
                    }
                }
                // The Laplacian-only layout carries the sum of the per-axis channels.
                let lap = Channels::new(d, DerivOrder::Laplacian);
                let (lap_out, lap_burn) = both_paths(&shape, &theta, &x, lap);
                assert!(rel_err(&lap_burn, &lap_out) < 1e-12);
                let sum: Vec<f64> = (0..n)
                    .map(|i| (0..d).map(|j| out[ch.second(j) * n + i]).sum())
                    .collect();
                let got = &lap_out[lap.laplacian() * n..(lap.laplacian() + 1) * n];
                if kind != ActivationKind::Relu {
                    assert!(rel_err(got, &sum) < 1e-12, "{kind:?} d={d} Laplacian");
                }
            }
        }
    }
}

/// A 2D test problem whose residual touches every channel: Δu (or u_xx, u_yy) and ∇u.
struct Mixed2d {
    order: DerivOrder,
    res: Vec<f64>,
    bc: Vec<f64>,
    g: Vec<f64>,
}

impl Mixed2d {
    fn new(order: DerivOrder) -> Self {
        Self {
            order,
            res: random_points(12, 2, 3),
            bc: random_points(4, 2, 4),
            g: vec![0.3, -0.2, 0.1, 0.5],
        }
    }
}

impl Problem for Mixed2d {
    fn kind(&self) -> ProblemKind {
        ProblemKind::AllenCahn1d
    }
    fn dim(&self) -> usize {
        2
    }
    fn order(&self) -> DerivOrder {
        self.order
    }
    fn residual_points(&self) -> &[f64] {
        &self.res
    }
    fn boundary_points(&self) -> &[f64] {
        &self.bc
    }
    fn boundary_values(&self) -> &[f64] {
        &self.g
    }
    fn residual(&self, f: &Fields, eps: f64) -> Tensor<1> {
        let lap = match self.order {
            DerivOrder::SecondPerAxis => f.d2u[0].clone().mul_scalar(2.0).add(f.d2u[1].clone()),
            _ => f.laplacian.clone().unwrap(),
        };
        lap.mul_scalar(eps)
            .add(f.du[0].clone().mul(f.u.clone()))
            .sub(f.du[1].clone().square())
            .sub(f.u.clone().powi_scalar(3))
            .add_scalar(0.7)
    }
    fn residual_eps(&self, f: &Fields, _eps: f64) -> Tensor<1> {
        f.laplacian.clone().unwrap()
    }
    fn linearized(&self, _f: &Fields, v: &Fields, _eps: f64) -> Tensor<1> {
        v.u.clone()
    }
    fn eval_points(&self) -> &[f64] {
        &self.res
    }
    fn exact(&self, _eps: f64) -> Option<SampledSolution> {
        None
    }
    fn reference(&self, _eps: f64) -> Option<SampledSolution> {
        None
    }
}

/// Central-difference gradient of the loss, tensor by tensor, against the analytic one.
fn check_gradient(problem: Arc<dyn Problem>, shape: MlpShape, path: NetPath, eps: f64) {
    let dev = device();
    let objective = Objective::with_path(problem, shape.clone(), &dev, 0.7, path);
    let theta = shape.init(InitKind::XavierNormal, 21);
    let (_, grad) = objective.loss_and_grad(&theta, eps).unwrap();
    let h = 1e-6;
    for (l, layer) in shape.layers().iter().enumerate() {
        let ranges = [
            (
                "W",
                layer.w_offset..layer.w_offset + layer.fan_in * layer.fan_out,
            ),
            ("b", layer.b_offset..layer.b_offset + layer.fan_out),
        ];
        for (name, range) in ranges {
            let mut fd = Vec::new();
            for k in range.clone() {
                let (mut tp, mut tm) = (theta.clone(), theta.clone());
                tp[k] += h;
                tm[k] -= h;
                let lp = objective.loss(&tp, eps).unwrap().total;
                let lm = objective.loss(&tm, eps).unwrap().total;
                fd.push((lp - lm) / (2.0 * h));
            }
            let err = rel_err(&grad[range], &fd);
            assert!(
                err < 1e-6,
                "{path:?} layer {l} {name}: relative error {err:e}"
            );
        }
    }
}

#[test]
fn loss_gradient_matches_central_differences_for_every_parameter_tensor() {
    let ac: Arc<dyn Problem> = Arc::new(AllenCahn1d::new(&BuildArgs::grid(25, 2, 11)));
    for path in [NetPath::Fused, NetPath::Burn] {
        for kind in [
            ActivationKind::Tanh,
            ActivationKind::Sin,
            ActivationKind::Softplus,
        ] {
            let shape = MlpShape::new(vec![1, 8, 6, 1], Activation { kind, s: 1.0 }, 1.0);
            check_gradient(ac.clone(), shape, path, 0.05);
        }
        let hrta = MlpShape::new(
            vec![1, 8, 6, 1],
            Activation {
                kind: ActivationKind::Sigmoid,
                s: 1.4,
            },
            0.5,
        );
        check_gradient(ac.clone(), hrta, path, 0.05);
        for order in [DerivOrder::SecondPerAxis, DerivOrder::Laplacian] {
            let shape = MlpShape::new(
                vec![2, 7, 5, 1],
                Activation::plain(ActivationKind::Tanh),
                1.0,
            );
            check_gradient(Arc::new(Mixed2d::new(order)), shape, path, 0.3);
        }
    }
}

#[test]
fn exact_allen_cahn_solution_has_vanishing_residual() {
    let dev = device();
    let problem = AllenCahn1d::new(&BuildArgs::grid(200, 2, 1001));
    for eps in [0.1, 0.03, 0.01] {
        let k = 1.0 / (std::f64::consts::SQRT_2 * eps);
        let x = problem.residual_points();
        let t: Vec<f64> = x.iter().map(|&x| ((x - 0.5) * k).tanh()).collect();
        // u = tanh(k(x−½)), u′ = k(1−u²), u″ = −2k²u(1−u²).
        let d1: Vec<f64> = t.iter().map(|u| k * (1.0 - u * u)).collect();
        let d2: Vec<f64> = t.iter().map(|u| -2.0 * k * k * u * (1.0 - u * u)).collect();
        let fields = Fields {
            u: vec_tensor(t, &dev),
            du: vec![vec_tensor(d1, &dev)],
            d2u: vec![vec_tensor(d2.clone(), &dev)],
            laplacian: Some(vec_tensor(d2, &dev)),
            x: Vec::new(),
            role: homotopy_explorer::problem::PointRole::Residual,
            data: Vec::new(),
        };
        let r = host_vec(problem.residual(&fields, eps)).unwrap();
        let worst = r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(worst <= 1e-8, "ε = {eps}: max |H| = {worst:e}");
    }
}
