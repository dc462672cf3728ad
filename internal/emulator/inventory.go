package emulator

import (
	"cmp"
	"slices"
)

// InstanceInfo describes an instance with background tasks that the
// emulator holds.
type InstanceInfo struct {
	// Service is the instance's service, as ServicePrefix names it: "dms"
	// (RocketMQ, Kafka and RabbitMQ) or "dcs".
	Service string
	// ProjectID and ID locate the instance.
	ProjectID, ID string
	// Tasks is how many background tasks it has.
	Tasks int
	// NewestTask is the ID of its newest task, the first the list shows;
	// "" when it has none.
	NewestTask string
}

// JobInfo describes a job of a database service the emulator holds.
type JobInfo struct {
	// Service is the job's service.
	Service JobService
	// ProjectID and ID locate the job.
	ProjectID, ID string
	// Name and Status are the job's own, as added.
	Name, Status string
	// Steps is the job's script (see ScriptServiceJob), nil when it has
	// none.
	Steps []JobStep
}

// Instances returns the instances the emulator holds, DMS's then DCS's,
// each by project and then by ID, so that a person or a test can see which
// IDs to read.
func (e *Emulator) Instances() []InstanceInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append(storeInstances("dms", e.dms), storeInstances("dcs", e.dcs)...)
}

// storeInstances describes the instances of one task store, by project and
// then by ID. The emulator's lock must be held.
func storeInstances[T listedTask](service string, s *taskStore[T]) []InstanceInfo {
	var out []InstanceInfo
	for project, insts := range s.instances {
		for id, tasks := range insts {
			info := InstanceInfo{Service: service, ProjectID: project, ID: id, Tasks: len(tasks)}
			if order := s.ordered(project, id, tasks); len(order) > 0 {
				info.NewestTask = order[0]
			}
			out = append(out, info)
		}
	}
	slices.SortFunc(out, func(a, b InstanceInfo) int {
		return cmp.Or(cmp.Compare(a.ProjectID, b.ProjectID), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Jobs returns the jobs the emulator holds, by service (in the order of
// JobServices), then by project and then by ID.
func (e *Emulator) Jobs() []JobInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []JobInfo
	for svc, byProject := range e.jobs {
		for project, jobs := range byProject {
			for id, j := range jobs {
				info := JobInfo{Service: svc, ProjectID: project, ID: id, Name: j.Name, Status: j.Status}
				if s := e.jobScripts[jobKey{svc, id}]; s != nil {
					info.Steps = slices.Clone(s.steps)
				}
				out = append(out, info)
			}
		}
	}
	services := JobServices()
	slices.SortFunc(out, func(a, b JobInfo) int {
		return cmp.Or(cmp.Compare(slices.Index(services, a.Service), slices.Index(services, b.Service)),
			cmp.Compare(a.ProjectID, b.ProjectID), cmp.Compare(a.ID, b.ID))
	})
	return out
}
