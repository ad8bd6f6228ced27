//! Loading the official schemas of every revision, and reading their nodes.
//!
//! Draft-07 revisions keep their definitions under `definitions`, 2020-12 ones
//! under `$defs`; both are read into the same [`Revision`] shape, so the rest
//! of the generator never sees the difference.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::Error;

/// The revisions the generator reads, oldest first; bit `i` of a revision mask
/// stands for `REVISIONS[i]`, exactly as `mcp_types::Revisions` does.
pub(crate) const REVISIONS: [&str; 5] = [
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    "2026-07-28",
];

/// The mask of every revision.
pub(crate) const ALL: u8 = 0b1_1111;

/// One revision's schema.
#[derive(Debug)]
pub(crate) struct Revision {
    /// The position of this revision in [`REVISIONS`].
    pub(crate) index: usize,
    /// The definitions, by name, in file order.
    pub(crate) defs: Map<String, Value>,
}

/// Every revision's schema, oldest first.
#[derive(Debug)]
pub(crate) struct Schemas {
    pub(crate) revs: Vec<Revision>,
}

/// Where the schemas live: `$MCP_SCHEMA_DIR`, or `../shared/mcp-schema`
/// relative to the repository root.
pub(crate) fn schema_dir() -> PathBuf {
    match std::env::var_os("MCP_SCHEMA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => crate::project_root().join("../shared/mcp-schema"),
    }
}

impl Schemas {
    /// Reads `<dir>/<revision>/schema.json` for every revision.
    pub(crate) fn load(dir: &Path) -> Result<Schemas, Error> {
        let mut revs = Vec::new();
        for (index, name) in REVISIONS.iter().enumerate() {
            let path = dir.join(name).join("schema.json");
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let doc: Value = serde_json::from_str(&text)
                .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
            let defs = doc
                .get("$defs")
                .or_else(|| doc.get("definitions"))
                .and_then(Value::as_object)
                .ok_or_else(|| format!("{} has no definitions", path.display()))?
                .clone();
            revs.push(Revision { index, defs });
        }
        Ok(Schemas { revs })
    }

    /// The definition `name` in revision `rev`, if that revision has it.
    pub(crate) fn def(&self, rev: usize, name: &str) -> Option<&Value> {
        self.revs[rev].defs.get(name)
    }

    /// Every definition name of every revision, newest revision's order first.
    pub(crate) fn all_def_names(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut names = Vec::new();
        for rev in self.revs.iter().rev() {
            for name in rev.defs.keys() {
                if seen.insert(name.clone()) {
                    names.push(name.clone());
                }
            }
        }
        names
    }

    /// The object view of `node` in revision `rev`: its properties (with those of
    /// `allOf` parts and `$ref`s merged in, in order), required names, and
    /// whether it explicitly allows any additional property.
    pub(crate) fn object_view<'s>(&'s self, rev: usize, node: &'s Value) -> ObjectView<'s> {
        let mut view = ObjectView::default();
        self.collect_view(rev, node, &mut view, 0);
        view
    }

    fn collect_view<'s>(
        &'s self,
        rev: usize,
        node: &'s Value,
        view: &mut ObjectView<'s>,
        depth: u32,
    ) {
        if depth > 16 {
            return;
        }
        if let Some(target) = ref_name(node) {
            if let Some(def) = self.def(rev, target) {
                self.collect_view(rev, def, view, depth + 1);
            }
            return;
        }
        if let Some(parts) = node.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.collect_view(rev, part, view, depth + 1);
            }
        }
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (name, schema) in props {
                match view.props.iter_mut().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = schema,
                    None => view.props.push((name.as_str(), schema)),
                }
            }
        }
        if let Some(req) = node.get("required").and_then(Value::as_array) {
            view.required.extend(req.iter().filter_map(Value::as_str));
        }
        match node.get("additionalProperties") {
            Some(Value::Bool(true)) => view.open = true,
            Some(Value::Object(m)) if m.is_empty() => view.open = true,
            Some(Value::Bool(false)) => view.closed = true,
            _ => {}
        }
    }
}

/// The properties of an object schema, flattened (see [`Schemas::object_view`]).
#[derive(Debug, Default)]
pub(crate) struct ObjectView<'s> {
    pub(crate) props: Vec<(&'s str, &'s Value)>,
    pub(crate) required: BTreeSet<&'s str>,
    /// `additionalProperties` is `{}` or `true`.
    pub(crate) open: bool,
    /// `additionalProperties` is `false`.
    pub(crate) closed: bool,
}

impl<'s> ObjectView<'s> {
    /// The schema of property `name`.
    pub(crate) fn prop(&self, name: &str) -> Option<&'s Value> {
        self.props.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    /// The string `const` of property `name`, and whether the property is required.
    pub(crate) fn const_of(&self, name: &str) -> Option<(&'s str, bool)> {
        let value = self.prop(name)?.get("const")?.as_str()?;
        Some((value, self.required.contains(name)))
    }
}

/// The mask bit of revision `index`.
pub(crate) const fn bit(index: usize) -> u8 {
    1 << index
}

/// The definition a `$ref` node points at (`#/definitions/X` or `#/$defs/X`).
pub(crate) fn ref_name(node: &Value) -> Option<&str> {
    let r = node.get("$ref")?.as_str()?;
    r.strip_prefix("#/$defs/")
        .or_else(|| r.strip_prefix("#/definitions/"))
}

/// The `anyOf` or `oneOf` members of a node.
pub(crate) fn union_members(node: &Value) -> Option<&Vec<Value>> {
    node.get("anyOf")
        .or_else(|| node.get("oneOf"))
        .and_then(Value::as_array)
}

/// The `type` names of a node (`"string"` or `["string", "null"]`).
pub(crate) fn type_names(node: &Value) -> Vec<&str> {
    match node.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a node describes an object inline (not a `$ref`).
pub(crate) fn is_inline_object(node: &Value) -> bool {
    ref_name(node).is_none()
        && union_members(node).is_none()
        && (type_names(node) == ["object"]
            || node.get("properties").is_some()
            || node.get("allOf").is_some())
}

/// The `description` of a node, if any.
pub(crate) fn description(node: &Value) -> Option<&str> {
    node.get("description").and_then(Value::as_str)
}
