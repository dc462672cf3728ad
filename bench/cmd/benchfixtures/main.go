// Command benchfixtures writes the emulator fixtures that bench/run.sh plans
// against, in the format of internal/emulator (see go doc ./internal/emulator):
//
//	go run ./bench/cmd/benchfixtures -o fixtures.json
//
// The document holds, in the emulator's default project:
//   - RocketMQ instance "bench-rocketmq-257", with 257 tasks: three pages of
//     100, the last one short, as bench/plan/main.tf reads them;
//   - GaussDB job "bench-gaussdb-job", completed, as bench/plan/main.tf reads it;
//   - RocketMQ instance "bench-rocketmq-10000", with 10,000 tasks (100 pages),
//     as bench/tenk/main.tf reads them;
//   - RocketMQ instances "bench-rocketmq-00" to "-24", three tasks each, and
//     GaussDB jobs "bench-gaussdb-00" to "-24", as bench/many/main.tf reads
//     them: 50 data sources that make one request each;
//   - for bench/nine/main.tf, one of each of the provider's nine data
//     sources: DMS instances "bench-nine-rocketmq", "bench-nine-kafka" and
//     "bench-nine-rabbitmq" (DMS engines share one instance store) and DCS
//     instance "bench-nine-dcs", 20 tasks each (one page), the DCS ones with
//     details and enable_show; and one completed job per database service,
//     "bench-nine-gaussdb", "-rds", "-opengauss", "-dds" and "-geminidb".
//
// Everything bench/plan, bench/many and bench/tenk read is as it was before
// bench/nine was added (the document only grew), so that their figures
// compare with the older tables of BENCHMARKS.md.
//
// The output is the same on every run, so the figures of two runs compare.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"
)

// The counts that bench/plan/main.tf and bench/many/main.tf rely on.
const (
	bigTasks      = 257
	tenKTasks     = 10_000
	manyInstances = 25
	manyJobs      = 25
	tasksEach     = 3
	// nineTasks is the tasks of each task list of bench/nine: one page.
	nineTasks = 20
)

// nineEngines are the DMS engines of bench/nine, each with an instance
// "bench-nine-ENGINE".
var nineEngines = []string{"rocketmq", "kafka", "rabbitmq"}

// task is a DMS background task in the fixture format.
type task struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	UserName  string `json:"user_name"`
	UserID    string `json:"user_id"`
	Params    string `json:"params"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// instance is a DMS instance and its tasks in the fixture format.
type instance struct {
	ID    string `json:"id"`
	Tasks []task `json:"tasks"`
}

// dcsTask is a DCS background task in the fixture format: a DMS task with
// typed details and enable_show.
type dcsTask struct {
	task
	Details    map[string]any `json:"details"`
	EnableShow bool           `json:"enable_show"`
}

// dcsInstance is a DCS instance and its tasks in the fixture format.
type dcsInstance struct {
	ID    string    `json:"id"`
	Tasks []dcsTask `json:"tasks"`
}

// idName is the instance a job works on.
type idName struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// job is a database job in the fixture format. Service is empty for
// GaussDB(for MySQL), the fixture format's default, and Entities is only
// for GaussDB(for MySQL) and RDS, the services whose jobs have them.
type job struct {
	Service  string         `json:"service,omitempty"`
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Status   string         `json:"status"`
	Created  string         `json:"created"`
	Ended    string         `json:"ended"`
	Process  string         `json:"process"`
	Instance idName         `json:"instance"`
	Entities map[string]any `json:"entities,omitempty"`
}

// fixtures is the whole document.
type fixtures struct {
	Instances    []instance    `json:"instances"`
	DCSInstances []dcsInstance `json:"dcs_instances"`
	Jobs         []job         `json:"jobs"`
}

func main() {
	out := flag.String("o", "", "write the fixtures to this `file` instead of stdout")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "benchfixtures: unexpected arguments:", flag.Args())
		os.Exit(2)
	}
	b, err := json.MarshalIndent(build(), "", "  ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchfixtures:", err)
		os.Exit(1)
	}
	b = append(b, '\n')
	if *out == "" {
		_, err = os.Stdout.Write(b)
	} else {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchfixtures:", err)
		os.Exit(1)
	}
}

// build makes the document. Everything derives from the index of a task or
// job, so that the output never changes.
func build() fixtures {
	var f fixtures
	f.Instances = append(f.Instances, instance{ID: "bench-rocketmq-257", Tasks: tasks("big", bigTasks)})
	f.Instances = append(f.Instances, instance{ID: "bench-rocketmq-10000", Tasks: tasks("10k", tenKTasks)})
	f.Jobs = append(f.Jobs, newJob("bench-gaussdb-job", 0))
	for i := range manyInstances {
		f.Instances = append(f.Instances, instance{
			ID:    fmt.Sprintf("bench-rocketmq-%02d", i),
			Tasks: tasks(fmt.Sprintf("i%02d", i), tasksEach),
		})
	}
	for i := range manyJobs {
		f.Jobs = append(f.Jobs, newJob(fmt.Sprintf("bench-gaussdb-%02d", i), i+1))
	}
	// bench/nine, after everything else so that the rest stays as it was.
	for _, engine := range nineEngines {
		f.Instances = append(f.Instances, instance{ID: "bench-nine-" + engine, Tasks: tasks("n"+engine[:3], nineTasks)})
	}
	f.DCSInstances = append(f.DCSInstances, dcsInstance{ID: "bench-nine-dcs", Tasks: dcsTasks("ndcs", nineTasks)})
	f.Jobs = append(f.Jobs, nineJobs()...)
	return f
}

// base is when the first task started.
var base = time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)

// tasks makes n tasks of varied names, users, statuses and parameters, with
// parameters of the sizes real tasks have, so that the provider decodes and
// converts realistic values (params_map included).
func tasks(prefix string, n int) []task {
	names := []string{"restart", "modifyInstanceSpec", "createTopic", "bindInstancePublicIp", "deleteTopic", "resetPassword"}
	users := []string{"alice", "bob", "dms_ops", "paas_dms"}
	statuses := []string{"SUCCESS", "SUCCESS", "SUCCESS", "FAILED", "SUCCESS", "CANCELLED", "SUCCESS"}
	out := make([]task, n)
	for i := range out {
		created := base.Add(time.Duration(i) * 37 * time.Minute)
		params := fmt.Sprintf(`{"reason":"bench run %d","broker_ids":[1,2,3],"queue_num":%d,"enable_public_ip":%t,"public_ip_address":"100.93.%d.%d"}`,
			i, 8+i%8, i%2 == 0, i/250%250, i%250)
		out[i] = task{
			ID:        fmt.Sprintf("ff808082%s%024x", prefix, i),
			Name:      names[i%len(names)],
			UserName:  users[i%len(users)],
			UserID:    fmt.Sprintf("%032x", 0xa1b2c3d4+i%len(users)),
			Params:    params,
			Status:    statuses[i%len(statuses)],
			CreatedAt: created.Format("2006-01-02T15:04:05.000Z"),
			UpdatedAt: created.Add(31*time.Second + time.Duration(i%1000)*time.Millisecond).Format("2006-01-02T15:04:05.000Z"),
		}
	}
	return out
}

// newJob makes a completed creation job, like the task center's.
func newJob(id string, i int) job {
	created := base.Add(time.Duration(i) * time.Hour)
	inst := fmt.Sprintf("a48e43ff268f4c0e879652d65e63%04xin07", i)
	return job{
		ID:      id,
		Name:    "CreateGaussDBforMySQLInstance",
		Status:  "Completed",
		Created: created.Format("2006-01-02T15:04:05-0700"),
		Ended:   created.Add(23 * time.Minute).Format("2006-01-02T15:04:05-0700"),
		Instance: idName{
			ID:   inst,
			Name: fmt.Sprintf("bench-mysql-%02d", i),
		},
		Entities: map[string]any{
			"instance": map[string]any{
				"endpoint":  fmt.Sprintf("192.168.1.%d:3306", 10+i),
				"type":      "Cluster",
				"datastore": map[string]any{"type": "gaussdb-mysql", "version": "8.0"},
			},
			"resource_ids": []string{inst + ".vm", inst + ".volume"},
		},
	}
}

// dcsTasks makes n DCS tasks of the kinds the DCS console shows, each with
// the details that fit it, and enable_show on every other one.
func dcsTasks(prefix string, n int) []dcsTask {
	statuses := []string{"SUCCESS", "SUCCESS", "FAILED", "SUCCESS", "SUCCESS"}
	base := tasks(prefix, n)
	out := make([]dcsTask, n)
	for i := range out {
		t := dcsTask{task: base[i], EnableShow: i%2 == 0}
		t.UserName = "dcs_ops"
		t.Status = statuses[i%len(statuses)]
		switch i % 4 {
		case 0:
			t.Name = "EXTEND"
			t.Params = fmt.Sprintf(`{"new_capacity":%d,"spec_code":"redis.ha.xu1.large.r2.%d"}`, 2<<(i%3), 2<<(i%3))
			t.Details = map[string]any{"old_capacity": fmt.Sprint(1 << (i % 3)), "new_capacity": fmt.Sprint(2 << (i % 3))}
		case 1:
			t.Name = "BindEip"
			t.Params = fmt.Sprintf(`{"public_ip_id":"1aea7aed-e7d8-40ea-b3de-%012x"}`, i)
			t.Details = map[string]any{
				"public_ip_id":      fmt.Sprintf("1aea7aed-e7d8-40ea-b3de-%012x", i),
				"public_ip_address": fmt.Sprintf("100.93.2.%d", i),
				"enable_public_ip":  true,
			}
		case 2:
			t.Name = "UpdatePort"
			t.Params = fmt.Sprintf(`{"new_port":%d}`, 6380+i)
			t.Details = map[string]any{"old_port": 6379, "new_port": 6380 + i}
		default:
			t.Name = "AddReplica"
			t.Params = fmt.Sprintf(`{"replica_az":"az%d"}`, 1+i%3)
			t.Details = map[string]any{"old_replica_num": 1, "new_replica_num": 2, "replica_az": fmt.Sprintf("az%d", 1+i%3)}
		}
		out[i] = t
	}
	return out
}

// nineJobs makes the completed job of each database service that
// bench/nine reads: "bench-nine-" and the service's endpoint key.
func nineJobs() []job {
	gaussdb := newJob("bench-nine-gaussdb", manyJobs+1)
	rds := newJob("bench-nine-rds", manyJobs+2)
	rds.Service, rds.Name = "rds", "CreateMysqlInstance"
	rds.Instance.Name = "bench-rds"
	rds.Entities["instance"] = map[string]any{
		"endpoint":  "192.168.2.10:3306",
		"type":      "Single",
		"datastore": map[string]any{"type": "mysql", "version": "8.0"},
	}
	out := []job{gaussdb, rds}
	// The other three have no entities.
	for i, s := range []struct{ service, name, instance string }{
		{"opengauss", "CreateGaussDBV5Instance", "bench-opengauss"},
		{"dds", "CreateMongoDB", "bench-dds"},
		{"geminidb", "CreateInstance", "bench-geminidb"},
	} {
		j := newJob("bench-nine-"+s.service, manyJobs+3+i)
		j.Service, j.Name, j.Instance.Name, j.Entities = s.service, s.name, s.instance, nil
		out = append(out, j)
	}
	return out
}
