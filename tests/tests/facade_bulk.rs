//! Bulk runs against the mock: every index exactly once, waits by callback or by polling,
//! HTTP 429 bursts, lazy input pulling, deduplication by batch id, and failed runs.

mod facade_common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use facade_common::{CALLBACK_URL, builder_for, start_mock_with};
use futures::{Stream, StreamExt};
use octave::agents::{EnrichCompany, QualifyCompany};
use octave::callbacks::CallbackReceiver;
use octave::types::QualifyCompanyAgentInput;
use octave::{
    Agent, AgentKind, BulkItem, Client, CompanyIdentifier, Error, RetryPolicy, WaitOptions,
};
use octave_mock::{Faults, MockConfig, MockServer, seeded_agent_id};

fn mock_config(run_duration: Duration, faults: Faults) -> MockConfig {
    MockConfig {
        run_duration,
        callback_backoff: Duration::from_millis(20),
        faults,
        ..MockConfig::default()
    }
}

/// Starts a mock, a client for it and a receiver attached to the client.
async fn with_receiver(config: MockConfig) -> (MockServer, Client, CallbackReceiver) {
    let mock = start_mock_with(config).await;
    let (client, receiver) = client_with_receiver(&mock).await;
    (mock, client, receiver)
}

/// Returns a client for `mock` and a receiver attached to it.
async fn client_with_receiver(mock: &MockServer) -> (Client, CallbackReceiver) {
    let client = builder_for(mock).build().expect("client builds");
    let receiver = CallbackReceiver::builder()
        .bind("127.0.0.1:0")
        .await
        .expect("receiver binds");
    receiver.attach(&client);
    (client, receiver)
}

/// Returns `count` Qualify Company inputs, `company-{i}.example.com`.
fn inputs(client: &Client, count: usize) -> impl Stream<Item = QualifyCompanyAgentInput> + use<> {
    let inputs: Vec<_> = (0..count)
        .map(|index| company_input(client, index))
        .collect();
    futures::stream::iter(inputs)
}

fn company_input(client: &Client, index: usize) -> QualifyCompanyAgentInput {
    client
        .qualify_company(
            seeded_agent_id(AgentKind::QualifyCompany),
            CompanyIdentifier::domain(format!("company-{index}.example.com")),
        )
        .into_input()
}

/// Runs `inputs` of agent `A` as batch `batch_id` and returns the items by index.
async fn run_batch<A: octave::SupportedAgent>(
    client: &Client,
    batch_id: &str,
    inputs: Vec<A::Input>,
) -> Vec<BulkItem<A>> {
    let mut items: Vec<_> = client
        .bulk::<A>()
        .batch_id(batch_id)
        .run(futures::stream::iter(inputs))
        .expect("bulk run starts")
        .collect()
        .await;
    items.sort_by_key(|item| item.index);
    items
}

/// Returns the request ids of `items`.
fn request_ids<A: Agent>(items: &[BulkItem<A>]) -> HashSet<Option<String>> {
    items.iter().map(|item| item.request_id.clone()).collect()
}

/// Checks that every item succeeded and that the indices are exactly `0..count`.
fn assert_every_index_once<K>(items: &[BulkItem<QualifyCompany, K>], count: usize) {
    let mut seen = HashSet::new();
    for item in items {
        assert!(
            seen.insert(item.index),
            "index {} yielded twice",
            item.index
        );
        let output = match &item.result {
            Ok(output) => output,
            Err(error) => panic!("index {} failed: {error}", item.index),
        };
        assert!(
            output.output.is_some(),
            "index {} has no output",
            item.index
        );
        assert_eq!(output.request_id, item.request_id, "index {}", item.index);
    }
    assert_eq!(seen.len(), count);
    assert!(seen.iter().all(|index| *index < count));
}

#[tokio::test]
async fn bulk_yields_every_index_once() {
    let (mock, client, receiver) =
        with_receiver(mock_config(Duration::from_millis(5), Faults::default())).await;

    let stream = client
        .bulk::<QualifyCompany>()
        .concurrency(16)
        .run(inputs(&client, 500))
        .expect("bulk run starts");
    let items: Vec<_> = stream.collect().await;

    assert_every_index_once(&items, 500);
    let stats = mock.stats();
    assert_eq!(stats.runs_created, 500);
    assert!(
        stats.status_polls * 10 < 500,
        "{} status polls for 500 runs",
        stats.status_polls
    );
    assert_eq!(receiver.stats().verified + receiver.stats().unverified, 500);
    receiver.shutdown().await;
}

#[tokio::test]
async fn bulk_waits_out_rate_limits() {
    let faults = Faults {
        rate_limit_burst: 20,
        ..Faults::default()
    };
    let mock = start_mock_with(mock_config(Duration::from_millis(5), faults)).await;
    // Without client retries every 429 reaches the bulk run. The first 16 submits get 429;
    // after each 1 s pause one submit probes and gets 429, until the burst is spent.
    let client = builder_for(&mock)
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client builds");
    let receiver = CallbackReceiver::builder()
        .bind("127.0.0.1:0")
        .await
        .expect("receiver binds");
    receiver.attach(&client);

    let mut stream = client
        .bulk::<QualifyCompany>()
        .concurrency(16)
        .run(inputs(&client, 100))
        .expect("bulk run starts");
    let mut items = Vec::new();
    let mut lowest_limit = usize::MAX;
    // The limit is lowest during the last pause and grows back as submits are accepted,
    // before the first result arrives, so it is read every few milliseconds.
    let mut tick = tokio::time::interval(Duration::from_millis(2));
    loop {
        tokio::select! {
            item = stream.next() => match item {
                Some(item) => items.push(item),
                None => break,
            },
            _ = tick.tick() => {}
        }
        lowest_limit = lowest_limit.min(stream.stats().concurrency_limit);
    }

    assert_every_index_once(&items, 100);
    let stats = stream.stats();
    assert_eq!(stats.rate_limited, 20, "{stats:?}");
    assert!(
        lowest_limit <= 2,
        "the limit dropped only to {lowest_limit}: {stats:?}"
    );
    assert_eq!(mock.stats().rate_limited, 20);
    assert_eq!(mock.stats().runs_created, 100);
    receiver.shutdown().await;
}

#[tokio::test]
async fn bulk_pulls_inputs_lazily() {
    let (mock, client, receiver) =
        with_receiver(mock_config(Duration::from_millis(50), Faults::default())).await;
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pulled);
    let template = company_input(&client, 0);
    let endless = futures::stream::iter(0..1_000_000).map(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        template.clone()
    });

    let mut stream = client
        .bulk::<QualifyCompany>()
        .concurrency(8)
        .run(endless)
        .expect("bulk run starts");
    let first = stream.next().await.expect("a first result");

    assert!(first.result.is_ok(), "{:?}", first.result);
    let before_first = pulled.load(Ordering::SeqCst);
    assert!(before_first <= 8 + 2, "{before_first} inputs pulled");
    assert_eq!(stream.stats().pulled, before_first as u64);
    for _ in 0..20 {
        stream.next().await.expect("more results");
    }
    assert!(pulled.load(Ordering::SeqCst) <= 8 + 21);
    drop(stream);
    assert!(mock.stats().runs_created <= 8 + 21);
    receiver.shutdown().await;
}

#[tokio::test]
async fn bulk_without_receiver_polls() {
    let faults = Faults {
        drop_callbacks: true,
        ..Faults::default()
    };
    let mock = start_mock_with(mock_config(Duration::from_millis(20), faults)).await;
    let client = builder_for(&mock)
        .callback_url(CALLBACK_URL)
        .build()
        .expect("client builds");
    let options = WaitOptions::new(Duration::from_secs(10))
        .min_interval(Duration::from_millis(30))
        .max_interval(Duration::from_millis(60));

    let items: Vec<_> = client
        .bulk::<QualifyCompany>()
        .concurrency(16)
        .wait_options(options)
        .run(inputs(&client, 50))
        .expect("bulk run starts")
        .collect()
        .await;

    assert_every_index_once(&items, 50);
    assert!(mock.stats().status_polls >= 50);
}

#[tokio::test]
async fn bulk_batch_id_deduplicates() {
    let (mock, client, receiver) =
        with_receiver(mock_config(Duration::from_millis(5), Faults::default())).await;
    let run_batch = || async {
        let mut items: Vec<_> = client
            .bulk::<QualifyCompany>()
            .batch_id("batch-7")
            .run(inputs(&client, 20))
            .expect("bulk run starts")
            .collect()
            .await;
        items.sort_by_key(|item| item.index);
        items
    };

    let first = run_batch().await;
    let again = run_batch().await;

    assert_every_index_once(&first, 20);
    for (before, after) in first.iter().zip(&again) {
        let prefix = format!("batch-7-{}-", before.index);
        let fingerprint = before
            .external_request_id
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{}", before.external_request_id));
        assert_eq!(fingerprint.len(), 16, "{}", before.external_request_id);
        assert_eq!(before.external_request_id, after.external_request_id);
        assert_eq!(before.request_id, after.request_id);
    }
    assert_eq!(mock.stats().runs_created, 20);
    assert_eq!(mock.stats().duplicates_avoided, 20);
    receiver.shutdown().await;
}

#[tokio::test]
async fn bulk_rerun_after_restart_polls_at_once() {
    let (mock, client, receiver) =
        with_receiver(mock_config(Duration::from_millis(5), Faults::default())).await;
    let company_inputs =
        |client: &Client| (0..5).map(|index| company_input(client, index)).collect();
    let first = run_batch::<QualifyCompany>(&client, "restart", company_inputs(&client)).await;
    assert_every_index_once(&first, 5);
    receiver.shutdown().await;

    // A new client and receiver, as after a restart: the service deduplicates the submits
    // and sends no new callbacks, so the waits must not sit until their first poll (60 s).
    let (client, receiver) = client_with_receiver(&mock).await;
    let started = Instant::now();
    let again = run_batch::<QualifyCompany>(&client, "restart", company_inputs(&client)).await;

    assert_every_index_once(&again, 5);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(request_ids(&first), request_ids(&again));
    assert_eq!(mock.stats().runs_created, 5);
    receiver.shutdown().await;
}

#[tokio::test]
async fn batch_id_changed_inputs_get_new_runs() {
    let (mock, client, receiver) =
        with_receiver(mock_config(Duration::from_millis(5), Faults::default())).await;
    let inputs_from = |from: usize| (from..from + 3).map(|index| company_input(&client, index));
    let first = run_batch::<QualifyCompany>(&client, "nightly", inputs_from(0).collect()).await;
    assert_every_index_once(&first, 3);

    // The same batch id and indices with other inputs, and with another agent.
    let second = run_batch::<QualifyCompany>(&client, "nightly", inputs_from(10).collect()).await;
    let enrich = (0..3)
        .map(|index| {
            client
                .enrich_company(
                    seeded_agent_id(AgentKind::EnrichCompany),
                    CompanyIdentifier::domain(format!("company-{index}.example.com")),
                )
                .into_input()
        })
        .collect();
    let third = run_batch::<EnrichCompany>(&client, "nightly", enrich).await;

    assert!(second.iter().all(|item| item.result.is_ok()), "{second:?}");
    assert!(third.iter().all(|item| item.result.is_ok()), "{third:?}");
    assert!(request_ids(&first).is_disjoint(&request_ids(&second)));
    assert!(request_ids(&first).is_disjoint(&request_ids(&third)));
    assert_eq!(mock.stats().runs_created, 9);
    assert_eq!(mock.stats().duplicates_avoided, 0);
    receiver.shutdown().await;
}

#[tokio::test]
async fn bulk_keyed_inputs_keep_keys() {
    let (_mock, client, receiver) =
        with_receiver(mock_config(Duration::from_millis(5), Faults::default())).await;
    let keyed: Vec<_> = (0..10)
        .map(|index| (format!("row-{index}"), company_input(&client, index)))
        .collect();

    let items: Vec<_> = client
        .bulk::<QualifyCompany>()
        .run_keyed(futures::stream::iter(keyed))
        .expect("bulk run starts")
        .collect()
        .await;

    assert_every_index_once(&items, 10);
    for item in &items {
        assert_eq!(item.key, format!("row-{}", item.index));
    }
    receiver.shutdown().await;
}

#[tokio::test]
async fn bulk_reports_failed_runs() {
    let faults = Faults {
        fail_runs: true,
        ..Faults::default()
    };
    let (_mock, client, receiver) =
        with_receiver(mock_config(Duration::from_millis(5), faults)).await;

    let items: Vec<_> = client
        .bulk::<QualifyCompany>()
        .run(inputs(&client, 10))
        .expect("bulk run starts")
        .collect()
        .await;

    assert_eq!(items.len(), 10);
    for item in items {
        let error = item.result.expect_err("the run failed");
        assert!(matches!(error, Error::RunFailed { .. }), "{error:?}");
        assert_eq!(error.request_id(), item.request_id.as_deref());
    }
    receiver.shutdown().await;
}

#[tokio::test]
async fn bulk_needs_callback_url() {
    let mock = start_mock_with(mock_config(Duration::from_millis(5), Faults::default())).await;
    let client = builder_for(&mock).build().expect("client builds");

    let error = client
        .bulk::<QualifyCompany>()
        .run(inputs(&client, 1))
        .expect_err("no callback URL");
    let invalid_batch = client
        .bulk::<QualifyCompany>()
        .callback_url(CALLBACK_URL)
        .batch_id("two words")
        .run(inputs(&client, 1))
        .expect_err("space in batch id");

    assert!(
        matches!(&error, Error::InvalidInput { field, .. } if field == "callbackUrl"),
        "{error:?}"
    );
    assert!(
        matches!(&invalid_batch, Error::InvalidInput { field, .. } if field == "batchId"),
        "{invalid_batch:?}"
    );
    assert_eq!(mock.stats().runs_created, 0);
}
