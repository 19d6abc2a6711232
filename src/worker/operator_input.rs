//! The input an operator problem's explorer shows: a fresh draw from the problem's input field
//! (*New input*) or one drawn with the mouse, with the operator's answer at the current
//! parameters, its inference time, and the reference at the current path point with the time
//! its finite-difference solve took (cached per path point, so a live refresh costs only the
//! inference).

use std::time::Instant;

use super::protocol::OperatorInput;
use crate::net::deeponet::OperatorPoints;
use crate::net::{Channels, DerivOrder};
use crate::problem::PointRole;
use crate::problem::points1d::interpolate_uniform;
use crate::train::Session;

/// Seeds of *New input* draws start here (away from the training and test inputs' seeds).
const DRAW_SEED: u64 = 0x0000_d2a0_5eed;

/// The shown input and its cached reference.
pub struct InputProbe {
    label: String,
    sensors: Vec<f64>,
    /// (path point, reference, seconds of its solve).
    reference: Option<(f64, Option<Vec<f64>>, f64)>,
}

impl InputProbe {
    /// Draw number `k` from the problem's input field; `None` for a problem of one solution.
    pub fn draw(session: &Session, k: u64) -> Option<Self> {
        let sensors = session
            .problem()
            .sample_inputs(1, DRAW_SEED.wrapping_add(k))?;
        Some(Self {
            label: format!("new input #{k} (a fresh draw from the input field)"),
            sensors,
            reference: None,
        })
    }

    /// An input given by its sensor values (drawn with the mouse).
    pub fn given(sensors: Vec<f64>, label: String) -> Self {
        Self {
            label,
            sensors,
            reference: None,
        }
    }

    /// Sensors of the input.
    pub fn sensors(&self) -> usize {
        self.sensors.len()
    }

    /// The operator's answer at the session's current parameters and path point.
    pub fn evaluate(&mut self, session: &Session) -> Result<OperatorInput, String> {
        let state = session.state();
        self.evaluate_at(session, &state.theta, state.eps, state.step)
    }

    /// The operator's answer with parameters `theta` at the path point `p` (a finished
    /// stage's, from the timeline; `step` is where it ended).
    pub fn evaluate_at(
        &mut self,
        session: &Session,
        theta: &[f64],
        p: f64,
        step: usize,
    ) -> Result<OperatorInput, String> {
        let problem = session.problem();
        if theta.len() != session.objective().network().n_params() {
            return Err("the stage's parameters do not fit the present network".into());
        }
        let eval = problem
            .operator_points(PointRole::Eval)
            .ok_or("this problem learns one solution, not an operator")?;
        if self.sensors.len() != eval.sensors {
            return Err(format!(
                "the input has {} values; the operator reads {} sensors",
                self.sensors.len(),
                eval.sensors
            ));
        }
        let one = OperatorPoints {
            inputs: self.sensors.clone(),
            y: eval.y.clone(),
            sensors: eval.sensors,
        };
        let started = Instant::now();
        let u = session
            .objective()
            .network()
            .evaluate(theta, &[], Some(&one), Channels::new(1, DerivOrder::Value))
            .map_err(|e| e.to_string())?;
        let inference_secs = started.elapsed().as_secs_f64();
        if self.reference.as_ref().is_none_or(|r| r.0 != p) {
            let started = Instant::now();
            let r = problem.reference_for_input(&self.sensors, p);
            self.reference = Some((p, r, started.elapsed().as_secs_f64()));
        }
        let (_, reference, reference_secs) = self.reference.clone().expect("set just above");
        let sup = |v: &[f64]| v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let training_max = problem
            .operator_points(PointRole::Residual)
            .filter(|t| t.sensors > 0 && !t.inputs.is_empty())
            .map(|t| sup(&t.inputs));
        Ok(OperatorInput {
            label: self.label.clone(),
            x: eval.y.clone(),
            u0: interpolate_uniform(&self.sensors, &eval.y),
            u,
            reference,
            eps: p,
            step,
            inference_secs,
            reference_secs,
            input_max: sup(&self.sensors),
            training_max,
        })
    }
}
