//! Tests for `src/uri_template.rs`, compiled here straight from its (std-only) source so
//! they can reach items the crate does not re-export, such as `UriTemplateErrorKind`.

#[path = "../src/uri_template.rs"]
pub mod uri_template;

use std::time::{Duration, Instant};
use uri_template::{UriTemplate, UriTemplateErrorKind};

const MAX_URI_LEN: usize = UriTemplate::MAX_URI_LEN;
const MAX_VARIABLES: usize = UriTemplate::MAX_VARIABLES;

const VARS: &[(&str, &str)] = &[
    ("var", "value"),
    ("hello", "Hello World!"),
    ("path", "/foo/bar"),
    ("empty", ""),
    ("x", "1024"),
    ("y", "768"),
];

/// RFC 6570 §1.2, levels 1–3.
const RFC: &[(&str, &str)] = &[
    ("{var}", "value"),
    ("{hello}", "Hello%20World%21"),
    ("{+var}", "value"),
    ("{+hello}", "Hello%20World!"),
    ("{+path}/here", "/foo/bar/here"),
    ("here?ref={+path}", "here?ref=/foo/bar"),
    ("X{#var}", "X#value"),
    ("X{#hello}", "X#Hello%20World!"),
    ("map?{x,y}", "map?1024,768"),
    ("{x,hello,y}", "1024,Hello%20World%21,768"),
    ("{+x,hello,y}", "1024,Hello%20World!,768"),
    ("{+path,x}/here", "/foo/bar,1024/here"),
    ("{#x,hello,y}", "#1024,Hello%20World!,768"),
    ("{#path,x}/here", "#/foo/bar,1024/here"),
    ("X{.var}", "X.value"),
    ("X{.x,y}", "X.1024.768"),
    ("{/var}", "/value"),
    ("{/var,x}/here", "/value/1024/here"),
    ("{;x,y}", ";x=1024;y=768"),
    ("{;x,y,empty}", ";x=1024;y=768;empty"),
    ("{?x,y}", "?x=1024&y=768"),
    ("{?x,y,empty}", "?x=1024&y=768&empty="),
    ("?fixed=yes{&x}", "?fixed=yes&x=1024"),
    ("{&x,y,empty}", "&x=1024&y=768&empty="),
];

fn t(s: &str) -> UriTemplate {
    UriTemplate::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn m(template: &str, uri: &str) -> Option<Vec<(String, String)>> {
    t(template).matches(uri)
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn rfc_expansion_and_round_trip() {
    for &(template, expected) in RFC {
        let tpl = t(template);
        assert_eq!(tpl.expand(VARS), expected, "expand {template}");
        let want: Vec<_> = tpl
            .variables()
            .map(|n| (n, VARS.iter().find(|(k, _)| *k == n).unwrap().1))
            .collect();
        assert_eq!(
            tpl.matches(expected),
            Some(owned(&want)),
            "match {template}"
        );
    }
}

#[test]
fn level4_string_modifiers() {
    for (template, expected) in [
        ("{var:3}", "val"),
        ("{var:30}", "value"),
        ("{+path:6}/here", "/foo/b/here"),
        ("{#path:6}/here", "#/foo/b/here"),
        ("X{.var:3}", "X.val"),
        ("{/var:1,var}/here", "/v/value/here"),
        ("{;hello:5}", ";hello=Hello"),
        ("{?var:3}", "?var=val"),
        ("{&var:3}", "&var=val"),
        ("{var*}", "value"),
        ("{?x*,y}", "?x=1024&y=768"),
    ] {
        assert_eq!(t(template).expand(VARS), expected, "{template}");
    }
    assert_eq!(m("{id:3}", "abc"), Some(owned(&[("id", "abc")])));
    assert_eq!(m("{id:3}", "abcd"), None);
    assert_eq!(m("{a:2}x", "é%C3%A9x"), Some(owned(&[("a", "éé")])));
    assert_eq!(m("{a:2}x", "éééx"), None);
}

#[test]
fn undefined_and_empty_expansion() {
    assert_eq!(
        t("a{x,undef}b{?undef}{#undef}{/undef}").expand(VARS),
        "a1024b"
    );
    assert_eq!(
        t("{;empty}{?empty}{/empty}{.empty}").expand(VARS),
        ";empty?empty=/."
    );
    assert_eq!(t("x y/é{v}").expand(&[("v", "ü")]), "x%20y/%C3%A9%C3%BC");
    assert_eq!(t("{+v}").expand(&[("v", "50%/%2F")]), "50%25/%2F");
}

#[test]
fn round_trips_per_operator() {
    let vals = [("a", "x y/z?&=#,;é"), ("b", "ü.-_~!")];
    for template in [
        "s://{a}/{b}",
        "s://{a,b}",
        "s://{+a}|{+b}",
        "s://h{#a}",
        "s://h{.a}",
        "s://h{/a,b}",
        "s://h{;a,b}",
        "s://h{?a,b}",
        "s://h?z=1{&a,b}",
    ] {
        let tpl = t(template);
        let uri = tpl.expand(&vals);
        assert_eq!(
            tpl.matches(&uri),
            Some(owned(&vals[..tpl.variables().count()])),
            "{uri}"
        );
    }
    assert_eq!(
        m("s://{a}x{b}", "s://é%20xü"),
        Some(owned(&[("a", "é "), ("b", "ü")]))
    );
}

#[test]
fn mcp_cases() {
    assert_eq!(
        m("test://template/{id}/data", "test://template/123/data"),
        Some(owned(&[("id", "123")]))
    );
    assert_eq!(
        m("greeting://{name}", "greeting://Alice%20B"),
        Some(owned(&[("name", "Alice B")]))
    );
    assert_eq!(
        m("file:///{+path}", "file:///home/u/a%20b.txt"),
        Some(owned(&[("path", "home/u/a b.txt")]))
    );
    let api = "api://items{?page,limit}";
    assert_eq!(m(api, "api://items"), Some(vec![]));
    assert_eq!(
        m(api, "api://items?limit=10"),
        Some(owned(&[("limit", "10")]))
    );
    assert_eq!(
        m(api, "api://items?limit=10&page=2"),
        Some(owned(&[("page", "2"), ("limit", "10")]))
    );
    assert_eq!(m(api, "api://items?page"), Some(owned(&[("page", "")])));
    assert_eq!(
        m("docs://{+path}{?q}", "docs://a/b?q=x/y"),
        Some(owned(&[("path", "a/b"), ("q", "x/y")]))
    );
    assert_eq!(m("static://plain", "static://plain"), Some(vec![]));
}

#[test]
fn non_matches() {
    assert_eq!(
        m("test://template/{id}/data", "test://template/1/2/data"),
        None
    );
    assert_eq!(
        m("test://template/{id}/data", "test://template//data"),
        None
    );
    assert_eq!(m("greeting://{name}", "greeting://a/b"), None);
    assert_eq!(m("greeting://{name}", "greeting://a?b"), None);
    assert_eq!(m("greeting://{name}", "greeting://"), None);
    assert_eq!(m("greeting://{name}", "greetings://bob"), None);
    assert_eq!(m("greeting://{name}", "greeting://bad%ZZ"), None);
    assert_eq!(m("greeting://{name}", "greeting://%FF"), None);
    assert_eq!(m("api://items{?page}", "api://items?page=1&extra=2"), None);
    assert_eq!(m("api://items{?page}", "api://items?page=1&page=2"), None);
    assert_eq!(m("api://items{?page}", "api://items?other=1"), None);
    assert_eq!(m("static://plain", "static://plain/"), None);
    assert_eq!(m("{x}/{x}", "a/b"), None);
    assert_eq!(m("{x}/{x}", "a/a"), Some(owned(&[("x", "a")])));
}

#[test]
fn backtracking() {
    assert_eq!(
        m("{a}-{b}", "x-y-z"),
        Some(owned(&[("a", "x"), ("b", "y-z")]))
    );
    assert_eq!(
        m("files/{+path}/meta", "files/a/b/meta"),
        Some(owned(&[("path", "a/b")]))
    );
    assert_eq!(
        m("files/{+path}/meta", "files/a/meta/b/meta"),
        Some(owned(&[("path", "a/meta/b")]))
    );
    assert_eq!(m("{id}.json", "a.b.json"), Some(owned(&[("id", "a.b")])));
    assert_eq!(m("x{/a}{/b}", "x/1"), Some(owned(&[("a", "1")])));
    assert_eq!(
        m("{;a}{?b}{#c}", ";a=1?b=2#3"),
        Some(owned(&[("a", "1"), ("b", "2"), ("c", "3")]))
    );
}

#[test]
fn accessors() {
    let tpl = t("a{x}{?y,x}");
    assert_eq!(tpl.as_str(), "a{x}{?y,x}");
    assert_eq!(tpl.to_string(), "a{x}{?y,x}");
    assert_eq!(tpl.variables().collect::<Vec<_>>(), ["x", "y"]);
    assert!(!tpl.is_literal());
    assert!(t("a://b").is_literal() && t("").is_literal());
    assert!(UriTemplate::parse("{a.b,c%2F_1}").is_ok());
}

#[test]
fn parse_errors() {
    use UriTemplateErrorKind::*;
    let many: String = (0..=MAX_VARIABLES).map(|i| format!("{{v{i}}}")).collect();
    for (template, pos, kind) in [
        ("{", 0, UnclosedBrace),
        ("a{b", 1, UnclosedBrace),
        ("{a{b}", 0, UnclosedBrace),
        ("a}b", 1, UnmatchedClosingBrace),
        ("{}", 0, EmptyExpression),
        ("{x,}", 3, EmptyVariableName),
        ("{+}", 2, EmptyVariableName),
        ("{=x}", 1, UnknownOperator('=')),
        ("{ x}", 1, UnknownOperator(' ')),
        ("{x y}", 2, InvalidVariableName(' ')),
        ("{x.}", 2, InvalidVariableName('.')),
        ("{x..y}", 3, InvalidVariableName('.')),
        ("{x%2}", 2, InvalidVariableName('%')),
        ("{é}", 1, UnknownOperator('é')),
        ("{x:0}", 2, InvalidModifier),
        ("{x:10000}", 2, InvalidModifier),
        ("{x*:3}", 2, InvalidModifier),
        ("{x:}", 2, InvalidModifier),
        (many.as_str(), many.len() - 4, TooManyVariables),
    ] {
        let e = UriTemplate::parse(template).unwrap_err();
        assert_eq!((e.position(), e.kind()), (pos, kind), "{template}");
        assert!(e.to_string().contains(&format!("at byte {pos}")), "{e}");
    }
}

#[test]
fn pathological_inputs_are_bounded() {
    let start = Instant::now();
    let simple: String = (0..MAX_VARIABLES)
        .map(|i| format!("{{v{i}}}"))
        .collect::<String>()
        + "!";
    let reserved: String = (0..MAX_VARIABLES)
        .map(|i| format!("{{+v{i}}}x"))
        .collect::<String>()
        + "!";
    let label = format!(
        "{{.{}}}!",
        (0..MAX_VARIABLES)
            .map(|i| format!("v{i}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let query = format!(
        "{{&{}}}!",
        (0..MAX_VARIABLES)
            .map(|i| format!("v{i}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let long = MAX_URI_LEN;
    for (template, uri) in [
        (&simple, "a".repeat(long)),
        (&reserved, "x".repeat(long)),
        (&label, ".".repeat(long)),
        (&query, "&v1=&v2=".repeat(long / 8)),
        (&simple, "%C3%A9".repeat(long / 6)),
    ] {
        assert_eq!(t(template).matches(&uri), None);
    }
    assert!(t(&simple).matches(&("a".repeat(long - 1) + "!")).is_some());
    assert_eq!(m("{+p}", &"a".repeat(long + 1)), None);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}
