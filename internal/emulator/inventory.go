package emulator

import (
	"cmp"
	"encoding/json"
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

// JobInfo describes a job the emulator holds: of a database service, of
// ECS, EVS or IMS, or of CCE.
type JobInfo struct {
	// Service is the job's service, as ServicePrefix names it, such as
	// "gaussdb", "rds", "ecs" or "cce".
	Service string
	// Product is the service's product name, such as "GaussDB(for MySQL)",
	// "ECS" or "CCE", for messages and banners.
	Product string
	// ProjectID and ID locate the job.
	ProjectID, ID string
	// Name and Status are the job's own, as added: the name and status of
	// a database job, the job_type and status of a v1 job, the spec.type
	// and status.phase of a CCE job.
	Name, Status string
	// SubJobs is how many sub-jobs the job holds, as added: the length of
	// the entities' sub_jobs (ECS, EVS) or sub_jobs_result (IMS) of a v1
	// job, and of spec.subJobs of a CCE job; 0 for a database job.
	SubJobs int
	// Steps is the job's script, nil when it has none: what each read
	// shows of its status (and, for a database job, its progress).
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
// Services: the database services, then ECS, EVS, IMS and CCE), then by
// project and then by ID. Sub-jobs are not listed apart.
func (e *Emulator) Jobs() []JobInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []JobInfo
	for svc, byProject := range e.jobs {
		for project, jobs := range byProject {
			for id, j := range jobs {
				info := JobInfo{Service: string(svc), Product: svc.Product(), ProjectID: project, ID: id, Name: j.Name, Status: j.Status}
				if s := e.jobScripts[jobKey{svc, id}]; s != nil {
					info.Steps = slices.Clone(s.steps)
				}
				out = append(out, info)
			}
		}
	}
	for svc, byProject := range e.v1Jobs {
		for project, jobs := range byProject {
			for id, j := range jobs {
				info := JobInfo{Service: string(svc), Product: svc.Product(), ProjectID: project, ID: id, Name: j.Type, Status: j.Status,
					SubJobs: v1SubJobCount(j.Entities)}
				if s := e.v1Scripts[v1JobKey{svc, id}]; s != nil {
					for _, st := range s.steps {
						info.Steps = append(info.Steps, JobStep{Status: st.Status})
					}
				}
				out = append(out, info)
			}
		}
	}
	for project, jobs := range e.cceJobs {
		for id, j := range jobs {
			info := JobInfo{Service: "cce", Product: "CCE", ProjectID: project, ID: id, Name: j.Type, Status: j.Phase, SubJobs: len(j.SubJobs)}
			if s := e.cceScripts[id]; s != nil {
				for _, st := range s.steps {
					info.Steps = append(info.Steps, JobStep{Status: st.Phase})
				}
			}
			out = append(out, info)
		}
	}
	services := Services()
	slices.SortFunc(out, func(a, b JobInfo) int {
		return cmp.Or(cmp.Compare(slices.Index(services, a.Service), slices.Index(services, b.Service)),
			cmp.Compare(a.ProjectID, b.ProjectID), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// v1SubJobCount counts the sub-jobs of v1 job entities: sub_jobs, or
// IMS's sub_jobs_result; 0 when entities hold neither list.
func v1SubJobCount(entities json.RawMessage) int {
	var e struct {
		SubJobs []json.RawMessage `json:"sub_jobs"`
		Results []json.RawMessage `json:"sub_jobs_result"`
	}
	_ = json.Unmarshal(entities, &e) // Entities a test made up count as none.
	return len(e.SubJobs) + len(e.Results)
}
