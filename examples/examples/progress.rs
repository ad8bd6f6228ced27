//! A long task that reports progress and logs while it works.

use std::time::Duration;

use mcp_server::{Context, McpServer};

/// Process some files, reporting progress.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct LongTask {
    /// The files to process.
    files: Vec<String>,
}

#[tokio::main]
async fn main() -> mcp_server::Result<()> {
    McpServer::new("Long task")
        .tool(
            "long_task",
            |ctx: Context, LongTask { files }: LongTask| async move {
                let total = files.len() as f64;
                for (i, file) in files.iter().enumerate() {
                    if ctx.is_cancelled() {
                        return "cancelled".to_owned();
                    }
                    ctx.info(format!("Processing {file}")).await;
                    ctx.report_progress(
                        i as f64 + 1.0,
                        Some(total),
                        Some(format!("processed {file}")),
                    )
                    .await;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                format!("Processed {} files", files.len())
            },
        )
        .run()
        .await
}
