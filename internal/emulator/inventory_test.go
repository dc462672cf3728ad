package emulator

import (
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
		{JobServiceGaussDB, DefaultProjectID, seedJobID, "CreateGaussDBforMySQLInstance", "Completed", nil},
		{JobServiceGaussDB, DefaultProjectID, failedJobID, "RestartGaussDBforMySQLInstance", "Failed", []JobStep{{"Running", "10%"}, {"Failed", ""}}},
		{JobServiceRDS, DefaultProjectID, "r1", "CreateMysqlInstance", "Failed", nil},
		{JobServiceRDS, other, "r2", "RestartInstance", "Completed", nil},
		{JobServiceGeminiDB, DefaultProjectID, "g", "CreateInstance", "Running", []JobStep{{"Completed", ""}}},
	}
	if got := e.Jobs(); !reflect.DeepEqual(got, wantJobs) {
		t.Fatalf("jobs:\n got %+v\nwant %+v", got, wantJobs)
	}
	if got := New(Config{}).Instances(); len(got) != 0 {
		t.Fatalf("an empty emulator lists %v", got)
	}
}
