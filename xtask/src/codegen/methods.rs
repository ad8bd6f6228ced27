//! Which methods each revision defines, per direction: read from the
//! `ClientRequest` / `ServerRequest` / `ClientNotification` /
//! `ServerNotification` unions (and 2026-07-28's `InputRequest`, whose
//! members are the server's requests of that revision).

use serde_json::Value;

use super::merge::canonical;
use super::model::{Dispatch, Model};
use super::schema::{Schemas, bit, ref_name, union_members};
use crate::Error;

/// `(dispatch enum, documentation, schema unions that feed it)`.
const DIRECTIONS: &[(&str, &str, &[&str])] = &[
    (
        "ClientRequest",
        "A request a client sends to a server, with its parameters, over every revision.",
        &["ClientRequest"],
    ),
    (
        "ServerRequest",
        "A request a server sends to a client (in 2026-07-28, an `InputRequiredResult` input request), with its parameters, over every revision.",
        &["ServerRequest", "InputRequest"],
    ),
    (
        "ClientNotification",
        "A notification a client sends to a server, with its parameters, over every revision.",
        &["ClientNotification"],
    ),
    (
        "ServerNotification",
        "A notification a server sends to a client, with its parameters, over every revision.",
        &["ServerNotification"],
    ),
];

/// Fills in `Model::dispatch` and every message's `method_revisions`.
pub(crate) fn add_dispatch(schemas: &Schemas, model: &mut Model) -> Result<(), Error> {
    for (name, doc, unions) in DIRECTIONS {
        let mut messages: Vec<String> = Vec::new();
        for rev in &schemas.revs {
            for union in *unions {
                let Some(node) = rev.defs.get(*union) else {
                    continue;
                };
                for member in members(schemas, rev.index, node)? {
                    let message = canonical(&member);
                    let m = model
                        .messages
                        .iter_mut()
                        .find(|m| m.name == message)
                        .ok_or_else(|| {
                            format!("codegen: `{union}` names `{member}`, which is not a message")
                        })?;
                    m.method_revisions |= bit(rev.index);
                    if !messages.contains(&message) {
                        messages.push(message);
                    }
                }
            }
        }
        model.dispatch.push(Dispatch {
            name,
            doc,
            messages,
        });
    }
    Ok(())
}

/// The message definitions a method union lists. 2026-07-28's
/// `ClientNotification` is not a union but the one notification itself; it
/// is matched to the definition with the same method.
fn members(schemas: &Schemas, rev: usize, node: &Value) -> Result<Vec<String>, Error> {
    if let Some(members) = union_members(node) {
        return members
            .iter()
            .map(|m| {
                ref_name(m)
                    .map(String::from)
                    .ok_or_else(|| "codegen: a method union member is not a $ref".into())
            })
            .collect();
    }
    let method = node
        .pointer("/properties/method/const")
        .and_then(Value::as_str)
        .ok_or("codegen: a method union is neither a union nor a message")?;
    let defs = &schemas.revs[rev].defs;
    let found = defs.iter().find(|(name, def)| {
        !matches!(
            name.as_str(),
            "ClientNotification" | "ServerNotification" | "ClientRequest" | "ServerRequest"
        ) && def
            .pointer("/properties/method/const")
            .and_then(Value::as_str)
            == Some(method)
    });
    match found {
        Some((name, _)) => Ok(vec![name.clone()]),
        None => Err(format!("codegen: no definition has method `{method}`").into()),
    }
}
