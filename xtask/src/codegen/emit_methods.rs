//! Emitting `generated/methods.rs`: the request, notification and
//! result-response message types, their method traits, and the dispatch enums.

use std::fmt::Write as _;

use super::docs::{doc_lines, item_doc};
use super::model::{IdMode, Message, MessageKind, Model};

/// The text of `methods.rs` (before rustfmt).
pub(crate) fn emit(model: &Model, header: &str) -> String {
    let mut out = String::from(header);
    out.push_str("//!\n//! Every request, notification and result response as a message type, with its method, and the\n//! dispatch enums over the methods of each direction.\n\n");
    out.push_str("#![allow(clippy::large_enum_variant)]\n\n");
    if model.messages.iter().any(|m| m.jsonrpc_field) {
        out.push_str("use super::tags::*;\n");
    }
    out.push_str("use super::types::*;\n\n");
    for m in &model.messages {
        emit_message(&mut out, m);
    }
    for d in &model.dispatch {
        emit_dispatch(&mut out, model, d.name, d.doc, &d.messages);
    }
    out
}

fn bits(mask: u8) -> String {
    format!("crate::Revisions::from_bits(0b{mask:05b})")
}

fn body_type(m: &Message) -> String {
    let t = m.body.rust();
    if m.body_required {
        t
    } else {
        format!("Option<{t}>")
    }
}

fn id_type(m: &Message) -> Option<&'static str> {
    match m.id {
        IdMode::None => None,
        IdMode::Optional => Some("Option<crate::RequestId>"),
        IdMode::Required => Some("crate::RequestId"),
    }
}

fn emit_message(out: &mut String, m: &Message) {
    let what = match m.kind {
        MessageKind::Request => "request",
        MessageKind::Notification => "notification",
        MessageKind::ResultResponse => "result response",
    };
    let revisions = if m.method_revisions != 0 {
        m.method_revisions
    } else {
        m.revisions
    };
    let fallback = match &m.method {
        Some(method) => format!("The `{method}` {what}."),
        None => format!("The `{}` message.", m.name),
    };
    doc_lines(out, &item_doc(m.doc.as_deref(), &fallback, revisions));
    out.push_str("#[derive(Debug, Clone, PartialEq)]\n");
    let _ = writeln!(out, "pub struct {} {{", m.name);
    if m.jsonrpc_field {
        out.push_str("/// `\"jsonrpc\": \"2.0\"`, when present: a request sent on its own carries it, one embedded\n/// in a 2026-07-28 `InputRequiredResult` does not.\npub jsonrpc: Option<JsonrpcTag>,\n");
    }
    if let Some(id) = id_type(m) {
        let doc = match m.kind {
            MessageKind::ResultResponse => "The id of the request this answers.",
            _ if m.id == IdMode::Optional => {
                "The request id; absent for a request embedded in a 2026-07-28 `InputRequiredResult`."
            }
            _ => "The request id.",
        };
        let _ = writeln!(out, "/// {doc}\npub id: {id},");
    }
    let body_doc = match m.kind {
        MessageKind::ResultResponse => "The result.",
        _ if m.body_required => "The parameters.",
        _ => "The parameters; `None` when the message has no `params` member.",
    };
    let _ = writeln!(
        out,
        "/// {body_doc}\npub {}: {},",
        m.body_key(),
        body_type(m)
    );
    out.push_str("}\n\n");

    // The fixed shape and a constructor.
    let jsonrpc_required = !m.jsonrpc_field;
    let _ = writeln!(out, "impl {} {{", m.name);
    let _ = writeln!(
        out,
        "const SPEC: crate::message::Spec = crate::message::Spec {{ name: {:?}, method: {}, body: {:?}, jsonrpc_required: {jsonrpc_required} }};\n",
        m.name,
        m.method
            .as_ref()
            .map_or("None".to_owned(), |s| format!("Some({s:?})")),
        m.body_key(),
    );
    let mut params = Vec::new();
    let mut inits = Vec::new();
    if m.jsonrpc_field {
        inits.push("jsonrpc: None".to_owned());
    }
    match m.id {
        IdMode::Required => {
            params.push("id: impl Into<crate::RequestId>".to_owned());
            inits.push("id: id.into()".to_owned());
        }
        IdMode::Optional => inits.push("id: None".to_owned()),
        IdMode::None => {}
    }
    params.push(format!("{}: {}", m.body_key(), body_type(m)));
    inits.push(m.body_key().to_owned());
    let ctor_doc = match m.id {
        IdMode::Optional => {
            "A message without `jsonrpc` and `id`, as embedded in an `InputRequiredResult`; set them to send it on its own."
        }
        _ => "A message with these members.",
    };
    let _ = writeln!(
        out,
        "/// {ctor_doc}\npub fn new({}) -> Self {{\n{} {{ {} }}\n}}\n}}\n",
        params.join(", "),
        m.name,
        inits.join(", ")
    );

    // Serialize.
    let jsonrpc = if m.jsonrpc_field {
        "self.jsonrpc.is_some()"
    } else {
        "true"
    };
    let id = match m.id {
        IdMode::None => "None",
        IdMode::Optional => "self.id.as_ref()",
        IdMode::Required => "Some(&self.id)",
    };
    let body = if m.body_required {
        format!("Some(&self.{})", m.body_key())
    } else {
        format!("self.{}.as_ref()", m.body_key())
    };
    let _ = writeln!(
        out,
        "impl serde::Serialize for {} {{\nfn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{\ncrate::message::serialize(serializer, &Self::SPEC, {jsonrpc}, {id}, {body})\n}}\n}}\n",
        m.name
    );

    // Deserialize.
    let _ = writeln!(out, "impl<'de> serde::Deserialize<'de> for {} {{", m.name);
    out.push_str("fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n");
    let _ = writeln!(
        out,
        "let parts = crate::message::deserialize::<D, {}>(deserializer, &Self::SPEC)?;",
        m.body.rust()
    );
    let _ = writeln!(out, "Ok({} {{", m.name);
    if m.jsonrpc_field {
        out.push_str("jsonrpc: parts.jsonrpc.then_some(JsonrpcTag),\n");
    }
    match m.id {
        IdMode::Required => out.push_str(
            "id: parts.id.ok_or_else(|| crate::message::missing(&Self::SPEC, \"id\"))?,\n",
        ),
        IdMode::Optional => out.push_str("id: parts.id,\n"),
        IdMode::None => {}
    }
    if m.body_required {
        let _ = writeln!(
            out,
            "{key}: parts.body.ok_or_else(|| crate::message::missing(&Self::SPEC, {key:?}))?,",
            key = m.body_key()
        );
    } else {
        let _ = writeln!(out, "{}: parts.body,", m.body_key());
    }
    out.push_str("})\n}\n}\n\n");

    // JSON Schema.
    let id_schema = match m.id {
        IdMode::None => "None",
        IdMode::Optional => "Some(false)",
        IdMode::Required => "Some(true)",
    };
    let _ = writeln!(
        out,
        "#[cfg(feature = \"schemars\")]\nimpl schemars::JsonSchema for {name} {{\nfn schema_name() -> std::borrow::Cow<'static, str> {{\n{name:?}.into()\n}}\n\nfn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {{\ncrate::message::schema::<{body}>(generator, &Self::SPEC, {jsonrpc_required}, {id_schema}, {req})\n}}\n}}\n",
        name = m.name,
        body = m.body.rust(),
        req = m.body_required,
    );

    // The method trait.
    match (m.kind, &m.method) {
        (MessageKind::Request, Some(method)) => {
            let _ = writeln!(
                out,
                "impl crate::RequestMethod for {} {{\nconst METHOD: &'static str = {method:?};\nconst REVISIONS: crate::Revisions = {};\ntype Params = {};\ntype Result = {};\n}}\n",
                m.name,
                bits(m.method_revisions),
                m.body.rust(),
                m.result.as_deref().unwrap_or("EmptyResult"),
            );
        }
        (MessageKind::Notification, Some(method)) => {
            let _ = writeln!(
                out,
                "impl crate::NotificationMethod for {} {{\nconst METHOD: &'static str = {method:?};\nconst REVISIONS: crate::Revisions = {};\ntype Params = {};\n}}\n",
                m.name,
                bits(m.method_revisions),
                m.body.rust(),
            );
        }
        _ => {}
    }
}

/// The variant name of a message in a dispatch enum (`CallToolRequest` → `CallTool`).
pub(crate) fn variant_name(message: &str) -> &str {
    message
        .strip_suffix("Request")
        .or_else(|| message.strip_suffix("Notification"))
        .unwrap_or(message)
}

fn emit_dispatch(out: &mut String, model: &Model, name: &str, doc: &str, messages: &[String]) {
    let messages: Vec<&Message> = messages.iter().filter_map(|n| model.message(n)).collect();
    let is_request = messages.iter().all(|m| m.kind == MessageKind::Request);
    let trait_name = if is_request {
        "crate::RequestMethod"
    } else {
        "crate::NotificationMethod"
    };
    doc_lines(
        out,
        &format!(
            "{doc}\n\nEach variant holds the parameters of one method; a method this crate does not know is `Other`."
        ),
    );
    out.push_str("#[derive(Debug, Clone, PartialEq)]\n");
    let _ = writeln!(out, "pub enum {name} {{");
    for m in &messages {
        let mut text = format!(
            "`{}` ([`{}`]).",
            m.method.as_deref().unwrap_or_default(),
            m.name
        );
        if let Some(note) = super::docs::revisions_note(m.method_revisions) {
            text.push(' ');
            text.push_str(&note);
        }
        doc_lines(out, &text);
        let _ = writeln!(out, "{}({}),", variant_name(&m.name), m.body.rust());
    }
    out.push_str("/// A method this crate does not know.\nOther {\n/// The method name.\nmethod: String,\n/// The parameters, as sent.\nparams: Option<serde_json::Value>,\n},\n}\n\n");

    let _ = writeln!(out, "impl {name} {{");
    out.push_str("/// The method name.\npub fn method(&self) -> &str {\nmatch self {\n");
    for m in &messages {
        let _ = writeln!(
            out,
            "Self::{}(_) => <{} as {trait_name}>::METHOD,",
            variant_name(&m.name),
            m.name
        );
    }
    out.push_str("Self::Other { method, .. } => method,\n}\n}\n\n");

    out.push_str("/// The revisions that define the method; empty for `Other`.\npub fn revisions(&self) -> crate::Revisions {\nmatch self {\n");
    for m in &messages {
        let _ = writeln!(
            out,
            "Self::{}(_) => <{} as {trait_name}>::REVISIONS,",
            variant_name(&m.name),
            m.name
        );
    }
    out.push_str("Self::Other { .. } => crate::Revisions::from_bits(0),\n}\n}\n\n");

    out.push_str(
        "/// Parses a method and its raw parameters; a missing `params` member reads as `{}`, and\n/// an unknown method gives `Other`.\n\
         pub fn from_parts(method: &str, params: Option<&serde_json::value::RawValue>) -> Result<Self, serde_json::Error> {\nOk(match method {\n",
    );
    for m in &messages {
        let _ = writeln!(
            out,
            "{:?} => Self::{}(crate::parse_params(params)?),",
            m.method.as_deref().unwrap_or_default(),
            variant_name(&m.name)
        );
    }
    out.push_str("_ => Self::Other {\nmethod: method.to_owned(),\nparams: params.map(|p| serde_json::from_str(p.get())).transpose()?,\n},\n})\n}\n\n");

    out.push_str("/// Serializes the parameters; `None` only for `Other` without parameters.\npub fn to_raw_params(&self) -> Result<Option<Box<serde_json::value::RawValue>>, serde_json::Error> {\nmatch self {\n");
    for m in &messages {
        let _ = writeln!(
            out,
            "Self::{}(p) => serde_json::value::to_raw_value(p).map(Some),",
            variant_name(&m.name)
        );
    }
    out.push_str("Self::Other { params, .. } => params.as_ref().map(serde_json::value::to_raw_value).transpose(),\n}\n}\n}\n\n");
}
