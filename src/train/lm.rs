//! Levenberg–Marquardt on the objective's weighted least-squares form L = ½‖R‖² (DESIGN §1.4a):
//! d = −(AᵀA + μ·σ_max² I)⁻¹AᵀR = −Aᵀ(AAᵀ + μ·σ_max² I)⁻¹R by Cholesky of the smaller normal
//! matrix (primal n × n when rows ≥ parameters, dual m × m otherwise; [`crate::linalg::Form`]).
//! μ starts at `mu_init`, is divided by `decrease` after an accepted step (down to `mu_min`) and
//! multiplied by `increase` on a rejected one; a step is kept only if the loss drops.
//!
//! Geodesic acceleration (Transtrum & Sethna) adds ½a with a the same damped solve of r_vv (one
//! Cholesky factor serves both), where
//! r_vv ≈ (2/h)((R(θ + h d) − R)/h − A d) is the residual's second directional derivative, when
//! ‖a‖ ≤ `acceleration_ratio`·‖d‖. On 1D Allen–Cahn it turns ~1500 iterations that crawl
//! along the front-translation valley into ~200 (one extra residual evaluation per try).

use super::objective::{LossParts, Objective, ObjectiveError};
use crate::config::LeastSquaresForm;
use crate::config::LmConfig;
use crate::linalg::matrix_free::{self, Asked, Plan, Products, Projected, Sizes};
use crate::linalg::{Damped, Form, LinalgError, Normal, norm, project_out};
use crate::net::jacobian::Jacobian;

/// Levenberg–Marquardt state: the current relative damping.
#[derive(Clone, Debug)]
pub struct LevenbergMarquardt {
    config: LmConfig,
    mu: f64,
}

/// What one iteration did.
#[derive(Clone, Copy, Debug)]
pub struct LmOutcome {
    pub loss_before: LossParts,
    /// Loss at the parameters after the iteration (= before when nothing was accepted).
    pub loss_after: LossParts,
    pub accepted: bool,
    /// Relative damping after the iteration.
    pub mu: f64,
}

impl LevenbergMarquardt {
    pub fn new(config: &LmConfig) -> Self {
        Self {
            config: config.clone(),
            mu: config.mu_init,
        }
    }

    /// Back to the initial damping.
    pub fn reset(&mut self) {
        self.mu = self.config.mu_init;
    }

    pub fn mu(&self) -> f64 {
        self.mu
    }

    /// One iteration at ε from `theta` (updated in place when a step is accepted). The step is
    /// kept orthogonal to the orthonormal `phase` directions (phase condition; empty: none).
    /// The form follows `lm.form` and `lm.memory_budget_mib` ([`matrix_free::plan`]).
    pub fn iterate(
        &mut self,
        objective: &Objective,
        theta: &mut [f64],
        eps: f64,
        phase: &[Vec<f64>],
    ) -> Result<LmOutcome, ObjectiveError> {
        let route = self.route(objective)?;
        match route {
            Plan::Dense(form) => {
                let lin = objective.linearize(theta, eps)?;
                let before = lin.loss;
                let (mut a, r) = lin.into_weighted_system();
                for c in phase {
                    project_out(&mut a, c);
                }
                let normal = Normal::with_form(&a, form);
                let mut system = System::Dense {
                    a: &a,
                    normal: &normal,
                    factor: None,
                };
                self.tries(objective, theta, eps, &mut system, &r, before)
            }
            Plan::MatrixFree => {
                let (products, r, before) = objective.products(theta, eps)?;
                let op = Projected {
                    inner: &products,
                    directions: phase,
                };
                let mut system = System::MatrixFree { op: &op, mu: 0.0 };
                self.tries(objective, theta, eps, &mut system, &r, before)
            }
        }
    }

    /// The linearized implicit step: θ ← θ − (JᵀJ + μI)⁻¹Jᵀr with a fixed absolute damping μ,
    /// taken whatever the loss does, by the route `lm.form` and the memory budget allow.
    /// Returns the loss before the step.
    pub fn fixed_step(
        &self,
        objective: &Objective,
        theta: &mut [f64],
        eps: f64,
        damping: f64,
    ) -> Result<LossParts, ObjectiveError> {
        let step = |system: &mut System<'_>, r: &[f64], theta: &mut [f64]| {
            if let Ok(d) = system.prepare(damping).and_then(|()| system.direction(r)) {
                theta.iter_mut().zip(d).for_each(|(t, di)| *t += di);
            }
        };
        match self.route(objective)? {
            Plan::Dense(form) => {
                let lin = objective.linearize(theta, eps)?;
                let before = lin.loss;
                if before.is_finite() {
                    let (a, r) = lin.into_weighted_system();
                    let normal = Normal::with_form(&a, form);
                    let mut system = System::Dense {
                        a: &a,
                        normal: &normal,
                        factor: None,
                    };
                    step(&mut system, &r, theta);
                }
                Ok(before)
            }
            Plan::MatrixFree => {
                let (products, r, before) = objective.products(theta, eps)?;
                if before.is_finite() {
                    let mut system = System::MatrixFree {
                        op: &products,
                        mu: 0.0,
                    };
                    step(&mut system, &r, theta);
                }
                Ok(before)
            }
        }
    }

    /// The route `lm.form` and the memory budget allow for `objective`'s system.
    pub fn route(&self, objective: &Objective) -> Result<Plan, ObjectiveError> {
        self.route_for(&sizes(objective))
    }

    fn route_for(&self, sizes: &Sizes) -> Result<Plan, ObjectiveError> {
        let asked = match self.config.form {
            LeastSquaresForm::Auto => Asked::Auto,
            LeastSquaresForm::Primal => Asked::Dense(Form::Primal),
            LeastSquaresForm::Dual => Asked::Dense(Form::Dual),
            LeastSquaresForm::MatrixFree => Asked::MatrixFree,
        };
        matrix_free::plan(asked, sizes, self.config.memory_budget_mib)
            .map_err(|e| ObjectiveError::Memory(e.to_string()))
    }

    /// Damped tries from `theta`, raising μ after each rejected one.
    fn tries(
        &mut self,
        objective: &Objective,
        theta: &mut [f64],
        eps: f64,
        system: &mut System<'_>,
        r: &[f64],
        before: LossParts,
    ) -> Result<LmOutcome, ObjectiveError> {
        let scale = system.lambda_max();
        let unchanged = |mu| LmOutcome {
            loss_before: before,
            loss_after: before,
            accepted: false,
            mu,
        };
        if !before.is_finite() || !scale.is_finite() {
            return Ok(unchanged(self.mu));
        }
        let mut trial = theta.to_vec();
        for _ in 0..self.config.max_tries {
            let damping = self.mu * scale;
            let Ok(d) = system.prepare(damping).and_then(|()| system.direction(r)) else {
                self.mu *= self.config.increase;
                continue;
            };
            let accel = if self.config.geodesic_acceleration {
                self.acceleration(objective, theta, eps, system, r, &d)?
            } else {
                None
            };
            for (i, t) in trial.iter_mut().enumerate() {
                *t = theta[i] + d[i] + accel.as_ref().map_or(0.0, |acc| 0.5 * acc[i]);
            }
            let after = objective.loss(&trial, eps)?;
            if after.is_finite() && after.total < before.total {
                theta.copy_from_slice(&trial);
                self.mu = (self.mu / self.config.decrease).max(self.config.mu_min);
                return Ok(LmOutcome {
                    loss_before: before,
                    loss_after: after,
                    accepted: true,
                    mu: self.mu,
                });
            }
            self.mu *= self.config.increase;
        }
        Ok(unchanged(self.mu))
    }

    /// The geodesic acceleration a for step `d`, or None when it is too large to trust.
    fn acceleration(
        &self,
        objective: &Objective,
        theta: &[f64],
        eps: f64,
        system: &System<'_>,
        r: &[f64],
        d: &[f64],
    ) -> Result<Option<Vec<f64>>, ObjectiveError> {
        let h = 0.1;
        let probe: Vec<f64> = theta.iter().zip(d).map(|(t, di)| t + h * di).collect();
        let r_probe = objective.weighted_residuals(&probe, eps)?;
        let ad = system.apply(d);
        let r_vv: Vec<f64> = (0..r.len())
            .map(|i| 2.0 / h * ((r_probe[i] - r[i]) / h - ad[i]))
            .collect();
        if r_vv.iter().any(|v| !v.is_finite()) {
            return Ok(None);
        }
        let Ok(acc) = system.direction(&r_vv) else {
            return Ok(None);
        };
        Ok((norm(&acc) <= self.config.acceleration_ratio * norm(d)).then_some(acc))
    }
}

/// The sizes the memory plan weighs for `objective`'s weighted system.
pub fn sizes(objective: &Objective) -> Sizes {
    Sizes {
        rows: objective.system_rows(),
        cols: objective.network().n_params(),
        chunk_rows: objective.jacobian_chunk_rows(),
        threads: crate::pool::threads(),
        tape_bytes: objective.tape_bytes(),
    }
}

/// CG stops at this residual relative to ‖Aᵀr‖ (matrix-free route).
const CG_TOLERANCE: f64 = 1e-10;
/// … or after this many iterations (each one A·v and one Aᵀ·w product).
const CG_ITERATIONS: usize = 500;

/// The system one iteration solves with: J stored and a factored normal matrix, or products.
enum System<'a> {
    Dense {
        a: &'a Jacobian,
        normal: &'a Normal,
        factor: Option<Damped>,
    },
    MatrixFree {
        op: &'a dyn Products,
        mu: f64,
    },
}

impl System<'_> {
    fn lambda_max(&self) -> f64 {
        match self {
            Self::Dense { normal, .. } => normal.lambda_max(30),
            Self::MatrixFree { op, .. } => matrix_free::lambda_max(*op, 30),
        }
    }

    /// Set the damping (factor the damped normal matrix on the dense route).
    fn prepare(&mut self, damping: f64) -> Result<(), LinalgError> {
        match self {
            Self::Dense { normal, factor, .. } => {
                *factor = Some(normal.damped(damping)?);
            }
            Self::MatrixFree { mu, .. } => *mu = damping,
        }
        Ok(())
    }

    /// −(AᵀA + μI)⁻¹Aᵀr at the prepared damping.
    fn direction(&self, r: &[f64]) -> Result<Vec<f64>, LinalgError> {
        match self {
            Self::Dense { a, factor, .. } => factor
                .as_ref()
                .expect("prepare() comes first")
                .direction(a, r),
            Self::MatrixFree { op, mu } => {
                matrix_free::direction(*op, *mu, r, CG_TOLERANCE, CG_ITERATIONS)
            }
        }
    }

    /// A·v.
    fn apply(&self, v: &[f64]) -> Vec<f64> {
        match self {
            Self::Dense { a, .. } => a.apply(v),
            Self::MatrixFree { op, .. } => op.apply(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;
    use crate::train::Session;

    fn session() -> Session {
        let config = RunConfig::from_toml_str(
            "version = 1\nname = \"t\"\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.05\nn_res = 2000\n[network]\nhidden = [16, 16]\n",
        )
        .unwrap();
        Session::new(config, &crate::backend::cpu().unwrap())
    }

    fn one_iteration(config: &LmConfig) -> (Vec<f64>, LmOutcome) {
        let session = session();
        let mut theta = session.state().theta.clone();
        let phase = session.objective().phase_directions(&theta);
        let mut lm = LevenbergMarquardt::new(config);
        let outcome = lm
            .iterate(session.objective(), &mut theta, 0.05, &phase)
            .unwrap();
        (theta, outcome)
    }

    /// The three routes take the same step: primal and dual to round-off, matrix-free CG to
    /// its tolerance. The 2002 × 321 system needs 15 MiB in primal form (J twice, the factor and the
    /// tapes); a budget just above what the matrix-free route needs leaves only that route,
    /// which `auto` then takes.
    #[test]
    fn primal_dual_and_matrix_free_routes_take_the_same_step() {
        let base = LmConfig::default();
        let (dense, outcome) = one_iteration(&base);
        assert!(outcome.accepted);
        let sizes = sizes(session().objective());
        assert_eq!((sizes.rows, sizes.cols), (2002, dense.len()));
        let tight = matrix_free::mib(matrix_free::matrix_free_bytes(&sizes)) + 0.25;
        let forced = tight < matrix_free::mib(matrix_free::dense_bytes(&sizes, Form::Primal));
        for (form, budget, tol) in [
            (LeastSquaresForm::Primal, 4096.0, 1e-9),
            (LeastSquaresForm::Dual, 4096.0, 1e-9),
            (LeastSquaresForm::MatrixFree, 4096.0, 1e-6),
            (LeastSquaresForm::Auto, tight, 1e-6),
        ] {
            let config = LmConfig {
                form,
                memory_budget_mib: budget,
                ..base.clone()
            };
            let lm = LevenbergMarquardt::new(&config);
            let route = lm.route_for(&sizes).unwrap();
            if budget == tight && forced {
                assert_eq!(route, Plan::MatrixFree);
            }
            let (theta, other) = one_iteration(&config);
            assert!(other.accepted, "{form:?}");
            let start = session().state().theta.clone();
            let step: Vec<f64> = dense.iter().zip(&start).map(|(a, b)| a - b).collect();
            let diff: f64 = theta
                .iter()
                .zip(&dense)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                .sqrt();
            assert!(
                diff <= tol * norm(&step),
                "{form:?}: {} of the step",
                diff / norm(&step)
            );
        }
    }

    #[test]
    fn a_budget_too_small_for_any_route_names_the_sizes() {
        let config = LmConfig {
            memory_budget_mib: 0.01,
            ..LmConfig::default()
        };
        let session = session();
        let mut theta = session.state().theta.clone();
        let e = LevenbergMarquardt::new(&config)
            .iterate(session.objective(), &mut theta, 0.05, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("0.01 MiB, lm.memory_budget_mib")
                && e.contains("2002 × 321")
                && e.contains("primal form needs 15 MiB")
                && e.contains("matrix-free form"),
            "{e}"
        );
    }
}
