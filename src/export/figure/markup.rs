//! Subscripts in figure text: `_` followed by letters or digits (Greek included) sets them as a
//! subscript — λ_max, D_ε, u_θ, x_i — and `_{…}` sets everything up to the closing brace
//! (K_{ε,0}). An underscore followed by anything else is printed as it is, and `\_` is a literal
//! underscore (names such as `phase_condition`: [`literal`] escapes a text). [`spans`] splits a
//! text, the layout measures it with the subscripts at [`SUB_SCALE`], and [`svg_subscripts`]
//! turns the SVG writer's plain `<text>` contents into `<tspan>`s.

/// A subscript's size relative to the text around it.
pub const SUB_SCALE: f64 = 0.7;

/// The runs of `text`: (content, is it a subscript).
pub fn spans(text: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut push = |s: &str, sub: bool| {
        if s.is_empty() {
            return;
        }
        match out.last_mut() {
            Some((t, was)) if *was == sub => t.push_str(s),
            _ => out.push((s.to_string(), sub)),
        }
    };
    let mut rest = text;
    while let Some(i) = rest.find('_') {
        if rest[..i].ends_with('\\') {
            // `\_`: the underscore itself.
            push(&rest[..i - 1], false);
            push("_", false);
            rest = &rest[i + 1..];
            continue;
        }
        push(&rest[..i], false);
        let after = &rest[i + 1..];
        if let Some(inner) = after.strip_prefix('{')
            && let Some(end) = inner.find('}')
        {
            push(&inner[..end], true);
            rest = &inner[end + 1..];
            continue;
        }
        let word = after
            .char_indices()
            .find(|(_, c)| !c.is_alphanumeric())
            .map_or(after.len(), |(k, _)| k);
        if word == 0 {
            push("_", false);
        } else {
            push(&after[..word], true);
        }
        rest = &after[word..];
    }
    push(rest, false);
    out
}

/// `text` with every underscore kept as one (no subscripts): for names from data, such as a
/// preset key `strategy.euler.phase_condition`.
pub fn literal(text: &str) -> String {
    text.replace('_', "\\_")
}

/// The text as it reads, without the markup (λmax for λ_max).
pub fn plain(text: &str) -> String {
    spans(text).into_iter().map(|(s, _)| s).collect()
}

/// Every `<text …>content</text>` of an SVG whose content has a subscript, with the subscript
/// in a smaller, lowered `<tspan>` (content as the SVG writer escaped it: the markup characters
/// `_`, `{`, `}` and letters are never escaped).
pub fn svg_subscripts(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let Some(open_end) = rest[start..].find('>').map(|k| start + k + 1) else {
            break;
        };
        let Some(close) = rest[open_end..].find("</text>").map(|k| open_end + k) else {
            break;
        };
        out.push_str(&rest[..open_end]);
        for (s, sub) in spans(&rest[open_end..close]) {
            if sub {
                out.push_str(&format!(
                    "<tspan font-size=\"{}%\" baseline-shift=\"sub\">{s}</tspan>",
                    (SUB_SCALE * 100.0).round()
                ));
            } else {
                out.push_str(&s);
            }
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscripts_run_over_a_word_or_a_braced_group() {
        let s = |t: &str| spans(t);
        assert_eq!(
            s("λ_max(D_ε)"),
            [
                ("λ".into(), false),
                ("max".into(), true),
                ("(D".into(), false),
                ("ε".into(), true),
                (")".into(), false)
            ]
        );
        assert_eq!(s("K_{ε,0} = 1")[1], ("ε,0".to_string(), true));
        assert_eq!(s("a _ b_"), [("a _ b_".to_string(), false)]);
        assert_eq!(plain("u_θ − u*"), "uθ − u*");
        assert_eq!(s("plain"), [("plain".to_string(), false)]);
        assert_eq!(
            s(&literal("phase_condition = u_θ")),
            [("phase_condition = u_θ".to_string(), false)]
        );
    }

    #[test]
    fn svg_text_gets_tspans_and_nothing_else_changes() {
        let svg = "<svg><text x=\"1\" dy=\"0.76em\">u_θ &lt; 1</text><rect id=\"a_b\"/><text>x</text></svg>";
        let out = svg_subscripts(svg);
        assert_eq!(
            out,
            "<svg><text x=\"1\" dy=\"0.76em\">u<tspan font-size=\"70%\" baseline-shift=\"sub\">θ</tspan> &lt; 1</text><rect id=\"a_b\"/><text>x</text></svg>"
        );
    }
}
