//! An answer to an elicitation form parses as the other SDKs send it: a form
//! may ask for a `number` field (`NumberSchema`), and the answer to it may
//! have a fraction, though the schemas type the answers' numbers `integer`.

use mcp_types::ElicitResult;
use serde_json::{Value, json};

#[test]
fn number_fields_keep_their_fraction() {
    let answer = json!({"action": "accept", "content": {"age": 30, "score": 95.5, "name": "Jo", "ok": true, "tags": ["a"]}});
    let result: ElicitResult = serde_json::from_value(answer.clone())
        .unwrap_or_else(|e| panic!("a form answer with a fraction is refused: {e}"));
    let back: Value = serde_json::to_value(&result).unwrap();
    assert_eq!(back, answer);
    assert!(back["content"]["age"].is_i64(), "integers stay integers");
}
