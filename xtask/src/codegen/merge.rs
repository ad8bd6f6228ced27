//! Building one Rust model for all revisions: the merge rules.
//!
//! Every generated type is a *site*: a name plus the schema nodes, per
//! revision, that describe it (its *occurrences*). A definition's occurrences
//! are its nodes in the revisions that define it; an inline object gets the
//! name `Parent` + `Member` and the inline nodes at that position in every
//! revision; an older revision's inline object at a position where the newest
//! revision has a `$ref` becomes an occurrence of the referenced definition
//! (so 2024-11-05's inline `CallToolRequest.params` is an occurrence of
//! `CallToolRequestParams`). Building a site can add occurrences to other
//! sites, so the builder runs to a fixpoint; the last pass's types are final.

mod enums;
mod unions;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::model::{
    Field, IdMode, Kind, Message, MessageKind, Model, Struct, TypeDef, TypeRef, field_name, pascal,
    tag_name, type_name,
};
use super::schema::{
    ALL, ObjectView, Schemas, bit, description, is_inline_object, ref_name, type_names,
    union_members,
};
use crate::Error;

/// Definitions that are hand-written in `mcp-types` or folded into other types.
const SKIPPED: &[&str] = &[
    "Error",
    "ParseError",
    "InvalidRequestError",
    "MethodNotFoundError",
    "InvalidParamsError",
    "InternalError",
    "HeaderMismatchError",
    "MissingRequiredClientCapabilityError",
    "UnsupportedProtocolVersionError",
    "URLElicitationRequiredError",
    "Request",
    "Notification",
    "ClientRequest",
    "ServerRequest",
    "ClientNotification",
    "ServerNotification",
    "ClientResult",
    "ServerResult",
    "EmptyResult",
];

/// Error responses whose `error.data` gets a typed struct.
const ERROR_DATA: &[&str] = &[
    "HeaderMismatchError",
    "MissingRequiredClientCapabilityError",
    "UnsupportedProtocolVersionError",
    "URLElicitationRequiredError",
];

/// Names for inline positions where `Parent` + `Member` would be poor, or
/// where identical inline shapes at several positions should share a type.
const OVERRIDES: &[(&str, &str, &str)] = &[
    ("Annotated", "annotations", "Annotations"),
    ("EmbeddedResource", "resource", "TextOrBlobResourceContents"),
    (
        "ReadResourceResult",
        "contents",
        "TextOrBlobResourceContents",
    ),
    ("SamplingMessage", "content", "SamplingContent"),
    ("CreateMessageResult", "content", "SamplingContent"),
];

/// The keys a discriminated union may be told apart by, in order of preference.
const DISCRIMINATORS: &[&str] = &["type", "mode", "method"];

/// Types that map to hand-written ones.
fn mapped(def: &str) -> Option<TypeRef> {
    Some(match def {
        "JSONValue" => TypeRef::Value,
        "JSONObject" => TypeRef::JsonObject,
        "JSONArray" => TypeRef::Vec(Box::new(TypeRef::Value)),
        "RequestId" => TypeRef::RequestId,
        "ProgressToken" => TypeRef::ProgressToken,
        d if d.ends_with("MetaObject") => TypeRef::Meta,
        _ => return None,
    })
}

fn skipped(def: &str) -> bool {
    def.starts_with("JSONRPC") || SKIPPED.contains(&def) || mapped(def).is_some()
}

/// The Rust name of the type a definition becomes.
pub(crate) fn canonical(def: &str) -> String {
    match def {
        "Result" | "EmptyResult" => "EmptyResult".into(),
        d => type_name(d),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SiteKind {
    Struct,
    Union,
    Enum,
    Alias,
    Message(MessageKind),
}

type Occ<'s> = (usize, &'s Value);

#[derive(Debug)]
struct Site<'s> {
    kind: SiteKind,
    occ: Vec<Occ<'s>>,
    /// The schema definition, for definition sites.
    def: Option<String>,
}

#[derive(Debug)]
struct Add<'s> {
    name: String,
    kind: SiteKind,
    occ: Vec<Occ<'s>>,
}

struct Builder<'s> {
    schemas: &'s Schemas,
    sites: BTreeMap<String, Site<'s>>,
    /// Rust name to schema definition name.
    defs: BTreeMap<String, String>,
    adds: Vec<Add<'s>>,
    tags: BTreeMap<String, String>,
    /// `(member, sorted values)` to the definitions an inline enum appears in.
    inline_enums: BTreeMap<(String, Vec<String>), BTreeSet<String>>,
}

/// Builds the model from every revision's schema.
pub(crate) fn build(schemas: &Schemas) -> Result<Model, Error> {
    let mut b = Builder {
        schemas,
        sites: BTreeMap::new(),
        defs: BTreeMap::new(),
        adds: Vec::new(),
        tags: BTreeMap::new(),
        inline_enums: BTreeMap::new(),
    };
    b.seed()?;
    b.scan_inline_enums();
    let mut passes = 0;
    let model = loop {
        passes += 1;
        if passes > 32 {
            return Err("codegen: merging did not reach a fixpoint".into());
        }
        b.adds.clear();
        b.tags.clear();
        let mut model = Model::default();
        let names: Vec<String> = b.sites.keys().cloned().collect();
        for name in &names {
            b.build_site(name, &mut model)?;
        }
        if !b.apply_adds()? {
            model.tags = std::mem::take(&mut b.tags);
            if model.messages.iter().any(|m| m.jsonrpc_field) {
                model.tags.insert("JsonrpcTag".into(), "2.0".into());
            }
            break model;
        }
    };
    let mut model = model;
    super::methods::add_dispatch(schemas, &mut model)?;
    Ok(model)
}

impl<'s> Builder<'s> {
    /// Creates a site for every definition and for the typed error data.
    fn seed(&mut self) -> Result<(), Error> {
        let schemas = self.schemas;
        for def in schemas.all_def_names() {
            if skipped(&def) {
                continue;
            }
            let occ: Vec<Occ<'s>> = (0..schemas.revs.len())
                .filter_map(|r| schemas.def(r, &def).map(|n| (r, n)))
                .collect();
            let newest = occ.last().map(|o| o.1).ok_or("definition without node")?;
            let kind = match message_kind(schemas, &def) {
                Some(k) => SiteKind::Message(k),
                None if union_members(newest).is_some() => SiteKind::Union,
                None if newest.get("enum").is_some() => SiteKind::Enum,
                None if occ
                    .iter()
                    .any(|(r, n)| !schemas.object_view(*r, n).props.is_empty()) =>
                {
                    SiteKind::Struct
                }
                None => SiteKind::Alias,
            };
            let name = canonical(&def);
            self.defs.insert(name.clone(), def.clone());
            self.sites.insert(
                name,
                Site {
                    kind,
                    occ,
                    def: Some(def),
                },
            );
        }
        for def in ERROR_DATA {
            let occ: Vec<Occ<'s>> = (0..schemas.revs.len())
                .filter_map(|r| {
                    let node = schemas.def(r, def)?;
                    let parts = node.pointer("/properties/error/allOf")?.as_array()?;
                    parts
                        .iter()
                        .find_map(|p| p.pointer("/properties/data"))
                        .map(|d| (r, d))
                })
                .collect();
            if !occ.is_empty() {
                let name = format!("{}Data", type_name(def));
                self.sites.insert(
                    name,
                    Site {
                        kind: SiteKind::Struct,
                        occ,
                        def: None,
                    },
                );
            }
        }
        Ok(())
    }

    fn add(&mut self, name: &str, kind: SiteKind, occ: Vec<Occ<'s>>) {
        self.adds.push(Add {
            name: name.to_owned(),
            kind,
            occ,
        });
    }

    /// Applies the additions of a pass; whether anything changed.
    fn apply_adds(&mut self) -> Result<bool, Error> {
        let mut changed = false;
        for add in std::mem::take(&mut self.adds) {
            let site = self.sites.entry(add.name.clone()).or_insert_with(|| {
                changed = true;
                Site {
                    kind: add.kind,
                    occ: Vec::new(),
                    def: None,
                }
            });
            if site.kind != add.kind {
                return Err(format!(
                    "codegen: `{}` is both a {:?} and a {:?}",
                    add.name, site.kind, add.kind
                )
                .into());
            }
            for o in add.occ {
                if !site
                    .occ
                    .iter()
                    .any(|s| s.0 == o.0 && std::ptr::eq(s.1, o.1))
                {
                    site.occ.push(o);
                    changed = true;
                }
            }
            site.occ.sort_by_key(|o| o.0);
        }
        Ok(changed)
    }

    fn kind_of(&self, name: &str) -> Option<SiteKind> {
        self.sites.get(name).map(|s| s.kind)
    }

    fn build_site(&mut self, name: &str, model: &mut Model) -> Result<(), Error> {
        let site = &self.sites[name];
        let kind = site.kind;
        let occ = site.occ.clone();
        let revisions = occ.iter().fold(0, |m, o| m | bit(o.0));
        let doc = occ
            .iter()
            .rev()
            .find_map(|o| description(o.1))
            .map(String::from);
        let kind = match kind {
            SiteKind::Struct => Kind::Struct(self.build_struct(name, &occ)?),
            SiteKind::Union => Kind::Union(self.build_union(name, &occ)?),
            SiteKind::Enum => Kind::Enum(enums::build_enum(name, &occ)?),
            SiteKind::Alias => Kind::Alias(self.decide(&format!("{name}Value"), "", &occ)),
            SiteKind::Message(k) => {
                let message = self.build_message(name, k, &occ, revisions, doc)?;
                model.messages.push(message);
                return Ok(());
            }
        };
        model.types.insert(
            name.to_owned(),
            TypeDef {
                name: name.to_owned(),
                revisions,
                doc,
                kind,
            },
        );
        Ok(())
    }

    /// The merged object view of a site in each revision it exists in.
    fn views(&self, occ: &[Occ<'s>]) -> Vec<(usize, ObjectView<'s>)> {
        let mut out: Vec<(usize, ObjectView<'s>)> = Vec::new();
        for &(rev, node) in occ {
            let view = self.schemas.object_view(rev, node);
            match out.iter_mut().find(|(r, _)| *r == rev) {
                None => out.push((rev, view)),
                Some((_, merged)) => {
                    let required: BTreeSet<&str> = merged
                        .required
                        .iter()
                        .copied()
                        .filter(|r| view.required.contains(r) || view.prop(r).is_none())
                        .chain(
                            view.required
                                .iter()
                                .copied()
                                .filter(|r| merged.prop(r).is_none()),
                        )
                        .collect();
                    for (n, s) in view.props {
                        if merged.prop(n).is_none() {
                            merged.props.push((n, s));
                        }
                    }
                    merged.required = required;
                    merged.open |= view.open;
                    merged.closed &= view.closed;
                }
            }
        }
        out.sort_by_key(|v| v.0);
        out
    }

    fn build_struct(&mut self, name: &str, occ: &[Occ<'s>]) -> Result<Struct, Error> {
        let views = self.views(occ);
        let type_revs = views.iter().fold(0u8, |m, v| m | bit(v.0));
        let mut order: Vec<&'s str> = Vec::new();
        for (_, view) in views.iter().rev() {
            for (p, _) in &view.props {
                if !order.contains(p) {
                    order.push(p);
                }
            }
        }
        let mut fields = Vec::new();
        for prop in order {
            let nodes: Vec<Occ<'s>> = views
                .iter()
                .filter_map(|(r, v)| v.prop(prop).map(|n| (*r, n)))
                .collect();
            let revisions = nodes.iter().fold(0u8, |m, n| m | bit(n.0));
            let required_all = views
                .iter()
                .all(|(_, v)| v.prop(prop).is_some() && v.required.contains(prop));
            let required = views
                .iter()
                .filter(|(_, v)| v.prop(prop).is_some() && v.required.contains(prop))
                .fold(0u8, |m, v| m | bit(v.0));
            let first = nodes.first().map_or(0, |n| n.0);
            let mut defined = ALL & !type_revs;
            for (r, v) in &views {
                if v.prop(prop).is_some() || (v.open && first < *r) {
                    defined |= bit(*r);
                }
            }
            let newest = nodes.last().ok_or("field without node")?.1;
            let nullable = type_names(newest).contains(&"null");
            let (ty, const_value) = if prop == "_meta" {
                defined = ALL;
                (TypeRef::Meta, None)
            } else {
                let hint = OVERRIDES
                    .iter()
                    .find(|o| o.0 == name && o.1 == prop)
                    .map_or_else(|| format!("{name}{}", pascal(prop)), |o| o.2.to_owned());
                match self.decide(&hint, prop, &nodes) {
                    TypeRef::Const(v) if required_all => {
                        let tag = tag_name(&v, prop);
                        if let Some(old) = self.tags.insert(tag.clone(), v.clone()) {
                            if old != v {
                                return Err(format!(
                                    "codegen: tag `{tag}` stands for both {old:?} and {v:?}"
                                )
                                .into());
                            }
                        }
                        (TypeRef::Tag(tag), Some(v))
                    }
                    TypeRef::Const(v) => (TypeRef::String, Some(v)),
                    t => (t, None),
                }
            };
            let doc = nodes
                .iter()
                .rev()
                .find_map(|n| description(n.1))
                .map(String::from);
            fields.push(Field {
                json: prop.to_owned(),
                rust: field_name(prop),
                ty,
                optional: !required_all || nullable,
                nullable: nullable && required_all,
                revisions,
                required,
                defined,
                const_value,
                doc,
            });
        }
        // Discriminators first: they read well, and a reader that streams
        // (like `crate::de::tagged`) sees them before the other members.
        fields.sort_by_key(|f| !matches!(f.ty, TypeRef::Tag(_)));
        let mut seen = BTreeSet::new();
        for f in &fields {
            if f.rust == "extra" || !seen.insert(f.rust.clone()) {
                return Err(format!("codegen: field name `{}` clashes in `{name}`", f.rust).into());
            }
        }
        Ok(Struct {
            fields,
            extra: !views.iter().all(|(_, v)| v.closed),
        })
    }

    /// The Rust type for the nodes at one position (oldest revision first),
    /// creating or extending sites as the merge rules say.
    fn decide(&mut self, hint: &str, member: &str, nodes: &[Occ<'s>]) -> TypeRef {
        let Some(&(_, n)) = nodes.last() else {
            return TypeRef::Value;
        };
        if let Some(target) = ref_name(n) {
            if let Some(t) = mapped(target) {
                return t;
            }
            let name = canonical(target);
            let inline: Vec<Occ<'s>> = nodes
                .iter()
                .copied()
                .filter(|o| is_inline_object(o.1))
                .collect();
            if !inline.is_empty() {
                match self.kind_of(&name) {
                    Some(SiteKind::Struct) => self.add(&name, SiteKind::Struct, inline),
                    Some(SiteKind::Union) => {
                        if let Some(fallback) = self.fallback_variant(target) {
                            self.add(&fallback, SiteKind::Struct, inline);
                        }
                    }
                    _ => {}
                }
            }
            return TypeRef::Named(name);
        }
        let types: Vec<&str> = type_names(n).into_iter().filter(|t| *t != "null").collect();
        if union_members(n).is_some() || types.len() > 1 {
            self.add(hint, SiteKind::Union, nodes.to_vec());
            return TypeRef::Named(hint.to_owned());
        }
        if let Some(values) = n.get("enum").and_then(Value::as_array) {
            let name = self.enum_name(hint, member, values);
            let occ = nodes
                .iter()
                .copied()
                .filter(|o| o.1.get("enum").is_some())
                .collect();
            self.add(&name, SiteKind::Enum, occ);
            return TypeRef::Named(name);
        }
        if let Some(c) = n.get("const").and_then(Value::as_str) {
            return TypeRef::Const(c.to_owned());
        }
        if types == ["array"] || (types.is_empty() && n.get("items").is_some()) {
            let items: Vec<Occ<'s>> = nodes
                .iter()
                .filter_map(|(r, node)| node.get("items").map(|i| (*r, i)))
                .collect();
            return TypeRef::Vec(Box::new(self.decide(hint, member, &items)));
        }
        if types == ["object"]
            || is_inline_object(n)
            || (types.is_empty() && n.get("additionalProperties").is_some())
        {
            let inline: Vec<Occ<'s>> = nodes
                .iter()
                .copied()
                .filter(|o| is_inline_object(o.1))
                .collect();
            let has_props = inline.iter().any(|o| {
                o.1.get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty())
                    || o.1.get("allOf").is_some()
            });
            if has_props {
                let mut occ = inline;
                for &(r, node) in nodes {
                    if let Some(target) = ref_name(node) {
                        if mapped(target).is_none()
                            && self.kind_of(&canonical(target)) == Some(SiteKind::Struct)
                        {
                            occ.push((r, node));
                        }
                    }
                }
                self.add(hint, SiteKind::Struct, occ);
                return TypeRef::Named(hint.to_owned());
            }
            let values: Vec<Occ<'s>> = nodes
                .iter()
                .filter_map(|(r, node)| match node.get("additionalProperties") {
                    Some(ap @ Value::Object(m)) if !m.is_empty() => Some((*r, ap)),
                    _ => None,
                })
                .collect();
            if values
                .last()
                .is_some_and(|v| nodes.last().is_some_and(|l| l.0 == v.0))
            {
                return TypeRef::Map(Box::new(self.decide(
                    &format!("{hint}Value"),
                    member,
                    &values,
                )));
            }
            return TypeRef::JsonObject;
        }
        match types.first().copied() {
            Some("string") => TypeRef::String,
            Some("integer") => TypeRef::I64,
            Some("number") => TypeRef::F64,
            Some("boolean") => TypeRef::Bool,
            _ => TypeRef::Value,
        }
    }

    fn build_message(
        &mut self,
        name: &str,
        kind: MessageKind,
        occ: &[Occ<'s>],
        revisions: u8,
        doc: Option<String>,
    ) -> Result<Message, Error> {
        let views = self.views(occ);
        let (_, newest) = views.last().ok_or("message without views")?;
        let method = views
            .iter()
            .rev()
            .find_map(|(_, v)| v.const_of("method").map(|c| c.0.to_owned()));
        let required = |k: &str| newest.prop(k).is_some() && newest.required.contains(k);
        let id = match kind {
            MessageKind::Notification => IdMode::None,
            _ if required("id") => IdMode::Required,
            _ => IdMode::Optional,
        };
        let body_key = if kind == MessageKind::ResultResponse {
            "result"
        } else {
            "params"
        };
        let body_required = required(body_key);
        let jsonrpc_field = kind == MessageKind::Request && !required("jsonrpc");
        let nodes: Vec<Occ<'s>> = views
            .iter()
            .filter_map(|(r, v)| v.prop(body_key).map(|n| (*r, n)))
            .collect();
        let body = self.decide(&format!("{name}{}", pascal(body_key)), body_key, &nodes);
        let result = (kind == MessageKind::Request).then(|| {
            let base = name.strip_suffix("Request").unwrap_or(name);
            let candidate = format!("{base}Result");
            if self.sites.contains_key(&candidate) {
                candidate
            } else {
                "EmptyResult".to_owned()
            }
        });
        Ok(Message {
            name: name.to_owned(),
            kind,
            method,
            id,
            jsonrpc_field,
            body,
            body_required,
            revisions,
            method_revisions: 0,
            result,
            doc,
        })
    }
}

/// Whether a definition is a request, notification or result-response message.
fn message_kind(schemas: &Schemas, def: &str) -> Option<MessageKind> {
    if def.starts_with("JSONRPC") {
        return None;
    }
    if def.ends_with("ResultResponse") {
        return Some(MessageKind::ResultResponse);
    }
    let has_method = (0..schemas.revs.len()).any(|r| {
        schemas
            .def(r, def)
            .is_some_and(|n| schemas.object_view(r, n).const_of("method").is_some())
    });
    match () {
        _ if has_method && def.ends_with("Request") => Some(MessageKind::Request),
        _ if has_method && def.ends_with("Notification") => Some(MessageKind::Notification),
        _ => None,
    }
}
