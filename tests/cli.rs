//! The headless CLI as a user runs it: exit codes, written files, clear messages, determinism.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_homotopy-explorer");

mod common;

/// The preset most tests run: 150 steps, evaluated every 50.
fn short() -> String {
    common::short_ac1(150, 50)
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).arg("--quiet");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("binary runs")
}

/// What a command printed, stdout then stderr.
fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn run_writes_history_solution_and_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let preset = write(tmp.path(), "short.toml", &short());
    let out = tmp.path().join("out");
    let o = run(&["run", &preset, "--out", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = summary(&out);
    assert_eq!(s["steps"], 150);
    assert_eq!(s["end_reason"], "max_steps");
    assert_eq!(s["end_detail"]["kind"], "max_steps");
    assert_eq!(s["problem"], "allen_cahn_1d");
    assert_eq!(s["trainer"], "classical");
    assert!(
        s["method"]
            .as_str()
            .unwrap()
            .starts_with("classical: Adam (lr "),
        "{}",
        s["method"]
    );
    assert_eq!(s["stages"].as_array().map(Vec::len), Some(0));
    assert_eq!(s["exact_solution"], "tanh");
    assert!(s["final_loss"]["total"].as_f64().unwrap().is_finite());
    assert!(s["l2re_reference"].as_f64().unwrap() > 0.0);
    assert!(s["versions"]["burn"].is_string());
    let solution = std::fs::read_to_string(out.join("solution.csv")).unwrap();
    assert!(solution.starts_with("x,u_theta,exact,reference,residual\n"));
    assert_eq!(solution.lines().count(), 1 + 1001);
    let history = std::fs::read_to_string(out.join("history.csv")).unwrap();
    assert!(history.starts_with("step,eps,s,stage,lr,loss,"));
    // Rows every 10 steps plus the last step.
    assert_eq!(history.lines().count(), 1 + 15 + 1);
}

#[test]
fn same_preset_and_seed_give_bit_identical_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let preset = write(tmp.path(), "short.toml", &short());
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for dir in [&a, &b] {
        let o = run(&["run", &preset, "--out", dir.to_str().unwrap()], &[]);
        assert!(o.status.success());
    }
    let (mut sa, mut sb) = (summary(&a), summary(&b));
    for s in [&mut sa, &mut sb] {
        let m = s.as_object_mut().unwrap();
        m.remove("wall_secs");
        m.remove("steps_per_s");
    }
    assert_eq!(sa, sb);
    assert_eq!(
        std::fs::read(a.join("history.csv")).unwrap(),
        std::fs::read(b.join("history.csv")).unwrap()
    );
    // A different seed gives different numbers.
    let c = tmp.path().join("c");
    run(
        &["run", &preset, "--out", c.to_str().unwrap(), "--seed", "4"],
        &[],
    );
    assert_ne!(summary(&c)["final_loss"], sa["final_loss"]);
}

#[test]
fn bad_presets_exit_2_name_the_problem_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (short().replace("eps = 0.1", "eps = -0.1"), "problem.eps"),
        (
            short().replace("allen_cahn_1d", "navier_stokes"),
            "navier_stokes",
        ),
        (format!("{}learning_rate = 1\n", short()), "learning_rate"),
        (
            short().replace("max_steps = 150", "max_steps = \"many\""),
            "training.max_steps",
        ),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        let preset = write(tmp.path(), &format!("bad{i}.toml"), text);
        let out = tmp.path().join(format!("out{i}"));
        let o = run(&["run", &preset, "--out", out.to_str().unwrap()], &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(needle), "message should name {needle}: {err}");
        assert!(err.contains("line"), "message should give the line: {err}");
        assert!(!out.exists(), "nothing is written for a bad preset");
    }
    let o = run(&["run", "does/not/exist.toml"], &[]);
    assert_eq!(o.status.code(), Some(2));
    let preset = write(tmp.path(), "ok.toml", &short());
    let o = run(&["run", &preset, "--steps", "0"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("training.max_steps"));
}

#[test]
fn unavailable_wgpu_exits_3_with_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let preset = write(tmp.path(), "short.toml", &short());
    let out = tmp.path().join("out");
    // Hide every Vulkan driver and every EGL vendor: no adapter can be found.
    let o = run(
        &[
            "run",
            &preset,
            "--out",
            out.to_str().unwrap(),
            "--backend",
            "wgpu",
        ],
        &[
            ("VK_ICD_FILENAMES", "/nonexistent/icd.json"),
            ("VK_DRIVER_FILES", "/nonexistent/icd.json"),
            ("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/egl.json"),
            ("LIBGL_DRIVERS_PATH", "/nonexistent"),
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("wgpu"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(!out.join("summary.json").exists());
}

#[test]
fn help_lists_the_subcommands() {
    let o = Command::new(BIN).arg("--help").output().unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    for sub in ["run", "bench", "reproduce", "restyle"] {
        assert!(text.contains(sub), "{text}");
    }
}

#[test]
fn without_a_display_the_gui_says_so_and_points_to_run() {
    let o = Command::new(BIN)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot open the explorer window") && err.contains("run"),
        "{err}"
    );
}

#[test]
fn unknown_reproduction_is_a_bad_argument() {
    let o = run(&["reproduce", "nope"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("ac1"));
}

#[test]
fn reproduce_rf_writes_its_table_and_gradient_descent_alone_diverges_at_large_steps() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rf");
    let o = run(
        &[
            "reproduce",
            "rf",
            "--seeds",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for f in ["reproduce.md", "reproduce.json", "table.csv", "norm.svg"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("reproduce.json")).unwrap())
            .unwrap();
    let rows = rows.as_array().unwrap();
    let at = |method: &str, eta: f64| {
        rows.iter()
            .find(|r| r["method"] == method && r["step_size"].as_f64() == Some(eta))
            .unwrap_or_else(|| panic!("{method} η = {eta} missing"))
    };
    assert_eq!(at("gd", 10.0)["end"], "diverged");
    for m in ["implicit_gn", "isgd"] {
        let r = at(m, 10.0);
        assert_eq!(r["end"], "max_steps", "{m}");
        let grow = r["norm_max"].as_f64().unwrap() / r["norm_start"].as_f64().unwrap();
        assert!(grow < 2.0, "{m}: ‖θ‖ grew by {grow}");
    }
    let all = run(&["reproduce", "nope"], &[]);
    assert!(String::from_utf8_lossy(&all.stderr).contains("all"));

    // The finished page drawn again as slides, without training: next to it by default.
    assert!(out.join("norm.figure.toml").is_file());
    let before = std::fs::read(out.join("norm.svg")).unwrap();
    let o = Command::new(BIN)
        .args(["restyle", out.to_str().unwrap(), "--figure-style", "slide"])
        .args(["--figure-formats", "png,pdf"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let slides = dir.path().join("rf-slide");
    for f in ["norm.svg", "norm.png", "norm.pdf", "norm.figure.toml"] {
        assert!(slides.join(f).is_file(), "{f} missing");
    }
    assert_ne!(std::fs::read(slides.join("norm.svg")).unwrap(), before);
    assert_eq!(
        std::fs::read(out.join("norm.svg")).unwrap(),
        before,
        "the page's own figure changed"
    );
    // A folder without figure sources, and a bad style, are named.
    let o = Command::new(BIN)
        .args(["restyle", dir.path().join("nowhere").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a folder"));
    let o = Command::new(BIN)
        .args(["restyle", out.to_str().unwrap(), "--figure-style", "poster"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("poster"));
}

#[test]
fn a_sweep_plans_runs_on_two_processes_resumes_and_repeats_with_run() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "short.toml", &short());
    let out = tmp.path().join("sw");
    let manifest = write(
        tmp.path(),
        "m.toml",
        &format!(
            "version = 1\nname = \"tiny\"\npresets = [\"short.toml\"]\nseeds = [0, 1]\nout = \"{}\"\n[[axis]]\nkey = \"problem.eps\"\nvalues = [0.1, 0.05]\n[[axis]]\nkey = \"training.max_steps\"\nvalues = [40]\n",
            out.display()
        ),
    );
    let sweep = |args: &[&str]| {
        Command::new(BIN)
            .arg("sweep")
            .args(args)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .output()
            .unwrap()
    };
    let plan = sweep(&["plan", &manifest]);
    assert!(plan.status.success(), "{}", text(&plan));
    assert!(
        text(&plan).contains("4 tasks")
            && text(&plan).contains("eps = 0.05, max_steps = 40, seed 1")
    );

    // Two processes where the machine has two cores (more would be refused as oversubscribing).
    let jobs = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(2)
        .to_string();
    let o = sweep(&["run", &manifest, "--jobs", &jobs, "--quiet"]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4, "{csv}");
    assert!(csv.starts_with("index,preset,problem.eps,training.max_steps,seed,end_reason,l2re,"));
    let md = std::fs::read_to_string(out.join("sweep.md")).unwrap();
    assert!(md.contains("| short.toml | 0.05 | 40 | 2 |"), "{md}");
    for f in ["l2re_by_eps.svg", "loss_by_eps.png", "manifest.toml"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }

    // A finished task is skipped; its preset.toml repeats it with `run`, to the byte.
    let o = sweep(&["run", &manifest, "--index", "3", "--quiet"]);
    assert!(
        o.status.success() && text(&o).contains("skipped"),
        "{}",
        text(&o)
    );
    let task = out.join("tasks").join("t003");
    let again = tmp.path().join("again");
    let o = run(
        &[
            "run",
            task.join("preset.toml").to_str().unwrap(),
            "--out",
            again.to_str().unwrap(),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", text(&o));
    for f in ["history.csv", "solution.csv"] {
        assert_eq!(
            std::fs::read(task.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f} differs from `run`"
        );
    }

    // An array task reads its index from Slurm's variable; without one it says which it reads.
    let o = Command::new(BIN)
        .args(["sweep", "run", &manifest, "--quiet"])
        .env("SLURM_ARRAY_TASK_ID", "2")
        .output()
        .unwrap();
    assert!(
        o.status.success() && text(&o).contains("task 2"),
        "{}",
        text(&o)
    );
    let o = sweep(&["run", &manifest, "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("SLURM_ARRAY_TASK_ID") && text(&o).contains("JOB_COMPLETION_INDEX"));
    let o = sweep(&["run", &manifest, "--index", "9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("0 to 3"), "{}", text(&o));
    let o = sweep(&["run", &manifest, "--jobs", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--jobs 0"), "{}", text(&o));

    // A smaller manifest over the same folder: its tasks are done, the others left out.
    let smaller = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("values = [0.1, 0.05]", "values = [0.1]");
    std::fs::write(&manifest, smaller).unwrap();
    let o = sweep(&["run", &manifest, "--jobs", &jobs, "--quiet"]);
    assert!(
        o.status.success() && text(&o).contains("0 tasks ran, 2 had finished before"),
        "{}",
        text(&o)
    );
    let md = std::fs::read_to_string(out.join("sweep.md")).unwrap();
    assert!(
        md.contains("2 finished tasks")
            && md.contains("2 finished task folders of an earlier version"),
        "{md}"
    );

    // The Slurm script: one array task per sweep task.
    let o = sweep(&["slurm", &manifest, "--mem", "1G"]);
    assert!(o.status.success(), "{}", text(&o));
    let script = std::fs::read_to_string(out.join("sweep.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=0-1") && script.contains("#SBATCH --mem=1G"));
    assert!(script.contains("sweep run") && text(&o).contains("sbatch"));

    // A bad manifest names the line and the key, and nothing runs.
    let bad = write(
        tmp.path(),
        "bad.toml",
        "version = 1\nname = \"b\"\npresets = [\"short.toml\"]\nseeds = [0]\nseed = 3\n",
    );
    let o = sweep(&["plan", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("line 5") && text(&o).contains("seed"),
        "{}",
        text(&o)
    );
}

#[test]
fn reproduce_pages_are_the_same_with_two_jobs_and_from_cells_run_one_by_one() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let tmp = tempfile::tempdir().unwrap();
    let presets = common::quick_bu_presets(tmp.path());
    let reproduce = |out: &str, extra: &[&str], env: &[(&str, &str)]| {
        let out = tmp.path().join(out);
        let mut a = vec![
            "reproduce",
            "bu",
            "--seeds",
            "1",
            "--presets",
            presets.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        a.extend(extra);
        (run(&a, env), out)
    };
    // The page's tables and figure data: everything but the seconds each run took.
    let page = common::page_without_seconds;
    let ok = |o: &Output| assert!(o.status.success(), "{}", text(o));
    let (o, one) = reproduce("bu1", &["--jobs", "1"], &[]);
    ok(&o);
    let one = page(&one);
    // Classical training at 3 ε and two homotopies through them: 5 runs, 9 rows; and both
    // homotopies again at ε = 0.025 with twice the points (the column below the paper's ε).
    assert_eq!(one.0["rows"].as_array().unwrap().len(), 9, "{}", one.0);
    let below = one.0["below"].as_array().unwrap();
    assert_eq!(below.len(), 2, "{}", one.0);
    for b in below {
        assert_eq!(b["row"]["eps"].as_f64(), Some(0.025), "{b}");
        assert_eq!(b["n_res"].as_u64(), Some(2 * 128), "{b}");
        assert!(b["spectrum"]["lambda_max"].as_f64().unwrap() > 0.0, "{b}");
    }
    let md = std::fs::read_to_string(tmp.path().join("bu1/reproduce.md")).unwrap();
    assert!(
        md.contains("## Below the paper's ε: ε = 0.025 (half of 0.05) with twice the points"),
        "{md}"
    );
    // Each homotopy's path as the papers' evolution figure: six points and the reference, named
    // by ε on the viscosity path and by s on the s-homotopy (s = 0 at its end).
    for (method, point, end) in [
        ("strategy1", "ε = ", "ε = 0.05"),
        ("s_homotopy", "s = ", "s = 0"),
    ] {
        let source = tmp
            .path()
            .join(format!("bu1/evolution_{method}.figure.toml"));
        let text = std::fs::read_to_string(&source).unwrap();
        let label = format!("label = \"{point}");
        assert_eq!(text.matches(label.as_str()).count(), 6, "{text}");
        assert!(text.contains(&format!("reference at {end}\"")), "{text}");
    }
    let (o, two) = reproduce("bu2", &["--jobs", &cores.min(2).to_string()], &[]);
    ok(&o);
    assert_eq!(page(&two), one);

    // The same page as a sweep of its cells: planned, run one at a time (the index given, or
    // from a Kubernetes Indexed Job's variable), then collected.
    let (o, _) = reproduce("split", &["--plan"], &[]);
    ok(&o);
    assert!(
        text(&o).contains("7 cells")
            && text(&o).contains("seed 0, strategy1 through every table ε"),
        "{}",
        text(&o)
    );
    let (o, _) = reproduce("split", &["--collect"], &[]);
    assert!(
        !o.status.success() && text(&o).contains("7 of 7 cells"),
        "{}",
        text(&o)
    );
    for k in 0..7 {
        let k = k.to_string();
        let (o, _) = if k == "6" {
            reproduce("split", &["--index"], &[("JOB_COMPLETION_INDEX", &k)])
        } else {
            reproduce("split", &["--index", &k], &[])
        };
        ok(&o);
    }
    let (o, split) = reproduce("split", &["--collect"], &[]);
    ok(&o);
    assert_eq!(page(&split), one);
    let (o, _) = reproduce("split", &["--index", "7"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("0 to 6"), "{}", text(&o));

    // A second run into a folder with every cell stored reuses them: nothing is trained.
    let (o, again) = reproduce("bu1", &["--jobs", "1"], &[]);
    ok(&o);
    assert!(text(&o).contains("7 of 7 cells are stored"), "{}", text(&o));
    assert_eq!(page(&again), one);

    let o = run(&["reproduce", "bu", "--jobs", "0"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--jobs 0"));
}

/// A small 2D Allen–Cahn s-homotopy whose 900 residual points make four chunks of the fused
/// passes and whose LM stages solve in primal form (more rows than parameters).
const SMALL_AC2: &str = r#"version = 1
name = "threads"
[problem]
kind = "allen_cahn_2d"
eps = 0.05
n_res = 900
n_bc = 120
sampling = "grid"
n_eval = 441
[network]
hidden = [12, 12]
[training]
seed = 1
max_steps = 200
eval_every = 10
[strategy]
kind = "strategy2"
eps_start = 1.05
[strategy.schedule]
kind = "list"
values = [0.95, 0.85]
[strategy.phase1]
adam_steps = 40
lm_iterations = 0
[strategy.stages]
alpha = 0.0
optimizer = "lm"
max_steps = 3
final_max_steps = 3
plateau_patience = 0
phase_condition = true
[outputs]
history_every = 1
"#;

/// The compute pool splits work into pieces that do not depend on the thread count, so one
/// and two threads write the same bytes.
#[test]
fn one_and_two_threads_write_identical_runs() {
    let dir = tempfile::tempdir().unwrap();
    let preset = write(dir.path(), "ac2.toml", SMALL_AC2);
    let mut written = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let o = run(
            &[
                "--threads",
                threads,
                "run",
                &preset,
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        );
        assert!(o.status.success(), "{}", text(&o));
        let history = std::fs::read_to_string(out.join("history.csv")).unwrap();
        assert!(history.lines().count() > 40, "{history}");
        written.push((history, std::fs::read(out.join("solution.csv")).unwrap()));
    }
    assert!(
        written[0] == written[1],
        "history.csv or solution.csv differ between 1 and 2 threads"
    );
}

#[test]
fn a_thread_count_outside_1_to_1024_is_an_argument_error() {
    for bad in ["0", "1025", "two"] {
        let o = run(&["--threads", bad, "run", &short()], &[]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let t = text(&o);
        assert!(
            t.contains("--threads") && t.contains("1 to 1024") || t.contains("between 1 and 1024"),
            "{t}"
        );
    }
}

/// LM stages solved in primal form (the default here: more rows than parameters) and in dual
/// form write the same homotopy path. Not to the last digit: on this tall system the dual
/// matrix JJᵀ (1020 × 1020) has rank at most 325, so its damped factor carries round-off
/// amplified by 1/μ, which is why the shape picks the primal form (3.5·10⁻⁵ relative here; the
/// bound leaves room for another CPU's round-off).
#[test]
fn primal_and_dual_lm_write_the_same_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut losses = Vec::new();
    for form in ["primal", "dual"] {
        let preset = write(
            dir.path(),
            &format!("{form}.toml"),
            &format!("{SMALL_AC2}[lm]\nform = \"{form}\"\n"),
        );
        let out = dir.path().join(form);
        let o = run(&["run", &preset, "--out", out.to_str().unwrap()], &[]);
        assert!(o.status.success(), "{}", text(&o));
        let history = std::fs::read_to_string(out.join("history.csv")).unwrap();
        let mut lines = history.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = header.iter().position(|h| *h == "loss").unwrap();
        let loss: Vec<f64> = lines
            .map(|l| l.split(',').nth(col).unwrap().parse().unwrap())
            .collect();
        losses.push(loss);
    }
    assert_eq!(losses[0].len(), losses[1].len());
    let worst = losses[0]
        .iter()
        .zip(&losses[1])
        .map(|(p, d)| (p - d).abs() / p.abs())
        .fold(0.0, f64::max);
    assert!(
        worst <= 1e-3,
        "primal and dual losses differ by {worst:e} (relative)"
    );
    eprintln!("primal vs dual: largest relative loss difference {worst:e}");
}
