//! End-to-end timing of `cargo xtask diff` on two large synthetic specs.
//!
//! Builds two OpenAPI 3.0 documents of about 5 MB of YAML each in memory, with a few hundred
//! differences between them, and writes them to a temporary directory. Then it runs the built
//! `xtask` binary on them several times, which loads both files, compares and renders, and
//! prints each run's wall time and the median.
//!
//! Run with `cargo bench -p xtask --bench diff_large`. Set `DIFF_BENCH_RUNS` to change the
//! number of runs (default 7), and `DIFF_BENCH_DIR` to keep the two specs in that directory.

use std::error::Error;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

/// Component schemas per spec; each operation uses a family of four of them.
const FAMILIES: usize = 1_300;
/// Shared enum schemas.
const ENUMS: usize = 60;
/// Mutations applied to the new spec.
const MUTATIONS: usize = 300;

fn main() -> Result<(), Box<dyn Error>> {
    let runs: usize = std::env::var("DIFF_BENCH_RUNS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(7)
        .max(1);

    let old = build_spec();
    let mut new = old.clone();
    let applied = mutate(&mut new);

    // DIFF_BENCH_DIR keeps the generated specs for profiling; otherwise they are deleted.
    let directory = tempfile::tempdir()?;
    let kept = std::env::var_os("DIFF_BENCH_DIR").map(std::path::PathBuf::from);
    let target = kept.as_deref().unwrap_or(directory.path());
    std::fs::create_dir_all(target)?;
    let old_path = target.join("old.yaml");
    let new_path = target.join("new.yaml");
    std::fs::write(&old_path, serde_yaml_ng::to_string(&old)?)?;
    std::fs::write(&new_path, serde_yaml_ng::to_string(&new)?)?;

    let old_size = std::fs::metadata(&old_path)?.len();
    let new_size = std::fs::metadata(&new_path)?.len();
    println!(
        "specs: old {:.1} MB, new {:.1} MB, {} operations, {} schemas, {applied} mutations",
        old_size as f64 / 1e6,
        new_size as f64 / 1e6,
        FAMILIES,
        FAMILIES * 4 + ENUMS + 2
    );

    let ticks_per_second = clock_ticks_per_second();
    for format in ["text", "json"] {
        let mut times = Vec::with_capacity(runs);
        let mut cpu_times = Vec::with_capacity(runs);
        let mut summary = String::new();
        for run in 0..runs {
            let cpu_before = children_cpu_ticks();
            let (elapsed, output) = run_diff(&old_path, &new_path, format)?;
            let cpu_after = children_cpu_ticks();
            if run == 0 {
                summary = describe_output(format, &output);
            }
            times.push(elapsed);
            if let (Some(before), Some(after), Some(rate)) =
                (cpu_before, cpu_after, ticks_per_second)
            {
                cpu_times.push((after - before) as f64 / rate as f64);
            }
        }

        times.sort();
        let milliseconds: Vec<String> = times
            .iter()
            .map(|time| format!("{:.0}", time.as_secs_f64() * 1e3))
            .collect();
        let median = times[times.len() / 2].as_secs_f64() * 1e3;
        let all = milliseconds.join(", ");
        println!(
            "diff --format {format}: median {median:.0} ms wall time over {runs} runs \
             (ms: {all}); {summary}"
        );
        if cpu_times.len() == runs {
            cpu_times.sort_by(f64::total_cmp);
            println!(
                "diff --format {format}: median {:.0} ms CPU time (user + system, both threads)",
                cpu_times[runs / 2] * 1e3
            );
        }
    }
    Ok(())
}

/// Returns the user and system CPU time of waited-for child processes, in clock ticks, from
/// `/proc/self/stat` (Linux only). CPU time shows the cost of the diff even when other
/// processes compete for the cores, which inflates wall time.
fn children_cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 of the whole line, 14 and 15 after the name.
    let user: u64 = fields.get(13)?.parse().ok()?;
    let system: u64 = fields.get(14)?.parse().ok()?;
    Some(user + system)
}

fn clock_ticks_per_second() -> Option<u64> {
    let output = Command::new("getconf").arg("CLK_TCK").output().ok()?;
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

/// Runs the diff once and returns the wall time and standard output.
fn run_diff(old: &Path, new: &Path, format: &str) -> Result<(Duration, Vec<u8>), Box<dyn Error>> {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("diff")
        .arg(old)
        .arg(new)
        .args(["--format", format])
        .stdin(Stdio::null())
        .output()?;
    let elapsed = start.elapsed();

    // Exit status 1 means breaking changes were found, which the mutations guarantee.
    if output.status.code() != Some(1) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("diff exited with {}: {stderr}", output.status).into());
    }
    Ok((elapsed, output.stdout))
}

fn describe_output(format: &str, output: &[u8]) -> String {
    if format == "json"
        && let Ok(report) = serde_json::from_slice::<Value>(output)
    {
        return format!(
            "{} breaking and {} non-breaking entries, {} KB of output",
            report["summary"]["breaking"],
            report["summary"]["non_breaking"],
            output.len() / 1024
        );
    }
    format!("{} KB of output", output.len() / 1024)
}

/// Builds the old spec: per family an operation with a request schema, a response schema,
/// an item schema and a recursive node schema, plus shared envelope, error and enum schemas.
fn build_spec() -> Value {
    let mut schemas = Map::new();
    schemas.insert("Metadata".to_owned(), metadata_schema());
    schemas.insert("Error".to_owned(), error_schema());
    for index in 0..ENUMS {
        let values: Vec<String> = (0..6)
            .map(|value| format!("VALUE_{index}_{value}"))
            .collect();
        schemas.insert(
            format!("Status{index}"),
            json!({ "type": "string", "description": "A status value.", "enum": values }),
        );
    }

    let mut paths = Map::new();
    for family in 0..FAMILIES {
        for (name, schema) in family_schemas(family) {
            schemas.insert(name, schema);
        }
        paths.insert(format!("/api/v2/resources/{family}/run"), operation(family));
    }

    json!({
        "openapi": "3.0.3",
        "info": { "title": "Synthetic API", "version": "1.0.0" },
        "servers": [{ "url": "https://example.invalid" }],
        "security": [{ "ApiKeyAuth": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "ApiKeyAuth": { "type": "apiKey", "in": "header", "name": "api_key" }
            },
            "schemas": schemas,
        },
    })
}

fn metadata_schema() -> Value {
    json!({
        "type": "object",
        "description": "Request metadata returned with every response.",
        "required": ["requestId"],
        "properties": {
            "requestId": { "type": "string", "description": "Identifier of the request." },
            "timestamp": { "type": "string", "description": "When the request was handled." },
            "usage": { "type": "number", "description": "Credits used by the request." },
        },
    })
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "Error body.",
        "properties": {
            "_metadata": { "$ref": "#/components/schemas/Metadata" },
            "message": { "type": "string", "description": "What went wrong." },
        },
    })
}

fn family_schemas(family: usize) -> Vec<(String, Value)> {
    let status = format!("#/components/schemas/Status{}", family % ENUMS);
    let item = format!("#/components/schemas/Item{family}");
    let node = format!("#/components/schemas/Node{family}");
    let text = |what: &str| {
        json!({
            "type": "string",
            "maxLength": 500,
            "description": format!("The {what} of this record, as the service stores it. \
                                    Free text; may be empty."),
        })
    };

    let input = json!({
        "type": "object",
        "description": format!("Input of operation {family}."),
        "required": ["agentOId", "name"],
        "properties": {
            "agentOId": text("agent id"),
            "name": text("name"),
            "companyDomain": text("company domain"),
            "companyName": text("company name"),
            "count": { "type": "integer", "format": "int32", "description": "How many." },
            "score": { "type": "number", "nullable": true, "description": "A score." },
            "status": { "$ref": status },
            "tags": { "type": "array", "items": { "type": "string" } },
            "labels": { "type": "object", "additionalProperties": { "type": "string" } },
            "item": { "$ref": item },
        },
    });
    let output = json!({
        "type": "object",
        "description": format!("Output of operation {family}."),
        "required": ["_metadata", "found"],
        "properties": {
            "_metadata": { "$ref": "#/components/schemas/Metadata" },
            "found": { "type": "boolean", "description": "Whether anything was found." },
            "message": { "type": "string", "nullable": true },
            "data": { "type": "array", "items": { "$ref": item } },
            "tree": { "$ref": node },
        },
    });
    let item_schema = json!({
        "type": "object",
        "description": "One record.",
        "required": ["id"],
        "properties": {
            "id": text("id"),
            "title": text("title"),
            "summary": text("summary"),
            "status": { "$ref": status },
            "count": { "type": "integer", "format": "int32" },
            "createdAt": text("creation time"),
        },
    });
    let node_schema = json!({
        "type": "object",
        "description": "A tree node that contains more nodes.",
        "properties": {
            "label": text("label"),
            "children": { "type": "array", "items": { "$ref": node } },
            "item": { "$ref": item },
        },
    });

    vec![
        (format!("Input{family}"), input),
        (format!("Output{family}"), output),
        (format!("Item{family}"), item_schema),
        (format!("Node{family}"), node_schema),
    ]
}

fn operation(family: usize) -> Value {
    json!({
        "post": {
            "operationId": format!("runResource{family}"),
            "summary": format!("Run resource {family}"),
            "description": "Runs the resource synchronously and returns its output.",
            "parameters": [
                { "name": "x-request-source", "in": "header", "schema": { "type": "string" } },
                { "name": "limit", "in": "query", "schema": { "type": "integer" } },
                { "name": "offset", "in": "query", "schema": { "type": "integer" } },
            ],
            "requestBody": {
                "required": true,
                "content": { "application/json": {
                    "schema": { "$ref": format!("#/components/schemas/Input{family}") }
                } },
            },
            "responses": {
                "200": {
                    "description": "The output.",
                    "headers": { "X-Request-Id": { "schema": { "type": "string" } } },
                    "content": { "application/json": {
                        "schema": { "$ref": format!("#/components/schemas/Output{family}") }
                    } },
                },
                "400": {
                    "description": "Bad request.",
                    "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/Error" }
                    } },
                },
            },
        }
    })
}

/// Applies deterministic changes of every common kind to the new spec and returns how many
/// were applied. One of them touches the shared `Metadata` schema, which every operation
/// returns, so the report fans out to all operations.
fn mutate(spec: &mut Value) -> usize {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };

    let mut applied = 0;
    for step in 0..MUTATIONS {
        let family = (next() % FAMILIES as u64) as usize;
        let input = format!("/components/schemas/Input{family}/properties");
        let item = format!("/components/schemas/Item{family}/properties");
        let done = match step % 10 {
            0 => {
                insert(
                    spec,
                    &input,
                    &format!("added{step}"),
                    json!({ "type": "string" }),
                ) && push(
                    spec,
                    &format!("/components/schemas/Input{family}/required"),
                    json!(format!("added{step}")),
                )
            }
            1 => remove(spec, &item, "summary"),
            2 => insert(spec, &item, "count", json!({ "type": "string" })),
            3 => insert(spec, &input, "score", json!({ "type": "number" })),
            4 => push(
                spec,
                &format!("/components/schemas/Status{}/enum", family % ENUMS),
                json!(format!("NEW_{step}")),
            ),
            5 => insert(
                spec,
                &item,
                "title",
                json!({ "type": "string", "nullable": true }),
            ),
            6 => insert(
                spec,
                &item,
                &format!("optional{step}"),
                json!({ "type": "boolean" }),
            ),
            7 => insert(
                spec,
                &input,
                "name",
                json!({ "type": "string", "maxLength": 50 }),
            ),
            8 => remove(spec, "/paths", &format!("/api/v2/resources/{family}/run")),
            _ => push(
                spec,
                &format!("/paths/~1api~1v2~1resources~1{family}~1run/post/parameters"),
                json!({ "name": format!("p{step}"), "in": "query", "required": true,
                        "schema": { "type": "string" } }),
            ),
        };
        applied += usize::from(done);
    }

    let metadata = "/components/schemas/Metadata/properties";
    applied += usize::from(remove(spec, metadata, "usage"));
    applied
}

fn insert(spec: &mut Value, pointer: &str, key: &str, value: Value) -> bool {
    match spec.pointer_mut(pointer).and_then(Value::as_object_mut) {
        Some(map) => {
            map.insert(key.to_owned(), value);
            true
        }
        None => false,
    }
}

fn remove(spec: &mut Value, pointer: &str, key: &str) -> bool {
    spec.pointer_mut(pointer)
        .and_then(Value::as_object_mut)
        .and_then(|map| map.remove(key))
        .is_some()
}

fn push(spec: &mut Value, pointer: &str, value: Value) -> bool {
    match spec.pointer_mut(pointer).and_then(Value::as_array_mut) {
        Some(list) => {
            list.push(value);
            true
        }
        None => false,
    }
}
