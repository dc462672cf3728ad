package emulator

import (
	"sort"
	"time"
)

// listedTask is a task of a background-task list: DMS's Task or DCS's
// DCSTask. Lists order tasks by creation time and ID, and filter them by
// creation time.
type listedTask interface {
	listKey() (created time.Time, id string)
}

func (t Task) listKey() (time.Time, string) { return t.CreatedAt, t.ID }

// taskStore holds the instances of one background-task service and their
// tasks, with the lists' order and the tasks' scripts. Its methods need the
// emulator's lock.
type taskStore[T listedTask] struct {
	instances map[string]map[string]map[string]T // project -> instance -> task ID -> task
	order     map[[2]string][]string             // project and instance -> task IDs, newest first
	scripts   map[taskKey]*script[string]        // by instance and task ID
}

func newTaskStore[T listedTask]() *taskStore[T] {
	return &taskStore[T]{
		instances: map[string]map[string]map[string]T{},
		order:     map[[2]string][]string{},
		scripts:   map[taskKey]*script[string]{},
	}
}

type taskKey struct{ instance, task string }

// instance returns an instance's tasks for writing, creating the instance
// if needed. Callers add tasks, so the instance's order is recomputed on
// its next read.
func (s *taskStore[T]) instance(projectID, instanceID string) map[string]T {
	delete(s.order, [2]string{projectID, instanceID})
	p := s.instances[projectID]
	if p == nil {
		p = map[string]map[string]T{}
		s.instances[projectID] = p
	}
	inst := p[instanceID]
	if inst == nil {
		inst = map[string]T{}
		p[instanceID] = inst
	}
	return inst
}

// add adds tasks to an instance, creating it if needed; a task replaces an
// earlier one with the same ID.
func (s *taskStore[T]) add(projectID, instanceID string, tasks []T) {
	inst := s.instance(projectID, instanceID)
	for _, t := range tasks {
		_, id := t.listKey()
		inst[id] = t
	}
}

// script sets or, with no statuses, removes a task's script.
func (s *taskStore[T]) script(instanceID, taskID string, statuses []string) {
	k := taskKey{instanceID, taskID}
	if len(statuses) == 0 {
		delete(s.scripts, k)
		return
	}
	s.scripts[k] = &script[string]{steps: append([]string(nil), statuses...)}
}

// status returns the status a read of a task shows, advancing its script:
// own when the task has no script.
func (s *taskStore[T]) status(instanceID, taskID, own string) string {
	if sc := s.scripts[taskKey{instanceID, taskID}]; sc != nil {
		return sc.advance()
	}
	return own
}

// ordered returns the instance's task IDs newest first, equal creation
// times ordered by ID descending, sorting only after a write.
func (s *taskStore[T]) ordered(projectID, instanceID string, inst map[string]T) []string {
	k := [2]string{projectID, instanceID}
	if ids, ok := s.order[k]; ok {
		return ids
	}
	ids := make([]string, 0, len(inst))
	for id := range inst {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, _ := inst[ids[i]].listKey()
		b, _ := inst[ids[j]].listKey()
		if !a.Equal(b) {
			return a.After(b)
		}
		return ids[i] > ids[j]
	})
	s.order[k] = ids
	return ids
}

// page returns the tasks of an instance that lq's time filter matches, in
// list order, from position lq.start (1-based), at most lq.limit of them,
// and how many the filter matches in all.
//
// It filters in the kept order and builds only the requested page, as the
// real services answer from an index: sorting every task on every request
// would make the emulator, not the client, the bottleneck of the paging
// benchmark. The filter is inclusive at the bounds' one-second resolution.
func (s *taskStore[T]) page(projectID, instanceID string, inst map[string]T, lq listQuery) (page []T, total int) {
	from := lq.start - 1
	for _, id := range s.ordered(projectID, instanceID, inst) {
		t := inst[id]
		at, _ := t.listKey()
		created := at.Truncate(time.Second)
		if lq.hasBegin && created.Before(lq.begin) || lq.hasEnd && created.After(lq.end) {
			continue
		}
		if total >= from && total < from+lq.limit {
			page = append(page, t)
		}
		total++
	}
	return page, total
}
