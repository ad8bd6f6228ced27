//! Hand-written helpers over the generated types (being written).
