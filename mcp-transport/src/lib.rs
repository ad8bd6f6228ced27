//! `mcp-transport`: part of the Model Context Protocol SDK (being built; see the README's crate map).
