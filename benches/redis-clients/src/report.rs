//! The failover record (one tab-separated line per run, client, operation and key group) as
//! markdown: a summary per client, then every run.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One line of the record.
#[derive(Debug)]
struct Line<'a> {
    run: &'a str,
    client: &'a str,
    op: &'a str,
    group: &'a str,
    operations: u64,
    failures: u64,
    first_ms: f64,
    last_ms: f64,
    recovered: bool,
    settled_ms: f64,
    ended_ms: f64,
    errors: &'a str,
}

/// One record line, or `None` if it is not one.
fn parse(line: &str) -> Option<Line<'_>> {
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() < 11 {
        return None;
    }
    Some(Line {
        run: f[0],
        client: f[1],
        op: f[2],
        group: f[3],
        operations: f[4].parse().ok()?,
        failures: f[5].parse().ok()?,
        first_ms: f[6].parse().ok()?,
        last_ms: f[7].parse().ok()?,
        recovered: f[8] == "yes",
        settled_ms: f[9].parse().ok()?,
        ended_ms: f[10].parse().ok()?,
        errors: f.get(11).copied().unwrap_or(""),
    })
}

/// Milliseconds as seconds with two decimals.
fn seconds(ms: f64) -> String {
    format!("{:.2}", ms / 1e3)
}

/// The window of failures, `first–last s`, or `none`.
fn window(line: &Line<'_>) -> String {
    if line.failures == 0 {
        "none".to_owned()
    } else {
        format!("{}–{} s", seconds(line.first_ms), seconds(line.last_ms))
    }
}

/// The markdown for the record's text.
pub(crate) fn render(text: &str) -> String {
    let lines: Vec<Line<'_>> = text.lines().filter_map(parse).collect();
    let mut out = String::new();
    let mut by_case: BTreeMap<(&str, &str, &str), Vec<&Line<'_>>> = BTreeMap::new();
    for line in &lines {
        by_case
            .entry((line.client, line.op, line.group))
            .or_default()
            .push(line);
    }
    let _ = writeln!(
        out,
        "Summary per client (times in seconds after the failure was caused; a run counts as \
         recovered when these operations of the client had no failure in its last 15 s):\n\n\
         | client | operation | keys | runs | runs with failures | failure windows (first–last) | \
         failed / total ops | runs recovered |\n|---|---|---|---:|---:|---|---|---:|"
    );
    for ((client, op, group), runs) in &by_case {
        let windows: Vec<String> = runs.iter().map(|line| window(line)).collect();
        let failed: u64 = runs.iter().map(|line| line.failures).sum();
        let total: u64 = runs.iter().map(|line| line.operations).sum();
        let _ = writeln!(
            out,
            "| {client} | {op} | {group} | {} | {} | {} | {failed} / {total} | {} |",
            runs.len(),
            runs.iter().filter(|line| line.failures > 0).count(),
            windows.join(", "),
            runs.iter().filter(|line| line.recovered).count(),
        );
    }
    let _ = writeln!(
        out,
        "\nEvery run (`settled`: when the topology had changed as seen by the harness; `ended`: \
         when the run stopped):\n\n\
         | run | client | operation | keys | failed / total | window | recovered | settled | ended | \
         commonest errors |\n|---|---|---|---|---|---|---|---:|---:|---|"
    );
    let mut sorted: Vec<&Line<'_>> = lines.iter().collect();
    sorted.sort_by_key(|line| (line.client, line.op, line.group, line.run));
    for line in sorted {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} / {} | {} | {} | {} | {} | {} |",
            line.run,
            line.client,
            line.op,
            line.group,
            line.failures,
            line.operations,
            window(line),
            if line.recovered { "yes" } else { "**no**" },
            if line.settled_ms < 0.0 {
                "not seen".to_owned()
            } else {
                seconds(line.settled_ms)
            },
            seconds(line.ended_ms),
            line.errors.replace('|', "/"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_record() {
        let text = "1\tfred\tread\tdead master\t100\t3\t10\t900\tyes\t2500\t17000\t3× timed out\n";
        let out = render(text);
        assert!(out.contains("| fred | read | dead master | 1 | 1 | 0.01–0.90 s | 3 / 100 | 1 |"));
        assert!(out.contains(
            "| 1 | fred | read | dead master | 3 / 100 | 0.01–0.90 s | yes | 2.50 | 17.00 |"
        ));
    }
}
