//! The method × ε table shared by the 1D reproductions (hf, bu, cd, pm): every method's preset is
//! run for each seed — a classical preset afresh at each table ε, a homotopy preset once with its
//! schedule passing through the table ε — and loss, L2RE, front and end reason are tabulated
//! beside the paper's numbers, with CSV, JSON and SVG figures. A spec may add the largest
//! eigenvalue of D_ε along ε (paper Fig. 4/15) and of the Gauss–Newton Hessian JᵀJ at each table
//! ε along one method (the ISGD paper's stiffness measure).

use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;

use super::{ReproduceOptions, fmt_stat, median_spread, with_waypoints};
use crate::backend::{self, ComputeDevice};
use crate::config::RunConfig;
use crate::diagnostics::evaluate;
use crate::diagnostics::operator::{geometric_eps, lambda_max_sweep};
use crate::export::figure::{Figure, FigureOutput, Heatmap, Mark, Series, palette};
use crate::export::{columns_csv, write_atomic};
use crate::linalg::{gram, lambda_max_power};
use crate::problem::{Problem, plot_coordinates};
use crate::train::{EndReason, Session};

/// One method of a table: a shipped preset.
#[derive(Clone, Copy, Debug)]
pub struct Method {
    pub name: &'static str,
    pub file: &'static str,
    pub builtin: &'static str,
}

/// A number the paper reports for (method, ε).
#[derive(Clone, Copy, Debug)]
pub struct PaperValue {
    /// The paper's method this is compared with (one of the spec's method names).
    pub method: &'static str,
    pub eps: f64,
    pub loss: Option<f64>,
    pub l2re: Option<f64>,
}

/// A method × ε reproduction: what it runs and prints, and what `--full` changes.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub id: &'static str,
    pub title: &'static str,
    /// Markdown paragraph: setup, what the paper's numbers measure, deviations.
    pub intro: &'static str,
    pub methods: &'static [Method],
    /// ε values of the table, largest first.
    pub table_eps: &'static [f64],
    pub paper: &'static [PaperValue],
    /// λ(D_ε) along ε from `.0` down to `.1` (problems with a D_ε).
    pub operator_sweep: Option<(f64, f64)>,
    /// λ_max(JᵀJ) at each table ε along this (homotopy) method.
    pub stiffness_along: Option<&'static str>,
    /// Print ε as 1/k (the paper's style for frequencies).
    pub fractions: bool,
    /// What `--full` changes ([`super::full`]).
    pub full_note: &'static str,
    /// The papers' sizes applied to one method's preset under `--full`.
    pub scale_full: fn(&mut RunConfig),
}

impl Spec {
    /// A table with no operator sweep, no stiffness column, ε printed as decimals and nothing
    /// changed by `--full`: the start the specs change with `..`.
    pub const BASE: Spec = Spec {
        id: "",
        title: "",
        intro: "",
        methods: &[],
        table_eps: &[],
        paper: &[],
        operator_sweep: None,
        stiffness_along: None,
        fractions: false,
        full_note: "",
        scale_full: |_| {},
    };
}

impl super::Reproduction for Spec {
    fn id(&self) -> &'static str {
        self.id
    }

    fn full_note(&self) -> &'static str {
        self.full_note
    }

    fn scale_full(&self, config: &mut RunConfig) {
        (self.scale_full)(config)
    }

    /// Run the table and give each method's median L2RE at the smallest ε.
    fn run(&self, opts: &ReproduceOptions) -> Result<Vec<String>> {
        let report = run(self, opts)?;
        let smallest = self.table_eps[self.table_eps.len() - 1];
        Ok(self
            .methods
            .iter()
            .map(|m| {
                let v = report.l2re_of(m.name, smallest);
                format!(
                    "{}: median L2RE at ε = {} = {}",
                    m.name,
                    fmt_eps(smallest, self.fractions),
                    fmt_stat(&v)
                )
            })
            .collect())
    }
}

/// One table entry.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub method: String,
    pub eps: f64,
    pub seed: u64,
    /// L_H + λL_bc = ½ mean H² + λ ½ mean (u − g)² at the recorded parameters.
    pub loss: f64,
    pub l2re: Option<f64>,
    /// What the L2RE is measured against.
    pub against: String,
    pub front_x0: Option<f64>,
    /// How the run ended (for a homotopy row: how the whole run ended).
    pub end: String,
    pub steps: usize,
    pub seconds: f64,
}

/// One λ_max(JᵀJ) entry.
#[derive(Clone, Debug, Serialize)]
pub struct StiffnessRow {
    pub eps: f64,
    pub seed: u64,
    pub lambda_max_gn: f64,
}

/// Everything a sweep measured.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub id: String,
    pub rows: Vec<Row>,
    pub operator: Vec<(f64, f64)>,
    pub stiffness: Vec<StiffnessRow>,
    pub seconds: f64,
}

impl Report {
    /// The L2RE of every seed of `method` at `eps` that has one.
    pub fn l2re_of(&self, method: &str, eps: f64) -> Vec<f64> {
        self.rows
            .iter()
            .filter(|r| r.method == method && r.eps == eps)
            .filter_map(|r| r.l2re)
            .collect()
    }
}

fn measure(
    method: &str,
    seed: u64,
    eps: f64,
    session: &Session,
    theta: &[f64],
    started: &Instant,
) -> Result<Row> {
    let parts = session.objective().loss(theta, eps)?;
    let eval = evaluate(
        session.problem().as_ref(),
        session.objective().shape(),
        theta,
        eps,
    );
    let (l2re, against) = match (eval.l2re_exact, eval.l2re_reference) {
        (Some(e), _) => (Some(e), "exact"),
        (None, Some(r)) => (Some(r), "reference"),
        (None, None) => (None, "—"),
    };
    Ok(Row {
        method: method.into(),
        eps,
        seed,
        loss: parts.residual + session.objective().bc_weight() * parts.boundary,
        l2re,
        against: against.into(),
        front_x0: eval.front_x0,
        end: session
            .end_reason()
            .map_or("running".into(), |e| end_text(&e)),
        steps: session.state().step,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn end_text(e: &EndReason) -> String {
    match e {
        EndReason::Diverged { step } => format!("diverged at step {step} (rolled back)"),
        other => other.name().to_string(),
    }
}

/// λ_max(JᵀJ) of the weighted least-squares system at θ (= λ_max(JJᵀ)).
fn gauss_newton_lambda_max(session: &Session, theta: &[f64], eps: f64) -> Result<f64> {
    let lin = session.objective().linearize(theta, eps)?;
    let (a, _) = lin.weighted_system();
    Ok(lambda_max_power(&gram(&a), 100))
}

/// u_θ at the evaluation points.
fn values(session: &Session, theta: &[f64], eps: f64) -> Vec<f64> {
    evaluate(
        session.problem().as_ref(),
        session.objective().shape(),
        theta,
        eps,
    )
    .u
}

/// Solution curve (x, u) of θ at ε.
pub(crate) fn curve(session: &Session, theta: &[f64], eps: f64) -> Vec<(f64, f64)> {
    let problem = session.problem().as_ref();
    plot_coordinates(problem, problem.eval_points())
        .into_iter()
        .zip(values(session, theta, eps))
        .collect()
}

/// Run a homotopy preset through the table ε; rows at each table ε it passes, θ there.
#[allow(clippy::type_complexity)]
fn run_homotopy(
    spec: &Spec,
    method: &str,
    mut config: RunConfig,
    seed: u64,
    device: &ComputeDevice,
) -> Result<(Vec<Row>, Vec<(f64, Vec<f64>)>, Session)> {
    let started = Instant::now();
    config.training.seed = seed;
    with_waypoints(&mut config, spec.table_eps);
    config.validate().context("schedule with table waypoints")?;
    let mut session = Session::new(config, device);
    let mut rows = Vec::new();
    let mut thetas = Vec::new();
    let start = session.state().eps;
    while let Some(p) = session.step()? {
        for stage in &p.stages {
            if spec.table_eps.contains(&stage.eps) && !rows.iter().any(|r: &Row| r.eps == stage.eps)
            {
                let theta = session.state().theta.clone();
                rows.push(measure(
                    method, seed, stage.eps, &session, &theta, &started,
                )?);
                thetas.push((stage.eps, theta));
            }
        }
        if p.end.is_some() {
            break;
        }
    }
    // Table ε the run did not reach (cap, divergence) are reported where it stopped; the end
    // column says why.
    let theta = session.state().theta.clone();
    for &eps in spec.table_eps {
        if let Some(r) = rows.iter_mut().find(|r| r.eps == eps) {
            r.end = session
                .end_reason()
                .map_or("running".into(), |e| end_text(&e));
        } else if eps <= start {
            let mut r = measure(method, seed, eps, &session, &theta, &started)?;
            r.end = format!("{} before ε = {eps}", r.end);
            rows.push(r);
        }
    }
    rows.sort_by(|a, b| b.eps.total_cmp(&a.eps));
    Ok((rows, thetas, session))
}

/// What one independent run of a page contributes.
struct CellOut {
    rows: Vec<Row>,
    stiffness: Vec<StiffnessRow>,
    /// u_θ at the smallest ε (seed 0 only), for the solution figures.
    solution: Option<(String, Vec<f64>)>,
}

/// One run of a page: a homotopy through every table ε (`eps` None), or classical training at
/// one ε.
fn run_cell(
    spec: &Spec,
    name: &str,
    config: &RunConfig,
    seed: u64,
    eps: Option<f64>,
    smallest: f64,
    say: &(impl Fn(String) + Sync),
) -> Result<CellOut> {
    let device = backend::cpu().context("CPU device")?;
    let mut out = CellOut {
        rows: Vec::new(),
        stiffness: Vec::new(),
        solution: None,
    };
    match eps {
        None => {
            let (rows, thetas, session) = run_homotopy(spec, name, config.clone(), seed, &device)?;
            for r in &rows {
                say(format!(
                    "[{} seed {seed}] {name} ε = {}: loss {:.3e}, L2RE {}, {}",
                    spec.id,
                    r.eps,
                    r.loss,
                    r.l2re.map_or("—".into(), |v| format!("{v:.3e}")),
                    r.end
                ));
            }
            if spec.stiffness_along == Some(name) {
                for (eps, theta) in &thetas {
                    out.stiffness.push(StiffnessRow {
                        eps: *eps,
                        seed,
                        lambda_max_gn: gauss_newton_lambda_max(&session, theta, *eps)?,
                    });
                }
            }
            if seed == 0 {
                out.solution = Some((
                    name.to_string(),
                    values(&session, &session.state().theta, session.state().eps),
                ));
            }
            out.rows = rows;
        }
        Some(eps) => {
            let started = Instant::now();
            let mut c = config.clone();
            c.problem.eps = eps;
            c.training.seed = seed;
            let mut session = Session::new(c, &device);
            let never = std::sync::atomic::AtomicBool::new(false);
            session.run(&never, |_| {})?;
            let theta = session.state().theta.clone();
            let r = measure(name, seed, eps, &session, &theta, &started)?;
            say(format!(
                "[{} seed {seed}] {name} ε = {eps}: loss {:.3e}, L2RE {}, {}, {:.1} s",
                spec.id,
                r.loss,
                r.l2re.map_or("—".into(), |v| format!("{v:.3e}")),
                r.end,
                r.seconds
            ));
            if seed == 0 && eps == smallest {
                out.solution = Some((name.to_string(), values(&session, &theta, eps)));
            }
            out.rows.push(r);
        }
    }
    Ok(out)
}

/// Run the reproduction described by `spec`.
pub fn run(spec: &Spec, opts: &ReproduceOptions) -> Result<Report> {
    let all_started = Instant::now();
    std::fs::create_dir_all(&opts.out_dir)
        .with_context(|| format!("cannot create {}", opts.out_dir.display()))?;
    let mut configs = Vec::new();
    let mut sources = Vec::new();
    for m in spec.methods {
        let (config, from) = opts.preset(spec.id, m.name, m.file, m.builtin)?;
        configs.push((m.name, config));
        sources.push(format!("`{}`: {from}", m.name));
    }
    // On a terminal: a bar over the page's runs with the overall ETA, each run's line printed
    // above it as it finishes; elsewhere (a log) the lines alone.
    let on_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let bar = if opts.verbose && on_terminal {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} runs of the page, ETA {eta}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    let say = |line: String| match (opts.verbose, on_terminal) {
        (true, true) => bar.println(line),
        (true, false) => eprintln!("{line}"),
        (false, _) => {}
    };
    let mut report = Report {
        id: spec.id.into(),
        rows: Vec::new(),
        operator: Vec::new(),
        stiffness: Vec::new(),
        seconds: 0.0,
    };
    let smallest = *spec
        .table_eps
        .last()
        .context("a reproduction needs at least one ε")?;
    // The independent runs, in the order their rows are reported: by seed, then method, then
    // (classical training) ε.
    let mut cells = Vec::new();
    for seed in 0..opts.seeds {
        for (k, (_, config)) in configs.iter().enumerate() {
            if config.strategy.kind.is_homotopy() {
                cells.push((seed, k, None));
            } else {
                cells.extend(spec.table_eps.iter().map(|&e| (seed, k, Some(e))));
            }
        }
    }
    bar.set_length(cells.len() as u64);
    let outs = super::run_cells(&cells, opts.jobs, |&(seed, k, eps)| {
        let (name, config) = &configs[k];
        let out = run_cell(spec, name, config, seed, eps, smallest, &say);
        bar.inc(1);
        out
    })?;
    bar.finish_and_clear();
    let mut solutions: Vec<(String, Vec<f64>)> = Vec::new();
    for out in outs {
        report.rows.extend(out.rows);
        report.stiffness.extend(out.stiffness);
        solutions.extend(out.solution);
    }
    // The first preset's problem (every method of a spec shares the problem) for the operator
    // sweep and the figures.
    let problem = configs[0].1.build_problem();
    if let Some((hi, lo)) = spec.operator_sweep {
        report.operator = lambda_max_sweep(problem.as_ref(), &geometric_eps(hi, lo, 25))
            .into_iter()
            .filter_map(|(e, v)| v.map(|v| (e, v)))
            .collect();
    }
    report.seconds = all_started.elapsed().as_secs_f64();
    write_outputs(spec, opts, &report, &solutions, &sources, problem.as_ref())?;
    Ok(report)
}

fn write_outputs(
    spec: &Spec,
    opts: &ReproduceOptions,
    report: &Report,
    solutions: &[(String, Vec<f64>)],
    sources: &[String],
    problem: &dyn Problem,
) -> Result<()> {
    let out = &opts.out_dir;
    let mut md = format!(
        "# Reproduction `{}`: {}\n\n{}\n\n{}",
        spec.id,
        spec.title,
        spec.intro,
        super::Reproduction::scale_line(spec, opts.full)
    );
    md.push_str(&format!(
        "Seeds 0–{} (median [min, max] over seeds). Loss = ½·mean H² + λ·½·mean (u − g)² at the recorded parameters. Presets: {}.\n\n",
        opts.seeds.saturating_sub(1),
        sources.join("; ")
    ));
    md.push_str(&results_table(spec, report));
    md.push_str(&stiffness_section(spec, report));
    md.push_str(&operator_section(report, problem, out, &opts.figures)?);
    md.push_str(&timing_section(spec, report, problem));
    write_atomic(&out.join("reproduce.md"), md.as_bytes())?;
    super::write_json_and_table(out, report, &report.rows)?;
    let l2re = l2re_figure(spec, report);
    opts.figures.write_one(&l2re, out, l2re_stem(spec))?;
    let solution = solution_figures(spec, problem, solutions, out, &opts.figures)?;
    // The page's summary figure: the solutions beside the L2RE along ε; the solutions' legend
    // names the methods for both when it lists them all (same colours and dashes).
    let named: Vec<&str> = solution
        .iter()
        .flat_map(|f| f.series.iter().map(|s| s.label.as_str()))
        .collect();
    let mut l2re_panel = l2re.clone();
    if l2re
        .series
        .iter()
        .all(|s| named.contains(&s.label.as_str()))
    {
        l2re_panel.hide_legend = true;
    }
    let mut panels: Vec<&Figure> = solution.iter().collect();
    panels.push(&l2re_panel);
    // Fields need room for their colour bars: at most three a row; curves two rows at most.
    let cols = if problem.eval_grid().is_some() {
        panels.len().min(3)
    } else if panels.len() > 3 {
        panels.len().div_ceil(2)
    } else {
        panels.len()
    };
    opts.figures.write(&panels, cols, out, "panels")
}

/// The page's main table: per method and table ε, the paper's and our loss and L2RE, what the
/// L2RE is against, the front and how the runs ended.
fn results_table(spec: &Spec, report: &Report) -> String {
    let mut md = String::from(
        "| method | ε | paper loss | ours loss | paper L2RE | ours L2RE | against | ours front x₀ | how runs ended |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for m in spec.methods {
        for &eps in spec.table_eps {
            let rows: Vec<&Row> = report
                .rows
                .iter()
                .filter(|r| r.method == m.name && r.eps == eps)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let paper = spec
                .paper
                .iter()
                .find(|p| p.method == m.name && (p.eps - eps).abs() < 1e-12);
            let col = |f: &dyn Fn(&Row) -> Option<f64>| {
                fmt_stat(&rows.iter().filter_map(|r| f(r)).collect::<Vec<_>>())
            };
            let mut ends: Vec<String> = rows.iter().map(|r| r.end.clone()).collect();
            ends.dedup();
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                m.name,
                fmt_eps(eps, spec.fractions),
                paper
                    .and_then(|p| p.loss)
                    .map_or("—".into(), |v| format!("{v:.2e}")),
                col(&|r| Some(r.loss)),
                paper
                    .and_then(|p| p.l2re)
                    .map_or("—".into(), |v| format!("{v:.2e}")),
                col(&|r| r.l2re),
                rows[0].against,
                {
                    let x: Vec<f64> = rows.iter().filter_map(|r| r.front_x0).collect();
                    let (med, _, _) = median_spread(&x);
                    if med.is_nan() {
                        "—".to_string()
                    } else {
                        format!("{med:.4}")
                    }
                },
                ends.join("; "),
            ));
        }
    }
    md
}

/// λ_max(JᵀJ) at each table ε along the spec's stiffness method (empty when not measured).
fn stiffness_section(spec: &Spec, report: &Report) -> String {
    let mut md = String::new();
    if !report.stiffness.is_empty() {
        md.push_str(&format!(
            "\n## Stiffness: λ_max(JᵀJ) of the Gauss–Newton Hessian along `{}`\n\n| ε | λ_max(JᵀJ) |\n|---|---|\n",
            spec.stiffness_along.unwrap_or("")
        ));
        for &eps in spec.table_eps {
            let v: Vec<f64> = report
                .stiffness
                .iter()
                .filter(|r| r.eps == eps)
                .map(|r| r.lambda_max_gn)
                .collect();
            if !v.is_empty() {
                md.push_str(&format!(
                    "| {} | {} |\n",
                    fmt_eps(eps, spec.fractions),
                    fmt_stat(&v)
                ));
            }
        }
    }
    md
}

/// λ(D_ε) along ε as a table, with `operator.csv` and `operator.svg` written beside the page
/// (empty when not measured).
fn operator_section(
    report: &Report,
    problem: &dyn Problem,
    out: &std::path::Path,
    figures: &FigureOutput,
) -> Result<String> {
    let mut md = String::new();
    if !report.operator.is_empty() {
        let closed_form = problem.exact_at(problem.residual_points(), 1.0).is_some();
        md.push_str(&format!(
            "\n## λ(D_ε) along ε ({} solution on the residual grid)\n\nSymmetric D_ε: its largest eigenvalue; non-symmetric D_ε: its largest |λ|.\n\n| ε | λ(D_ε) |\n|---|---|\n",
            if closed_form { "exact" } else { "reference" }
        ));
        for (e, v) in &report.operator {
            md.push_str(&format!("| {e:.4} | {v:.4e} |\n"));
        }
        let (eps, lam): (Vec<f64>, Vec<f64>) = report.operator.iter().copied().unzip();
        write_atomic(
            &out.join("operator.csv"),
            &columns_csv(&[("eps", &eps), ("lambda_d", &lam)])?,
        )?;
        let fig = Figure::new("λ(D_ε) vs ε", "ε", "λ(D_ε)")
            .log_x()
            .log_y()
            .with_series("ours", report.operator.clone(), Mark::LineAndPoints);
        // One curve: the axes say what it is.
        let fig = Figure {
            hide_legend: true,
            ..fig
        };
        figures.write_one(&fig, out, "operator")?;
    }
    Ok(md)
}

/// Seconds per run and for the whole reproduction, and which figures the page has.
fn timing_section(spec: &Spec, report: &Report, problem: &dyn Problem) -> String {
    let mut md = String::new();
    md.push_str(
        "\n## Time per run\n\n| method | ε | seed | steps | seconds |\n|---|---|---|---|---|\n",
    );
    for r in &report.rows {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {:.1} |\n",
            r.method,
            fmt_eps(r.eps, spec.fractions),
            r.seed,
            r.steps,
            r.seconds
        ));
    }
    md.push_str(&format!(
        "\nWhole reproduction: {:.0} s. Homotopy rows share one run per seed; their seconds are the time since that run started. Figures: `panels.svg` (the solutions beside the L2RE, as one figure), `{}.svg`, {}{}.\n",
        report.seconds,
        l2re_stem(spec),
        if problem.eval_grid().is_some() {
            "`solution_truth.svg` and per method `solution_<method>.svg`, `error_<method>.svg` (heat maps, seed 0)"
        } else {
            "`solutions.svg`"
        },
        if report.operator.is_empty() { "" } else { ", `operator.svg`" }
    ));
    md
}

/// The L2RE figure's file name: against ε, or by method on a page with one ε.
fn l2re_stem(spec: &Spec) -> &'static str {
    if spec.table_eps.len() == 1 {
        "l2re_by_method"
    } else {
        "l2re_vs_eps"
    }
}

/// Median L2RE against ε, one curve per method; with one ε, a dot per seed on a row per method
/// (a curve "vs ε" would be a single point).
fn l2re_figure(spec: &Spec, report: &Report) -> Figure {
    if let [eps] = spec.table_eps {
        let mut fig = Figure::new(
            &format!(
                "L2RE at ε = {} (a dot per seed)",
                fmt_eps(*eps, spec.fractions)
            ),
            "L2RE",
            "",
        )
        .log_x();
        let n = spec.methods.len();
        for (k, m) in spec.methods.iter().enumerate() {
            fig.y_categories.push(super::method_label(m.name));
            let row = (n - 1 - k) as f64;
            fig.series.push(Series {
                label: super::method_label(m.name),
                points: report
                    .l2re_of(m.name, *eps)
                    .into_iter()
                    .filter(|v| v.is_finite() && *v > 0.0)
                    .map(|v| (v, row))
                    .collect(),
                mark: Mark::Points,
                color: method_color(spec, m.name),
            });
        }
        // The rows name the methods.
        fig.hide_legend = true;
        return fig;
    }
    let mut fig = Figure::new("Median L2RE vs ε", "ε", "L2RE").log_x().log_y();
    for m in spec.methods {
        let pts: Vec<(f64, f64)> = spec
            .table_eps
            .iter()
            .filter_map(|&e| {
                let med = median_spread(&report.l2re_of(m.name, e)).0;
                (med.is_finite() && med > 0.0).then_some((e, med))
            })
            .collect();
        if !pts.is_empty() {
            fig.series.push(Series {
                label: super::method_label(m.name),
                points: pts,
                mark: Mark::LineAndPoints,
                color: method_color(spec, m.name),
            });
        }
    }
    fig
}

/// A method's colour on every figure of its page (its place in the spec, not in a figure).
fn method_color(spec: &Spec, name: &str) -> (u8, u8, u8) {
    palette(
        spec.methods
            .iter()
            .position(|m| m.name == name)
            .unwrap_or(0),
    )
}

/// u_θ of each method (seed 0) at the smallest ε with the truth: curves in 1D and along s, heat
/// maps of u_θ and its error in the plane. Returns the solution figures for the page's panels
/// (the curves, or the truth and each method's u_θ).
fn solution_figures(
    spec: &Spec,
    problem: &dyn Problem,
    solutions: &[(String, Vec<f64>)],
    out: &std::path::Path,
    figures: &FigureOutput,
) -> Result<Vec<Figure>> {
    let smallest = spec.table_eps[spec.table_eps.len() - 1];
    let at = fmt_eps(smallest, spec.fractions);
    let truth = problem
        .exact(smallest)
        .or_else(|| problem.reference(smallest));
    if let Some(grid) = problem.eval_grid() {
        // Fields in the plane: one heat map per method, the truth, and each method's error.
        let map = |title: String, label: &str, values: Vec<f64>| {
            Heatmap::figure(&title, label, grid, values)
        };
        // u_θ on the truth's colour scale, so the panels compare (errors keep their own).
        let truth_scale = truth.as_ref().map(|t| {
            map(String::new(), "", t.values.clone())
                .heatmap
                .map_or(1.0, |h| h.scale())
        });
        let mut shown = Vec::new();
        if let Some(t) = &truth {
            let fig = map(format!("{} at ε = {at}", t.label), "u*", t.values.clone());
            figures.write_one(&fig, out, "solution_truth")?;
            shown.push(fig);
        }
        for (name, u) in solutions {
            let mut fig = map(
                format!("{}: u_θ at ε = {at} (seed 0)", super::method_label(name)),
                "u_θ",
                u.clone(),
            );
            if let Some(h) = fig.heatmap.as_mut() {
                h.fixed_scale = truth_scale;
            }
            figures.write_one(&fig, out, &format!("solution_{name}"))?;
            shown.push(fig);
            if let Some(t) = &truth {
                let err = u.iter().zip(&t.values).map(|(a, b)| a - b).collect();
                let fig = map(
                    format!(
                        "{}: u_θ − {} at ε = {at} (seed 0)",
                        super::method_label(name),
                        bracketed(&t.label)
                    ),
                    "u_θ − u*",
                    err,
                );
                figures.write_one(&fig, out, &format!("error_{name}"))?;
            }
        }
        return Ok(shown);
    }
    let x = plot_coordinates(problem, problem.eval_points());
    let mut fig = Figure::new(
        &format!("u_θ at ε = {at} (seed 0)"),
        problem.plot_label(),
        "u",
    );
    // Points in the order of the plot coordinate, so lines run left to right. Where that
    // coordinate is a projection of several dimensions (Helmholtz along s), u_θ is not a
    // function of it: dots, not a line.
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let along = |v: &[f64]| -> Vec<(f64, f64)> { order.iter().map(|&i| (x[i], v[i])).collect() };
    let mark = if problem.dim() > 1 {
        Mark::Points
    } else {
        Mark::Line
    };
    for (name, u) in solutions {
        fig.series.push(Series {
            label: super::method_label(name),
            points: along(u),
            mark,
            color: method_color(spec, name),
        });
    }
    if let Some(t) = truth {
        // The truth last: dashed, on top of the curves it is compared with.
        fig.series.push(Series {
            label: t.label,
            points: along(&t.values),
            mark: Mark::Reference,
            color: (0, 0, 0),
        });
    }
    figures.write_one(&fig, out, "solutions")?;
    Ok(vec![fig])
}

/// A formula as the right operand of a minus: in parentheses when it is a sum.
fn bracketed(label: &str) -> String {
    if label.contains(" + ") || label.contains(" − ") || label.contains(" - ") {
        format!("({label})")
    } else {
        label.to_string()
    }
}

/// ε as 1/k when `fractions` and 1/ε is a whole number above 2, else decimal.
pub fn fmt_eps(eps: f64, fractions: bool) -> String {
    let k = 1.0 / eps;
    if fractions && k > 2.5 && (k - k.round()).abs() < 1e-9 {
        format!("1/{}", k.round())
    } else {
        format!("{eps}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eps_prints_like_the_paper() {
        assert_eq!(fmt_eps(1.0 / 50.0, true), "1/50");
        assert_eq!(fmt_eps(0.05, false), "0.05");
        assert_eq!(fmt_eps(0.5, true), "0.5");
        assert_eq!(fmt_eps(2.0, true), "2");
        assert_eq!(fmt_eps(0.07, true), "0.07");
    }
}
