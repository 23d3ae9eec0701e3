//! Sending runs through the generated client: the synchronous endpoint of each agent, and
//! the asynchronous endpoint that all of them share.

use std::future::Future;

use octave_client::ResponseValue;
use octave_types::AsyncAgentRunAccepted;
use octave_types::agents::{
    CallPrep, Content, EnrichCompany, EnrichPerson, Prospector, QualifyCompany, QualifyPerson,
    Sequence,
};
use reqwest::StatusCode;
use serde_json::Value;
use tracing::Instrument;

use super::SupportedAgent;
use super::sealed::RunEndpoint;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::output::{RawEnvelope, RunOutput};
use crate::transport::{Call, ClientError, Decoded, FallbackDecoder, Operation, undecodable};
use crate::validate::check_external_request_id;

/// Implements [`RunEndpoint`] for each agent with the generated method of its endpoint.
macro_rules! run_endpoints {
    ($($agent:ty => $method:ident),* $(,)?) => {
        $(
            impl RunEndpoint for $agent {
                fn call_run_endpoint<'a>(
                    api: &'a octave_client::Client,
                    external_request_id: &'a str,
                    request_source: Option<&'a str>,
                    input: &'a Self::Input,
                ) -> impl Future<
                    Output = std::result::Result<ResponseValue<Self::Response>, ClientError>,
                > + Send
                + 'a {
                    api.$method(Some(external_request_id), request_source, input)
                }

                fn response_summary(response: &Self::Response) -> (Option<&str>, bool) {
                    (response.metadata.request_id.as_deref(), response.found)
                }
            }
        )*
    };
}

run_endpoints! {
    EnrichCompany => run_enrich_company_agent,
    EnrichPerson => run_enrich_person_agent,
    Content => run_content_agent,
    Sequence => run_sequence_agent,
    QualifyPerson => run_qualify_person_agent,
    Prospector => run_prospector_agent,
    QualifyCompany => run_qualify_company_agent,
    CallPrep => run_call_prep_agent,
}

/// Output of a synchronous run.
pub(crate) enum SyncReply<A: SupportedAgent> {
    /// The response matched the agent's documented response type. It stays in the box the
    /// transport decoded it into until the caller takes the output, so that the large
    /// typed body is copied out once.
    Typed {
        response: Box<A::Response>,
        external_request_id: String,
    },
    /// The response did not match it, for example because `found` was missing, and was
    /// read leniently with `data` left as JSON.
    Lenient(RunOutput<Value>),
}

impl<A: SupportedAgent> SyncReply<A> {
    /// Returns the request id and `found` of the response, for the run's span.
    fn summary(&self) -> (Option<&str>, bool) {
        match self {
            SyncReply::Typed { response, .. } => A::response_summary(response),
            SyncReply::Lenient(output) => (output.request_id.as_deref(), output.found),
        }
    }

    /// Returns the output in the agent's type.
    ///
    /// # Errors
    ///
    /// [`Error::OutputMismatch`] when leniently read `data` does not fit the type.
    pub(crate) fn into_typed(self) -> Result<RunOutput<A::Output>> {
        match self {
            SyncReply::Typed {
                response,
                external_request_id,
            } => Ok(RunOutput::from_parts(
                A::split_response(*response),
                Some(external_request_id),
            )),
            SyncReply::Lenient(output) => output.decode(),
        }
    }

    /// Returns the output as JSON.
    ///
    /// # Errors
    ///
    /// [`Error::UndecodableBody`] if a typed output cannot be turned back into JSON, which
    /// the generated output types never cause.
    pub(crate) fn into_json(self) -> Result<RunOutput<Value>> {
        match self {
            SyncReply::Typed { .. } => self.into_typed()?.try_map(|data| {
                serde_json::to_value(&data)
                    .map_err(|source| undecodable(StatusCode::OK, b"", source))
            }),
            SyncReply::Lenient(output) => Ok(output),
        }
    }
}

/// Returns the caller's external request id, checked, or a random 128-bit hex one.
pub(super) fn external_request_id(explicit: Option<String>) -> Result<String> {
    match explicit {
        Some(id) => {
            check_external_request_id(&id)?;
            Ok(id)
        }
        None => Ok(format!("{:032x}", rand::random::<u128>())),
    }
}

/// Runs agent `A` synchronously with `input`, which the caller has checked.
pub(crate) async fn run_sync<A: SupportedAgent>(
    client: &Client,
    input: &A::Input,
    external_request_id: Option<String>,
) -> Result<SyncReply<A>> {
    let external_id = self::external_request_id(external_request_id)?;
    let span = tracing::info_span!(
        "octave.run",
        agent.kind = %A::KIND,
        agent.id = A::target_id(input),
        external_request_id = %external_id,
        request_id = tracing::field::Empty,
    );
    async move {
        let transport = client.transport();
        let api = transport.api();
        let source = transport.request_source();
        let id = external_id.as_str();
        let lenient: FallbackDecoder<RawEnvelope> = |body| serde_json::from_slice(body);
        let decoded = transport
            .send_with_fallback(
                &Call::submit(Operation::sync_run(A::KIND)),
                move || A::call_run_endpoint(api, id, source, input),
                lenient,
            )
            .await?;

        let reply = match decoded {
            Decoded::Typed(response) => SyncReply::Typed {
                response,
                external_request_id: external_id,
            },
            Decoded::Fallback(envelope) => {
                tracing::debug!("response does not match the documented envelope; read leniently");
                SyncReply::Lenient(envelope.into_output(None, Some(external_id)))
            }
        };
        let (request_id, found) = reply.summary();
        if let Some(request_id) = request_id {
            tracing::Span::current().record("request_id", request_id);
        }
        tracing::debug!(found, "run finished");
        Ok(reply)
    }
    .instrument(span)
    .await
}

/// An accepted asynchronous run.
pub(crate) struct Submitted {
    pub(crate) request_id: String,
    pub(crate) external_request_id: String,
    /// The reply already reported the run finished, as a service does for a submit whose
    /// `x-external-request-id` it has seen before; no callback follows then.
    pub(crate) finished: bool,
}

/// Starts an asynchronous run of agent `A` with `input`, which the caller has checked.
pub(crate) async fn submit_async<A: SupportedAgent>(
    client: &Client,
    input: &A::Input,
    callback_url: &str,
    external_request_id: Option<String>,
) -> Result<Submitted> {
    let request = A::async_request(input, callback_url)
        .map_err(|error| Error::invalid_input("input", error.to_string()))?;
    let external_id = self::external_request_id(external_request_id)?;
    let span = tracing::info_span!(
        "octave.submit",
        agent.kind = %A::KIND,
        agent.id = A::target_id(input),
        external_request_id = %external_id,
        request_id = tracing::field::Empty,
    );
    async {
        let transport = client.transport();
        let api = transport.api();
        let source = transport.request_source();
        let id = external_id.as_str();
        let request = &request;
        let accepted: AsyncAgentRunAccepted = transport
            .send(&Call::submit(Operation::RUN_ASYNC), move || {
                api.run_agent_async(Some(id), source, request)
            })
            .await?;
        tracing::Span::current().record("request_id", accepted.request_id.as_str());
        tracing::debug!(status = %accepted.status, "run accepted");
        Ok(Submitted {
            finished: accepted.status.is_terminal(),
            request_id: accepted.request_id,
            external_request_id: external_id.clone(),
        })
    }
    .instrument(span)
    .await
}
