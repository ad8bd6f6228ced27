//! String enums: inline enums' names, and the values of every enum over
//! the revisions.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Builder, Occ, SiteKind};
use crate::Error;
use crate::codegen::model::{Enum, enum_variant, pascal};

impl<'s> Builder<'s> {
    /// Records every inline string enum by member name and values, so that
    /// one shared by several definitions gets the member's name.
    pub(super) fn scan_inline_enums(&mut self) {
        fn walk(
            node: &Value,
            member: Option<&str>,
            def: &str,
            out: &mut BTreeMap<(String, Vec<String>), BTreeSet<String>>,
        ) {
            match node {
                Value::Object(map) => {
                    if let (Some(m), Some(values)) =
                        (member, map.get("enum").and_then(Value::as_array))
                    {
                        let mut vals: Vec<String> = values
                            .iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect();
                        vals.sort();
                        out.entry((m.to_owned(), vals))
                            .or_default()
                            .insert(def.to_owned());
                    }
                    for (k, v) in map {
                        if k == "properties" {
                            if let Some(props) = v.as_object() {
                                for (name, schema) in props {
                                    walk(schema, Some(name), def, out);
                                }
                            }
                        } else {
                            walk(v, member, def, out);
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, member, def, out)),
                _ => {}
            }
        }
        for rev in &self.schemas.revs {
            for (def, node) in &rev.defs {
                walk(node, None, def, &mut self.inline_enums);
            }
        }
    }

    /// The name of an inline string enum: an existing definition with the
    /// same values, the member's own name when several definitions share
    /// it, or `Parent` + `Member`.
    pub(super) fn enum_name(&self, hint: &str, member: &str, values: &[Value]) -> String {
        let mut vals: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect();
        vals.sort();
        for (name, site) in &self.sites {
            if site.kind == SiteKind::Enum && site.def.is_some() {
                if let Some(node) = site.occ.last() {
                    let mut theirs: Vec<String> = node.1["enum"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(String::from)
                                .collect()
                        })
                        .unwrap_or_default();
                    theirs.sort();
                    if theirs == vals {
                        return name.clone();
                    }
                }
            }
        }
        let shared = self
            .inline_enums
            .get(&(member.to_owned(), vals))
            .is_some_and(|defs| defs.len() > 1);
        let own = pascal(member);
        if shared && !own.is_empty() && self.sites.get(&own).is_none_or(|s| s.def.is_none()) {
            own
        } else {
            hint.to_owned()
        }
    }
}

/// A string enum: the union of the values over revisions, newest order first.
pub(super) fn build_enum(name: &str, occ: &[Occ<'_>]) -> Result<Enum, Error> {
    let mut values: Vec<String> = Vec::new();
    for (_, node) in occ.iter().rev() {
        for v in node
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let v = v
                .as_str()
                .ok_or_else(|| format!("codegen: `{name}` has a non-string value"))?;
            if !values.iter().any(|x| x == v) {
                values.push(v.to_owned());
            }
        }
    }
    let mut ordered = false;
    if name == "LoggingLevel" {
        const SEVERITY: [&str; 8] = [
            "debug",
            "info",
            "notice",
            "warning",
            "error",
            "critical",
            "alert",
            "emergency",
        ];
        if values.len() != SEVERITY.len() || !values.iter().all(|v| SEVERITY.contains(&v.as_str()))
        {
            return Err("codegen: LoggingLevel values changed; update the severity order".into());
        }
        values = SEVERITY.iter().map(|s| (*s).to_owned()).collect();
        ordered = true;
    }
    Ok(Enum {
        values: values
            .into_iter()
            .map(|v| {
                let variant = enum_variant(&v);
                (v, variant)
            })
            .collect(),
        ordered,
    })
}
