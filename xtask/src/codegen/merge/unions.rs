//! Unions: their variants (from the newest revision), how they are told
//! apart on the wire, and their variant names.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Builder, DISCRIMINATORS, Occ, canonical, mapped};
use crate::Error;
use crate::codegen::model::{TypeRef, Union, UnionStyle, Variant, enum_variant, strip_common};
use crate::codegen::schema::{ref_name, type_names, union_members};

/// Unions whose schema says `integer` where senders put any number: an
/// elicitation form may ask for a `number` field (`NumberSchema`), and the
/// answer to it comes back in `ElicitResult.content`, which the schemas type
/// as `string | integer | boolean | string[]`. The other SDKs send `95.5`
/// there, so these unions get a `Number` variant after `Integer`.
const NUMBERS_AS_INTEGER: &[&str] = &["ElicitResultContentValue"];

impl<'s> Builder<'s> {
    /// The variant of union definition `def` whose discriminator is optional
    /// (the one an older revision's inline shape corresponds to).
    pub(super) fn fallback_variant(&self, def: &str) -> Option<String> {
        let schemas = self.schemas;
        let rev = (0..schemas.revs.len())
            .rev()
            .find(|r| schemas.def(*r, def).is_some())?;
        let members = union_members(schemas.def(rev, def)?)?;
        for key in DISCRIMINATORS {
            let consts: Vec<(String, Option<(&str, bool)>)> = members
                .iter()
                .filter_map(ref_name)
                .map(|m| {
                    (
                        m.to_owned(),
                        schemas
                            .def(rev, m)
                            .and_then(|n| schemas.object_view(rev, n).const_of(key)),
                    )
                })
                .collect();
            if consts.len() == members.len() && consts.iter().all(|c| c.1.is_some()) {
                let optional: Vec<&String> = consts
                    .iter()
                    .filter(|c| c.1.is_some_and(|v| !v.1))
                    .map(|c| &c.0)
                    .collect();
                if let [one] = optional[..] {
                    return Some(canonical(one));
                }
            }
        }
        None
    }

    pub(super) fn build_union(&mut self, name: &str, occ: &[Occ<'s>]) -> Result<Union, Error> {
        let schemas = self.schemas;
        let &(rev, node) = occ
            .iter()
            .rev()
            .find(|o| union_members(o.1).is_some() || type_names(o.1).len() > 1)
            .ok_or_else(|| format!("codegen: union `{name}` has no members"))?;
        let members: &'s [Value] = match union_members(node) {
            Some(m) => m,
            None => std::slice::from_ref(node),
        };
        // `X | X[]`, also when the schema spells X out as the members of a union definition.
        let refs: BTreeSet<&str> = members.iter().filter_map(ref_name).collect();
        let arrays: Vec<&Value> = members
            .iter()
            .filter(|m| type_names(m) == ["array"])
            .collect();
        if let [array] = arrays[..] {
            if let Some(item) = array.get("items").and_then(ref_name) {
                let item_members: BTreeSet<&str> = schemas
                    .def(rev, item)
                    .and_then(union_members)
                    .map(|m| m.iter().filter_map(ref_name).collect())
                    .unwrap_or_default();
                let only_refs = refs.len() + 1 == members.len();
                if only_refs
                    && (refs == BTreeSet::from([item])
                        || (!refs.is_empty() && refs == item_members))
                {
                    let one = TypeRef::Named(canonical(item));
                    return Ok(Union {
                        variants: vec![
                            Variant {
                                name: "One".into(),
                                ty: one.clone(),
                                tag: None,
                            },
                            Variant {
                                name: "Many".into(),
                                ty: TypeRef::Vec(Box::new(one)),
                                tag: None,
                            },
                        ],
                        style: UnionStyle::OneOrMany,
                    });
                }
            }
        }
        let mut variants: Vec<Variant> = Vec::new();
        let mut variant_defs: Vec<Option<&str>> = Vec::new();
        let primitive = |t: &str| match t {
            "string" => Some(("String", TypeRef::String)),
            "integer" => Some(("Integer", TypeRef::I64)),
            "number" => Some(("Number", TypeRef::F64)),
            "boolean" => Some(("Boolean", TypeRef::Bool)),
            _ => None,
        };
        for (i, m) in members.iter().enumerate() {
            if let Some(target) = ref_name(m) {
                let ty = mapped(target).unwrap_or_else(|| TypeRef::Named(canonical(target)));
                variants.push(Variant {
                    name: canonical(target),
                    ty,
                    tag: None,
                });
                variant_defs.push(Some(target));
                continue;
            }
            let types = type_names(m);
            if types == ["array"] {
                let items: Vec<Occ<'s>> =
                    m.get("items").map(|i| vec![(rev, i)]).unwrap_or_default();
                let inner = self.decide(&format!("{name}Item"), "", &items);
                let label = match &inner {
                    TypeRef::Named(n) => n.clone(),
                    TypeRef::String => "String".into(),
                    _ => "Value".into(),
                };
                variants.push(Variant {
                    name: format!("{label}Array"),
                    ty: TypeRef::Vec(Box::new(inner)),
                    tag: None,
                });
                variant_defs.push(None);
            } else if types.iter().all(|t| primitive(t).is_some()) && !types.is_empty() {
                for t in types {
                    let (vname, ty) = primitive(t).ok_or("primitive")?;
                    variants.push(Variant {
                        name: vname.into(),
                        ty,
                        tag: None,
                    });
                    variant_defs.push(None);
                    if t == "integer" && NUMBERS_AS_INTEGER.contains(&name) {
                        variants.push(Variant {
                            name: "Number".into(),
                            ty: TypeRef::F64,
                            tag: None,
                        });
                        variant_defs.push(None);
                    }
                }
            } else {
                let ty = self.decide(&format!("{name}Variant{i}"), "", &[(rev, m)]);
                variants.push(Variant {
                    name: format!("Variant{i}"),
                    ty,
                    tag: None,
                });
                variant_defs.push(None);
            }
        }
        // A discriminator: the same key with a distinct string const in every variant.
        let mut style = UnionStyle::Untagged;
        if variant_defs.iter().all(Option::is_some) && variants.len() > 1 {
            'keys: for key in DISCRIMINATORS {
                let mut tags = Vec::new();
                let mut fallback = None;
                for (i, def) in variant_defs.iter().flatten().enumerate() {
                    let newest = (0..schemas.revs.len())
                        .rev()
                        .find_map(|r| schemas.def(r, def).map(|n| (r, n)));
                    let Some((r, n)) = newest else { continue 'keys };
                    let Some((value, required)) = schemas.object_view(r, n).const_of(key) else {
                        continue 'keys;
                    };
                    if tags.contains(&value.to_owned()) {
                        continue 'keys;
                    }
                    if !required {
                        if fallback.is_some() {
                            continue 'keys;
                        }
                        fallback = Some(i);
                    }
                    tags.push(value.to_owned());
                }
                if fallback.is_some() && tags.len() == 1 {
                    continue;
                }
                for (v, t) in variants.iter_mut().zip(tags) {
                    v.tag = Some(t);
                }
                style = UnionStyle::Discriminated {
                    key: (*key).to_owned(),
                    fallback,
                    open: false,
                };
                break;
            }
        }
        // A 2026-07-28 result that may instead ask for input: the schema has no
        // const for it, but `resultType` tells them apart (SEP-2322:
        // `"input_required"`, otherwise or when absent, the result itself).
        if matches!(style, UnionStyle::Untagged) && variants.len() == 2 {
            if let Some(input) = variants
                .iter()
                .position(|v| v.ty == TypeRef::Named("InputRequiredResult".into()))
            {
                let other = 1 - input;
                variants[input].tag = Some("input_required".into());
                variants[other].tag = Some("complete".into());
                style = UnionStyle::Discriminated {
                    key: "resultType".into(),
                    fallback: Some(other),
                    open: true,
                };
            }
        }
        let type_names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
        if variant_defs.iter().all(Option::is_some) {
            match strip_common(&type_names) {
                Some(short) => variants.iter_mut().zip(short).for_each(|(v, s)| v.name = s),
                None => {
                    if matches!(style, UnionStyle::Discriminated { .. }) {
                        for v in &mut variants {
                            v.name = enum_variant(v.tag.as_deref().unwrap_or_default());
                        }
                    }
                }
            }
        }
        let mut seen = BTreeSet::new();
        if !variants.iter().all(|v| seen.insert(v.name.clone())) {
            return Err(format!("codegen: variant names clash in `{name}`").into());
        }
        Ok(Union { variants, style })
    }
}
