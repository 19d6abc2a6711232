//! The ISGD paper's 2D examples on [0, 1]², each as the end of a homotopy in a frequency
//! parameter ε (the boundary data u_ε on the faces follow ε):
//! - multiscale Poisson (§4.2): −Δu = f_ε with u_ε = sin(πx)sin(πy) + 0.1 sin(πx/ε)sin(πy/ε);
//!   the paper's problem is ε = 1/10. H = Δu + f_ε, H_u v = Δv.
//! - Helmholtz (§4.3): Δu + k²u = f_ε with k = 1/ε and u_ε = sin(πx)sin(πy/ε); the paper's
//!   problem is k = 4 (ε = 1/4). H = Δu + u/ε² − f_ε, H_u v = Δv + v/ε².

use std::f64::consts::PI;

use burn::tensor::Tensor;

use super::points::point_set_accessors;
use super::points2d::Points2d;
use super::{BuildArgs, Dims, Fields, Problem, ProblemKind, ProblemSpec, at_points};
use crate::net::DerivOrder;

/// Amplitude of the fine scale of the multiscale solution.
const FINE: f64 = 0.1;

/// Which of the two problems.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elliptic {
    MultiscalePoisson,
    Helmholtz,
}

/// A 2D elliptic problem of the ISGD paper at fixed sampling.
pub struct Elliptic2d {
    which: Elliptic,
    points: Points2d,
    boundary_values: Vec<f64>,
}

/// sin, cos of πx/ε.
fn fine(x: f64, eps: f64) -> (f64, f64) {
    (PI * x / eps).sin_cos()
}

impl Elliptic2d {
    /// `which` from the preset's `[problem]` settings, with boundary data u_ε at ε = `a.eps`.
    pub fn new(which: Elliptic, a: &BuildArgs) -> Self {
        let points = Points2d::new((0.0, 1.0), a, 0x5eed_e112);
        let mut this = Self {
            which,
            points,
            boundary_values: Vec::new(),
        };
        this.boundary_values = this.solution_at(&this.points.boundary, a.eps);
        this
    }

    /// u_ε at one point.
    pub fn solution(&self, x: f64, y: f64, eps: f64) -> f64 {
        let coarse = (PI * x).sin();
        match self.which {
            Elliptic::MultiscalePoisson => {
                coarse * (PI * y).sin() + FINE * fine(x, eps).0 * fine(y, eps).0
            }
            Elliptic::Helmholtz => coarse * fine(y, eps).0,
        }
    }

    /// ∂u_ε/∂ε at one point.
    fn solution_eps(&self, x: f64, y: f64, eps: f64) -> f64 {
        let ((sx, cx), (sy, cy)) = (fine(x, eps), fine(y, eps));
        let (dx, dy) = (-PI * x / (eps * eps), -PI * y / (eps * eps));
        match self.which {
            Elliptic::MultiscalePoisson => FINE * (dx * cx * sy + sx * dy * cy),
            Elliptic::Helmholtz => (PI * x).sin() * dy * cy,
        }
    }

    fn solution_at(&self, points: &[f64], eps: f64) -> Vec<f64> {
        at_points(points, 2, |p| self.solution(p[0], p[1], eps))
    }
}

/// sin(k·x) of a coordinate tensor.
fn sin(x: &Tensor<1>, k: f64) -> Tensor<1> {
    x.clone().mul_scalar(k).sin()
}

/// sin(k·x) and cos(k·x) of a coordinate tensor.
fn sin_cos(x: &Tensor<1>, k: f64) -> (Tensor<1>, Tensor<1>) {
    let t = x.clone().mul_scalar(k);
    (t.clone().sin(), t.cos())
}

/// 2D multiscale Poisson in the registry.
pub const POISSON_SPEC: ProblemSpec = ProblemSpec::new(
    ProblemKind::PoissonMultiscale2d,
    "poisson_multiscale_2d",
    "Multiscale Poisson 2D",
    DerivOrder::Laplacian,
    Dims::Fixed(2),
    |a| Box::new(Elliptic2d::new(Elliptic::MultiscalePoisson, a)),
);

/// 2D Helmholtz (k = 1/ε) in the registry.
pub const HELMHOLTZ_SPEC: ProblemSpec = ProblemSpec {
    kind: ProblemKind::Helmholtz2d,
    id: "helmholtz_2d",
    label: "Helmholtz 2D, k = 1/ε",
    build: |a| Box::new(Elliptic2d::new(Elliptic::Helmholtz, a)),
    ..POISSON_SPEC
};

impl Problem for Elliptic2d {
    point_set_accessors!();

    fn kind(&self) -> ProblemKind {
        match self.which {
            Elliptic::MultiscalePoisson => ProblemKind::PoissonMultiscale2d,
            Elliptic::Helmholtz => ProblemKind::Helmholtz2d,
        }
    }

    fn boundary_values_at(&self, eps: f64) -> Option<Vec<f64>> {
        Some(self.solution_at(&self.points.boundary, eps))
    }

    fn boundary_values_eps(&self, eps: f64) -> Option<Vec<f64>> {
        Some(at_points(&self.points.boundary, 2, |p| {
            self.solution_eps(p[0], p[1], eps)
        }))
    }

    fn residual(&self, f: &Fields, eps: f64) -> Tensor<1> {
        let (x, y) = (f.coord(0), f.coord(1));
        let k = PI / eps;
        let lap = f.lap();
        match self.which {
            Elliptic::MultiscalePoisson => {
                // f_ε = 2π² sin(πx)sin(πy) + 0.2 k² sin(kx)sin(ky)
                let coarse = sin(&x, PI).mul(sin(&y, PI));
                let fine = sin(&x, k).mul(sin(&y, k));
                lap.add(coarse.mul_scalar(2.0 * PI * PI))
                    .add(fine.mul_scalar(2.0 * FINE * k * k))
            }
            Elliptic::Helmholtz => {
                // f_ε = (1/ε² − π² − k²) sin(πx)sin(ky)
                let u = sin(&x, PI).mul(sin(&y, k));
                let c = 1.0 / (eps * eps) - PI * PI - k * k;
                lap.add(f.u.clone().div_scalar(eps * eps))
                    .sub(u.mul_scalar(c))
            }
        }
    }

    fn residual_eps(&self, f: &Fields, eps: f64) -> Tensor<1> {
        let (x, y) = (f.coord(0), f.coord(1));
        let k = PI / eps;
        match self.which {
            Elliptic::MultiscalePoisson => {
                // −(0.2π²/ε³)[2 SxSy + kx Cx Sy + ky Sx Cy]
                let ((sx, cx), (sy, cy)) = (sin_cos(&x, k), sin_cos(&y, k));
                sx.clone()
                    .mul(sy.clone())
                    .mul_scalar(2.0)
                    .add(x.mul_scalar(k).mul(cx).mul(sy))
                    .add(y.mul_scalar(k).mul(sx).mul(cy))
                    .mul_scalar(-2.0 * FINE * PI * PI / eps.powi(3))
            }
            Elliptic::Helmholtz => {
                // −2u/ε³ − ∂f_ε/∂ε, f_ε = c(ε) sin(πx) sin(ky), c = (1 − π²)/ε² − π²
                let px = sin(&x, PI);
                let (sy, cy) = sin_cos(&y, k);
                let c = (1.0 - PI * PI) / (eps * eps) - PI * PI;
                let dc = -2.0 * (1.0 - PI * PI) / eps.powi(3);
                let df = px
                    .clone()
                    .mul(sy)
                    .mul_scalar(dc)
                    .add(px.mul(y.mul(cy)).mul_scalar(-c * PI / (eps * eps)));
                f.u.clone().mul_scalar(-2.0 / eps.powi(3)).sub(df)
            }
        }
    }

    fn linearized(&self, _f: &Fields, v: &Fields, eps: f64) -> Tensor<1> {
        match self.which {
            Elliptic::MultiscalePoisson => v.lap(),
            Elliptic::Helmholtz => v.lap().add(v.u.clone().div_scalar(eps * eps)),
        }
    }

    fn exact_label(&self) -> &'static str {
        match self.which {
            Elliptic::MultiscalePoisson => "sin(πx)sin(πy) + 0.1 sin(πx/ε)sin(πy/ε)",
            Elliptic::Helmholtz => "sin(πx)sin(πy/ε)",
        }
    }

    fn exact_at(&self, points: &[f64], eps: f64) -> Option<Vec<f64>> {
        Some(self.solution_at(points, eps))
    }
}
