//! The PDE problems: the [`Problem`] trait (points, residual H, its ε-derivative H_ε, the
//! linearized operator H_u, boundary data, exact and reference solutions) and one file per PDE.
//!
//! Residuals are written once, as burn tensor ops on the network's output channels
//! ([`Fields`]), so the same code serves the fused CPU path, the wgpu path and the Jacobians.

pub mod allen_cahn_1d;
pub mod allen_cahn_2d;
pub mod boundary_layer;
pub mod burgers_1d;
pub mod burgers_operator;
pub mod elliptic_2d;
mod fields;
pub mod function_fit;
pub mod grf;
pub mod helmholtz;
pub mod high_frequency;
pub mod points;
pub mod points1d;
pub mod points2d;
pub mod points_nd;
pub mod poisson_multiscale;
pub mod reference;
pub mod s_path;
pub mod sobolev_poisson;
pub mod spectral2d;

use std::sync::Arc;

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};

use crate::net::deeponet::OperatorPoints;
use crate::net::{Channels, DerivOrder};

pub use fields::{Fields, coordinates};

pub use allen_cahn_1d::AllenCahn1d;
pub use allen_cahn_2d::AllenCahn2d;
pub use boundary_layer::BoundaryLayer;
pub use burgers_1d::Burgers1d;
pub use elliptic_2d::Elliptic2d;
pub use helmholtz::HelmholtzNd;
pub use high_frequency::HighFrequencyFit;
pub use poisson_multiscale::PoissonMultiscale1d;

/// `f` at each point of an n × d row-major point set.
pub fn at_points(points: &[f64], d: usize, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    points.chunks(d).map(f).collect()
}

/// The problems the engine knows, by preset name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// 1D Allen–Cahn steady state on [0, 1], u(0) = −1, u(1) = 1.
    #[default]
    #[serde(rename = "allen_cahn_1d")]
    AllenCahn1d,
    /// Fit of sin(πx/ε) on [0, 1] (homotopy paper, App. B.5).
    HighFrequencyFit,
    /// Steady viscous Burgers on [0, 1] with a shock at ½ (homotopy paper §5.3).
    #[serde(rename = "burgers_1d")]
    Burgers1d,
    /// −εy″ + y′ = f on [0, 1], boundary layer at x = 1 (ISGD paper §4.1).
    BoundaryLayer,
    /// −u″ = f on [0, 1] with u = sin(2πx) + 0.1 sin(πx/ε) (ISGD paper §2.2 at ε = 1/50).
    #[serde(rename = "poisson_multiscale_1d")]
    PoissonMultiscale1d,
    /// ε²Δu + u/d = 0 on [−1, 1]^d with u = sin((1/d)Σx_i/ε) (homotopy paper §5.2).
    Helmholtz,
    /// 2D Allen–Cahn steady state on [−1, 1]² from u₀ = −sin(πx)sin(πy) by the s-homotopy
    /// (homotopy paper §5.1); the parameter is p = s + ε*.
    #[serde(rename = "allen_cahn_2d")]
    AllenCahn2d,
    /// −Δu = f on [0, 1]² with u = sin(πx)sin(πy) + 0.1 sin(πx/ε)sin(πy/ε) (ISGD paper §4.2 at
    /// ε = 1/10).
    #[serde(rename = "poisson_multiscale_2d")]
    PoissonMultiscale2d,
    /// Δu + u/ε² = f on [0, 1]² with u = sin(πx)sin(πy/ε) (ISGD paper §4.3: k = 1/ε = 4).
    #[serde(rename = "helmholtz_2d")]
    Helmholtz2d,
    /// The HRTA paper's Neumann Poisson problem on [0, 1]² (u* = cos πx₁ + cos πx₂) by Sobolev
    /// training: three residual rows per point.
    #[serde(rename = "sobolev_poisson_2d")]
    SobolevPoisson2d,
    /// The operator u₀ ↦ u∞ of steady Burgers, learned by a DeepONet over random inputs
    /// (homotopy paper §5.3, App. B.6).
    BurgersOperator,
    /// Fit of the ISGD paper's multiscale function, eq. 45, on [−3, 3] (App. C.1).
    IsgdMultiscaleFit,
    /// Fit of the ISGD paper's discontinuous function, eq. 46, on [−3, 3] (App. C.1).
    IsgdDiscontinuousFit,
}

/// The input dimension a problem runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dims {
    /// Always this many dimensions.
    Fixed(usize),
    /// Set by `problem.dim`, from 1 up to this many (default 1).
    UpTo(usize),
}

/// The `[problem]` settings a problem is built from.
#[derive(Clone, Copy, Debug)]
pub struct BuildArgs {
    pub n_res: usize,
    pub n_bc: usize,
    pub n_eval: usize,
    pub sampling: Sampling,
    /// Seed of the random point sets.
    pub seed: u64,
    /// Target ε (problems whose boundary data or exact solution depend on it read it here).
    pub eps: f64,
    /// Input dimension (already resolved against the problem's [`Dims`]).
    pub dim: usize,
    /// The homotopy the parameter walks, when the preset chose one.
    pub path: Option<s_path::Path>,
    /// The input functions of an operator-learning problem (its defaults when `None`).
    pub operator: Option<burgers_operator::OperatorArgs>,
}

impl BuildArgs {
    /// `n_res` residual, `n_bc` boundary and `n_eval` evaluation points on the grid, seed 0,
    /// ε = 1, in one dimension, no path: the start the unit tests change with `..`.
    pub fn grid(n_res: usize, n_bc: usize, n_eval: usize) -> Self {
        Self {
            n_res,
            n_bc,
            n_eval,
            sampling: Sampling::Grid,
            seed: 0,
            eps: 1.0,
            dim: 1,
            path: None,
            operator: None,
        }
    }
}

/// What the engine knows of a problem before building it, kept beside its code: the pickers,
/// the preset checks and `reproduce` read these instead of matching on [`ProblemKind`].
/// Adding a problem means its file (with its spec), a [`ProblemKind`] variant (its preset
/// name) and a line in [`REGISTRY`].
pub struct ProblemSpec {
    pub kind: ProblemKind,
    /// The name used in presets.
    pub id: &'static str,
    /// Human-readable name.
    pub label: &'static str,
    /// The derivative channels its residual needs.
    pub order: DerivOrder,
    /// Residual rows per point: 1 for a pointwise PDE residual; the Sobolev fit stacks the
    /// value and gradient mismatches (value rows of all points first). Jacobian-based methods
    /// need 1.
    pub residual_rows_per_point: usize,
    pub dims: Dims,
    /// Homotopy paths `problem.path` may name (empty: the problem walks its own ε).
    pub paths: &'static [s_path::Path],
    /// Whether grid sampling in several dimensions puts the residual points on an m^d tensor
    /// grid (Helmholtz in d dimensions always samples at random).
    pub tensor_grid: bool,
    /// Whether it learns an operator (a DeepONet over input functions, see
    /// [`Problem::operator_points`]) rather than one solution (an MLP).
    pub operator: bool,
    /// Build the problem instance.
    pub build: fn(&BuildArgs) -> Box<dyn Problem>,
}

impl ProblemSpec {
    /// A problem with a pointwise residual (one row per point) walking its own ε, sampled on a
    /// tensor grid, solved by one network; set other fields with struct-update syntax.
    pub const fn new(
        kind: ProblemKind,
        id: &'static str,
        label: &'static str,
        order: DerivOrder,
        dims: Dims,
        build: fn(&BuildArgs) -> Box<dyn Problem>,
    ) -> Self {
        Self {
            kind,
            id,
            label,
            order,
            residual_rows_per_point: 1,
            dims,
            paths: &[],
            tensor_grid: true,
            operator: false,
            build,
        }
    }

    /// [`ProblemSpec::new`] in 1D with a second-order residual (the 1D PDEs).
    pub const fn second_order_1d(
        kind: ProblemKind,
        id: &'static str,
        label: &'static str,
        build: fn(&BuildArgs) -> Box<dyn Problem>,
    ) -> Self {
        Self::new(
            kind,
            id,
            label,
            DerivOrder::SecondPerAxis,
            Dims::Fixed(1),
            build,
        )
    }
}

/// Every problem, in picker order.
pub static REGISTRY: [&ProblemSpec; 13] = [
    &allen_cahn_1d::SPEC,
    &allen_cahn_2d::SPEC,
    &high_frequency::SPEC,
    &burgers_1d::SPEC,
    &burgers_operator::SPEC,
    &boundary_layer::SPEC,
    &poisson_multiscale::SPEC,
    &elliptic_2d::POISSON_SPEC,
    &elliptic_2d::HELMHOLTZ_SPEC,
    &helmholtz::SPEC,
    &sobolev_poisson::SPEC,
    &function_fit::MULTISCALE_SPEC,
    &function_fit::DISCONTINUOUS_SPEC,
];

impl ProblemKind {
    /// Every problem, for pickers, in the registry's order.
    pub fn all() -> impl Iterator<Item = ProblemKind> {
        REGISTRY.iter().map(|s| s.kind)
    }

    /// The problem's spec in the [`REGISTRY`].
    pub fn spec(self) -> &'static ProblemSpec {
        REGISTRY
            .iter()
            .copied()
            .find(|s| s.kind == self)
            .expect("every ProblemKind has a spec in REGISTRY (tested)")
    }

    /// Human-readable name.
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// The name used in presets.
    pub fn id(self) -> &'static str {
        self.spec().id
    }

    /// The derivative channels its residual needs.
    pub fn order(self) -> DerivOrder {
        self.spec().order
    }

    /// Residual rows per point (see [`ProblemSpec::residual_rows_per_point`]).
    pub fn residual_rows_per_point(self) -> usize {
        self.spec().residual_rows_per_point
    }

    /// The largest input dimension `problem.dim` may ask for (1 for a problem fixed in 1D).
    pub fn max_dim(self) -> usize {
        match self.spec().dims {
            Dims::Fixed(d) | Dims::UpTo(d) => d,
        }
    }

    /// The input dimension when the problem fixes it (None: set by `problem.dim`).
    pub fn fixed_dim(self) -> Option<usize> {
        match self.spec().dims {
            Dims::Fixed(d) => Some(d),
            Dims::UpTo(_) => None,
        }
    }
}

/// A tensor grid of evaluation points (x fastest), for heat maps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grid2d {
    pub nx: usize,
    pub ny: usize,
    /// x range (first and last node).
    pub x: (f64, f64),
    /// y range (first and last node).
    pub y: (f64, f64),
}

/// How residual points are placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Uniform interior grid (x_i = i/(n+1) in 1D).
    #[default]
    Grid,
    /// Uniform random points drawn once from the run's seed.
    Random,
}

/// A solution known in closed form or computed by a reference solver, sampled on the
/// problem's evaluation grid.
#[derive(Clone, Debug)]
pub struct SampledSolution {
    /// What it is, for tables and legends ("tanh", "finite-difference BVP").
    pub label: String,
    /// Values at the evaluation points.
    pub values: Vec<f64>,
}

/// A discrete operator D_ε on the residual points.
#[derive(Clone, Debug)]
pub struct DiscreteOperator {
    /// n × n matrix.
    pub matrix: faer::Mat<f64>,
    /// Whether it is symmetric (then its eigenvalues are real).
    pub symmetric: bool,
    /// Whether its rows are the residual points (then it pairs with the Jacobian in the
    /// Theorem 4.1 band); false for an operator on a grid of its own.
    pub on_residual_points: bool,
}

/// One of a problem's point sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointRole {
    Residual,
    Boundary,
    Eval,
}

/// A PDE problem instance at fixed sampling (built from a config).
pub trait Problem: Send + Sync {
    /// Which problem this is.
    fn kind(&self) -> ProblemKind;

    /// Input dimension d.
    fn dim(&self) -> usize;

    /// Derivative channels the residual needs (the spec's).
    fn order(&self) -> DerivOrder {
        self.kind().order()
    }

    /// Channel layout of the residual batch.
    fn channels(&self) -> Channels {
        Channels::new(self.dim(), self.order())
    }

    /// Residual (collocation) points, n_res × d row-major.
    fn residual_points(&self) -> &[f64];

    /// Boundary points, n_bc × d row-major.
    fn boundary_points(&self) -> &[f64];

    /// Boundary data g at the boundary points (at the target ε when they depend on ε).
    fn boundary_values(&self) -> &[f64];

    /// Boundary data at ε, for problems whose boundary data depend on ε (None: they do not).
    fn boundary_values_at(&self, _eps: f64) -> Option<Vec<f64>> {
        None
    }

    /// ∂g/∂ε at the boundary points, for problems whose boundary data depend on ε.
    fn boundary_values_eps(&self, _eps: f64) -> Option<Vec<f64>> {
        None
    }

    /// H(u_θ, ε) at the residual points.
    fn residual(&self, f: &Fields, eps: f64) -> Tensor<1>;

    /// What the residual reads at the residual points that does not change from step to step
    /// (a forcing term of the coordinates x, an operator problem's inputs u₀): computed once by
    /// the objective and handed back in [`Fields::data`] of its residual fields, so that it is
    /// not recomputed or copied every step. The residual must give the same numbers when the
    /// data are absent (computed there by the same operations). None by default.
    fn point_data(&self, _x: &[Tensor<1>]) -> Vec<Tensor<1>> {
        Vec::new()
    }

    /// ∂H/∂ε at the residual points.
    fn residual_eps(&self, f: &Fields, eps: f64) -> Tensor<1>;

    /// The linearized operator H_u[u] applied to v (both given as fields).
    fn linearized(&self, f: &Fields, v: &Fields, eps: f64) -> Tensor<1>;

    /// Evaluation points (n_eval × d) for L2RE and plots.
    fn eval_points(&self) -> &[f64];

    /// The closed-form solution at the evaluation points, if the problem has one.
    fn exact(&self, eps: f64) -> Option<SampledSolution> {
        Some(SampledSolution {
            label: self.exact_label().into(),
            values: self.exact_at(self.eval_points(), eps)?,
        })
    }

    /// What the closed-form solution is called in tables and legends.
    fn exact_label(&self) -> &'static str {
        "exact"
    }

    /// The closed-form solution at arbitrary points (n × d), if the problem has one.
    fn exact_at(&self, _points: &[f64], _eps: f64) -> Option<Vec<f64>> {
        None
    }

    /// The paper's discrete operator D_ε at the residual points for a solution `u` sampled there
    /// (its linearization of −H on the grid), when the problem defines one and the residual
    /// points are the uniform grid it is defined on.
    fn discrete_operator(&self, _u: &[f64], _eps: f64) -> Option<DiscreteOperator> {
        None
    }

    /// A numerical reference solution of the same boundary-value problem, if available.
    fn reference(&self, _eps: f64) -> Option<SampledSolution> {
        None
    }

    /// The reference solution at arbitrary points (n × d), if the problem has one.
    fn reference_at(&self, _points: &[f64], _eps: f64) -> Option<Vec<f64>> {
        None
    }

    /// The coordinate a point is plotted against (the first coordinate; problems in several
    /// dimensions may project, e.g. onto the mean of the coordinates).
    fn plot_coordinate(&self, point: &[f64]) -> f64 {
        point[0]
    }

    /// The evaluation points as a tensor grid in the plane (2D problems; drawn as heat maps).
    fn eval_grid(&self) -> Option<Grid2d> {
        None
    }

    /// The residual points as a tensor grid in the plane, when they form one (or, after
    /// resampling, when their first nx·ny points do).
    fn residual_grid(&self) -> Option<Grid2d> {
        None
    }

    /// `n` seeded uniform random points of the domain's interior (n × d): candidates for
    /// residual-based resampling. `None` when the problem keeps a fixed point set.
    fn random_interior_points(&self, _n: usize, _seed: u64) -> Option<Vec<f64>> {
        None
    }

    /// The same problem with `added` (n × d) appended to its residual points (residual-based
    /// resampling); `None` when the problem keeps a fixed point set.
    fn with_residual_points(&self, _added: &[f64]) -> Option<Arc<dyn Problem>> {
        None
    }

    /// The initial state u₀ at the residual points, for problems whose solution is the steady
    /// state of u_t = −H(u) reached from u₀ (the time-sequential strategy marches from it);
    /// `None` when the problem has no such initial state.
    fn initial_state(&self) -> Option<Vec<f64>> {
        None
    }

    /// The name of the plot coordinate, for axis labels.
    fn plot_label(&self) -> &'static str {
        "x"
    }

    /// For an operator-learning problem: the point set as (input functions × coordinates), the
    /// batch a DeepONet is evaluated on; its points are the coordinates the other accessors
    /// give, input-major. `None` for a problem of one solution.
    fn operator_points(&self, _role: PointRole) -> Option<&OperatorPoints> {
        None
    }

    /// For an operator-learning problem: `count` fresh input functions from its input
    /// distribution, sampled at its sensors (count × sensors, row-major), drawn from `seed`.
    fn sample_inputs(&self, _count: usize, _seed: u64) -> Option<Vec<f64>> {
        None
    }

    /// For an operator-learning problem: the reference solution at the path parameter p for
    /// one input given by its sensor values, at one input's evaluation coordinates.
    fn reference_for_input(&self, _sensors: &[f64], _p: f64) -> Option<Vec<f64>> {
        None
    }

    /// Position of the interface/front of a solution sampled on the evaluation grid, for
    /// problems that have one (1D Allen–Cahn: the zero crossing).
    fn front_position(&self, _values: &[f64]) -> Option<f64> {
        None
    }

    /// The mean squared distance of the fronts (or shocks) of a solution sampled on the
    /// evaluation grid from where they belong, for problems whose evaluation holds many
    /// profiles with a known front (the operator problem: Table 5's MSE(x_s) over the test
    /// inputs).
    fn front_mse(&self, _values: &[f64]) -> Option<f64> {
        None
    }
}

/// The operator batch behind `points`, when they are one of the problem's own point sets (the
/// same slice) and the problem is an operator-learning one.
pub fn operator_points_at<'a>(
    problem: &'a dyn Problem,
    points: &[f64],
) -> Option<&'a OperatorPoints> {
    role_of(problem, points).and_then(|role| problem.operator_points(role))
}

/// Which of the problem's own point sets `points` is (the same slice), if any.
pub fn role_of(problem: &dyn Problem, points: &[f64]) -> Option<PointRole> {
    [
        (problem.residual_points(), PointRole::Residual),
        (problem.boundary_points(), PointRole::Boundary),
        (problem.eval_points(), PointRole::Eval),
    ]
    .into_iter()
    .find(|(set, _)| std::ptr::eq(*set, points))
    .map(|(_, role)| role)
}

/// ∂/∂ε sin(a/ε) = −(a/ε²)cos(a/ε): the ε-derivative of boundary data that follow ε.
pub fn d_eps_sin_over_eps(a: f64, eps: f64) -> f64 {
    -(a / (eps * eps)) * (a / eps).cos()
}

/// The plot coordinate of each of `points` (n × d).
pub fn plot_coordinates(problem: &dyn Problem, points: &[f64]) -> Vec<f64> {
    points
        .chunks(problem.dim())
        .map(|p| problem.plot_coordinate(p))
        .collect()
}

/// ‖a − b‖₂ / ‖b‖₂.
pub fn relative_l2(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den).sqrt()
}
