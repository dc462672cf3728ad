package client

import (
	"context"
	"errors"
	"fmt"
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
	// DefaultMaxTasks is the most tasks one read of every task keeps when
	// Config.MaxTasks is 0. A background task is one operation on an
	// instance (a restart, a resize, a public IP bound); at a hundred a
	// day, 50,000 is well over a year of them. It is 500 pages, about
	// 25 MiB of tasks, and a few seconds of reading.
	DefaultMaxTasks = 50_000

	// maxReads is how often ListAllTasks reads the pages when they keep
	// changing under it; the last read is sequential.
	maxReads = 3
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

// TooManyTasksError is a read of every task that would keep more tasks than
// the client's MaxTasks: the first page's task_count says so, or the tasks
// themselves came to more. The read stops there, after one request when the
// count said so.
type TooManyTasksError struct {
	InstanceID string
	// Reported is the task_count the API reported.
	Reported int
	// Received is the number of distinct tasks received, when they, not
	// the count, went over Max; 0 when the count did.
	Received int
	// Max is the client's MaxTasks.
	Max int
}

// Error says how many tasks there are and how to read fewer.
func (e *TooManyTasksError) Error() string {
	what := fmt.Sprintf("the API reports %d tasks", e.Reported)
	if e.Received > 0 {
		what = fmt.Sprintf("the API returned %d tasks (its task_count says %d)", e.Received, e.Reported)
	}
	return fmt.Sprintf("instance %s has more background tasks than one read keeps (max_tasks = %d): %s. "+
		"Narrow the read to a time window with begin_time and end_time, or read one page with start and limit; "+
		"or raise max_tasks in the provider configuration.", e.InstanceID, e.Max, what)
}

// InconsistentPagesError is a read of every task whose pages do not fit
// their task_count: a page that task_count says is the last came back full,
// holding more tasks than the count leaves for it. Where the list ends is
// then unknown, and reading on past the count could go on for as long as
// the server likes, so the read stops.
type InconsistentPagesError struct {
	InstanceID string
	// Reported is the task_count the page came with.
	Reported int
	// Page is the 1-based number of the page.
	Page int
	// Held is the number of tasks on the page, a full page. Expected is the
	// most that Reported leaves for it.
	Held, Expected int
	// Requests is the number of pages requested by the whole read.
	Requests int
}

// Error says which page does not fit the count, and that the read stopped.
func (e *InconsistentPagesError) Error() string {
	first := (e.Page-1)*TaskPageSize + 1
	return fmt.Sprintf("the task pages of instance %s do not agree with their task_count: page %d (tasks %d to %d) came back full "+
		"with %d tasks, but task_count %d leaves room for %d there, so where the list ends is unknown. "+
		"The read stopped after %s rather than read on past the count. The API, or a proxy in front of it, "+
		"answered inconsistently: try again later, or read one page with start and limit, or narrow the read with begin_time and end_time.",
		e.InstanceID, e.Page, first, first+TaskPageSize-1, e.Held, e.Reported, e.Expected, plural(e.Requests, "request"))
}

// plural writes n things, as "1 request" or "2 requests".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// MaxTasks returns the most tasks one ListAllTasks keeps: Config.MaxTasks,
// or DefaultMaxTasks.
func (c *Client) MaxTasks() int {
	if c.cfg.MaxTasks > 0 {
		return c.cfg.MaxTasks
	}
	return DefaultMaxTasks
}

// pagesFor is the number of pages that hold n > 0 tasks.
func pagesFor(n int) int { return (n-1)/TaskPageSize + 1 }

// ListAllTasks reads every task matching q (its Start and Limit are
// ignored), keeping at most MaxTasks of them. Nothing the server says sizes
// the work: memory grows with the tasks received, and each read requests
// at most the pages MaxTasks fills, so a whole call makes at most
// maxReads × ⌈MaxTasks/TaskPageSize⌉ requests.
//
// After the first page, task_count says how many pages remain; they are
// read with up to concurrency requests in flight, and put back in the API's
// order. The rules:
//   - A short page (fewer than TaskPageSize tasks) proves the end of the
//     list, whatever task_count says; a short first page is the whole list.
//     A count that disagrees with the tasks returned is logged as a warning.
//   - A full first page with a task_count over MaxTasks ends the read with
//     a *TooManyTasksError, after that one request; so do more than
//     MaxTasks distinct tasks received.
//   - Only the pages task_count predicts are requested, never one past
//     them. When the last of them comes back full while the count leaves
//     room for fewer tasks on it, where the list ends is unknown, and the
//     read ends with an *InconsistentPagesError. That includes a task_count
//     of 0 (or anything under TaskPageSize) with a full first page: the
//     count says there is no second page, and the full page says there may
//     be, so neither can be believed.
//
// Pages read concurrently can be served out of order: when a task is
// created between a later page and an earlier one, the task at their
// boundary is on neither. Every page carries task_count, so such a read is
// seen (the pages disagree, or repeat a task) and done again; the last try
// reads one page at a time, follows each page's own task_count, which a
// list growing at its head raises as it goes, and drops the tasks a shifted
// page repeats.
func (c *Client) ListAllTasks(ctx context.Context, q TaskQuery, concurrency int) (*TaskList, error) {
	concurrency = max(concurrency, 1)
	maxTasks := c.MaxTasks()
	requests := 0
	for read := 1; read <= maxReads; read++ {
		var (
			list   *TaskList
			stable = true
			err    error
		)
		if concurrency == 1 || read == maxReads {
			list, err = c.readSequential(ctx, q, maxTasks)
		} else {
			list, stable, err = c.readConcurrent(ctx, q, concurrency, maxTasks)
		}
		requests += list.Requests
		if err != nil {
			var inconsistent *InconsistentPagesError
			if errors.As(err, &inconsistent) {
				inconsistent.Requests = requests
			}
			return nil, err
		}
		if !stable {
			tflog.SubsystemDebug(c.logContext(ctx), logSubsystem, "the tasks changed during the read (the pages report different task_count, or repeat a task); reading them again", map[string]any{
				"instance_id": q.InstanceID, "read": read, "requests": requests,
			})
			continue
		}
		list.Requests = requests
		if len(list.Tasks) > maxTasks {
			return nil, &TooManyTasksError{InstanceID: q.InstanceID, Reported: list.Reported, Received: len(list.Tasks), Max: maxTasks}
		}
		if len(list.Tasks) != list.Reported {
			tflog.SubsystemWarn(c.logContext(ctx), logSubsystem, "task_count disagrees with the tasks returned; using the tasks returned", map[string]any{
				"instance_id": q.InstanceID, "task_count": list.Reported, "tasks_returned": len(list.Tasks), "requests": list.Requests,
			})
		}
		return list, nil
	}
	return nil, errors.New("the task reader gave up without a result; this is always a bug in the provider, please report it")
}

// taskSet gathers the tasks of a read in order, dropping repeated IDs. It
// grows with the tasks received only.
type taskSet struct {
	seen    map[string]struct{}
	tasks   []Task
	dropped int
}

func (s *taskSet) add(p *TaskPage) {
	if s.seen == nil {
		s.seen = map[string]struct{}{}
	}
	for _, t := range p.Tasks {
		if _, ok := s.seen[t.ID]; ok {
			s.dropped++
			continue
		}
		s.seen[t.ID] = struct{}{}
		s.tasks = append(s.tasks, t)
	}
}

// afterFullPage judges page p, which came back full with task_count count:
// more reports that the count says another page follows. A count over
// maxTasks is a *TooManyTasksError; a count that leaves room for fewer
// tasks than the page holds is an *InconsistentPagesError (its Requests is
// filled in by ListAllTasks). As long as more is true, p×TaskPageSize is
// below count and so below maxTasks: no reader can pass ⌈maxTasks/100⌉
// pages by following it.
func afterFullPage(q TaskQuery, p, count, maxTasks int) (more bool, err error) {
	switch end := p * TaskPageSize; {
	case count > maxTasks:
		return false, &TooManyTasksError{InstanceID: q.InstanceID, Reported: count, Max: maxTasks}
	case end < count:
		return true, nil
	case end == count:
		return false, nil
	default:
		return false, &InconsistentPagesError{
			InstanceID: q.InstanceID, Reported: count, Page: p,
			Held: TaskPageSize, Expected: max(0, count-(p-1)*TaskPageSize),
		}
	}
}

// readPage reads page p (1-based) of TaskPageSize tasks.
func (c *Client) readPage(ctx context.Context, q TaskQuery, p int) (*TaskPage, error) {
	q.Start, q.Limit = (p-1)*TaskPageSize+1, TaskPageSize
	return c.ListTasks(ctx, q)
}

// readConcurrent is one read of every page, the pages after the first read
// concurrently. stable reports that the pages fit together: they all gave
// the first page's task_count, and none repeated a task of another. An
// unstable read is not judged against the count: it is done again. The
// returned list is never nil.
func (c *Client) readConcurrent(ctx context.Context, q TaskQuery, concurrency, maxTasks int) (*TaskList, bool, error) {
	list := &TaskList{Requests: 1}
	first, err := c.readPage(ctx, q, 1)
	if err != nil {
		return list, false, err
	}
	list.Reported = int(first.TaskCount)
	var set taskSet
	set.add(first)
	list.Tasks = set.tasks
	if len(first.Tasks) < TaskPageSize {
		return list, true, nil
	}
	more, err := afterFullPage(q, 1, list.Reported, maxTasks)
	if err != nil || !more {
		return list, err == nil, err
	}
	// afterFullPage has checked the count against maxTasks: this is at
	// most ⌈maxTasks/100⌉ pages.
	predicted := pagesFor(list.Reported)
	pages, requested, err := c.readPages(ctx, q, 2, predicted, concurrency)
	list.Requests += requested
	if err != nil {
		return list, false, err
	}
	stable := true
	last, lastPage := first, 1
	for p := 2; p <= predicted; p++ {
		page, ok := pages[p]
		if !ok { // after a short page: never requested, or dropped
			break
		}
		if int(page.TaskCount) != list.Reported {
			stable = false
		}
		set.add(page)
		last, lastPage = page, p
		if len(page.Tasks) < TaskPageSize {
			break
		}
	}
	list.Tasks = set.tasks
	if set.dropped > 0 {
		stable = false
	}
	if !stable {
		return list, false, nil
	}
	if len(last.Tasks) == TaskPageSize {
		// Every predicted page came back full: the last must end exactly
		// where task_count says.
		if _, err := afterFullPage(q, lastPage, list.Reported, maxTasks); err != nil {
			return list, true, err
		}
	}
	return list, true, nil
}

// readSequential reads the pages one at a time, each after the one before
// has been judged by its own task_count, so that a list growing at its head
// is followed to its end; the tasks a shifted page repeats are dropped. The
// loop's bound is ⌈maxTasks/100⌉ pages, which afterFullPage never lets it
// reach while more pages are due. The returned list is never nil.
func (c *Client) readSequential(ctx context.Context, q TaskQuery, maxTasks int) (*TaskList, error) {
	list := &TaskList{}
	var set taskSet
	for p := 1; p <= pagesFor(maxTasks); p++ {
		page, err := c.readPage(ctx, q, p)
		list.Requests++
		if err != nil {
			return list, err
		}
		if p == 1 {
			list.Reported = int(page.TaskCount)
		}
		set.add(page)
		list.Tasks = set.tasks
		if len(page.Tasks) < TaskPageSize {
			return list, nil
		}
		more, err := afterFullPage(q, p, int(page.TaskCount), maxTasks)
		if err != nil || !more {
			return list, err
		}
	}
	return list, errors.New("the task reader passed max_tasks without noticing; this is always a bug in the provider, please report it")
}

// readPages reads pages from..to with at most concurrency requests in
// flight, and returns them by page number. Once a page comes back short,
// later pages are not requested: the tasks ended earlier than task_count
// said. The first error cancels the pages still in flight. The map grows
// with the pages received.
func (c *Client) readPages(ctx context.Context, q TaskQuery, from, to, concurrency int) (map[int]*TaskPage, int, error) {
	if to < from {
		return nil, 0, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu        sync.Mutex
		results   = map[int]*TaskPage{}
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
				page, err := c.readPage(ctx, q, p)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
						cancel()
					}
				} else {
					results[p] = page
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
	// Pages after a short one were either never requested or are dropped:
	// reading them raced with finding the short page.
	for p := range results {
		if p > shortAt {
			delete(results, p)
		}
	}
	return results, requested, nil
}
