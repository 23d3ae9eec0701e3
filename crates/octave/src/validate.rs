//! Input checks that run before anything is sent. Each failure is an
//! [`Error::InvalidInput`] that names the JSON field and explains how to fix it.

use reqwest::header::HeaderValue;

use crate::error::{Error, Result};
use octave_types::{CustomContext, SequenceStepText};

/// Largest `limit` a Prospector run accepts.
pub(crate) const PROSPECTOR_MAX_LIMIT: i64 = 1000;

/// Keys that a Sequence step text map accepts: every email, or one of emails 1 to 4.
const SEQUENCE_STEP_KEYS: [&str; 5] = ["all", "1", "2", "3", "4"];

/// Checks that a required id is not blank.
pub(crate) fn check_id(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(
            field,
            "is blank; pass the OId masked in the Octave dashboard or returned by list_agents",
        ));
    }
    Ok(())
}

/// Checks the request id of a handle rebuilt from storage.
pub(crate) fn check_request_id(value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(
            "requestId",
            "is blank; pass the request id that submit returned (RunHandle::request_id), as \
             it was stored",
        ));
    }
    Ok(())
}

/// Checks that an optional field, when set, is not blank.
pub(crate) fn check_not_blank(field: &str, value: Option<&String>) -> Result<()> {
    match value {
        Some(value) if value.trim().is_empty() => Err(Error::invalid_input(
            field,
            "is set but blank; give a value or leave the field out",
        )),
        _ => Ok(()),
    }
}

/// Checks that exactly one of `agentOId` and `experimentOId` is set, and not blank.
pub(crate) fn check_target(agent: Option<&String>, experiment: Option<&String>) -> Result<()> {
    match (agent, experiment) {
        (Some(_), Some(_)) => Err(Error::invalid_input(
            "agentOId",
            "agentOId and experimentOId are both set; set exactly one (AgentTarget::agent or \
             AgentTarget::experiment)",
        )),
        (None, None) => Err(Error::invalid_input(
            "agentOId",
            "neither agentOId nor experimentOId is set; set exactly one (AgentTarget::agent or \
             AgentTarget::experiment)",
        )),
        (Some(agent), None) => check_id("agentOId", agent),
        (None, Some(experiment)) => check_id("experimentOId", experiment),
    }
}

/// Checks that a company is named by domain or name.
pub(crate) fn check_company(domain: Option<&String>, name: Option<&String>) -> Result<()> {
    check_not_blank("companyDomain", domain)?;
    check_not_blank("companyName", name)?;
    if domain.is_none() && name.is_none() {
        return Err(Error::invalid_input(
            "companyDomain",
            "no company given; set companyDomain or companyName (CompanyIdentifier::domain or \
             CompanyIdentifier::name)",
        ));
    }
    Ok(())
}

/// The fields of an input that can identify a person. `None` for fields the input lacks.
#[derive(Default)]
pub(crate) struct PersonFields<'a> {
    pub(crate) email: Option<&'a String>,
    pub(crate) linked_in_profile: Option<&'a String>,
    pub(crate) first_name: Option<&'a String>,
    pub(crate) last_name: Option<&'a String>,
    pub(crate) company_domain: Option<&'a String>,
    pub(crate) company_name: Option<&'a String>,
    pub(crate) crm_contact_id: Option<&'a String>,
    pub(crate) crm_lead_id: Option<&'a String>,
    pub(crate) crm_account_id: Option<&'a String>,
}

impl PersonFields<'_> {
    /// Checks that no field is set to a blank value.
    pub(crate) fn check_not_blank(&self) -> Result<()> {
        check_not_blank("email", self.email)?;
        check_not_blank("linkedInProfile", self.linked_in_profile)?;
        check_not_blank("firstName", self.first_name)?;
        check_not_blank("lastName", self.last_name)?;
        check_not_blank("companyDomain", self.company_domain)?;
        check_not_blank("companyName", self.company_name)?;
        check_not_blank("crmContactId", self.crm_contact_id)?;
        check_not_blank("crmLeadId", self.crm_lead_id)?;
        check_not_blank("crmAccountId", self.crm_account_id)
    }

    /// Checks the fields are not blank and identify a person: an email address, a LinkedIn
    /// profile, or a first name together with a company.
    pub(crate) fn check_identifies_person(&self) -> Result<()> {
        self.check_not_blank()?;
        let direct = self.email.is_some() || self.linked_in_profile.is_some();
        let company = self.company_domain.is_some() || self.company_name.is_some();
        if direct || (self.first_name.is_some() && company) {
            return Ok(());
        }
        Err(Error::invalid_input(
            "email",
            "no person given; set email, linkedInProfile, or firstName together with \
             companyDomain or companyName (see PersonIdentifier)",
        ))
    }
}

/// Returns `raw` as it may appear in an error or `Debug` output, without anything that may
/// carry a secret. A query or fragment becomes `?…`. The text between the scheme and the
/// last `@` before them (a user name and password) becomes `…`. When an `@` follows a `?`
/// or `#` that comes before any path, the `?` or `#` may be part of a password, so
/// everything after the scheme is hidden. Works on text that does not parse as a URL too,
/// and hides too much rather than too little.
pub(crate) fn masked_url(raw: &str) -> String {
    let start = match raw.split_once(':') {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && rest.starts_with('/') =>
        {
            scheme.len() + 1 + (rest.len() - rest.trim_start_matches('/').len())
        }
        _ => 0,
    };
    let (head, cut) = match raw[start..].find(['?', '#']) {
        Some(index) => raw.split_at(start + index),
        None => (raw, ""),
    };
    let marker = if cut.is_empty() { "" } else { "?…" };
    if cut.contains('@') && !head[start..].contains(['/', '@']) {
        return format!("{}…{marker}", &raw[..start]);
    }
    match head[start..].rfind('@') {
        Some(at) => format!("{}…{}{marker}", &raw[..start], &head[start + at..]),
        None => format!("{head}{marker}"),
    }
}

/// Checks a callback URL: an absolute http or https URL with a host.
pub(crate) fn check_callback_url(value: &str) -> Result<()> {
    let masked = masked_url(value);
    let fix = "pass an absolute https URL that Octave can reach, such as \
               https://example.com/octave/callback";
    if value.trim() != value {
        return Err(Error::invalid_input(
            "callbackUrl",
            format!("`{masked}` has leading or trailing whitespace; remove it"),
        ));
    }
    // The URL is sent as given, so it must already be in the form the url crate would
    // produce: the parser would quietly repair a backslash, a missing `//` or a control
    // character, but Octave gets the text.
    if let Some(bad) = value
        .chars()
        .find(|c| c.is_control() || c.is_whitespace() || *c == '\\')
    {
        return Err(Error::invalid_input(
            "callbackUrl",
            format!("`{}` contains {bad:?}; {fix}", masked.escape_debug()),
        ));
    }
    let url = url::Url::parse(value).map_err(|error| {
        Error::invalid_input(
            "callbackUrl",
            format!("`{masked}` is not an absolute URL ({error}); {fix}"),
        )
    })?;
    let scheme_end = url.scheme().len();
    if !value
        .get(scheme_end..)
        .is_some_and(|rest| rest.starts_with("://"))
    {
        return Err(Error::invalid_input(
            "callbackUrl",
            format!(
                "`{masked}` does not start with `{}://`; {fix}",
                url.scheme()
            ),
        ));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid_input(
            "callbackUrl",
            format!("`{masked}` uses the scheme `{}`; {fix}", url.scheme()),
        ));
    }
    // The url crate reads `http:///x` as host `x`, so look at the text after the scheme too.
    let after_scheme = value.split_once("://").map_or("", |(_, rest)| rest);
    if url.host_str().is_none_or(str::is_empty) || after_scheme.starts_with('/') {
        return Err(Error::invalid_input(
            "callbackUrl",
            format!("`{masked}` has no host; {fix}"),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_input(
            "callbackUrl",
            "the URL contains a user name or password, which would be sent to the service; \
             put a secret in the path instead",
        ));
    }
    Ok(())
}

/// Checks the Prospector `limit`: 1 to 1000.
pub(crate) fn check_prospector_limit(limit: Option<i64>) -> Result<()> {
    match limit {
        Some(limit) if !(1..=PROSPECTOR_MAX_LIMIT).contains(&limit) => Err(Error::invalid_input(
            "limit",
            format!("{limit} is out of range; pass a number from 1 to {PROSPECTOR_MAX_LIMIT}"),
        )),
        _ => Ok(()),
    }
}

/// Checks the keys of a Sequence step text map: `all` or `1` to `4`.
pub(crate) fn check_sequence_steps(field: &str, steps: Option<&SequenceStepText>) -> Result<()> {
    let Some(steps) = steps else {
        return Ok(());
    };
    let mut keys: Vec<&String> = steps.keys().collect();
    keys.sort();
    for key in keys {
        if !SEQUENCE_STEP_KEYS.contains(&key.as_str()) {
            return Err(Error::invalid_input(
                field,
                format!(
                    "key `{key}` is not a step; use `all` for every email or `1` to `4` for one email"
                ),
            ));
        }
    }
    Ok(())
}

/// Checks that every entity named in a custom context has a non-blank OId.
pub(crate) fn check_custom_context(context: Option<&CustomContext>) -> Result<()> {
    let Some(context) = context else {
        return Ok(());
    };
    let entries = [
        ("customContext.persona.oId", &context.persona),
        ("customContext.playbook.oId", &context.playbook),
        ("customContext.product.oId", &context.product),
        ("customContext.segment.oId", &context.segment),
        ("customContext.service.oId", &context.service),
    ];
    for (field, reference) in entries {
        if let Some(reference) = reference {
            check_id(field, &reference.o_id)?;
        }
    }
    Ok(())
}

/// Checks that a caller's `x-external-request-id` is a valid, non-blank header value.
pub(crate) fn check_external_request_id(value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(
            "x-external-request-id",
            "is blank; pass a non-blank id or none, and one is generated",
        ));
    }
    HeaderValue::from_str(value).map(drop).map_err(|_| {
        Error::invalid_input(
            "x-external-request-id",
            format!(
                "`{value}` contains characters that HTTP headers do not allow; use visible ASCII"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: Result<()>) -> String {
        match result {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn masked_url_hides_credentials_and_query() {
        let cases = [
            ("https://example.com/cb", "https://example.com/cb"),
            (
                "https://u:pw@example.com/cb?k=1",
                "https://…@example.com/cb?…",
            ),
            ("u:pw@example.com/x", "…@example.com/x"),
            ("ftp://x:pw@127.0.0.1:9", "ftp://…@127.0.0.1:9"),
            ("127.0.0.1:9/?api_key=s", "127.0.0.1:9/?…"),
            ("https://example.com/a@b", "https://…@b"),
            ("https://user:pa/pw@host/x?y=a@b", "https://…@host/x?…"),
            ("https://example.com#frag", "https://example.com?…"),
            ("http:/user:pw@host/x", "http:/…@host/x"),
            ("ftp:/user:pw@host/x", "ftp:/…@host/x"),
            ("http:/user:pw@host/?token=S", "http:/…@host/?…"),
            ("HTTP:/user:pw@host/?token=S", "HTTP:/…@host/?…"),
            ("http:///user:pw@host/x", "http:///…@host/x"),
            ("https://user:pa/pw@host/x", "https://…@host/x"),
            ("https://user:p#pw@host", "https://…?…"),
            ("https://user:p?pw@host/a?b", "https://…?…"),
            (
                "https://hooks.example/cb?to=a@b.com&token=S",
                "https://hooks.example/cb?…",
            ),
            (
                "http://127.0.0.1:9/#to=a@b.com&token=S",
                "http://127.0.0.1:9/?…",
            ),
            ("https://u:p@h/x?to=a@b.com", "https://…@h/x?…"),
            ("http:user:pw@host", "…@host"),
        ];
        for (raw, masked) in cases {
            assert_eq!(masked_url(raw), masked, "{raw}");
        }
    }

    #[test]
    fn callback_url_checks() {
        assert!(check_callback_url("https://example.com/cb").is_ok());
        assert!(check_callback_url("http://127.0.0.1:9/cb").is_ok());
        assert!(check_callback_url("HTTPS://Example.com/cb?run=1").is_ok());
        for bad in [
            "/relative",
            "example.com/cb",
            "ftp://example.com/cb",
            "mailto:a@b.c",
            " https://example.com/cb ",
            "http:///x",
            "https://user:secret@example.com/cb",
            "http:\\\\example.com\\cb",
            "http:example.com/cb",
            "https:/example.com/cb",
            "https://exa\nmple.com/cb",
            "https://example.com/\0cb",
            "https://example.com/a b",
        ] {
            assert_eq!(field_of(check_callback_url(bad)), "callbackUrl", "{bad}");
        }
    }

    #[test]
    fn prospector_limit_bounds() {
        assert!(check_prospector_limit(None).is_ok());
        assert!(check_prospector_limit(Some(1)).is_ok());
        assert!(check_prospector_limit(Some(1000)).is_ok());
        assert_eq!(field_of(check_prospector_limit(Some(0))), "limit");
        assert_eq!(field_of(check_prospector_limit(Some(1001))), "limit");
    }

    #[test]
    fn target_needs_exactly_one() {
        let id = "ca_1".to_owned();
        assert!(check_target(Some(&id), None).is_ok());
        assert!(check_target(None, Some(&id)).is_ok());
        assert_eq!(field_of(check_target(Some(&id), Some(&id))), "agentOId");
        assert_eq!(field_of(check_target(None, None)), "agentOId");
        let blank = " ".to_owned();
        assert_eq!(field_of(check_target(None, Some(&blank))), "experimentOId");
    }

    #[test]
    fn person_needs_identifier() {
        let email = "a@b.c".to_owned();
        let name = "Jane".to_owned();
        let domain = "example.com".to_owned();
        let with_email = PersonFields {
            email: Some(&email),
            ..PersonFields::default()
        };
        assert!(with_email.check_identifies_person().is_ok());
        let named_at_company = PersonFields {
            first_name: Some(&name),
            company_domain: Some(&domain),
            ..PersonFields::default()
        };
        assert!(named_at_company.check_identifies_person().is_ok());
        let name_only = PersonFields {
            first_name: Some(&name),
            ..PersonFields::default()
        };
        assert_eq!(field_of(name_only.check_identifies_person()), "email");
    }

    #[test]
    fn sequence_step_keys_checked() {
        let good = SequenceStepText(
            [
                ("all".to_owned(), "x".to_owned()),
                ("4".to_owned(), "y".to_owned()),
            ]
            .into(),
        );
        assert!(check_sequence_steps("runtimeContext", Some(&good)).is_ok());
        let bad = SequenceStepText([("5".to_owned(), "x".to_owned())].into());
        assert_eq!(
            field_of(check_sequence_steps("runtimeInstructions", Some(&bad))),
            "runtimeInstructions"
        );
    }

    #[test]
    fn external_request_id_checked() {
        assert!(check_external_request_id("abc-123").is_ok());
        assert!(check_external_request_id("").is_err());
        assert!(check_external_request_id("a\nb").is_err());
    }
}
