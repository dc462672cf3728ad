package emulator

import (
	"reflect"
	"testing"
)

func TestInventory(t *testing.T) {
	e := fixtureEmulator(t)
	const other = "1f2e3d4c5b6a47988796a5b4c3d2e1f0"
	e.AddInstance(other, "empty")
	e.ScriptJob(failedJobID, JobStep{"Running", "10%"}, JobStep{"Failed", ""})

	wantInstances := []InstanceInfo{
		{DefaultProjectID, "6b8e1a52-3c9f-4f4e-9d2a-1f0c7e5b9a01", 1, "ff80808272dcc90f0172df1e490f41b0"},
		{DefaultProjectID, "c2f7d1e4-8a6b-4e3d-b5a9-0d4c3b2a1f90", 1, "8abfa7b272adc5b40172b73130065ae7"},
		{other, "empty", 0, ""},
	}
	if got := e.Instances(); !reflect.DeepEqual(got, wantInstances) {
		t.Fatalf("instances:\n got %+v\nwant %+v", got, wantInstances)
	}
	wantJobs := []JobInfo{
		{JobServiceGaussDB, DefaultProjectID, seedJobID, "CreateGaussDBforMySQLInstance", "Completed", nil},
		{JobServiceGaussDB, DefaultProjectID, failedJobID, "RestartGaussDBforMySQLInstance", "Failed", []JobStep{{"Running", "10%"}, {"Failed", ""}}},
	}
	if got := e.Jobs(); !reflect.DeepEqual(got, wantJobs) {
		t.Fatalf("jobs:\n got %+v\nwant %+v", got, wantJobs)
	}
	if got := New(Config{}).Instances(); len(got) != 0 {
		t.Fatalf("an empty emulator lists %v", got)
	}
}
