//! Lets the example programs find libasyncore at run time.
fn main() {
    println!("cargo:rerun-if-env-changed=DEP_ASYNCORE_LIBDIR");
    if let Ok(dir) = std::env::var("DEP_ASYNCORE_LIBDIR") {
        println!("cargo:rustc-link-arg-bins=-Wl,-rpath,{dir}");
    }
}
