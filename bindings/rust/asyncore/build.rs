//! Lets this crate's own tests and examples find libasyncore at
//! run time (an rpath emitted by asyncore-sys does not reach them).
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_ASYNCORE_LIBDIR");
    if let Ok(dir) = std::env::var("DEP_ASYNCORE_LIBDIR") {
        println!("cargo:rustc-link-arg-tests=-Wl,-rpath,{dir}");
        println!("cargo:rustc-link-arg-examples=-Wl,-rpath,{dir}");
    }
}
