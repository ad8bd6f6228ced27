//! Emitting `generated/tags.rs`, `generated/revisioned.rs` and `generated/mod.rs`.

use std::fmt::Write as _;

use super::emit_methods::variant_name;
use super::model::{Kind, Model, TypeRef};
use super::schema::ALL;

/// The text of `tags.rs`.
pub(crate) fn tags(model: &Model, header: &str) -> String {
    let mut out = String::from(header);
    out.push_str("//!\n//! The zero-sized types of the string constants (`\"type\": \"text\"`) that tell types apart.\n\n");
    for (name, value) in &model.tags {
        let _ = writeln!(
            out,
            "const_tag! {{\n/// The constant string `{value:?}`: serializes as it and refuses any other value.\n{name} = {value:?}\n}}\n"
        );
    }
    out
}

fn bits(mask: u8) -> String {
    format!("crate::Revisions::from_bits(0b{mask:05b})")
}

/// The text of `revisioned.rs`: `impl Revisioned` for every generated type.
pub(crate) fn revisioned(model: &Model, header: &str) -> String {
    let mut out = String::from(header);
    out.push_str("//!\n//! `Revisioned` for every generated type: `conform_to` clears what a revision does not define.\n\n");
    out.push_str("use crate::{ProtocolVersion, Revisioned};\n\nuse super::methods::*;\nuse super::types::*;\n\n");
    for t in model.types.values() {
        let mut body = String::new();
        match &t.kind {
            Kind::Alias(_) => continue,
            Kind::Enum(_) => {}
            Kind::Struct(s) => {
                for f in &s.fields {
                    if f.optional && !f.nullable && (f.defined & t.revisions) != t.revisions {
                        let _ = writeln!(
                            body,
                            "if !{}.contains(version) {{\nself.{} = None;\n}}",
                            bits(f.defined),
                            f.rust
                        );
                    }
                }
                for f in &s.fields {
                    // `resultType` is required from 2026-07-28 on; a result built without
                    // one is complete.
                    if f.json == "resultType"
                        && f.optional
                        && f.ty == TypeRef::String
                        && f.required != 0
                    {
                        let _ = writeln!(
                            body,
                            "if {}.contains(version) && self.{}.is_none() {{\nself.{} = Some(String::from(\"complete\"));\n}}",
                            bits(f.required),
                            f.rust,
                            f.rust
                        );
                    }
                }
                for f in &s.fields {
                    if f.ty.needs_conform(model) {
                        let _ = writeln!(body, "self.{}.conform_to(version);", f.rust);
                    }
                }
                if t.revisions != ALL && !body.is_empty() {
                    let guard = format!(
                        "if !{}.contains(version) {{\nreturn;\n}}\n",
                        bits(t.revisions)
                    );
                    body.insert_str(0, &guard);
                }
            }
            Kind::Union(u) => {
                if u.variants.iter().any(|v| v.ty.needs_conform(model)) {
                    body.push_str("match self {\n");
                    for v in &u.variants {
                        if v.ty.needs_conform(model) {
                            let _ = writeln!(body, "Self::{}(v) => v.conform_to(version),", v.name);
                        } else {
                            let _ = writeln!(body, "Self::{}(_) => {{}}", v.name);
                        }
                    }
                    body.push_str("}\n");
                }
            }
        }
        emit_impl(&mut out, &t.name, &body);
    }
    for m in &model.messages {
        let body = if m.body.needs_conform(model) {
            format!("self.{}.conform_to(version);\n", m.body_key())
        } else {
            String::new()
        };
        emit_impl(&mut out, &m.name, &body);
    }
    for d in &model.dispatch {
        let mut body = String::from("match self {\n");
        for name in &d.messages {
            let Some(m) = model.message(name) else {
                continue;
            };
            if m.body.needs_conform(model) {
                let _ = writeln!(
                    body,
                    "Self::{}(p) => p.conform_to(version),",
                    variant_name(name)
                );
            } else {
                let _ = writeln!(body, "Self::{}(_) => {{}}", variant_name(name));
            }
        }
        body.push_str("Self::Other { .. } => {}\n}\n");
        emit_impl(&mut out, d.name, &body);
    }
    out
}

fn emit_impl(out: &mut String, name: &str, body: &str) {
    if body.is_empty() {
        let _ = writeln!(
            out,
            "impl Revisioned for {name} {{\nfn conform_to(&mut self, _: ProtocolVersion) {{}}\n}}\n"
        );
    } else {
        let _ = writeln!(
            out,
            "impl Revisioned for {name} {{\nfn conform_to(&mut self, version: ProtocolVersion) {{\n{body}}}\n}}\n"
        );
    }
}

/// The text of `mod.rs`.
pub(crate) fn module(header: &str) -> String {
    let mut out = String::from(header);
    out.push_str(
        "//!\n//! The generated half of `mcp-types`: protocol types (`types`), message types and method\n\
         //! dispatch (`methods`), constant tags (`tags`) and the per-revision shape (`revisioned`).\n\n\
         mod methods;\nmod revisioned;\nmod tags;\nmod types;\n\npub use methods::*;\npub use tags::*;\npub use types::*;\n",
    );
    out
}
