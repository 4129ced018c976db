//! A program outside the repository that uses the Rust binding: two
//! coroutines gathered by the main one (asyncio.run, gather, sleep).
use std::time::Duration;

use asyncore::{gather, sleep, Result};

async fn worker(name: &'static str, delay: Duration) -> Result<String> {
    sleep(delay).await?;
    println!("{name} done");
    Ok(format!("{name} result"))
}

fn main() -> Result<()> {
    let results = asyncore::run(async {
        println!("main started");
        gather(vec![
            worker("slow", Duration::from_millis(20)),
            worker("fast", Duration::from_millis(10)),
        ])
        .await
    })?;
    println!("{results:?}");
    Ok(())
}
