//! Axis ticks and their labels, as pure numbers and strings: "nice" linear steps (1, 2, 2.5, 5
//! × 10ⁿ), log axes labelled at decades with unlabelled minor ticks at 2…9, and spans under a
//! decade on a log axis labelled like a linear one. Labels never read "-0", use a true minus
//! sign, and switch to a×10ⁿ outside 10⁻³…10⁴. Which candidate set an axis uses is chosen by
//! the layout, which measures the labels ([`candidates`] runs from dense to sparse).

/// One tick: where it sits, whether it carries a label (minor ticks do not) and the label.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: Option<String>,
}

/// Candidate tick sets for the range [lo, hi] (lo < hi; positive on a log axis), densest first.
/// The layout takes the first whose labels do not overlap.
pub fn candidates(lo: f64, hi: f64, log: bool) -> Vec<Vec<Tick>> {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if log && lo > 0.0 {
        let (d0, d1) = (lo.log10().ceil() as i32, hi.log10().floor() as i32);
        let mut out = Vec::new();
        if d1 - d0 <= 1 {
            // At most two decades inside: 1…9, 1-2-5, 1-3 or 1 × 10ⁿ labelled.
            for mults in [&[1, 2, 3, 4, 5, 6, 7, 8, 9][..], &[1, 2, 5], &[1, 3], &[1]] {
                let set = log_nice(lo, hi, mults);
                if set.iter().filter(|t| t.label.is_some()).count() >= 2 {
                    out.push(set);
                }
            }
        }
        if d1 > d0 {
            // Label every k-th decade.
            out.extend(
                [1, 2, 3, 5, 10, 20]
                    .iter()
                    .filter(|&&k| k == 1 || (d1 - d0) / k >= 1)
                    .map(|&k| log_decades(lo, hi, d0, d1, k)),
            );
        }
        // Last resort (a span well under a decade): nice linear values placed on the log scale.
        out.extend(
            linear_candidates(lo, hi)
                .into_iter()
                .filter(|t| t.len() >= 2 && t.iter().all(|t| t.value > 0.0)),
        );
        return out;
    }
    linear_candidates(lo, hi)
}

/// Decades d0..=d1 labelled every `stride`-th (anchored so 10⁰ is labelled when in range),
/// minor ticks at 2…9 × 10ⁿ when the decades are few enough to show them.
fn log_decades(lo: f64, hi: f64, d0: i32, d1: i32, stride: i32) -> Vec<Tick> {
    let mut ticks = Vec::new();
    let minors = (d1 - d0) <= 8;
    for d in (d0 - 1)..=d1 {
        let v = 10f64.powi(d);
        if d >= d0 && d.rem_euclid(stride) == 0 {
            // Every decade as 10ⁿ (10⁰, 10¹ too), so one axis never mixes "10" and 10⁻³.
            ticks.push(Tick {
                value: v,
                label: Some(format!("10{}", superscript(d))),
            });
        } else if d >= d0 {
            ticks.push(Tick {
                value: v,
                label: None,
            });
        }
        if minors {
            for m in 2..10 {
                let w = m as f64 * v;
                if w >= lo && w <= hi {
                    ticks.push(Tick {
                        value: w,
                        label: None,
                    });
                }
            }
        }
    }
    ticks.sort_by(|a, b| a.value.total_cmp(&b.value));
    ticks
}

/// m × 10ⁿ inside [lo, hi] for every m in 1…9, labelled where m is in `labelled`.
fn log_nice(lo: f64, hi: f64, labelled: &[i32]) -> Vec<Tick> {
    let (d0, d1) = (lo.log10().floor() as i32, hi.log10().floor() as i32);
    // One notation for the whole axis: a×10ⁿ when any value needs it.
    let scientific = d0 < -3 || d1 >= 4;
    let mut ticks = Vec::new();
    for d in d0..=d1 {
        let unit = 10f64.powi(d);
        for m in 1..10 {
            let v = m as f64 * unit;
            if v >= lo * (1.0 - 1e-12) && v <= hi * (1.0 + 1e-12) {
                let label = match (m, scientific) {
                    (1, true) => format!("10{}", superscript(d)),
                    (m, true) => format!("{m}×10{}", superscript(d)),
                    (_, false) => format_value(v, unit),
                };
                ticks.push(Tick {
                    value: v,
                    label: labelled.contains(&m).then_some(label),
                });
            }
        }
    }
    ticks
}

/// Linear ticks at steps from fine to coarse (each a nice number), all labelled.
fn linear_candidates(lo: f64, hi: f64) -> Vec<Vec<Tick>> {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || !span.is_finite() {
        return vec![vec![Tick {
            value: lo,
            label: Some(format_value(lo, 1.0)),
        }]];
    }
    // Steps from span/12 up to the whole span.
    let base = 10f64.powf((span / 12.0).log10().floor());
    let mut out = Vec::new();
    for scale in [1.0, 10.0, 100.0] {
        for m in [1.0, 2.0, 2.5, 5.0] {
            let step = base * m * scale;
            if step < span / 12.0 {
                continue;
            }
            let ticks = linear_ticks(lo, hi, step);
            if ticks.is_empty() {
                break;
            }
            out.push(ticks);
            if ticks_len(out.last()) <= 2 {
                return out;
            }
        }
    }
    out
}

fn ticks_len(t: Option<&Vec<Tick>>) -> usize {
    t.map_or(0, Vec::len)
}

/// Multiples of `step` in [lo, hi], labelled with as many decimals as the step needs and one
/// notation for the whole axis: a×10ⁿ for every label when any needs it (never "5000" beside
/// "1.0×10⁴"), and zero with the others' decimals ("0.0" beside "0.5").
pub fn linear_ticks(lo: f64, hi: f64, step: f64) -> Vec<Tick> {
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let values: Vec<f64> = (first..=last).map(|k| k as f64 * step).collect();
    let scientific = values
        .iter()
        .any(|&v| v != 0.0 && v.abs() >= step * 1e-6 && !(1e-3..1e4).contains(&v.abs()));
    values
        .into_iter()
        .map(|v| Tick {
            value: v,
            label: Some(format_in(v, step, scientific)),
        })
        .collect()
}

/// 10ⁿ with a superscript exponent (10⁰ is "1", 10¹ is "10").
pub fn power_of_ten(n: i32) -> String {
    match n {
        0 => "1".into(),
        1 => "10".into(),
        n => format!("10{}", superscript(n)),
    }
}

fn superscript(n: i32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

/// A tick value on an axis whose ticks are `step` apart: plain decimals with the digits the
/// step needs inside 10⁻³ ≤ |v| < 10⁴, else a×10ⁿ; zero is "0", negatives use "−".
pub fn format_value(v: f64, step: f64) -> String {
    if v == 0.0 || (step > 0.0 && v.abs() < step * 1e-6) {
        return "0".into();
    }
    format_in(v, step, !(1e-3..1e4).contains(&v.abs()))
}

/// `v` in plain decimals or (when `scientific`) as a×10ⁿ; zero is "0" in scientific notation
/// and has the step's decimals in plain ("0.0").
fn format_in(v: f64, step: f64, scientific: bool) -> String {
    if v == 0.0 || (step > 0.0 && v.abs() < step * 1e-6) {
        return if scientific {
            "0".into()
        } else {
            format!("{:.*}", decimals_for(step), 0.0)
        };
    }
    let text = if !scientific {
        let decimals = decimals_for(step);
        format!("{:.*}", decimals, v.abs())
    } else {
        let e = v.abs().log10().floor() as i32;
        let m = v.abs() / 10f64.powi(e);
        // The mantissa with the digits the step needs at this exponent.
        let decimals = decimals_for(step / 10f64.powi(e)).min(3);
        let mantissa = format!("{m:.decimals$}");
        let exact = mantissa.parse::<f64>().unwrap_or(f64::NAN);
        if exact == 1.0 {
            power_of_ten(e)
        } else if exact == 10.0 {
            power_of_ten(e + 1)
        } else {
            format!("{mantissa}×{}", power_of_ten(e))
        }
    };
    if v < 0.0 { format!("−{text}") } else { text }
}

/// Decimals that print every multiple of `step` exactly (at most 12).
fn decimals_for(step: f64) -> usize {
    if step.is_nan() || step <= 0.0 || !step.is_finite() {
        return 3;
    }
    (0..12)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(12)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(t: &[Tick]) -> Vec<&str> {
        t.iter().filter_map(|t| t.label.as_deref()).collect()
    }

    #[test]
    fn linear_labels_have_no_negative_zero_and_just_enough_digits() {
        let c = candidates(-1.05, 1.05, false);
        for set in &c {
            for l in labels(set) {
                assert!(!l.starts_with("-0") && l != "−0", "{l}");
            }
        }
        let ticks = linear_ticks(-1.0, 1.0, 0.5);
        assert_eq!(labels(&ticks), ["−1.0", "−0.5", "0.0", "0.5", "1.0"]);
        assert_eq!(
            labels(&linear_ticks(0.0, 4.0, 1.0)),
            ["0", "1", "2", "3", "4"]
        );
        // One notation per axis: 5000 is not printed beside 1.0×10⁴.
        assert_eq!(
            labels(&linear_ticks(0.0, 15000.0, 5000.0)),
            ["0", "5×10³", "10⁴", "1.5×10⁴"]
        );
        assert_eq!(labels(&linear_ticks(0.0, 1.0, 0.25))[1], "0.25");
        assert_eq!(format_value(2e-5, 1e-5), "2×10⁻⁵");
        assert_eq!(format_value(-3e5, 1e5), "−3×10⁵");
        assert_eq!(format_value(1e5, 1e5), "10⁵");
    }

    #[test]
    fn candidates_run_from_dense_to_sparse() {
        let c = candidates(0.0, 10.0, false);
        assert!(c.len() >= 3);
        for w in c.windows(2) {
            assert!(w[0].len() >= w[1].len());
        }
        assert!(c.iter().all(|set| set.len() >= 2));
    }

    #[test]
    fn log_axes_label_decades_only() {
        let c = candidates(3e-7, 2e-1, true);
        let first = &c[0];
        assert_eq!(
            labels(first),
            ["10⁻⁶", "10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹"]
        );
        // Decades on both sides of 1 share one notation.
        assert_eq!(
            labels(&candidates(0.02, 300.0, true)[0]),
            ["10⁻¹", "10⁰", "10¹", "10²"]
        );
        // So do 1-2-5 labels across 10⁴.
        let wide = candidates(1100.0, 60000.0, true);
        assert!(
            labels(&wide[0]).contains(&"5×10³"),
            "{:?}",
            labels(&wide[0])
        );
        assert!(!labels(&wide[0]).contains(&"5000"));
        // Minor ticks are present and unlabelled.
        assert!(first.iter().any(|t| t.label.is_none() && t.value > 1e-3));
        // A sparser candidate labels every other decade.
        assert!(c.iter().any(|s| labels(s).len() == 3));
    }

    #[test]
    fn a_log_span_under_a_decade_gets_readable_values() {
        // The l2re_vs_eps case: ε from 0.009 to 0.11 crosses one decade only.
        for (lo, hi) in [(0.0087, 0.113), (0.09, 0.1)] {
            let c = candidates(lo, hi, true);
            assert!(!c.is_empty());
            for set in &c {
                assert!(set.iter().all(|t| t.value >= lo && t.value <= hi));
                assert!(labels(set).len() >= 2, "{lo}..{hi}: {set:?}");
            }
        }
    }
}
