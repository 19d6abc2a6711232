//! Operator learning: the DeepONet inside the objective (exact gradients and the
//! least-squares system of its Jacobian rows on the operator problem, with and without the
//! Strategy-2 homotopy term), the configurations it refuses by name, Strategy 1's memory plan,
//! and small unsupervised training runs (Adam and Levenberg–Marquardt stages) that lower the
//! held-out error.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use homotopy_explorer::backend;
use homotopy_explorer::config::RunConfig;
use homotopy_explorer::linalg::matrix_free::Products;
use homotopy_explorer::net::deeponet::{DeepOnetForm, DeepOnetShape};
use homotopy_explorer::net::{Activation, ActivationKind};
use homotopy_explorer::problem::burgers_operator::{BurgersOperator, OperatorArgs};
use homotopy_explorer::problem::grf::GrfParams;
use homotopy_explorer::problem::s_path::Path;
use homotopy_explorer::problem::{BuildArgs, PointRole, Problem};
use homotopy_explorer::train::objective::HomotopyTerm;
use homotopy_explorer::train::{NetPath, Objective, Session};

fn small_problem() -> Arc<dyn Problem> {
    Arc::new(BurgersOperator::new(&BuildArgs {
        eps: 0.1,
        path: Some(Path::SHomotopy),
        operator: Some(OperatorArgs {
            inputs: 4,
            test_inputs: 2,
            sensors: 17,
            // Inputs of order one, so that every term of H is exercised.
            grf: GrfParams {
                sigma: 30.0,
                tau2: 4.0,
                alpha: 2.0,
            },
            test_seed: 3,
        }),
        ..BuildArgs::grid(9, 2, 17)
    }))
}

#[test]
fn the_deeponet_objective_gradient_matches_central_differences() {
    let dev = backend::cpu().unwrap().device;
    let act = Activation::plain(ActivationKind::Tanh);
    let problem = small_problem();
    for form in [
        DeepOnetForm::Paper { width: 2 },
        DeepOnetForm::Stacked {
            branch_hidden: vec![5],
            trunk_hidden: vec![4],
        },
    ] {
        let shape = DeepOnetShape::new(form.clone(), 17, 3, act);
        let theta: Vec<f64> = shape
            .init(4)
            .iter()
            .enumerate()
            .map(|(k, v)| v + 0.05 * (k as f64 * 0.7).sin())
            .collect();
        let mut objective = Objective::with_path(problem.clone(), shape, &dev, 0.7, NetPath::Fused);
        // Inside the path (s = 0.4) and with the homotopy term on.
        for with_term in [false, true] {
            let p = 0.5;
            if with_term {
                let previous: Vec<f64> = objective
                    .residual_channels(&theta)
                    .unwrap()
                    .iter()
                    .map(|v| v * 0.9 + 0.01)
                    .collect();
                objective.set_homotopy(Some(HomotopyTerm {
                    alpha: 0.3,
                    delta_eps: -0.05,
                    previous,
                }));
            }
            let (loss, grad) = objective.loss_and_grad(&theta, p).unwrap();
            assert!(loss.total > 0.0 && (loss.homotopy > 0.0) == with_term);
            let h = 1e-6;
            let mut worst: f64 = 0.0;
            for k in 0..theta.len() {
                let (mut tp, mut tm) = (theta.clone(), theta.clone());
                tp[k] += h;
                tm[k] -= h;
                let fd = (objective.loss(&tp, p).unwrap().total
                    - objective.loss(&tm, p).unwrap().total)
                    / (2.0 * h);
                worst = worst.max((grad[k] - fd).abs() / (1e-8 + fd.abs().max(grad[k].abs())));
            }
            assert!(
                worst < 1e-5,
                "{form:?}, term {with_term}: relative error {worst:e}"
            );
            // The least-squares system of the Jacobian rows: AᵀR is that gradient, and the
            // matrix-free products are the stored A's.
            let lin = objective.linearize(&theta, p).unwrap();
            assert!((lin.loss.total - loss.total).abs() < 1e-12 * loss.total);
            let (a, r) = lin.weighted_system();
            assert_eq!(a.rows, objective.system_rows());
            for (x, g) in a.apply_transpose(&r).iter().zip(&grad) {
                assert!((x - g).abs() < 1e-10 * (1.0 + g.abs()), "{x} vs {g}");
            }
            let (op, r2, _) = objective.products(&theta, p).unwrap();
            let v: Vec<f64> = (0..a.cols).map(|k| (k as f64 * 0.3).cos()).collect();
            for (x, y) in a.apply(&v).iter().zip(op.apply(&v)) {
                assert!((x - y).abs() < 1e-11 * (1.0 + x.abs()), "{x} vs {y}");
            }
            assert_eq!(r, r2);
        }
        // The kernel spectra are refused by name (their soft modes live on one solution's points).
        let err = homotopy_explorer::train::spectral_report(&objective, &theta, 0.5, 1e-10)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no kernel spectra for operator learning"),
            "{err}"
        );
    }
    // The operator batches are the coordinates the accessors give.
    let op = problem.operator_points(PointRole::Residual).unwrap();
    assert_eq!(op.coordinates(), problem.residual_points());
}

/// The Euler predictor's right-hand side on the operator problem: ∂H/∂p of every (input,
/// point) row, as linearize gives it, is the central difference of the residual block in p
/// (inside the path, away from the kink of ε(s) = max(s, ε*)).
#[test]
fn the_operator_path_derivative_matches_central_differences() {
    let dev = backend::cpu().unwrap().device;
    let act = Activation::plain(ActivationKind::Tanh);
    let shape = DeepOnetShape::new(
        DeepOnetForm::Stacked {
            branch_hidden: vec![5],
            trunk_hidden: vec![4],
        },
        17,
        3,
        act,
    );
    let theta = shape.init(5);
    let objective = Objective::with_path(small_problem(), shape, &dev, 0.7, NetPath::Fused);
    for p in [0.35, 0.6, 1.0] {
        let lin = objective.linearize(&theta, p).unwrap();
        let d = 1e-5;
        let plus = objective.linearize(&theta, p + d).unwrap().residual.values;
        let minus = objective.linearize(&theta, p - d).unwrap().residual.values;
        assert_eq!(lin.h_eps.len(), plus.len());
        let size = lin.h_eps.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(
            size > 1e-2,
            "p = {p}: ∂H/∂p is not exercised (max {size:e})"
        );
        for ((a, b), h) in plus.iter().zip(&minus).zip(&lin.h_eps) {
            let fd = (a - b) / (2.0 * d);
            assert!(
                (fd - h).abs() < 1e-6 * (1.0 + size),
                "p = {p}: ∂H/∂p {h} vs FD {fd}"
            );
        }
    }
}

const SMALL: &str = r#"
version = 1
name = "operator test"
[problem]
kind = "burgers_operator"
eps = 0.5
n_res = 15
n_eval = 17
path = "s_homotopy"
[problem.operator]
inputs = 8
test_inputs = 4
sensors = 17
[network.deeponet]
basis = 12
width = 2
[optimizer]
kind = "adam"
lr = 3e-3
[training]
max_steps = 3000
eval_every = 50
[strategy]
kind = "strategy2"
eps_start = 1.5
[strategy.schedule]
kind = "geometric"
steps = 4
[strategy.phase1]
adam_steps = 300
lm_iterations = 0
[strategy.stages]
alpha = 0.01
optimizer = "adam"
max_steps = 400
"#;

#[test]
fn configurations_the_deeponet_cannot_run_are_refused_by_name() {
    assert!(RunConfig::from_toml_str(SMALL).is_ok());
    let cases = [
        (
            "kind = \"strategy2\"",
            "kind = \"time_sequential\"",
            "strategy.kind",
        ),
        (
            "max_steps = 400\n",
            "max_steps = 400\n[diagnostics]\nevery = 10\n",
            "diagnostics.every",
        ),
        ("version = 1", "version = 1\nbackend = \"wgpu\"", "backend"),
        ("inputs = 8", "inputs = 0", "problem.operator.inputs"),
        ("sensors = 17", "sensors = 2", "problem.operator.sensors"),
        ("basis = 12", "basis = 0", "network.deeponet.basis"),
        (
            "[problem.operator]",
            "[problem.operator]\ngrf = { sigma = -1.0, tau2 = 1.0, alpha = 2.0 }",
            "grf.sigma",
        ),
    ];
    for (from, to, key) in cases {
        assert!(SMALL.contains(from), "{from}");
        let text = SMALL.replacen(from, to, 1);
        let err = RunConfig::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains(key), "{key}: {err}");
    }
    // A DeepONet section on a problem of one solution.
    let mlp = SMALL
        .replace("kind = \"burgers_operator\"", "kind = \"burgers_1d\"")
        .replace(
            "[problem.operator]\ninputs = 8\ntest_inputs = 4\nsensors = 17\n",
            "",
        );
    let err = RunConfig::from_toml_str(&mlp).unwrap_err().to_string();
    assert!(err.contains("network.deeponet"), "{err}");
}

/// Strategy 1 on the DeepONet: the predictor's stored rows and their eigendecomposition have
/// a memory plan like any model's. Over the budget the first step refuses with the sizes,
/// before Phase I's work; within it Euler steps move along s.
#[test]
fn strategy1_on_the_deeponet_has_a_memory_plan() {
    let text = SMALL
        .replacen("kind = \"strategy2\"", "kind = \"strategy1\"", 1)
        .replacen("adam_steps = 300", "adam_steps = 20", 1)
        .replacen("max_steps = 3000", "max_steps = 23", 1);
    assert!(
        text.contains("strategy1")
            && text.contains("max_steps = 23")
            && text.contains("adam_steps = 20")
    );
    let device = backend::cpu().unwrap();
    let tight =
        RunConfig::from_toml_str(&format!("{text}[lm]\nmemory_budget_mib = 0.01\n")).unwrap();
    let mut session = Session::new(tight, &device);
    let err = session
        .run(&AtomicBool::new(false), |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Strategy 1's Euler predictor needs")
            && err.contains("lm.memory_budget_mib = 0.01 MiB"),
        "{err}"
    );
    assert_eq!(session.state().step, 0, "refused before any work");
    let mut session = Session::new(RunConfig::from_toml_str(&text).unwrap(), &device);
    let start = session.state().eps;
    session.run(&AtomicBool::new(false), |_| {}).unwrap();
    let eps = session.state().eps;
    assert!(
        eps < start,
        "Euler steps moved along the path: {start} → {eps}"
    );
    assert!(session.state().theta.iter().all(|t| t.is_finite()));
}

/// Levenberg–Marquardt stages on the DeepONet's Jacobian rows: the same small run with LM
/// stages (and an LM polish after Phase I) reaches s = 0 and lowers the held-out error too.
#[test]
fn levenberg_marquardt_stages_train_the_deeponet() {
    let text = SMALL
        .replacen("lm_iterations = 0", "lm_iterations = 20", 1)
        .replacen(
            "optimizer = \"adam\"\nmax_steps = 400",
            "optimizer = \"lm\"\nmax_steps = 10",
            1,
        );
    assert!(text.contains("optimizer = \"lm\""));
    let config = RunConfig::from_toml_str(&text).unwrap();
    let device = backend::cpu().unwrap();
    let mut session = Session::new(config, &device);
    let problem = session.problem().clone();
    let l2re = |s: &Session| {
        homotopy_explorer::diagnostics::metrics::evaluate(
            problem.as_ref(),
            s.objective().network(),
            &s.state().theta,
            0.5,
        )
        .accuracy
        .l2re_reference
        .unwrap()
    };
    let before = l2re(&session);
    session.run(&AtomicBool::new(false), |_| {}).unwrap();
    assert_eq!(session.state().eps, 0.5, "the path reached s = 0");
    let after = l2re(&session);
    assert!(
        after < 0.1 && after < 0.5 * before,
        "held-out L2RE {before} → {after}"
    );
}

#[test]
fn a_small_unsupervised_run_lowers_the_held_out_error() {
    let config = RunConfig::from_toml_str(SMALL).unwrap();
    let device = backend::cpu().unwrap();
    let mut session = Session::new(config, &device);
    // The held-out error against the steady state at the start (evaluated at s = 0).
    let problem = session.problem().clone();
    let end = 0.5;
    let l2re = |s: &Session| {
        homotopy_explorer::diagnostics::metrics::evaluate(
            problem.as_ref(),
            s.objective().network(),
            &s.state().theta,
            end,
        )
        .accuracy
        .l2re_reference
        .unwrap()
    };
    let before = l2re(&session);
    session.run(&AtomicBool::new(false), |_| {}).unwrap();
    assert_eq!(session.state().eps, end, "the path reached s = 0");
    let after = l2re(&session);
    assert!(
        after < 0.1 && after < 0.5 * before,
        "held-out L2RE {before} → {after}"
    );
    // The run's summary.json carries Table 5's MSE(x_s) of the held-out inputs' shocks.
    let dir = tempfile::tempdir().unwrap();
    let summary = homotopy_explorer::export::write_run(&session, &device, dir.path(), 1.0).unwrap();
    let u = session.evaluate().u;
    let y: Vec<f64> = problem.operator_points(PointRole::Eval).unwrap().y.clone();
    let want = homotopy_explorer::problem::burgers_operator::shock_mse(&y, &u);
    assert_eq!(summary.front_mse, Some(want));
    let text = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
    assert!(text.contains("\"front_mse\""), "{text}");
}
