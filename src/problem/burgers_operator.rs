//! Operator learning for steady viscous Burgers (homotopy paper §5.3, App. B.6): a DeepONet
//! learns G: u₀ ↦ u∞ without solution data, by the s-homotopy of eq. 62,
//! H(u, s) = (1 − s)((u²/2)_x − ε(s)u_xx − π sin πx cos πx) + s(u − u₀), ε(s) = max(s, ε*)
//! (eq. 63), over a batch of input functions u₀ drawn from a Gaussian random field
//! ([`super::grf`]).
//!
//! A point of this problem is a pair (input i, coordinate x_j): every point set is N inputs
//! times M coordinates, input-major, handed to the DeepONet as an [`OperatorPoints`] batch while
//! the usual accessors give the coordinates (so residuals, plots and CSVs read x as for the
//! single-solution Burgers problem). The residual, its p-derivative and H_u are Burgers' own
//! ([`super::burgers_1d::Burgers1d::pde`]), with u₀ taken per point.
//!
//! Training inputs are drawn from the run's seed, the held-out test inputs from their own
//! `test_seed`, so runs with different seeds are compared on the same test set. The steady
//! state does not depend on u₀ (Kreiss & Kreiss; Hao & Yang): the reference at s = 0 is the
//! finite-difference steady state for every input; inside the path it is each input's own
//! s-problem solved by finite differences.

use burn::tensor::{Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::allen_cahn_1d::zero_crossing;
use super::burgers_1d::Burgers1d;
use super::grf::{Grf, GrfParams};
use super::points1d::interpolate_uniform;
use super::reference::{Bvp1d, ReferenceCache, StencilRow, continuation};
use super::s_path::{Path, SPath};
use super::{BuildArgs, Fields, PointRole, Problem, ProblemKind, ProblemSpec, SampledSolution};
use crate::net::deeponet::OperatorPoints;

/// Fine-grid cells per evaluation cell for the finite-difference references.
const REFERENCE_REFINEMENT: usize = 8;
/// Salt of the training inputs' seed.
const TRAIN_SALT: u64 = 0x0b5e_55ed;

fn default_inputs() -> usize {
    200
}
fn default_test_inputs() -> usize {
    20
}
fn default_sensors() -> usize {
    128
}
fn default_test_seed() -> u64 {
    1000
}

/// `[problem.operator]`: the input functions of an operator-learning problem.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorArgs {
    /// Training input functions N (default 200).
    #[serde(default = "default_inputs")]
    pub inputs: usize,
    /// Held-out test input functions (default 20).
    #[serde(default = "default_test_inputs")]
    pub test_inputs: usize,
    /// Sensors m: grid points x_j = j/(m − 1) each input is sampled at (default 128).
    #[serde(default = "default_sensors")]
    pub sensors: usize,
    /// The field the inputs are drawn from (default the paper's N(0, 49²(−Δ + 49I)^−4)).
    #[serde(default)]
    pub grf: GrfParams,
    /// Seed of the test inputs (default 1000; the training inputs follow the run's seed).
    #[serde(default = "default_test_seed")]
    pub test_seed: u64,
}

impl Default for OperatorArgs {
    fn default() -> Self {
        Self {
            inputs: default_inputs(),
            test_inputs: default_test_inputs(),
            sensors: default_sensors(),
            grf: GrfParams::default(),
            test_seed: default_test_seed(),
        }
    }
}

/// One point set: the batch and, per point, its coordinate and u₀ there.
struct Set {
    batch: OperatorPoints,
    x: Vec<f64>,
    u0: Vec<f64>,
}

impl Set {
    fn new(inputs: Vec<f64>, sensors: usize, y: Vec<f64>) -> Self {
        let u0 = inputs
            .chunks(sensors)
            .flat_map(|row| interpolate_uniform(row, &y))
            .collect();
        let batch = OperatorPoints { inputs, y, sensors };
        Self {
            x: batch.coordinates(),
            batch,
            u0,
        }
    }
}

/// The operator problem at fixed inputs and points.
pub struct BurgersOperator {
    args: OperatorArgs,
    path: SPath,
    res: Set,
    bc: Set,
    eval: Set,
    boundary_values: Vec<f64>,
    reference_cache: ReferenceCache,
}

/// The operator problem in the registry: the paper's s-homotopy only.
pub const SPEC: ProblemSpec = ProblemSpec {
    paths: &[Path::SHomotopy],
    operator: true,
    ..ProblemSpec::second_order_1d(
        ProblemKind::BurgersOperator,
        "burgers_operator",
        "Burgers operator u₀ ↦ u∞ (DeepONet)",
        |a| Box::new(BurgersOperator::new(a)),
    )
};

impl BurgersOperator {
    /// Inputs from `a.operator` (default the paper's field), `a.n_res` interior residual points
    /// per input on the uniform grid i/(n_res + 1), `a.n_bc` boundary points per input split
    /// between both ends, `a.n_eval` evaluation points per test input (ends included).
    pub fn new(a: &BuildArgs) -> Self {
        let args = a.operator.unwrap_or_default();
        let grf = Grf::new(args.grf, args.sensors);
        let train = grf.sample(args.inputs, a.seed ^ TRAIN_SALT);
        let test = grf.sample(args.test_inputs, args.test_seed);
        let y_res: Vec<f64> = (1..=a.n_res)
            .map(|i| i as f64 / (a.n_res + 1) as f64)
            .collect();
        let half = (a.n_bc / 2).max(1);
        let y_bc: Vec<f64> = std::iter::repeat_n(0.0, half)
            .chain(std::iter::repeat_n(1.0, half))
            .collect();
        let y_eval: Vec<f64> = (0..a.n_eval)
            .map(|i| i as f64 / (a.n_eval - 1) as f64)
            .collect();
        let bc = Set::new(train.clone(), args.sensors, y_bc);
        Self {
            args,
            path: SPath::from_args(a, Path::SHomotopy, 1.0),
            res: Set::new(train, args.sensors, y_res),
            boundary_values: vec![0.0; bc.x.len()],
            bc,
            eval: Set::new(test, args.sensors, y_eval),
            reference_cache: ReferenceCache::default(),
        }
    }

    /// The settings the inputs were drawn with.
    pub fn args(&self) -> &OperatorArgs {
        &self.args
    }

    /// The test inputs' sensor values (N_test × m, row-major).
    pub fn test_inputs(&self) -> &[f64] {
        &self.eval.batch.inputs
    }

    /// The evaluation coordinates of one test input (shared by all).
    pub fn eval_coordinates(&self) -> &[f64] {
        &self.eval.batch.y
    }

    /// u − u₀ at the points of the fields' set (the residual set's u₀ from the fields' data
    /// where the objective attached it, not copied to the device every step).
    fn offset(&self, f: &Fields) -> Tensor<1> {
        let set = match f.role {
            PointRole::Residual => &self.res,
            PointRole::Boundary => &self.bc,
            PointRole::Eval => &self.eval,
        };
        let kept = (f.role == PointRole::Residual)
            .then(|| f.data.get(Burgers1d::START).cloned())
            .flatten();
        let u0 = kept.unwrap_or_else(|| Self::values(&set.u0, &f.u.device()));
        f.u.clone().sub(u0)
    }

    /// `values` as a tensor on `device`.
    fn values(values: &[f64], device: &burn::tensor::Device) -> Tensor<1> {
        Tensor::from_data(TensorData::new(values.to_vec(), [values.len()]), device)
    }

    /// The shock position (zero crossing nearest ½) of each test input's profile in `values`
    /// (N_test × n_eval, input-major); `None` for a profile without a sign change.
    pub fn shock_positions(&self, values: &[f64]) -> Vec<Option<f64>> {
        let y = &self.eval.batch.y;
        values
            .chunks(y.len())
            .map(|u| zero_crossing(y, u))
            .collect()
    }

    /// The mean squared distance of the test profiles' shocks from x_s = ½ (see
    /// [`shock_mse`]).
    pub fn shock_mse(&self, values: &[f64]) -> f64 {
        shock_mse(&self.eval.batch.y, values)
    }

    /// The finite-difference solution on `intervals` cells of the s-problem
    /// (1 − s)A(u; ε(s)) + s(u − u₀) = 0 at p (s > 0) for the input `u0` (sampled on the
    /// sensor grid), by Newton with continuation in p from s = 1, where u = u₀.
    pub fn finite_difference_s(
        path: SPath,
        p: f64,
        u0: &[f64],
        intervals: usize,
    ) -> Option<Vec<f64>> {
        let x: Vec<f64> = (0..=intervals)
            .map(|i| i as f64 / intervals as f64)
            .collect();
        let u0_fine = interpolate_uniform(u0, &x);
        let u0_at = |xv: f64| {
            let i = ((xv * intervals as f64).round() as usize).min(intervals);
            u0_fine[i]
        };
        let problem_at = |p: f64| {
            let (s, eps, _) = path.at(p);
            let sigma = path.sign();
            Bvp1d {
                start: 0.0,
                end: 1.0,
                intervals,
                left: 0.0,
                right: 0.0,
                row: move |xv: f64, h: f64, l: f64, c: f64, r: f64| {
                    let a = Burgers1d::stencil(eps, xv, h, l, c, r);
                    let w = sigma * (1.0 - s);
                    StencilRow {
                        value: w * a.value + s * (c - u0_at(xv)),
                        d_left: w * a.d_left,
                        d_center: w * a.d_center + s,
                        d_right: w * a.d_right,
                    }
                },
            }
        };
        continuation(p, 1.0 + path.eps_star, problem_at, |_| u0_fine.clone()).ok()
    }

    /// Cells of the reference grid over one input's evaluation points.
    fn reference_intervals(&self) -> usize {
        (self.eval.batch.y.len() - 1) * REFERENCE_REFINEMENT
    }

    /// The reference at p on the fine grid for one input (its sensor values): the steady
    /// state at s = 0 (the same for every input), the input's s-problem inside the path.
    fn fine_reference(&self, sensors: &[f64], p: f64) -> Option<Vec<f64>> {
        let intervals = self.reference_intervals();
        match self.path.target_eps(p) {
            Some(eps) => Burgers1d::finite_difference(eps, intervals),
            None => Self::finite_difference_s(self.path, p, sensors, intervals),
        }
    }

    /// Fine-grid values at one input's evaluation points.
    fn on_eval_points(&self, fine: &[f64]) -> Vec<f64> {
        (0..self.eval.batch.y.len())
            .map(|i| fine[i * REFERENCE_REFINEMENT])
            .collect()
    }

    /// The reference at p on the evaluation grid, every test input in turn.
    fn reference_values(&self, p: f64) -> Option<Vec<f64>> {
        let intervals = self.reference_intervals();
        let fine = self.reference_cache.get_or(p, || {
            let mut all = Vec::new();
            if self.path.target_eps(p).is_some() {
                // The steady state does not depend on the input: solved once.
                let u = self.fine_reference(&[], p)?;
                for _ in 0..self.args.test_inputs {
                    all.extend_from_slice(&u);
                }
            } else {
                for u0 in self.eval.batch.inputs.chunks(self.args.sensors) {
                    all.extend(self.fine_reference(u0, p)?);
                }
            }
            Some(all)
        })?;
        Some(
            fine.chunks(intervals + 1)
                .flat_map(|u| self.on_eval_points(u))
                .collect(),
        )
    }
}

/// The shock-position target of the operator issue: every held-out input's shock within this
/// distance of x_s = ½.
pub const SHOCK_TOLERANCE: f64 = 0.01;

/// For each profile of `u` (blocks of `y.len()`, each sampled at `y`), the distance |x_s − ½|
/// of its shock (the zero crossing nearest ½); a profile without a sign change counts as ½
/// away.
pub fn shock_distances(y: &[f64], u: &[f64]) -> Vec<f64> {
    u.chunks(y.len())
        .map(|b| (zero_crossing(y, b).unwrap_or(0.0) - 0.5).abs())
        .collect()
}

/// The mean over the profiles of the squared [`shock_distances`]: Table 5's "MSE distance at
/// x_s".
pub fn shock_mse(y: &[f64], u: &[f64]) -> f64 {
    mean_square(&shock_distances(y, u))
}

/// The mean of the squared distances (0 for none): [`shock_mse`] from distances at hand.
pub fn mean_square(distances: &[f64]) -> f64 {
    distances.iter().map(|d| d * d).sum::<f64>() / distances.len().max(1) as f64
}

impl Problem for BurgersOperator {
    fn kind(&self) -> ProblemKind {
        ProblemKind::BurgersOperator
    }

    /// The forcing at the residual points (the same for every input) and each point's u₀, in
    /// Burgers 1D's slots.
    fn point_data(&self, x: &[Tensor<1>]) -> Vec<Tensor<1>> {
        vec![
            Burgers1d::source_at(x[0].clone()),
            Self::values(&self.res.u0, &x[0].device()),
        ]
    }

    fn dim(&self) -> usize {
        1
    }

    fn residual_points(&self) -> &[f64] {
        &self.res.x
    }

    fn boundary_points(&self) -> &[f64] {
        &self.bc.x
    }

    fn boundary_values(&self) -> &[f64] {
        &self.boundary_values
    }

    fn eval_points(&self) -> &[f64] {
        &self.eval.x
    }

    fn operator_points(&self, role: PointRole) -> Option<&OperatorPoints> {
        Some(match role {
            PointRole::Residual => &self.res.batch,
            PointRole::Boundary => &self.bc.batch,
            PointRole::Eval => &self.eval.batch,
        })
    }

    fn residual(&self, f: &Fields, p: f64) -> Tensor<1> {
        self.path
            .residual(p, |eps| Burgers1d::pde(f, eps), || self.offset(f))
    }

    fn residual_eps(&self, f: &Fields, p: f64) -> Tensor<1> {
        self.path.residual_p(
            p,
            |eps| Burgers1d::pde(f, eps),
            |_| f.second(0).neg(),
            || self.offset(f),
        )
    }

    fn linearized(&self, f: &Fields, v: &Fields, p: f64) -> Tensor<1> {
        self.path
            .linearized(p, |eps| Burgers1d::pde_u(f, v, eps), v.u.clone())
    }

    fn exact(&self, _eps: f64) -> Option<SampledSolution> {
        None
    }

    fn reference(&self, p: f64) -> Option<SampledSolution> {
        let s = self.path.at(p).0;
        Some(SampledSolution {
            label: if s == 0.0 {
                "finite-difference steady state (the same for every input)".into()
            } else {
                format!("finite-difference solution of each input's s-problem at s = {s:.3}")
            },
            values: self.reference_values(p)?,
        })
    }

    fn initial_state(&self) -> Option<Vec<f64>> {
        Some(self.res.u0.clone())
    }

    fn sample_inputs(&self, count: usize, seed: u64) -> Option<Vec<f64>> {
        Some(Grf::new(self.args.grf, self.args.sensors).sample(count, seed))
    }

    fn reference_for_input(&self, sensors: &[f64], p: f64) -> Option<Vec<f64>> {
        if sensors.len() != self.args.sensors {
            return None;
        }
        Some(self.on_eval_points(&self.fine_reference(sensors, p)?))
    }

    /// The mean shock position over the test inputs (each the zero crossing nearest ½).
    fn front_position(&self, values: &[f64]) -> Option<f64> {
        let pos: Vec<f64> = self.shock_positions(values).into_iter().flatten().collect();
        (!pos.is_empty()).then(|| pos.iter().sum::<f64>() / pos.len() as f64)
    }

    /// Table 5's MSE(x_s) over the test inputs (see [`shock_mse`]).
    fn front_mse(&self, values: &[f64]) -> Option<f64> {
        Some(self.shock_mse(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::relative_l2;

    #[test]
    fn shock_distances_measure_each_profile() {
        let y: Vec<f64> = (0..=10).map(|i| i as f64 / 10.0).collect();
        // Crossings at 0.5, 0.55 and none (counted ½ away).
        let at = |xs: f64| y.iter().map(move |x| xs - x).collect::<Vec<f64>>();
        let u: Vec<f64> = [at(0.5), at(0.55), vec![1.0; y.len()]].concat();
        let d = shock_distances(&y, &u);
        assert_eq!(d.len(), 3);
        assert!(d[0].abs() < 1e-15 && (d[1] - 0.05).abs() < 1e-12 && d[2] == 0.5);
        let mse = (d[1] * d[1] + 0.25) / 3.0;
        assert!((shock_mse(&y, &u) - mse).abs() < 1e-15);
    }

    fn small(eps: f64) -> BurgersOperator {
        BurgersOperator::new(&BuildArgs {
            eps,
            path: Some(Path::SHomotopy),
            operator: Some(OperatorArgs {
                inputs: 3,
                test_inputs: 2,
                sensors: 33,
                grf: GrfParams {
                    sigma: 40.0,
                    tau2: 9.0,
                    alpha: 2.0,
                },
                test_seed: 5,
            }),
            ..BuildArgs::grid(31, 2, 65)
        })
    }

    #[test]
    fn point_sets_are_inputs_times_coordinates() {
        let p = small(0.1);
        assert_eq!(p.residual_points().len(), 3 * 31);
        assert_eq!(p.boundary_points(), &[0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
        assert_eq!(p.eval_points().len(), 2 * 65);
        // Residual grid i/32 sits on the sensor grid j/32: u₀ there is the sensor value.
        let u0 = p.initial_state().unwrap();
        let sensors = &p.res.batch.inputs[33..66];
        assert_eq!(u0[31 + 4], sensors[5]);
    }

    #[test]
    fn references_join_the_input_and_the_steady_state() {
        let p = small(0.1);
        // s = 1: u = u₀ for every test input.
        let at_one = p.reference(1.1).unwrap().values;
        let u0: Vec<f64> = p
            .test_inputs()
            .chunks(33)
            .flat_map(|row| interpolate_uniform(row, p.eval_coordinates()))
            .collect();
        assert!(relative_l2(&at_one, &u0) < 1e-12);
        // s = 0: the steady state, the same for both inputs, with its shock at ½.
        let end = p.reference(0.1).unwrap().values;
        assert_eq!(end[..65], end[65..]);
        assert!((p.front_position(&end).unwrap() - 0.5).abs() < 1e-9);
        assert!(p.shock_mse(&end) < 1e-18);
        // Just inside the end the inputs' s-problems are next to it.
        let near = p.reference(0.1 + 1e-4).unwrap().values;
        assert!(
            relative_l2(&near, &end) < 1e-2,
            "{}",
            relative_l2(&near, &end)
        );
    }
}
