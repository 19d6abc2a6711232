//! The presets shipped in `presets/`, built into the binary so the explorer and `reproduce` have
//! them wherever they run; a file of the same name in a local `presets/` folder takes precedence.

use std::path::Path;

/// (file name, text) of every shipped preset.
pub const SHIPPED: [(&str, &str); 59] = [
    (
        "allen_cahn_1d_strategy1.toml",
        include_str!("../presets/allen_cahn_1d_strategy1.toml"),
    ),
    (
        "allen_cahn_2d_homotopy.toml",
        include_str!("../presets/allen_cahn_2d_homotopy.toml"),
    ),
    (
        "allen_cahn_2d_homotopy_loss.toml",
        include_str!("../presets/allen_cahn_2d_homotopy_loss.toml"),
    ),
    (
        "allen_cahn_1d_classical.toml",
        include_str!("../presets/allen_cahn_1d_classical.toml"),
    ),
    (
        "allen_cahn_1d_curriculum.toml",
        include_str!("../presets/allen_cahn_1d_curriculum.toml"),
    ),
    (
        "allen_cahn_1d_eps0.1.toml",
        include_str!("../presets/allen_cahn_1d_eps0.1.toml"),
    ),
    (
        "allen_cahn_1d_hrta.toml",
        include_str!("../presets/allen_cahn_1d_hrta.toml"),
    ),
    (
        "allen_cahn_1d_strategy1_paper.toml",
        include_str!("../presets/allen_cahn_1d_strategy1_paper.toml"),
    ),
    (
        "allen_cahn_1d_strategy2.toml",
        include_str!("../presets/allen_cahn_1d_strategy2.toml"),
    ),
    (
        "allen_cahn_2d_curriculum.toml",
        include_str!("../presets/allen_cahn_2d_curriculum.toml"),
    ),
    (
        "allen_cahn_2d_homotopy_as_printed.toml",
        include_str!("../presets/allen_cahn_2d_homotopy_as_printed.toml"),
    ),
    (
        "allen_cahn_2d_pinn.toml",
        include_str!("../presets/allen_cahn_2d_pinn.toml"),
    ),
    (
        "allen_cahn_2d_resampling.toml",
        include_str!("../presets/allen_cahn_2d_resampling.toml"),
    ),
    (
        "allen_cahn_2d_time_sequential.toml",
        include_str!("../presets/allen_cahn_2d_time_sequential.toml"),
    ),
    (
        "allen_cahn_2d_time_sequential_adam.toml",
        include_str!("../presets/allen_cahn_2d_time_sequential_adam.toml"),
    ),
    (
        "boundary_layer_adam.toml",
        include_str!("../presets/boundary_layer_adam.toml"),
    ),
    (
        "boundary_layer_adam_lr0.5.toml",
        include_str!("../presets/boundary_layer_adam_lr0.5.toml"),
    ),
    (
        "boundary_layer_isgd.toml",
        include_str!("../presets/boundary_layer_isgd.toml"),
    ),
    (
        "boundary_layer_sgd_lr0.5.toml",
        include_str!("../presets/boundary_layer_sgd_lr0.5.toml"),
    ),
    (
        "boundary_layer_strategy1.toml",
        include_str!("../presets/boundary_layer_strategy1.toml"),
    ),
    (
        "burgers_1d_classical.toml",
        include_str!("../presets/burgers_1d_classical.toml"),
    ),
    (
        "burgers_1d_s_homotopy.toml",
        include_str!("../presets/burgers_1d_s_homotopy.toml"),
    ),
    (
        "burgers_operator_eq61.toml",
        include_str!("../presets/burgers_operator_eq61.toml"),
    ),
    (
        "burgers_operator_homotopy.toml",
        include_str!("../presets/burgers_operator_homotopy.toml"),
    ),
    (
        "burgers_operator_lm.toml",
        include_str!("../presets/burgers_operator_lm.toml"),
    ),
    (
        "burgers_1d_strategy1.toml",
        include_str!("../presets/burgers_1d_strategy1.toml"),
    ),
    (
        "helmholtz_20d_classical.toml",
        include_str!("../presets/helmholtz_20d_classical.toml"),
    ),
    (
        "helmholtz_20d_homotopy.toml",
        include_str!("../presets/helmholtz_20d_homotopy.toml"),
    ),
    (
        "helmholtz_20d_homotopy_loss.toml",
        include_str!("../presets/helmholtz_20d_homotopy_loss.toml"),
    ),
    (
        "helmholtz_2d_adam.toml",
        include_str!("../presets/helmholtz_2d_adam.toml"),
    ),
    (
        "helmholtz_2d_adam_lr0.5.toml",
        include_str!("../presets/helmholtz_2d_adam_lr0.5.toml"),
    ),
    (
        "helmholtz_2d_homotopy.toml",
        include_str!("../presets/helmholtz_2d_homotopy.toml"),
    ),
    (
        "helmholtz_2d_homotopy_loss.toml",
        include_str!("../presets/helmholtz_2d_homotopy_loss.toml"),
    ),
    (
        "helmholtz_2d_isgd.toml",
        include_str!("../presets/helmholtz_2d_isgd.toml"),
    ),
    (
        "high_frequency_fit_classical.toml",
        include_str!("../presets/high_frequency_fit_classical.toml"),
    ),
    (
        "high_frequency_fit_homotopy.toml",
        include_str!("../presets/high_frequency_fit_homotopy.toml"),
    ),
    (
        "high_frequency_fit_homotopy_loss.toml",
        include_str!("../presets/high_frequency_fit_homotopy_loss.toml"),
    ),
    (
        "hrta_fit_3d_adam.toml",
        include_str!("../presets/hrta_fit_3d_adam.toml"),
    ),
    (
        "hrta_fit_3d_s0.5.toml",
        include_str!("../presets/hrta_fit_3d_s0.5.toml"),
    ),
    (
        "hrta_fit_3d_s1.5.toml",
        include_str!("../presets/hrta_fit_3d_s1.5.toml"),
    ),
    (
        "hrta_fit_sin2pix_adam.toml",
        include_str!("../presets/hrta_fit_sin2pix_adam.toml"),
    ),
    (
        "hrta_fit_sin2pix_s0.5.toml",
        include_str!("../presets/hrta_fit_sin2pix_s0.5.toml"),
    ),
    (
        "hrta_fit_sin2pix_s1.5.toml",
        include_str!("../presets/hrta_fit_sin2pix_s1.5.toml"),
    ),
    (
        "hrta_sobolev_poisson_adam.toml",
        include_str!("../presets/hrta_sobolev_poisson_adam.toml"),
    ),
    (
        "hrta_sobolev_poisson_s1.5.toml",
        include_str!("../presets/hrta_sobolev_poisson_s1.5.toml"),
    ),
    (
        "ntk_lab_allen_cahn.toml",
        include_str!("../presets/ntk_lab_allen_cahn.toml"),
    ),
    (
        "poisson_multiscale_1d_adam.toml",
        include_str!("../presets/poisson_multiscale_1d_adam.toml"),
    ),
    (
        "poisson_multiscale_1d_homotopy.toml",
        include_str!("../presets/poisson_multiscale_1d_homotopy.toml"),
    ),
    (
        "poisson_multiscale_1d_homotopy_loss.toml",
        include_str!("../presets/poisson_multiscale_1d_homotopy_loss.toml"),
    ),
    (
        "poisson_multiscale_1d_isgd.toml",
        include_str!("../presets/poisson_multiscale_1d_isgd.toml"),
    ),
    (
        "poisson_multiscale_1d_lbfgs.toml",
        include_str!("../presets/poisson_multiscale_1d_lbfgs.toml"),
    ),
    (
        "poisson_multiscale_2d_adam.toml",
        include_str!("../presets/poisson_multiscale_2d_adam.toml"),
    ),
    (
        "poisson_multiscale_2d_adam_lr0.5.toml",
        include_str!("../presets/poisson_multiscale_2d_adam_lr0.5.toml"),
    ),
    (
        "isgd_multiscale_fit.toml",
        include_str!("../presets/isgd_multiscale_fit.toml"),
    ),
    (
        "isgd_discontinuous_fit.toml",
        include_str!("../presets/isgd_discontinuous_fit.toml"),
    ),
    (
        "poisson_multiscale_2d_homotopy.toml",
        include_str!("../presets/poisson_multiscale_2d_homotopy.toml"),
    ),
    (
        "poisson_multiscale_2d_homotopy_loss.toml",
        include_str!("../presets/poisson_multiscale_2d_homotopy_loss.toml"),
    ),
    (
        "poisson_multiscale_2d_isgd.toml",
        include_str!("../presets/poisson_multiscale_2d_isgd.toml"),
    ),
    (
        "random_features_allen_cahn.toml",
        include_str!("../presets/random_features_allen_cahn.toml"),
    ),
];

/// The text of a shipped preset: the local file in `dir` when present, else the built-in copy.
pub fn text(dir: &Path, name: &str) -> Option<(String, String)> {
    let path = dir.join(name);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Some((text, path.display().to_string()));
    }
    SHIPPED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, t)| (t.to_string(), format!("{n} (built-in)")))
}

/// The first shipped preset for problem `kind` (the explorer loads it when the problem picker
/// changes, so each problem starts from settings that work for it).
pub fn first_for(kind: crate::problem::ProblemKind) -> Option<(&'static str, &'static str)> {
    SHIPPED.iter().copied().find(|(_, text)| {
        crate::config::RunConfig::from_toml_str(text).is_ok_and(|c| c.problem.kind == kind)
    })
}

/// The title and description of the shipped preset `name`, for the menu's hover (parsed once).
pub fn shipped_description(name: &str) -> Option<&'static (String, String)> {
    static ALL: std::sync::OnceLock<Vec<(&'static str, (String, String))>> =
        std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        SHIPPED
            .iter()
            .filter_map(|(n, text)| {
                let c = crate::config::RunConfig::from_toml_str(text).ok()?;
                Some((*n, (c.name, c.description)))
            })
            .collect()
    })
    .iter()
    .find(|(n, _)| *n == name)
    .map(|(_, d)| d)
}

/// The shipped presets grouped by the problem they solve, problems in the registry's order
/// and presets in [`SHIPPED`]'s (parsed once).
pub fn shipped_by_problem() -> &'static [(crate::problem::ProblemKind, Vec<&'static str>)] {
    static GROUPS: std::sync::OnceLock<Vec<(crate::problem::ProblemKind, Vec<&'static str>)>> =
        std::sync::OnceLock::new();
    GROUPS.get_or_init(|| {
        let kinds: Vec<_> = SHIPPED
            .iter()
            .map(|(name, text)| {
                let config = crate::config::RunConfig::from_toml_str(text)
                    .unwrap_or_else(|e| panic!("shipped preset {name} is invalid: {e}"));
                (config.problem.kind, *name)
            })
            .collect();
        crate::problem::ProblemKind::all()
            .map(|kind| {
                let names = kinds
                    .iter()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, n)| *n)
                    .collect();
                (kind, names)
            })
            .filter(|(_, names): &(_, Vec<_>)| !names.is_empty())
            .collect()
    })
}

#[cfg(test)]
mod group_tests {
    #[test]
    fn every_shipped_preset_sits_in_exactly_one_problem_group() {
        let groups = super::shipped_by_problem();
        let mut names: Vec<&str> = groups.iter().flat_map(|(_, n)| n.iter().copied()).collect();
        assert_eq!(names.len(), super::SHIPPED.len());
        names.sort();
        names.dedup();
        assert_eq!(names.len(), super::SHIPPED.len());
    }

    #[test]
    fn every_shipped_preset_describes_itself_for_the_menus_hover() {
        for (name, _) in super::SHIPPED {
            let (title, description) = super::shipped_description(name).unwrap();
            assert!(!title.trim().is_empty(), "{name}");
            assert!(!description.trim().is_empty(), "{name}");
        }
        assert!(super::shipped_description("no_such.toml").is_none());
    }
}
