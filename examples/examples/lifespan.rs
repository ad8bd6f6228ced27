//! Typed lifespan: a "database" is opened before the first request, reached
//! from every handler through `Context::state`, and closed on shutdown.

use std::collections::BTreeMap;
use std::sync::Mutex;

use mcp_server::{Context, McpServer};

/// A stand-in for a database connection pool.
#[derive(Debug, Default)]
struct Database {
    rows: Mutex<BTreeMap<String, String>>,
}

impl Database {
    async fn connect() -> Result<Database, std::io::Error> {
        let db = Database::default();
        db.rows
            .lock()
            .unwrap()
            .insert("greeting".into(), "hello".into());
        Ok(db)
    }
}

/// Look a key up in the database.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Get {
    key: String,
}

/// Store a value in the database.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Put {
    key: String,
    value: String,
}

#[tokio::main]
async fn main() -> mcp_server::Result<()> {
    McpServer::new("Lifespan demo")
        .lifespan(Database::connect)
        .teardown(|db| async move {
            eprintln!(
                "closing the database with {} rows",
                db.rows.lock().unwrap().len()
            );
        })
        .tool("get", |ctx: Context<Database>, Get { key }: Get| {
            ctx.state()
                .rows
                .lock()
                .unwrap()
                .get(&key)
                .cloned()
                .ok_or(format!("no row `{key}`"))
        })
        .tool("put", |ctx: Context<Database>, Put { key, value }: Put| {
            ctx.state().rows.lock().unwrap().insert(key, value);
            "stored"
        })
        .run()
        .await
}
