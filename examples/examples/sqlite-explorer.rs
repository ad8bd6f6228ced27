//! SQLite explorer: the schema as a resource and a read-only query tool.
//!
//! Usage: `sqlite-explorer [DATABASE]` (default `explorer.db`, created with a
//! sample table when missing). The query tool refuses anything that could
//! write, and reports SQL errors as tool errors.

use std::fmt::Write as _;
use std::sync::Mutex;

use mcp_server::{Context, McpServer, ResourceDef, ToolDef};
use rusqlite::{Connection, OpenFlags, types::ValueRef};

struct Db {
    conn: Mutex<Connection>,
}

/// Run a read-only SQL query.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Query {
    /// A single read-only SQL statement (SELECT, read-only PRAGMA, EXPLAIN).
    sql: String,
}

fn open(path: &str) -> rusqlite::Result<Db> {
    if !std::path::Path::new(path).exists() {
        let setup = Connection::open(path)?;
        setup.execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
             INSERT INTO users (name, email) VALUES ('Ada', 'ada@example.com'), ('Linus', NULL);",
        )?;
    }
    // Read-only at the connection level as well as per statement.
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    Ok(Db {
        conn: Mutex::new(conn),
    })
}

fn schema(db: &Db) -> Result<String, String> {
    let conn = db.conn.lock().map_err(|_| "database lock poisoned")?;
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| e.to_string())?;
    rows.collect::<Result<Vec<_>, _>>()
        .map(|v| v.join("\n"))
        .map_err(|e| e.to_string())
}

fn query(db: &Db, sql: &str) -> Result<String, String> {
    let conn = db.conn.lock().map_err(|_| "database lock poisoned")?;
    let mut stmt = conn.prepare(sql).map_err(|e| format!("SQL error: {e}"))?;
    if !stmt.readonly() {
        return Err("only read-only statements are allowed".into());
    }
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let mut rows = stmt.query([]).map_err(|e| format!("SQL error: {e}"))?;
    let mut out = names.join(" | ");
    let mut count = 0;
    while let Some(row) = rows.next().map_err(|e| format!("SQL error: {e}"))? {
        count += 1;
        if count > 1000 {
            out.push_str("\n... (truncated at 1000 rows)");
            break;
        }
        let cells: Vec<String> = (0..names.len())
            .map(|i| match row.get_ref(i) {
                Ok(ValueRef::Null) => "NULL".to_owned(),
                Ok(ValueRef::Integer(n)) => n.to_string(),
                Ok(ValueRef::Real(x)) => x.to_string(),
                Ok(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
                Ok(ValueRef::Blob(b)) => format!("<{} bytes>", b.len()),
                Err(e) => format!("<{e}>"),
            })
            .collect();
        let _ = write!(out, "\n{}", cells.join(" | "));
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "explorer.db".to_owned());
    let db = open(&path)?;
    McpServer::new("SQLite Explorer")
        .lifespan(move || async move { Ok::<_, std::io::Error>(db) })
        .resource(
            ResourceDef::new("schema://main", "schema").mime_type("text/plain"),
            |ctx: Context<Db>| schema(ctx.state()),
        )
        .tool(
            ToolDef::new("query").read_only(true),
            |ctx: Context<Db>, Query { sql }: Query| query(ctx.state(), &sql),
        )
        .run()
        .await?;
    Ok(())
}
