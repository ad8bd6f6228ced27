//! The README's tools: a plain function (`calculate_bmi`) and an async tool
//! that calls an HTTP API (`fetch_weather`), served on stdio (or Streamable
//! HTTP with `--port N`).
//!
//! `tools [--weather-url URL] [--port N]` takes the weather API's base URL (default
//! `http://127.0.0.1:8080/weather`); `fetch_weather` GETs `<URL>/<city>`.
//! The example's HTTP client speaks plain `http://` only: it reuses the
//! hyper client the SDK already builds on and adds no TLS stack.

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use mcp_server::{McpServer, ToolDef};

/// The longest weather report read.
const MAX_REPORT: usize = 64 * 1024;

/// Calculate BMI given weight in kg and height in meters
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Bmi {
    weight_kg: f64,
    height_m: f64,
}

fn calculate_bmi(
    Bmi {
        weight_kg,
        height_m,
    }: Bmi,
) -> Result<f64, String> {
    if height_m <= 0.0 {
        return Err(format!("height_m must be positive, got {height_m}"));
    }
    Ok(weight_kg / (height_m * height_m))
}

/// Fetch current weather for a city
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Weather {
    city: String,
}

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

async fn fetch_weather(http: &HttpClient, base: &str, city: &str) -> Result<String, String> {
    let city: String = city
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let uri: hyper::Uri = format!("{base}/{city}")
        .parse()
        .map_err(|e| format!("bad weather URL: {e}"))?;
    let response = http
        .get(uri.clone())
        .await
        .map_err(|e| format!("cannot reach {uri}: {e}"))?;
    let status = response.status();
    let body = http_body_util::Limited::new(response.into_body(), MAX_REPORT)
        .collect()
        .await
        .map_err(|e| format!("reading the report failed: {e}"))?
        .to_bytes();
    let text = String::from_utf8_lossy(&body).into_owned();
    if !status.is_success() {
        return Err(format!("{uri} answered {status}: {text}"));
    }
    Ok(text)
}

#[tokio::main]
async fn main() -> mcp_server::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut base = "http://127.0.0.1:8080/weather".to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--weather-url" => match args.next() {
                Some(url) => base = url.trim_end_matches('/').to_owned(),
                None => {
                    eprintln!("usage: tools [--weather-url URL] [--port N]");
                    std::process::exit(2);
                }
            },
            // The transport's own flags, read by `run`.
            "--port" | "--host" => {
                args.next();
            }
            _ => {}
        }
    }
    let http: HttpClient = Client::builder(TokioExecutor::new()).build_http();

    McpServer::new("Tools Example")
        .tool(ToolDef::new("calculate_bmi").read_only(true), calculate_bmi)
        .tool(
            ToolDef::new("fetch_weather").open_world(true),
            move |Weather { city }: Weather| {
                let (http, base) = (http.clone(), base.clone());
                async move { fetch_weather(&http, &base, &city).await }
            },
        )
        .run()
        .await
}
