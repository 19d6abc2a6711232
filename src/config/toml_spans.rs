//! Locating keys in preset text: the line of a byte offset and of a dotted key, and the key
//! under a parser error's span, so every config error can name both.

use std::ops::Range;

use super::ConfigError;

/// 1-based line of a byte offset.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Attach the line of the key a validation error names.
pub(super) fn locate(err: ConfigError, text: &str) -> ConfigError {
    match err {
        ConfigError::Invalid {
            key: Some(key),
            line: None,
            message,
        } => {
            let line = span_of_key(text, &key).map(|s| line_of(text, s.start));
            ConfigError::Invalid {
                key: Some(key),
                line,
                message,
            }
        }
        other => other,
    }
}

/// Span of the value at a dotted key path, or of its deepest present ancestor.
fn span_of_key(text: &str, key: &str) -> Option<Range<usize>> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut span = None;
    for part in key.split('.') {
        let (k, v) = table.get_key_value(part)?;
        span = Some(k.span());
        match v.get_ref().as_table() {
            Some(t) => table = t,
            None => break,
        }
    }
    span
}

/// The dotted key whose key or value contains `span` (for serde errors).
pub(super) fn key_at_span(text: &str, span: Range<usize>) -> Option<String> {
    fn walk(table: &toml::de::DeTable<'_>, span: &Range<usize>, prefix: &str) -> Option<String> {
        for (k, v) in table {
            let path = if prefix.is_empty() {
                k.get_ref().to_string()
            } else {
                format!("{prefix}.{}", k.get_ref())
            };
            if let Some(t) = v.get_ref().as_table()
                && let Some(found) = walk(t, span, &path)
            {
                return Some(found);
            }
            let (ks, vs) = (k.span(), v.span());
            let hit =
                |s: &Range<usize>| s.start <= span.start && span.end <= s.end.max(s.start + 1);
            if hit(&ks) || hit(&vs) {
                return Some(path);
            }
        }
        None
    }
    let root = toml::de::DeTable::parse(text).ok()?;
    walk(root.get_ref(), &span, "")
}
