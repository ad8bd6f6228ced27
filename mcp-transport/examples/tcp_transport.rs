//! Any byte stream is a transport: MCP's newline-delimited JSON over a loopback
//! TCP connection, in a few lines. The server task answers a `ping`; the client
//! sends one and prints the answer.

use futures::{SinkExt, StreamExt};
use mcp_transport::{LineTransport, Transport};
use mcp_types::{JsonRpcMessage, JsonRpcRequest, JsonRpcResultResponse};
use tokio::net::{TcpListener, TcpStream};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;

    // The server: one connection, answering each request with an empty result.
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await?;
        let (read, write) = socket.into_split();
        let (mut reader, mut writer) = LineTransport::new(read, write).split();
        while let Some(inbound) = reader.next().await {
            if let JsonRpcMessage::Request(request) = inbound?.message {
                let pong = JsonRpcResultResponse::new(request.id, &serde_json::json!({}))?;
                writer.send(JsonRpcMessage::Response(pong).into()).await?;
            }
        }
        writer.close().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
    });

    // The client.
    let (read, write) = TcpStream::connect(addr).await?.into_split();
    let (mut reader, mut writer) = LineTransport::new(read, write).split();
    let ping = JsonRpcRequest::new(1, "ping", &serde_json::json!({}))?;
    writer.send(JsonRpcMessage::Request(ping).into()).await?;
    let pong = reader.next().await.ok_or("the server hung up")??;
    println!("{}", pong.message.to_json());
    assert!(matches!(pong.message, JsonRpcMessage::Response(ref r) if r.result.get() == "{}"));

    // Closing the client's writer ends the server's reader, and so the server.
    writer.close().await?;
    server.await?.map_err(|e| e.to_string())?;
    Ok(())
}
