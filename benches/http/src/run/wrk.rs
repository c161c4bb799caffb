//! Loading a server with `wrk` and reading its report.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::process::pinned;
use crate::serve::BoxError;

/// One wrk run against one URL.
#[derive(Clone, Debug)]
pub(crate) struct Load<'a> {
    pub(crate) address: SocketAddr,
    pub(crate) path: &'a str,
    /// Existing sessions' cookies (`name=value`), sent in turn, one per request; empty sends
    /// none.
    pub(crate) cookies: &'a [String],
    pub(crate) duration: Duration,
    pub(crate) connections: usize,
    pub(crate) cpu: Option<usize>,
}

/// What wrk reported.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct WrkReport {
    pub(crate) requests: u64,
    pub(crate) requests_per_second: f64,
    pub(crate) p99_ms: f64,
    pub(crate) max_ms: f64,
    /// Non-2xx answers and socket errors: a run with any is not a valid measurement.
    pub(crate) errors: u64,
}

pub(crate) fn run(load: &Load<'_>) -> Result<WrkReport, BoxError> {
    let mut command = pinned(load.cpu);
    command.args([
        "wrk",
        "--latency",
        "-t1",
        &format!("-c{}", load.connections),
        &format!("-d{}s", load.duration.as_secs().max(1)),
    ]);
    let script = (!load.cookies.is_empty())
        .then(|| write_script(load.cookies))
        .transpose()?;
    if let Some(script) = &script {
        command.arg("-s").arg(script);
    }
    command.arg(format!("http://{}{}", load.address, load.path));
    let output = command.output();
    if let Some(script) = &script {
        let _ = std::fs::remove_file(script);
    }
    let output = output?;
    if !output.status.success() {
        return Err(format!(
            "wrk failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    parse(&String::from_utf8_lossy(&output.stdout))
}

/// A wrk script that sends the cookies in turn. The requests are formatted once, in `init`, so
/// that wrk does as little per request as without a script.
fn write_script(cookies: &[String]) -> Result<PathBuf, BoxError> {
    let mut script = String::from("local cookies = {\n");
    for cookie in cookies {
        if cookie.contains(['"', '\\', '\n', '\r']) {
            return Err(format!("cookie {cookie:?} cannot go into a wrk script").into());
        }
        script.push_str(&format!("  \"{cookie}\",\n"));
    }
    script.push_str(
        "}\n\
         local requests = {}\n\
         local next_request = 0\n\
         function init(args)\n\
         \x20 for i, cookie in ipairs(cookies) do\n\
         \x20   requests[i] = wrk.format(nil, nil, { [\"Cookie\"] = cookie })\n\
         \x20 end\n\
         end\n\
         function request()\n\
         \x20 next_request = next_request % #requests + 1\n\
         \x20 return requests[next_request]\n\
         end\n",
    );
    let path = std::env::temp_dir().join(format!("bench-http-{}-cookies.lua", std::process::id()));
    std::fs::write(&path, script)?;
    Ok(path)
}

fn parse(text: &str) -> Result<WrkReport, BoxError> {
    let mut report = WrkReport::default();
    for line in text.lines().map(str::trim) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["Latency", _avg, _stdev, max, ..] => report.max_ms = millis(max)?,
            ["99%", value] => report.p99_ms = millis(value)?,
            [count, "requests", "in", ..] => report.requests = count.parse()?,
            ["Requests/sec:", value] => report.requests_per_second = value.parse()?,
            ["Non-2xx", "or", "socket", "errors:", count] => {
                report.errors += count.parse::<u64>()?
            }
            ["Socket", "errors:", rest @ ..] => {
                report.errors += rest
                    .iter()
                    .filter_map(|field| field.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    if report.requests == 0 || report.requests_per_second == 0.0 {
        return Err(format!("wrk reported no requests:\n{text}").into());
    }
    Ok(report)
}

/// wrk's durations: `310.12us`, `1.20ms`, `2.00s`, `1.00m`.
fn millis(value: &str) -> Result<f64, BoxError> {
    let split = value
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("no unit in wrk duration {value:?}"))?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse()?;
    let factor = match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => return Err(format!("unknown unit in wrk duration {value:?}").into()),
    };
    Ok(number * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 5s test @ http://127.0.0.1:8080/counter
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   310.12us  100.00us   5.50ms   90.00%
    Req/Sec    50.00k     2.00k   55.00k    80.00%
  Latency Distribution
     50%  300.00us
     75%  350.00us
     90%  400.00us
     99%  1.25ms
  250123 requests in 5.00s, 30.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or socket errors: 4
Requests/sec:  50024.60
Transfer/sec:      6.00MB
";

    #[test]
    fn reads_every_figure_of_a_wrk_report() {
        let report = parse(SAMPLE).unwrap();
        assert_eq!(report.requests, 250_123);
        assert!((report.requests_per_second - 50_024.6).abs() < 1e-9);
        assert!((report.p99_ms - 1.25).abs() < 1e-9);
        assert!((report.max_ms - 5.5).abs() < 1e-9);
        assert_eq!(report.errors, 7);
    }

    #[test]
    fn a_report_without_requests_is_an_error() {
        assert!(parse("Running 5s test\n").is_err());
    }

    #[test]
    fn converts_every_unit_to_milliseconds() {
        assert!((millis("250.00us").unwrap() - 0.25).abs() < 1e-9);
        assert!((millis("2.00s").unwrap() - 2000.0).abs() < 1e-9);
        assert!(millis("12").is_err());
        assert!(millis("3.0parsecs").is_err());
    }
}
