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
	// Searching is the task looked for in the list, when the API has no
	// GET of one task and max_tasks tasks went by without it.
	Searching string
}

// Error says how many tasks there are and how to read fewer.
func (e *TooManyTasksError) Error() string {
	if e.Searching != "" {
		return fmt.Sprintf("task %s is not among the newest %d background tasks of instance %s (max_tasks), and this API has no way to read one task by ID. "+
			"Raise max_tasks in the provider configuration if the task is older.", e.Searching, e.Max, e.InstanceID)
	}
	what := fmt.Sprintf("the API reports %d tasks", e.Reported)
	if e.Received > 0 {
		what = fmt.Sprintf("the API returned %d tasks (its task_count says %d)", e.Received, e.Reported)
	}
	return fmt.Sprintf("instance %s has more background tasks than one read keeps (max_tasks = %d): %s. "+
		"Narrow the read to a time window with begin_time and end_time, or read one page with start and limit; "+
		"or raise max_tasks in the provider configuration.", e.InstanceID, e.Max, what)
}

// InconsistentPagesError is a read of every task whose pages do not fit
// together or their task_count, so that tasks may be missing from what was
// read; the read stops instead of guessing. Kind says how:
//   - InconsistentFullPage: a page that task_count says is the last came
//     back full, holding more tasks than the count leaves for it, so where
//     the list ends is unknown, and reading on past the count could go on
//     for as long as the server likes;
//   - InconsistentRepeats: a page repeated tasks of the pages before it
//     while task_count did not grow by as many, as it does when tasks are
//     created during the read;
//   - InconsistentPastEnd: a page came back short of what task_count
//     announces, which ends the list, but the page after it held tasks.
type InconsistentPagesError struct {
	InstanceID string
	Kind       InconsistencyKind
	// Reported is the task_count the page came with.
	Reported int
	// Page is the 1-based number of the page.
	Page int
	// Held is the number of tasks on the page. Expected is, for
	// InconsistentFullPage, the most that Reported leaves for it; for
	// InconsistentRepeats, how many repeats the count's growth explains.
	Held, Expected int
	// Repeated is the number of tasks the pages repeated
	// (InconsistentRepeats).
	Repeated int
	// Requests is the number of pages requested by the whole read.
	Requests int
}

// InconsistencyKind says how the pages of a read disagree.
type InconsistencyKind int

// The ways the pages of a read can disagree; see InconsistentPagesError.
const (
	InconsistentFullPage InconsistencyKind = iota
	InconsistentRepeats
	InconsistentPastEnd
)

// Error says which page does not fit, and that the read stopped.
func (e *InconsistentPagesError) Error() string {
	first := (e.Page-1)*TaskPageSize + 1
	var what string
	switch e.Kind {
	case InconsistentRepeats:
		what = fmt.Sprintf("page %d (tasks %d to %d) brought the repeats of earlier pages to %d tasks, "+
			"but task_count grew by only %d since the first page (to %d), so tasks may be missing", e.Page, first, first+TaskPageSize-1, e.Repeated, e.Expected, e.Reported)
	case InconsistentPastEnd:
		what = fmt.Sprintf("page %d (tasks %d to %d) came back with %d tasks, short of what task_count %d announces, "+
			"which ends the list, but page %d after it holds tasks, so tasks may be missing", e.Page, first, first+TaskPageSize-1, e.Held, e.Reported, e.Page+1)
	default:
		what = fmt.Sprintf("page %d (tasks %d to %d) came back full with %d tasks, but task_count %d leaves room for %d there, "+
			"so where the list ends is unknown", e.Page, first, first+TaskPageSize-1, e.Held, e.Reported, e.Expected)
	}
	return fmt.Sprintf("the task pages of instance %s do not agree with their task_count: %s. "+
		"The read stopped after %s rather than guess. The API, or a proxy in front of it, "+
		"answered inconsistently: try again later, or read one page with start and limit, or narrow the read with begin_time and end_time.",
		e.InstanceID, what, plural(e.Requests, "request"))
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
	pages, requested, pastEnd, err := c.readPages(ctx, q, 2, predicted, concurrency)
	list.Requests += requested
	if err != nil {
		return list, false, err
	}
	stable := !pastEnd
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
// is followed to its end; the tasks a shifted page repeats are dropped, as
// long as the count grew by as many. A short page before the count's end
// is checked by reading the page after it, which must be empty. The loop's
// bound is ⌈maxTasks/100⌉ pages, which afterFullPage never lets it reach
// while more pages are due. The returned list is never nil.
func (c *Client) readSequential(ctx context.Context, q TaskQuery, maxTasks int) (*TaskList, error) {
	list := &TaskList{}
	var set taskSet
	firstCount := 0
	for p := 1; p <= pagesFor(maxTasks); p++ {
		page, err := c.readPage(ctx, q, p)
		list.Requests++
		if err != nil {
			return list, err
		}
		count := int(page.TaskCount)
		if p == 1 {
			list.Reported, firstCount = count, count
		}
		set.add(page)
		list.Tasks = set.tasks
		// A task created during the read shifts the later pages by one,
		// and raises task_count by one: repeats beyond the count's growth
		// mean the pages repeat themselves, and hide the tasks they stand
		// in for.
		if grown := count - firstCount; set.dropped > max(grown, 0) {
			return list, &InconsistentPagesError{InstanceID: q.InstanceID, Kind: InconsistentRepeats, Reported: count, Page: p,
				Held: len(page.Tasks), Expected: max(grown, 0), Repeated: set.dropped}
		}
		if len(page.Tasks) == TaskPageSize {
			more, err := afterFullPage(q, p, count, maxTasks)
			if err != nil || !more {
				return list, err
			}
			continue
		}
		if p*TaskPageSize >= count || p == pagesFor(maxTasks) {
			return list, nil
		}
		// Short of what the count announces: the list may have shrunk, or
		// the count be wrong, and the page after must then be empty.
		next, err := c.readPage(ctx, q, p+1)
		list.Requests++
		if err != nil {
			// A start past the end may be an error of its own; the short
			// page has already said where the list ends.
			if ctx.Err() != nil {
				return list, err
			}
			return list, nil
		}
		if len(next.Tasks) > 0 {
			return list, &InconsistentPagesError{InstanceID: q.InstanceID, Kind: InconsistentPastEnd, Reported: count, Page: p, Held: len(page.Tasks)}
		}
		return list, nil
	}
	return list, errors.New("the task reader passed max_tasks without noticing; this is always a bug in the provider, please report it")
}

// readPages reads pages from..to with at most concurrency requests in
// flight, and returns them by page number. Once a page comes back short,
// later pages are not requested: the tasks ended earlier than task_count
// said. An error on page p calls off the pages after p still in flight,
// but lets the pages before it finish: when one of those is short, the
// list ends before p and the error (such as a 400 for a start past the
// end) is not one. pastEnd reports a page after a short one that held
// tasks, which a list cannot have: the pages do not fit together. The map
// grows with the pages received.
func (c *Client) readPages(ctx context.Context, q TaskQuery, from, to, concurrency int) (pages map[int]*TaskPage, requested int, pastEnd bool, err error) {
	if to < from {
		return nil, 0, false, nil
	}
	var (
		mu       sync.Mutex
		results  = map[int]*TaskPage{}
		errPage  = to + 1 // the lowest page that failed
		firstErr error
		shortAt  = to + 1 // the lowest page known to be short
		cancels  = map[int]context.CancelFunc{}
		wg       sync.WaitGroup
		next     = from
	)
	// take hands out the next page to read, or false when none is left.
	take := func() (int, context.Context, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next > to || next > shortAt || next > errPage {
			return 0, nil, false
		}
		p := next
		next++
		requested++
		pctx, cancel := context.WithCancel(ctx)
		cancels[p] = cancel
		return p, pctx, true
	}
	for range min(concurrency, to-from+1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				p, pctx, ok := take()
				if !ok {
					return
				}
				page, err := c.readPage(pctx, q, p)
				mu.Lock()
				cancels[p]()
				delete(cancels, p)
				switch {
				case err != nil && p < errPage:
					errPage, firstErr = p, err
					for later, cancel := range cancels {
						if later > p {
							cancel()
						}
					}
				case err == nil:
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
	if firstErr != nil && errPage <= shortAt {
		return nil, requested, false, firstErr
	}
	// Pages after a short one were either never requested or are dropped:
	// reading them raced with finding the short page. One that held tasks
	// contradicts the short page.
	for p, page := range results {
		if p > shortAt {
			pastEnd = pastEnd || len(page.Tasks) > 0
			delete(results, p)
		}
	}
	return results, requested, pastEnd, nil
}
