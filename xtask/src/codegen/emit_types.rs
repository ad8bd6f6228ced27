//! Emitting `generated/types.rs`: structs, string enums, unions and aliases.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::docs::{doc_lines, item_doc};
use super::model::{Enum, Field, Kind, Model, Struct, TypeDef, TypeRef, Union, UnionStyle, words};

const DERIVE_SCHEMA: &str = "#[cfg_attr(feature = \"schemars\", derive(schemars::JsonSchema))]\n";

/// The text of `types.rs` (before rustfmt).
pub(crate) fn emit(model: &Model, header: &str) -> String {
    let mut out = String::from(header);
    out.push_str("//!\n//! The protocol types of every revision, merged into one model.\n\n");
    out.push_str("#![allow(clippy::large_enum_variant)]\n\n");
    out.push_str("use super::tags::*;\n");
    if model.types.values().any(|t| references_message(t, model)) {
        out.push_str("use super::methods::*;\n");
    }
    out.push('\n');
    let defaults = default_structs(model);
    for t in model.types.values() {
        match &t.kind {
            Kind::Struct(s) => emit_struct(&mut out, t, s, &defaults),
            Kind::Enum(e) => emit_enum(&mut out, t, e),
            Kind::Union(u) => emit_union(&mut out, t, u, model),
            Kind::Alias(a) => {
                doc_lines(
                    &mut out,
                    &item_doc(
                        t.doc.as_deref(),
                        &format!("The `{}` type of the MCP schema.", t.name),
                        t.revisions,
                    ),
                );
                let _ = writeln!(out, "pub type {} = {};\n", t.name, a.rust());
            }
        }
    }
    out
}

fn references_message(t: &TypeDef, model: &Model) -> bool {
    let refs = |ty: &TypeRef| named(ty).is_some_and(|n| model.message(n).is_some());
    match &t.kind {
        Kind::Struct(s) => s.fields.iter().any(|f| refs(&f.ty)),
        Kind::Union(u) => u.variants.iter().any(|v| refs(&v.ty)),
        Kind::Alias(a) => refs(a),
        Kind::Enum(_) => false,
    }
}

/// The generated type a type refers to, through `Vec` and maps.
pub(crate) fn named(ty: &TypeRef) -> Option<&str> {
    match ty {
        TypeRef::Named(n) => Some(n),
        TypeRef::Vec(t) | TypeRef::Map(t) => named(t),
        _ => None,
    }
}

/// The structs that can derive `Default`: every member is optional, a tag,
/// a collection, or itself such a struct.
fn default_structs(model: &Model) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    loop {
        let before = set.len();
        for t in model.types.values() {
            if let Kind::Struct(s) = &t.kind {
                let ok = s.fields.iter().all(|f| {
                    f.optional
                        || match &f.ty {
                            TypeRef::Tag(_)
                            | TypeRef::Vec(_)
                            | TypeRef::Map(_)
                            | TypeRef::JsonObject
                            | TypeRef::Meta => true,
                            TypeRef::Named(n) => set.contains(n),
                            _ => false,
                        }
                });
                if ok {
                    set.insert(t.name.clone());
                }
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

/// The Rust type of a field.
pub(crate) fn field_type(f: &Field) -> String {
    if f.optional {
        format!("Option<{}>", f.ty.rust())
    } else {
        f.ty.rust()
    }
}

fn field_doc(f: &Field, type_revisions: u8) -> String {
    let fallback = match &f.const_value {
        Some(v) if matches!(f.ty, TypeRef::Tag(_)) => {
            format!("The `{}` member: always `{v:?}`.", f.json)
        }
        Some(v) => format!(
            "The `{}` member: `{v:?}` where the schema fixes it.",
            f.json
        ),
        None => format!("The `{}` member.", f.json),
    };
    let mut doc = item_doc(f.doc.as_deref(), &fallback, f.revisions);
    let first = f.revisions & f.revisions.wrapping_neg();
    let after_first = !(first.wrapping_shl(1).wrapping_sub(1));
    if f.ty != TypeRef::Meta && f.defined & type_revisions & !f.revisions & after_first != 0 {
        doc.push_str(" Later revisions no longer list it but still allow it (the object is open), so it is kept.");
    }
    doc
}

fn emit_struct(out: &mut String, t: &TypeDef, s: &Struct, defaults: &BTreeSet<String>) {
    doc_lines(
        out,
        &item_doc(
            t.doc.as_deref(),
            &format!("The `{}` object of the MCP schema.", t.name),
            t.revisions,
        ),
    );
    let default = if defaults.contains(&t.name) {
        "Default, "
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq, {default}serde::Serialize, serde::Deserialize)]"
    );
    out.push_str(DERIVE_SCHEMA);
    let _ = writeln!(out, "pub struct {} {{", t.name);
    for f in &s.fields {
        doc_lines(out, &field_doc(f, t.revisions));
        let mut attrs = Vec::new();
        if f.json != f.rust.trim_start_matches("r#") {
            attrs.push(format!("rename = {:?}", f.json));
        }
        if f.optional && !f.nullable {
            attrs.push("default".into());
            attrs.push("skip_serializing_if = \"Option::is_none\"".into());
        }
        if !attrs.is_empty() {
            let _ = writeln!(out, "#[serde({})]", attrs.join(", "));
        }
        let _ = writeln!(out, "pub {}: {},", f.rust, field_type(f));
    }
    if s.extra {
        out.push_str("/// Members that the schema does not define, kept as received.\n");
        out.push_str("#[serde(flatten)]\npub extra: crate::JsonObject,\n");
    }
    out.push_str("}\n\n");
    emit_new(out, t, s);
}

/// `pub fn new(required...) -> Self` for structs with required members.
fn emit_new(out: &mut String, t: &TypeDef, s: &Struct) {
    let required: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| !f.optional || f.nullable)
        .filter(|f| !matches!(f.ty, TypeRef::Tag(_)))
        .collect();
    if required.is_empty() {
        return;
    }
    let _ = writeln!(out, "impl {} {{", t.name);
    out.push_str("/// Creates the value from its required members, in schema order; optional members are unset.\n");
    if required.len() > 7 {
        out.push_str("#[allow(clippy::too_many_arguments)]\n");
    }
    let params: Vec<String> = required
        .iter()
        .map(|f| match (&f.ty, f.optional) {
            (TypeRef::String, false) => format!("{}: impl Into<String>", f.rust),
            _ => format!("{}: {}", f.rust, field_type(f)),
        })
        .collect();
    let _ = writeln!(out, "pub fn new({}) -> Self {{", params.join(", "));
    let _ = writeln!(out, "{} {{", t.name);
    for f in &s.fields {
        let is_param = required.iter().any(|r| r.rust == f.rust);
        let value = match (&f.ty, is_param) {
            (TypeRef::String, true) if !f.optional => format!("{}.into()", f.rust),
            (_, true) => f.rust.clone(),
            (TypeRef::Tag(tag), false) => tag.clone(),
            _ => "None".into(),
        };
        if value == f.rust {
            let _ = writeln!(out, "{},", f.rust);
        } else {
            let _ = writeln!(out, "{}: {value},", f.rust);
        }
    }
    if s.extra {
        out.push_str("extra: crate::JsonObject::new(),\n");
    }
    out.push_str("}\n}\n}\n\n");
}

fn emit_enum(out: &mut String, t: &TypeDef, e: &Enum) {
    doc_lines(
        out,
        &item_doc(
            t.doc.as_deref(),
            &format!("The `{}` values of the MCP schema.", t.name),
            t.revisions,
        ),
    );
    let ord = if e.ordered { "PartialOrd, Ord, " } else { "" };
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, {ord}serde::Serialize, serde::Deserialize)]"
    );
    out.push_str(DERIVE_SCHEMA);
    let _ = writeln!(out, "pub enum {} {{", t.name);
    for (value, variant) in &e.values {
        let _ = writeln!(
            out,
            "/// `{value:?}`.\n#[serde(rename = {value:?})]\n{variant},"
        );
    }
    out.push_str("}\n\n");
    let _ = writeln!(out, "impl {} {{", t.name);
    out.push_str("/// The value as it appears on the wire.\npub const fn as_str(self) -> &'static str {\nmatch self {\n");
    for (value, variant) in &e.values {
        let _ = writeln!(out, "Self::{variant} => {value:?},");
    }
    out.push_str("}\n}\n}\n\n");
}

/// A lower-case noun for a union in error messages (`ContentBlock` → `content`).
fn noun(name: &str) -> String {
    let mut w = words(name);
    if w.len() > 1
        && matches!(
            w.last().map(String::as_str),
            Some("Block" | "Params" | "Definition")
        )
    {
        w.pop();
    }
    w.iter()
        .map(|s| s.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

fn emit_union(out: &mut String, t: &TypeDef, u: &Union, model: &Model) {
    doc_lines(
        out,
        &item_doc(
            t.doc.as_deref(),
            &format!("The `{}` union of the MCP schema.", t.name),
            t.revisions,
        ),
    );
    out.push_str("#[derive(Debug, Clone, PartialEq)]\n");
    out.push_str(DERIVE_SCHEMA);
    out.push_str("#[cfg_attr(feature = \"schemars\", schemars(untagged))]\n");
    let _ = writeln!(out, "pub enum {} {{", t.name);
    for v in &u.variants {
        let what = match (&v.ty, &v.tag, &u.style) {
            (TypeRef::Vec(inner), _, _) => format!("A list of `{}`.", inner.rust()),
            (ty, Some(tag), UnionStyle::Discriminated { key, .. }) => {
                format!("A [`{}`], with `{key}` `{tag:?}`.", ty.rust())
            }
            (TypeRef::Named(n), _, _) => format!("A [`{n}`]."),
            (ty, _, _) => format!("A `{}` value.", ty.rust()),
        };
        let _ = writeln!(out, "/// {what}\n{}({}),", v.name, v.ty.rust());
    }
    out.push_str("}\n\n");

    // Serialize: the variant's own representation.
    let _ = writeln!(out, "impl serde::Serialize for {} {{", t.name);
    out.push_str("fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\nmatch self {\n");
    for v in &u.variants {
        let _ = writeln!(out, "Self::{}(v) => v.serialize(serializer),", v.name);
    }
    out.push_str("}\n}\n}\n\n");

    let mut after = String::new();
    let _ = writeln!(out, "impl<'de> serde::Deserialize<'de> for {} {{", t.name);
    out.push_str("fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n");
    match &u.style {
        UnionStyle::OneOrMany => {
            let _ = writeln!(
                out,
                "Ok(match crate::de::one_or_many(deserializer, {:?})? {{",
                t.name
            );
            out.push_str("crate::de::OneOrMany::One(v) => Self::One(v),\ncrate::de::OneOrMany::Many(v) => Self::Many(v),\n})\n");
        }
        UnionStyle::Discriminated {
            key,
            fallback,
            open,
        } => {
            out.push_str("crate::de::tagged(deserializer)\n");
            let quoted = |f: &dyn Fn(&super::model::Variant) -> String| {
                u.variants
                    .iter()
                    .map(|v| format!("{:?}", f(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(
                after,
                "impl crate::de::Tagged for {name} {{\nconst NAME: &'static str = {name:?};\nconst NOUN: &'static str = {noun:?};\nconst KEY: &'static str = {key:?};\nconst TAGS: &'static [&'static str] = &[{tags}];\nconst VARIANTS: &'static [&'static str] = &[{names}];\nconst FALLBACK: Option<usize> = {fallback:?};\nconst OPEN: bool = {open};\n",
                name = t.name,
                noun = noun(&t.name),
                tags = quoted(&|v| v.tag.clone().unwrap_or_default()),
                names = quoted(&|v| v.name.clone()),
            );
            after.push_str("fn variant<'de, D: serde::Deserializer<'de>>(index: usize, deserializer: D) -> Result<Self, D::Error> {\nmatch index {\n");
            let last = u.variants.len() - 1;
            for (i, v) in u.variants.iter().enumerate() {
                let pat = if i == last {
                    "_".to_owned()
                } else {
                    i.to_string()
                };
                let _ = writeln!(
                    after,
                    "{pat} => {}::deserialize(deserializer).map(Self::{}),",
                    deserialize_path(&v.ty),
                    v.name
                );
            }
            after.push_str("}\n}\n}\n\n");
        }
        UnionStyle::Untagged => {
            out.push_str("let value = serde_json::Value::deserialize(deserializer)?;\n");
            out.push_str("const SHAPES: &[crate::de::Shape] = &[\n");
            for v in &u.variants {
                let _ = writeln!(out, "{},", shape(&v.ty, model));
            }
            out.push_str("];\n");
            let names: Vec<String> = u.variants.iter().map(|v| format!("{:?}", v.name)).collect();
            let _ = writeln!(out, "const NAMES: &[&str] = &[{}];", names.join(", "));
            // Ambiguous shapes are tried in order by reference; the last candidate takes the value.
            let _ = writeln!(
                out,
                "fn variant<'v, V: serde::Deserializer<'v, Error = serde_json::Error>>(index: usize, v: V) -> Result<{}, serde_json::Error> {{\nmatch index {{",
                t.name
            );
            let last = u.variants.len() - 1;
            for (i, v) in u.variants.iter().enumerate() {
                let pat = if i == last {
                    "_".to_owned()
                } else {
                    i.to_string()
                };
                let _ = writeln!(
                    out,
                    "{pat} => {}::deserialize(v).map({}::{}),",
                    deserialize_path(&v.ty),
                    t.name,
                    v.name
                );
            }
            out.push_str("}\n}\n");
            let expected: Vec<String> = u.variants.iter().map(|v| v.ty.rust()).collect();
            let _ = writeln!(
                out,
                "let mask = crate::de::candidates(&value, SHAPES);\nif mask == 0 {{\nreturn Err(crate::de::custom(crate::de::no_variant({:?}, &value, {:?})));\n}}",
                t.name,
                expected.join(" | ")
            );
            let _ = writeln!(
                out,
                "let last = 63 - mask.leading_zeros() as usize;\nfor index in (0..last).filter(|i| mask & (1 << i) != 0) {{\nif let Ok(v) = variant(index, &value) {{\nreturn Ok(v);\n}}\n}}\nvariant(last, value).map_err(|e| crate::de::custom(crate::de::invalid_variant({:?}, NAMES[last], e)))",
                t.name
            );
        }
    }
    out.push_str("}\n}\n\n");
    out.push_str(&after);

    // From each variant type that appears once.
    for v in &u.variants {
        let once = u.variants.iter().filter(|w| w.ty == v.ty).count() == 1;
        let from = matches!(v.ty, TypeRef::Named(_)) || matches!(u.style, UnionStyle::OneOrMany);
        if once && from {
            let _ = writeln!(
                out,
                "impl From<{ty}> for {name} {{\nfn from(v: {ty}) -> Self {{\nSelf::{var}(v)\n}}\n}}\n",
                ty = v.ty.rust(),
                name = t.name,
                var = v.name
            );
        }
    }
}

/// The path to call `deserialize` on for a type (`<TextContent as serde::Deserialize>`).
fn deserialize_path(ty: &TypeRef) -> String {
    format!("<{} as serde::Deserialize>", ty.rust())
}

/// The `crate::de::Shape` of an untagged union variant.
fn shape(ty: &TypeRef, model: &Model) -> String {
    match ty {
        TypeRef::String | TypeRef::Const(_) | TypeRef::Tag(_) => "crate::de::Shape::String".into(),
        TypeRef::I64 => "crate::de::Shape::Integer".into(),
        TypeRef::F64 => "crate::de::Shape::Number".into(),
        TypeRef::Bool => "crate::de::Shape::Boolean".into(),
        TypeRef::Vec(_) => "crate::de::Shape::Array".into(),
        TypeRef::Named(n) => {
            if let Some(t) = model.types.get(n) {
                match &t.kind {
                    Kind::Struct(s) => {
                        let known: Vec<String> =
                            s.fields.iter().map(|f| format!("{:?}", f.json)).collect();
                        let required: Vec<String> = s
                            .fields
                            .iter()
                            .filter(|f| !f.optional)
                            .map(|f| format!("{:?}", f.json))
                            .collect();
                        // Required members with a fixed set of strings tell variants apart.
                        let tags: Vec<String> = s
                            .fields
                            .iter()
                            .filter(|f| !f.optional)
                            .filter_map(|f| {
                                let values: Vec<String> = match &f.ty {
                                    TypeRef::Tag(_) => {
                                        vec![format!("{:?}", f.const_value.as_deref()?)]
                                    }
                                    TypeRef::Named(n) => match &model.types.get(n)?.kind {
                                        Kind::Enum(e) => {
                                            e.values.iter().map(|(v, _)| format!("{v:?}")).collect()
                                        }
                                        _ => return None,
                                    },
                                    _ => return None,
                                };
                                Some(format!("({:?}, &[{}])", f.json, values.join(", ")))
                            })
                            .collect();
                        return format!(
                            "crate::de::Shape::Object {{ known: &[{}], required: &[{}], tags: &[{}] }}",
                            known.join(", "),
                            required.join(", "),
                            tags.join(", ")
                        );
                    }
                    Kind::Enum(_) => return "crate::de::Shape::String".into(),
                    Kind::Alias(a) => return shape(a, model),
                    Kind::Union(_) => {}
                }
            }
            "crate::de::Shape::AnyObject".into()
        }
        _ => "crate::de::Shape::AnyObject".into(),
    }
}
