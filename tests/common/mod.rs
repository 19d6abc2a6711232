//! Fixtures the integration tests share: small presets that build and train in well under a
//! second a step. Each test binary includes this module and uses a part of it.
#![allow(dead_code)]

/// A small 1D Allen–Cahn preset (40 residual points, 201 evaluation points) at `eps` with
/// hidden layers `hidden` (TOML list) and the `[training]` lines `training`.
pub fn small_ac1(eps: f64, hidden: &str, training: &str) -> String {
    format!(
        "version = 1\n[problem]\nkind = \"allen_cahn_1d\"\neps = {eps}\nn_res = 40\nn_eval = 201\n[network]\nhidden = {hidden}\n[training]\n{training}"
    )
}

/// A small 2D Allen–Cahn preset (a 10 × 10 residual grid, 40 boundary points, an 11 × 11
/// evaluation grid, hidden layers [8, 8]) with the `[training]` lines `training`.
pub fn small_ac2(training: &str) -> String {
    format!(
        "version = 1\n[problem]\nkind = \"allen_cahn_2d\"\neps = 0.05\nn_res = 100\nn_bc = 40\nn_eval = 121\n[network]\nhidden = [8, 8]\n[training]\n{training}"
    )
}

/// A `[strategy]` table of `kind` from `eps_start`, its `[strategy.schedule]` given by the
/// table's lines `schedule`, and `[strategy.phase1]` with `adam_steps` Adam steps and
/// `lm_iterations` LM iterations; lines appended after it continue the Phase I table.
pub fn strategy(
    kind: &str,
    eps_start: f64,
    schedule: &str,
    adam_steps: usize,
    lm_iterations: usize,
) -> String {
    format!(
        "[strategy]\nkind = \"{kind}\"\neps_start = {eps_start}\n[strategy.schedule]\n{schedule}\n[strategy.phase1]\nadam_steps = {adam_steps}\nlm_iterations = {lm_iterations}\n"
    )
}

/// The command-line tests' preset: 1D Allen–Cahn at ε = 0.1 on 50 points, seed 3, with the
/// given step cap and evaluation interval (named "short").
pub fn short_ac1(max_steps: usize, eval_every: usize) -> String {
    format!(
        "version = 1\nname = \"short\"\n[problem]\nkind = \"allen_cahn_1d\"\neps = 0.1\nn_res = 50\n[training]\nseed = 3\nmax_steps = {max_steps}\neval_every = {eval_every}\n"
    )
}

/// The shipped preset `name` with its step counts cut by 8 (at least 20): the same pages,
/// in seconds.
pub fn quick_preset(name: &str) -> String {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("presets")
            .join(name),
    )
    .unwrap();
    text.lines()
        .map(|l| {
            let key = l.split('=').next().unwrap_or("").trim();
            match (
                [
                    "max_steps",
                    "adam_steps",
                    "final_max_steps",
                    "initial_steps",
                ]
                .contains(&key),
                l.split('=')
                    .nth(1)
                    .and_then(|v| v.trim().parse::<usize>().ok()),
            ) {
                (true, Some(n)) => format!("{key} = {}", (n / 8).max(20)),
                _ => l.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A `presets` folder in `dir` holding the `bu` page's three presets cut by [`quick_preset`]:
/// the Burgers page in seconds.
pub fn quick_bu_presets(dir: &std::path::Path) -> std::path::PathBuf {
    let presets = dir.join("presets");
    std::fs::create_dir(&presets).unwrap();
    for p in [
        "burgers_1d_classical.toml",
        "burgers_1d_strategy1.toml",
        "burgers_1d_s_homotopy.toml",
    ] {
        std::fs::write(presets.join(p), quick_preset(p)).unwrap();
    }
    presets
}

/// A reproduction's results and figure data without the seconds each run took.
pub fn page_without_seconds(out: &std::path::Path) -> (serde_json::Value, Vec<u8>) {
    let mut rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("reproduce.json")).unwrap())
            .unwrap();
    for r in rows["rows"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("seconds");
    }
    if let Some(below) = rows.get_mut("below").and_then(|b| b.as_array_mut()) {
        for b in below {
            b["row"].as_object_mut().unwrap().remove("seconds");
        }
    }
    rows.as_object_mut().unwrap().remove("seconds");
    (rows, std::fs::read(out.join("panels.figure.toml")).unwrap())
}
