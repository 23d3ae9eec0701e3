//! Runs whose agent kind is known only at run time, such as those a command-line tool
//! reads from its arguments. The input is JSON; it is decoded into the kind's typed input
//! and checked before anything is sent.

use octave_types::AgentKind;
use octave_types::agents::{
    CallPrep, Content, EnrichCompany, EnrichPerson, Prospector, QualifyCompany, QualifyPerson,
    Sequence,
};
use serde_json::Value;

use crate::builders::{SupportedAgent, bind_to_receiver, run_sync, submit_async};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::handle::DynamicRunHandle;
use crate::output::RunOutput;
use crate::validate::check_callback_url;

/// Output of a run started with [`Client::run_dynamic`]: the agent's `data` as JSON.
pub type DynamicRunOutput = RunOutput<Value>;

/// Runs `$body` with the type alias `$agent` set to the marker type of `$kind`.
macro_rules! with_agent {
    ($kind:expr, $agent:ident => $body:expr) => {
        match $kind {
            AgentKind::EnrichCompany => {
                type $agent = EnrichCompany;
                $body
            }
            AgentKind::EnrichPerson => {
                type $agent = EnrichPerson;
                $body
            }
            AgentKind::Content => {
                type $agent = Content;
                $body
            }
            AgentKind::Sequence => {
                type $agent = Sequence;
                $body
            }
            AgentKind::QualifyPerson => {
                type $agent = QualifyPerson;
                $body
            }
            AgentKind::Prospector => {
                type $agent = Prospector;
                $body
            }
            AgentKind::QualifyCompany => {
                type $agent = QualifyCompany;
                $body
            }
            AgentKind::CallPrep => {
                type $agent = CallPrep;
                $body
            }
            other => Err(Error::invalid_input(
                "kind",
                format!("agent kind `{other}` has no run endpoint in this version of the SDK"),
            )),
        }
    };
}

impl Client {
    /// Runs an agent synchronously from a JSON input with the field names of the API,
    /// such as `{"agentOId": "ca_123", "companyDomain": "example.com"}`.
    ///
    /// The output is the agent's typed output turned back into JSON. Fields of the type keep
    /// their API names, other fields are kept as sent, and a field of the type that was
    /// `null` is left out.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before sending when the JSON is not an object, has a field
    /// the kind's input does not define, has a value of the wrong type, or fails an input
    /// check. After sending, the request errors of [`Error`].
    pub async fn run_dynamic(&self, kind: AgentKind, input: Value) -> Result<DynamicRunOutput> {
        with_agent!(kind, A => {
            let input = decode_input::<A>(input)?;
            run_sync::<A>(self, &input, None).await?.into_json()
        })
    }

    /// Starts an asynchronous run from a JSON input, as [`run_dynamic`](Client::run_dynamic)
    /// does for synchronous runs. Octave POSTs the result to `callback_url`.
    ///
    /// `external_request_id` sets the `x-external-request-id` header; without it a random
    /// 128-bit hex id is generated. Retries of the submit reuse it.
    ///
    /// # Errors
    ///
    /// As [`run_dynamic`](Client::run_dynamic), plus [`Error::InvalidInput`] for a callback
    /// URL that is not an absolute http(s) URL.
    pub async fn submit_dynamic(
        &self,
        kind: AgentKind,
        input: Value,
        callback_url: &str,
        external_request_id: Option<String>,
    ) -> Result<DynamicRunHandle> {
        check_callback_url(callback_url)?;
        with_agent!(kind, A => {
            let input = decode_input::<A>(input)?;
            let submitted =
                submit_async::<A>(self, &input, callback_url, external_request_id).await?;
            bind_to_receiver(self, callback_url, &submitted);
            Ok(DynamicRunHandle::submitted(self.clone(), kind, submitted))
        })
    }
}

/// Decodes and checks the JSON input of agent `A`.
fn decode_input<A: SupportedAgent>(input: Value) -> Result<A::Input> {
    let kind = A::KIND;
    let Value::Object(fields) = &input else {
        return Err(Error::invalid_input(
            "input",
            format!(
                "is a JSON {}, but the {} input is a JSON object with fields such as {}",
                json_type(&input),
                kind.display_name(),
                kind.input_field_names().join(", ")
            ),
        ));
    };

    let known = kind.input_field_names();
    let mut names: Vec<&String> = fields.keys().collect();
    names.sort();
    for name in names {
        if name == "callbackUrl" {
            return Err(Error::invalid_input(
                "callbackUrl",
                "belongs in the callback_url argument of submit_dynamic, not in the input",
            ));
        }
        if !known.contains(&name.as_str()) {
            return Err(Error::invalid_input(
                name.as_str(),
                format!(
                    "is not a field of the {} input; the fields are: {}",
                    kind.display_name(),
                    known.join(", ")
                ),
            ));
        }
    }

    let text = input.to_string();
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    let decoded: A::Input =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let field = if path == "." {
                "input".to_owned()
            } else {
                path
            };
            Error::invalid_input(field, error.into_inner().to_string())
        })?;
    A::check(&decoded)?;
    Ok(decoded)
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of<T: std::fmt::Debug>(result: Result<T>) -> String {
        match result {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn valid_input_decodes() {
        let input = json!({"agentOId": "ca_1", "companyDomain": "example.com"});
        let decoded = decode_input::<EnrichCompany>(input).expect("valid");
        assert_eq!(decoded.company_domain.as_deref(), Some("example.com"));
    }

    #[test]
    fn unknown_field_named() {
        let input = json!({"agentOId": "ca_1", "companyDomian": "example.com"});
        assert_eq!(
            field_of(decode_input::<EnrichCompany>(input)),
            "companyDomian"
        );
    }

    #[test]
    fn wrong_type_names_path() {
        let input = json!({"agentOId": "ca_1", "companyDomain": "x.com", "limit": "ten"});
        assert_eq!(field_of(decode_input::<Prospector>(input)), "limit");
    }

    #[test]
    fn missing_agent_id_reported() {
        let input = json!({"companyDomain": "example.com"});
        let error = decode_input::<EnrichCompany>(input).expect_err("no agentOId");
        assert!(error.to_string().contains("agentOId"), "{error}");
    }

    #[test]
    fn non_object_rejected() {
        assert_eq!(field_of(decode_input::<Sequence>(json!([1, 2]))), "input");
    }

    #[test]
    fn callback_url_in_input_rejected() {
        let input = json!({"agentOId": "ca_1", "email": "a@b.c", "callbackUrl": "https://x.y"});
        assert_eq!(field_of(decode_input::<EnrichPerson>(input)), "callbackUrl");
    }

    #[test]
    fn checks_run_after_decoding() {
        let input = json!({"agentOId": "ca_1", "experimentOId": "ae_1"});
        assert_eq!(field_of(decode_input::<Content>(input)), "agentOId");
    }
}
