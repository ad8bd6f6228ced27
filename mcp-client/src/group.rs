//! [`ClientSessionGroup`]: several sessions seen as one: their tools,
//! prompts and resources aggregated, calls routed to the server that owns them.

use std::collections::HashMap;

use mcp_types::{CallToolResult, GetPromptResult, Prompt, ReadResourceResult, Resource, Tool};
use serde::Serialize;

use crate::ClientSession;
use crate::error::{ClientError, Result};
use crate::mrtr::CallOptions;

/// What a [`ClientSessionGroup`] does when two servers offer the same name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NamePolicy {
    /// Keep the servers' names; adding a server whose tool or prompt names
    /// (or resource URIs) collide with those already present fails with
    /// [`ClientError::NameCollision`] and the server is not added.
    #[default]
    Error,
    /// Name every tool and prompt `"<server><separator><name>"`, so names
    /// cannot collide. Resource URIs are never renamed: a URI offered twice
    /// belongs to the server added first.
    Prefix {
        /// Between the server's name and the component's (e.g. `"_"`).
        separator: String,
    },
}

/// Where a component of the group lives.
#[derive(Debug, Clone)]
struct Owner {
    server: String,
    name: String,
}

/// A group of sessions whose tools, prompts and resources are offered as one
/// set, with calls routed to the session that owns each.
///
/// ```no_run
/// use mcp_client::{ClientSession, ClientSessionGroup, NamePolicy};
///
/// # async fn f() -> mcp_client::Result<()> {
/// let mut group = ClientSessionGroup::new(NamePolicy::Prefix { separator: "_".into() });
/// group.add("time", ClientSession::spawn("uvx", ["mcp-server-time"]).await?).await?;
/// group.add("fetch", ClientSession::spawn("uvx", ["mcp-server-fetch"]).await?).await?;
/// for tool in group.tools() {
///     println!("{}", tool.name); // "time_get_current_time", "fetch_fetch", ...
/// }
/// let result = group.call_tool("time_get_current_time", serde_json::json!({"timezone": "UTC"})).await?;
/// # drop(result); Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct ClientSessionGroup {
    policy: NamePolicy,
    sessions: Vec<(String, ClientSession)>,
    tools: Vec<(Tool, Owner)>,
    prompts: Vec<(Prompt, Owner)>,
    resources: Vec<(Resource, Owner)>,
}

/// What one server offers, as listed.
struct Listing {
    tools: Vec<Tool>,
    prompts: Vec<Prompt>,
    resources: Vec<Resource>,
}

impl ClientSessionGroup {
    /// An empty group.
    pub fn new(policy: NamePolicy) -> Self {
        ClientSessionGroup {
            policy,
            ..Default::default()
        }
    }

    /// Adds a session under `name`: lists its tools, prompts and resources
    /// (what its capabilities offer) and adds them to the group.
    pub async fn add(&mut self, name: impl Into<String>, session: ClientSession) -> Result<()> {
        let name = name.into();
        if self.sessions.iter().any(|(n, _)| *n == name) {
            return Err(ClientError::NameCollision {
                kind: "server",
                name: name.clone(),
                first: name.clone(),
                second: name,
            });
        }
        let listing = list(&session).await?;
        self.merge(&name, listing)?;
        self.sessions.push((name, session));
        Ok(())
    }

    /// Removes the session named `name` (without closing it) and what it offered.
    pub fn remove(&mut self, name: &str) -> Option<ClientSession> {
        let index = self.sessions.iter().position(|(n, _)| n == name)?;
        let (_, session) = self.sessions.remove(index);
        self.tools.retain(|(_, o)| o.server != name);
        self.prompts.retain(|(_, o)| o.server != name);
        self.resources.retain(|(_, o)| o.server != name);
        Some(session)
    }

    /// Lists every session's components again (after a list change).
    pub async fn refresh(&mut self) -> Result<()> {
        let mut listings = Vec::with_capacity(self.sessions.len());
        for (name, session) in &self.sessions {
            listings.push((name.clone(), list(session).await?));
        }
        self.tools.clear();
        self.prompts.clear();
        self.resources.clear();
        for (name, listing) in listings {
            self.merge(&name, listing)?;
        }
        Ok(())
    }

    /// The sessions, by name, in the order they were added.
    pub fn sessions(&self) -> impl Iterator<Item = (&str, &ClientSession)> {
        self.sessions.iter().map(|(n, s)| (n.as_str(), s))
    }

    /// The session named `name`.
    pub fn session(&self, name: &str) -> Option<&ClientSession> {
        self.sessions
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
    }

    /// Every tool of the group, under its group name.
    pub fn tools(&self) -> impl Iterator<Item = &Tool> {
        self.tools.iter().map(|(t, _)| t)
    }

    /// Every prompt of the group, under its group name.
    pub fn prompts(&self) -> impl Iterator<Item = &Prompt> {
        self.prompts.iter().map(|(p, _)| p)
    }

    /// Every resource of the group.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.resources.iter().map(|(r, _)| r)
    }

    /// Calls the tool the group names `name` on the server that owns it.
    pub async fn call_tool(&self, name: &str, arguments: impl Serialize) -> Result<CallToolResult> {
        self.call_tool_with(name, arguments, CallOptions::default())
            .await
    }

    /// [`call_tool`](Self::call_tool) with options.
    pub async fn call_tool_with(
        &self,
        name: &str,
        arguments: impl Serialize,
        options: CallOptions,
    ) -> Result<CallToolResult> {
        let (session, owner) = self.route(&self.tools, "tool", |t| &t.name, name)?;
        session
            .call_tool_with(&owner.name, arguments, options)
            .await
    }

    /// Gets the prompt the group names `name` from the server that owns it.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<GetPromptResult> {
        let (session, owner) = self.route(&self.prompts, "prompt", |p| &p.name, name)?;
        session.get_prompt(&owner.name, arguments).await
    }

    /// Reads a resource from the server that listed its URI.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult> {
        let (session, owner) = self.route(&self.resources, "resource", |r| &r.uri, uri)?;
        session.read_resource(&owner.name).await
    }

    fn route<'a, T>(
        &'a self,
        items: &'a [(T, Owner)],
        kind: &'static str,
        key: impl Fn(&T) -> &String,
        name: &str,
    ) -> Result<(&'a ClientSession, &'a Owner)> {
        let not_found = || ClientError::NotFound {
            kind,
            name: name.to_owned(),
        };
        let (_, owner) = items
            .iter()
            .find(|(t, _)| key(t) == name)
            .ok_or_else(not_found)?;
        let session = self.session(&owner.server).ok_or_else(not_found)?;
        Ok((session, owner))
    }

    /// Adds one server's listing, under the naming policy.
    fn merge(&mut self, server: &str, listing: Listing) -> Result<()> {
        let rename = |name: &str| match &self.policy {
            NamePolicy::Error => name.to_owned(),
            NamePolicy::Prefix { separator } => format!("{server}{separator}{name}"),
        };
        let owner = |name: &str| Owner {
            server: server.to_owned(),
            name: name.to_owned(),
        };
        let mut tools = Vec::new();
        for mut tool in listing.tools {
            let o = owner(&tool.name);
            tool.name = rename(&tool.name);
            tools.push((tool, o));
        }
        let mut prompts = Vec::new();
        for mut prompt in listing.prompts {
            let o = owner(&prompt.name);
            prompt.name = rename(&prompt.name);
            prompts.push((prompt, o));
        }
        let strict = self.policy == NamePolicy::Error;
        check(&self.tools, &tools, "tool", |t| &t.name, server, true)?;
        check(&self.prompts, &prompts, "prompt", |p| &p.name, server, true)?;
        let resources: Vec<_> = listing
            .resources
            .into_iter()
            .map(|r| (r.clone(), owner(&r.uri)))
            .collect();
        check(
            &self.resources,
            &resources,
            "resource",
            |r| &r.uri,
            server,
            strict,
        )?;
        self.tools.extend(tools);
        self.prompts.extend(prompts);
        let known: HashMap<String, ()> = self
            .resources
            .iter()
            .map(|(r, _)| (r.uri.clone(), ()))
            .collect();
        self.resources.extend(
            resources
                .into_iter()
                .filter(|(r, _)| !known.contains_key(&r.uri)),
        );
        Ok(())
    }
}

/// Fails on a name of `new` already in `existing` (or twice in `new`), when `strict`.
fn check<T>(
    existing: &[(T, Owner)],
    new: &[(T, Owner)],
    kind: &'static str,
    key: impl Fn(&T) -> &String,
    server: &str,
    strict: bool,
) -> Result<()> {
    if !strict {
        return Ok(());
    }
    let mut seen: HashMap<&String, &str> = existing
        .iter()
        .map(|(t, o)| (key(t), o.server.as_str()))
        .collect();
    for (item, _) in new {
        if let Some(first) = seen.insert(key(item), server) {
            return Err(ClientError::NameCollision {
                kind,
                name: key(item).clone(),
                first: first.to_owned(),
                second: server.to_owned(),
            });
        }
    }
    Ok(())
}

/// Lists what a session's server offers, as its capabilities say.
async fn list(session: &ClientSession) -> Result<Listing> {
    let caps = session.server_capabilities();
    let tools = if caps.tools.is_some() {
        session.list_all_tools().await?
    } else {
        Vec::new()
    };
    let prompts = if caps.prompts.is_some() {
        session.list_all_prompts().await?
    } else {
        Vec::new()
    };
    let resources = if caps.resources.is_some() {
        session.list_all_resources().await?
    } else {
        Vec::new()
    };
    Ok(Listing {
        tools,
        prompts,
        resources,
    })
}
