package emulator

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestInventory(t *testing.T) {
	e := newTestEmulator(t)
	const other = "1f2e3d4c5b6a47988796a5b4c3d2e1f0"
	e.AddTasks(DefaultProjectID, "6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01", Task{ID: "ff80808272dcc90f0172df1e490f41b0"})
	e.AddTasks(DefaultProjectID, "c2f7d1e4-8a6b-4e3d-b5a9-0d4c3b2a1f90", Task{ID: "8abfa7b272adc5b40172b73130065ae7"})
	e.AddJob(DefaultProjectID, Job{ID: seedJobID, Name: "CreateGaussDBforMySQLInstance", Status: "Completed"})
	e.AddJob(DefaultProjectID, Job{ID: failedJobID, Name: "RestartGaussDBforMySQLInstance", Status: "Failed"})
	e.AddInstance(other, "empty")
	e.ScriptJob(failedJobID, JobStep{"Running", "10%"}, JobStep{"Failed", ""})
	e.AddDCSInstance(DefaultProjectID, "dcs-empty")
	e.AddDCSTasks(other, "dcs-b", DCSTask{ID: "old", CreatedAt: testNow.Add(-time.Hour)}, DCSTask{ID: "new", CreatedAt: testNow})
	e.AddDCSTasks(DefaultProjectID, "dcs-a", DCSTask{ID: "only"})
	e.AddServiceJob(JobServiceGeminiDB, DefaultProjectID, Job{ID: "g", Name: "CreateInstance", Status: "Running"})
	e.ScriptServiceJob(JobServiceGeminiDB, "g", JobStep{"Completed", ""})
	e.AddServiceJob(JobServiceRDS, other, Job{ID: "r2", Name: "RestartInstance", Status: "Completed"})
	e.AddServiceJob(JobServiceRDS, DefaultProjectID, Job{ID: "r1", Name: "CreateMysqlInstance", Status: "Failed"})
	e.AddCCEJob(DefaultProjectID, CCEJob{ID: "c", Type: "CreateCluster", Phase: "Running", SubJobs: []CCEJob{{ID: "c-sub", Phase: "Running"}}})
	e.ScriptCCEJob("c", CCEJobStep{"Running", ""}, CCEJobStep{"Success", ""})
	e.ScriptCCEJob("c-sub", CCEJobStep{"Success", ""}) // A sub-job's script lists nowhere.
	e.AddV1Job(V1JobServiceIMS, DefaultProjectID, V1Job{ID: "i", Type: "imsImportOvaImageJob", Status: "FAIL",
		Entities: json.RawMessage(`{"sub_jobs_list":["a","b"],"sub_jobs_result":[{},{}]}`)})
	e.AddV1Job(V1JobServiceECS, other, V1Job{ID: "e2", Type: "deleteVMs", Status: "SUCCESS", Entities: json.RawMessage(`{"sub_jobs":"x"}`)})
	e.AddV1Job(V1JobServiceECS, DefaultProjectID, V1Job{ID: "e1", Type: "createServer", Status: "INIT",
		Entities: json.RawMessage(`{"sub_jobs_total":3,"sub_jobs":[{}]}`)})
	e.ScriptV1Job(V1JobServiceECS, "e1", V1JobStep{Status: "RUNNING"}, V1JobStep{Status: "SUCCESS", Entities: json.RawMessage(`{}`)})
	e.ScriptV1Job(V1JobServiceEVS, "e1", V1JobStep{Status: "FAIL"}) // No EVS job e1: nothing to list.

	wantInstances := []InstanceInfo{
		{"dms", DefaultProjectID, "6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01", 1, "ff80808272dcc90f0172df1e490f41b0"},
		{"dms", DefaultProjectID, "c2f7d1e4-8a6b-4e3d-b5a9-0d4c3b2a1f90", 1, "8abfa7b272adc5b40172b73130065ae7"},
		{"dms", other, "empty", 0, ""},
		{"dcs", DefaultProjectID, "dcs-a", 1, "only"},
		{"dcs", DefaultProjectID, "dcs-empty", 0, ""},
		{"dcs", other, "dcs-b", 2, "new"},
	}
	if got := e.Instances(); !reflect.DeepEqual(got, wantInstances) {
		t.Fatalf("instances:\n got %+v\nwant %+v", got, wantInstances)
	}
	wantJobs := []JobInfo{
		{"gaussdb", "GaussDB(for MySQL)", DefaultProjectID, seedJobID, "CreateGaussDBforMySQLInstance", "Completed", 0, nil},
		{"gaussdb", "GaussDB(for MySQL)", DefaultProjectID, failedJobID, "RestartGaussDBforMySQLInstance", "Failed", 0, []JobStep{{"Running", "10%"}, {"Failed", ""}}},
		{"rds", "RDS", DefaultProjectID, "r1", "CreateMysqlInstance", "Failed", 0, nil},
		{"rds", "RDS", other, "r2", "RestartInstance", "Completed", 0, nil},
		{"geminidb", "GeminiDB", DefaultProjectID, "g", "CreateInstance", "Running", 0, []JobStep{{"Completed", ""}}},
		// The sub-jobs as added, whatever sub_jobs_total says.
		{"ecs", "ECS", DefaultProjectID, "e1", "createServer", "INIT", 1, []JobStep{{"RUNNING", ""}, {"SUCCESS", ""}}},
		{"ecs", "ECS", other, "e2", "deleteVMs", "SUCCESS", 0, nil},
		{"ims", "IMS", DefaultProjectID, "i", "imsImportOvaImageJob", "FAIL", 2, nil},
		{"cce", "CCE", DefaultProjectID, "c", "CreateCluster", "Running", 1, []JobStep{{"Running", ""}, {"Success", ""}}},
	}
	if got := e.Jobs(); !reflect.DeepEqual(got, wantJobs) {
		t.Fatalf("jobs:\n got %+v\nwant %+v", got, wantJobs)
	}
	if got := New(Config{}).Instances(); len(got) != 0 {
		t.Fatalf("an empty emulator lists %v", got)
	}
}
