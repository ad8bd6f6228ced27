//! An image tool: reads an image file and returns a 100×100 PNG thumbnail.

use std::io::Cursor;

use mcp_server::{Image, McpServer, ToolDef};

/// Create a thumbnail of an image file.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Thumbnail {
    /// Path of the image on the server's disk.
    path: String,
}

fn thumbnail(Thumbnail { path }: Thumbnail) -> Result<Image, String> {
    let img = image::open(&path).map_err(|e| format!("cannot open `{path}`: {e}"))?;
    let mut png = Vec::new();
    img.thumbnail(100, 100)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode the thumbnail: {e}"))?;
    Ok(Image::png(png))
}

#[tokio::main]
async fn main() -> mcp_server::Result<()> {
    McpServer::new("Image Example")
        .tool(ToolDef::new("create_thumbnail").read_only(true), thumbnail)
        .run()
        .await
}
