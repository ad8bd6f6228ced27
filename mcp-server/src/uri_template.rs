//! RFC 6570 URI Templates: parsing, expansion and matching of concrete URIs.
//!
//! Levels 1–3 (operators none, `+`, `#`, `.`, `/`, `;`, `?`, `&`; several variables per
//! expression) plus the level-4 `:n` prefix and `*` explode modifiers as they apply to string
//! values. MCP resource templates such as `greeting://{name}` or `file:///{+path}` use
//! [`UriTemplate::matches`] to recognise requested URIs and [`UriTemplate::expand`] to build them.
//!
//! ```text
//! let t = UriTemplate::parse("test://template/{id}/data")?;
//! assert_eq!(t.matches("test://template/123/data"), Some(vec![("id".into(), "123".into())]));
//! assert_eq!(t.expand(&[("id", "a b")]), "test://template/a%20b/data");
//! ```
//!
//! # Matching rules
//!
//! * Literals match exactly, as written or in their expanded (pct-encoded) form.
//! * `{x}` matches one or more unreserved, pct-encoded, sub-delim, `:`, `@` or non-ASCII
//!   characters (never `/ ? #`); `{x,y}` matches `X,Y`. `{+x}` and `{#x}` may also span
//!   `/ ? # [ ]`.
//! * `{.x,y}` matches `.X.Y`, `{/x,y}` `/X/Y` (segments may be empty). A whole `#`, `.` or
//!   `/` expression may be absent, leaving its variables unset.
//! * `{;x,y}` matches `;x=1;y`, `{?x,y}` `?x=1&y=2`, `{&x}` `&x=1`: keys in any order, each
//!   optional, no `=` meaning an empty value; an unknown or repeated key fails the match.
//!   Values run to the next `;` (for `;`) or `&`/`#` (for `?`, `&`).
//! * Splits are leftmost-shortest with full backtracking (`{a}-{b}` splits `x-y-z` into `x`,
//!   `y-z`; `files/{+path}/meta` works), computed by a dynamic program in
//!   O(template steps × URI length); URIs over [`UriTemplate::MAX_URI_LEN`] bytes never match
//!   and templates have at most [`UriTemplate::MAX_VARIABLES`] variables, so hostile input
//!   stays cheap.
//! * Values are pct-decoded and must be UTF-8 (else no match); `+` stays `+`. A repeated
//!   variable must have one value. `:n` caps a value at `n` characters; `*` is a no-op.

use std::fmt;

/// What is wrong with a template rejected by [`UriTemplate::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UriTemplateErrorKind {
    /// A `{` without a matching `}` (or with another `{` before it).
    UnclosedBrace,
    /// A `}` outside any expression.
    UnmatchedClosingBrace,
    /// An expression with nothing inside: `{}`.
    EmptyExpression,
    /// An operator RFC 6570 does not define or reserves (`=`, `,`, `!`, `@`, `|`, ...).
    UnknownOperator(char),
    /// An empty variable name, as in `{x,}` or `{+}`.
    EmptyVariableName,
    /// A character not allowed in a variable name (ALPHA, DIGIT, `_`, pct-encoded, and
    /// single dots between them).
    InvalidVariableName(char),
    /// A modifier other than `*` or `:n` with `n` in 1..=9999.
    InvalidModifier,
    /// More than [`UriTemplate::MAX_VARIABLES`] variables.
    TooManyVariables,
}

/// Error returned by [`UriTemplate::parse`]: a problem and the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplateError {
    position: usize,
    kind: UriTemplateErrorKind,
}

impl UriTemplateError {
    /// Byte offset in the template at which the problem was detected.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The kind of problem.
    pub fn kind(&self) -> UriTemplateErrorKind {
        self.kind
    }
}

impl fmt::Display for UriTemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use UriTemplateErrorKind as K;
        write!(f, "invalid URI template at byte {}: ", self.position)?;
        match self.kind {
            K::UnclosedBrace => f.write_str("unclosed `{`"),
            K::UnmatchedClosingBrace => f.write_str("`}` without `{`"),
            K::EmptyExpression => f.write_str("empty expression `{}`"),
            K::UnknownOperator(c) => write!(f, "unknown operator `{c}`"),
            K::EmptyVariableName => f.write_str("empty variable name"),
            K::InvalidVariableName(c) => write!(f, "invalid character `{c}` in variable name"),
            K::InvalidModifier => f.write_str("invalid modifier (expected `*` or `:1`..`:9999`)"),
            K::TooManyVariables => write!(f, "more than {} variables", UriTemplate::MAX_VARIABLES),
        }
    }
}

impl std::error::Error for UriTemplateError {}

/// RFC 6570 appendix A for an operator byte (0 = none):
/// (first, sep, named, ifemp, allow reserved).
type OpSpec = (&'static str, &'static str, bool, &'static str, bool);

fn op_spec(op: u8) -> OpSpec {
    match op {
        b'+' => ("", ",", false, "", true),
        b'#' => ("#", ",", false, "", true),
        b'.' => (".", ".", false, "", false),
        b'/' => ("/", "/", false, "", false),
        b';' => (";", ";", true, "", false),
        b'?' => ("?", "&", true, "=", false),
        b'&' => ("&", "&", true, "=", false),
        _ => ("", ",", false, "", false),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct VarSpec {
    name: usize,
    prefix: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Literal text as written and in expanded (RFC 6570 §3.1) form.
    Lit(String, String),
    /// Operator byte and variables.
    Expr(u8, Vec<VarSpec>),
}

// Character classes of matched text (indices into `Units::runs`).
const SIMPLE: usize = 0;
const RESERVED: usize = 1;
const PARAM_KEY: usize = 2;
const PARAM_VALUE: usize = 3;
const QUERY_KEY: usize = 4;
const QUERY_VALUE: usize = 5;

fn class_allows(class: usize, b: u8) -> bool {
    let pchar = is_unreserved(b) || b"!$&'()*+,;=:@".contains(&b);
    let query = (pchar || b == b'/' || b == b'?') && b != b'&';
    match class {
        SIMPLE => pchar,
        RESERVED => pchar || b"/?#[]".contains(&b),
        PARAM_KEY => pchar && b != b';' && b != b'=',
        PARAM_VALUE => pchar && b != b';',
        QUERY_KEY => query && b != b'=',
        _ => query,
    }
}

/// One step of the matcher, compiled from the template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    /// Literal text, and its expanded form when that differs.
    Lit(String, Option<String>),
    /// A positional variable: (variable, class, min units, max units).
    Cap(usize, usize, usize, Option<usize>),
    /// Start of an optional group; the index is the step just after the group.
    Opt(usize),
    /// A whole `;`, `?` or `&` expression.
    Named(u8, Vec<usize>),
}

/// A parsed RFC 6570 URI template.
///
/// ```text
/// let t = UriTemplate::parse("api://items{?page,limit}")?;
/// assert_eq!(t.variables().collect::<Vec<_>>(), ["page", "limit"]);
/// assert_eq!(t.expand(&[("limit", "10")]), "api://items?limit=10");
/// assert_eq!(t.matches("api://items?limit=10&page=2").unwrap(),
///            [("page".to_string(), "2".to_string()), ("limit".into(), "10".into())]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    source: String,
    names: Vec<String>,
    parts: Vec<Part>,
    toks: Vec<Tok>,
}

impl fmt::Display for UriTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

fn err<T>(position: usize, kind: UriTemplateErrorKind) -> Result<T, UriTemplateError> {
    Err(UriTemplateError { position, kind })
}

impl UriTemplate {
    /// Longest URI, in bytes, that [`UriTemplate::matches`] examines; longer URIs never match.
    pub const MAX_URI_LEN: usize = 8 * 1024;
    /// Most variable occurrences a template may contain.
    pub const MAX_VARIABLES: usize = 32;

    /// Parses a template, rejecting unbalanced braces, empty or malformed variable names,
    /// unknown operators, malformed modifiers and more than [`UriTemplate::MAX_VARIABLES`]
    /// variables.
    ///
    /// Literal text is accepted as written (stray `}` excepted).
    pub fn parse(template: &str) -> Result<UriTemplate, UriTemplateError> {
        let bytes = template.as_bytes();
        let (mut names, mut parts, mut count) = (Vec::new(), Vec::new(), 0);
        let (mut i, mut lit_start) = (0, 0);
        while i < bytes.len() {
            match bytes[i] {
                b'}' => return err(i, UriTemplateErrorKind::UnmatchedClosingBrace),
                b'{' => {
                    push_lit(&mut parts, &template[lit_start..i]);
                    let close = match template[i + 1..].find(['{', '}']) {
                        Some(k) if bytes[i + 1 + k] == b'}' => i + 1 + k,
                        _ => return err(i, UriTemplateErrorKind::UnclosedBrace),
                    };
                    parts.push(parse_expr(template, i, close, &mut names, &mut count)?);
                    i = close + 1;
                    lit_start = i;
                }
                _ => i += 1,
            }
        }
        push_lit(&mut parts, &template[lit_start..]);
        let toks = compile(&parts);
        Ok(UriTemplate {
            source: template.to_owned(),
            names,
            parts,
            toks,
        })
    }

    /// The template text as given to [`UriTemplate::parse`].
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Each distinct variable name once, in order of first appearance.
    pub fn variables(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter().map(String::as_str)
    }

    /// True when the template has no expressions (it matches only itself).
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Lit(..)))
    }

    /// Expands the template (RFC 6570 §3). Variables missing from `vars` are undefined
    /// and skipped; the first pair for a name wins. Values are percent-encoded: everything
    /// but unreserved characters, except that `+` and `#` also keep reserved characters
    /// and existing pct-encoded triplets.
    pub fn expand(&self, vars: &[(&str, &str)]) -> String {
        let mut out = String::new();
        for part in &self.parts {
            let (op, specs) = match part {
                Part::Lit(_, enc) => {
                    out.push_str(enc);
                    continue;
                }
                Part::Expr(op, vars) => (op_spec(*op), vars),
            };
            let (first_str, sep, named, ifemp, reserved) = op;
            let mut first = true;
            for spec in specs {
                let name = self.names[spec.name].as_str();
                let Some(&(_, value)) = vars.iter().find(|(k, _)| *k == name) else {
                    continue;
                };
                out.push_str(if first { first_str } else { sep });
                first = false;
                let value = match spec.prefix.and_then(|n| value.char_indices().nth(n)) {
                    Some((cut, _)) => &value[..cut],
                    None => value,
                };
                if named {
                    out.push_str(name);
                    if value.is_empty() {
                        out.push_str(ifemp);
                        continue;
                    }
                    out.push('=');
                }
                encode_into(&mut out, value, reserved);
            }
        }
        out
    }

    /// Matches a concrete URI against the template, returning `(name, decoded value)`
    /// pairs in template order (variables left unset by an absent optional part are
    /// omitted), or `None` if the URI does not match. See the module docs for the rules.
    pub fn matches(&self, uri: &str) -> Option<Vec<(String, String)>> {
        if uri.len() > Self::MAX_URI_LEN {
            return None;
        }
        let u = Units::new(uri);
        let fin = self.finishers(&u);
        if !fin[0][0] {
            return None;
        }
        let mut values: Vec<Option<String>> = vec![None; self.names.len()];
        let mut assign = |var: usize, (a, b): (usize, usize)| {
            let v = pct_decode(u.text(a, b))?;
            (*values[var].get_or_insert_with(|| v.clone()) == v).then_some(())
        };
        let (mut i, mut pos) = (0, 0);
        while i < self.toks.len() {
            let next = &fin[i + 1];
            match &self.toks[i] {
                Tok::Opt(skip) => {
                    i = if next[pos] { i + 1 } else { *skip };
                    continue;
                }
                Tok::Lit(raw, enc) => {
                    pos = std::iter::once(raw)
                        .chain(enc)
                        .filter_map(|l| u.lit_end(pos, l))
                        .find(|&e| next[e])?;
                }
                Tok::Cap(var, class, min, max) => {
                    let hi = u.cap_end(*class, *max, pos);
                    let end = (pos + min..=hi).find(|&e| next[e])?;
                    assign(*var, (pos, end))?;
                    pos = end;
                }
                Tok::Named(op, vars) => {
                    let items = self.named_items(&u, *op, vars, pos);
                    let end_of = |k: usize| if k == 0 { pos } else { items[k - 1].2 };
                    let k = (0..=items.len()).rev().find(|&k| next[end_of(k)])?;
                    for &(var, value, _) in &items[..k] {
                        assign(var, value)?;
                    }
                    pos = end_of(k);
                }
            }
            i += 1;
        }
        let pairs = self.names.iter().zip(values);
        Some(pairs.filter_map(|(n, v)| Some((n.clone(), v?))).collect())
    }

    /// `fin[i][s]`: steps `i..` can consume the URI units from `s` to the end exactly.
    fn finishers(&self, u: &Units<'_>) -> Vec<Vec<bool>> {
        let (m, t) = (u.len(), self.toks.len());
        let mut fin = vec![vec![false; m + 1]; t + 1];
        fin[t][m] = true;
        let mut nearest = vec![usize::MAX; m + 2];
        for i in (0..t).rev() {
            let (head, tail) = fin.split_at_mut(i + 1);
            let (cur, next) = (&mut head[i], &tail[0]);
            match &self.toks[i] {
                Tok::Opt(skip) => {
                    let both = cur.iter_mut().zip(next.iter().zip(&tail[skip - i - 1]));
                    both.for_each(|(c, (a, b))| *c = *a || *b);
                }
                Tok::Lit(raw, enc) => {
                    for (s, c) in cur.iter_mut().enumerate() {
                        let mut lits = std::iter::once(raw).chain(enc);
                        *c = lits.any(|l| u.lit_end(s, l).is_some_and(|e| next[e]));
                    }
                }
                Tok::Cap(_, class, min, max) => {
                    for e in (0..=m).rev() {
                        nearest[e] = if next[e] { e } else { nearest[e + 1] };
                    }
                    for (s, c) in cur.iter_mut().enumerate() {
                        *c = s + min <= m && nearest[s + min] <= u.cap_end(*class, *max, s);
                    }
                }
                Tok::Named(op, vars) => {
                    for (s, c) in cur.iter_mut().enumerate() {
                        let items = || self.named_items(u, *op, vars, s);
                        *c = next[s] || (u.is(s, *op) && items().iter().any(|it| next[it.2]));
                    }
                }
            }
        }
        fin
    }

    /// Parses the longest run of `;`/`?`/`&` items for `vars` starting at unit `p`:
    /// (variable, value units, end unit) per item.
    fn named_items(&self, u: &Units<'_>, op: u8, vars: &[usize], mut p: usize) -> Vec<Item> {
        let sep = op_spec(op).1.as_bytes()[0];
        let (key_class, value_class) = match op {
            b';' => (PARAM_KEY, PARAM_VALUE),
            _ => (QUERY_KEY, QUERY_VALUE),
        };
        let (mut items, mut seen) = (Vec::new(), 0u64);
        while items.len() < vars.len() && u.is(p, if items.is_empty() { op } else { sep }) {
            let key_end = u.runs[key_class][p + 1];
            let key = u.text(p + 1, key_end);
            let unseen = |k: &usize| seen & (1 << k) == 0 && self.names[vars[*k]] == key;
            let Some(k) = (0..vars.len()).find(unseen) else {
                break;
            };
            seen |= 1 << k;
            p = key_end;
            let start = p + usize::from(u.is(p, b'='));
            if start > p {
                p = u.runs[value_class][start];
            }
            items.push((vars[k], (start, p), p));
        }
        items
    }
}

/// (variable, value units, end unit) of one `;`/`?`/`&` item.
type Item = (usize, (usize, usize), usize);

fn push_lit(parts: &mut Vec<Part>, raw: &str) {
    if !raw.is_empty() {
        let mut enc = String::new();
        encode_into(&mut enc, raw, true);
        parts.push(Part::Lit(raw.to_owned(), enc));
    }
}

/// Parses the expression whose `{` is at `open` and `}` at `close`.
fn parse_expr(
    t: &str,
    open: usize,
    close: usize,
    names: &mut Vec<String>,
    count: &mut usize,
) -> Result<Part, UriTemplateError> {
    let Some(c) = t[open + 1..close].chars().next() else {
        return err(open, UriTemplateErrorKind::EmptyExpression);
    };
    let (op, mut pos) = if c.is_ascii_alphanumeric() || c == '_' || c == '%' {
        (0, open + 1)
    } else if c.is_ascii() && b"+#./;?&".contains(&(c as u8)) {
        (c as u8, open + 2)
    } else {
        return err(open + 1, UriTemplateErrorKind::UnknownOperator(c));
    };
    let mut vars = Vec::new();
    for spec in t[pos..close].split(',') {
        let name_len = spec.find([':', '*']).unwrap_or(spec.len());
        let name = &spec[..name_len];
        check_name(name, pos)?;
        let modifier = &spec[name_len..];
        let digits = modifier
            .strip_prefix(':')
            .filter(|d| !d.starts_with(['0', '+']));
        let prefix = digits
            .and_then(|d| d.parse().ok())
            .filter(|n| (1..=9999).contains(n));
        if prefix.is_none() && !modifier.is_empty() && modifier != "*" {
            return err(pos + name_len, UriTemplateErrorKind::InvalidModifier);
        }
        *count += 1;
        if *count > UriTemplate::MAX_VARIABLES {
            return err(pos, UriTemplateErrorKind::TooManyVariables);
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
        let name = names.iter().position(|n| n == name).unwrap_or(0);
        vars.push(VarSpec { name, prefix });
        pos += spec.len() + 1;
    }
    Ok(Part::Expr(op, vars))
}

/// `varname = varchar *( ["."] varchar )`, `varchar = ALPHA / DIGIT / "_" / pct-encoded`.
fn check_name(name: &str, at: usize) -> Result<(), UriTemplateError> {
    let b = name.as_bytes();
    let (mut k, mut after_dot) = (0, true);
    while k < b.len() {
        let step = match b[k] {
            c if c.is_ascii_alphanumeric() || c == b'_' => 1,
            b'%' if is_pct(b, k) => 3,
            b'.' if !after_dot && k + 1 < b.len() => 1,
            _ => {
                let c = name[k..].chars().next().unwrap_or('.');
                return err(at + k, UriTemplateErrorKind::InvalidVariableName(c));
            }
        };
        after_dot = b[k] == b'.';
        k += step;
    }
    match b.is_empty() {
        true => err(at, UriTemplateErrorKind::EmptyVariableName),
        false => Ok(()),
    }
}

fn compile(parts: &[Part]) -> Vec<Tok> {
    let mut toks = Vec::new();
    for part in parts {
        let (op, vars) = match part {
            Part::Lit(raw, enc) => {
                toks.push(Tok::Lit(raw.clone(), (enc != raw).then(|| enc.clone())));
                continue;
            }
            Part::Expr(op, vars) => (*op, vars),
        };
        let (first, sep, named, ..) = op_spec(op);
        if named {
            toks.push(Tok::Named(op, vars.iter().map(|v| v.name).collect()));
            continue;
        }
        let (class, min) = match op {
            0 => (SIMPLE, 1),
            b'+' | b'#' => (RESERVED, 1),
            _ => (SIMPLE, 0),
        };
        let group = toks.len();
        if !first.is_empty() {
            toks.push(Tok::Opt(0));
        }
        for (k, v) in vars.iter().enumerate() {
            let delim = if k == 0 { first } else { sep };
            if !delim.is_empty() {
                toks.push(Tok::Lit(delim.to_owned(), None));
            }
            toks.push(Tok::Cap(v.name, class, min, v.prefix));
        }
        if !first.is_empty() {
            toks[group] = Tok::Opt(toks.len());
        }
    }
    toks
}

/// A URI split into units: single ASCII characters, non-ASCII characters, or
/// pct-encoded triplets (a multi-byte UTF-8 sequence of triplets forms one unit).
#[derive(Debug)]
struct Units<'a> {
    uri: &'a str,
    /// Byte offset of each unit, plus `uri.len()` at the end.
    starts: Vec<usize>,
    /// Unit index of each byte offset that starts a unit (`usize::MAX` elsewhere).
    at: Vec<usize>,
    /// The byte of each plain ASCII unit.
    ascii: Vec<Option<u8>>,
    /// Per class, the end of the longest run of allowed units starting at each unit.
    runs: Vec<Vec<usize>>,
}

impl<'a> Units<'a> {
    fn new(uri: &'a str) -> Self {
        let b = uri.as_bytes();
        let (mut starts, mut ascii, mut i) = (Vec::new(), Vec::new(), 0);
        while i < b.len() {
            starts.push(i);
            if is_pct(b, i) {
                // Continuation triplets announced by a UTF-8 lead byte.
                let need = (hex_byte(b, i).leading_ones() as usize).clamp(1, 4) - 1;
                i += 3;
                for _ in 0..need {
                    if !is_pct(b, i) || hex_byte(b, i) & 0xC0 != 0x80 {
                        break;
                    }
                    i += 3;
                }
                ascii.push(None);
            } else if b[i] < 0x80 {
                ascii.push(Some(b[i]));
                i += 1;
            } else {
                ascii.push(None);
                i += uri[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
        let m = starts.len();
        starts.push(b.len());
        let runs = (SIMPLE..=QUERY_VALUE)
            .map(|class| {
                let mut run = vec![m; m + 1];
                for s in (0..m).rev() {
                    let ok = ascii[s].is_none_or(|c| class_allows(class, c));
                    run[s] = if ok { run[s + 1] } else { s };
                }
                run
            })
            .collect();
        let mut at = vec![usize::MAX; b.len() + 1];
        for (k, &s) in starts.iter().enumerate() {
            at[s] = k;
        }
        Units {
            uri,
            starts,
            at,
            ascii,
            runs,
        }
    }

    fn len(&self) -> usize {
        self.ascii.len()
    }

    fn is(&self, p: usize, c: u8) -> bool {
        self.ascii.get(p) == Some(&Some(c))
    }

    fn cap_end(&self, class: usize, max: Option<usize>, p: usize) -> usize {
        self.runs[class][p].min(max.map_or(usize::MAX, |n| p + n))
    }

    fn text(&self, a: usize, b: usize) -> &'a str {
        &self.uri[self.starts[a]..self.starts[b]]
    }

    /// Unit index just after `lit` if the URI continues with it at unit `p`.
    fn lit_end(&self, p: usize, lit: &str) -> Option<usize> {
        let s = self.starts[p];
        self.uri[s..].starts_with(lit).then_some(())?;
        Some(self.at[s + lit.len()]).filter(|&e| e != usize::MAX)
    }
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn is_reserved(b: u8) -> bool {
    b":/?#[]@!$&'()*+,;=".contains(&b)
}

fn is_pct(b: &[u8], i: usize) -> bool {
    b.len() > i + 2 && b[i] == b'%' && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()
}

/// The byte encoded by the (valid) triplet at `i`.
fn hex_byte(b: &[u8], i: usize) -> u8 {
    let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
    (hex(b[i + 1]) << 4) | hex(b[i + 2])
}

fn encode_into(out: &mut String, s: &str, allow_reserved: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if is_unreserved(c) || (allow_reserved && is_reserved(c)) {
            out.push(c as char);
        } else if allow_reserved && is_pct(b, i) {
            out.push_str(&s[i..i + 3]);
            i += 2;
        } else {
            out.push('%');
            out.extend([HEX[(c >> 4) as usize], HEX[(c & 15) as usize]].map(char::from));
        }
        i += 1;
    }
}

fn pct_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let (mut out, mut i) = (Vec::with_capacity(b.len()), 0);
    while i < b.len() {
        if is_pct(b, i) {
            out.push(hex_byte(b, i));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
