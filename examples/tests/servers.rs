//! Each server example, driven through a real client over stdio in both eras.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::{ERAS, Era, TestClient, cases};
use mcp_lowlevel::RequestOptions;
use mcp_types::ProtocolVersion;
use serde_json::json;

#[tokio::test]
async fn quickstart() {
    for (wire, era) in cases() {
        let c = TestClient::spawn_on(wire, "quickstart", &[], era).await;
        let tools = c.call("tools/list", json!({})).await.unwrap();
        assert_eq!(tools["tools"][0]["name"], "add");
        assert_eq!(tools["tools"][0]["description"], "Add two numbers");
        assert_eq!(c.tool_text("add", json!({"a": 2, "b": 3})).await, "5");
        let bad = c.tool("add", json!({"a": "two", "b": 3})).await;
        assert_eq!(bad["isError"], true);
        let read = c
            .call("resources/read", json!({"uri": "greeting://World"}))
            .await
            .unwrap();
        assert_eq!(read["contents"][0]["text"], "Hello, World!");
        let err = c
            .call("resources/read", json!({"uri": "nothing://here"}))
            .await
            .unwrap_err();
        let code = if era == Era::Stateless {
            -32602
        } else {
            -32002
        };
        assert_eq!(err.rpc().unwrap().code.0, code);
        c.close().await;
    }
}

/// A weather API for the `tools` example to call: `/weather/<city>`.
async fn weather_api() -> String {
    use axum::extract::Path;
    let app = axum::Router::new().route(
        "/weather/{city}",
        axum::routing::get(|Path(city): Path<String>| async move {
            if city == "Atlantis" {
                Err((axum::http::StatusCode::NOT_FOUND, "no such city"))
            } else {
                Ok(format!("{city}: sunny, 21 °C"))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/weather", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn tools_bmi_and_async_http() {
    let api = weather_api().await;
    for (wire, era) in cases() {
        let c = TestClient::spawn_on(wire, "tools", &["--weather-url", &api], era).await;
        let tools = c.call("tools/list", json!({})).await.unwrap();
        let bmi = &tools["tools"][0];
        assert_eq!(bmi["name"], "calculate_bmi");
        assert_eq!(
            bmi["description"],
            "Calculate BMI given weight in kg and height in meters"
        );
        assert_eq!(
            bmi["inputSchema"]["properties"]["height_m"]["type"],
            "number"
        );
        let value: f64 = c
            .tool_text("calculate_bmi", json!({"weight_kg": 70, "height_m": 1.75}))
            .await
            .parse()
            .unwrap();
        assert!((value - 22.857).abs() < 0.001, "{value}");
        let zero = c
            .tool("calculate_bmi", json!({"weight_kg": 70, "height_m": 0}))
            .await;
        assert_eq!(zero["isError"], true);

        assert_eq!(
            c.tool_text("fetch_weather", json!({"city": "San José"}))
                .await,
            "San José: sunny, 21 °C"
        );
        let missing = c.tool("fetch_weather", json!({"city": "Atlantis"})).await;
        assert_eq!(missing["isError"], true);
        let text = missing["content"][0]["text"].as_str().unwrap();
        assert!(
            text.contains("404") && text.contains("no such city"),
            "{text}"
        );
        c.close().await;
    }
    // An API that is not there: a tool error naming it, not a crash.
    let c = TestClient::spawn(
        "tools",
        &["--weather-url", "http://127.0.0.1:9/weather"],
        ERAS[1],
    )
    .await;
    let down = c.tool("fetch_weather", json!({"city": "Paris"})).await;
    assert_eq!(down["isError"], true);
    assert!(
        down["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("cannot reach")
    );
    let one: f64 = c
        .tool_text("calculate_bmi", json!({"weight_kg": 1, "height_m": 1}))
        .await
        .parse()
        .unwrap();
    assert_eq!(one, 1.0);
    c.close().await;
}

#[tokio::test]
async fn echo() {
    for (wire, era) in cases() {
        let c = TestClient::spawn_on(wire, "echo", &[], era).await;
        assert_eq!(
            c.tool_text("echo", json!({"message": "hi"})).await,
            "Tool echo: hi"
        );
        let read = c
            .call("resources/read", json!({"uri": "echo://hey%20you"}))
            .await
            .unwrap();
        assert_eq!(read["contents"][0]["text"], "Resource echo: hey you");
        let prompt = c
            .call(
                "prompts/get",
                json!({"name": "echo", "arguments": {"message": "yo"}}),
            )
            .await
            .unwrap();
        assert_eq!(
            prompt["messages"][0]["content"]["text"],
            "Please process this message: yo"
        );
        c.close().await;
    }
}

#[tokio::test]
async fn lifespan_state_is_shared_by_handlers() {
    for (wire, era) in cases() {
        let c = TestClient::spawn_on(wire, "lifespan", &[], era).await;
        assert_eq!(
            c.tool_text("get", json!({"key": "greeting"})).await,
            "hello"
        );
        assert_eq!(
            c.tool_text("put", json!({"key": "k", "value": "v"})).await,
            "stored"
        );
        assert_eq!(c.tool_text("get", json!({"key": "k"})).await, "v");
        let missing = c.tool("get", json!({"key": "nope"})).await;
        assert_eq!(missing["isError"], true);
        c.close().await;
    }
}

#[tokio::test]
async fn resources() {
    for (wire, era) in cases() {
        let c = TestClient::spawn_on(wire, "resources", &[], era).await;
        let list = c.call("resources/list", json!({})).await.unwrap();
        assert_eq!(list["resources"][0]["uri"], "config://app");
        let templates = c.call("resources/templates/list", json!({})).await.unwrap();
        assert_eq!(
            templates["resourceTemplates"][0]["uriTemplate"],
            "users://{user_id}/profile"
        );
        let read = c
            .call("resources/read", json!({"uri": "users://42/profile"}))
            .await
            .unwrap();
        let profile: serde_json::Value =
            serde_json::from_str(read["contents"][0]["text"].as_str().unwrap()).unwrap();
        assert_eq!(profile["id"], 42);
        let err = c
            .call("resources/read", json!({"uri": "users://abc/profile"}))
            .await
            .unwrap_err();
        assert_eq!(
            err.rpc().unwrap().code.0,
            -32602,
            "a template parameter of the wrong type"
        );
        c.close().await;
    }
}

#[tokio::test]
async fn prompts() {
    for (wire, era) in cases() {
        let c = TestClient::spawn_on(wire, "prompts", &[], era).await;
        let list = c.call("prompts/list", json!({})).await.unwrap();
        assert_eq!(list["prompts"].as_array().unwrap().len(), 2);
        let review = c
            .call(
                "prompts/get",
                json!({"name": "review_code", "arguments": {"code": "x = 1"}}),
            )
            .await
            .unwrap();
        assert!(
            review["messages"][0]["content"]["text"]
                .as_str()
                .unwrap()
                .ends_with("x = 1")
        );
        let debug = c
            .call(
                "prompts/get",
                json!({"name": "debug_error", "arguments": {"error": "boom"}}),
            )
            .await
            .unwrap();
        assert_eq!(debug["messages"].as_array().unwrap().len(), 3);
        assert_eq!(debug["messages"][2]["role"], "assistant");
        c.close().await;
    }
}

#[tokio::test]
async fn progress() {
    for (wire, era) in cases() {
        let c = TestClient::spawn_on(wire, "progress", &[], era).await;
        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let mut params = json!({"name": "long_task", "arguments": {"files": ["a", "b", "c"]}});
        if era == Era::Stateless {
            params["_meta"] = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}});
        }
        let result = c
            .raw_with(
                "tools/call",
                params,
                RequestOptions {
                    progress: Some(tx),
                    timeout: Some(Duration::from_secs(10)),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(result["content"][0]["text"], "Processed 3 files");
        let mut seen = Vec::new();
        while let Ok(p) = rx.try_recv() {
            seen.push(p.progress);
        }
        assert_eq!(seen, vec![1.0, 2.0, 3.0], "{era:?}");
        c.close().await;
    }
}

#[tokio::test]
async fn thumbnail() {
    let dir = std::env::temp_dir().join(format!("mcp-thumb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.png");
    image::RgbImage::from_pixel(400, 200, image::Rgb([200, 30, 30]))
        .save(&path)
        .unwrap();
    for (wire, era) in cases() {
        let c = TestClient::spawn_on(wire, "thumbnail", &[], era).await;
        let r = c
            .tool("create_thumbnail", json!({"path": path.to_str().unwrap()}))
            .await;
        assert_eq!(r["content"][0]["type"], "image");
        assert_eq!(r["content"][0]["mimeType"], "image/png");
        let png = base64::engine::general_purpose::STANDARD
            .decode(r["content"][0]["data"].as_str().unwrap())
            .unwrap();
        let thumb = image::load_from_memory(&png).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (100, 50));
        let missing = c
            .tool("create_thumbnail", json!({"path": "/no/such/file.png"}))
            .await;
        assert_eq!(missing["isError"], true);
        c.close().await;
    }
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn sqlite_explorer_is_read_only() {
    let dir = std::env::temp_dir().join(format!("mcp-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("test.db");
    for (wire, era) in cases() {
        let c = TestClient::spawn_on(wire, "sqlite-explorer", &[db.to_str().unwrap()], era).await;
        let schema = c
            .call("resources/read", json!({"uri": "schema://main"}))
            .await
            .unwrap();
        assert!(
            schema["contents"][0]["text"]
                .as_str()
                .unwrap()
                .contains("CREATE TABLE users")
        );
        let rows = c
            .tool_text(
                "query",
                json!({"sql": "SELECT name FROM users ORDER BY id"}),
            )
            .await;
        assert_eq!(rows, "name\nAda\nLinus");
        for write in [
            "DELETE FROM users",
            "INSERT INTO users (name) VALUES ('x')",
            "DROP TABLE users",
            "PRAGMA user_version = 3",
        ] {
            let r = c.tool("query", json!({"sql": write})).await;
            assert_eq!(r["isError"], true, "{write} must be refused");
        }
        let r = c.tool("query", json!({"sql": "SELEC nonsense"})).await;
        assert_eq!(r["isError"], true);
        assert!(
            r["content"][0]["text"]
                .as_str()
                .unwrap()
                .contains("SQL error")
        );
        assert_eq!(
            c.tool_text("query", json!({"sql": "SELECT count(*) AS n FROM users"}))
                .await,
            "n\n2",
            "nothing was written"
        );
        c.close().await;
    }
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn lowlevel() {
    for era in ERAS {
        let c = TestClient::spawn("lowlevel", &[], era).await;
        assert_eq!(
            c.tool_text("greet", json!({"name": "Ada"})).await,
            "Hello, Ada!"
        );
        let err = c
            .call(
                "tools/call",
                json!({"name": "greet", "arguments": {"name": 3}}),
            )
            .await
            .unwrap_err();
        assert_eq!(err.rpc().unwrap().code.0, -32602);
        let prompt = c
            .call("prompts/get", json!({"name": "welcome"}))
            .await
            .unwrap();
        assert_eq!(prompt["messages"][0]["content"]["text"], "Welcome!");
        c.close().await;
    }
}

#[tokio::test]
async fn layers_time_requests_out() {
    let c = TestClient::spawn("layers", &[], Era::Session(ProtocolVersion::V2025_11_25)).await;
    assert_eq!(c.tool_text("sleep", json!({"ms": 5})).await, "slept 5 ms");
    let err = c
        .call(
            "tools/call",
            json!({"name": "sleep", "arguments": {"ms": 3000}}),
        )
        .await
        .unwrap_err();
    assert!(err.rpc().unwrap().message.contains("timed out"), "{err}");
    assert_eq!(
        c.tool_text("sleep", json!({"ms": 1})).await,
        "slept 1 ms",
        "the server lives on"
    );
    c.close().await;
}
