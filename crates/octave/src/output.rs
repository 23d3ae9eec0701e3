//! The result of a finished run, from a synchronous response or a status poll.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use octave_types::{AgentResponseParts, Metadata};

/// Output of a finished agent run, with the metadata the service sent along.
///
/// `O` is the agent's typed output, such as
/// [`EnrichCompanyAgentOutput`](octave_types::EnrichCompanyAgentOutput), or
/// [`serde_json::Value`] for runs started with [`Client::run_dynamic`](crate::Client::run_dynamic).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RunOutput<O> {
    /// The agent's output (`data`); `None` when the service sent none, which usually comes
    /// with `found == false`.
    pub output: Option<O>,
    /// Whether the agent found what it looked for.
    pub found: bool,
    /// Additional information from the service.
    pub message: Option<String>,
    /// The service's id of the run: `_metadata.requestId` of a synchronous run, or the
    /// `requestId` of an asynchronous one.
    pub request_id: Option<String>,
    /// Usage charged for the run, inferred to be credits, when the service reported it.
    pub usage: Option<f64>,
    /// The `x-external-request-id` sent with the run request, when known.
    pub external_request_id: Option<String>,
}

impl<O> RunOutput<O> {
    /// Returns the output, or `None` when the service sent none.
    pub fn into_output(self) -> Option<O> {
        self.output
    }

    /// Builds the output of a synchronous run from its typed response.
    pub(crate) fn from_parts(
        parts: AgentResponseParts<O>,
        external_request_id: Option<String>,
    ) -> RunOutput<O> {
        RunOutput {
            output: parts.data,
            found: parts.found,
            message: parts.message,
            request_id: parts.metadata.request_id,
            usage: parts.metadata.usage,
            external_request_id,
        }
    }

    /// Converts the output with `convert`, keeping the metadata.
    pub(crate) fn try_map<P>(self, convert: impl FnOnce(O) -> Result<P>) -> Result<RunOutput<P>> {
        Ok(RunOutput {
            output: self.output.map(convert).transpose()?,
            found: self.found,
            message: self.message,
            request_id: self.request_id,
            usage: self.usage,
            external_request_id: self.external_request_id,
        })
    }
}

impl RunOutput<Value> {
    /// Decodes the output into an agent's typed output.
    pub(crate) fn decode<O: DeserializeOwned>(self) -> Result<RunOutput<O>> {
        let output = match self.output {
            None | Some(Value::Null) => None,
            Some(value) => Some(decode_value(value, self.request_id.as_deref())?),
        };
        Ok(RunOutput {
            output,
            found: self.found,
            message: self.message,
            request_id: self.request_id,
            usage: self.usage,
            external_request_id: self.external_request_id,
        })
    }
}

/// The synchronous response envelope `{_metadata, found, message, data}`, read leniently:
/// `data` stays JSON until it is decoded into the agent's type.
#[derive(Deserialize)]
pub(crate) struct RawEnvelope {
    #[serde(rename = "_metadata", default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    found: Option<bool>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    data: Option<Value>,
}

impl RawEnvelope {
    /// Turns the envelope into an output. `request_id` overrides `_metadata.requestId`.
    pub(crate) fn into_output(
        self,
        request_id: Option<String>,
        external_request_id: Option<String>,
    ) -> RunOutput<Value> {
        let data = self.data.filter(|data| !data.is_null());
        let metadata = self.metadata.unwrap_or_default();
        RunOutput {
            found: self.found.unwrap_or(data.is_some()),
            output: data,
            message: self.message,
            request_id: request_id.or(metadata.request_id),
            usage: metadata.usage,
            external_request_id,
        }
    }
}

/// Builds the output of an asynchronous run from its `result`, which is either the agent's
/// output or a whole synchronous envelope.
pub(crate) fn output_from_result(
    result: Value,
    request_id: &str,
    external_request_id: Option<String>,
) -> RunOutput<Value> {
    if is_envelope(&result)
        && let Ok(envelope) = serde_json::from_value::<RawEnvelope>(result.clone())
    {
        return envelope.into_output(Some(request_id.to_owned()), external_request_id);
    }
    let output = Some(result).filter(|value| !value.is_null());
    RunOutput {
        found: output.is_some(),
        output,
        message: None,
        request_id: Some(request_id.to_owned()),
        usage: None,
        external_request_id,
    }
}

/// Returns `true` for an object shaped like the synchronous envelope. Matches the rule of
/// [`octave_types::unwrap_envelope`].
fn is_envelope(value: &Value) -> bool {
    matches!(value, Value::Object(fields)
        if fields.contains_key("data")
            && (fields.contains_key("_metadata") || fields.contains_key("found")))
}

/// Decodes an agent output, reporting the path of the first field that does not fit and
/// keeping the output in the error.
fn decode_value<O: DeserializeOwned>(value: Value, request_id: Option<&str>) -> Result<O> {
    serde_path_to_error::deserialize(&value).map_err(|error| {
        let path = error.path().to_string();
        Error::OutputMismatch {
            request_id: request_id.map(str::to_owned),
            path,
            output: Box::new(value.clone()),
            source: error.into_inner(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use octave_types::QualifyCompanyAgentOutput;
    use serde_json::json;

    #[test]
    fn envelope_result_keeps_metadata() {
        let result = json!({
            "_metadata": {"requestId": "inner", "usage": 2.5},
            "found": true,
            "message": "done",
            "data": {"score": 8}
        });
        let output = output_from_result(result, "asyncReqID_1", None);
        assert_eq!(output.request_id.as_deref(), Some("asyncReqID_1"));
        assert_eq!(output.usage, Some(2.5));
        assert_eq!(output.message.as_deref(), Some("done"));
        assert_eq!(output.output, Some(json!({"score": 8})));
    }

    #[test]
    fn bare_result_is_output() {
        let output = output_from_result(json!({"score": 3}), "r", Some("ext".into()));
        assert!(output.found);
        assert_eq!(output.external_request_id.as_deref(), Some("ext"));
        let typed: RunOutput<QualifyCompanyAgentOutput> = output.decode().expect("decodes");
        assert_eq!(typed.output.and_then(|output| output.score), Some(3.0));
    }

    #[test]
    fn null_result_has_no_output() {
        let output = output_from_result(Value::Null, "r", None);
        assert!(!output.found);
        assert_eq!(output.output, None);
    }

    #[test]
    fn mistyped_output_names_field_and_keeps_output() {
        let output = output_from_result(json!({"score": "high"}), "asyncReqID_7", None);
        let error = output
            .decode::<QualifyCompanyAgentOutput>()
            .expect_err("score must be a number");
        let Error::OutputMismatch {
            request_id,
            path,
            output,
            ..
        } = &error
        else {
            panic!("expected OutputMismatch, got {error:?}");
        };
        assert_eq!(request_id.as_deref(), Some("asyncReqID_7"));
        assert_eq!(path, "score");
        assert_eq!(**output, json!({"score": "high"}));
        let text = error.to_string();
        assert!(
            text.contains("field `score`") && text.contains("asyncReqID_7"),
            "{text}"
        );
        assert!(!text.contains("proxy"), "{text}");
        assert_eq!(error.request_id(), Some("asyncReqID_7"));
        assert!(!error.is_retryable());
    }
}
