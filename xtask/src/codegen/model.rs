//! The Rust type model the generator builds from the schemas and emits, and
//! the naming rules from schema names to Rust names.

use std::collections::BTreeMap;

/// A Rust type as a field, variant or alias refers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeRef {
    String,
    I64,
    F64,
    Bool,
    /// `serde_json::Value`.
    Value,
    /// `crate::JsonObject`.
    JsonObject,
    /// `crate::Meta`.
    Meta,
    /// `crate::RequestId`.
    RequestId,
    /// `crate::ProgressToken`.
    ProgressToken,
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// A generated type (struct, enum, union, alias or message).
    Named(String),
    /// A string `const`: a tag type when required, otherwise `String`.
    Const(String),
    /// A generated zero-sized tag type.
    Tag(String),
}

impl TypeRef {
    /// The Rust spelling of the type.
    pub(crate) fn rust(&self) -> String {
        match self {
            TypeRef::String | TypeRef::Const(_) => "String".into(),
            TypeRef::I64 => "i64".into(),
            TypeRef::F64 => "f64".into(),
            TypeRef::Bool => "bool".into(),
            TypeRef::Value => "serde_json::Value".into(),
            TypeRef::JsonObject => "crate::JsonObject".into(),
            TypeRef::Meta => "crate::Meta".into(),
            TypeRef::RequestId => "crate::RequestId".into(),
            TypeRef::ProgressToken => "crate::ProgressToken".into(),
            TypeRef::Vec(t) => format!("Vec<{}>", t.rust()),
            TypeRef::Map(t) => format!("std::collections::BTreeMap<String, {}>", t.rust()),
            TypeRef::Named(n) | TypeRef::Tag(n) => n.clone(),
        }
    }

    /// Whether the type is or contains a generated type whose
    /// `conform_to` does something.
    pub(crate) fn needs_conform(&self, model: &Model) -> bool {
        match self {
            TypeRef::Vec(t) | TypeRef::Map(t) => t.needs_conform(model),
            TypeRef::Named(n) => match model.types.get(n) {
                Some(t) => match &t.kind {
                    Kind::Struct(_) | Kind::Union(_) => true,
                    Kind::Alias(a) => a.needs_conform(model),
                    Kind::Enum(_) => false,
                },
                None => model.messages.iter().any(|m| &m.name == n),
            },
            _ => false,
        }
    }
}

/// A field of a struct.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// The member name on the wire.
    pub(crate) json: String,
    /// The Rust field name (possibly a raw identifier).
    pub(crate) rust: String,
    pub(crate) ty: TypeRef,
    /// `Option<T>`: absent or not required in some revision.
    pub(crate) optional: bool,
    /// Required but may be `null` (serialized even when `None`).
    pub(crate) nullable: bool,
    /// The revisions whose schema lists the member.
    pub(crate) revisions: u8,
    /// The revisions that list the member as required.
    pub(crate) required: u8,
    /// The revisions in which the member is legal (it is listed, or an open
    /// object still admits it); `conform_to` clears it elsewhere.
    pub(crate) defined: u8,
    /// The string `const` of the member, if it has one.
    pub(crate) const_value: Option<String>,
    pub(crate) doc: Option<String>,
}

/// A generated struct.
#[derive(Debug, Clone)]
pub(crate) struct Struct {
    pub(crate) fields: Vec<Field>,
    /// Whether unknown members are kept in a flattened `extra` map.
    pub(crate) extra: bool,
}

/// One variant of a union.
#[derive(Debug, Clone)]
pub(crate) struct Variant {
    pub(crate) name: String,
    pub(crate) ty: TypeRef,
    /// The discriminator value, for discriminated unions.
    pub(crate) tag: Option<String>,
}

/// How a union is told apart on the wire.
#[derive(Debug, Clone)]
pub(crate) enum UnionStyle {
    /// Every variant has a distinct string `const` under `key`; the variant
    /// at `fallback` (if any) is used when the key is absent (or, when
    /// `open`, has another value).
    Discriminated {
        key: String,
        fallback: Option<usize>,
        /// An unknown value also selects the fallback (and is kept).
        open: bool,
    },
    /// `X | X[]`.
    OneOrMany,
    /// Tried in order, by shape.
    Untagged,
}

/// A generated union (an enum of types).
#[derive(Debug, Clone)]
pub(crate) struct Union {
    pub(crate) variants: Vec<Variant>,
    pub(crate) style: UnionStyle,
}

/// A generated string enum.
#[derive(Debug, Clone)]
pub(crate) struct Enum {
    /// `(wire value, Rust variant name)`, in declaration order.
    pub(crate) values: Vec<(String, String)>,
    /// Derive `PartialOrd`/`Ord` in declaration order.
    pub(crate) ordered: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Struct(Struct),
    Union(Union),
    Enum(Enum),
    Alias(TypeRef),
}

/// A generated type.
#[derive(Debug, Clone)]
pub(crate) struct TypeDef {
    pub(crate) name: String,
    /// The revisions in which the type exists.
    pub(crate) revisions: u8,
    pub(crate) doc: Option<String>,
    pub(crate) kind: Kind,
}

/// What kind of JSON-RPC message a message type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageKind {
    Request,
    Notification,
    ResultResponse,
}

/// Whether and how a message carries an `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdMode {
    None,
    Optional,
    Required,
}

/// A request, notification or result-response message type.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) name: String,
    pub(crate) kind: MessageKind,
    /// The method name (requests and notifications).
    pub(crate) method: Option<String>,
    pub(crate) id: IdMode,
    /// `jsonrpc` is not in the newest schema of the message (an embedded
    /// request), so its presence is recorded in an `Option` field.
    pub(crate) jsonrpc_field: bool,
    /// The type of `params` / `result`.
    pub(crate) body: TypeRef,
    pub(crate) body_required: bool,
    /// The revisions in which the definition exists.
    pub(crate) revisions: u8,
    /// The revisions whose method unions contain the method.
    pub(crate) method_revisions: u8,
    /// The result type of a request.
    pub(crate) result: Option<String>,
    pub(crate) doc: Option<String>,
}

impl Message {
    /// `"params"` or `"result"`.
    pub(crate) fn body_key(&self) -> &'static str {
        match self.kind {
            MessageKind::ResultResponse => "result",
            _ => "params",
        }
    }
}

/// A dispatch enum over the methods of one direction.
#[derive(Debug, Clone)]
pub(crate) struct Dispatch {
    pub(crate) name: &'static str,
    pub(crate) doc: &'static str,
    /// The message types, in order of first appearance.
    pub(crate) messages: Vec<String>,
}

/// Everything the emitters need.
#[derive(Debug, Default)]
pub(crate) struct Model {
    pub(crate) types: BTreeMap<String, TypeDef>,
    pub(crate) messages: Vec<Message>,
    pub(crate) dispatch: Vec<Dispatch>,
    /// Tag type name to the string it stands for.
    pub(crate) tags: BTreeMap<String, String>,
}

impl Model {
    pub(crate) fn message(&self, name: &str) -> Option<&Message> {
        self.messages.iter().find(|m| m.name == name)
    }
}

/// Splits a name into words at case changes and non-alphanumeric characters
/// (`inputSchema` → `input`, `Schema`; `resource_link` → `resource`, `link`;
/// `URLElicitation` → `URL`, `Elicitation`).
pub(crate) fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `resource_link` → `ResourceLink`, `URL` → `Url`.
pub(crate) fn pascal(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &cs.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}

/// A schema definition name as a Rust type name (`ElicitRequestURLParams`
/// → `ElicitRequestUrlParams`); names already in Rust style are unchanged.
pub(crate) fn type_name(def: &str) -> String {
    pascal(def)
}

/// A member name as a Rust field name (`inputSchema` → `input_schema`,
/// `_meta` → `meta`, `$schema` → `schema`, `type` → `r#type`).
pub(crate) fn field_name(json: &str) -> String {
    let snake = words(json)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    let snake = if snake.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n{snake}")
    } else if snake.is_empty() {
        "value".to_owned()
    } else {
        snake
    };
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "break", "const", "continue", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "try", "type",
        "unsafe", "use", "where", "while", "yield", "abstract", "become", "do", "final", "macro",
        "override", "priv", "typeof", "unsized", "virtual",
    ];
    if KEYWORDS.contains(&snake.as_str()) {
        format!("r#{snake}")
    } else {
        snake
    }
}

/// The tag type for a string `const`: named from the value (`"resource_link"`
/// → `ResourceLinkTag`), or from the member when the value does not make a
/// name (`jsonrpc: "2.0"` → `JsonrpcTag`).
pub(crate) fn tag_name(value: &str, member: &str) -> String {
    let base = pascal(value);
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{}Tag", pascal(member))
    } else {
        format!("{base}Tag")
    }
}

/// The Rust variant name of a string enum value (`"allServers"` → `AllServers`).
pub(crate) fn enum_variant(value: &str) -> String {
    let p = pascal(value);
    if p.is_empty() || p.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{p}")
    } else {
        p
    }
}

/// Strips the longest common word prefix and suffix from `names`, as long as
/// every name keeps at least one word; `None` when nothing is common.
pub(crate) fn strip_common(names: &[String]) -> Option<Vec<String>> {
    if names.len() < 2 {
        return None;
    }
    let split: Vec<Vec<String>> = names.iter().map(|n| words(n)).collect();
    let min = split.iter().map(Vec::len).min().unwrap_or(0);
    let common = |get: &dyn Fn(&Vec<String>, usize) -> String| {
        let mut k = 0;
        while k < min && split.iter().all(|w| get(w, k) == get(&split[0], k)) {
            k += 1;
        }
        k
    };
    let mut suffix = common(&|w, k| w[w.len() - 1 - k].clone());
    let mut prefix = common(&|w, k| w[k].clone());
    while prefix + suffix >= min && suffix > 0 {
        suffix -= 1;
    }
    while prefix + suffix >= min && prefix > 0 {
        prefix -= 1;
    }
    if prefix == 0 && suffix == 0 {
        return None;
    }
    let out: Vec<String> = split
        .iter()
        .map(|w| {
            w[prefix..w.len() - suffix]
                .iter()
                .map(|s| pascal(s))
                .collect()
        })
        .collect();
    let mut unique = out.clone();
    unique.sort();
    unique.dedup();
    (unique.len() == out.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming() {
        assert_eq!(
            words("URLElicitationRequiredError"),
            ["URL", "Elicitation", "Required", "Error"]
        );
        assert_eq!(
            type_name("ElicitRequestURLParams"),
            "ElicitRequestUrlParams"
        );
        assert_eq!(type_name("CallToolRequest"), "CallToolRequest");
        assert_eq!(field_name("inputSchema"), "input_schema");
        assert_eq!(field_name("_meta"), "meta");
        assert_eq!(field_name("$schema"), "schema");
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("ttlMs"), "ttl_ms");
        assert_eq!(tag_name("resource_link", "type"), "ResourceLinkTag");
        assert_eq!(tag_name("2.0", "jsonrpc"), "JsonrpcTag");
        assert_eq!(tag_name("ref/prompt", "type"), "RefPromptTag");
        assert_eq!(enum_variant("date-time"), "DateTime");
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            strip_common(&names(&[
                "ElicitRequestFormParams",
                "ElicitRequestUrlParams"
            ])),
            Some(names(&["Form", "Url"]))
        );
        assert_eq!(
            strip_common(&names(&[
                "UntitledSingleSelectEnumSchema",
                "TitledSingleSelectEnumSchema"
            ])),
            Some(names(&["Untitled", "Titled"]))
        );
        assert_eq!(strip_common(&names(&["TextContent", "ResourceLink"])), None);
    }
}
