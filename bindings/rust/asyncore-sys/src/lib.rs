//! Raw declarations of libasyncore's C ABI (`asyncore.h`), generated at
//! build time by bindgen. Everything here is `unsafe` to call and follows
//! the conventions of `asyncore/common.h`; the `asyncore` crate is the safe
//! face over it.
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
#![allow(clippy::all)]

include!(concat!(env!("OUT_DIR"), "/bindings.rs"));
