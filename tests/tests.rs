//! Integration tests: the real `iislog` binary run on the fixtures and on generated logs.
//! One test binary (autotests = false), one module per area.
