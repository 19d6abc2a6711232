//! The presets shipped in `presets/`, built into the binary so the explorer and `reproduce` have
//! them wherever they run; a file of the same name in a local `presets/` folder takes precedence.

use std::path::Path;

/// (file name, text) of every shipped preset.
pub const SHIPPED: [(&str, &str); 7] = [
    (
        "allen_cahn_1d_strategy1.toml",
        include_str!("../presets/allen_cahn_1d_strategy1.toml"),
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
        "allen_cahn_1d_curriculum.toml",
        include_str!("../presets/allen_cahn_1d_curriculum.toml"),
    ),
    (
        "allen_cahn_1d_hrta.toml",
        include_str!("../presets/allen_cahn_1d_hrta.toml"),
    ),
    (
        "allen_cahn_1d_classical.toml",
        include_str!("../presets/allen_cahn_1d_classical.toml"),
    ),
    (
        "allen_cahn_1d_eps0.1.toml",
        include_str!("../presets/allen_cahn_1d_eps0.1.toml"),
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
