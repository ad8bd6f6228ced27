//! Turning schema descriptions into rustdoc that renders well and never
//! becomes a doctest, a broken link or a clippy complaint.

use super::schema::{ALL, REVISIONS};

/// `/// ...` lines for a description (plus an optional revisions note).
pub(crate) fn doc_lines(out: &mut String, text: &str) {
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            out.push_str("/// ");
            out.push_str(line);
            out.push('\n');
        }
    }
}

/// The documentation of an item: the sanitised description (or `fallback`),
/// then "Revisions: ..." when the item is not in every revision.
pub(crate) fn item_doc(description: Option<&str>, fallback: &str, revisions: u8) -> String {
    let mut text = match description {
        Some(d) if !d.trim().is_empty() => sanitize(d),
        _ => fallback.to_owned(),
    };
    if let Some(note) = revisions_note(revisions) {
        text.push_str("\n\n");
        text.push_str(&note);
    }
    text
}

/// "Revisions: 2025-06-18 onwards", or `None` for every revision.
pub(crate) fn revisions_note(mask: u8) -> Option<String> {
    let mask = mask & ALL;
    if mask == ALL || mask == 0 {
        return None;
    }
    let idx: Vec<usize> = (0..REVISIONS.len())
        .filter(|i| mask & (1 << i) != 0)
        .collect();
    let (first, last) = (idx[0], idx[idx.len() - 1]);
    let contiguous = last - first + 1 == idx.len();
    let text = if idx.len() == 1 {
        format!("{} only", REVISIONS[first])
    } else if contiguous && last == REVISIONS.len() - 1 {
        format!("{} onwards", REVISIONS[first])
    } else if contiguous {
        format!("{} to {}", REVISIONS[first], REVISIONS[last])
    } else {
        idx.iter()
            .map(|i| REVISIONS[*i])
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(format!("Revisions: {text}."))
}

/// Makes a schema description safe for rustdoc: `{@link X}` becomes `` `X` ``,
/// spec-relative links become absolute, bare URLs are wrapped in `<>`, stray
/// brackets are escaped outside code spans, code fences are marked `text`,
/// deep indentation (an indented code block) is flattened, and list item
/// continuation lines are indented.
pub(crate) fn sanitize(text: &str) -> String {
    let text = replace_links(text).replace(
        "](/specification/",
        "](https://modelcontextprotocol.io/specification/",
    );
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut in_item = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            out.push(if in_fence && trimmed == "```" {
                "```text".to_owned()
            } else {
                trimmed.to_owned()
            });
            continue;
        }
        if in_fence {
            out.push(line.to_owned());
            continue;
        }
        let indent = (line.len() - trimmed.len()).min(2);
        let is_item = trimmed.starts_with("- ")
            || trimmed.starts_with("* ")
            || trimmed
                .split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        let mut line = format!("{}{}", " ".repeat(indent), escape_inline(trimmed));
        if trimmed.is_empty() {
            in_item = false;
        } else if is_item {
            in_item = true;
        } else if in_item && indent == 0 {
            line = format!("  {line}");
        }
        out.push(line);
    }
    if in_fence {
        out.push("```".to_owned());
    }
    out.join("\n").trim().to_owned()
}

/// `{@link X}` → `` `X` `` for names, the inner text otherwise.
fn replace_links(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{@link") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "{@link".len()..];
        match after.find('}') {
            Some(end) => {
                out.push_str(&link_text(after[..end].trim()));
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of one `{@link ...}`. The schema's generator glued a link's
/// target and label together (`CallToolRequesttools/call`,
/// ``MetaObject`_meta` key naming rules``); the label is what reads well.
fn link_text(inner: &str) -> String {
    let inner = inner
        .split_once('|')
        .map_or(inner, |(_, label)| label.trim());
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '_';
    if !inner.is_empty() && inner.chars().all(ident) {
        return format!("`{inner}`");
    }
    for suffix in ["Request", "Notification"] {
        if let Some(pos) = inner.find(suffix) {
            let (target, label) = inner.split_at(pos + suffix.len());
            if target.starts_with(|c: char| c.is_ascii_uppercase())
                && label.starts_with(|c: char| c.is_ascii_lowercase())
            {
                return format!("`{label}`");
            }
        }
    }
    match inner.find('`') {
        Some(pos) if pos > 0 && inner[..pos].chars().all(ident) => inner[pos..].to_owned(),
        _ => inner.to_owned(),
    }
}

/// Escapes `[`, `]`, `<`, `>` that are not part of a Markdown link and not in
/// a code span, and wraps bare URLs in `<>`.
fn escape_inline(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut in_code = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            i += 1;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                // A Markdown link `[text](url)` stays as it is.
                let close = chars[i..].iter().position(|&c| c == ']').map(|p| p + i);
                match close {
                    Some(j) if chars.get(j + 1) == Some(&'(') => {
                        let end = chars[j..]
                            .iter()
                            .position(|&c| c == ')')
                            .map_or(chars.len() - 1, |p| p + j);
                        out.extend(&chars[i..=end]);
                        i = end + 1;
                        continue;
                    }
                    _ => out.push_str("\\["),
                }
            }
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            'h' if starts_with(&chars[i..], "https://") || starts_with(&chars[i..], "http://") => {
                let end = chars[i..]
                    .iter()
                    .position(|c| c.is_whitespace() || matches!(c, ')' | '>' | '"' | '\''))
                    .map_or(chars.len(), |p| p + i);
                let mut url: String = chars[i..end].iter().collect();
                let mut tail = String::new();
                while url.ends_with(['.', ',', ';', ':']) {
                    tail.insert(0, url.pop().unwrap_or('.'));
                }
                out.push('<');
                out.push_str(&url);
                out.push('>');
                out.push_str(&tail);
                i = end;
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn starts_with(chars: &[char], prefix: &str) -> bool {
    prefix
        .chars()
        .enumerate()
        .all(|(k, p)| chars.get(k) == Some(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_descriptions() {
        assert_eq!(
            sanitize("Use {@link TitledSingleSelectEnumSchema} instead."),
            "Use `TitledSingleSelectEnumSchema` instead."
        );
        assert_eq!(
            sanitize("a {@link CallToolRequesttools/call} request"),
            "a `tools/call` request"
        );
        assert_eq!(
            sanitize("the {@link MetaObject`_meta` key naming rules}"),
            "the `_meta` key naming rules"
        );
        assert_eq!(
            sanitize(
                "See [General fields: `_meta`](/specification/2025-06-18/basic/index#meta) for notes."
            ),
            "See [General fields: `_meta`](https://modelcontextprotocol.io/specification/2025-06-18/basic/index#meta) for notes."
        );
        assert_eq!(
            sanitize("as in https://www.jsonrpc.org/specification#batch."),
            "as in <https://www.jsonrpc.org/specification#batch>."
        );
        assert_eq!(sanitize("a [b] `[c]` <d>"), "a \\[b\\] `[c]` &lt;d&gt;");
        assert_eq!(sanitize("- one\ntwo\n\nthree"), "- one\n  two\n\nthree");
        assert_eq!(sanitize("```\nfn x() {}\n```"), "```text\nfn x() {}\n```");
        assert_eq!(
            revisions_note(0b11100).as_deref(),
            Some("Revisions: 2025-06-18 onwards.")
        );
        assert_eq!(
            revisions_note(0b01000).as_deref(),
            Some("Revisions: 2025-11-25 only.")
        );
        assert_eq!(
            revisions_note(0b01111).as_deref(),
            Some("Revisions: 2024-11-05 to 2025-11-25.")
        );
        assert_eq!(revisions_note(ALL), None);
    }
}
