//! The ISGD paper's function fits (App. C.1, Figs. 5–6): H(u) = u − g(x) on [−3, 3] with the
//! multiscale g(x) = (x³ − x)·sin(4x)/4 + sin(12x)/(x² + 1) (eq. 45) or the discontinuous
//! g(x) = sin(4x) on [−3, 0] and 2 + x·sin(x) on (0, 3] (eq. 46). Neither depends on ε
//! (H_ε = 0: there is no homotopy to walk); the boundary points x = ±3 carry g there. The
//! points are [`Points1d`]'s on [0, 1] mapped onto [−3, 3].

use burn::tensor::Tensor;

use super::points::point_set_accessors;
use super::points1d::Points1d;
use super::{BuildArgs, Dims, Fields, Problem, ProblemKind, ProblemSpec};
use crate::net::DerivOrder;

/// Which function is fitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Eq. 45.
    Multiscale,
    /// Eq. 46.
    Discontinuous,
}

impl Target {
    /// Its problem kind (eq. 45 or 46).
    pub const fn kind(self) -> ProblemKind {
        match self {
            Self::Multiscale => ProblemKind::IsgdMultiscaleFit,
            Self::Discontinuous => ProblemKind::IsgdDiscontinuousFit,
        }
    }

    /// g(x).
    pub fn at(self, x: f64) -> f64 {
        match self {
            Self::Multiscale => {
                (x * x * x - x) * (4.0 * x).sin() / 4.0 + (12.0 * x).sin() / (x * x + 1.0)
            }
            Self::Discontinuous => {
                if x <= 0.0 {
                    (4.0 * x).sin()
                } else {
                    2.0 + x * x.sin()
                }
            }
        }
    }

    /// g at the points of `x`, as tensor operations.
    fn tensor(self, x: Tensor<1>) -> Tensor<1> {
        match self {
            Self::Multiscale => {
                let cubic = x.clone().powi_scalar(3).sub(x.clone());
                let slow = cubic.mul(x.clone().mul_scalar(4.0).sin()).div_scalar(4.0);
                let fast = x
                    .clone()
                    .mul_scalar(12.0)
                    .sin()
                    .div(x.powi_scalar(2).add_scalar(1.0));
                slow.add(fast)
            }
            Self::Discontinuous => {
                let left = x.clone().mul_scalar(4.0).sin();
                let right = x.clone().sin().mul(x.clone()).add_scalar(2.0);
                left.mask_where(x.greater_elem(0.0), right)
            }
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Multiscale => "(x³ − x) sin(4x)/4 + sin(12x)/(x² + 1)",
            Self::Discontinuous => "sin 4x (x ≤ 0), 2 + x sin x (x > 0)",
        }
    }
}

/// A fit of g on [−3, 3] at fixed sampling.
pub struct FunctionFit {
    points: Points1d,
    boundary_values: Vec<f64>,
    target: Target,
}

impl FunctionFit {
    pub fn new(a: &BuildArgs, target: Target) -> Self {
        let mut points = Points1d::new(a, 0x5eed_0f17 ^ target.kind() as u64);
        for x in points
            .residual
            .iter_mut()
            .chain(points.boundary.iter_mut())
            .chain(points.eval.iter_mut())
        {
            *x = -3.0 + 6.0 * *x;
        }
        let boundary_values = points.boundary.iter().map(|&x| target.at(x)).collect();
        Self {
            points,
            boundary_values,
            target,
        }
    }
}

/// A fit's registry spec: pointwise, 1D, no derivative channels.
const fn spec(target: Target) -> ProblemSpec {
    type Build = fn(&BuildArgs) -> Box<dyn Problem>;
    let (id, label, build): (_, _, Build) = match target {
        Target::Multiscale => (
            "isgd_multiscale_fit",
            "Multiscale fit on [−3, 3] (ISGD eq. 45)",
            |a| Box::new(FunctionFit::new(a, Target::Multiscale)),
        ),
        Target::Discontinuous => (
            "isgd_discontinuous_fit",
            "Discontinuous fit on [−3, 3] (ISGD eq. 46)",
            |a| Box::new(FunctionFit::new(a, Target::Discontinuous)),
        ),
    };
    ProblemSpec::new(
        target.kind(),
        id,
        label,
        DerivOrder::Value,
        Dims::Fixed(1),
        build,
    )
}

/// Eq. 45 in the registry.
pub const MULTISCALE_SPEC: ProblemSpec = spec(Target::Multiscale);
/// Eq. 46 in the registry.
pub const DISCONTINUOUS_SPEC: ProblemSpec = spec(Target::Discontinuous);

impl Problem for FunctionFit {
    point_set_accessors!();

    fn kind(&self) -> ProblemKind {
        self.target.kind()
    }

    fn residual(&self, f: &Fields, _eps: f64) -> Tensor<1> {
        f.u.clone().sub(self.target.tensor(f.coord(0)))
    }

    fn residual_eps(&self, f: &Fields, _eps: f64) -> Tensor<1> {
        f.u.clone().zeros_like()
    }

    fn linearized(&self, _f: &Fields, v: &Fields, _eps: f64) -> Tensor<1> {
        v.u.clone()
    }

    fn exact_label(&self) -> &'static str {
        self.target.label()
    }

    fn exact_at(&self, points: &[f64], _eps: f64) -> Option<Vec<f64>> {
        Some(points.iter().map(|&x| self.target.at(x)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend;
    use crate::net::Channels;
    use crate::net::tensors::{host_vec, vec_tensor};
    use crate::problem::coordinates;

    #[test]
    fn the_residual_is_u_minus_the_papers_functions() {
        let device = backend::cpu().unwrap().device;
        for (target, kind) in [
            (Target::Multiscale, ProblemKind::IsgdMultiscaleFit),
            (Target::Discontinuous, ProblemKind::IsgdDiscontinuousFit),
        ] {
            assert_eq!(target.kind(), kind);
            let p = FunctionFit::new(&BuildArgs::grid(41, 2, 101), target);
            let x = p.residual_points().to_vec();
            assert!(x[0] > -3.0 && x[x.len() - 1] < 3.0 && p.boundary_points() == [-3.0, 3.0]);
            let n = x.len();
            let u = vec_tensor(vec![0.0; n], &device);
            let f = Fields::from_stacked(u, n, Channels::new(1, DerivOrder::Value))
                .at(&coordinates(&x, 1, &device));
            let r = host_vec(p.residual(&f, 1.0)).unwrap();
            for (k, &xk) in x.iter().enumerate() {
                assert!((r[k] + target.at(xk)).abs() < 1e-12, "{target:?} at {xk}");
            }
        }
        // Eq. 46 jumps at 0 from sin 0 = 0 to 2.
        assert_eq!(Target::Discontinuous.at(0.0), 0.0);
        assert!((Target::Discontinuous.at(1e-12) - 2.0).abs() < 1e-9);
        // Eq. 45 at x = 1: 0 + sin 12 / 2.
        assert!((Target::Multiscale.at(1.0) - 12f64.sin() / 2.0).abs() < 1e-15);
    }
}
