//! An in-memory client/server pair: test a server the way a client sees it,
//! without processes or sockets (the Python SDK's
//! `create_connected_server_and_client_session`).

use std::sync::Arc;

use mcp_types::{
    ClientCapabilities, Implementation, InitializeRequest, InitializeRequestParams,
    InitializedNotification, ProtocolVersion,
};

use crate::{
    BoxError, Connection, ConnectionConfig, Peer, PeerError, Router, RouterConfig, Server,
};

/// A client connected in memory to a running server.
#[derive(Debug)]
pub struct ConnectedClient {
    /// The client's handle for sending requests to the server.
    pub peer: Peer,
    server: tokio::task::JoinHandle<()>,
    client: tokio::task::JoinHandle<()>,
}

impl ConnectedClient {
    /// Performs the session-era handshake at `version` and returns the server's answer.
    pub async fn initialize(
        &self,
        version: ProtocolVersion,
        capabilities: ClientCapabilities,
    ) -> Result<mcp_types::InitializeResult, PeerError> {
        let params = InitializeRequestParams::new(
            capabilities,
            Implementation::new("in-memory-client", "0"),
            version.as_str(),
        );
        let result = self.peer.request::<InitializeRequest>(params).await?;
        if let Some(v) = ProtocolVersion::parse(&result.protocol_version) {
            self.peer.session().set_protocol_version(v);
        }
        self.peer
            .notify::<InitializedNotification>(Default::default())
            .await?;
        self.peer.session().set_initialized();
        Ok(result)
    }

    /// Stops the server, as if its process died: the client's engine sees the
    /// connection end and fails what it was waiting for.
    pub fn stop_server(&self) {
        self.server.abort();
    }
}

impl Drop for ConnectedClient {
    fn drop(&mut self) {
        self.server.abort();
        self.client.abort();
    }
}

/// Starts `server` and connects a client to it in memory; `client_router`
/// answers what the server asks the client (sampling, roots, elicitation).
pub async fn connect<S: Send + Sync + 'static>(
    server: Server<S>,
    client_router: Router<()>,
) -> Result<ConnectedClient, BoxError> {
    let running = Arc::new(server.start().await?);
    let (client_end, server_end) = mcp_transport::memory::pair();
    let server_task = {
        let running = running.clone();
        tokio::spawn(async move {
            let _ = running.serve(server_end).await;
            running.shutdown().await;
        })
    };
    let connection = Connection::new(ConnectionConfig::default());
    let peer = connection.peer().clone();
    let service = client_router.into_service(Arc::new(()), RouterConfig::client());
    let client_task = tokio::spawn(async move {
        let _ = connection.run(client_end, service).await;
    });
    Ok(ConnectedClient {
        peer,
        server: server_task,
        client: client_task,
    })
}
