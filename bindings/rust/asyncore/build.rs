//! Lets this crate's own tests and examples find libasyncore at
//! run time (an rpath emitted by asyncore-sys does not reach them). The
//! published crate has neither (cargo rejects a link argument for a kind
//! of target the package lacks), so each is emitted only when present.
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_ASYNCORE_LIBDIR");
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    if let Ok(dir) = std::env::var("DEP_ASYNCORE_LIBDIR") {
        if Path::new(&root).join("tests").is_dir() {
            println!("cargo:rustc-link-arg-tests=-Wl,-rpath,{dir}");
        }
        if Path::new(&root).join("examples").is_dir() {
            println!("cargo:rustc-link-arg-examples=-Wl,-rpath,{dir}");
        }
    }
}
