//! Finds libasyncore through pkg-config and generates the raw declarations
//! from asyncore.h with bindgen, into OUT_DIR (never into the source tree).
//!
//! Inputs (all optional):
//!   PKG_CONFIG_PATH   where libasyncore.pc (installed) or
//!                     libasyncore-uninstalled.pc (a build tree) is found;
//!   PKG_CONFIG        the pkg-config program (default "pkg-config");
//!   BINDGEN           the bindgen program (default "bindgen").
//! The crate exports DEP_ASYNCORE_LIBDIR and DEP_ASYNCORE_INCLUDE to the
//! build scripts of crates that depend on it.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn pkg_config(args: &[&str]) -> Result<String, String> {
    let prog = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into());
    // A build tree provides libasyncore-uninstalled.pc; pkg-config prefers
    // it over an installed libasyncore.pc for the same name.
    let out = Command::new(&prog)
        .args(args)
        .arg("libasyncore")
        .output()
        .map_err(|e| format!("cannot run {prog}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{prog} {} libasyncore failed: {}\n(set PKG_CONFIG_PATH to the folder of \
             libasyncore.pc, or to <build>/meson-uninstalled for a build tree)",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn flags(output: &str, prefix: &str) -> Vec<String> {
    output
        .split_whitespace()
        .filter_map(|w| w.strip_prefix(prefix).map(str::to_string))
        .collect()
}

fn main() {
    for var in ["PKG_CONFIG_PATH", "PKG_CONFIG", "BINDGEN"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");

    let cflags = pkg_config(&["--cflags-only-I"]).unwrap_or_else(|e| panic!("{e}"));
    let libs = pkg_config(&["--libs-only-L"]).unwrap_or_else(|e| panic!("{e}"));
    let include_dirs = flags(&cflags, "-I");
    let lib_dirs = flags(&libs, "-L");

    let header = include_dirs
        .iter()
        .map(|d| Path::new(d).join("asyncore.h"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("asyncore.h not found in {include_dirs:?}"));
    let include = header.parent().unwrap().to_path_buf();
    println!("cargo:rerun-if-changed={}", header.display());
    if let Ok(entries) = std::fs::read_dir(include.join("asyncore")) {
        for e in entries.flatten() {
            println!("cargo:rerun-if-changed={}", e.path().display());
        }
    }

    for dir in &lib_dirs {
        println!("cargo:rustc-link-search=native={dir}");
    }
    println!("cargo:rustc-link-lib=dylib=asyncore");
    if let Some(dir) = lib_dirs.first() {
        println!("cargo:libdir={dir}");
    }
    println!("cargo:include={}", include.display());

    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("bindings.rs");
    let bindgen = env::var("BINDGEN").unwrap_or_else(|_| "bindgen".into());
    let mut cmd = Command::new(&bindgen);
    cmd.arg(&header)
        .args(["--allowlist-function", "ac_.*"])
        .args(["--allowlist-type", "ac_.*"])
        .args(["--allowlist-var", "AC_.*"])
        .arg("--size_t-is-usize")
        .arg("--no-prepend-enum-name")
        .arg("-o")
        .arg(&out)
        .arg("--");
    for dir in &include_dirs {
        cmd.arg(format!("-I{dir}"));
    }
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("cannot run {bindgen} (package bindgen, with libclang1-14): {e}"));
    assert!(status.success(), "{bindgen} failed on {}", header.display());
}
