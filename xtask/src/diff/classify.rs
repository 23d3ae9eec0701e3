//! Decides whether a change breaks users of this SDK, and why.
//!
//! The rule of thumb: in a request, accepting more is safe and accepting less breaks
//! callers. In a response, returning less variety is safe and returning more breaks readers.
//! A change of the generated Rust type (type, `$ref` target, type-bearing format) breaks
//! the side that handles the value. The one exception is a new enum value in a response, which
//! does not break, because every enum of this SDK has a catch-all variant for unknown values.

use super::change::{Direction, RawChange};

/// The users that a breaking change affects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breaks {
    /// Code that sends requests.
    Callers,
    /// Code that reads responses.
    Readers,
    /// Both.
    Both,
}

impl Breaks {
    /// Returns the names used in the JSON output.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Breaks::Callers => &["callers"],
            Breaks::Readers => &["readers"],
            Breaks::Both => &["callers", "readers"],
        }
    }

    /// Returns the phrase used in text and markdown output.
    pub fn phrase(self) -> &'static str {
        match self {
            Breaks::Callers => "breaks callers",
            Breaks::Readers => "breaks readers",
            Breaks::Both => "breaks callers and readers",
        }
    }
}

/// The classification of one change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The affected users, or `None` when the change breaks no one.
    pub breaks: Option<Breaks>,
    /// Why, in one sentence.
    pub reason: &'static str,
}

impl Verdict {
    /// Returns true when the change breaks someone.
    pub fn is_breaking(&self) -> bool {
        self.breaks.is_some()
    }
}

fn safe(reason: &'static str) -> Verdict {
    Verdict {
        breaks: None,
        reason,
    }
}

fn breaks(affected: Breaks, reason: &'static str) -> Verdict {
    Verdict {
        breaks: Some(affected),
        reason,
    }
}

/// Classifies a change. `direction` is where the change sits; `None` means a component
/// schema that no operation uses, which is judged as if it were used both ways.
pub fn classify(change: &RawChange, direction: Option<Direction>) -> Verdict {
    if let Some(verdict) = classify_operation_level(change) {
        return verdict;
    }
    if let Some(verdict) = classify_rust_type_change(change, direction) {
        return verdict;
    }
    match direction {
        Some(Direction::Request) => classify_request(change),
        Some(Direction::Response) => classify_response(change),
        None => {
            let request = classify_request(change);
            let response = classify_response(change);
            match (request.breaks, response.breaks) {
                (Some(_), Some(_)) => breaks(Breaks::Both, request.reason),
                (Some(_), None) => request,
                (None, Some(_)) => response,
                (None, None) => response,
            }
        }
    }
}

/// Classifies the changes whose meaning does not depend on the direction.
fn classify_operation_level(change: &RawChange) -> Option<Verdict> {
    use RawChange::*;
    let verdict = match change {
        OperationAdded => safe("a new client method; existing code is unaffected"),
        OperationRemoved => breaks(
            Breaks::Callers,
            "the client method is removed, so code that calls it no longer compiles",
        ),
        OperationIdChanged { .. } => breaks(
            Breaks::Callers,
            "the generated client method is named after the operationId, so it is renamed",
        ),
        OperationMoved { .. } => {
            safe("the client method keeps its name and sends requests to the new place by itself")
        }
        OperationDeprecated { now: true } => {
            safe("still served for now; plan to stop calling it before it is removed")
        }
        OperationDeprecated { now: false } => safe("nothing changes for existing code"),
        ParameterAdded { required: true } => breaks(
            Breaks::Callers,
            "callers must now set this parameter, and requests without it are rejected",
        ),
        ParameterAdded { required: false } => {
            safe("an optional parameter; callers that leave it out are unaffected")
        }
        ParameterRemoved => breaks(
            Breaks::Callers,
            "its builder method is removed, so callers that set it no longer compile",
        ),
        ParameterRequired { now: true } => breaks(
            Breaks::Callers,
            "callers that left this parameter out are now rejected",
        ),
        ParameterRequired { now: false } => safe("callers may now leave this parameter out"),
        ParameterDeprecated { .. } => safe("still accepted; the deprecation is informational"),
        RequestBodyAdded { required: true } => breaks(
            Breaks::Callers,
            "callers must now send a body, and requests without one are rejected",
        ),
        RequestBodyAdded { required: false } => {
            safe("an optional body; callers that send none are unaffected")
        }
        RequestBodyRemoved => breaks(
            Breaks::Callers,
            "the body setter is removed, so callers that send a body no longer compile",
        ),
        RequestBodyRequired { now: true } => breaks(
            Breaks::Callers,
            "callers that sent no body are now rejected",
        ),
        RequestBodyRequired { now: false } => safe("callers may now leave the body out"),
        ResponseAdded { status } if is_success(status) => safe(
            "a new success status; the client decodes it like the existing ones when the body \
             matches",
        ),
        ResponseAdded { .. } => safe("a newly documented error status; it arrives as an error"),
        ResponseRemoved { status } if is_success(status) => breaks(
            Breaks::Readers,
            "code that expects this success status or its body no longer gets it",
        ),
        ResponseRemoved { .. } => safe("an error status that is no longer documented"),
        HeaderAdded { .. } => safe("a new response header; existing readers ignore it"),
        HeaderRemoved => breaks(
            Breaks::Readers,
            "code that reads this header finds it missing",
        ),
        HeaderRequired { now: true } => safe("the header is now always sent"),
        HeaderRequired { now: false } => breaks(
            Breaks::Readers,
            "code that reads this header must handle it being absent",
        ),
        SecurityChanged {
            still_accepted: true,
            ..
        } => safe("every credential accepted before is still accepted"),
        SecurityChanged {
            still_accepted: false,
            ..
        } => breaks(
            Breaks::Callers,
            "credentials that were accepted before may now be rejected",
        ),
        SecuritySchemeAdded { .. } => safe("a new way to authenticate; existing ones still work"),
        SecuritySchemeRemoved { .. } => breaks(
            Breaks::Callers,
            "callers that authenticate this way are rejected",
        ),
        SecuritySchemeChanged { .. } => breaks(
            Breaks::Callers,
            "credentials are sent differently, so authentication code and proxies that set \
             them must change",
        ),
        ServerAdded { .. } => safe("the client's base URL is set in code and stays the same"),
        ServerRemoved { .. } => safe(
            "the client's base URL is set in code; check that it still points at a listed server",
        ),
        SchemaAdded { .. } => safe("a new type in octave-types; existing code is unaffected"),
        SchemaRemoved { .. } => breaks(
            Breaks::Both,
            "the generated type is removed from octave-types, so code that names it no longer \
             compiles",
        ),
        MediaTypeAdded { .. } => safe("a new media type; the existing ones still work"),
        _ => return None,
    };
    Some(verdict)
}

/// Classifies the changes that alter the generated Rust type. They break callers in a
/// request, readers in a response, and both in a component that no operation uses.
fn classify_rust_type_change(change: &RawChange, direction: Option<Direction>) -> Option<Verdict> {
    use RawChange::*;
    let affected = match direction {
        Some(Direction::Request) => Breaks::Callers,
        Some(Direction::Response) => Breaks::Readers,
        None => Breaks::Both,
    };
    let verdict = match change {
        TypeChanged { .. } => breaks(
            affected,
            "the generated Rust type changes, and values of the old type are no longer valid",
        ),
        SchemaRefChanged { .. } => breaks(
            affected,
            "the generated Rust type is now another one, so code that names the old type breaks",
        ),
        FormatChanged {
            changes_rust_type: true,
            ..
        } => breaks(
            affected,
            "the generated Rust type depends on this format, so it changes",
        ),
        EnumAdded { .. } => breaks(
            affected,
            "the generated Rust type changes from a string to an enum, and other values are \
             rejected",
        ),
        EnumRemoved => breaks(
            affected,
            "the generated Rust type changes from an enum to a plain string",
        ),
        DiscriminatorChanged { .. } => breaks(
            affected,
            "the property that selects the variant changed, so old payloads decode differently",
        ),
        _ => return None,
    };
    Some(verdict)
}

/// Classifies a schema change where the caller writes the value.
fn classify_request(change: &RawChange) -> Verdict {
    use RawChange::*;
    match change {
        MediaTypeRemoved { .. } => breaks(
            Breaks::Callers,
            "callers that send this media type are rejected",
        ),
        FormatChanged { new: None, .. } => safe("the server accepts values in any format now"),
        FormatChanged { .. } => breaks(
            Breaks::Callers,
            "values in the old format may now be rejected",
        ),
        NullableChanged { now: true } => safe("callers may now send null"),
        NullableChanged { now: false } => breaks(
            Breaks::Callers,
            "callers that send null are rejected, and the field's Rust type may lose its Option",
        ),
        EnumValueAdded { .. } => safe("callers may send the new value; old values still work"),
        EnumValueRemoved { .. } => breaks(
            Breaks::Callers,
            "callers that send this value are rejected, and its enum variant is removed",
        ),
        PropertyAdded { required: true } => breaks(
            Breaks::Callers,
            "callers must now send this field, and requests without it are rejected",
        ),
        PropertyAdded { required: false } => {
            safe("an optional field; callers that leave it out are unaffected")
        }
        PropertyRemoved => breaks(
            Breaks::Callers,
            "the field is removed from the generated type, so callers that set it no longer \
             compile",
        ),
        PropertyRequired { now: true } => breaks(
            Breaks::Callers,
            "callers that leave this field out are now rejected",
        ),
        PropertyRequired { now: false } => safe("callers may now leave this field out"),
        ConstraintChanged { narrowed: true, .. } => breaks(
            Breaks::Callers,
            "values that were valid before may now be rejected",
        ),
        ConstraintChanged {
            narrowed: false, ..
        } => safe("the server accepts more values; every value valid before is still valid"),
        VariantAdded { .. } => safe("callers may send a new shape; the old ones still work"),
        VariantRemoved { .. } => breaks(
            Breaks::Callers,
            "callers that send this shape are rejected, and its enum variant is removed",
        ),
        AdditionalPropertiesChanged { allowed: true } => {
            safe("the server accepts extra fields now")
        }
        AdditionalPropertiesChanged { allowed: false } => {
            breaks(Breaks::Callers, "requests with extra fields are rejected")
        }
        ReadOnlyChanged { now: true } => {
            breaks(Breaks::Callers, "callers may no longer send this field")
        }
        ReadOnlyChanged { now: false } => safe("callers may now send this field"),
        WriteOnlyChanged { .. } => safe("write-only only limits what the service returns"),
        SchemaDeprecated { .. } => safe("still accepted; the deprecation is informational"),
        DefaultChanged { .. } => safe(
            "callers that leave the field out get the new default, so check that it suits them",
        ),
        _ => safe("no effect on callers"),
    }
}

/// Classifies a schema change where the caller reads the value.
fn classify_response(change: &RawChange) -> Verdict {
    use RawChange::*;
    match change {
        MediaTypeRemoved { .. } => breaks(
            Breaks::Readers,
            "responses in this media type are no longer sent",
        ),
        FormatChanged { old: None, .. } => safe("values now follow a stated format"),
        FormatChanged { .. } => breaks(
            Breaks::Readers,
            "values are no longer guaranteed to follow the old format",
        ),
        NullableChanged { now: true } => breaks(
            Breaks::Readers,
            "readers must now handle null, and the field's Rust type may become an Option",
        ),
        NullableChanged { now: false } => safe("the service no longer sends null here"),
        EnumValueAdded { .. } => safe(
            "the SDK's enums are open, so an older client keeps the value in the catch-all \
             variant; code that matches on the enum may want a new arm",
        ),
        EnumValueRemoved { .. } => breaks(
            Breaks::Readers,
            "the generated enum loses this variant, so code that names it no longer compiles; \
             the service no longer sends the value",
        ),
        PropertyAdded { .. } => safe("a new field; existing readers ignore it"),
        PropertyRemoved => breaks(
            Breaks::Readers,
            "the field is removed from the generated type, so code that reads it no longer \
             compiles",
        ),
        PropertyRequired { now: true } => safe("the field is now always present"),
        PropertyRequired { now: false } => breaks(
            Breaks::Readers,
            "readers must handle the field being absent, and its Rust type becomes an Option",
        ),
        ConstraintChanged { .. } => {
            safe("the Rust type is unchanged; readers may see values in a different range")
        }
        VariantAdded { .. } => breaks(
            Breaks::Readers,
            "responses may have a new shape that older clients cannot decode, and the \
             generated enum gains a variant",
        ),
        VariantRemoved { .. } => safe("the service no longer sends this shape"),
        AdditionalPropertiesChanged { .. } => safe("readers ignore fields they do not know"),
        ReadOnlyChanged { .. } => safe("read-only only limits what callers send"),
        WriteOnlyChanged { now: true } => {
            breaks(Breaks::Readers, "the service stops returning this field")
        }
        WriteOnlyChanged { now: false } => safe("the service may now return this field"),
        SchemaDeprecated { .. } => safe("still returned; the deprecation is informational"),
        DefaultChanged { .. } => safe("defaults describe requests; readers are unaffected"),
        _ => safe("no effect on readers"),
    }
}

/// Returns true for `2xx` status codes and the `2XX` range.
pub fn is_success(status: &str) -> bool {
    status.starts_with('2')
}
