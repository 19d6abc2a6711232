//! Every optimizer lowers the loss of a small fit, and at the ISGD paper's large rate on the
//! boundary-layer problem plain SGD diverges (and is rolled back) while ISGD stays finite; a
//! step that explodes is rolled back too; HRTA turned on after training goes on from the
//! learned function or is refused.

use std::sync::atomic::AtomicBool;

use homotopy_explorer::backend;
use homotopy_explorer::config::{OptimizerKind, RunConfig};
use homotopy_explorer::train::{EndReason, Session};

const FIT: &str = r#"version = 1
name = "fit"
[problem]
kind = "high_frequency_fit"
eps = 0.5
n_res = 50
[network]
hidden = [12, 12]
[training]
max_steps = 600
eval_every = 100
[optimizer]
lr = 1e-2
isgd = { outer_steps = 10, inner_steps = 40, inner_lr = 1e-2, final_lr = 1e-2 }
"#;

fn run(config: RunConfig) -> Session {
    let device = backend::cpu().unwrap();
    let mut session = Session::new(config, &device);
    session.run(&AtomicBool::new(false), |_| {}).unwrap();
    session
}

#[test]
fn every_optimizer_lowers_the_loss_of_a_fit() {
    for kind in OptimizerKind::ALL {
        let mut config = RunConfig::from_toml_str(FIT).unwrap();
        config.optimizer.kind = kind;
        // Plain gradient descent needs a larger rate than Adam, and even then only creeps
        // along the plateau of this fit in 600 steps.
        let factor = if kind == OptimizerKind::Sgd {
            config.optimizer.lr = 0.1;
            0.95
        } else {
            // α is the implicit step size: a small α keeps θ near θ_n.
            match kind {
                OptimizerKind::Isgd => config.optimizer.lr = 5.0,
                OptimizerKind::ImplicitGn => config.optimizer.lr = 100.0,
                _ => {}
            }
            0.2
        };
        let device = backend::cpu().unwrap();
        let start = Session::new(config.clone(), &device)
            .current_loss()
            .unwrap()
            .total;
        let session = run(config);
        let end = session.current_loss().unwrap().total;
        assert!(
            end < factor * start,
            "{kind:?}: loss {start:e} → {end:e} ({:?})",
            session.end_reason()
        );
    }
}

#[test]
fn second_order_optimizers_fit_far_below_first_order_ones() {
    let loss = |kind| {
        let mut config = RunConfig::from_toml_str(FIT).unwrap();
        config.optimizer.kind = kind;
        run(config).current_loss().unwrap().total
    };
    let adam = loss(OptimizerKind::Adam);
    for kind in [OptimizerKind::Lm, OptimizerKind::Lbfgs] {
        let l = loss(kind);
        assert!(l < 0.1 * adam, "{kind:?}: {l:e} vs Adam {adam:e}");
    }
}

#[test]
fn at_lr_half_sgd_diverges_on_the_boundary_layer_while_isgd_stays_finite() {
    let preset = |text: &str| {
        let mut c = RunConfig::from_toml_str(text).unwrap();
        c.training.max_steps = 400;
        c
    };
    let sgd = run(preset(include_str!(
        "../presets/boundary_layer_sgd_lr0.5.toml"
    )));
    assert!(
        matches!(sgd.end_reason(), Some(EndReason::Diverged { .. })),
        "SGD at lr 0.5: {:?}",
        sgd.end_reason()
    );
    // Rolled back to a finite state.
    assert!(sgd.state().theta.iter().all(|t| t.is_finite()));
    let isgd = run(preset(include_str!("../presets/boundary_layer_isgd.toml")));
    assert_eq!(isgd.end_reason(), Some(EndReason::MaxSteps));
    assert!(isgd.current_loss().unwrap().total.is_finite());
}

#[test]
fn a_step_that_explodes_is_rolled_back_and_ends_the_run() {
    // Gradient descent far above 2/λ_max: the loss climbs by orders of magnitude.
    let mut config = RunConfig::from_toml_str(FIT).unwrap();
    config.optimizer.kind = OptimizerKind::Sgd;
    config.optimizer.lr = 50.0;
    config.training.max_steps = 2000;
    let device = backend::cpu().unwrap();
    let untrained = Session::new(config.clone(), &device)
        .current_loss()
        .unwrap()
        .total;
    let s = run(config);
    assert!(
        matches!(s.end_reason(), Some(EndReason::Diverged { .. })),
        "{:?}",
        s.end_reason()
    );
    let kept = s.current_loss().unwrap().total;
    assert!(
        kept.is_finite() && kept <= homotopy_explorer::train::EXPLODED * untrained,
        "rolled back to {kept} (untrained {untrained})"
    );
}

#[test]
fn hrta_turned_on_after_training_goes_on_from_the_learned_function_or_is_refused() {
    let mut config = RunConfig::from_toml_str(FIT).unwrap();
    config.training.max_steps = 200;
    let mut s = run(config.clone());
    let trained = s.current_loss().unwrap().total;
    // s values 0.5 → 1 would jump away from s = 1 at once: refused, nothing changes.
    let mut down = s.config().clone();
    down.hrta.enabled = true;
    down.hrta.s_values = vec![0.5, 1.0];
    let why = s.hrta_refusal(&down).expect("refused");
    assert!(why.contains("current s = 1"), "{why}");
    // A relaxation 1 → 1.5 starts at s = 1: the same function, the same loss.
    let mut up = s.config().clone();
    up.hrta.enabled = true;
    up.hrta.s_values = vec![1.0, 1.5];
    assert!(s.hrta_refusal(&up).is_none());
    assert!(s.reconfigure(up));
    assert_eq!(s.state().s, 1.0);
    assert_eq!(s.current_loss().unwrap().total, trained);
}
