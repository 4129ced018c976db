// #[asyncore::test] (and the expansion #[asyncore::main] shares).
use std::time::Duration;

use asyncore::{sleep, spawn, time};

#[asyncore::test(virtual_clock)]
async fn a_test_on_a_virtual_clock() -> asyncore::Result<()> {
    sleep(Duration::from_secs(100)).await?;
    assert_eq!(time(), 100.0);
    Ok(())
}

#[asyncore::test]
async fn a_test_returning_unit() {
    let h = spawn(async { Ok(2) });
    assert_eq!(h.await.unwrap(), 2);
}

#[derive(Debug)]
struct Mine(String);
impl From<asyncore::Error> for Mine {
    fn from(e: asyncore::Error) -> Mine {
        Mine(e.to_string())
    }
}

#[asyncore::test(virtual_clock)]
async fn a_result_of_another_error_type() -> Result<(), Mine> {
    let e = asyncore::timeout(Duration::from_millis(5), sleep(Duration::from_secs(1))).await.unwrap_err();
    assert_eq!(Mine::from(e).0, "TimeoutError");
    Ok(())
}

/// What a failing test body gives is the test's outcome.
#[test]
fn the_body_outcome_is_the_function_result() {
    #[asyncore::main]
    async fn body() -> asyncore::Result<u32> {
        Err(asyncore::Error::host("no"))
    }
    assert_eq!(body().unwrap_err().to_string(), "Exception: no");
}
