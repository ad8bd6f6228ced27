//! Runnable examples of the Model Context Protocol SDK; each program lives in `examples/`.
