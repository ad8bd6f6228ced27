//! Static and dynamic resources: a fixed configuration document, and user
//! profiles behind a URI template with a typed parameter.

use mcp_server::{McpServer, ResourceDef, ResourceTemplateDef};

/// The parameters of `users://{user_id}/profile`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Profile {
    user_id: u64,
}

#[tokio::main]
async fn main() -> mcp_server::Result<()> {
    McpServer::new("Resources")
        .resource(
            ResourceDef::new("config://app", "app-config")
                .description("Application configuration")
                .mime_type("application/json"),
            || r#"{"theme":"dark","version":3}"#,
        )
        .resource_template(
            ResourceTemplateDef::new("users://{user_id}/profile", "user-profile")
                .description("A user's profile")
                .mime_type("application/json"),
            |Profile { user_id }: Profile| {
                serde_json::json!({ "id": user_id, "name": format!("User {user_id}") }).to_string()
            },
        )
        .run()
        .await
}
