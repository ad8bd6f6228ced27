//! The stdio floor: read a line, parse it with serde_json, write the answer.
//! Single-threaded and blocking; flushes once the input buffer is drained.

use std::io::{BufRead, BufReader, BufWriter, Write};

use bench_floor::{Answer, answer};

fn main() -> std::io::Result<()> {
    let mut input = BufReader::with_capacity(64 * 1024, std::io::stdin().lock());
    let mut output = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut line = Vec::with_capacity(4096);
    let mut out = Vec::with_capacity(4096);
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return output.flush();
        }
        out.clear();
        if answer(line.trim_ascii(), &mut out) != Answer::Nothing {
            out.push(b'\n');
            output.write_all(&out)?;
        }
        if input.buffer().is_empty() {
            output.flush()?;
        }
    }
}
