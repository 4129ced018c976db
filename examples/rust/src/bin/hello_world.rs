//! asyncio.run(main()):
//!
//!     async def main():
//!         print("Hello")
//!         await asyncio.sleep(0.1)
//!         print("World")
use std::time::Duration;

use asyncore::sleep;

#[asyncore::main]
async fn main() -> asyncore::Result<()> {
    println!("Hello");
    sleep(Duration::from_millis(100)).await?;
    println!("World");
    Ok(())
}
