// Each example program, run on the virtual clock, prints exactly what the
// asyncio guide's example prints (the expected/<name>.txt files).
use std::path::Path;
use std::process::Command;

fn check(name: &str, exe: &str) {
    let out = Command::new(exe).arg("--virtual-clock").output().expect("run example");
    assert!(
        out.status.success(),
        "{name} exited with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    // The C twin's expected output, shared by every language.
    let expected_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../expected").join(format!("{name}.txt"));
    let expected = std::fs::read_to_string(&expected_path).expect("expected output");
    let got = String::from_utf8_lossy(&out.stdout);
    assert_eq!(got.trim_end_matches('\n'), expected.trim_end_matches('\n'), "output of {name}");
}

macro_rules! example {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name), env!(concat!("CARGO_BIN_EXE_", stringify!($name))));
            }
        )*
    };
}

example!(
    hello_world,
    coroutine_object,
    await_sequence,
    tour,
    gather_workers,
    worker_gather,
    event_loop,
    fetch_data,
    blocking_fetch,
    wait_for_timeout,
    taskgroup_download,
    to_thread,
);
