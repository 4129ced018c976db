//! One task appends lines to a file, another follows the file ("tail -f")
//! and prints each line as it appears (the Rust twin of
//! examples/c/tail_file.c). A read at the end of the file gives an empty
//! line for now; the next read looks again.
use asyncore::{fs, sleep, spawn, Result};

async fn follow(path: String) -> Result<()> {
    let f = fs::File::open(&path, "r").await?;
    loop {
        let line = f.read_line().await?;
        if line.is_empty() {
            sleep(0.05).await?; // at the end for now: look again
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        println!("tail: {}", text.trim_end_matches('\n'));
        if line == b"done\n" {
            break;
        }
    }
    f.close().await
}

fn main() {
    let path = std::env::temp_dir().join(format!("tail_file-{}.txt", std::process::id()));
    let p = path.to_str().unwrap().to_string();
    asyncore_examples::run(async move {
        let f = fs::File::open(&p, "w").await?;
        let follower = spawn(follow(p.clone()));
        for i in 1..=3 {
            f.write(format!("line {i}\n").as_bytes())?;
            f.drain().await?;
            sleep(0.2).await?;
        }
        f.write(b"done\n")?;
        f.close().await?;
        follower.await?;
        Ok(())
    });
    let _ = std::fs::remove_file(&path);
}
