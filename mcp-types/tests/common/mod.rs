//! Helpers shared by the integration tests: where the official schemas and
//! examples are, JSON comparison, and validation against a revision's schema.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use mcp_types::ProtocolVersion;
use serde_json::{Map, Value};

/// `$MCP_SCHEMA_DIR`, or `../shared/mcp-schema` relative to the repository root.
pub(crate) fn schema_dir() -> PathBuf {
    match std::env::var_os("MCP_SCHEMA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/mcp-schema"),
    }
}

/// The schema document of a revision.
pub(crate) fn schema(version: ProtocolVersion) -> &'static Value {
    static CACHE: OnceLock<Vec<Value>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        ProtocolVersion::ALL
            .iter()
            .map(|v| {
                let path = schema_dir().join(v.as_str()).join("schema.json");
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                serde_json::from_str(&text).expect("schema.json is JSON")
            })
            .collect()
    });
    &all[version.index()]
}

/// Where a revision keeps its definitions.
pub(crate) fn defs_key(version: ProtocolVersion) -> &'static str {
    if schema(version).get("$defs").is_some() {
        "$defs"
    } else {
        "definitions"
    }
}

/// Whether a revision defines `name`.
pub(crate) fn has_def(version: ProtocolVersion, name: &str) -> bool {
    schema(version)[defs_key(version)].get(name).is_some()
}

/// Validates `instance` against definition `def` of `version`'s schema (a
/// `$ref` into the loaded document). With `strict`, every object schema that
/// lists `properties` and does not say otherwise refuses other members
/// (`_meta`, which every request, notification and result may carry, is
/// always allowed), so a member that the revision does not define fails.
pub(crate) fn validate(
    version: ProtocolVersion,
    def: &str,
    instance: &Value,
    strict: bool,
) -> Result<(), String> {
    // One validator per revision (and strictness) whose root has a property
    // per definition, `$ref`-ing it: compiling the document once is far
    // cheaper than once per definition. The instance is wrapped to match.
    static CACHE: OnceLock<Mutex<BTreeMap<(usize, bool), &'static jsonschema::Validator>>> =
        OnceLock::new();
    assert!(has_def(version, def), "{version} has no definition {def}");
    let validator = {
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .expect("cache lock");
        *cache.entry((version.index(), strict)).or_insert_with(|| {
            let mut doc = schema(version).clone();
            let key = defs_key(version);
            if strict {
                make_strict(&mut doc, key);
            }
            let names: Vec<String> = doc[key]
                .as_object()
                .expect("definitions")
                .keys()
                .cloned()
                .collect();
            let props: Map<String, Value> = names
                .into_iter()
                .map(|n| {
                    let r = serde_json::json!({ "$ref": format!("#/{key}/{n}") });
                    (n, r)
                })
                .collect();
            let root = doc.as_object_mut().expect("a schema document is an object");
            root.insert("type".into(), "object".into());
            root.insert("properties".into(), Value::Object(props));
            let validator = jsonschema::validator_for(&doc).expect("the schema compiles");
            Box::leak(Box::new(validator))
        })
    };
    let wrapped = serde_json::json!({ def: instance });
    let errors: Vec<String> = validator
        .iter_errors(&wrapped)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{version} {def}{}: {}\n{}",
            if strict { " (strict)" } else { "" },
            errors.join("; "),
            pretty(instance)
        ))
    }
}

/// Adds `additionalProperties: false` to every object schema with
/// `properties` and no `additionalProperties`, except the definitions that
/// are parts of an `allOf` (where it would refuse the other parts' members).
fn make_strict(doc: &mut Value, defs_key: &str) {
    let mut in_all_of = Vec::new();
    collect_all_of_refs(doc, &mut in_all_of);
    if let Some(defs) = doc.get_mut(defs_key).and_then(Value::as_object_mut) {
        for (name, def) in defs.iter_mut() {
            // `_meta` objects are open bags by design.
            if !in_all_of.contains(name) && !name.ends_with("MetaObject") {
                strict_node(def);
            }
        }
    }
}

fn collect_all_of_refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
                for p in parts {
                    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
                        out.push(r.rsplit('/').next().unwrap_or_default().to_owned());
                    }
                }
            }
            map.values().for_each(|v| collect_all_of_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_all_of_refs(v, out)),
        _ => {}
    }
}

fn strict_node(node: &mut Value) {
    match node {
        Value::Object(map) => {
            if map.get("allOf").is_none()
                && map.get("additionalProperties").is_none()
                && map.get("properties").is_some_and(Value::is_object)
            {
                if let Some(Value::Object(props)) = map.get_mut("properties") {
                    props
                        .entry("_meta")
                        .or_insert_with(|| Value::Object(Map::new()));
                }
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (k, v) in map.iter_mut() {
                if k == "properties" {
                    if let Value::Object(props) = v {
                        props
                            .iter_mut()
                            .filter(|(name, _)| *name != "_meta")
                            .for_each(|(_, p)| strict_node(p));
                    }
                } else {
                    strict_node(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strict_node),
        _ => {}
    }
}

/// Whether two JSON values are equal, numbers compared by value (`50` and
/// `50.0` are the same number; an `f64` field writes the latter).
pub(crate) fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

pub(crate) fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The official examples: directory (type name) to `(file name, text)`.
pub(crate) fn examples() -> BTreeMap<String, Vec<(String, String)>> {
    let dir = schema_dir().join("2026-07-28/examples");
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for entry in
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
    {
        let entry = entry.expect("a directory entry");
        if !entry.path().is_dir() {
            continue;
        }
        let ty = entry.file_name().to_string_lossy().into_owned();
        for file in std::fs::read_dir(entry.path()).expect("an examples directory") {
            let path = file.expect("a file").path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).expect("an example file");
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                out.entry(ty.clone()).or_default().push((name, text));
            }
        }
    }
    out
}
