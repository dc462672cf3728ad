package client

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const (
	// TaskPageSize is the page size used to read every task: the API's
	// maximum, as the console and the official provider use.
	TaskPageSize = 100
	// DefaultPageConcurrency is how many pages are read at once, after the
	// first. Six keeps a 10,000-task read (100 pages) to 1 + 17 round trips
	// instead of 100, while staying far below the per-second API limits of
	// the gateways; max_requests_per_second caps it for accounts that are
	// throttled anyway. The first page is always read alone: until its
	// task_count arrives nothing says a second page exists, and a list that
	// fits one page must cost one request.
	DefaultPageConcurrency = 6
	// maxTaskPages stops a server that never sends a short page.
	maxTaskPages = 100_000
)

// TaskList is every task of a query, read page by page.
type TaskList struct {
	// Tasks are in the API's order (newest first), without duplicates.
	Tasks []Task
	// Reported is the task_count of the first page.
	Reported int
	// Requests is the number of pages requested.
	Requests int
}

// ListAllTasks reads every task matching q (its Start and Limit are
// ignored). After the first page, task_count says how many pages remain;
// they are read with up to concurrency requests in flight, and put back in
// the API's order. The reader trusts what comes back over task_count: it
// stops at a short or empty page, reads on past the predicted end while
// pages keep coming full, and drops the duplicate IDs a task created during
// the read causes by shifting the pages.
//
// Pages read concurrently can be served out of order: when a task is
// created between a later page and an earlier one, the task at their
// boundary is on neither. Every page carries task_count, so such a read is
// seen (the pages disagree) and done again; the last try reads one page at
// a time, which a list growing at its head cannot make lose a task.
func (c *Client) ListAllTasks(ctx context.Context, q TaskQuery, concurrency int) (*TaskList, error) {
	const maxReads = 3
	concurrency = max(concurrency, 1)
	requests := 0
	for read := 1; ; read++ {
		conc := concurrency
		if read == maxReads {
			conc = 1
		}
		list, stable, err := c.readAllTasks(ctx, q, conc)
		if list != nil {
			requests += list.Requests
		}
		if err != nil {
			return nil, err
		}
		if stable || conc == 1 {
			list.Requests = requests
			if len(list.Tasks) != list.Reported {
				tflog.SubsystemWarn(c.logContext(ctx), logSubsystem, "task_count disagrees with the tasks returned; using the tasks returned", map[string]any{
					"instance_id": q.InstanceID, "task_count": list.Reported, "tasks_returned": len(list.Tasks), "requests": list.Requests,
				})
			}
			return list, nil
		}
		tflog.SubsystemDebug(c.logContext(ctx), logSubsystem, "the tasks changed during the read (the pages report different task_count); reading them again", map[string]any{
			"instance_id": q.InstanceID, "read": read, "requests": requests,
		})
	}
}

// readAllTasks is one read of every page. stable reports that every page
// gave the same task_count, so that the pages fit together.
func (c *Client) readAllTasks(ctx context.Context, q TaskQuery, concurrency int) (*TaskList, bool, error) {
	q.Limit = TaskPageSize
	q.Start = 1
	first, err := c.ListTasks(ctx, q)
	if err != nil {
		return &TaskList{Requests: 1}, false, err
	}
	list := &TaskList{Reported: int(first.TaskCount), Requests: 1}
	stable := true
	seen := make(map[string]bool, max(list.Reported, len(first.Tasks)))
	add := func(p *TaskPage) (added int) {
		if int(p.TaskCount) != list.Reported {
			stable = false
		}
		for _, t := range p.Tasks {
			if !seen[t.ID] {
				seen[t.ID] = true
				list.Tasks = append(list.Tasks, t)
				added++
			}
		}
		return added
	}
	add(first)

	if len(first.Tasks) == TaskPageSize {
		predicted := min((list.Reported+TaskPageSize-1)/TaskPageSize, maxTaskPages)
		pages, requested, err := c.readPages(ctx, q, 2, predicted, concurrency)
		list.Requests += requested
		if err != nil {
			return list, false, err
		}
		lastLen := len(first.Tasks)
		for _, p := range pages {
			if p == nil { // never requested; readPages hands pages out in order
				continue
			}
			add(p)
			lastLen = len(p.Tasks)
		}
		// Read on, one page at a time, while the data says there is more
		// than task_count promised: the last page came back full and either
		// fuller than predicted or after pages shifted under us.
		page := max(predicted, 1) + 1
		expectedLast := list.Reported - (max(predicted, 1)-1)*TaskPageSize
		more := lastLen == TaskPageSize && (lastLen > expectedLast || len(list.Tasks) < list.Reported)
		for more && page <= maxTaskPages {
			q.Start = (page-1)*TaskPageSize + 1
			p, err := c.ListTasks(ctx, q)
			list.Requests++
			if err != nil {
				return list, false, err
			}
			added := add(p)
			more = len(p.Tasks) == TaskPageSize && added > 0
			page++
		}
	}
	return list, stable, nil
}

// readPages reads pages from..to with at most concurrency requests in
// flight, and returns them in page order. Once a page comes back short,
// later pages are not requested: the tasks ended earlier than task_count
// said. The first error cancels the pages still in flight.
func (c *Client) readPages(ctx context.Context, q TaskQuery, from, to, concurrency int) ([]*TaskPage, int, error) {
	if to < from {
		return nil, 0, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu        sync.Mutex
		results   = make([]*TaskPage, to-from+1)
		firstErr  error
		shortAt   = to + 1 // the first page known to be short
		requested int
		wg        sync.WaitGroup
		next      = from
	)
	// take hands out the next page to read, or false when none is left.
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if firstErr != nil || next > to || next > shortAt {
			return 0, false
		}
		p := next
		next++
		requested++
		return p, true
	}
	for range min(concurrency, to-from+1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				p, ok := take()
				if !ok {
					return
				}
				pq := q
				pq.Start = (p-1)*TaskPageSize + 1
				page, err := c.ListTasks(ctx, pq)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
						cancel()
					}
				} else {
					results[p-from] = page
					if len(page.Tasks) < TaskPageSize && p < shortAt {
						shortAt = p
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, requested, firstErr
	}
	// Pages after a short one were either never requested or are ignored:
	// reading them raced with finding the short page.
	last := min(shortAt, to)
	return results[:last-from+1], requested, nil
}
