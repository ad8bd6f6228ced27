//! `cargo xtask conformance` (being written).

pub(crate) fn run(_args: &[String]) -> Result<(), crate::Error> {
    Err("not written yet".into())
}
