//! The HTTP floor: bare hyper 1.x (HTTP/1.1, keep-alive) on a multi-threaded
//! tokio runtime. Any POST body is answered like the stdio floor, as
//! `application/json`; `initialize` also gets an `Mcp-Session-Id`.
//!
//! `floor-http <addr> [stateful|stateless]` (the mode is accepted and ignored).

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};

use bench_floor::{Answer, answer};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode, body::Incoming, service::service_fn};
use hyper_util::rt::TokioIo;

static SESSIONS: AtomicU64 = AtomicU64::new(0);

async fn handle(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return Ok(status(StatusCode::BAD_REQUEST)),
    };
    let mut out = Vec::with_capacity(256);
    let kind = answer(&body, &mut out);
    if kind == Answer::Nothing {
        return Ok(status(StatusCode::ACCEPTED));
    }
    let mut response = Response::builder().header("content-type", "application/json");
    if kind == Answer::Initialized {
        let session = SESSIONS.fetch_add(1, Ordering::Relaxed);
        response = response.header("mcp-session-id", format!("floor-{session}"));
    }
    Ok(response
        .body(Full::new(Bytes::from(out)))
        .expect("static headers are valid"))
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = code;
    response
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(handle))
                .await;
        });
    }
}
