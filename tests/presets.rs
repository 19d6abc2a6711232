//! Every shipped preset parses, validates, round-trips through TOML and trains a few steps.

use homotopy_explorer::backend;
use homotopy_explorer::config::RunConfig;
use homotopy_explorer::train::Session;

#[test]
fn every_shipped_preset_loads_round_trips_and_steps() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("presets");
    let mut count = 0;
    let device = backend::cpu().unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            homotopy_explorer::presets::SHIPPED
                .iter()
                .any(|(n, _)| *n == name),
            "{name} is not built into the binary (src/presets.rs)"
        );
        let config =
            RunConfig::from_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!config.name.is_empty(), "{} has no name", path.display());
        let again = RunConfig::from_toml_str(&config.to_toml_string()).unwrap();
        assert_eq!(again, config, "{} does not round-trip", path.display());
        let mut session = Session::new(config, &device);
        for _ in 0..3 {
            let p = session.step().unwrap().expect("a fresh run steps");
            assert!(p.report.loss.is_finite(), "{}", path.display());
        }
        count += 1;
    }
    assert!(count >= 18, "expected the shipped presets, found {count}");
}
