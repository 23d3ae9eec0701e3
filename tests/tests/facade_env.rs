#![cfg(unix)]
//! Client settings read from the environment. This file has one test, so that setting
//! variables cannot race with another test of the same process reading them.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use octave::{Client, Error};

#[test]
fn bad_environment_is_config_error() {
    // SAFETY: this test binary runs this single test, so no other thread reads the
    // environment while it changes.
    unsafe {
        std::env::set_var("OCTAVE_API_KEY", "test-key");
        std::env::set_var(
            "OCTAVE_BASE_URL",
            OsString::from_vec(b"http://127.0.0.1:9/\xff".to_vec()),
        );
    }
    let error = Client::from_env().expect_err("not UTF-8");
    assert!(
        matches!(&error, Error::Config { setting, .. } if setting == "OCTAVE_BASE_URL"),
        "{error:?}"
    );
    assert!(error.to_string().contains("not valid UTF-8"), "{error}");

    for blank in ["", " ", "\n"] {
        // SAFETY: as above.
        unsafe { std::env::set_var("OCTAVE_BASE_URL", blank) };
        let error = Client::from_env().expect_err("blank");
        assert!(error.to_string().contains("set but blank"), "{error}");
    }

    // SAFETY: as above.
    unsafe { std::env::set_var("OCTAVE_BASE_URL", "http://127.0.0.1:9") };
    let client = Client::from_env().expect("a readable URL");
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
}
