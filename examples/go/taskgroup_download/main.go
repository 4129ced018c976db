// taskgroup_download — structured concurrency: a TaskGroup whose failing
// task is reported in a group error while the others' results survive.
//
// The Go twin of the asyncio crash course's TaskGroup example:
//
//	async def download_file(filename, url):
//	    print(f"Downloading {filename} from {url}...")
//	    await asyncio.sleep(2)
//	    if "error" in url:
//	        raise ValueError(f"Failed to download {filename}")
//	    print(f"Finished downloading {filename}")
//	    return f"Content of {filename}"
//
//	async def main_task_group():
//	    print("Main: Starting file downloads with TaskGroup...")
//	    ...
//	    try:
//	        async with asyncio.TaskGroup() as tg:
//	            for name, url in files_to_download.items():
//	                tasks.append(tg.create_task(download_file(name, url)))
//	    except* ValueError as eg:
//	        print(f"Main: Caught exception group: {eg}")
//	        for exc in eg.exceptions:
//	            print(f"  Individual exception: {exc}")
//	    finally:
//	        ... each task's result, "Error: ..." or "Cancelled"
//	    print(f"Main: Final download status: {results}")
//
// except* ValueError becomes errors.As on the group error's children.
package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"asyncore-examples/internal/cli"
	"asyncore-examples/internal/pyfmt"
	"libasyncore.org/go/asyncore"
)

// ValueError stands for Python's exception of that name.
type ValueError struct{ msg string }

func (e *ValueError) Error() string { return e.msg }

func downloadFile(filename, url string) asyncore.TaskFunc {
	return func(co *asyncore.Co) (any, error) {
		fmt.Printf("Downloading %s from %s...\n", filename, url)
		if err := co.Sleep(2 * time.Second); err != nil {
			return nil, err
		}
		if strings.Contains(url, "error") {
			return nil, &ValueError{"Failed to download " + filename}
		}
		fmt.Printf("Finished downloading %s\n", filename)
		return "Content of " + filename, nil
	}
}

func main() {
	cli.Run(func(co *asyncore.Co) (any, error) {
		fmt.Println("Main: Starting file downloads with TaskGroup...")
		names := []string{"report.pdf", "data.csv", "invalid.json"}
		urls := map[string]string{
			"report.pdf":   "http://example.com/report.pdf",
			"data.csv":     "http://example.com/data.csv",
			"invalid.json": "http://example.com/error_data.json",
		}
		var tasks []*asyncore.Task
		err := co.TaskGroup(func(tg *asyncore.TaskGroup) error {
			for _, name := range names {
				t, err := tg.Go(downloadFile(name, urls[name]))
				if err != nil {
					return err
				}
				tasks = append(tasks, t)
			}
			return nil
		})
		var group *asyncore.Error
		if errors.As(err, &group) && errors.Is(err, asyncore.ErrGroup) {
			var valueErrors []error
			for _, c := range group.Children {
				var ve *ValueError
				if errors.As(c, &ve) {
					valueErrors = append(valueErrors, c)
				}
			}
			if len(valueErrors) > 0 {
				fmt.Printf("Main: Caught exception group: %v\n", err)
				for _, e := range valueErrors {
					fmt.Printf("  Individual exception: %v\n", e)
				}
			}
		} else if err != nil {
			fmt.Printf("Main: Caught unexpected exception: %v\n", err)
		}
		results := map[string]string{}
		for i, t := range tasks {
			select {
			case <-t.Done():
			default:
				results[names[i]] = "Still pending (should not happen with TaskGroup if awaited)"
				continue
			}
			v, err := t.Result()
			switch {
			case errors.Is(err, asyncore.ErrCancelled):
				results[names[i]] = "Cancelled"
			case err != nil:
				results[names[i]] = "Error: " + err.Error()
			default:
				results[names[i]] = v.(string)
			}
		}
		fmt.Printf("Main: Final download status: %s\n", pyfmt.Dict(names, results))
		return nil, nil
	})
}
