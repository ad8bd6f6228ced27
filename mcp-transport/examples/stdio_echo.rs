//! A tiny server on stdio: it answers every request with its own `params` as the
//! result, answers unreadable lines with the matching JSON-RPC error, and exits
//! when stdin ends.
//!
//! Try it: `printf '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":1}}\n' |
//! cargo run -p mcp-transport --example stdio_echo`. The test suite also spawns it
//! with the child-process transport.

use futures::{SinkExt, StreamExt};
use mcp_transport::{Transport, TransportError};
use mcp_types::{
    ErrorCode, ErrorObject, JsonRpcErrorResponse, JsonRpcMessage, JsonRpcResultResponse,
};
use serde_json::value::RawValue;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), TransportError> {
    let transport = mcp_transport::stdio();
    // Diagnostics go to stderr: stdout carries nothing but protocol messages.
    eprintln!(
        "stdio_echo: {:?} {:?}",
        transport.reader().get_ref(),
        transport.writer().get_ref()
    );
    let (mut reader, mut writer) = transport.split();
    while let Some(item) = reader.next().await {
        let reply = match item {
            Ok(inbound) => match inbound.message {
                JsonRpcMessage::Request(request) => {
                    let empty = || RawValue::from_string("{}".to_owned()).expect("valid JSON");
                    JsonRpcMessage::Response(JsonRpcResultResponse {
                        id: request.id,
                        result: request.params.unwrap_or_else(empty),
                    })
                }
                // Notifications and responses need no answer.
                _ => continue,
            },
            Err(TransportError::Parse(e)) => JsonRpcMessage::Error(e.to_response()),
            Err(e @ TransportError::TooLarge { .. }) => {
                JsonRpcMessage::Error(JsonRpcErrorResponse {
                    id: None,
                    error: ErrorObject::new(ErrorCode::INVALID_REQUEST, e.to_string()),
                })
            }
            Err(e) => return Err(e),
        };
        writer.send(reply.into()).await?;
    }
    // End of stdin: flush what is left and exit.
    writer.close().await
}
