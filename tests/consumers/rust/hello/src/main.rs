//! A program outside the repository that uses the Rust binding: two
//! coroutines gathered by the main one (asyncio.run, gather, sleep).
use asyncore::{gather, sleep, Result};

async fn worker(name: &'static str, delay: f64) -> Result<String> {
    sleep(delay).await?;
    println!("{name} done");
    Ok(format!("{name} result"))
}

fn main() -> Result<()> {
    let results = asyncore::run(async {
        println!("main started");
        gather(vec![worker("slow", 0.02), worker("fast", 0.01)]).await
    })?;
    println!("{results:?}");
    Ok(())
}
