//! Test fixtures: every kind of figure the project draws and the styles it is drawn in, for
//! the layout and rendering tests (and `HX_FIGURE_DUMP=<folder>` to look at them).

use super::style::{FigureStyle, Theme};
use super::{Band, Figure, Heatmap, Mark};

/// Every kind of figure the project draws, in miniature and at its worst: long titles,
/// many series, log axes over one or many decades, reversed ε axes, heat maps, bands and
/// labelled marker lines.
pub fn gallery() -> Vec<Figure> {
    let x: Vec<f64> = (0..200).map(|i| -1.0 + 2.0 * i as f64 / 199.0).collect();
    let front = |e: f64| {
        x.iter()
            .map(|&x| (x, (x / (e * 2f64.sqrt())).tanh()))
            .collect()
    };
    let mut solutions = Figure::new("u_θ at ε = 0.01 (seed 0)", "x", "u")
        .with_series("Strategy 1", front(0.012), Mark::Line)
        .with_series("Strategy 2", front(0.011), Mark::Line)
        .with_series("classical", front(0.05), Mark::Line);
    solutions.series.push(super::Series {
        label: "tanh (exact)".into(),
        points: front(0.01),
        mark: Mark::Reference,
        color: (0, 0, 0),
    });
    let eps = [0.1, 0.09, 0.05, 0.02, 0.01];
    let l2re = Figure::new("Table 1: median L2RE vs ε", "ε", "L2RE vs tanh")
        .log_x()
        .log_y()
        .with_series(
            "Strategy 1",
            eps.iter().map(|&e| (e, 3e-4 * e)).collect(),
            Mark::LineAndPoints,
        )
        .with_series(
            "Strategy 2",
            eps.iter().map(|&e| (e, 2e-2 * e)).collect(),
            Mark::LineAndPoints,
        )
        .with_series(
            "classical",
            eps.iter().map(|&e| (e, 0.4 - e)).collect(),
            Mark::LineAndPoints,
        );
    let mut loss = Figure::new("Loss and L2RE", "step", "value").log_y();
    loss = loss
        .with_series(
            "loss",
            (1..3000)
                .map(|i| (i as f64, 1.0 / (i as f64).powi(2)))
                .collect(),
            Mark::Line,
        )
        .with_series(
            "L2RE vs reference",
            (1..3000)
                .step_by(50)
                .map(|i| (i as f64, 0.5 / i as f64))
                .collect(),
            Mark::LineAndPoints,
        );
    for k in 0..40 {
        loss.vlines.push((
            100.0 + 70.0 * k as f64,
            format!("stage {k}: ε = {:.4}", 0.1 - k as f64 * 0.002),
        ));
    }
    let mut path = Figure::new("Loss and L2RE at the end of each stage", "ε", "value")
        .log_x()
        .log_y()
        .with_series(
            "stage loss",
            (0..50)
                .map(|k| (0.1 * 0.95f64.powi(k), 1e-6 * 1.1f64.powi(k)))
                .collect(),
            Mark::LineAndPoints,
        );
    path.x_reversed = true;
    let mut spectrum = Figure::new("Spectrum of K_ε", "index i", "λ_i")
        .log_y()
        .with_series(
            "λ_i",
            (0..60)
                .map(|i| (i as f64, 10f64.powf(3.0 - 0.3 * i as f64)))
                .collect(),
            Mark::Points,
        );
    spectrum.hlines.push((1e-13, "round-off floor".into()));
    spectrum.hlines.push((2e-13, "cutoff rcond 1e-8".into()));
    let mut bands = Figure::new("λ_max(D_ε) vs ε", "ε", "λ_max").log_x().log_y();
    bands.bands.push(Band {
        label: "min … max over seeds".into(),
        x: eps.to_vec(),
        lower: eps.iter().map(|e| 1.0 / e).collect(),
        upper: eps.iter().map(|e| 3.0 / e).collect(),
        color: (31, 119, 180),
    });
    bands = bands.with_series(
        "ours",
        eps.iter().map(|&e| (e, 2.0 / e)).collect(),
        Mark::LineAndPoints,
    );
    bands.vlines.push((0.02, "ε = 0.0200".into()));
    let grid = crate::problem::Grid2d {
        nx: 24,
        ny: 24,
        x: (-1.0, 1.0),
        y: (-1.0, 1.0),
    };
    let heat = Heatmap::figure(
        "Solution u_θ(x, y) at ε = 0.0500",
        "u_θ",
        grid,
        (0..576)
            .map(|k| ((k % 24) as f64 * 0.3).sin() * 0.98)
            .collect(),
    );
    let flat = Figure::new("Residual H(u_θ(x_i), ε)", "x", "H").with_series(
        "residual at the points of the run, a label far longer than a narrow panel is wide",
        x.iter().map(|&x| (x, 1e-7 * x)).collect(),
        Mark::Points,
    );
    let empty = Figure::new("λ(K_ε) over training", "step", "eigenvalue").log_y();
    let mut many = Figure::new(
        "A figure with a title long enough that it has to wrap onto a second line somewhere",
        "step",
        "‖θ‖",
    );
    for k in 0..9 {
        many = many.with_series(
            &format!("pin {k} L2RE (Strategy 1, 230 stages)"),
            (0..30).map(|i| (i as f64, (i * k) as f64)).collect(),
            Mark::Line,
        );
    }
    // One ε: a dot per seed on a row per method (named rows instead of a y axis).
    let mut by_method = Figure::new("L2RE at ε = 1/10 (a dot per seed)", "L2RE", "").log_x();
    let methods = [
        "Adam",
        "Adam, rate 0.5",
        "ISGD",
        "homotopy",
        "time-sequential",
    ];
    for (k, m) in methods.iter().enumerate() {
        by_method.y_categories.push(m.to_string());
        let row = (methods.len() - 1 - k) as f64;
        by_method = by_method.with_series(
            m,
            (0..3)
                .map(|s| (10f64.powi(-(k as i32)) * (1.0 + 0.3 * s as f64), row))
                .collect(),
            Mark::Points,
        );
    }
    by_method.hide_legend = true;
    vec![
        solutions, l2re, loss, path, spectrum, bands, heat, flat, empty, many, by_method,
    ]
}

pub fn styles() -> Vec<FigureStyle> {
    let mut small = FigureStyle::paper();
    small.width_in = 2.0;
    small.height_in = 1.6;
    vec![FigureStyle::paper(), FigureStyle::slide(Theme::Dark), small]
}
