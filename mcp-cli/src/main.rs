//! The `mcp` command line tool.

fn main() {
    println!("mcp {}", env!("CARGO_PKG_VERSION"));
}
