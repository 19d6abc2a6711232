//! What an edited configuration changes from the one it was loaded as, and a preset that says
//! so: a preset saved after edits keeps the loaded one's name and description only where they
//! still describe it. Pure: compares the two configurations' TOML forms key by key.

use super::RunConfig;

/// The settings `new` changes from `old`, as "key: old → new" with dotted TOML key paths in
/// file order (name, description and the lecture locks aside: they describe or present a run
/// rather than make it).
pub fn changes(old: &RunConfig, new: &RunConfig) -> Vec<String> {
    let table = |c: &RunConfig| toml::Value::try_from(c).expect("RunConfig always serializes");
    let (a, b) = (table(old), table(new));
    let mut out = Vec::new();
    differ("", Some(&a), Some(&b), &mut out);
    out
}

fn differ(key: &str, a: Option<&toml::Value>, b: Option<&toml::Value>, out: &mut Vec<String>) {
    if matches!(key, "name" | "description" | "lecture") {
        return;
    }
    match (a, b) {
        (Some(toml::Value::Table(x)), Some(toml::Value::Table(y))) => {
            let mut keys: Vec<&String> = x.keys().collect();
            keys.extend(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let path = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}.{k}")
                };
                differ(&path, x.get(k), y.get(k), out);
            }
        }
        (x, y) if x != y => {
            let show =
                |v: Option<&toml::Value>| v.map_or_else(|| "(none)".into(), |v| v.to_string());
            out.push(format!("{key}: {} → {}", show(x), show(y)));
        }
        _ => {}
    }
}

impl RunConfig {
    /// This configuration as a preset that says what it is: where it differs from `loaded` in
    /// what runs and still carries `loaded`'s name and description, the name gains "(edited)"
    /// and the description lists the changes before the old text. A name or description the
    /// user changed is kept as it is.
    pub fn described_against(&self, loaded: &RunConfig) -> RunConfig {
        let mut out = self.clone();
        let changed = changes(loaded, self);
        if changed.is_empty() || self.name != loaded.name || self.description != loaded.description
        {
            return out;
        }
        let was = if loaded.name.is_empty() {
            "an unnamed preset".to_string()
        } else {
            format!("“{}”", loaded.name)
        };
        if loaded.name.is_empty() {
            out.name = "edited preset".into();
        } else if !loaded.name.ends_with("(edited)") {
            out.name = format!("{} (edited)", loaded.name);
        }
        out.description = format!("Edited in the explorer from {was}: {}.", changed.join("; "));
        if !loaded.description.is_empty() {
            out.description +=
                &format!(" The preset's own description was: {}", loaded.description);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRESET: &str = r#"version = 1
name = "Shipped"
description = "Stages 0.1, 0.05"
[problem]
kind = "allen_cahn_1d"
eps = 0.05
[strategy]
kind = "strategy2"
eps_start = 0.1
"#;

    #[test]
    fn an_edited_preset_names_its_changes_and_an_unedited_one_is_left_alone() {
        let loaded = RunConfig::from_toml_str(PRESET).unwrap();
        assert_eq!(loaded.described_against(&loaded), loaded);
        let mut edited = loaded.clone();
        edited.optimizer.lr = 0.5;
        edited.strategy.schedule = crate::config::ScheduleConfig::Linear { delta: 0.01 };
        let changed = changes(&loaded, &edited);
        assert!(
            !changed.iter().any(|c| c.starts_with("name")),
            "{changed:?}"
        );
        assert!(
            changed
                .iter()
                .any(|c| c.starts_with("optimizer.lr: ") && c.ends_with(" → 0.5"))
        );
        assert!(
            changed
                .iter()
                .any(|c| c.starts_with("strategy.schedule.kind: "))
        );
        assert!(
            changed
                .iter()
                .any(|c| c == "strategy.schedule.delta: (none) → 0.01")
        );
        let saved = edited.described_against(&loaded);
        assert_eq!(saved.name, "Shipped (edited)");
        assert!(
            saved
                .description
                .starts_with("Edited in the explorer from “Shipped”: ")
        );
        assert!(saved.description.ends_with("was: Stages 0.1, 0.05"));
        // Saved, reloaded and edited again: one "(edited)".
        assert_eq!(saved.described_against(&saved), saved);
        let mut again = saved.clone();
        again.training.seed = 3;
        assert_eq!(again.described_against(&saved).name, "Shipped (edited)");
        // The user's own words stand.
        let mut named = edited.clone();
        named.name = "Mine".into();
        assert_eq!(named.described_against(&loaded), named);
        // The lecture locks present a run; they are not an edit.
        let mut locked = loaded.clone();
        locked.lecture.locked.push(crate::config::Control::Eps);
        assert!(changes(&loaded, &locked).is_empty());
    }
}
