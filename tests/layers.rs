//! The layering ARCHITECTURE.md draws, checked on the source: every top-level module of the
//! library imports only from modules on a lower layer (test code aside), so no two modules
//! import each other, directly or round a loop. A new top-level module must be given a layer
//! here, which is the moment to decide where it sits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules from the bottom up; a module may import only from modules listed before it.
const LAYERS: &[&str] = &[
    "pool",
    "net",
    "linalg",
    "problem",
    "config",
    "diagnostics",
    "backend",
    "presets",
    "train",
    "export",
    "lab",
    "worker",
    "reproduce",
    "sweep",
    "app",
    "ui",
    "bench",
    "cli",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`src/train/session.rs` → `train`).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The top-level modules a file's non-test code names as `crate::X`.
fn imports(text: &str) -> Vec<String> {
    // Test modules may reach anywhere (a unit test builds what it needs); they close the file.
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let mut found = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.push(name);
        }
    }
    found
}

#[test]
fn every_module_imports_only_from_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let mut violations = Vec::new();
    let mut seen_modules = std::collections::BTreeSet::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        seen_modules.insert(module.clone());
        let Some(&own) = rank.get(module.as_str()) else {
            violations.push(format!(
                "{}: module `{module}` has no layer in tests/layers.rs",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("readable source file");
        for target in imports(&text) {
            if target == module {
                continue;
            }
            match rank.get(target.as_str()) {
                Some(&r) if r < own => {}
                Some(_) => violations.push(format!(
                    "{}: `{module}` imports `crate::{target}`, which is not on a lower layer",
                    file.display()
                )),
                None => violations.push(format!(
                    "{}: `crate::{target}` is not a known module",
                    file.display()
                )),
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layering broken:\n{}",
        violations.join("\n")
    );
    for m in LAYERS {
        assert!(
            seen_modules.contains(*m),
            "tests/layers.rs lists `{m}`, which has no source file"
        );
    }
}

#[test]
fn the_import_reader_finds_crate_paths_and_skips_test_code() {
    let text = "use crate::train::Session;\n#[cfg(test)]\nfn helper() {}\nfn f() { crate::net::x(); }\n#[cfg(test)]\nmod tests { use crate::ui::y; }\n";
    assert_eq!(imports(text), vec!["train".to_string(), "net".to_string()]);
}
