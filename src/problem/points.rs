//! What every point set gives its problem: the residual, boundary and evaluation points, and
//! how they are plotted. [`Points1d`](super::points1d::Points1d),
//! [`Points2d`](super::points2d::Points2d) and [`PointsNd`](super::points_nd::PointsNd)
//! implement [`PointSet`]; a problem that keeps one in `points` and its boundary data in
//! `boundary_values` writes `point_set_accessors!()` in its `impl Problem` instead of the nine
//! accessors; `point_set_accessors!(SPEC)` adds `kind()` from its registry spec, so the kind is
//! written once, in the spec.

use super::Grid2d;

/// The points of a problem, each set n × d row-major.
pub trait PointSet {
    /// Input dimension d.
    fn dim(&self) -> usize;
    fn residual(&self) -> &[f64];
    fn boundary(&self) -> &[f64];
    fn eval(&self) -> &[f64];

    /// The evaluation points as a tensor grid in the plane, when they form one.
    fn eval_grid(&self) -> Option<Grid2d> {
        None
    }

    /// The residual points as a tensor grid in the plane, when they form one.
    fn residual_grid(&self) -> Option<Grid2d> {
        None
    }

    /// The abscissa a line plot gives `point`.
    fn plot_coordinate(&self, point: &[f64]) -> f64 {
        point[0]
    }

    /// The name of that abscissa.
    fn plot_label(&self) -> &'static str {
        "x"
    }
}

/// The residual, boundary and evaluation accessors of a [`PointSet`] that keeps them in fields
/// of those names.
macro_rules! point_set_fields {
    () => {
        fn residual(&self) -> &[f64] {
            &self.residual
        }
        fn boundary(&self) -> &[f64] {
            &self.boundary
        }
        fn eval(&self) -> &[f64] {
            &self.eval
        }
    };
}
pub(crate) use point_set_fields;

/// The `Problem` accessors of a problem that keeps a [`PointSet`] in `points` and its boundary
/// data in `boundary_values`.
macro_rules! point_set_accessors {
    () => {
        fn dim(&self) -> usize {
            $crate::problem::points::PointSet::dim(&self.points)
        }

        fn residual_points(&self) -> &[f64] {
            $crate::problem::points::PointSet::residual(&self.points)
        }

        fn boundary_points(&self) -> &[f64] {
            $crate::problem::points::PointSet::boundary(&self.points)
        }

        fn boundary_values(&self) -> &[f64] {
            &self.boundary_values
        }

        fn eval_points(&self) -> &[f64] {
            $crate::problem::points::PointSet::eval(&self.points)
        }

        fn eval_grid(&self) -> Option<$crate::problem::Grid2d> {
            $crate::problem::points::PointSet::eval_grid(&self.points)
        }

        fn residual_grid(&self) -> Option<$crate::problem::Grid2d> {
            $crate::problem::points::PointSet::residual_grid(&self.points)
        }

        fn plot_coordinate(&self, point: &[f64]) -> f64 {
            $crate::problem::points::PointSet::plot_coordinate(&self.points, point)
        }

        fn plot_label(&self) -> &'static str {
            $crate::problem::points::PointSet::plot_label(&self.points)
        }
    };
    ($spec:expr) => {
        fn kind(&self) -> $crate::problem::ProblemKind {
            $spec.kind
        }

        $crate::problem::points::point_set_accessors!();
    };
}
pub(crate) use point_set_accessors;
